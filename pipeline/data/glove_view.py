"""The GloVe view of a canonical document (reference-implementations.md 1.2-1.3).

`GloveFeaturizer(doc)` gives one document's arrays; `collate(features)` pads a batch
into tensors. Both are cheap, so SIEF re-featurises sentence-removed documents on the fly.
"""
from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass
from typing import Callable

import numpy as np
import torch

from pipeline.data.document import Document, pair_index
from pipeline.errors import DataError


@dataclass
class DocFeatures:
    """One document's GloVe-view arrays (all int64 unless noted)."""
    word_ids: np.ndarray        # [L] lower-cased word id, 1 = unknown
    ner_ids: np.ndarray         # [L] entity type id on mention tokens, else 0
    coref_ids: np.ndarray       # [L] 1-based entity index on mention tokens, else 0
    sent_ids: np.ndarray        # [L] sentence index of every token
    mention_entity: np.ndarray  # [M] entity of each mention inside the window
    mention_start: np.ndarray   # [M]
    mention_end: np.ndarray     # [M] (clipped to L)
    first_start: np.ndarray     # [E] start of each entity's first listed mention (0 if none)
    facts: np.ndarray           # [F, 3] (h, t, r)
    num_entities: int
    truncated_tokens: int
    truncated_mentions: int


@dataclass
class Batch:
    """A padded batch. P = number of ordered entity pairs over all documents."""
    word_ids: torch.Tensor      # [B, L]
    ner_ids: torch.Tensor       # [B, L]
    coref_ids: torch.Tensor     # [B, L]
    lengths: torch.Tensor       # [B]
    entity_map: torch.Tensor    # [B, E, L] mean over mentions of mean over their tokens
    pair_doc: torch.Tensor      # [P] document of each pair
    pair_h: torch.Tensor        # [P] head entity index (within its document)
    pair_t: torch.Tensor        # [P] tail entity index
    dist_ht: torch.Tensor       # [P] signed distance bucket + 10 (head to tail)
    dist_th: torch.Tensor       # [P] signed distance bucket + 10 (tail to head)
    labels: torch.Tensor        # [P, R] multi-hot, column 0 = no relation
    pair_offsets: list[int]     # start of each document's pairs in the P axis

    def to(self, device: torch.device) -> "Batch":
        return dataclasses.replace(self, **{
            f.name: getattr(self, f.name).to(device) for f in dataclasses.fields(self)
            if isinstance(getattr(self, f.name), torch.Tensor)})


class GloveFeaturizer:
    def __init__(self, vocab: dict[str, int], ner2id: dict[str, int], max_tokens: int,
                 max_entities: int):
        self.vocab, self.ner2id = vocab, ner2id
        self.max_tokens, self.max_entities = max_tokens, max_entities

    def __call__(self, doc: Document) -> DocFeatures:
        tokens = doc.tokens
        length = min(len(tokens), self.max_tokens)
        word_ids = np.fromiter((self.vocab.get(t.lower(), 1) for t in tokens[:length]),
                               dtype=np.int64, count=length)
        sent_ids = np.repeat(np.arange(len(doc.sents)), [len(s) for s in doc.sents])[:length]
        ner_ids = np.zeros(length, dtype=np.int64)
        coref_ids = np.zeros(length, dtype=np.int64)
        if doc.num_entities > self.max_entities:
            raise DataError(f"{doc.num_entities} entities, more than glove.max_entities="
                            f"{self.max_entities}", doc=doc.title, field="vertexSet")
        m_entity, m_start, m_end, truncated = [], [], [], 0
        for e, mentions in enumerate(doc.entities):
            for m in mentions:
                if m.start >= length:
                    truncated += 1
                    continue
                end = min(m.end, length)
                # Later mentions overwrite earlier ones where spans overlap (as the original).
                ner_ids[m.start:end] = self.ner2id.get(m.type, 0)
                coref_ids[m.start:end] = e + 1
                m_entity.append(e), m_start.append(m.start), m_end.append(end)
        first_start = np.array([ms[0].start if ms else 0 for ms in doc.entities], dtype=np.int64)
        facts = np.array([(f.h, f.t, f.r) for f in doc.facts], dtype=np.int64).reshape(-1, 3)
        return DocFeatures(word_ids, ner_ids, coref_ids, sent_ids,
                           np.array(m_entity, dtype=np.int64), np.array(m_start, dtype=np.int64),
                           np.array(m_end, dtype=np.int64), first_start, facts,
                           doc.num_entities, len(tokens) - length, truncated)


def distance_bucket(d: np.ndarray) -> np.ndarray:
    """DocRED's dis2idx: 0->0, 1->1, 2-3->2, 4-7->3, ..., >=256->9, sign kept."""
    magnitude = np.abs(d)
    bucket = np.where(magnitude == 0, 0,
                      np.minimum(np.floor(np.log2(np.maximum(magnitude, 1))) + 1, 9))
    return (np.sign(d) * bucket).astype(np.int64)


def all_pairs(num_entities: int) -> tuple[np.ndarray, np.ndarray]:
    """All ordered pairs (h, t), h != t, h-major (see document.pair_index)."""
    h, t = np.meshgrid(np.arange(num_entities), np.arange(num_entities), indexing="ij")
    keep = h != t
    return h[keep], t[keep]


Collate = Callable[[list[DocFeatures]], Batch]


def make_collate(num_relations: int, device: torch.device | None = None) -> Collate:
    """collate() with the data's relation count and the run's device bound."""
    return functools.partial(collate, num_relations=num_relations, device=device)


def collate(features: list[DocFeatures], num_relations: int,
            device: torch.device | None = None) -> Batch:
    B = len(features)
    L = max(1, max(len(f.word_ids) for f in features))
    E = max(1, max(f.num_entities for f in features))
    word_ids = torch.zeros(B, L, dtype=torch.long)
    ner_ids = torch.zeros(B, L, dtype=torch.long)
    coref_ids = torch.zeros(B, L, dtype=torch.long)
    entity_map = torch.zeros(B, E, L)
    pair_doc, pair_h, pair_t, dist, labels, offsets = [], [], [], [], [], []
    n_pairs = 0
    for b, f in enumerate(features):
        n = len(f.word_ids)
        word_ids[b, :n] = torch.from_numpy(f.word_ids)
        ner_ids[b, :n] = torch.from_numpy(f.ner_ids)
        coref_ids[b, :n] = torch.from_numpy(f.coref_ids)
        _fill_entity_map(entity_map[b], f)
        h, t = all_pairs(f.num_entities)
        offsets.append(n_pairs)
        n_pairs += len(h)
        pair_doc.append(np.full(len(h), b)), pair_h.append(h), pair_t.append(t)
        dist.append(distance_bucket(f.first_start[h] - f.first_start[t]) if len(h) else h)
        doc_labels = np.zeros((len(h), num_relations), dtype=np.float32)
        if len(f.facts):
            rows = pair_index(f.num_entities, f.facts[:, 0], f.facts[:, 1])
            doc_labels[rows, f.facts[:, 2]] = 1.0
        doc_labels[:, 0] = doc_labels[:, 1:].sum(1) == 0
        labels.append(doc_labels)
    dist_all = torch.from_numpy(np.concatenate(dist)) if dist else torch.zeros(0, dtype=torch.long)
    batch = Batch(
        word_ids=word_ids, ner_ids=ner_ids, coref_ids=coref_ids,
        lengths=torch.tensor([len(f.word_ids) for f in features]),
        entity_map=entity_map,
        pair_doc=torch.from_numpy(np.concatenate(pair_doc)),
        pair_h=torch.from_numpy(np.concatenate(pair_h)),
        pair_t=torch.from_numpy(np.concatenate(pair_t)),
        dist_ht=dist_all + 10, dist_th=-dist_all + 10,
        labels=torch.from_numpy(np.concatenate(labels)),
        pair_offsets=offsets)
    return batch if device is None or device.type == "cpu" else batch.to(device)


def _fill_entity_map(out: torch.Tensor, f: DocFeatures) -> None:
    """out[e, tok] = 1 / (#mentions of e * length of the mention) on its mention tokens."""
    counts = np.bincount(f.mention_entity, minlength=f.num_entities)
    for e, start, end in zip(f.mention_entity, f.mention_start, f.mention_end):
        out[e, start:end] += 1.0 / (counts[e] * (end - start))
