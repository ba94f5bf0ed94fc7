"""DVC stage `control@<dataset>-<model>-<encoder>`: the control run for SIEF.

Same start, epochs and learning rate as the SIEF run (the schedule's `finetune` block) but
the relation loss alone, so that "+SIEF vs base" is not confounded by SIEF's extra epochs.
It does not read the `sief` section: a change of beta or of a SIEF variant never re-runs it.

    python -m stages.control --dataset docred --model gain --encoder glove
        --data data/processed/docred --base data/runs/docred/gain/glove/base/model.pt
        --out data/runs/docred/gain/glove/control
        --history data/results/docred/gain/glove/control/history.csv
"""
from __future__ import annotations


from pipeline.training.run import train_run
from stages.common import cli, resume_file
from stages.run_configs import run_configs, run_parser

PARAMS = ("schedules.{dataset}.{encoder}", "models.{model}", "encoders.{encoder}", "runtime")


def main(argv: list[str] | None = None) -> None:
    p = run_parser(__doc__, "base", "out", "history")
    run = run_configs(p, PARAMS, argv)
    train_run(run.model, run.schedule.finetuning(), run.args.data, run.args.out,
              init=run.schedule.finetune.start(run.args.base),
              resume=resume_file(run.args.out), history=run.args.history,
              device=run.device)


if __name__ == "__main__":
    cli(main)
