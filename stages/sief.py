"""DVC stage `sief@<dataset>-<model>-<encoder>`: SIEF from the base checkpoint (or from
scratch: `schedules.<d>.<e>.finetune.init`), with the schedule's fine-tuning epochs and lr.

    python -m stages.sief --dataset docred --model gain --encoder glove
        --data data/processed/docred --base data/runs/docred/gain/glove/base/model.pt
        --out data/runs/docred/gain/glove/sief
"""
from __future__ import annotations

from pathlib import Path

from pipeline.config import build
from pipeline.models import build_model_config
from pipeline.runtime import runtime_device
from pipeline.sief.objective import SIEFConfig
from pipeline.training.loop import ScheduleConfig
from pipeline.training.run import train_run
from stages.common import load_sections, resume_file, run_parser

PARAMS = ("schedules.{dataset}.{encoder}", "models.{model}", "encoders.{encoder}", "sief",
          "runtime")


def main(argv: list[str] | None = None) -> None:
    p = run_parser(__doc__)
    p.add_argument("--base", required=True, type=Path, help="the base run's model.pt")
    p.add_argument("--out", required=True, type=Path, help="the run's directory")
    args = p.parse_args(argv)
    params = load_sections(PARAMS, dataset=args.dataset, model=args.model, encoder=args.encoder)
    key = f"schedules.{args.dataset}.{args.encoder}"
    schedule = build(ScheduleConfig, params[key], key)
    model = build_model_config(params[f"models.{args.model}"],
                               params[f"encoders.{args.encoder}"], f"models.{args.model}",
                               f"encoders.{args.encoder}")
    train_run(model, schedule.finetuning(), args.data, args.out,
              init=args.base if schedule.finetune.init == "base" else None,
              sief=build(SIEFConfig, params["sief"], "sief"), resume=resume_file(args.out),
              device=runtime_device(params["runtime"]))


if __name__ == "__main__":
    main()
