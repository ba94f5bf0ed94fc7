"""Benchmark: training documents/second, full-dev evaluation time, peak memory.

Run after `dvc repro prepare@docred`:
    python -m benchmarks.bench_train_eval [--model bilstm] [--docs 96] [--batch-size 8]
"""
from __future__ import annotations

import argparse
import resource
import time

import torch

from benchmarks.setup import load_bench, time_steps
from pipeline.evaluation.predict import evaluate_probs, predict_probs
from pipeline.training.objectives import RelationObjective


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--processed", default="data/processed/docred")
    p.add_argument("--model", default="bilstm")
    p.add_argument("--docs", type=int, default=96, help="training documents to time")
    p.add_argument("--batch-size", type=int, default=8)
    args = p.parse_args()
    bench = load_bench(args.processed, args.model)
    n = min(args.docs, len(bench.train.docs))
    train_s = time_steps(bench, RelationObjective(bench.batcher), n, args.batch_size)

    started = time.perf_counter()
    probs = predict_probs(bench.model, bench.dev.features, bench.batcher, 32)
    predict_s = time.perf_counter() - started
    started = time.perf_counter()
    evaluate_probs(bench.dev.docs, probs)
    score_s = time.perf_counter() - started

    n_train = len(bench.train.docs)
    print(f"model                       {args.model} (torch threads: {torch.get_num_threads()})")
    print(f"training                    {n / train_s:.1f} docs/s "
          f"({1000 * train_s / n:.1f} ms/doc, batch {args.batch_size}, {n} docs)")
    print(f"epoch estimate              {n_train * train_s / n / 60:.2f} min for {n_train} docs, "
          f"{3053 * train_s / n / 60:.1f} min for 3,053")
    print(f"dev forward ({len(bench.dev.docs)} docs)     {predict_s:.1f} s")
    print(f"dev scoring (ranked curve)  {score_s:.2f} s")
    print(f"peak memory (max RSS)       {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
