"""DVC stage `download@<dataset>`: raw files into data/raw/<dataset>/."""
from __future__ import annotations

from pipeline.config import build
from pipeline.data.download import DownloadConfig, fetch
from pipeline.data.jsonio import write_json
from stages.common import load_sections, parse_args, raw_dir

PARAMS = ("download", "{dataset}.files")


def main() -> None:
    args = parse_args(__doc__, model=False)
    params = load_sections(PARAMS, dataset=args.dataset)
    cfg = build(DownloadConfig, params["download"], "download")
    files = params[f"{args.dataset}.files"]
    dest = raw_dir(args.dataset)
    report = []
    for role, relpath in files.items():
        entry = fetch(relpath, dest, cfg)
        print(f"{role:8s} {relpath} <- {entry['source']}"
              f"{'' if entry['verified'] else '  (no known checksum: NOT verified)'}")
        report.append({"role": role, **entry})
    write_json(dest / "download.json", report, indent=1)


if __name__ == "__main__":
    main()
