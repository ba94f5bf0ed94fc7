"""The sief_effect table of a kept seed experiment, re-made from what it keeps.

    python -m commands.kept_seeds benchmarks/results/more-seeds           # rewrite it
    python -m commands.kept_seeds benchmarks/results/more-seeds --check   # exit 1 if stale

A kept experiment (benchmarks/results/gain-seeds/ for params.gain-seeds.yaml, .../more-seeds/
for params.more-seeds.yaml) ran the seeds stages with another `seeds` section on top of the
committed default results; its replicates are not the default params' and so live outside
data/results. This makes its sief_effect.{csv,md} as the report stage would: a model's
replicates come from the folder where it keeps them (seeds/<model>/<job>/dev.json and
documents.csv), else from the default run's (data/results/docred/<model>/glove/seeds/<job>/,
the models of params.yaml's seeds.models); a model in neither has its main run only (seed
13, data/results/docred/<model>/glove/<job>/).
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from pipeline.reporting.collect import DOCRED_JOBS, seed_runs
from pipeline.reporting.tables import Table, effect_table, write_table
from stages.common import read_params

RESULTS = Path("data/results/docred")
ENCODER = "glove"  # the seeds stages' encoder (dvc.yaml)


def kept_effect(folder: Path, results: Path = RESULTS, params: Path = Path("params.yaml")
                ) -> Table:
    """The sief_effect table of the kept experiment in `folder`, over params.yaml's models."""
    settings = read_params(params)
    default_seeded = settings["seeds"]["models"]
    runs = {}
    for model in settings["grid"]["docred"]["models"]:
        for job in DOCRED_JOBS:
            replicas = folder / "seeds" / model / job
            if not replicas.is_dir():
                replicas = (results / model / ENCODER / "seeds" / job
                            if model in default_seeded else None)
            runs[(model, ENCODER, job)] = seed_runs(results / model / ENCODER / job, replicas)
    return effect_table(runs)


def is_current(folder: Path, table: Table) -> bool:
    """Whether `folder`'s sief_effect.csv and .md are what `table` writes."""
    with tempfile.TemporaryDirectory() as made:
        return all((folder / path.name).is_file()
                   and path.read_bytes() == (folder / path.name).read_bytes()
                   for path in write_table(table, Path(made)))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("folder", type=Path, help="a kept seed experiment (benchmarks/results/...)")
    p.add_argument("--check", action="store_true", help="only say whether it is up to date")
    args = p.parse_args(argv)
    if not (args.folder / "seeds").is_dir():
        raise SystemExit(f"{args.folder}: no seeds/ folder of kept replicates")
    table = kept_effect(args.folder)
    if args.check:
        if not is_current(args.folder, table):
            print(f"{args.folder}: sief_effect differs from its kept seeds; run "
                  f"python -m commands.kept_seeds {args.folder}", file=sys.stderr)
            return 1
        return 0
    write_table(table, args.folder)
    return 0


if __name__ == "__main__":
    sys.exit(main())
