"""DVC stage `seeds_sief@<dataset>-<model>-<encoder>`: SIEF from each seeds_base replicate,
with that seed (see stages/seeds_base.py).

    python -m stages.seeds_sief --dataset docred --model gain --encoder glove
        --data data/processed/docred --bases data/runs/docred/gain/glove/seeds/base
        --out data/runs/docred/gain/glove/seeds/sief
        --metrics data/results/docred/gain/glove/seeds/sief/dev.json
"""
from __future__ import annotations

import dataclasses
from pathlib import Path

from pipeline.config import build
from pipeline.models import build_model_config
from pipeline.runtime import runtime_device
from pipeline.sief.objective import SIEFConfig
from pipeline.training.loop import ScheduleConfig
from pipeline.training.run import replicate, train_run
from pipeline.training.seeding import SeedsConfig
from stages.common import load_sections, resume_file, run_parser

PARAMS = ("schedules.{dataset}.{encoder}", "models.{model}", "encoders.{encoder}", "sief",
          "seeds", "runtime")


def main(argv: list[str] | None = None) -> None:
    p = run_parser(__doc__)
    p.add_argument("--bases", required=True, type=Path, help="seeds_base's run directories")
    p.add_argument("--out", required=True, type=Path, help="one run directory per seed in it")
    p.add_argument("--metrics", required=True, type=Path, help="the runs' best dev metrics")
    args = p.parse_args(argv)
    params = load_sections(PARAMS, dataset=args.dataset, model=args.model, encoder=args.encoder)
    key = f"schedules.{args.dataset}.{args.encoder}"
    schedule = build(ScheduleConfig, params[key], key)
    model = build_model_config(params[f"models.{args.model}"],
                               params[f"encoders.{args.encoder}"], f"models.{args.model}",
                               f"encoders.{args.encoder}")
    sief = build(SIEFConfig, params["sief"], "sief")
    device = runtime_device(params["runtime"])
    seeds = build(SeedsConfig, params["seeds"], "seeds").replicates(schedule.base.seed)
    from_base = schedule.finetune.init == "base"
    replicate(seeds, args.out, args.metrics, "sief",
              lambda seed, out: train_run(
                  model, dataclasses.replace(schedule.finetuning(), seed=seed), args.data, out,
                  init=args.bases / f"seed{seed}" / "model.pt" if from_base else None,
                  sief=sief, resume=resume_file(out), device=device))


if __name__ == "__main__":
    main()
