"""What portable numerics cost: training steps under runtime.numerics native vs portable,
per model, as a ratio in one run on one machine.

The setting must be in place before torch's first kernel, so every measurement is a fresh
process (`--worker`): it applies the setting, builds the model from params.yaml and times
`--steps` Adam steps of the relation loss on the same training batches (after two warm-up
steps). The parent runs native and portable workers in turn (ABBA over `--rounds`, so a
drift of the machine falls on both) and pairs their steps batch by batch.

    python -m benchmarks.numerics_cost --out benchmarks/results/numerics
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

MODES = ("native", "portable")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--models", nargs="+", default=["bilstm", "gain", "hetergsan"])
    p.add_argument("--encoder", default="glove")
    p.add_argument("--data", default="data/processed/docred")
    p.add_argument("--steps", type=int, default=24, help="timed steps per worker")
    p.add_argument("--rounds", type=int, default=2, help="ABBA rounds per model")
    p.add_argument("--batch-size", type=int, default=8)
    p.add_argument("--out", type=Path, help="folder for cost.json and cost.md")
    p.add_argument("--worker", choices=MODES, help=argparse.SUPPRESS)
    p.add_argument("--model", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.worker:
        print(json.dumps(worker(args)))
        return
    rows = [measure(args, model) for model in args.models]
    lines = table(rows)
    print("\n".join(lines))
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "cost.json").write_text(json.dumps(rows, indent=1) + "\n")
        (args.out / "cost.md").write_text("\n".join(lines) + "\n")


def worker(args: argparse.Namespace) -> dict:
    """One process: the setting first, then the model and the timed steps."""
    from pipeline.runtime import RuntimeConfig, apply_numerics, machine_record
    cfg = RuntimeConfig(numerics=args.worker)
    apply_numerics(cfg)  # before load_bench: building the model runs kernels
    from benchmarks.workload import load_bench
    from pipeline.training.objectives import RelationObjective
    import torch
    bench = load_bench(args.data, args.model, args.encoder)
    objective = RelationObjective(bench.batcher)
    optimizer = torch.optim.Adam([q for q in bench.model.parameters() if q.requires_grad],
                                 lr=1e-3)
    rng = np.random.default_rng(0)
    seconds = []
    for k in range(args.steps + 2):
        start = k * args.batch_size
        began = time.perf_counter()
        loss, _ = objective(bench.model, bench.train.docs[start:start + args.batch_size],
                            bench.train.features[start:start + args.batch_size], rng)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        seconds.append(time.perf_counter() - began)
    return {"seconds": seconds[2:], **machine_record()}


def measure(args: argparse.Namespace, model: str) -> dict:
    """Both settings' step times for one model, paired by batch over the rounds."""
    times: dict[str, list[float]] = {mode: [] for mode in MODES}
    record = {}
    for r in range(args.rounds):
        for mode in (MODES if r % 2 == 0 else MODES[::-1]):
            out = run_worker(args, model, mode)
            times[mode] += out.pop("seconds")
            record[mode] = out
            print(f"{model} round {r + 1} {mode}: {sum(times[mode][-args.steps:]):.2f} s",
                  file=sys.stderr)
    from benchmarks.speed import ratio_interval  # (base, other): batches paired
    low, high = ratio_interval(times["native"], times["portable"])
    return {"model": model, "encoder": args.encoder, "steps": len(times["native"]),
            "native_s": sum(times["native"]), "portable_s": sum(times["portable"]),
            "ratio": sum(times["portable"]) / sum(times["native"]), "low": low, "high": high,
            "native": record["native"], "portable": record["portable"]}


def run_worker(args: argparse.Namespace, model: str, mode: str) -> dict:
    command = [sys.executable, "-m", "benchmarks.numerics_cost", "--worker", mode,
               "--model", model, "--encoder", args.encoder, "--data", args.data,
               "--steps", str(args.steps), "--batch-size", str(args.batch_size)]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{model} {mode} worker failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def table(rows: list[dict]) -> list[str]:
    first = rows[0]
    lines = [f"CPU: {first['native']['cpu']} ({first['native']['cpu_isa']}); torch kernels "
             f"native {first['native']['kernels']}, portable {first['portable']['kernels']}; "
             f"threads {first['portable']['threads']}.",
             "",
             "| model | encoder | steps | native s | portable s | portable / native [95% CI] |",
             "| --- | --- | --- | --- | --- | --- |"]
    for r in rows:
        lines.append(f"| {r['model']} | {r['encoder']} | {r['steps']} | {r['native_s']:.1f} | "
                     f"{r['portable_s']:.1f} | {r['ratio']:.3f} [{r['low']:.3f}, "
                     f"{r['high']:.3f}] |")
    return lines


if __name__ == "__main__":
    main()
