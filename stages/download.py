"""DVC stage `download@<dataset>`: the raw files of `<dataset>.files` into --out.

    python -m stages.download --dataset docred --out data/raw/docred
"""
from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path

from pipeline.config import build
from pipeline.ingest.download import DownloadConfig, fetch, mirror_roots
from pipeline.data.jsonio import write_json
from stages.common import cli, load_sections

PARAMS = ("download", "{dataset}.files")


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--dataset", required=True, help="params.yaml <dataset>.files")
    p.add_argument("--out", required=True, type=Path, help="the raw directory")
    args = p.parse_args(argv)
    params = load_sections(PARAMS, dataset=args.dataset)
    cfg = build(DownloadConfig, params["download"], "download")
    cfg = dataclasses.replace(cfg, mirrors=mirror_roots(cfg.mirrors, Path.cwd()))
    files = params[f"{args.dataset}.files"]
    dest = args.out
    report = []
    for role, relpath in files.items():
        entry = fetch(relpath, dest, cfg)
        print(f"{role:8s} {relpath} <- {entry['source']}"
              f"{'' if entry['verified'] else '  (no known checksum: NOT verified)'}")
        report.append({"role": role, **entry})
    write_json(dest / "download.json", report, indent=1)


if __name__ == "__main__":
    cli(main)
