"""A grid on this machine two ways, in one run: a plain `dvc repro` (one stage at a time, torch
on every core), then the same stages through a cluster engine as one job per stage instance
with `--slots` jobs side by side (each of 1 CPU, so one torch thread), each way from its own
empty DVC cache in its own clone of the committed HEAD with an experiment applied. One CSV
row per way (wall seconds, jobs, CPU); the ratio is printed.

    bash .ci/slurm.sh                        # a one-node SLURM with this host's CPUs
    python -m benchmarks.cluster_ratio --engine slurm --experiment smoke \
        --out benchmarks/results/cluster_ratio.csv

The engine's time runs from `submit` to the end of `gather` (the jobs' clones, pulls and
pushes, and the restore here are part of it). Nothing else may run meanwhile (torch's
threads spin against another busy process). The two ways run with different thread
counts, so their numbers differ in the last digits; what they compare is time.
"""
from __future__ import annotations

import argparse
import csv
import datetime
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.repro_times import cpu_model
from commands.overlay import write_params

MIRROR = Path("../shared/data")
"""The local data mirror beside the repository (../shared/data/README.md)."""


def sh(*cmd: str, cwd: Path) -> str:
    done = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True,
                          env=dict(os.environ, DVC_NO_ANALYTICS="1", SIEF_NO_PROGRESS="1"))
    if done.returncode:
        raise SystemExit(f"{' '.join(cmd)} failed in {cwd}:\n"
                         f"{done.stdout[-3000:]}{done.stderr[-3000:]}")
    return done.stdout + done.stderr


def experiment_repo(work: Path, experiment: str) -> Path:
    """A git repository of HEAD with `experiment` applied, the local mirror as its data
    source and no dvc.lock (nothing recorded: every stage runs)."""
    repo = work / "repo"
    sh("git", "clone", "-q", str(Path.cwd()), str(repo), cwd=work)
    sh(sys.executable, "-m", "commands.experiment", "apply", experiment, cwd=repo)
    write_params(repo / "params.yaml", {"download.mirrors": [str(MIRROR.resolve())]})
    (repo / "dvc.lock").unlink(missing_ok=True)
    sh("git", "add", "-A", cwd=repo)
    sh("git", "-c", "user.email=bench@example.com", "-c", "user.name=bench", "commit", "-qm",
       f"{experiment} for the cluster benchmark", cwd=repo)
    return repo


def serial(repo: Path, stages: list[str]) -> tuple[float, int]:
    """`dvc repro` in a fresh clone: wall seconds and the stages it ran."""
    clone = repo.parent / "serial"
    sh("git", "clone", "-q", str(repo), str(clone), cwd=repo.parent)
    start = time.monotonic()
    out = sh("dvc", "repro", *stages, cwd=clone)
    return time.monotonic() - start, out.count("Running stage")


def through_engine(repo: Path, engine: str, stages: list[str], slots: int) -> tuple[float, int]:
    """The same stages as one-CPU jobs on `engine` from a fresh clone, then gathered there:
    wall seconds from submit to the end of gather, and the jobs run."""
    clone, remote = repo.parent / "engine", repo.parent / "remote"
    sh("git", "clone", "-q", str(repo), str(clone), cwd=repo.parent)
    cluster = [sys.executable, "-m", "commands.cluster"]
    start = time.monotonic()
    sh(*cluster, "submit", "--engine", engine, "--remote", str(remote), "--cpus",
       str(os.cpu_count() // slots), "--gpus", "0", *stages, cwd=clone)
    jobs = len(json.loads((clone / ".cluster/run.json").read_text())["stages"])
    while True:                       # SLURM runs in the background; Ray has finished
        states = sh(*cluster, "status", cwd=clone).split()
        if "failed" in states:
            raise SystemExit(f"a job failed:\n{' '.join(states)}")
        if states.count("done") == jobs:
            break
        time.sleep(2)
    gathered = sh(*cluster, "gather", "--remote", str(remote), cwd=clone)
    seconds = time.monotonic() - start
    if "ran: []" not in gathered:
        raise SystemExit(f"the gather re-ran stages: {gathered}")
    return seconds, jobs


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("stages", nargs="*", help="instances to run (default: the whole grid)")
    p.add_argument("--engine", choices=["slurm", "ray"], required=True)
    p.add_argument("--experiment", default="smoke", help="experiments/<name> to apply")
    p.add_argument("--slots", type=int, default=os.cpu_count(),
                   help="jobs side by side (each gets the CPUs / slots)")
    p.add_argument("--out", type=Path, required=True, help="CSV to append the two rows to")
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="cluster-ratio-") as tmp:
        repo = experiment_repo(Path(tmp), args.experiment)
        plain_s, ran = serial(repo, args.stages)
        engine_s, jobs = through_engine(repo, args.engine, args.stages, args.slots)
    rows = [{"way": "dvc repro", "slots": 1, "jobs": ran, "seconds": round(plain_s, 1)},
            {"way": args.engine, "slots": args.slots, "jobs": jobs, "seconds": round(engine_s, 1)}]
    write_rows(args.out, rows, args.experiment)
    print(f"{args.experiment}: dvc repro {plain_s:.0f} s ({ran} stages), {args.engine} with "
          f"{args.slots} slots {engine_s:.0f} s ({jobs} jobs): ratio {plain_s / engine_s:.2f}")
    return 0


def write_rows(out: Path, rows: list[dict], experiment: str) -> None:
    stamp = {"experiment": experiment, "cpu": cpu_model(),
             "date": datetime.date.today().isoformat()}
    new = not out.exists()
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("a", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=[*rows[0], *stamp])
        if new:
            writer.writeheader()
        writer.writerows({**row, **stamp} for row in rows)


if __name__ == "__main__":
    sys.exit(main())
