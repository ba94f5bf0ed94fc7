"""The tables of a kept comparison experiment, re-made from the arms it keeps.

    python -m commands.kept_arms experiments/arms-ten-seeds           # rewrite them
    python -m commands.kept_arms experiments/arms-ten-seeds --check   # exit 1 if stale

A kept comparison experiment (experiments/<name>/: its override set params.yaml, a README
with its commands and machine) ran the arms stages with more seeds than the default; it
keeps, per model and arm, what the stage wrote (arms/<model>/<arm>/dev.json, documents.csv,
history.csv). This writes arms_effect and selection_bias ({csv,md}) and arm_curves.png
beside them, as the report stage does for the default run; a model enters once all four of
its arms are kept.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from commands.kept_seeds import is_current
from pipeline.reporting.collect import ARMS, model_arms
from pipeline.reporting.figures import arm_curves
from pipeline.reporting.tables import Table, arms_effect_table, selection_table, write_table
from stages.common import read_params

ENCODER = "glove"  # the arms stages' encoder (dvc.yaml)


def kept_tables(folder: Path) -> tuple[list[Table], dict]:
    """arms_effect and selection_bias of the experiment in `folder`, and its arms (for the
    figure), over the models whose four arms it keeps."""
    epochs = read_params(folder / "params.yaml").get("comparison", {}).get(
        "epochs", read_params()["comparison"]["epochs"])
    arms = {}
    for model_dir in sorted(p for p in (folder / "arms").iterdir() if p.is_dir()):
        if not all((model_dir / arm / "dev.json").is_file() for arm in ARMS):
            continue
        arms.update(model_arms(model_dir, model_dir.name, ENCODER))
    return [arms_effect_table({run: runs.seed_runs() for run, runs in arms.items()}, epochs),
            selection_table(arms)], arms


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("folder", type=Path, help="a kept comparison experiment (experiments/...)")
    p.add_argument("--check", action="store_true", help="only say whether it is up to date")
    args = p.parse_args(argv)
    if not (args.folder / "arms").is_dir():
        raise SystemExit(f"{args.folder}: no arms/ folder of kept arms")
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
