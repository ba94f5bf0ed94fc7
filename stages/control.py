"""DVC stage `control@<dataset>-<model>-<encoder>`: the control run for SIEF.

Same start, epochs and learning rate as the SIEF run (the schedule's `finetune` block) but
the relation loss alone, so that "+SIEF vs base" is not confounded by SIEF's extra epochs.
It does not read the `sief` section: a change of beta or of a SIEF variant never re-runs it.

    python -m stages.control --dataset docred --model gain --encoder glove
        --data data/processed/docred --base data/runs/docred/gain/glove/base/model.pt
        --out data/runs/docred/gain/glove/control
"""
from __future__ import annotations

from pathlib import Path

from pipeline.config import build
from pipeline.models import build_model_config
from pipeline.runtime import runtime_device
from pipeline.training.loop import ScheduleConfig
from pipeline.training.run import train_run
from stages.common import load_sections, resume_file, run_parser

PARAMS = ("schedules.{dataset}.{encoder}", "models.{model}", "encoders.{encoder}", "runtime")


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
              resume=resume_file(args.out), device=runtime_device(params["runtime"]))


if __name__ == "__main__":
    main()
