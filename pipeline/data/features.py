"""The feature view of a canonical document (reference-implementations.md 1.2-1.3).

`Featurizer(doc)` gives one document's arrays; `collate(features)` pads a batch
into tensors. Both are cheap, so SIEF re-featurises sentence-removed documents on the fly.
"""
from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import torch

from pipeline.data.document import Document, pair_index
from pipeline.data.graphs import (entity_graph, mention_document_graph, sentence_mention_graph,
                                  two_hop_paths)
from pipeline.errors import DataError


@dataclass
class DocFeatures:
    """One document's feature-view arrays (all int64 unless noted)."""
    word_ids: np.ndarray        # [L] lower-cased word id, 1 = unknown
    ner_ids: np.ndarray         # [L] entity type id on mention tokens, else 0
    coref_ids: np.ndarray       # [L] 1-based entity index on mention tokens, else 0
    sent_ids: np.ndarray        # [L] sentence index of every token
    mention_entity: np.ndarray  # [M] entity of each mention inside the window
    mention_start: np.ndarray   # [M]
    mention_end: np.ndarray     # [M] (clipped to L)
    mention_sent: np.ndarray    # [M] sentence of each mention inside the window
    sent_start: np.ndarray      # [S] token span of each sentence that starts inside the window
    sent_end: np.ndarray        # [S] (clipped to L)
    first_start: np.ndarray     # [E] start of each entity's first listed mention (0 if none)
    facts: np.ndarray           # [F, 3] (h, t, r)
    num_entities: int
    truncated_tokens: int
    truncated_mentions: int
    # Document graphs (pipeline/data/graphs.py), built here so they are stored per split.
    gain_edges: np.ndarray      # [2, N] GAIN mention-document graph, nodes 0 = doc, 1+m
    gain_edge_types: np.ndarray  # [N] index into GAIN_EDGE_TYPES
    entity_edges: np.ndarray    # [2, N] GAIN entity graph
    gsan_edges: np.ndarray      # [2, N] HeterGSAN graph, nodes 0..S-1 sentences, S+m
    gsan_edge_types: np.ndarray  # [N] index into GSAN_EDGE_TYPES
    words: tuple[str, ...] = ()  # [L] the window's words as written (transformer encoders)
    entity_names: tuple[str, ...] = ()  # Document.names (DialogRE arguments)
    pairs: np.ndarray | None = None  # [K, 2] the only pairs scored; None = all ordered pairs


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
    # Graph inputs. Mentions (M over the batch) and sentences (S) are numbered document
    # after document; a span's tokens are given as flat indices into the [B * L] tokens.
    mention_doc: torch.Tensor          # [M] document of each mention
    mention_entity: torch.Tensor       # [M] entity of each mention as doc * E + entity
    mention_token: torch.Tensor        # [Tm] flat token index of every mention token
    mention_token_owner: torch.Tensor  # [Tm] mention that token belongs to
    sent_doc: torch.Tensor             # [S] document of each (in-window) sentence
    sent_token: torch.Tensor           # [Ts] flat token index of every sentence token
    sent_token_owner: torch.Tensor     # [Ts] sentence that token belongs to
    gain_edge_index: torch.Tensor      # [2, N] nodes: B documents, then M mentions
    gain_edge_type: torch.Tensor       # [N]
    gsan_edge_index: torch.Tensor      # [2, N] nodes: S sentences, then M mentions
    gsan_edge_type: torch.Tensor       # [N]
    path_pair: torch.Tensor            # [K] pair row of each two-hop path h - o - t
    path_ho: torch.Tensor              # [K] pair row of (h, o); likewise below
    path_ot: torch.Tensor              # [K]
    path_to: torch.Tensor              # [K]
    path_oh: torch.Tensor              # [K]
    words: list[tuple[str, ...]] = dataclasses.field(default_factory=list)  # [B][L] words
    entity_names: list[tuple[str, ...]] = dataclasses.field(default_factory=list)  # [B]

    def to(self, device: torch.device) -> "Batch":
        return dataclasses.replace(self, **{
            f.name: getattr(self, f.name).to(device) for f in dataclasses.fields(self)
            if isinstance(getattr(self, f.name), torch.Tensor)})


class Featurizer:
    def __init__(self, vocab: dict[str, int], ner2id: dict[str, int], max_tokens: int,
                 max_entities: int, instance_pair: bool = False):
        """`instance_pair`: score only the pair (entity 0, entity 1), a DialogRE instance
        (x, y), instead of every ordered pair."""
        self.vocab, self.ner2id = vocab, ner2id
        self.max_tokens, self.max_entities = max_tokens, max_entities
        self.instance_pair = instance_pair
        self.token_ids: dict[str, int] = {}
        """token as written -> its id (vocab of its lower case, 1 = unknown), filled as met:
        SIEF and the robustness pass re-featurise the same tokens at every removal."""

    def word_id(self, token: str) -> int:
        found = self.token_ids.get(token)
        if found is None:
            found = self.token_ids[token] = self.vocab.get(token.lower(), 1)
        return found

    def __call__(self, doc: Document) -> DocFeatures:
        tokens = doc.tokens
        length = min(len(tokens), self.max_tokens)
        word_ids = np.fromiter(map(self.word_id, tokens[:length]), dtype=np.int64,
                               count=length)
        sent_ids = np.repeat(np.arange(len(doc.sents)), [len(s) for s in doc.sents])[:length]
        ner_ids = np.zeros(length, dtype=np.int64)
        coref_ids = np.zeros(length, dtype=np.int64)
        if doc.num_entities > self.max_entities:
            raise DataError(f"{doc.num_entities} entities, more than features.max_entities="
                            f"{self.max_entities}", doc=doc.title, field="vertexSet")
        m_entity, m_sent, m_start, m_end, truncated = [], [], [], [], 0
        for e, mentions in enumerate(doc.entities):
            for m in mentions:
                if m.start >= length:
                    truncated += 1
                    continue
                end = min(m.end, length)
                # Later mentions overwrite earlier ones where spans overlap (as the original).
                ner_ids[m.start:end] = self.ner2id.get(m.type, 0)
                coref_ids[m.start:end] = e + 1
                m_entity.append(e), m_sent.append(m.sent_id)
                m_start.append(m.start), m_end.append(end)
        mention_entity = np.array(m_entity, dtype=np.int64)
        mention_sent = np.array(m_sent, dtype=np.int64)
        sent_start = np.array([s for s in doc.sent_starts if s < length], dtype=np.int64)
        sent_end = np.minimum(np.append(sent_start[1:], length), length)
        first_start = np.array([ms[0].start if ms else 0 for ms in doc.entities], dtype=np.int64)
        facts = np.array([(f.h, f.t, f.r) for f in doc.facts], dtype=np.int64).reshape(-1, 3)
        gain_edges, gain_edge_types = mention_document_graph(mention_entity, mention_sent)
        gsan_edges, gsan_edge_types = sentence_mention_graph(mention_entity, mention_sent,
                                                             len(sent_start))
        return DocFeatures(
            word_ids, ner_ids, coref_ids, sent_ids, mention_entity,
            np.array(m_start, dtype=np.int64), np.array(m_end, dtype=np.int64), mention_sent,
            sent_start, sent_end, first_start, facts, doc.num_entities,
            len(tokens) - length, truncated, gain_edges, gain_edge_types,
            entity_graph(mention_entity, mention_sent, doc.num_entities),
            gsan_edges, gsan_edge_types, tuple(tokens[:length]), doc.names,
            np.array([[0, 1]], dtype=np.int64) if self.instance_pair else None)


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
    pairs, labels, offsets = [], [], []
    n_pairs = 0
    for b, f in enumerate(features):
        n = len(f.word_ids)
        word_ids[b, :n] = torch.from_numpy(f.word_ids)
        ner_ids[b, :n] = torch.from_numpy(f.ner_ids)
        coref_ids[b, :n] = torch.from_numpy(f.coref_ids)
        _fill_entity_map(entity_map[b], f)
        h, t = all_pairs(f.num_entities) if f.pairs is None else (f.pairs[:, 0], f.pairs[:, 1])
        offsets.append(n_pairs)
        n_pairs += len(h)
        pairs.append((np.full(len(h), b), h, t,
                      distance_bucket(f.first_start[h] - f.first_start[t]) if len(h) else h))
        labels.append(_pair_labels(f, h, t, num_relations))
    pair_doc, pair_h, pair_t, dist = (_cat(column) for column in zip(*pairs))
    batch = Batch(
        word_ids=word_ids, ner_ids=ner_ids, coref_ids=coref_ids,
        lengths=torch.tensor([len(f.word_ids) for f in features]),
        entity_map=entity_map, pair_doc=pair_doc, pair_h=pair_h, pair_t=pair_t,
        dist_ht=dist + 10, dist_th=-dist + 10,
        labels=torch.from_numpy(np.concatenate(labels)), pair_offsets=offsets,
        words=[f.words for f in features], entity_names=[f.entity_names for f in features],
        **_graph_inputs(features, L, E, offsets, [(h, t) for _, h, t, _ in pairs]))
    return batch if device is None or device.type == "cpu" else batch.to(device)


def _cat(arrays) -> torch.Tensor:
    return torch.from_numpy(np.concatenate([np.asarray(a, dtype=np.int64) for a in arrays]))


def _pair_labels(f: DocFeatures, h: np.ndarray, t: np.ndarray,
                 num_relations: int) -> np.ndarray:
    doc_labels = np.zeros((len(h), num_relations), dtype=np.float32)
    if len(f.facts):
        if f.pairs is None:
            rows = pair_index(f.num_entities, f.facts[:, 0], f.facts[:, 1])
        else:
            row_of = {(int(a), int(b)): i for i, (a, b) in enumerate(zip(h, t))}
            rows = np.array([row_of[(int(a), int(b))] for a, b in f.facts[:, :2]])
        doc_labels[rows, f.facts[:, 2]] = 1.0
    doc_labels[:, 0] = doc_labels[:, 1:].sum(1) == 0
    return doc_labels


def _span_tokens(starts: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every token of every span [start, end): (token position [T], span index [T])."""
    lengths = ends - starts
    owner = np.repeat(np.arange(len(starts)), lengths)
    within = np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    return starts[owner] + within, owner


def _relabel(local: np.ndarray, split: int, low_base: int, high_base: int) -> np.ndarray:
    """Document-local node ids to batch ids: ids < split go to low_base+, others high_base+."""
    return np.where(local < split, low_base + local, high_base + local - split)


def _graph_inputs(features: list[DocFeatures], L: int, E: int, pair_offsets: list[int],
                  doc_pairs: list[tuple[np.ndarray, np.ndarray]]) -> dict[str, torch.Tensor]:
    """Batch-level graph tensors (see Batch): documents' nodes, edges and paths, offset."""
    B = len(features)
    num_mentions = [len(f.mention_entity) for f in features]
    num_sents = [len(f.sent_start) for f in features]
    m_off = np.cumsum([0] + num_mentions)[:-1]
    s_off = np.cumsum([0] + num_sents)[:-1]
    total_s = sum(num_sents)
    cols = {k: [] for k in ("mention_doc", "mention_entity", "mention_token",
                            "mention_token_owner", "sent_doc", "sent_token", "sent_token_owner",
                            "gain_edge_index", "gain_edge_type", "gsan_edge_index",
                            "gsan_edge_type", "path_pair", "path_ho", "path_ot", "path_to",
                            "path_oh")}
    for b, f in enumerate(features):
        cols["mention_doc"].append(np.full(num_mentions[b], b))
        cols["mention_entity"].append(b * E + f.mention_entity)
        tokens, owner = _span_tokens(f.mention_start, f.mention_end)
        cols["mention_token"].append(b * L + tokens)
        cols["mention_token_owner"].append(m_off[b] + owner)
        cols["sent_doc"].append(np.full(num_sents[b], b))
        tokens, owner = _span_tokens(f.sent_start, f.sent_end)
        cols["sent_token"].append(b * L + tokens)
        cols["sent_token_owner"].append(s_off[b] + owner)
        # GAIN: document node b, mention m -> B + m_off + m.
        cols["gain_edge_index"].append(_relabel(f.gain_edges, 1, b, B + m_off[b]))
        cols["gain_edge_type"].append(f.gain_edge_types)
        # HeterGSAN: sentence s -> s_off + s, mention m -> S_total + m_off + m.
        cols["gsan_edge_index"].append(_relabel(f.gsan_edges, num_sents[b], s_off[b],
                                                total_s + m_off[b]))
        cols["gsan_edge_type"].append(f.gsan_edge_types)
        h, t = doc_pairs[b]  # the collate's own pair list, not rebuilt
        if f.pairs is not None:
            h = t = h[:0]  # paths index the full pair list; instance pairs have none
        rows, o = two_hop_paths(f.entity_edges, f.num_entities, h, t)
        h, t, base = h[rows], t[rows], pair_offsets[b]
        cols["path_pair"].append(base + rows)
        for name, (a, c) in {"path_ho": (h, o), "path_ot": (o, t), "path_to": (t, o),
                             "path_oh": (o, h)}.items():
            cols[name].append(base + pair_index(f.num_entities, a, c))
    out = {}
    for name, arrays in cols.items():
        axis = 1 if name.endswith("edge_index") else 0
        out[name] = torch.from_numpy(np.concatenate(
            [np.asarray(a, dtype=np.int64).reshape((2, -1) if axis else (-1,)) for a in arrays],
            axis=axis))
    return out


def _fill_entity_map(out: torch.Tensor, f: DocFeatures) -> None:
    """out[e, tok] = 1 / (#mentions of e * length of the mention) on its mention tokens.

    One unbuffered np.add.at over every mention token, in mention order: the same float32
    sums as adding mention after mention, without a Python loop per mention.
    """
    counts = np.bincount(f.mention_entity, minlength=f.num_entities)
    tokens, owner = _span_tokens(f.mention_start, f.mention_end)
    weight = (1.0 / (counts[f.mention_entity] * (f.mention_end - f.mention_start))
              ).astype(np.float32)                                  # [M]
    np.add.at(out.numpy(), (f.mention_entity[owner], tokens), weight[owner])


def featurize_split(featurize: Featurizer, docs: list[Document],
                    source: Path | None) -> list[DocFeatures]:
    """The feature view of a split; a document the view cannot hold (too many entities) is
    an error naming the raw file too."""
    try:
        return [featurize(d) for d in docs]
    except DataError as err:
        if source is None or err.file is not None:
            raise
        raise DataError(err.reason, file=str(source), doc=err.doc, field=err.field) from err
