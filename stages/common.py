"""What every stage shares: its declared params sections, argv, and the resume location.

Light on purpose (no torch, no models): download and prepare import it too, and DVC
re-runs a stage when any module it imports changes (tests/test_stage_deps.py). Paths come
from argv, spelled out in each stage's dvc.yaml `cmd` with the same strings as its `deps`
and `outs`; nothing here builds them from names.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, Callable, Sequence

from ruamel.yaml import YAML

from pipeline.errors import ConfigError, DataError

PARAMS_FILE = Path("params.yaml")
RESUME_DIR = Path("data/resume")


def cli(main: Callable[[], Any]) -> None:
    """Run a stage's `main` from the command line: bad params or bad input print their one
    line (it names the key, or the file, document and field) and exit 2, no traceback.
    First the resume states of runs finished since are swept (sweep_resume)."""
    sweep_resume()
    try:
        main()
    except (ConfigError, DataError) as err:
        print(f"error: {err}", file=sys.stderr)
        raise SystemExit(2) from None


def read_params(path: Path = PARAMS_FILE) -> dict:
    # ruamel reads 1e-3 as a float (PyYAML reads it as a string).
    if not path.exists():
        raise ConfigError(f"{path.resolve()}: no params file; run the stages from the "
                          "repository's root (where dvc.yaml is)")
    with open(path, encoding="utf-8") as handle:
        return YAML(typ="safe", pure=True).load(handle) or {}


def load_sections(declared: Sequence[str], path: Path = PARAMS_FILE, **names: str) -> dict[str, Any]:
    """The params sections a stage declared (placeholders filled from `names`), nothing else.

    A stage can only see what it declared, so dvc.yaml's `params:` (checked by a test
    against PARAMS) is exactly what the stage reads.
    """
    params = read_params(path)
    out = {}
    for template in declared:
        dotted = template.format(**names)
        node: Any = params
        for key in dotted.split("."):
            if not isinstance(node, dict) or key not in node:
                raise ConfigError(f"{path}: missing section {dotted!r}")
            node = node[key]
        out[dotted] = node
    return out


def resume_file(out_dir: Path) -> Path:
    """Where a run's per-epoch state is kept: outside DVC's outputs (DVC deletes those
    before a stage runs), at the run directory's path under data/resume/. The state stays
    after the run has finished, until a later stage starts (sweep_resume): a multi-seed stage
    cut off after some seeds and run again restores those from their last state, with no
    epoch trained again."""
    return RESUME_DIR / Path(out_dir).as_posix().lstrip("/") / "resume.pt"


def sweep_resume(root: Path = RESUME_DIR) -> list[Path]:
    """Remove the resume states (and the arms' fold views beside them) whose run's model.pt
    is newer than the state: the run finished and its stage completed, or DVC restored it
    from its run cache. Returns the resume states removed."""
    removed = []
    for state in sorted(root.rglob("resume.pt")) if root.is_dir() else []:
        model = state.relative_to(root).parent / "model.pt"   # the run's, from the repo root
        if model.is_file() and model.stat().st_mtime >= state.stat().st_mtime:
            state.unlink()
            state.with_name("folds.pt").unlink(missing_ok=True)
            removed.append(state)
    return removed


def checkpoint_parser(description: str) -> argparse.ArgumentParser:
    """argv of a stage that scores one trained run."""
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--data", required=True, type=Path, help="the processed dataset directory")
    p.add_argument("--checkpoint", required=True, type=Path, help="the run's model.pt")
    p.add_argument("--out", required=True, type=Path, help="the run's results directory")
    return p
