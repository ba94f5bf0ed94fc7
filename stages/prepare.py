"""DVC stage `prepare@<dataset>`: canonical documents, GloVe view and statistics (DocRED,
DialogRE)."""
from __future__ import annotations

import json

from pipeline.config import build
from pipeline.data.dialogre import DialogREConfig
from pipeline.data.prepare import DocREDConfig, GloveConfig, prepare_dialogre, prepare_docred
from stages.common import load_sections, parse_args, processed_dir, raw_dir

PARAMS = ("{dataset}", "glove")


PREPARE = {"docred": (DocREDConfig, prepare_docred),
           "dialogre": (DialogREConfig, prepare_dialogre)}


def main() -> None:
    args = parse_args(__doc__, model=False)
    if args.dataset not in PREPARE:
        raise SystemExit(f"prepare: unknown dataset {args.dataset!r}; known: {sorted(PREPARE)}")
    params = load_sections(PARAMS, dataset=args.dataset)
    config_class, prepare = PREPARE[args.dataset]
    cfg = build(config_class, params[args.dataset], args.dataset)
    glove = build(GloveConfig, params["glove"], "glove")
    stats = prepare(raw_dir(args.dataset), processed_dir(args.dataset), cfg, glove)
    print(json.dumps({s: stats[s] for s in ("train", "dev", "test")}, indent=1))


if __name__ == "__main__":
    main()
