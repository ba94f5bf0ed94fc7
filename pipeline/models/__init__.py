"""Base models, one per file, and the explicit name -> class table.

Every model takes (config, DataDims) and maps a collated Batch to logits [P, R].
"""
from __future__ import annotations

from typing import Any

import torch

from pipeline.config import build, to_dict
from pipeline.models.bilstm import BiLSTM
from pipeline.models.dialog_bert import DialogBERT
from pipeline.models.gain import GAIN
from pipeline.models.hetergsan import HeterGSAN
from pipeline.models.layers import DataDims

MODELS: dict[str, type[torch.nn.Module]] = {
    # DocRED, GloVe + BiLSTM encoder (params models.<name>: encoder glove)
    "bilstm": BiLSTM,
    "gain": GAIN,
    "hetergsan": HeterGSAN,
    # DocRED, the same models on a pretrained transformer (models.<name>: encoder transformer)
    "bilstm_bert": BiLSTM,
    "gain_bert": GAIN,
    "hetergsan_bert": HeterGSAN,
    # DialogRE instance classifiers: BERT and BERT_s (models.berts: speaker_tokens true)
    "bert": DialogBERT,
    "berts": DialogBERT,
}


def model_class(name: str) -> type[torch.nn.Module]:
    if name not in MODELS:
        raise KeyError(f"unknown model {name!r}; known: {sorted(MODELS)}")
    return MODELS[name]


def create_model(name: str, config: Any, dims: DataDims) -> torch.nn.Module:
    return model_class(name)(config, dims)


def model_spec(name: str, model: torch.nn.Module) -> dict:
    """What a checkpoint needs to rebuild the model: name, config and data dims."""
    return {"name": name, "config": to_dict(model.config), "dims": to_dict(model.dims)}


def encoder_name(spec: dict) -> str:
    """What encodes a checkpointed model's tokens: its transformer's name, or GloVe."""
    config = spec["config"]
    if "transformer" in config and config.get("encoder", "transformer") == "transformer":
        return config["transformer"]["name"]
    return "GloVe + BiLSTM"


def model_from_spec(spec: dict) -> torch.nn.Module:
    cls = model_class(spec["name"])
    config = build(cls.config_class, spec["config"], f"checkpoint.model.{spec['name']}")
    return cls(config, DataDims(**spec["dims"]))
