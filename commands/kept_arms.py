"""The tables of a kept comparison experiment, re-made from the arms it keeps.

    python -m commands.kept_arms experiments/arms-ten-seeds --keep bilstm  # copy its runs
    python -m commands.kept_arms experiments/arms-ten-seeds           # rewrite the tables
    python -m commands.kept_arms experiments/arms-ten-seeds --check   # exit 1 if stale

A kept comparison experiment (experiments/<name>/: its override set params.yaml, a README
with its commands and machine) ran the arms with more seeds than the default; it keeps, per
model, what the stages wrote, as data/results/docred/<model>/glove/ holds it:
results/<model>/{control,sief}/ (the main runs) and results/<model>/arms/<arm>/ (the other
seeds), each dev.json, selection.csv and history.csv (`--keep MODEL` copies them). This
writes arms_effect and selection_bias ({csv,md}) and arm_curves.png beside them, as the
report stage does for the default run; a model enters once all four of its arms are kept.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import shutil

from commands.kept_seeds import is_current
from pipeline.config import flatten
from pipeline.reporting.collect import ARMS, MAIN_ARMS, model_arms
from pipeline.reporting.figures import arm_curves
from pipeline.reporting.tables import Table, arms_effect_table, selection_table, write_table
from stages.common import read_params

ENCODER = "glove"  # the arms stages' encoder (dvc.yaml)
RESULTS = Path("data/results/docred")
KEPT_FILES = ("dev.json", "selection.csv", "history.csv")


def arm_folders(model_dir: Path) -> list[Path]:
    """Where the arms' runs are, under a model's results folder: the main runs' folders
    (control, sief) and arms/<arm>/."""
    return [*(model_dir / arm for arm in MAIN_ARMS), *(model_dir / "arms" / arm for arm in ARMS)]


def keep(model: str, folder: Path, results: Path = RESULTS) -> None:
    """Copy a model's arm runs from the pipeline's results into the experiment's."""
    for source in arm_folders(results / model / ENCODER):
        target = folder / "results" / model / source.relative_to(results / model / ENCODER)
        target.mkdir(parents=True, exist_ok=True)
        for name in KEPT_FILES:
            shutil.copy2(source / name, target / name)


def kept_tables(folder: Path) -> tuple[list[Table], dict]:
    """arms_effect and selection_bias of the experiment in `folder`, and its arms (for the
    figure), over the models whose four arms it keeps."""
    epochs = finetune_epochs(read_params(folder / "params.yaml"))
    arms = {}
    for model_dir in sorted(p for p in (folder / "results").iterdir() if p.is_dir()):
        if not all((arm / "dev.json").is_file() for arm in arm_folders(model_dir)):
            continue
        arms.update(model_arms(model_dir, model_dir.name, ENCODER))
    return [arms_effect_table({run: runs.seed_runs() for run, runs in arms.items()}, epochs),
            selection_table(arms)], arms


def finetune_epochs(overlay: dict) -> int:
    """The fine-tuning budget the experiment ran: its overlay's, else params.yaml's."""
    key = f"schedules.docred.{ENCODER}.finetune.epochs"
    return flatten(overlay).get(key, flatten(read_params())[key])


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("folder", type=Path, help="a kept comparison experiment (experiments/...)")
    p.add_argument("--check", action="store_true", help="only say whether it is up to date")
    p.add_argument("--keep", metavar="MODEL",
                   help=f"first copy MODEL's arm runs from {RESULTS}/MODEL/{ENCODER}")
    args = p.parse_args(argv)
    if args.keep:
        keep(args.keep, args.folder)
    if not (args.folder / "results").is_dir():
        raise SystemExit(f"{args.folder}: no results/ folder of kept arms")
    tables, arms = kept_tables(args.folder)
    if args.check:
        if not all(is_current(args.folder, table) for table in tables):
            print(f"{args.folder}: its tables differ from its kept arms; run "
                  f"python -m commands.kept_arms {args.folder}", file=sys.stderr)
            return 1
        return 0
    for table in tables:
        write_table(table, args.folder)
    if arms:
        arm_curves({run: runs.history for run, runs in arms.items()},
                   args.folder / "arm_curves.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
