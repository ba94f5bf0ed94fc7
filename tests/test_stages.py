"""Every stage's `main`, in process, on a few real documents: each writes exactly the outs
its dvc.yaml entry declares, from the paths its `cmd` names.

The stages run as DVC resolves them (dvc.yaml with a one-model grid: BiLSTM with the GloVe
and the transformer encoder, BERT on DialogRE), in dependency order, inside a temporary
copy of the repository's params and dvc.yaml; each stage's new or changed files under
data/ are compared with its declared outs, metrics and plots.
"""
from __future__ import annotations

import importlib
import os
import shlex
import shutil
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from commands.overlay import write_params

ROOT = Path(__file__).resolve().parents[1]
MIRROR = (ROOT.parent / "shared" / "data").resolve()

pytestmark = pytest.mark.skipif(not MIRROR.is_dir(), reason="needs ../shared/data")

TINY = {"download.mirrors": [str(MIRROR)], "download.allow_network": False,
        "docred.max_docs": 3, "dialogre.max_instances": 4,
        "grid.docred.models": ["bilstm"], "grid.dialogre.models": ["bert"],
        "grid.docred.encoders": ["glove", "transformer"], "seeds.models": ["bilstm"],
        "schedules.docred.glove.base.epochs": 1, "schedules.docred.glove.finetune.epochs": 2,
        "schedules.docred.transformer.base.epochs": 1,
        "schedules.docred.transformer.finetune.epochs": 1,
        "schedules.dialogre.transformer_instance.base.epochs": 1,
        "schedules.dialogre.transformer_instance.finetune.epochs": 1,
        "seeds.extra": [5], "analysis.extra_seeds": [5], "robustness.max_docs": 2,
        "case_study.model": "bilstm", "evaluate.dialogre.f1c_instances": 2}


def tiny_params(path: Path) -> None:
    from pipeline.config import flatten
    from stages.common import read_params
    assert set(TINY) <= set(flatten(read_params(ROOT / "params.yaml")))  # no new keys
    shutil.copy2(ROOT / "params.yaml", path)
    write_params(path, TINY)


def snapshot(root: Path) -> dict[str, tuple[int, int]]:
    """Files under data/ (but the resume states) -> (size, mtime_ns)."""
    data = root / "data"
    return {p.relative_to(root).as_posix(): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in data.rglob("*") if p.is_file() and "resume" not in p.parts} \
        if data.exists() else {}


def declared(stage) -> list[str]:
    """The stage's outs, metrics and plots as written in dvc.yaml (resolved)."""
    return [out.def_path for out in stage.outs]


def covered(file: str, outs: list[str]) -> bool:
    return any(file == out or file.startswith(out.rstrip("/") + "/") for out in outs)


def run_stage(stage) -> None:
    argv = shlex.split(stage.cmd)
    assert argv[:2] == ["python", "-m"], stage.cmd
    importlib.import_module(argv[2]).main(argv[3:])


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> dict[str, tuple[list[str], set[str]]]:
    """Stage name -> (declared outs, files it wrote), every stage run once in order."""
    from dvc.repo import Repo
    work = tmp_path_factory.mktemp("stages")
    shutil.copy2(ROOT / "dvc.yaml", work / "dvc.yaml")
    tiny_params(work / "params.yaml")
    (work / ".dvc").mkdir()               # a DVC repository without git, for the resolver
    (work / ".dvc" / "config").write_text("[core]\n    no_scm = true\n")
    os.environ.update(SIEF_NO_PROGRESS="1", DVC_NO_ANALYTICS="1")
    cwd = Path.cwd()
    os.chdir(work)
    try:
        import networkx
        graph = Repo(str(work)).index.graph   # an edge runs from a stage to what it needs
        order = list(reversed(list(networkx.topological_sort(graph))))
        out: dict[str, tuple[list[str], set[str]]] = {}
        for stage in order:
            before = snapshot(work)
            run_stage(stage)
            after = snapshot(work)
            out[stage.addressing] = (declared(stage),
                                     {f for f, key in after.items() if before.get(f) != key})
        return out
    finally:
        os.chdir(cwd)


DEFINITIONS = sorted(YAML(typ="safe", pure=True).load((ROOT / "dvc.yaml").read_text())["stages"])


@pytest.mark.parametrize("definition", DEFINITIONS)
def test_each_stage_writes_exactly_its_declared_outs(written, definition):
    instances = {name: result for name, result in written.items()
                 if name.split("@")[0] == definition}
    assert instances, f"{definition}: no instance ran"
    for name, (outs, files) in instances.items():
        stray = sorted(f for f in files if not covered(f, outs))
        missing = sorted(o for o in outs if not any(covered(f, [o]) for f in files))
        assert not stray, f"{name} wrote files it does not declare: {stray}"
        assert not missing, f"{name} did not write its declared outs: {missing}"
