"""DVC stage `analysis@<dataset>-<model>-<setting>`: one short SIEF run for Tables 5, 6 and
Figure 4.

Every setting fine-tunes the base checkpoint for `analysis.epochs` on the first
`analysis.train_docs` training documents (0 = all) with the `sief` section changed by
`analysis.settings.<setting>` (e.g. evidence_rule: random), so the settings of
one model differ only in that change. The best dev metrics go to
data/results/<dataset>/<model>/analysis-<setting>/dev.json (read by the report).
"""
from __future__ import annotations

import argparse
import dataclasses

from pipeline.config import build
from pipeline.data.jsonio import write_json
from pipeline.sief.objective import SIEFConfig
from stages.common import load_sections, results_dir
from stages.sief import finetune, sief_objective

PARAMS = ("train", "models.{model}", "sief", "analysis.epochs", "analysis.train_docs",
          "analysis.settings.{setting}", "runtime")


def analysis_config(sief: dict, epochs: int, overrides: dict, setting: str) -> SIEFConfig:
    """The sief section with the setting's overrides and the analysis epochs (typed)."""
    cfg = build(SIEFConfig, {**sief, **(overrides or {})}, f"analysis.settings.{setting}")
    return dataclasses.replace(cfg, epochs=epochs)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--dataset", required=True)
    p.add_argument("--model", required=True)
    p.add_argument("--setting", required=True)
    args = p.parse_args()
    params = load_sections(PARAMS, model=args.model, setting=args.setting)
    sief = analysis_config(params["sief"], int(params["analysis.epochs"]),
                           params[f"analysis.settings.{args.setting}"], args.setting)
    variant = f"analysis-{args.setting}"
    train_docs = int(params["analysis.train_docs"])
    result = finetune(args.dataset, args.model, variant, params, sief, sief_objective(sief),
                      train_docs=train_docs)
    out = results_dir(args.dataset, args.model, variant)
    out.mkdir(parents=True, exist_ok=True)
    write_json(out / "dev.json",
               {"setting": args.setting, "sief": dataclasses.asdict(sief),
                "train_docs": train_docs, "best_epoch": result.best_epoch,
                "dev": result.best_dev}, indent=1)


if __name__ == "__main__":
    main()
