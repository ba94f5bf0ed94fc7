"""DVC stage `case_study@<dataset>`: a Figure 6-style case study, base vs +SIEF."""
from __future__ import annotations

import argparse

import pandas as pd

from pipeline.config import build
from pipeline.data.jsonio import read_json, write_json
from pipeline.data.prepare import load_featurizer, load_split
from pipeline.reporting.case_study import (CaseStudyConfig, case_study_frame, choose_fact,
                                           document_markdown, plot_case_study, subset_probabilities,
                                           subsets)
from stages.common import DATA, load_sections
from stages.runs import device_from, load_trained_run

PARAMS = ("case_study", "runtime")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--dataset", required=True)
    args = p.parse_args()
    params = load_sections(PARAMS)
    cfg = build(CaseStudyConfig, params["case_study"], "case_study")
    device = device_from(params)
    runs = {v: load_trained_run(argparse.Namespace(dataset=args.dataset, model=cfg.model,
                                                   variant=v), device)
            for v in ("base", "sief")}
    thetas = {v: read_json(run.out / "robustness.json")["theta"] for v, run in runs.items()}
    points = {v: pd.read_csv(run.out / "robustness_points.csv") for v, run in runs.items()}
    docs = {d.title: d for d in load_split(runs["base"].data, "dev").docs}
    title, h, t, r = choose_fact(points["base"], points["sief"], thetas["base"], thetas["sief"],
                                 {k: len(d.sents) for k, d in docs.items()}, cfg.max_sentences)
    doc = docs[title]
    evidence = next(f.evidence for f in doc.facts if (f.h, f.t, f.r) == (h, t, r))
    labels, kept = zip(*subsets(doc, evidence))
    featurize = load_featurizer(runs["base"].data)
    probs = {v: subset_probabilities(run.model, doc, (h, t, r), kept, featurize, run.batcher)
             for v, run in runs.items()}
    frame = case_study_frame(labels, kept, probs["base"], probs["sief"], thetas["base"],
                             thetas["sief"])
    out = DATA / "results" / args.dataset / "case_study"
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
    main()
