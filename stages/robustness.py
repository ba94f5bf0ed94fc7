"""DVC stage `robustness@<dataset>-<model>-<variant>`: how much predictions move when a
non-evidence sentence is removed (|P - P-hat|, flip rate at the dev theta)."""
from __future__ import annotations

import json

import pandas as pd

from pipeline.config import build
from pipeline.data.jsonio import read_json, write_json
from pipeline.data.prepare import load_featurizer, load_split
from pipeline.sief.robustness import (RobustnessConfig, evidence_metrics, non_evidence_points,
                                      removal_probs, robustness_metrics)
from stages.common import load_sections, parse_args
from stages.runs import device_from, load_trained_run

PARAMS = ("robustness", "runtime")


def main() -> None:
    args = parse_args(__doc__, variant=True)
    params = load_sections(PARAMS)
    cfg = build(RobustnessConfig, params["robustness"], "robustness")
    run = load_trained_run(args, device_from(params))
    theta = read_json(run.out / "metrics.json")["dev"]["theta"]
    docs = [d for d in load_split(run.data, "dev").docs if any(f.evidence for f in d.facts)]
    if cfg.max_docs:
        docs = docs[:cfg.max_docs]
    featurize = load_featurizer(run.data)
    fact_probs = removal_probs(run.model, docs, featurize, run.batcher, featurize.max_tokens,
                               cfg.batch_size)
    points = non_evidence_points(fact_probs, docs)
    metrics = {"documents": len(docs), "theta": theta, **robustness_metrics(points, theta),
               "evidence": evidence_metrics(fact_probs, docs)}
    write_json(run.out / "robustness.json", metrics, indent=1)
    pd.DataFrame(points).to_csv(run.out / "robustness_points.csv", index=False)
    print(json.dumps(metrics, indent=1))


if __name__ == "__main__":
    main()
