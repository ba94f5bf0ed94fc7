"""DVC stage `control@<dataset>-<model>-<encoder>`: the control of the main SIEF run.

The same start, seed, batch order, fine-tuning budget (every epoch run and evaluated) and
learning rate as the SIEF run, the relation loss alone, so that "+SIEF vs base" is not
confounded by SIEF's extra epochs. On DocRED it is the schedule's seed's run of the
`control` arm (pipeline/comparison). It does not read the `sief` section: a change of beta
or of a SIEF variant never re-runs it.

    python -m stages.control --dataset docred --model gain --encoder glove
        --data data/processed/docred --base data/runs/docred/gain/glove/base/model.pt
        --out data/runs/docred/gain/glove/control
        --metrics data/results/docred/gain/glove/control/dev.json
"""
from __future__ import annotations

from pipeline.comparison.arms import ComparisonConfig, main_run
from pipeline.config import build
from pipeline.training.objectives import RELATION_LOSS
from stages.common import cli, resume_file
from stages.run_configs import run_configs, run_parser

PARAMS = ("schedules.{dataset}.{encoder}", "models.{model}", "encoders.{encoder}",
          "comparison", "runtime")


def main(argv: list[str] | None = None) -> None:
    p = run_parser(__doc__, "base", "out", "metrics")
    run = run_configs(p, PARAMS, argv)
    args, schedule = run.args, run.schedule
    main_run("control", RELATION_LOSS, run.model, schedule.finetuning(),
             build(ComparisonConfig, run.params["comparison"], "comparison"), args.data,
             schedule.finetune.start(args.base), args.out, args.metrics,
             resume_file(args.out), run.device)


if __name__ == "__main__":
    cli(main)
