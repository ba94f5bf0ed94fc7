"""Each stage's code `deps` in dvc.yaml cover exactly the project modules its command runs,
file for file.

A stage's module and everything it imports from `pipeline/` and `stages/`, transitively
(lazy imports inside functions included; read with ast, nothing is executed), must lie
under a declared dep, or DVC keeps stale outputs when that code changes. And every declared
code dep must hold only modules the stage imports (a folder with one file it does not run
would re-run it for an edit there). Package `__init__.py` files with nothing
but a docstring cannot change a result and need no dep.
"""
import ast
import re
from pathlib import Path

import pytest
from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parents[1]
DVC = YAML(typ="safe", pure=True).load((ROOT / "dvc.yaml").read_text())
PROJECT_PACKAGES = ("pipeline", "stages")


def module_file(name: str) -> Path | None:
    """The file of a project module (`pipeline.x.y`), or None (another library, a name)."""
    if name.split(".")[0] not in PROJECT_PACKAGES:
        return None
    base = ROOT.joinpath(*name.split("."))
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.is_file():
            return path
    return None


def imported_files(module: str) -> set[Path]:
    """Files of `module` and of every project module it imports, transitively."""
    seen: set[Path] = set()
    todo = [module]
    while todo:
        name = todo.pop()
        path = module_file(name)
        if path is None or path in seen:
            continue
        seen.add(path)
        parts = name.split(".")
        todo += [".".join(parts[:i]) for i in range(1, len(parts))]  # parent packages run too
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                todo += [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                # `from a import b`: b is a submodule or a name in a; module_file tells.
                todo += [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
    return seen


def has_code(path: Path) -> bool:
    body = ast.parse(path.read_text()).body
    docstring = body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)
    return len(body) > (1 if docstring else 0)


def stage_bodies():
    for name, stage in sorted(DVC["stages"].items()):
        yield name, stage.get("do", stage)


@pytest.mark.parametrize("name,body", list(stage_bodies()), ids=[n for n, _ in stage_bodies()])
def test_code_deps_are_exactly_what_the_stage_imports(name, body):
    module = re.search(r"python -m ([\w.]+)", body["cmd"]).group(1)
    needed = {p.relative_to(ROOT).as_posix() for p in imported_files(module)
              if p.name != "__init__.py" or has_code(p)}
    code_deps = [d for d in body["deps"] if d.split("/")[0] in PROJECT_PACKAGES]

    def covers(dep: str, file: str) -> bool:
        return file == dep or file.startswith(dep.rstrip("/") + "/")

    missing = sorted(f for f in needed if not any(covers(d, f) for d in code_deps))
    unused = sorted(d for d in code_deps if not any(covers(d, f) for f in needed))
    # A folder dep re-runs the stage when any file in it changes: each must be one it runs.
    over = sorted(path.relative_to(ROOT).as_posix() for d in code_deps
                  if (ROOT / d).is_dir() for path in (ROOT / d).rglob("*.py")
                  if (path.name != "__init__.py" or has_code(path))
                  and path.relative_to(ROOT).as_posix() not in needed)
    assert not missing, f"{name}: imported but not in deps: {missing}"
    assert not unused, f"{name}: in deps but never imported: {unused}"
    assert not over, f"{name}: a declared folder holds files it never imports: {over}"


def test_the_import_walk_follows_lazy_and_from_imports(tmp_path):
    # stages.evaluate imports pipeline.evaluation.predict, which imports
    # pipeline.data.features (`from pipeline.data.features import ...`).
    files = {p.relative_to(ROOT).as_posix() for p in imported_files("stages.evaluate")}
    assert {"stages/evaluate.py", "pipeline/evaluation/predict.py",
            "pipeline/data/features.py", "pipeline/models/__init__.py"} <= files
    assert not has_code(ROOT / "pipeline" / "__init__.py")
    assert has_code(ROOT / "pipeline" / "models" / "__init__.py")


FLOORS = {name: floor for floor, names in enumerate([
    ("errors", "progress"), ("config",), ("runtime",),      # every stage's base files
    ("data",),                                              # the processed format
    ("ingest", "models", "evaluation"),                     # raw -> processed; models; metrics
    ("training",),
    ("sief",),
    ("comparison", "diagnostics"),
    ("reporting", "inference"),
]) for name in names}
"""pipeline/'s packages (and base files) by floor along the pipeline's graph: a module may
import its own package and lower floors only (design-review-2, 5.2; docs/design.md)."""


def package_of(path: Path) -> str:
    parts = path.relative_to(ROOT / "pipeline").parts
    return parts[0] if len(parts) > 1 else path.stem


def test_no_import_runs_up_the_floors():
    upward = []
    for path in sorted((ROOT / "pipeline").rglob("*.py")):
        if path.parent == ROOT / "pipeline" and path.name == "__init__.py":
            continue
        here = package_of(path)
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names = ([node.module] if isinstance(node, ast.ImportFrom) and node.module else
                     [a.name for a in node.names] if isinstance(node, ast.Import) else [])
            for name in names:
                target = module_file(name) or module_file(name.rsplit(".", 1)[0])
                if name.startswith("pipeline.") and target is not None:
                    there = package_of(target)
                    if there != here and FLOORS[there] >= FLOORS[here]:
                        upward.append(f"{path.relative_to(ROOT)} ({here}) imports {name} "
                                      f"({there})")
    assert set(FLOORS) == {package_of(p) for p in (ROOT / "pipeline").glob("*")
                           if p.suffix == ".py" and p.name != "__init__.py" or
                           p.is_dir() and (p / "__init__.py").exists()}
    assert not upward, "\n".join(upward)
