"""DVC stage `sief@<dataset>-<model>-<encoder>`: SIEF from the base checkpoint (or from
scratch: `schedules.<d>.<e>.finetune.init`), with the schedule's fine-tuning epochs and lr.

    python -m stages.sief --dataset docred --model gain --encoder glove
        --data data/processed/docred --base data/runs/docred/gain/glove/base/model.pt
        --out data/runs/docred/gain/glove/sief
        --history data/results/docred/gain/glove/sief/history.csv
"""
from __future__ import annotations


from pipeline.config import build
from pipeline.sief.objective import SIEFConfig
from pipeline.training.run import train_run
from stages.common import cli, resume_file
from stages.run_configs import run_configs, run_parser

PARAMS = ("schedules.{dataset}.{encoder}", "models.{model}", "encoders.{encoder}", "sief",
          "runtime")


def main(argv: list[str] | None = None) -> None:
    p = run_parser(__doc__, "base", "out", "history")
    run = run_configs(p, PARAMS, argv,
                      sief=lambda args, params: build(SIEFConfig, params["sief"], "sief"))
    train_run(run.model, run.schedule.finetuning(), run.args.data, run.args.out,
              init=run.schedule.finetune.start(run.args.base), sief=run.sief,
              resume=resume_file(run.args.out), history=run.args.history,
              device=run.device)


if __name__ == "__main__":
    cli(main)
