"""DVC stage `seeds_control@<dataset>-<model>-<encoder>`: the control run from each seeds_base
replicate, with that seed (see stages/seeds_base.py and stages/control.py); it does not read
the `sief` section, so a SIEF change never re-runs it.

    python -m stages.seeds_control --dataset docred --model gain --encoder glove
        --data data/processed/docred --bases data/runs/docred/gain/glove/seeds/base
        --out data/runs/docred/gain/glove/seeds/control
        --metrics data/results/docred/gain/glove/seeds/control/dev.json
"""
from __future__ import annotations

from stages.common import cli
from stages.run_configs import replicate_finetuning, run_configs, run_parser

PARAMS = ("schedules.{dataset}.{encoder}", "models.{model}", "encoders.{encoder}", "seeds.extra",
          "runtime")


def main(argv: list[str] | None = None) -> None:
    run = run_configs(run_parser(__doc__, "bases", "out", "metrics"), PARAMS, argv)
    replicate_finetuning(run, "control", sief=None)


if __name__ == "__main__":
    cli(main)
