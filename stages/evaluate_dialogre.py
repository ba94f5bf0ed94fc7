"""DVC stage `evaluate_dialogre@<dataset>-<model>-<encoder>-<job>`: DialogRE dev and test F1
(T2 tuned on dev) and F1c (dialogue prefixes), as section 5.4 of
reference-implementations.md.

    python -m stages.evaluate_dialogre --data data/processed/dialogre
        --checkpoint data/runs/dialogre/bert/transformer_instance/base/model.pt
        --out data/results/dialogre/bert/transformer_instance/base
"""
from __future__ import annotations

import json

from pipeline.config import build_each
from pipeline.data.jsonio import write_json
from pipeline.data.processed import load_featurizer, load_instances, load_split
from pipeline.evaluation.dialogre import instance_probs, prefix_probs, score_split
from pipeline.evaluation.dialogre_metrics import tune_t2
from pipeline.diagnostics.settings import DialogREEvaluateConfig
from pipeline.models import encoder_label
from pipeline.runtime import RuntimeConfig, machine_summary, setup_runtime, trained_on
from pipeline.models.checkpoint import load_run
from stages.common import checkpoint_parser, cli, load_sections

PARAMS = ("evaluate.dialogre", "runtime")


def main(argv: list[str] | None = None) -> None:
    args = checkpoint_parser(__doc__).parse_args(argv)
    params = load_sections(PARAMS)
    cfg, runtime = build_each(params, (DialogREEvaluateConfig, "evaluate.dialogre"), (RuntimeConfig, "runtime"))
    run = load_run(args.checkpoint, args.data, setup_runtime(runtime))
    featurize = load_featurizer(args.data)
    metrics: dict = {"best_epoch": run.checkpoint["best_epoch"],
                     "encoder": encoder_label(run.model.config),
                     "trained_on": trained_on(run.checkpoint), "scored_on": machine_summary()}
    t2 = None
    for split in ("dev", "test"):
        data, instances = load_split(args.data, split), load_instances(args.data, split)
        probs = instance_probs(run.model, data.features, run.batcher, cfg.batch_size, split)
        if t2 is None:  # dev comes first: T2 is tuned there and reused for test and F1c
            t2, _ = tune_t2(probs, instances)
        limit = cfg.f1c_instances or len(data.docs)
        prefixes = prefix_probs(run.model, data.docs[:limit], featurize, run.batcher,
                                cfg.batch_size, f"{split} prefixes")
        metrics[split] = {**score_split(probs, prefixes, instances, t2),
                          **trimmed_pieces(run.model, data.features)}
    metrics["t2"] = t2
    args.out.mkdir(parents=True, exist_ok=True)
    write_json(args.out / "metrics.json", metrics, indent=1)
    print(json.dumps(metrics, indent=1))


def trimmed_pieces(model, features) -> dict:
    """What the encoder input lost: pieces cut to fit the window, and instances cut."""
    if not hasattr(model, "sequence"):  # not an instance classifier: no trimming
        return {}
    cut = [model.sequence(f.words, f.entity_names)[2] for f in features]
    return {"pieces_trimmed": sum(cut), "instances_trimmed": sum(c > 0 for c in cut)}


if __name__ == "__main__":
    cli(main)
