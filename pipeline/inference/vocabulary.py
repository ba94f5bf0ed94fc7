"""A checkpoint's GloVe vocabulary opened to any document (the corpus-independent featurizer).

prepare restricts GloVe to the words of the corpus's splits, so a checkpoint's embedding
table knows nothing else: every other word of a new document would read as <unk>. Before
scoring new documents the table grows by the GloVe vector of each of their words it lacks
(a word the training never saw keeps the vector the model started from), and the
featurizer's vocabulary with it. Words GloVe lacks too stay <unk>, counted.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

import numpy as np
import torch

from pipeline.ingest.glove import load_glove
from pipeline.models.encoders import GloveLSTMEncoder


@dataclass
class GloveTable:
    """The full GloVe table, loaded once: its words' rows and the vectors [V, D]."""
    source: str
    row_of: dict[str, int]
    vectors: np.ndarray

    @classmethod
    def load(cls, source: str) -> "GloveTable":
        words, vectors = load_glove(source)
        return cls(source, {w: i for i, w in enumerate(words)}, vectors)


@dataclass
class VocabularyCounts:
    """What growing the vocabulary did, over every call so far."""
    added: int = 0
    """Words taken from the full GloVe table (not in the checkpoint's vocabulary)."""
    unknown: set[str] = field(default_factory=set)
    """Lower-cased words neither the checkpoint nor GloVe knows (read as <unk>)."""


def glove_encoders(model: torch.nn.Module) -> list[GloveLSTMEncoder]:
    """The model's GloVe token encoders (none for a transformer encoder)."""
    return [m for m in model.modules() if isinstance(m, GloveLSTMEncoder)]


def grow_vocabulary(model: torch.nn.Module, vocab: dict[str, int], tokens: Iterable[str],
                    glove: GloveTable | None, counts: VocabularyCounts) -> None:
    """Give every lower-cased token that `vocab` lacks and GloVe has a new id (appended) and
    its GloVe row in each of the model's word embeddings; both change in place."""
    encoders = glove_encoders(model)
    missing = sorted({t.lower() for t in tokens} - vocab.keys())
    if not encoders or not missing:
        return
    found = [w for w in missing if glove is not None and w in glove.row_of]
    counts.unknown.update(w for w in missing if glove is None or w not in glove.row_of)
    if not found:
        return
    extra = torch.from_numpy(np.asarray(glove.vectors[[glove.row_of[w] for w in found]],
                                        dtype=np.float32))                  # [N, D]
    for encoder in encoders:
        table = encoder.word_emb
        if extra.shape[1] != table.embedding_dim:
            raise ValueError(f"GloVe source {glove.source} has {extra.shape[1]}-d vectors, "
                             f"the checkpoint {table.embedding_dim}-d")
        grown = torch.cat([table.weight.detach(), extra.to(table.weight.device)])
        encoder.word_emb = torch.nn.Embedding.from_pretrained(
            grown, freeze=True, padding_idx=table.padding_idx)
    for word in found:
        vocab[word] = len(vocab)
    counts.added += len(found)
