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
from pipeline.sief.objective import SIEFConfig
from pipeline.training.run import replicate, train_run
from pipeline.training.seeding import SeedsConfig
from stages.common import resume_file
from stages.run_configs import run_configs, run_parser

PARAMS = ("schedules.{dataset}.{encoder}", "models.{model}", "encoders.{encoder}", "sief",
          "seeds", "runtime")


def main(argv: list[str] | None = None) -> None:
    p = run_parser(__doc__)
    p.add_argument("--bases", required=True, type=Path, help="seeds_base's run directories")
    p.add_argument("--out", required=True, type=Path, help="one run directory per seed in it")
    p.add_argument("--metrics", required=True, type=Path, help="the runs' best dev metrics")
    run = run_configs(p, PARAMS, argv)
    schedule, args = run.schedule, run.args
    sief = build(SIEFConfig, run.params["sief"], "sief")
    seeds = build(SeedsConfig, run.params["seeds"], "seeds").replicates(schedule.base.seed)
    replicate(seeds, args.out, args.metrics, "sief",
              lambda seed, out: train_run(
                  run.model, dataclasses.replace(schedule.finetuning(), seed=seed), args.data,
                  out, init=schedule.finetune.start(args.bases / f"seed{seed}" / "model.pt"),
                  sief=sief, resume=resume_file(out), device=run.device))


if __name__ == "__main__":
    main()
