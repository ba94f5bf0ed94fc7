"""DVC stage `report@<dataset>`: the paper's tables and figures, and the report page."""
from __future__ import annotations

import argparse
import json
import math
import os
from pathlib import Path

import pandas as pd

from pipeline.reporting import paper
from pipeline.reporting.figures import figure4, figure5
from pipeline.reporting.report import write_report
from pipeline.data.jsonio import read_json
from pipeline.reporting.tables import (RunResults, Table, heuristics_table, table1, table2,
                                       table3, table4, write_table)
from stages.common import DATA, load_sections, processed_dir, results_dir

PARAMS = ("{dataset}.files", "glove", "train", "sief", "robustness", "case_study", "analysis",
          "seeds", "train_bert", "sief_bert", "dialogre", "dialogre_train", "dialogre_sief",
          "dialogre_evaluate", "models")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--dataset", required=True)
    p.add_argument("--models", nargs="+", required=True)
    p.add_argument("--variants", nargs="+", required=True)
    p.add_argument("--bert-models", nargs="*", default=[],
                   help="transformer-encoder DocRED models (base and sief runs): Table 1")
    p.add_argument("--dialogre-models", nargs="*", default=[],
                   help="DialogRE models (base and sief runs): Table 2")
    args = p.parse_args()
    params = load_sections(PARAMS, dataset=args.dataset)
    out = DATA / "reports" / args.dataset
    runs = [(m, v) for m in args.models for v in args.variants]
    results = {run: load_results(args.dataset, *run, out) for run in runs}
    case_dir = DATA / "results" / args.dataset / "case_study"
    case = read_json(case_dir / "case_study.json")
    bert_runs = {(m, v): RunResults(json.loads((results_dir(args.dataset, m, v)
                                                / "metrics.json").read_text()), {},
                                    os.path.relpath(results_dir(args.dataset, m, v)
                                                    / "result.json", out))
                 for m in args.bert_models for v in ("base", "sief")}
    dialogre = {(m, v): read_json(results_dir("dialogre", m, v) / "metrics.json")
                for m in args.dialogre_models for v in ("base", "sief")}
    tables = [table1({**results, **bert_runs}, load_replicates(args.dataset, runs)),
              *([table2(dialogre)] if dialogre else []), table3(results), table4(results),
              Table("case_study", f"Case study: {case['model']}, base vs +SIEF, P of the fact "
                    "for each sentence subset", pd.read_csv(case_dir / "case_study.csv"),
                    [f"Dev theta: base {case['theta_base']:.4f}, +SIEF "
                     f"{case['theta_sief']:.4f}; predicted = P >= theta."])]
    analysis_tables, sweep = analysis_results(args.dataset, args.models, params, results)
    tables += analysis_tables
    for table in tables:
        write_table(table, out)
    sweep.to_csv(out / "figure4.csv", index=False)
    points = {run: pd.read_csv(results_dir(args.dataset, *run) / "robustness_points.csv")
              for run in runs if run[1] != "continued"}
    thetas = {run: results[run].robustness["theta"] for run in points}
    figures = [("Figure 4: dev F1 against beta", figure4(sweep, out / "figure4.png")),
               ("Figure 5: P vs P-hat, a non-evidence sentence removed",
                figure5(points, thetas, out / "figure5.png")),
               ("Case study (Figure 6 style)", case_dir / "case_study.png")]
    stats = json.loads((processed_dir(args.dataset) / "stats.json").read_text())
    data = [f"{split}: {stats[split]['documents']} documents, {stats[split]['facts']} facts "
            f"({params[f'{args.dataset}.files'][split]})" for split in ("train", "dev")]
    data.append(f"robustness and evidence: the first {params['robustness']['max_docs']} dev "
                "documents with evidence-annotated facts")
    if dialogre:
        counts = json.loads((processed_dir("dialogre") / "stats.json").read_text())
        data += [f"DialogRE {split}: {counts[split]['instances']} instances of "
                 f"{counts[split]['dialogues']} dialogues ({counts[split]['instances_skipped']} "
                 f"left out by dialogre.train_instances / max_instances)"
                 for split in ("train", "dev", "test")]
    settings = {"glove": params["glove"]["source"], "train.epochs": params["train"]["epochs"],
                "train.batch_size": params["train"]["batch_size"],
                "train.lr": params["train"]["lr"], "train.seed": params["train"]["seed"],
                "seeds.extra": params["seeds"]["extra"],
                **{f"sief.{k}": v for k, v in params["sief"].items()},
                **{f"case_study.{k}": v for k, v in params["case_study"].items()},
                "analysis.epochs": params["analysis"]["epochs"],
                **{f"analysis.settings.{k}": v for k, v in params["analysis"]["settings"].items()},
                **{f"train_bert.{k}": params["train_bert"][k] for k in ("epochs", "batch_size")},
                "sief_bert.epochs": params["sief_bert"]["epochs"],
                "sief_bert.beta": params["sief_bert"]["beta"],
                "dialogre.train_instances": params["dialogre"]["train_instances"],
                "dialogre_train.epochs": params["dialogre_train"]["epochs"],
                "dialogre_sief.epochs": params["dialogre_sief"]["epochs"],
                "dialogre_sief.beta": params["dialogre_sief"]["beta"],
                "dialogre_evaluate.f1c_instances":
                    params["dialogre_evaluate"]["f1c_instances"],
                **{f"models.{m}.transformer": params["models"][m]["transformer"]
                   for m in [*args.bert_models, *args.dialogre_models]}}
    page = write_report(out / "index.md", "SIEF: the paper's tables and figures",
                        tables, figures, settings, data,
                        (case_dir / "document.md").read_text(encoding="utf-8"))
    print(f"wrote {page}")


def analysis_results(dataset: str, models: list[str], params: dict,
                     results: dict) -> tuple[list[Table], pd.DataFrame]:
    """Tables 5 and 6, and Figure 4's (model, beta, F1) points, from the analysis runs."""
    analysis = load_analysis(dataset, models, params["analysis"]["settings"])
    base = {m: results[(m, "base")].metrics["dev"] for m in models}
    roles = analysis_roles(analysis)
    beta = float(params["sief"]["beta"])
    table5_keys, table6_keys = ("sief", "rand", "nomention"), ("sief", "gtruth")
    tables = [
        heuristics_table("table5", "Table 5: SIEF against the Rand and NoMention heuristics "
                         "(dev)", base, table_rows(analysis, roles, beta, table5_keys),
                         table5_keys, paper.TABLE5),
        heuristics_table("table6", "Table 6: SIEF's soft targets against gold labels (GTruth, "
                         "dev)", base, table_rows(analysis, roles, beta, table6_keys),
                         table6_keys, paper.TABLE6)]
    for table in tables:
        table.notes.append(f"Every SIEF-family row: {params['analysis']['epochs']} SIEF "
                           "epoch(s) from the base checkpoint (analysis.epochs); Base is the "
                           "base checkpoint.")
    sweep = pd.DataFrame([{"model": m, "beta": run["sief"]["beta"],
                           "f1": round(100 * run["dev"]["f1"], 2),
                           "ign_f1": round(100 * run["dev"]["ign_f1"], 2)}
                          for (m, s), run in analysis.items() if roles[(m, s)] == "beta"])
    return tables, sweep


def load_analysis(dataset: str, models: list[str], settings: dict) -> dict[tuple, dict]:
    """(model, setting) -> the analysis run's dev.json."""
    return {(m, s): read_json(results_dir(dataset, m, f"analysis-{s}") / "dev.json")
            for m in models for s in settings}


def analysis_roles(analysis: dict[tuple, dict]) -> dict[tuple, str]:
    """What each analysis run is, read from the SIEF config it ran with: 'rand',
    'nomention', 'gtruth', or 'beta' (plain SIEF at some beta; at the main beta it is also
    the 'sief' row of Tables 5 and 6)."""
    roles = {}
    for key, run in analysis.items():
        cfg = run["sief"]
        if cfg["target"] == "gold":
            roles[key] = "gtruth"
        elif cfg["evidence_rule"] != "score":
            roles[key] = {"random": "rand", "no_mention": "nomention"}[cfg["evidence_rule"]]
        else:
            roles[key] = "beta"
    return roles


def table_rows(analysis: dict, roles: dict, beta: float, wanted: tuple[str, ...]) -> dict:
    """(model, row key) -> dev metrics for Tables 5/6; 'sief' = plain SIEF at the main beta."""
    picked = {}
    for (model, setting), run in analysis.items():
        role = roles[(model, setting)]
        if role == "beta" and math.isclose(run["sief"]["beta"], beta):
            role = "sief"
        if role in wanted:
            picked[(model, role)] = run["dev"]
    return picked


def load_replicates(dataset: str, runs: list[tuple[str, str]]) -> dict[tuple, list[dict]]:
    """(model, variant) -> dev metrics of the seeds_base / seeds_sief runs."""
    out = {}
    for model, variant in runs:
        path = results_dir(dataset, model, f"seeds-{variant}") / "dev.json"
        if variant in ("base", "sief"):
            out[(model, variant)] = [run["dev"] for run in read_json(path)["runs"]]
    return out


def load_results(dataset: str, model: str, variant: str, report_dir: Path) -> RunResults:
    folder = results_dir(dataset, model, variant)
    return RunResults(json.loads((folder / "metrics.json").read_text()),
                      json.loads((folder / "robustness.json").read_text()),
                      os.path.relpath(folder / "result.json", report_dir))


if __name__ == "__main__":
    main()
