"""sief-predict: a trained run on DocRED-format documents (labels optional).

    sief-predict data/runs/docred/bilstm/glove/sief documents.json --out result.json
        [--explain] [--html pages/] [--theta T] [--tau TAU] [--data DIR] [--glove SOURCE]

Writes result.json (leaderboard rows with their probability; with --explain, each with its
evidence sentences from SIEF's importance score) and prints what it read; when every
document has labels, prints F1, Ign F1 (against the run's training facts) and, with
--explain, Evi F1 by the official DocRED scorer's definitions. Same as
`python -m commands.predict`.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import torch

from pipeline.data.jsonio import write_json
from pipeline.errors import ConfigError, DataError
from pipeline.inference import load
from pipeline.inference.pages import write_pages


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="sief-predict", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("run", type=Path, help="the run's model.pt or its run directory")
    p.add_argument("documents", type=Path, help="a DocRED-format JSON(.gz) file")
    p.add_argument("--out", type=Path, default=Path("result.json"),
                   help="where result.json goes (default: ./result.json)")
    p.add_argument("--explain", action="store_true",
                   help="evidence sentences of every prediction (importance >= tau)")
    p.add_argument("--html", type=Path, help="write one page per document into this directory")
    p.add_argument("--theta", type=float, help="decision threshold (default: the run's dev theta)")
    p.add_argument("--tau", type=float,
                   help="importance threshold (default: the run's robustness.json)")
    p.add_argument("--data", type=Path,
                   help="the processed dataset of the run (default: by the pipeline's layout)")
    p.add_argument("--glove", help="full GloVe table for unseen words (default: prepare's "
                                   "source; '' = none)")
    p.add_argument("--device", default="cpu", help="torch device (default: cpu)")
    p.add_argument("--batch-size", type=int, default=16, help="documents per forward pass")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.batch_size < 1:
        parser().error(f"--batch-size must be >= 1, got {args.batch_size}")
    try:
        model = load(args.run, data=args.data, theta=args.theta, tau=args.tau,
                     glove=args.glove, device=torch.device(args.device),
                     batch_size=args.batch_size)
        run = model.run(args.documents, explain=args.explain or args.html is not None)
    except (ConfigError, DataError) as err:
        print(f"sief-predict: error: {err}", file=sys.stderr)
        return 2
    write_json(args.out, [p.row() for p in run.predictions], indent=1)
    summary = {"run": str(model.files.checkpoint), "theta": model.theta, "tau": model.tau,
               **run.counts}
    if run.labelled:
        scores = model.score(run)
        keys = ["f1", "ign_f1", "precision", "recall"]
        keys += ["evidence_f1", "evidence_precision", "evidence_recall"] if args.explain else []
        summary["scores"] = {key: round(scores[key], 4) for key in keys}
    if args.html is not None:
        pages = write_pages(args.html, run.documents, run.predictions, model.theta, model.tau,
                            str(model.files.checkpoint))
        summary["pages"] = str(pages[0])
    summary["result"] = str(args.out)
    print(json.dumps(summary, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
