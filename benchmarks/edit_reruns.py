"""What an edit to one library file re-runs: for each file, append a comment line, ask
`dvc status` which stage instances see a changed dependency, put the file back, and sum
those stages' measured minutes (benchmarks/results/repro_times.csv: the timed default run).
Run in a workspace whose dvc.lock is up to date (`dvc status` clean before the first edit).

    python -m benchmarks.edit_reruns --out docs/edit_reruns.csv \
        "the SIEF loss=pipeline/sief/objective.py" "a raw reader=pipeline/ingest/docred.py"

Stages downstream of a re-run stage re-run too only when its outputs' bytes change, which
an edit that keeps the results does not do; those are not counted.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd

from pipeline.reporting.tables import markdown_rows

TIMES = Path("benchmarks/results/repro_times.csv")
PROBE = "\n# edit probe (benchmarks/edit_reruns.py): removed right after `dvc status`\n"


def changed_stages() -> set[str]:
    """Stage instances whose dependencies `dvc status` reports changed."""
    out = subprocess.run(["dvc", "status", "--json"], capture_output=True, text=True,
                         check=True).stdout
    status = json.loads(out or "{}")
    return {stage for stage, entries in status.items()
            if any(isinstance(e, dict) and "changed deps" in e for e in entries)}


def reruns(path: Path) -> set[str]:
    """The stage instances an edit to `path` re-runs (the file is put back whatever happens)."""
    original = path.read_bytes()
    try:
        path.write_bytes(original + PROBE.encode())
        return changed_stages()
    finally:
        path.write_bytes(original)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("edits", nargs="+", help="LABEL=PATH: what is edited, and its file")
    p.add_argument("--times", type=Path, default=TIMES)
    p.add_argument("--out", type=Path, help="CSV of the table (printed as Markdown too)")
    args = p.parse_args(argv)
    if changed_stages():
        raise SystemExit("edit_reruns: dvc status is not clean here; run it where dvc.lock is "
                         "up to date")
    seconds = pd.read_csv(args.times).groupby("stage")["seconds"].last()
    total = seconds.sum()
    rows = []
    for label, path in (edit.split("=", 1) for edit in args.edits):
        stages = reruns(Path(path))
        kinds = sorted({stage.split("@")[0] for stage in stages})
        minutes = sum(seconds.get(stage, 0.0) for stage in stages) / 60
        rows.append({"edit to": label, "file": path, "stages": len(stages),
                     "minutes": round(minutes, 1), "share (%)": round(6000 * minutes / total, 1),
                     "definitions": " ".join(kinds)})
    table = pd.DataFrame(rows)
    print("\n".join(markdown_rows(table)))
    if args.out:
        table.to_csv(args.out, index=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
