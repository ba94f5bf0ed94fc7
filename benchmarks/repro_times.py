"""Time every stage of a `dvc repro`: the README's time budget, measured.

Runs `dvc repro` (any extra arguments are passed on), echoes its output, and appends one row
per stage that ran to a CSV: the stage, its wall seconds (from its "Running stage" line to
the next one, or to the end), the CPU model and the date. A repro cut short by the end of a
session resumes where it stopped (finished stages are cached, an interrupted training run
resumes from its last epoch); run this again and the CSV gains the rest, so the sum over
its rows is the pipeline's time.

    python -m benchmarks.repro_times --out benchmarks/results/repro_times.csv
"""
from __future__ import annotations

import argparse
import csv
import datetime
import platform
import re
import subprocess
import sys
import time
from pathlib import Path

RUNNING = re.compile(r"^Running stage '([^']+)'")


def cpu_model() -> str:
    """`lscpu`'s model name (the README states the machine of every timing)."""
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return platform.processor() or "unknown"
    for line in out.splitlines():
        if line.startswith("Model name:"):
            return line.split(":", 1)[1].strip()
    return "unknown"


def timed_repro(args: list[str], record) -> int:
    """Run `dvc repro args`, echoing it; `record(stage, seconds, completed)` as soon as each
    stage that ran has ended (a stage cut off by a killed session is not recorded: plan the
    last one to fit, or take its epochs' times from its history.csv). Returns the exit
    status."""
    process = subprocess.Popen(["dvc", "repro", *args], stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, bufsize=1)
    current, started = None, time.monotonic()
    for line in process.stdout:
        sys.stdout.write(line)
        match = RUNNING.match(line)
        if match:
            now = time.monotonic()
            if current is not None:
                record(current, now - started, True)
            current, started = match.group(1), now
    status = process.wait()
    if current is not None:
        record(current, time.monotonic() - started, status == 0)
    return status


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", type=Path, default=Path("benchmarks/results/repro_times.csv"))
    args, repro_args = p.parse_known_args(argv)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    if not args.out.exists():
        args.out.write_text("stage,seconds,completed,cpu,date\n")
    cpu, total = cpu_model(), []

    def record(stage: str, seconds: float, completed: bool) -> None:
        total.append(seconds)
        with open(args.out, "a", newline="") as handle:
            csv.writer(handle).writerow([stage, round(seconds, 1), completed, cpu,
                                         datetime.date.today().isoformat()])

    status = timed_repro(repro_args, record)
    print(f"{len(total)} stages, {sum(total) / 60:.1f} min; rows appended to {args.out}")
    sys.exit(status)


if __name__ == "__main__":
    main()
