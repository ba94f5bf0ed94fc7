"""DVC stage `robustness@<dataset>-<model>-<encoder>-<job>`: how much predictions move when a
non-evidence sentence is removed (|P - P-hat|, flip rate at the dev theta of --metrics), the
importance scores as evidence of gold facts (Table 4, tau tuned here) and of the facts
predicted at theta (the official Evi F1), from one sentence-removal pass.

    python -m stages.robustness --data data/processed/docred
        --checkpoint data/runs/docred/gain/glove/base/model.pt
        --metrics data/results/docred/gain/glove/base/metrics.json
        --out data/results/docred/gain/glove/base
"""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from pipeline.config import build_each
from pipeline.data.jsonio import read_json, write_json
from pipeline.data.processed import load_featurizer, load_split
from pipeline.evaluation.predict import predict_probs, predictions_above
from pipeline.diagnostics.robustness import (RobustnessConfig, evidence_metrics, facts_with_predictions,
                                      non_evidence_points, predicted_evidence_metrics,
                                      removal_probs, robustness_metrics)
from pipeline.runtime import RuntimeConfig, setup_runtime
from pipeline.models.checkpoint import load_run
from stages.common import checkpoint_parser, cli, load_sections

PARAMS = ("robustness", "runtime")


def main(argv: list[str] | None = None) -> None:
    p = checkpoint_parser(__doc__)
    p.add_argument("--metrics", required=True, type=Path, help="evaluate's metrics.json (theta)")
    args = p.parse_args(argv)
    params = load_sections(PARAMS)
    cfg, runtime = build_each(params, (RobustnessConfig, "robustness"), (RuntimeConfig, "runtime"))
    run = load_run(args.checkpoint, args.data, setup_runtime(runtime))
    theta = read_json(args.metrics)["dev"]["theta"]
    dev = load_split(args.data, "dev")
    # The documents with evidence-annotated facts, with their stored feature view.
    chosen = [k for k, d in enumerate(dev.docs) if any(f.evidence for f in d.facts)]
    chosen = chosen[:cfg.max_docs] if cfg.max_docs else chosen
    docs = [dev.docs[k] for k in chosen]
    featurize = load_featurizer(args.data)
    rel2id, id2rel = run.meta["rel2id"], run.meta["id2rel"]
    probs = predict_probs(run.model, [dev.features[k] for k in chosen], run.batcher,
                          cfg.batch_size)
    rows = predictions_above(docs, probs, theta, id2rel)
    fact_probs = removal_probs(run.model, docs, featurize, run.batcher, featurize.max_tokens,
                               cfg.batch_size, facts_with_predictions(docs, rows, rel2id))
    points = non_evidence_points(fact_probs, docs)
    evidence = evidence_metrics(fact_probs, docs)
    metrics = {"documents": len(docs), "theta": theta, **robustness_metrics(points, theta),
               "evidence": evidence,
               "predicted_evidence": predicted_evidence_metrics(
                   fact_probs, docs, rows, evidence["tau"], rel2id, id2rel)}
    args.out.mkdir(parents=True, exist_ok=True)
    write_json(args.out / "robustness.json", metrics, indent=1)
    pd.DataFrame(points).to_csv(args.out / "robustness_points.csv", index=False)
    print(json.dumps(metrics, indent=1))


if __name__ == "__main__":
    cli(main)
