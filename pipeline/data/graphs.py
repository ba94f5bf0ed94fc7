"""Document graphs of the graph-based models, built from mention positions only.

The builders take where the (in-window) mentions lie, not tokens, so the same code serves
every token view and every sentence-removed document: SIEF re-featurises the reduced
document and gets its graphs for free.

Node numbering inside one document (edges are (src, dst) columns, both directions listed,
no self-loops):
- GAIN's mention-document graph (reference-implementations.md 2.2): node 0 = the document,
  node 1 + m = mention m. Edge types in GAIN_EDGE_TYPES.
- GAIN's entity graph (2.5): entity i -- entity j iff they have mentions in a common
  sentence; two-hop paths h - o - t go through the common neighbours o.
- HeterGSAN's sentence-mention graph (3.2): nodes 0..S-1 = sentences, node S + m =
  mention m. Edge types in GSAN_EDGE_TYPES; "same sentence" wins over "coreference".
"""
from __future__ import annotations

import numpy as np

GAIN_EDGE_TYPES = ("intra_entity", "inter_entity", "document")
GSAN_EDGE_TYPES = ("sentence_sentence", "sentence_mention", "coreference", "same_sentence")


def ordered_pairs(n: int) -> tuple[np.ndarray, np.ndarray]:
    """All (i, j) with i != j, i-major: [n*(n-1)] each."""
    i, j = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
    keep = i != j
    return i[keep], j[keep]


def _edges(*groups: tuple[np.ndarray, np.ndarray, int]) -> tuple[np.ndarray, np.ndarray]:
    """Concatenate (src, dst, type) groups into edges [2, N] and types [N] (int64)."""
    src = np.concatenate([g[0] for g in groups]).astype(np.int64)
    dst = np.concatenate([g[1] for g in groups]).astype(np.int64)
    types = np.concatenate([np.full(len(g[0]), g[2], dtype=np.int64) for g in groups])
    return np.stack([src, dst]), types


def mention_document_graph(mention_entity: np.ndarray, mention_sent: np.ndarray
                           ) -> tuple[np.ndarray, np.ndarray]:
    """GAIN's hMG: edges [2, N] over nodes 0 (document) and 1+m, types [N] (GAIN_EDGE_TYPES)."""
    M = len(mention_entity)
    i, j = ordered_pairs(M)
    same_entity = mention_entity[i] == mention_entity[j]
    inter = ~same_entity & (mention_sent[i] == mention_sent[j])
    nodes = 1 + np.arange(M)
    return _edges((i[same_entity] + 1, j[same_entity] + 1, 0),
                  (i[inter] + 1, j[inter] + 1, 1),
                  (np.zeros(M, dtype=np.int64), nodes, 2),
                  (nodes, np.zeros(M, dtype=np.int64), 2))


def entity_adjacency(mention_entity: np.ndarray, mention_sent: np.ndarray,
                     num_entities: int) -> np.ndarray:
    """[E, E] bool: two different entities have mentions in a common sentence."""
    num_sents = int(mention_sent.max()) + 1 if len(mention_sent) else 0
    occurs = np.zeros((num_entities, num_sents), dtype=np.int64)
    occurs[mention_entity, mention_sent] = 1
    adjacency = (occurs @ occurs.T) > 0
    np.fill_diagonal(adjacency, False)
    return adjacency


def entity_graph(mention_entity: np.ndarray, mention_sent: np.ndarray,
                 num_entities: int) -> np.ndarray:
    """GAIN's entity graph as edges [2, N] (both directions)."""
    return np.stack(np.nonzero(entity_adjacency(mention_entity, mention_sent,
                                                num_entities))).astype(np.int64)


def two_hop_paths(entity_edges: np.ndarray, num_entities: int, pair_h: np.ndarray,
                  pair_t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Paths h - o - t for the given pairs: (pair row [K], intermediate entity o [K])."""
    adjacency = np.zeros((num_entities, num_entities), dtype=bool)
    adjacency[entity_edges[0], entity_edges[1]] = True
    rows, middle = np.nonzero(adjacency[pair_h] & adjacency[pair_t])
    return rows.astype(np.int64), middle.astype(np.int64)


def sentence_mention_graph(mention_entity: np.ndarray, mention_sent: np.ndarray,
                           num_sents: int) -> tuple[np.ndarray, np.ndarray]:
    """HeterGSAN's graph: edges [2, N] over sentences 0..S-1 and mentions S+m, types [N]."""
    M = len(mention_entity)
    si, sj = ordered_pairs(num_sents)
    mentions = num_sents + np.arange(M)
    i, j = ordered_pairs(M)
    same_sentence = mention_sent[i] == mention_sent[j]
    coreference = ~same_sentence & (mention_entity[i] == mention_entity[j])
    return _edges((si, sj, 0),
                  (mention_sent, mentions, 1), (mentions, mention_sent, 1),
                  (i[coreference] + num_sents, j[coreference] + num_sents, 2),
                  (i[same_sentence] + num_sents, j[same_sentence] + num_sents, 3))
