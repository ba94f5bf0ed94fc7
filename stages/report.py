"""DVC stage `report@<dataset>`: the paper's tables and figures, and the report page."""
from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

import pandas as pd

from pipeline.reporting.figures import figure5
from pipeline.reporting.report import write_report
from pipeline.data.jsonio import read_json
from pipeline.reporting.tables import RunResults, Table, table1, table3, table4, write_table
from stages.common import DATA, load_sections, processed_dir, results_dir

PARAMS = ("{dataset}.files", "glove", "train", "sief", "robustness", "case_study")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--dataset", required=True)
    p.add_argument("--models", nargs="+", required=True)
    p.add_argument("--variants", nargs="+", required=True)
    args = p.parse_args()
    params = load_sections(PARAMS, dataset=args.dataset)
    out = DATA / "reports" / args.dataset
    runs = [(m, v) for m in args.models for v in args.variants]
    results = {run: load_results(args.dataset, *run, out) for run in runs}
    case_dir = DATA / "results" / args.dataset / "case_study"
    case = read_json(case_dir / "case_study.json")
    tables = [table1(results), table3(results), table4(results),
              Table("case_study", f"Case study: {case['model']}, base vs +SIEF, P of the fact "
                    "for each sentence subset", pd.read_csv(case_dir / "case_study.csv"),
                    [f"Dev theta: base {case['theta_base']:.4f}, +SIEF "
                     f"{case['theta_sief']:.4f}; predicted = P >= theta."])]
    for table in tables:
        write_table(table, out)
    points = {run: pd.read_csv(results_dir(args.dataset, *run) / "robustness_points.csv")
              for run in runs if run[1] != "continued"}
    thetas = {run: results[run].robustness["theta"] for run in points}
    figures = [("Figure 5: P vs P-hat, a non-evidence sentence removed",
                figure5(points, thetas, out / "figure5.png")),
               ("Case study (Figure 6 style)", case_dir / "case_study.png")]
    stats = json.loads((processed_dir(args.dataset) / "stats.json").read_text())
    data = [f"{split}: {stats[split]['documents']} documents, {stats[split]['facts']} facts "
            f"({params[f'{args.dataset}.files'][split]})" for split in ("train", "dev")]
    data.append(f"robustness and evidence: the first {params['robustness']['max_docs']} dev "
                "documents with evidence-annotated facts")
    settings = {"glove": params["glove"]["source"], "train.epochs": params["train"]["epochs"],
                "train.batch_size": params["train"]["batch_size"],
                "train.lr": params["train"]["lr"], "train.seed": params["train"]["seed"],
                **{f"sief.{k}": v for k, v in params["sief"].items()},
                **{f"case_study.{k}": v for k, v in params["case_study"].items()}}
    page = write_report(out / "index.md", f"SIEF on {args.dataset}: tables and figures",
                        tables, figures, settings, data,
                        (case_dir / "document.md").read_text(encoding="utf-8"))
    print(f"wrote {page}")


def load_results(dataset: str, model: str, variant: str, report_dir: Path) -> RunResults:
    folder = results_dir(dataset, model, variant)
    return RunResults(json.loads((folder / "metrics.json").read_text()),
                      json.loads((folder / "robustness.json").read_text()),
                      os.path.relpath(folder / "result.json", report_dir))


if __name__ == "__main__":
    main()
