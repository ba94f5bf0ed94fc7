"""Print `-S key=value` flags for `dvc exp run` from a YAML file of params overrides.

    dvc exp run $(python -m stages.overrides params.paper.yaml)
"""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from stages.common import read_params


def flatten(tree: dict, prefix: str = "") -> dict[str, Any]:
    """{'a': {'b': 1}} -> {'a.b': 1}; lists stay values."""
    out: dict[str, Any] = {}
    for key, value in tree.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(flatten(value, dotted + "."))
        else:
            out[dotted] = value
    return out


def override_flags(path: Path, base: Path = Path("params.yaml")) -> list[str]:
    overrides = flatten(read_params(path))
    known = flatten(read_params(base))
    unknown = sorted(set(overrides) - set(known))
    if unknown:
        raise SystemExit(f"{path}: keys not in {base}: {unknown}")
    # JSON is valid YAML, so DVC parses lists, numbers and strings back as they were.
    flags = [f"--set-param={key}={json.dumps(value, separators=(',', ':'))}"
             for key, value in overrides.items()]
    spaced = [flag for flag in flags if any(c.isspace() for c in flag)]
    if spaced:  # $(...) splits on white space, so a value must not contain any
        raise SystemExit(f"{path}: values with white space cannot be passed: {spaced}")
    return flags


def main() -> None:
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    print(" ".join(override_flags(Path(sys.argv[1]))))


if __name__ == "__main__":
    main()
