"""DVC stage `prepare@<dataset>`: canonical documents, feature view and statistics (DocRED,
DialogRE).

    python -m stages.prepare --dataset docred --raw data/raw/docred --out data/processed/docred
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from pipeline.config import build_each
from pipeline.ingest.dialogre import DialogREConfig
from pipeline.ingest.prepare import (DROPPED, DocREDConfig, FeaturesConfig, prepare_dialogre,
                                   prepare_docred)
from stages.common import cli, load_sections

PARAMS = ("{dataset}", "features")

PREPARE = {"docred": (DocREDConfig, prepare_docred),
           "dialogre": (DialogREConfig, prepare_dialogre)}


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--dataset", required=True, choices=sorted(PREPARE))
    p.add_argument("--raw", required=True, type=Path, help="the downloaded raw files")
    p.add_argument("--out", required=True, type=Path, help="the processed directory")
    args = p.parse_args(argv)
    params = load_sections(PARAMS, dataset=args.dataset)
    config_class, prepare = PREPARE[args.dataset]
    cfg, features = build_each(params, (config_class, args.dataset), (FeaturesConfig, "features"))
    stats = prepare(args.raw, args.out, cfg, features)
    print(json.dumps({s: stats[s] for s in ("train", "dev", "test")}, indent=1))
    for split in ("train", "dev", "test"):  # what was left out or mapped, said plainly
        lost = [f"{stats[split][key]} {key.replace('_', ' ')}" for key in DROPPED
                if stats[split].get(key)]
        print(f"{split}: {', '.join(lost) if lost else 'nothing left out or mapped'}")


if __name__ == "__main__":
    cli(main)
