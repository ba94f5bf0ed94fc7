"""Base models, one per file, and the explicit architecture -> class table.

Every model takes (config, DataDims) and maps a collated Batch to logits [P, R]. A model
config carries its architecture's name (`arch`) and its token encoder (`encoder`), so a
config alone says what to build, and a checkpoint needs nothing beside it.
"""
from __future__ import annotations

import typing
from typing import Any

import torch

from pipeline.config import coerce, build, to_dict
from pipeline.errors import ConfigError
from pipeline.models.bilstm import BiLSTM
from pipeline.models.dialog_bert import DialogBERT
from pipeline.models.gain import GAIN
from pipeline.models.hetergsan import HeterGSAN
from pipeline.models.layers import DataDims

MODELS: dict[str, type[torch.nn.Module]] = {
    "bilstm": BiLSTM,            # DocRED baseline
    "gain": GAIN,                # DocRED, graph model
    "hetergsan": HeterGSAN,      # DocRED, graph model
    "dialog_bert": DialogBERT,   # DialogRE instance classifier (BERT, BERT_s)
}

SPEC_VERSION = 2
"""Version of the checkpoint's model spec. 1 (before the run became the unit): the model's
params name beside a flat config (`encoder: glove | transformer` and a `transformer:`
block); 2: `arch` and a nested `encoder` inside the config."""

_V1_ARCH = {"bilstm": "bilstm", "bilstm_bert": "bilstm", "gain": "gain", "gain_bert": "gain",
            "hetergsan": "hetergsan", "hetergsan_bert": "hetergsan",
            "bert": "dialog_bert", "berts": "dialog_bert"}


def model_class(arch: str) -> type[torch.nn.Module]:
    if arch not in MODELS:
        raise ConfigError(f"unknown architecture {arch!r}; known: {sorted(MODELS)}")
    return MODELS[arch]


def build_model_config(section: dict, encoder: dict, where: str,
                       encoder_where: str = "encoder") -> Any:
    """The typed config of a params `models.<name>` section (`where`, with its `arch`)
    joined with the encoder section of the run (`encoder_where`: `encoders.<name>`)."""
    if not isinstance(section, dict) or "arch" not in section:
        raise ConfigError(f"{where}: a model section names its architecture "
                          f"(arch: one of {sorted(MODELS)})")
    cls = model_class(section["arch"]).config_class
    hint = typing.get_type_hints(cls)["encoder"]
    return build(cls, {**section, "encoder": coerce(hint, encoder, encoder_where)}, where)


def create_model(config: Any, dims: DataDims) -> torch.nn.Module:
    return model_class(config.arch)(config, dims)


def model_spec(model: torch.nn.Module) -> dict:
    """What a checkpoint needs to rebuild the model: its config and the data dims."""
    return {"version": SPEC_VERSION, "config": to_dict(model.config),
            "dims": to_dict(model.dims)}


def encoder_label(config: Any) -> str:
    """What encodes a model's tokens, for tables: the transformer's name, or GloVe."""
    encoder = config.encoder
    return encoder.name if encoder.kind == "transformer" else "GloVe + BiLSTM"


def upgrade_spec(spec: dict) -> dict:
    """A checkpoint's model spec in the current version (version 1 is converted)."""
    version = spec.get("version", 1)
    if version == SPEC_VERSION:
        return spec
    if version != 1 or "name" not in spec:
        raise ConfigError(f"checkpoint model spec version {version!r}: this code reads "
                          f"versions 1 to {SPEC_VERSION}")
    if spec["name"] not in _V1_ARCH:
        raise ConfigError(f"checkpoint (spec version 1): unknown model {spec['name']!r}")
    config = dict(spec["config"])
    transformer = config.pop("transformer", None)
    kind = config.pop("encoder", "transformer" if spec["name"] in ("bert", "berts") else "glove")
    glove = {key: config.pop(key) for key in ("hidden_size", "freeze_words") if key in config}
    encoder = ({"kind": "transformer", **transformer} if kind == "transformer"
               else {"kind": "glove", **glove})
    config.update(arch=_V1_ARCH[spec["name"]], encoder=encoder)
    return {"version": SPEC_VERSION, "config": config, "dims": spec["dims"]}


def model_from_spec(spec: dict) -> torch.nn.Module:
    spec = upgrade_spec(spec)
    config = spec["config"]
    cls = model_class(config.get("arch", "?"))
    return cls(build(cls.config_class, config, f"checkpoint.model.{config['arch']}"),
               DataDims(**spec["dims"]))
