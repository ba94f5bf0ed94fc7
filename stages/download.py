"""DVC stage `download@<dataset>`: raw files into data/raw/<dataset>/."""
from __future__ import annotations

import dataclasses
from pathlib import Path

from pipeline.config import build
from pipeline.data.download import DownloadConfig, fetch
from pipeline.data.jsonio import write_json
from stages.common import load_sections, parse_args, raw_dir

PARAMS = ("download", "{dataset}.files")


def mirror_roots(mirrors: tuple[str, ...], cwd: Path) -> tuple[str, ...]:
    """Relative mirrors resolve against the repository root (the stage's working directory).

    `dvc exp run --queue` runs stages in a copy under `<repo>/.dvc/tmp/exps/...`, where a
    relative mirror such as `../shared/data` would point nowhere: there it is also tried
    against the repository that owns the copy.
    """
    owner = Path(*cwd.parts[:cwd.parts.index(".dvc")]) if ".dvc" in cwd.parts else None
    out = []
    for mirror in mirrors:
        out.append(mirror)
        if owner is not None and not Path(mirror).is_absolute():
            out.append(str(owner / mirror))
    return tuple(out)


def main() -> None:
    args = parse_args(__doc__, model=False)
    params = load_sections(PARAMS, dataset=args.dataset)
    cfg = build(DownloadConfig, params["download"], "download")
    cfg = dataclasses.replace(cfg, mirrors=mirror_roots(cfg.mirrors, Path.cwd()))
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
