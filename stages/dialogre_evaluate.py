"""DVC stage `dialogre_evaluate@<model>-<variant>`: DialogRE dev and test F1 (T2 tuned on
dev) and F1c (dialogue prefixes), as section 5.4 of reference-implementations.md."""
from __future__ import annotations

import json

from pipeline.config import build
from pipeline.data.jsonio import write_json
from pipeline.data.prepare import load_featurizer, load_instances, load_split
from pipeline.evaluation.dialogre import instance_probs, prefix_probs, score_split
from pipeline.evaluation.dialogre_metrics import tune_t2
from pipeline.evaluation.settings import DialogREEvaluateConfig
from pipeline.models import encoder_name
from stages.common import load_sections, parse_args
from stages.runs import device_from, load_trained_run

PARAMS = ("dialogre_evaluate", "runtime")


def main() -> None:
    args = parse_args(__doc__, variant=True)
    params = load_sections(PARAMS)
    cfg = build(DialogREEvaluateConfig, params["dialogre_evaluate"], "dialogre_evaluate")
    run = load_trained_run(args, device_from(params))
    featurize = load_featurizer(run.data)
    metrics: dict = {"best_epoch": run.checkpoint["best_epoch"],
                     "encoder": encoder_name(run.checkpoint["model"])}
    t2 = None
    for split in ("dev", "test"):
        data, instances = load_split(run.data, split), load_instances(run.data, split)
        probs = instance_probs(run.model, data.features, run.batcher, cfg.batch_size, split)
        if t2 is None:  # dev comes first: T2 is tuned there and reused for test and F1c
            t2, _ = tune_t2(probs, instances)
        limit = cfg.f1c_instances or len(data.docs)
        prefixes = prefix_probs(run.model, data.docs[:limit], featurize, run.batcher,
                                cfg.batch_size, f"{split} prefixes")
        metrics[split] = {**score_split(probs, prefixes, instances, t2),
                          **trimmed_pieces(run.model, data.features)}
    metrics["t2"] = t2
    write_json(run.out / "metrics.json", metrics, indent=1)
    print(json.dumps(metrics, indent=1))


def trimmed_pieces(model, features) -> dict:
    """What the encoder input lost: pieces cut to fit the window, and instances cut."""
    if not hasattr(model, "sequence"):  # not an instance classifier: no trimming
        return {}
    cut = [model.sequence(f.words, f.entity_names)[2] for f in features]
    return {"pieces_trimmed": sum(cut), "instances_trimmed": sum(c > 0 for c in cut)}


if __name__ == "__main__":
    main()
