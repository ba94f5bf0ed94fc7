"""DVC stage `evaluate@<dataset>-<model>-<encoder>-<job>`: DocRED dev metrics, dev and test
predictions of one checkpoint, and the per-document dev counts at theta (documents.csv, for
the report's paired bootstrap).

    python -m stages.evaluate --data data/processed/docred
        --checkpoint data/runs/docred/gain/glove/base/model.pt
        --out data/results/docred/gain/glove/base
"""
from __future__ import annotations

import json

from pipeline.config import build_each
from pipeline.data.jsonio import write_json
from pipeline.data.processed import labelled_splits, load_split
from pipeline.evaluation.docred_metrics import score_predictions
from pipeline.diagnostics.categories import category_metrics
from pipeline.evaluation.predict import (document_counts, evaluate_probs, predict_probs,
                                         predictions_above)
from pipeline.diagnostics.settings import EvaluateConfig
from pipeline.models import encoder_label
from pipeline.runtime import RuntimeConfig, machine_summary, setup_runtime, trained_on
from pipeline.evaluation.predict import counts_frame
from pipeline.models.checkpoint import load_run
from stages.common import checkpoint_parser, cli, load_sections

PARAMS = ("evaluate.docred", "runtime")


def main(argv: list[str] | None = None) -> None:
    args = checkpoint_parser(__doc__).parse_args(argv)
    params = load_sections(PARAMS)
    cfg, runtime = build_each(params, (EvaluateConfig, "evaluate.docred"), (RuntimeConfig, "runtime"))
    run = load_run(args.checkpoint, args.data, setup_runtime(runtime))
    model, batcher, meta = run.model, run.batcher, run.meta

    dev = load_split(args.data, "dev")
    dev_probs = predict_probs(model, dev.features, batcher, cfg.batch_size, desc="dev")
    ranked = evaluate_probs(dev.docs, dev_probs)
    theta = ranked["theta"] if cfg.theta_from == "f1" else ranked["ign_theta"]
    dev_rows = predictions_above(dev.docs, dev_probs, theta, meta["id2rel"])
    official = score_predictions(dev_rows, dev.docs, meta["id2rel"])

    test = load_split(args.data, "test")
    test_probs = predict_probs(model, test.features, batcher, cfg.batch_size, desc="test")
    test_rows = predictions_above(test.docs, test_probs, theta, meta["id2rel"])
    test_scores = (score_predictions(test_rows, test.docs, meta["id2rel"])
                   if "test" in labelled_splits(meta) else {})

    metrics = {"dev": {"f1": ranked["f1"], "ign_f1": ranked["ign_f1"], "theta": theta,
                       "precision": ranked["precision"], "recall": ranked["recall"],
                       "auc": ranked["auc"],
                       "at_theta": {k: official[k] for k in ("f1", "ign_f1", "precision",
                                                             "recall", "predictions")}},
               **category_metrics(dev.docs, dev_probs, theta),
               # Scored where the test split has labels (Re-DocRED), at the dev theta.
               "test": {"predictions": len(test_rows), "labelled": bool(test_scores),
                        **{k: test_scores[k] for k in ("f1", "ign_f1", "precision", "recall")
                           if k in test_scores}},
               "best_epoch": run.checkpoint["best_epoch"],
               "epoch_cap": run.checkpoint["train"]["train"]["epochs"],
               "encoder": encoder_label(model.config),
               "trained_on": trained_on(run.checkpoint), "scored_on": machine_summary()}
    args.out.mkdir(parents=True, exist_ok=True)
    write_json(args.out / "metrics.json", metrics, indent=1)
    write_json(args.out / "dev_predictions.json.gz", dev_rows)
    counts_frame(document_counts(dev.docs, dev_probs, theta)).to_csv(
        args.out / "documents.csv", index=False)
    write_json(args.out / "result.json",
               [{k: r[k] for k in ("title", "h_idx", "t_idx", "r")} for r in test_rows])
    print(json.dumps(metrics, indent=1))


if __name__ == "__main__":
    cli(main)
