"""The sief_effect table of a kept seed experiment, re-made from what it keeps.

    python -m commands.kept_seeds benchmarks/results/more-seeds           # rewrite it
    python -m commands.kept_seeds benchmarks/results/more-seeds --check   # exit 1 if stale

The kept seed experiments (benchmarks/results/gain-seeds/, .../more-seeds/) ran the seeds
stages of the early-stopping protocol (up to commit cb56e03) with another `seeds` section;
they are archived whole: per model and job the main run's evaluate outputs
(main/<model>/<job>/metrics.json, documents.csv) and the replicates, if any
(seeds/<model>/<job>/dev.json, documents.csv). This makes their sief_effect.{csv,md} as the
report stage made it. The controlled comparison that supersedes them: experiments/.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from pipeline.reporting.collect import DOCRED_JOBS, seed_runs
from pipeline.reporting.tables import Table, effect_table, write_table

ENCODER = "glove"  # the seeds stages' encoder (dvc.yaml)


def kept_effect(folder: Path) -> Table:
    """The sief_effect table of the kept experiment in `folder`, over the models it keeps."""
    runs = {}
    for model in sorted(p.name for p in (folder / "main").iterdir() if p.is_dir()):
        for job in DOCRED_JOBS:
            replicas = folder / "seeds" / model / job
            runs[(model, ENCODER, job)] = seed_runs(folder / "main" / model / job,
                                                    replicas if replicas.is_dir() else None)
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
