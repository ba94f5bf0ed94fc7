"""DVC stage `train@<dataset>-<model>-<encoder>`: the base run, best checkpoint by the
schedule's dev metric.

    python -m stages.train --dataset docred --model gain --encoder glove
        --data data/processed/docred --out data/runs/docred/gain/glove/base
        --history data/results/docred/gain/glove/base/history.csv
"""
from __future__ import annotations


from pipeline.training.run import train_run
from stages.common import cli, resume_file
from stages.run_configs import run_configs, run_parser

PARAMS = ("schedules.{dataset}.{encoder}.base", "models.{model}", "encoders.{encoder}",
          "runtime")


def main(argv: list[str] | None = None) -> None:
    p = run_parser(__doc__, "out", "history")
    run = run_configs(p, PARAMS, argv)
    train_run(run.model, run.schedule.base, run.args.data, run.args.out,
              resume=resume_file(run.args.out), history=run.args.history,
              device=run.device)


if __name__ == "__main__":
    cli(main)
