"""What every stage shares: reading declared params sections, the data layout, argv.

Light on purpose (no torch, no models): download and prepare import it too, and DVC
re-runs a stage when any module it imports changes (tests/test_stage_deps.py).
The stages that train or load a model share stages/runs.py.
"""
from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path
from typing import Any, Sequence

from ruamel.yaml import YAML

from pipeline.errors import ConfigError

PARAMS_FILE = Path("params.yaml")
DATA = Path("data")


def read_params(path: Path = PARAMS_FILE) -> dict:
    # ruamel reads 1e-3 as a float (PyYAML reads it as a string).
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


def raw_dir(dataset: str) -> Path:
    return DATA / "raw" / dataset


def processed_dir(dataset: str) -> Path:
    return DATA / "processed" / dataset


def run_dir(dataset: str, model: str, variant: str) -> Path:
    return DATA / "runs" / dataset / model / variant


def results_dir(dataset: str, model: str, variant: str) -> Path:
    return DATA / "results" / dataset / model / variant


def resume_path(dataset: str, model: str, variant: str) -> Path:
    """Outside DVC's outputs (DVC deletes those before a stage runs), so it survives."""
    return DATA / "resume" / f"{dataset}-{model}-{variant.replace('/', '-')}.pt"


def fingerprint(configs: dict, files: Sequence[Path]) -> str:
    """Identity of a training run: its configs and the bytes of its input files."""
    digest = hashlib.sha256(json.dumps(configs, sort_keys=True, default=str).encode())
    for file in files:
        digest.update(Path(file).read_bytes())
    return digest.hexdigest()


def parse_args(description: str, *, model: bool = True, variant: bool = False,
               schedule: bool = False) -> argparse.Namespace:
    """--dataset always; --model and --variant for the stages that work on one run;
    --schedule / --sief name the training and SIEF sections of the training stages (train /
    sief for the GloVe models, train_bert / sief_bert, dialogre_train / dialogre_sief)."""
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--dataset", default="docred")
    if model:
        p.add_argument("--model", required=True)
    if variant:
        p.add_argument("--variant", default="base")
    if schedule:
        p.add_argument("--schedule", default="train")
        p.add_argument("--sief", default="sief")
    return p.parse_args()
