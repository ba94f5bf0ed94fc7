"""Benchmark: training (base and SIEF) and evaluation documents per second, every model;
for the transformer encoders also word pieces per second of training.

Run after `dvc repro prepare@docred prepare@dialogre`:
    python -m benchmarks.bench_models [--models bilstm gain_bert bert ...] [--device cpu|cuda]
Model sizes come from params.yaml (`models.*`); training uses the first --docs training
documents (DialogRE: instances), evaluation the first --eval-docs dev documents (forward
pass only).
"""
from __future__ import annotations

import argparse
import time

import torch

from benchmarks.setup import load_bench, time_steps
from pipeline.evaluation.predict import predict_probs
from pipeline.models import MODELS

DIALOGRE_MODELS = ("bert", "berts")
from pipeline.sief.objective import SIEFConfig, SIEFObjective
from pipeline.training.objectives import RelationObjective


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--processed", default="data/processed",
                   help="the processed root: <root>/docred, <root>/dialogre")
    p.add_argument("--models", nargs="+", default=list(MODELS))
    p.add_argument("--device", default="cpu")
    p.add_argument("--docs", type=int, default=64, help="training documents to time")
    p.add_argument("--eval-docs", type=int, default=200, help="dev documents to time")
    p.add_argument("--batch-size", type=int, default=8)
    args = p.parse_args()
    device = torch.device(args.device)
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else \
        f"CPU, {torch.get_num_threads()} torch threads"
    print(f"device: {name}; batch {args.batch_size}; {args.docs} training docs, "
          f"{args.eval_docs} dev docs")
    print("| model | train docs/s | SIEF train docs/s | SIEF / base | eval docs/s "
          "| train pieces/s |")
    print("| --- | --- | --- | --- | --- | --- |")
    for model_name in args.models:
        dataset = "dialogre" if model_name in DIALOGRE_MODELS else "docred"
        bench = load_bench(f"{args.processed}/{dataset}", model_name, args.device)
        n = min(args.docs, len(bench.train.docs))
        base = RelationObjective(bench.batcher)
        sief = SIEFObjective(SIEFConfig(), bench.featurize, bench.batcher,
                             bench.featurize.max_tokens)
        time_steps(bench, base, args.batch_size, args.batch_size)  # warm-up
        base_s = time_steps(bench, base, n, args.batch_size)
        sief_s = time_steps(bench, sief, n, args.batch_size)
        dev = bench.dev.features[:args.eval_docs]
        started = time.perf_counter()
        predict_probs(bench.model, dev, bench.batcher, 32)
        eval_s = time.perf_counter() - started
        pieces = encoder_pieces(bench.model, bench.train.features[:n])
        print(f"| {model_name} | {n / base_s:.1f} | {n / sief_s:.1f} | {sief_s / base_s:.2f}x "
              f"| {len(dev) / eval_s:.1f} | {'-' if pieces is None else f'{pieces / base_s:.0f}'} |")


def encoder_pieces(model: torch.nn.Module, features) -> int | None:
    """Word pieces the transformer encodes for these documents (None: a GloVe model)."""
    if hasattr(model, "sequence"):  # DialogBERT: one sequence per instance
        return sum(len(model.sequence(f.words, f.entity_names)[0]) for f in features)
    encoder = getattr(model, "encoder", None)
    if hasattr(encoder, "windows"):  # windows over the document, [CLS]/[SEP] included
        return sum(int(encoder.windows([f.words], len(f.words)).attention.sum())
                   for f in features)
    return None


if __name__ == "__main__":
    main()
