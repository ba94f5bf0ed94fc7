"""DVC stage `arms_sief@<dataset>-<model>-<encoder>-<arm>` for the arms with SIEF's loss:
`sief` (params.yaml's `sief` section) and `rand` (the same with random evidence, the
paper's Rand), fine-tuned from the base run of every seed: `rand` from the schedule's seed
and seeds.extra, `sief` from seeds.extra alone (its schedule seed is the main SIEF run,
stage sief). See stages/arms.py, which runs the control and augment arms.

    python -m stages.arms_sief --dataset docred --model bilstm --encoder glove --arm sief
        --data data/processed/docred --base data/runs/docred/bilstm/glove/base/model.pt
        --bases data/runs/docred/bilstm/glove/seeds/base
        --out data/runs/docred/bilstm/glove/arms/sief
        --metrics data/results/docred/bilstm/glove/arms/sief/dev.json
"""
from __future__ import annotations

from pipeline.comparison.arms import ComparisonConfig, arm_seeds, compare_arm
from pipeline.comparison.sief_arms import sief_arm_loss
from pipeline.config import build
from pipeline.sief.objective import SIEFConfig
from stages.common import cli, resume_file
from stages.run_configs import replica_seeds, run_configs, run_parser

PARAMS = ("schedules.{dataset}.{encoder}", "models.{model}", "encoders.{encoder}", "sief",
          "seeds.extra", "comparison", "runtime")


def main(argv: list[str] | None = None) -> None:
    p = run_parser(__doc__, "base", "bases", "out", "metrics")
    p.add_argument("--arm", required=True, choices=["rand", "sief"])
    run = run_configs(p, PARAMS, argv,
                      sief=lambda args, params: build(SIEFConfig, params["sief"], "sief"))
    args = run.args
    bases = arm_seeds(args.arm, run.schedule.base.seed, run.schedule.finetune.start(args.base),
                      args.bases, replica_seeds(run))
    compare_arm(args.arm, sief_arm_loss(args.arm, run.sief), run.model,
                run.schedule.finetuning(),
                build(ComparisonConfig, run.params["comparison"], "comparison"), args.data,
                bases, args.out, args.metrics, resume_file, run.device)


if __name__ == "__main__":
    cli(main)
