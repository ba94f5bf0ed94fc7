"""DVC stage `case_study@<dataset>`: a Figure 6-style case study, base vs +SIEF, of the
model `case_study.model` (GloVe encoder).

    python -m stages.case_study --data data/processed/docred
        --base data/runs/docred/gain/glove/base/model.pt
        --sief data/runs/docred/gain/glove/sief/model.pt
        --base-results data/results/docred/gain/glove/base
        --sief-results data/results/docred/gain/glove/sief
        --out data/results/docred/case_study
"""
from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from pipeline.config import build_each
from pipeline.data.jsonio import read_json, write_json
from pipeline.data.processed import load_featurizer, load_split
from pipeline.diagnostics.case_study import (CaseStudyConfig, case_study_frame, choose_fact,
                                           document_markdown, plot_case_study, subset_probabilities,
                                           subsets)
from pipeline.runtime import RuntimeConfig, setup_runtime
from pipeline.models.checkpoint import load_run
from stages.common import cli, load_sections

PARAMS = ("case_study", "runtime")


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--data", required=True, type=Path, help="the processed dataset directory")
    for job in ("base", "sief"):
        p.add_argument(f"--{job}", required=True, type=Path, help=f"the {job} run's model.pt")
        p.add_argument(f"--{job}-results", required=True, type=Path,
                       help=f"the {job} run's results (robustness.json, robustness_points.csv)")
    p.add_argument("--out", required=True, type=Path, help="the case study's directory")
    args = p.parse_args(argv)
    params = load_sections(PARAMS)
    cfg, runtime = build_each(params, (CaseStudyConfig, "case_study"), (RuntimeConfig, "runtime"))
    device = setup_runtime(runtime)
    runs = {"base": load_run(args.base, args.data, device),
            "sief": load_run(args.sief, args.data, device)}
    results = {"base": args.base_results, "sief": args.sief_results}
    thetas = {job: read_json(folder / "robustness.json")["theta"]
              for job, folder in results.items()}
    points = {job: pd.read_csv(folder / "robustness_points.csv")
              for job, folder in results.items()}
    docs = {d.title: d for d in load_split(args.data, "dev").docs}
    title, h, t, r = choose_fact(points["base"], points["sief"], thetas["base"], thetas["sief"],
                                 {k: len(d.sents) for k, d in docs.items()}, cfg.max_sentences)
    doc = docs[title]
    evidence = next(f.evidence for f in doc.facts if (f.h, f.t, f.r) == (h, t, r))
    labels, kept = zip(*subsets(doc, evidence))
    featurize = load_featurizer(args.data)
    probs = {job: subset_probabilities(run.model, doc, (h, t, r), kept, featurize, run.batcher)
             for job, run in runs.items()}
    frame = case_study_frame(labels, kept, probs["base"], probs["sief"], thetas["base"],
                             thetas["sief"])
    out = args.out
    out.mkdir(parents=True, exist_ok=True)
    relation = runs["base"].meta["id2rel"][r]
    frame.to_csv(out / "case_study.csv", index=False)
    plot_case_study(frame, thetas["base"], thetas["sief"],
                    f"{cfg.model}: {title}, ({h}, {relation}, {t})", out / "case_study.png")
    (out / "document.md").write_text(document_markdown(doc, (h, t, r), relation, evidence),
                                     encoding="utf-8")
    write_json(out / "case_study.json", {"model": cfg.model, "title": title, "h": h, "t": t,
                                          "r": relation, "evidence": list(evidence),
                                          "theta_base": thetas["base"],
                                          "theta_sief": thetas["sief"]}, indent=1)
    print(frame.to_string(index=False))


if __name__ == "__main__":
    cli(main)
