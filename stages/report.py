"""DVC stage `report@<dataset>`: the paper's tables and figures, and the report page.

    python -m stages.report --dataset docred --results data/results
        --processed data/processed --out data/reports/docred --analysis-encoder glove
        --summary data/summary/docred.json
"""
from __future__ import annotations

import argparse
from pathlib import Path

from pipeline.config import flatten
from pipeline.reporting.collect import Analysis, Grid, collect_report
from stages.common import cli, load_sections

PARAMS = ("grid", "{dataset}.files", "dialogre", "features", "schedules", "encoders", "models",
          "sief", "seeds", "comparison", "analysis", "robustness", "case_study", "evaluate")


def report_grid(params: dict, dataset: str, analysis_encoder: str = "glove") -> Grid:
    """The runs of the report of `dataset`: params.yaml's grid, encoders and seeds.models."""
    grid = params["grid"]
    return Grid(tuple(grid[dataset]["models"]), tuple(grid[dataset]["encoders"]),
                tuple(grid.get("dialogre", {}).get("models", ())),
                tuple(grid.get("dialogre", {}).get("encoders", ())),
                {name: section["kind"] for name, section in params["encoders"].items()},
                tuple(params["seeds"]["models"]), analysis_encoder,
                params["schedules"][dataset][analysis_encoder]["finetune"]["epochs"])


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--dataset", required=True)
    p.add_argument("--results", required=True, type=Path, help="the results root")
    p.add_argument("--processed", required=True, type=Path, help="the processed root")
    p.add_argument("--out", required=True, type=Path, help="the report directory")
    p.add_argument("--summary", type=Path, help="the headline metrics file (dvc.yaml metrics)")
    p.add_argument("--analysis-encoder", default="glove",
                   help="the encoder of the robustness, seeds and analysis runs")
    args = p.parse_args(argv)
    params = load_sections(PARAMS, dataset=args.dataset)
    runs = report_grid(params, args.dataset, args.analysis_encoder)
    analysis = Analysis(tuple(params["analysis"]["models"]),
                        tuple(params["analysis"]["settings"]), float(params["sief"]["beta"]),
                        params["robustness"]["max_docs"])
    page = collect_report(args.dataset, args.results, args.processed, args.out, runs, analysis,
                          params[f"{args.dataset}.files"], flatten(params), args.summary)
    print(f"wrote {page}")


if __name__ == "__main__":
    cli(main)
