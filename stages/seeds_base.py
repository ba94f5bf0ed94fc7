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
from pipeline.training.run import replicate, train_run
from pipeline.training.seeding import SeedsConfig
from stages.common import resume_file
from stages.run_configs import run_configs, run_parser

PARAMS = ("schedules.{dataset}.{encoder}.base", "models.{model}", "encoders.{encoder}",
          "seeds", "runtime")


def main(argv: list[str] | None = None) -> None:
    p = run_parser(__doc__)
    p.add_argument("--out", required=True, type=Path, help="one run directory per seed in it")
    p.add_argument("--metrics", required=True, type=Path, help="the runs' best dev metrics")
    run = run_configs(p, PARAMS, argv)
    base = run.schedule.base
    seeds = build(SeedsConfig, run.params["seeds"], "seeds").replicates(base.seed)
    replicate(seeds, run.args.out, run.args.metrics, "base",
              lambda seed, out: train_run(run.model, dataclasses.replace(base, seed=seed),
                                          run.args.data, out, resume=resume_file(out),
                                          device=run.device))


if __name__ == "__main__":
    main()
