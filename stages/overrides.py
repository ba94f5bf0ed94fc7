"""Params overrides from a YAML file (params.paper.yaml, params.smoke.yaml): print them as
`-S key=value` flags for a tracked experiment, or write them into params.yaml.

    dvc exp run $(python -m stages.overrides params.paper.yaml)
    python -m stages.overrides params.smoke.yaml --apply && dvc repro

Not a stage: a helper for the command line (it never runs inside the pipeline).
"""
from __future__ import annotations

import argparse
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


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("overrides", type=Path, help="a YAML file of params overrides")
    p.add_argument("--apply", action="store_true", help="write them into params.yaml")
    args = p.parse_args()
    if args.apply:
        apply_overrides(args.overrides)
    else:
        print(" ".join(override_flags(args.overrides)))


if __name__ == "__main__":
    main()
