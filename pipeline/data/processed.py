"""The processed format, read side: what every stage after `prepare` loads (prepare.py
writes it, from the raw readers, which nothing here imports).

Layout of the processed directory (one file per split, never one per document):
  meta.json              dataset, rel2id, id2rel, ner2id, data dims of the feature view,
                         the splits with labels (a test split may have them: Re-DocRED)
  {split}.docs.json.gz   canonical documents (Document.to_json)
  glove.vocab.json       restricted GloVe vocabulary (id = position)
  glove.vectors.npy      its vectors [V, D]
  features.{split}.pt       feature-view arrays per document (DocFeatures)
  stats.json             counts per split, including everything truncated or merged
  {split}.instances.json.gz  DialogRE only: turns, arguments, ids, triggers (F1 / F1c)
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from pipeline.data.document import Document
from pipeline.data.features import DocFeatures, Featurizer
from pipeline.data.jsonio import read_json
from pipeline.data.torchfile import load_pt

SPLITS = ("train", "dev", "test")
NUM_RELATIONS = 36
"""DialogRE's relations, rids 1..36."""
UNANSWERABLE = 37
"""DialogRE's rid of "no relation can be answered"."""


@dataclass(frozen=True)
class Instance:
    """One DialogRE (x, y) pair with what F1c needs."""
    turns: tuple[str, ...]
    """The dialogue's turns as written, e.g. 'Speaker 1: Hey!'."""
    x: str
    y: str
    rids: tuple[int, ...]
    """Gold relation ids (1..36, or 37 alone for unanswerable)."""
    triggers: tuple[str, ...]
    """One trigger string per rid, '' when none was annotated."""


@dataclass
class Processed:
    """A processed split loaded back: documents and their feature-view features."""
    docs: list[Document]
    features: list[DocFeatures]


def load_meta(out_dir: Path) -> dict:
    return read_json(out_dir / "meta.json")


def labelled_splits(meta: dict) -> list[str]:
    """The splits whose every document has labels (older processed data: train and dev)."""
    return meta.get("labelled_splits", ["train", "dev"])


def load_split(out_dir: Path, split: str) -> Processed:
    docs = [Document.from_json(d) for d in read_json(out_dir / f"{split}.docs.json.gz")]
    raw = load_pt(out_dir / f"features.{split}.pt", "feature file")
    return Processed(docs, [DocFeatures(**f) for f in raw])


def load_vectors(out_dir: Path) -> torch.Tensor:
    return torch.from_numpy(np.load(out_dir / "glove.vectors.npy"))


def load_featurizer(out_dir: Path) -> Featurizer:
    """The featurizer prepare used, to re-featurise sentence-removed documents."""
    meta = load_meta(out_dir)
    words = read_json(out_dir / "glove.vocab.json")
    return Featurizer({w: i for i, w in enumerate(words)}, meta["ner2id"], meta["max_tokens"],
                      meta["dims"]["max_entities"], meta.get("instance_pair", False))


def load_instances(out_dir: Path, split: str) -> list[Instance]:
    """DialogRE's F1 / F1c instances of a split, in document order."""
    return [Instance(**{k: tuple(v) if isinstance(v, list) else v for k, v in row.items()})
            for row in read_json(out_dir / f"{split}.instances.json.gz")]
