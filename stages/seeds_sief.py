"""DVC stage `seeds_sief@<dataset>-<model>-<encoder>`: SIEF from each seeds_base replicate,
with that seed (see stages/seeds_base.py).

    python -m stages.seeds_sief --dataset docred --model gain --encoder glove
        --data data/processed/docred --bases data/runs/docred/gain/glove/seeds/base
        --out data/runs/docred/gain/glove/seeds/sief
        --metrics data/results/docred/gain/glove/seeds/sief/dev.json
"""
from __future__ import annotations

from pipeline.config import build
from pipeline.sief.objective import SIEFConfig
from stages.common import cli
from stages.run_configs import replicate_finetuning, run_configs, run_parser

PARAMS = ("schedules.{dataset}.{encoder}", "models.{model}", "encoders.{encoder}", "sief",
          "seeds.extra", "runtime")


def main(argv: list[str] | None = None) -> None:
    run = run_configs(run_parser(__doc__, "bases", "out", "metrics"), PARAMS, argv,
                      sief=lambda args, params: build(SIEFConfig, params["sief"], "sief"))
    replicate_finetuning(run, "sief", sief=run.sief)


if __name__ == "__main__":
    cli(main)
