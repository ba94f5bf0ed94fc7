"""Does this machine give the committed numbers? Train the default BiLSTM base run for the
epochs of a fingerprint made on another machine and compare every number, bit for bit.

A fingerprint holds the first six epochs' dev F1, Ign F1, theta, AUC and training loss of
that run and the numerics it was made with, which the check uses too:
benchmarks/results/numerics/fingerprint.json is the committed default run's (native
kernels); `--write` makes one of this machine under either numerics (docs/numerics.md).
Needs the processed data:

    dvc repro prepare@docred
    python -m commands.numerics_check                 # against the committed run
    python -m commands.numerics_check --numerics portable --epochs 6 --write FILE   # make one

Exit status: 0 when every number is equal, 1 when one differs, 2 on bad input.
"""
from __future__ import annotations

import argparse
import dataclasses
import datetime
import json
import sys
import tempfile
from pathlib import Path

from pipeline.config import build, build_each
from pipeline.data.jsonio import read_json, write_json
from pipeline.errors import ConfigError, DataError
from pipeline.runtime import RuntimeConfig, apply_numerics, machine_record

FINGERPRINT = Path("benchmarks/results/numerics/fingerprint.json")
COMPARED = ("dev_f1", "dev_ign_f1", "dev_theta", "dev_auc", "train_loss")


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--fingerprint", type=Path, default=FINGERPRINT)
    p.add_argument("--data", type=Path, default=Path("data/processed/docred"))
    p.add_argument("--numerics", choices=["portable", "native"],
                   help="default: the fingerprint's")
    p.add_argument("--epochs", type=int, help="compare the first N epochs (default: all)")
    p.add_argument("--threads", type=int, help="torch threads (default: the fingerprint's)")
    p.add_argument("--write", type=Path, help="write this machine's fingerprint here instead "
                                              "(--numerics and --epochs say which)")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return check(args)
    except (ConfigError, DataError) as err:
        print(f"numerics_check: error: {err}", file=sys.stderr)
        return 2


def check(args: argparse.Namespace) -> int:
    if args.write:
        return write(args)
    fingerprint = read_json(args.fingerprint)
    run = fingerprint["run"]
    made_on = fingerprint["made_on"]
    params = run_params(run, args.numerics or made_on["numerics"],
                        args.threads or made_on["threads"])
    reference = fingerprint["epochs"][:args.epochs]
    history = train_epochs(params, run, args.data, len(reference))
    rows, equal = compare(reference, history)
    print(f"this machine: {json.dumps(machine_record())}")
    print(f"fingerprint:  {json.dumps(fingerprint['made_on'])}")
    print("\n".join(rows))
    print(f"{'EQUAL' if equal else 'DIFFERENT'}: {len(reference)} epochs of "
          f"{run['model']} {run['encoder']} {run['job']}, {len(COMPARED)} numbers each")
    return 0 if equal else 1


def write(args: argparse.Namespace) -> int:
    """This machine's fingerprint of the default BiLSTM base run."""
    run = {"dataset": "docred", "model": "bilstm", "encoder": "glove", "job": "base"}
    params = run_params(run, args.numerics or "native", threads=args.threads or 2)
    history = train_epochs(params, run, args.data, args.epochs or 6)
    made_on = {**machine_record(), "date": datetime.date.today().isoformat()}
    write_json(args.write, {"run": run, "made_on": made_on,
                            "epochs": [{"epoch": row["epoch"], **{k: row[k] for k in COMPARED}}
                                       for row in history]}, indent=1)
    print(f"{args.write}: {len(history)} epochs, made on {json.dumps(made_on)}")
    return 0


def run_params(run: dict, numerics: str, threads: int) -> dict:
    """The run's declared sections, with `numerics` and `threads` (part of the arithmetic)
    applied before any kernel runs."""
    from stages.common import load_sections
    params = load_sections([f"schedules.{run['dataset']}.{run['encoder']}.base",
                            f"models.{run['model']}", f"encoders.{run['encoder']}", "runtime"])
    runtime = build(RuntimeConfig, params["runtime"], "runtime")
    apply_numerics(dataclasses.replace(runtime, numerics=numerics, threads=threads))
    return params


def train_epochs(params: dict, run: dict, data: Path, epochs: int) -> list[dict]:
    """The run's first `epochs` epochs (no early stop), in a scratch directory."""
    from pipeline.models import build_model_config
    from pipeline.training.loop import TrainConfig
    from pipeline.training.run import train_run
    key = f"schedules.{run['dataset']}.{run['encoder']}.base"
    schedule, = build_each(params, (TrainConfig, key))
    model = build_model_config(params[f"models.{run['model']}"],
                               params[f"encoders.{run['encoder']}"],
                               f"models.{run['model']}", f"encoders.{run['encoder']}")
    if not (data / "meta.json").is_file():
        raise DataError("no processed data; run `dvc repro prepare@docred` first",
                        file=str(data))
    with tempfile.TemporaryDirectory() as scratch:
        result = train_run(model, dataclasses.replace(schedule, epochs=epochs, patience=0),
                           data, Path(scratch))
    return result.history


def compare(reference: list[dict], history: list[dict]) -> tuple[list[str], bool]:
    """A table of every compared number (fingerprint, this machine) and whether all are
    bit-equal (floats compared exactly: JSON keeps a float's every bit)."""
    rows = ["| epoch | number | fingerprint | this machine | |", "| --- | --- | --- | --- | --- |"]
    equal = len(history) == len(reference)
    for ref, now in zip(reference, history):
        for key in COMPARED:
            same = now.get(key) == ref[key]
            equal &= same
            rows.append(f"| {ref['epoch']} | {key} | {ref[key]!r} | {now.get(key)!r} | "
                        f"{'=' if same else 'DIFFERS'} |")
    return rows, equal


if __name__ == "__main__":
    sys.exit(main())
