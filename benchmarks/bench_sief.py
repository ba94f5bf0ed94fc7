"""Benchmark: SIEF training step time over the base step (target <= 2.2x on CPU), and
the cost of the robustness metric (every sentence of every dev document removed).

Run after `dvc repro prepare@docred`:
    python -m benchmarks.bench_sief [--model bilstm] [--docs 64] [--robustness-docs 100]
"""
from __future__ import annotations

import argparse
import time

from benchmarks.setup import load_bench, time_steps
from pipeline.sief.objective import SIEFConfig, SIEFObjective
from pipeline.sief.robustness import removal_probs
from pipeline.training.objectives import RelationObjective


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--processed", default="data/processed/docred")
    p.add_argument("--model", default="bilstm")
    p.add_argument("--docs", type=int, default=64)
    p.add_argument("--batch-size", type=int, default=8)
    p.add_argument("--robustness-docs", type=int, default=100)
    args = p.parse_args()
    bench = load_bench(args.processed, args.model)
    n = min(args.docs, len(bench.train.docs))
    sief = SIEFObjective(SIEFConfig(), bench.featurize, bench.batcher, bench.featurize.max_tokens)
    time_steps(bench, RelationObjective(bench.batcher), args.batch_size, args.batch_size)  # warm-up
    base_s = time_steps(bench, RelationObjective(bench.batcher), n, args.batch_size)
    sief_s = time_steps(bench, sief, n, args.batch_size)
    print(f"model                     {args.model}, {n} docs, batch {args.batch_size}")
    print(f"base step                 {1000 * base_s / n:.1f} ms/doc")
    print(f"SIEF step                 {1000 * sief_s / n:.1f} ms/doc")
    print(f"SIEF / base               {sief_s / base_s:.2f}x (target <= 2.2x)")

    docs = bench.dev.docs[:args.robustness_docs]
    started = time.perf_counter()
    removal_probs(bench.model, docs, bench.featurize, bench.batcher,
                  bench.featurize.max_tokens, batch_size=32)
    elapsed = time.perf_counter() - started
    variants = sum(len(d.sents) + 1 for d in docs)
    print(f"robustness pass           {elapsed:.1f} s for {len(docs)} dev docs "
          f"({variants} forward documents, {1000 * elapsed / variants:.1f} ms each); "
          f"all {len(bench.dev.docs)} dev docs ~{elapsed * len(bench.dev.docs) / len(docs) / 60:.1f} min")


if __name__ == "__main__":
    main()
