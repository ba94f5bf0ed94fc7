"""DVC stage `seeds_base@<dataset>-<model>-<encoder>`: the base run again for every seed in
`seeds.extra`, for Table 1's mean and standard deviation over seeds.

The SIEF replicates are a stage of their own (seeds_sief) so that a SIEF change (e.g. beta)
re-runs only them. With no extra seeds, the metrics file lists no runs.

    python -m stages.seeds_base --dataset docred --model gain --encoder glove
        --data data/processed/docred --out data/runs/docred/gain/glove/seeds/base
        --metrics data/results/docred/gain/glove/seeds/base/dev.json
"""
from __future__ import annotations

import dataclasses
from pathlib import Path

from pipeline.config import build
from pipeline.models import build_model_config
from pipeline.runtime import runtime_device
from pipeline.training.loop import TrainConfig
from pipeline.training.run import replicate, train_run
from pipeline.training.seeding import SeedsConfig
from stages.common import load_sections, resume_file, run_parser

PARAMS = ("schedules.{dataset}.{encoder}.base", "models.{model}", "encoders.{encoder}",
          "seeds", "runtime")


def main(argv: list[str] | None = None) -> None:
    p = run_parser(__doc__)
    p.add_argument("--out", required=True, type=Path, help="one run directory per seed in it")
    p.add_argument("--metrics", required=True, type=Path, help="the runs' best dev metrics")
    args = p.parse_args(argv)
    params = load_sections(PARAMS, dataset=args.dataset, model=args.model, encoder=args.encoder)
    key = f"schedules.{args.dataset}.{args.encoder}.base"
    schedule = build(TrainConfig, params[key], key)
    model = build_model_config(params[f"models.{args.model}"],
                               params[f"encoders.{args.encoder}"], f"models.{args.model}",
                               f"encoders.{args.encoder}")
    device = runtime_device(params["runtime"])
    seeds = build(SeedsConfig, params["seeds"], "seeds").replicates(schedule.seed)
    replicate(seeds, args.out, args.metrics, "base",
              lambda seed, out: train_run(model, dataclasses.replace(schedule, seed=seed),
                                          args.data, out, resume=resume_file(out),
                                          device=device))


if __name__ == "__main__":
    main()
