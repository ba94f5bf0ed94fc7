"""DVC stage `sief@<dataset>-<model>-<encoder>`: the main SIEF run, the schedule's seed, from
the base checkpoint (or from scratch: `schedules.<d>.<e>.finetune.init`) for the schedule's
fine-tuning budget, every epoch run and evaluated. On DocRED it is that seed's run of the
`sief` arm (pipeline/comparison): the epoch best on all dev goes to model.pt (Table 1), the
cross-fitted choice to dev.json and selection.csv; the arms stages add the other seeds.

    python -m stages.sief --dataset docred --model gain --encoder glove
        --data data/processed/docred --base data/runs/docred/gain/glove/base/model.pt
        --out data/runs/docred/gain/glove/sief
        --metrics data/results/docred/gain/glove/sief/dev.json
"""
from __future__ import annotations

from pipeline.comparison.arms import ComparisonConfig, main_run
from pipeline.config import build
from pipeline.sief.objective import SIEFConfig, sief_loss
from stages.common import cli, resume_file
from stages.run_configs import run_configs, run_parser

PARAMS = ("schedules.{dataset}.{encoder}", "models.{model}", "encoders.{encoder}", "sief",
          "comparison", "runtime")


def main(argv: list[str] | None = None) -> None:
    p = run_parser(__doc__, "base", "out", "metrics")
    run = run_configs(p, PARAMS, argv,
                      sief=lambda args, params: build(SIEFConfig, params["sief"], "sief"))
    args, schedule = run.args, run.schedule
    main_run("sief", sief_loss(run.sief), run.model, schedule.finetuning(),
             build(ComparisonConfig, run.params["comparison"], "comparison"), args.data,
             schedule.finetune.start(args.base), args.out, args.metrics,
             resume_file(args.out), run.device)


if __name__ == "__main__":
    cli(main)
