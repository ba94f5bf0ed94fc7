"""DVC stage `analysis@<dataset>-<model>-<encoder>-<setting>`: one SIEF variant for Tables 5,
6 and Figure 4, as long as the main SIEF run.

Every setting trains exactly as the main SIEF run of its (model, encoder) (the schedule's
`finetune` block: start, budget, lr; every epoch evaluated), with the `sief` section changed by
`analysis.settings.<setting>` (e.g. evidence_rule: random), so a setting differs from the
main SIEF run, whose results are the tables' SIEF row, only in that change. One seed (the
schedule's). The best dev metrics go to --metrics (read by the report).

    python -m stages.analysis --dataset docred --model gain --encoder glove --setting gtruth
        --data data/processed/docred --base data/runs/docred/gain/glove/base/model.pt
        --out data/runs/docred/gain/glove/analysis/gtruth
        --metrics data/results/docred/gain/glove/analysis/gtruth/dev.json
        --history data/results/docred/gain/glove/analysis/gtruth/history.csv
"""
from __future__ import annotations

import dataclasses
from pathlib import Path

from pipeline.config import build
from pipeline.data.jsonio import write_json
from pipeline.evaluation.evaluators import scalars
from pipeline.runtime import machine_summary
from pipeline.sief.objective import SIEFConfig
from pipeline.training.run import train_run
from stages.common import cli, resume_file
from stages.run_configs import run_configs, run_parser

PARAMS = ("schedules.{dataset}.{encoder}", "models.{model}", "encoders.{encoder}", "sief",
          "analysis.settings.{setting}", "runtime")


def setting_sief(args, params: dict) -> SIEFConfig:
    """params.yaml `sief` with the setting's own keys over it."""
    setting = f"analysis.settings.{args.setting}"
    return build(SIEFConfig, {**params["sief"], **(params[setting] or {})}, setting)


def main(argv: list[str] | None = None) -> None:
    p = run_parser(__doc__, "base", "out", "history")
    p.add_argument("--setting", required=True, help="params.yaml analysis.settings.<setting>")
    p.add_argument("--metrics", required=True, type=Path, help="the run's best dev metrics")
    run = run_configs(p, PARAMS, argv, sief=setting_sief)
    args, schedule, sief = run.args, run.schedule, run.sief
    result = train_run(run.model, schedule.finetuning(), args.data, args.out,
                       init=schedule.finetune.start(args.base), sief=sief,
                       resume=resume_file(args.out), history=args.history, device=run.device,
                       tags={"setting": args.setting})
    args.metrics.parent.mkdir(parents=True, exist_ok=True)
    write_json(args.metrics, {"setting": args.setting, "sief": dataclasses.asdict(sief),
                              "best_epoch": result.best_epoch, "epochs": len(result.history),
                              "dev": scalars(result.best_dev), "machine": machine_summary()},
               indent=1)


if __name__ == "__main__":
    cli(main)
