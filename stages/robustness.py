"""DVC stage `robustness@<dataset>-<model>-<variant>`: how much predictions move when a
non-evidence sentence is removed (|P - P-hat|, flip rate at the dev theta)."""
from __future__ import annotations

import json

import pandas as pd

from pipeline.config import build
from pipeline.data.glove_view import make_collate
from pipeline.data.jsonio import read_json, write_json
from pipeline.data.prepare import load_featurizer, load_meta, load_split
from pipeline.sief.robustness import (RobustnessConfig, non_evidence_points, removal_probs,
                                      robustness_metrics)
from pipeline.training.run import load_checkpoint
from stages.common import device_from, load_sections, parse_args, processed_dir, results_dir, run_dir

PARAMS = ("robustness", "runtime")


def main() -> None:
    args = parse_args(__doc__, variant=True)
    params = load_sections(PARAMS)
    cfg = build(RobustnessConfig, params["robustness"], "robustness")
    device = device_from(params)
    data = processed_dir(args.dataset)
    out = results_dir(args.dataset, args.model, args.variant)
    theta = read_json(out / "metrics.json")["dev"]["theta"]
    model, _ = load_checkpoint(run_dir(args.dataset, args.model, args.variant) / "model.pt",
                               device)
    docs = [d for d in load_split(data, "dev").docs if any(f.evidence for f in d.facts)]
    if cfg.max_docs:
        docs = docs[:cfg.max_docs]
    featurize = load_featurizer(data)
    batcher = make_collate(load_meta(data)["dims"]["num_relations"], device)
    fact_probs = removal_probs(model, docs, featurize, batcher, featurize.max_tokens,
                               cfg.batch_size)
    points = non_evidence_points(fact_probs, docs)
    metrics = {"documents": len(docs), "theta": theta, **robustness_metrics(points, theta)}
    write_json(out / "robustness.json", metrics, indent=1)
    pd.DataFrame(points).to_csv(out / "robustness_points.csv", index=False)
    print(json.dumps(metrics, indent=1))


if __name__ == "__main__":
    main()
