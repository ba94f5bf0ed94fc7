"""The run tables (Table 1, sief_effect, training) of a kept override experiment, re-made
from the runs it keeps.

    python -m commands.kept_runs benchmarks/results/transformers           # rewrite them
    python -m commands.kept_runs benchmarks/results/transformers --check   # exit 1 if stale

A kept experiment (benchmarks/results/transformers/ for params.transformers.yaml) trained
runs the default params leave out; they are not the default pipeline's outputs and so live
outside data/results, as runs/<model>/<encoder>/<job>/{metrics.json, history.csv,
documents.csv}: what the report stage reads to make these three tables and the learning
curves (learning_curves.png; --check compares the tables only). Its models are
params.yaml's grid.docred.models, its encoders the ones the folder has runs of.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from commands.kept_seeds import is_current
from pipeline.reporting.collect import Grid, docred_runs, run_tables
from pipeline.reporting.figures import learning_curves
from pipeline.reporting.tables import Run, Table, write_table
from stages.common import read_params


def kept_tables(folder: Path, params: Path = Path("params.yaml")
                ) -> tuple[list[Table], dict[Run, pd.DataFrame]]:
    """Table 1, sief_effect and training of the runs kept in `folder`/runs, and each run's
    history (for the learning curves)."""
    settings = read_params(params)
    models = tuple(settings["grid"]["docred"]["models"])
    kinds = {name: section["kind"] for name, section in settings["encoders"].items()}
    root = folder / "runs"
    encoders = tuple(name for name in kinds if all((root / m / name).is_dir() for m in models))
    if not encoders:
        raise SystemExit(f"{root}: no encoder of params.yaml has runs of every model "
                         f"({', '.join(models)}) here")
    # No analysis encoder among them: no robustness files or replicates are read.
    grid = Grid(models, encoders, (), (), kinds, analysis_encoder="")
    scored, histories, seed_runs = docred_runs(root, folder, grid)
    return run_tables(scored, histories, seed_runs, kinds), histories


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("folder", type=Path, help="a kept experiment (benchmarks/results/...)")
    p.add_argument("--check", action="store_true", help="only say whether it is up to date")
    args = p.parse_args(argv)
    tables, histories = kept_tables(args.folder)
    if args.check:
        stale = [table.name for table in tables if not is_current(args.folder, table)]
        if stale:
            print(f"{args.folder}: {', '.join(stale)} differ from its kept runs; run "
                  f"python -m commands.kept_runs {args.folder}", file=sys.stderr)
            return 1
        return 0
    for table in tables:
        write_table(table, args.folder)
    learning_curves(histories, args.folder / "learning_curves.png")  # the training table's
    return 0


if __name__ == "__main__":
    sys.exit(main())
