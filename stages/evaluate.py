"""DVC stage `evaluate@<dataset>-<model>-<variant>`: dev metrics, dev and test predictions."""
from __future__ import annotations

import json

from pipeline.config import build
from pipeline.data.jsonio import write_json
from pipeline.data.prepare import load_split
from pipeline.evaluation.docred_metrics import score_predictions
from pipeline.evaluation.categories import category_metrics
from pipeline.evaluation.predict import evaluate_probs, predict_probs, predictions_above
from pipeline.evaluation.settings import EvaluateConfig
from pipeline.models import encoder_name
from stages.common import load_sections, parse_args
from stages.runs import device_from, load_trained_run

PARAMS = ("evaluate", "runtime")


def main() -> None:
    args = parse_args(__doc__, variant=True)
    params = load_sections(PARAMS)
    cfg = build(EvaluateConfig, params["evaluate"], "evaluate")
    run = load_trained_run(args, device_from(params))
    model, batcher, meta = run.model, run.batcher, run.meta

    dev = load_split(run.data, "dev")
    dev_probs = predict_probs(model, dev.features, batcher, cfg.batch_size, desc="dev")
    ranked = evaluate_probs(dev.docs, dev_probs)
    theta = ranked["theta"] if cfg.theta_from == "f1" else ranked["ign_theta"]
    dev_rows = predictions_above(dev.docs, dev_probs, theta, meta["id2rel"])
    official = score_predictions(dev_rows, dev.docs, meta["id2rel"])

    test = load_split(run.data, "test")
    test_probs = predict_probs(model, test.features, batcher, cfg.batch_size, desc="test")
    test_rows = predictions_above(test.docs, test_probs, theta, meta["id2rel"])

    metrics = {"dev": {"f1": ranked["f1"], "ign_f1": ranked["ign_f1"], "theta": theta,
                       "precision": ranked["precision"], "recall": ranked["recall"],
                       "auc": ranked["auc"],
                       "at_theta": {k: official[k] for k in ("f1", "ign_f1", "precision",
                                                             "recall", "predictions")}},
               **category_metrics(dev.docs, dev_probs, theta),
               "test": {"predictions": len(test_rows)},
               "best_epoch": run.checkpoint["best_epoch"],
               "encoder": encoder_name(run.checkpoint["model"])}
    write_json(run.out / "metrics.json", metrics, indent=1)
    write_json(run.out / "dev_predictions.json.gz", dev_rows)
    write_json(run.out / "result.json",
               [{k: r[k] for k in ("title", "h_idx", "t_idx", "r")} for r in test_rows])
    print(json.dumps(metrics, indent=1))


if __name__ == "__main__":
    main()
