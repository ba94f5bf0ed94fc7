"""DVC stage `arms@<dataset>-<model>-<encoder>-<arm>` for the arms without SIEF's loss:
`control` (the relation loss) and `augment` (the relation loss on the full documents and on
SIEF's sentence-removed copies), fine-tuned for the schedule's fine-tuning budget from the
base run of every seed: `augment` from the schedule's seed (train's base) and seeds.extra
(seeds_base's), `control` from seeds.extra alone (its schedule seed is the main control
run, stage control). It reads `sief.stale_distance` alone of the `sief` section (augment's
copies are featurised as SIEF's), so a change of beta never re-runs it. The SIEF arms:
stages/arms_sief.py.

    python -m stages.arms --dataset docred --model bilstm --encoder glove --arm augment
        --data data/processed/docred --base data/runs/docred/bilstm/glove/base/model.pt
        --bases data/runs/docred/bilstm/glove/seeds/base
        --out data/runs/docred/bilstm/glove/arms/augment
        --metrics data/results/docred/bilstm/glove/arms/augment/dev.json
"""
from __future__ import annotations

from pipeline.comparison.arms import ComparisonConfig, arm_seeds, compare_arm
from pipeline.comparison.augment import AugmentConfig, relation_arm_loss
from pipeline.config import build
from stages.common import cli, resume_file
from stages.run_configs import replica_seeds, run_configs, run_parser

PARAMS = ("schedules.{dataset}.{encoder}", "models.{model}", "encoders.{encoder}",
          "sief.stale_distance", "seeds.extra", "comparison", "runtime")


def main(argv: list[str] | None = None) -> None:
    p = run_parser(__doc__, "base", "bases", "out", "metrics")
    p.add_argument("--arm", required=True, choices=["control", "augment"])
    run = run_configs(p, PARAMS, argv)
    args = run.args
    augment = build(AugmentConfig, {"stale_distance": run.params["sief.stale_distance"]}, "sief")
    bases = arm_seeds(args.arm, run.schedule.base.seed, run.schedule.finetune.start(args.base),
                      args.bases, replica_seeds(run))
    compare_arm(args.arm, relation_arm_loss(args.arm, augment), run.model,
                run.schedule.finetuning(),
                build(ComparisonConfig, run.params["comparison"], "comparison"), args.data,
                bases, args.out, args.metrics, resume_file, run.device)


if __name__ == "__main__":
    cli(main)
