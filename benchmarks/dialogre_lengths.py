"""How much shorter SIEF's reduced DialogRE instance is than the full one, by window.

Run after `dvc repro prepare@dialogre`: python -m benchmarks.dialogre_lengths [--instances 2000]
Per model (BERT, BERT_s) and window (params.yaml's CPU budget, and the original's from
benchmarks/dialogre_window512.yaml, the set the speed benchmark times it with), over the first
training instances with one removable turn drawn per instance (seeded) as SIEF does: the
share that fits the window untrimmed, the mean input length (pieces, [CLS] ... [SEP]) full
and reduced, and the mean length of a batch of 8 padded to its longest instance, which is
what a step's encoder pays for.
"""
from __future__ import annotations

import argparse

import numpy as np

from benchmarks.workload import load_bench
from pipeline.sief.removal import removable_sentences

BATCH = 8
ORIGINAL_WINDOW = "benchmarks/dialogre_window512.yaml"


def lengths(model, docs, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, int]:
    """(full lengths, reduced lengths, instances that fit untrimmed)."""
    full, reduced, fits = [], [], 0
    for doc in docs:
        # every turn the model reads may go (the feature window is not the limit here)
        turn = int(rng.integers(removable_sentences(model, doc, window=10 ** 9)))
        ids, _, trimmed = model.sequence(doc.tokens, doc.names)
        cut = doc.remove_sentence(turn)
        full.append(len(ids))
        reduced.append(len(model.sequence(cut.tokens, cut.names)[0]))
        fits += trimmed == 0
    return np.array(full), np.array(reduced), fits


def padded(lengths_: np.ndarray) -> float:
    """Mean length of consecutive batches of BATCH, each padded to its longest."""
    whole = len(lengths_) // BATCH * BATCH
    return float(lengths_[:whole].reshape(-1, BATCH).max(axis=1).mean())


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--instances", type=int, default=2000)
    p.add_argument("--processed", default="data/processed/dialogre")
    args = p.parse_args()
    for name in ("bert", "berts"):
        for overrides in (None, ORIGINAL_WINDOW):
            bench = load_bench(args.processed, name, "transformer_instance", overrides=overrides)
            docs = bench.train.docs[:args.instances]
            full, reduced, fits = lengths(bench.model, docs, np.random.default_rng(0))
            pad_full, pad_reduced = padded(full), padded(reduced)
            print(f"{name} window {bench.model.config.encoder.window}: {len(docs)} instances, "
                  f"{fits / len(docs):.1%} untrimmed; mean pieces {full.mean():.1f} full, "
                  f"{reduced.mean():.1f} reduced ({reduced.mean() / full.mean():.3f}); padded "
                  f"batch of {BATCH}: {pad_full:.1f} full, {pad_reduced:.1f} reduced "
                  f"({pad_reduced / pad_full:.3f})")


if __name__ == "__main__":
    main()
