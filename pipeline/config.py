"""Typed, frozen configs built from plain dicts, rejecting unknown keys.

Each dataclass documents its fields with a docstring under the field (litgpt style).
`build(cls, mapping, where)` is the only way stages turn a params.yaml section into a
config: unknown keys, wrong types and values out of range fail loudly with the dotted path
of the key as the user wrote it, before any data is read. A config states its ranges in a
class attribute `BOUNDS` (field -> ">= 1", "> 0", "in [0, 1)", ...), checked by `build`.
"""
from __future__ import annotations

import dataclasses
import types
import typing
from typing import Any, TypeVar

from pipeline.errors import ConfigError

T = TypeVar("T")


def build(cls: type[T], mapping: Any, where: str) -> T:
    """Build dataclass `cls` from `mapping`; `where` is the dotted path used in errors.
    Every bad key of the section is reported in one ConfigError ("; " between them)."""
    if not isinstance(mapping, dict):
        raise ConfigError(f"{where}: expected a mapping, got {type(mapping).__name__}")
    fields = {f.name: f for f in dataclasses.fields(cls)}
    problems = []
    unknown = sorted(set(mapping) - set(fields))
    if unknown:
        problems.append(f"{where}: unknown key(s) {unknown}; allowed: {sorted(fields)}")
    hints = typing.get_type_hints(cls)
    values = {}
    for name, field in fields.items():
        if name in mapping:
            try:
                values[name] = coerce(hints[name], mapping[name], f"{where}.{name}")
            except ConfigError as err:
                problems.append(str(err))
        elif field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING:
            problems.append(f"{where}: missing required key {name!r}")
    for name, bound in getattr(cls, "BOUNDS", {}).items():
        value = values.get(name, fields[name].default)
        if name in values or value is not dataclasses.MISSING:
            if not within(value, bound):
                problems.append(f"{where}.{name} must be {bound}, got {value!r}")
    if problems:
        raise ConfigError("; ".join(problems))
    try:
        return cls(**values)
    except ConfigError as err:  # a __post_init__ check: say where the section is
        raise ConfigError(f"{where}: {err}") from err


def build_each(params: dict, *sections: tuple[type, str]) -> list[Any]:
    """One config per (class, params key) from `params` (a stage's declared sections), with
    the bad keys of all of them reported in one ConfigError."""
    return list(build_all(**{key: (lambda cls=cls, key=key: build(cls, params[key], key))
                             for cls, key in sections}).values())


def build_all(**builders: typing.Callable[[], Any]) -> dict[str, Any]:
    """Call every builder (name -> a `build` call) and report the bad keys of all of them
    in one ConfigError, so a params file's mistakes come out together, not one per run."""
    built, problems = {}, []
    for name, builder in builders.items():
        try:
            built[name] = builder()
        except ConfigError as err:
            problems.append(str(err))
    if problems:
        raise ConfigError("; ".join(problems))
    return built


def within(value: float, bound: str) -> bool:
    """Whether `value` meets `bound`: ">= 1", "> 0", "in [0, 1)", "in [0, 1]"."""
    if bound.startswith("in "):
        low, high = (float(x) for x in bound[4:-1].split(","))
        above = value >= low if bound[3] == "[" else value > low
        below = value <= high if bound[-1] == "]" else value < high
        return above and below
    op, limit = bound.split()
    return {">=": value >= float(limit), ">": value > float(limit)}[op]


def coerce(hint: Any, value: Any, where: str) -> Any:
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        kinds = {getattr(arg, "kind", None): arg for arg in args if dataclasses.is_dataclass(arg)}
        if isinstance(value, dict) and "kind" in value and None not in kinds:
            # configs told apart by their `kind` (encoders): build the one named
            if value["kind"] not in kinds:
                raise ConfigError(f"{where}.kind: {value['kind']!r} is not one of "
                                  f"{sorted(kinds)}")
            return build(kinds[value["kind"]], value, where)
        errors = []
        for arg in (a for a in args if a is not type(None)):
            try:
                return coerce(arg, value, where)
            except ConfigError as err:
                errors.append(str(err))
        raise ConfigError(f"{where}: {value!r} matches none of the allowed forms: "
                          + " | ".join(errors))
    if origin is typing.Literal:
        if value not in args:
            raise ConfigError(f"{where}: {value!r} is not one of {list(args)}")
        return value
    if origin in (tuple, list):
        if not isinstance(value, (list, tuple)):
            raise ConfigError(f"{where}: expected a list, got {value!r}")
        item = args[0] if args else Any
        return tuple(coerce(item, v, f"{where}[{i}]") for i, v in enumerate(value))
    if origin is dict:
        if not isinstance(value, dict):
            raise ConfigError(f"{where}: expected a mapping, got {value!r}")
        return {str(k): coerce(args[1], v, f"{where}.{k}") for k, v in value.items()}
    if dataclasses.is_dataclass(hint):
        return value if isinstance(value, hint) else build(hint, value, where)
    if hint is Any:
        return value
    if hint is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(f"{where}: expected a number, got {value!r}")
        return float(value)
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{where}: expected an integer, got {value!r}")
        return value
    if hint is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"{where}: expected true/false, got {value!r}")
        return value
    if hint is str:
        if not isinstance(value, str):
            raise ConfigError(f"{where}: expected a string, got {value!r}")
        return value
    raise ConfigError(f"{where}: unsupported config type {hint!r}")


def to_dict(config: Any) -> dict:
    """Plain-dict view of a config (for checkpoints and logs)."""
    return dataclasses.asdict(config)


def set_dotted(tree: dict, dotted: str, value: Any) -> None:
    """flatten's inverse for one key: tree['a']['b'] = value for 'a.b'; the sections on the
    way must exist (a misspelt section is a KeyError, not a new section)."""
    *parents, last = dotted.split(".")
    for key in parents:
        tree = tree[key]
    tree[last] = value


def flatten(tree: dict, prefix: str = "") -> dict[str, Any]:
    """{'a': {'b': 1}} -> {'a.b': 1}; lists and empty mappings stay values."""
    out: dict[str, Any] = {}
    for key, value in tree.items():
        if isinstance(value, dict) and value:
            out.update(flatten(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out
