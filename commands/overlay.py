"""An experiment's override set (experiments/<name>/params.yaml): its keys checked against
params.yaml, merged into it, written into it in place, or turned into `--set-param` flags for
a tracked experiment. The command line is `python -m commands.experiment {flags,apply} NAME`.
"""
from __future__ import annotations

import json
from pathlib import Path

from ruamel.yaml import YAML

from pipeline.config import flatten, set_dotted
from stages.common import read_params


def checked_overrides(path: Path, base: Path) -> dict[str, object]:
    """The overrides of `path` as dotted keys; every key must exist in `base`."""
    overrides = flatten(read_params(path))
    unknown = sorted(set(overrides) - set(flatten(read_params(base))))
    if unknown:
        raise SystemExit(f"{path}: keys not in {base}: {unknown}")
    return overrides


def merged_params(path: Path, base: Path = Path("params.yaml")) -> dict:
    """`base` with the overrides of `path` written in (what `dvc exp run -S ...` runs)."""
    params = read_params(base)
    for dotted, value in checked_overrides(path, base).items():
        set_dotted(params, dotted, value)
    return params


def override_flags(path: Path, base: Path = Path("params.yaml")) -> list[str]:
    overrides = checked_overrides(path, base)
    # JSON is valid YAML, so DVC parses lists, numbers and strings back as they were.
    flags = [f"--set-param={key}={json.dumps(value, separators=(',', ':'))}"
             for key, value in overrides.items()]
    spaced = [flag for flag in flags if any(c.isspace() for c in flag)]
    if spaced:  # $(...) splits on white space, so a value must not contain any
        raise SystemExit(f"{path}: values with white space cannot be passed: {spaced}")
    return flags


def apply_overrides(path: Path, base: Path = Path("params.yaml")) -> None:
    """Write the overrides of `path` into `base`, its comments and layout kept."""
    write_params(base, checked_overrides(path, base))


def write_params(path: Path, changes: dict[str, object]) -> None:
    """Set dotted keys (`sief.beta`) of a params file in place, its comments kept."""
    yaml = YAML()  # round-trip
    params = yaml.load(path.read_text(encoding="utf-8"))
    for dotted, value in changes.items():
        set_in_place(params, dotted, value)
    with open(path, "w", encoding="utf-8") as handle:
        yaml.dump(params, handle)


def set_in_place(tree: dict, dotted: str, value: object) -> None:
    """tree['a']['b'] = value for 'a.b' (the sections on the way must exist), except that a
    list replaces the items of the list node it overrides: a new node would be written in
    block style, one item per line, below the comments that followed the old one (`extra:
    [14, 15]  # ...` became `extra:  # ...`, the comment lines, then `- 14`...); the old
    node keeps its comments, and its flow style (an empty list, `[]`, is always flow,
    though ruamel does not mark it so)."""
    *parents, last = dotted.split(".")
    section = tree
    for key in parents:
        section = section[key]
    old = section.get(last)
    if isinstance(old, list) and isinstance(value, list):
        flow = not old or old.fa.flow_style()
        old[:] = value
        if flow:
            old.fa.set_flow_style()
    else:
        section[last] = value
