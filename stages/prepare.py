"""DVC stage `prepare@<dataset>`: canonical documents, GloVe view and statistics."""
from __future__ import annotations

import json

from pipeline.config import build
from pipeline.data.prepare import DocREDConfig, GloveConfig, prepare_docred
from stages.common import load_sections, parse_args, processed_dir, raw_dir

PARAMS = ("{dataset}", "glove")


def main() -> None:
    args = parse_args(__doc__, model=False)
    if args.dataset != "docred":
        raise SystemExit(f"prepare: unknown dataset {args.dataset!r}")
    params = load_sections(PARAMS, dataset=args.dataset)
    cfg = build(DocREDConfig, params["docred"], "docred")
    glove = build(GloveConfig, params["glove"], "glove")
    stats = prepare_docred(raw_dir("docred"), processed_dir("docred"), cfg, glove)
    print(json.dumps({s: stats[s] for s in ("train", "dev", "test")}, indent=1))


if __name__ == "__main__":
    main()
