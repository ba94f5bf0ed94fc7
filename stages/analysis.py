"""DVC stage `analysis@<dataset>-<model>-<encoder>-<setting>`: one short SIEF run for
Tables 5, 6 and Figure 4.

Every setting fine-tunes the base checkpoint for `analysis.epochs` on the first
`analysis.train_docs` training documents (0 = all) with the `sief` section changed by
`analysis.settings.<setting>` (e.g. evidence_rule: random), so the settings of one model
differ only in that change. The best dev metrics go to --metrics (read by the report).

    python -m stages.analysis --dataset docred --model gain --encoder glove --setting rand
        --data data/processed/docred --base data/runs/docred/gain/glove/base/model.pt
        --out data/runs/docred/gain/glove/analysis/rand
        --metrics data/results/docred/gain/glove/analysis/rand/dev.json
"""
from __future__ import annotations

import dataclasses
from pathlib import Path

from pipeline.config import build
from pipeline.data.jsonio import write_json
from pipeline.sief.objective import SIEFConfig
from pipeline.training.loop import AnalysisConfig
from pipeline.training.run import train_run
from stages.common import resume_file
from stages.run_configs import run_configs, run_parser

PARAMS = ("schedules.{dataset}.{encoder}", "models.{model}", "encoders.{encoder}", "sief",
          "analysis.epochs", "analysis.train_docs", "analysis.settings.{setting}", "runtime")


def main(argv: list[str] | None = None) -> None:
    p = run_parser(__doc__)
    p.add_argument("--setting", required=True, help="params.yaml analysis.settings.<setting>")
    p.add_argument("--base", required=True, type=Path, help="the base run's model.pt")
    p.add_argument("--out", required=True, type=Path, help="the run's directory")
    p.add_argument("--metrics", required=True, type=Path, help="the run's best dev metrics")
    run = run_configs(p, PARAMS, argv)
    args, params = run.args, run.params
    setting = f"analysis.settings.{args.setting}"
    sief = build(SIEFConfig, {**params["sief"], **(params[setting] or {})}, setting)
    budget = build(AnalysisConfig, {"epochs": params["analysis.epochs"],
                                    "train_docs": params["analysis.train_docs"]}, "analysis")
    result = train_run(run.model, dataclasses.replace(run.schedule.finetuning(),
                                                      epochs=budget.epochs),
                       args.data, args.out, init=args.base, sief=sief,
                       resume=resume_file(args.out), train_docs=budget.train_docs,
                       device=run.device, tags={"setting": args.setting})
    args.metrics.parent.mkdir(parents=True, exist_ok=True)
    write_json(args.metrics, {"setting": args.setting, "sief": dataclasses.asdict(sief),
                              "train_docs": budget.train_docs, "best_epoch": result.best_epoch,
                              "dev": result.best_dev}, indent=1)


if __name__ == "__main__":
    main()
