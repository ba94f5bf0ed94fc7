"""DVC stage `train@<dataset>-<model>-<encoder>`: the base run, best checkpoint by the
schedule's dev metric.

    python -m stages.train --dataset docred --model gain --encoder glove
        --data data/processed/docred --out data/runs/docred/gain/glove/base
"""
from __future__ import annotations

from pathlib import Path

from pipeline.config import build
from pipeline.models import build_model_config
from pipeline.runtime import runtime_device
from pipeline.training.loop import TrainConfig
from pipeline.training.run import train_run
from stages.common import load_sections, resume_file, run_parser

PARAMS = ("schedules.{dataset}.{encoder}.base", "models.{model}", "encoders.{encoder}",
          "runtime")


def main(argv: list[str] | None = None) -> None:
    p = run_parser(__doc__)
    p.add_argument("--out", required=True, type=Path, help="the run's directory")
    args = p.parse_args(argv)
    params = load_sections(PARAMS, dataset=args.dataset, model=args.model, encoder=args.encoder)
    key = f"schedules.{args.dataset}.{args.encoder}.base"
    schedule = build(TrainConfig, params[key], key)
    model = build_model_config(params[f"models.{args.model}"],
                               params[f"encoders.{args.encoder}"], f"models.{args.model}",
                               f"encoders.{args.encoder}")
    train_run(model, schedule, args.data, args.out, resume=resume_file(args.out),
              device=runtime_device(params["runtime"]))


if __name__ == "__main__":
    main()
