"""Small layers shared by several models."""
from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import nn

from pipeline.models.scatter import scatter_mean


@dataclass(frozen=True)
class DataDims:
    """Sizes that come from the data, not from the model config; stored in checkpoints."""
    vocab_size: int
    """Rows of the word-embedding table (restricted GloVe vocabulary, with pad and unk)."""
    word_dim: int
    """Width of the word vectors (50 for the packaged GloVe 6B 50d)."""
    num_relations: int
    """Output classes including the no-relation class 0 (97 for DocRED)."""
    num_ner_types: int
    """Entity-type ids including the blank id 0 (7 for DocRED)."""
    max_entities: int
    """Largest entity count of a document the view accepts (size of entity-id tables)."""


class RelationModel(nn.Module):
    """What every model shares beyond nn.Module: which sentences of a document it reads."""

    def visible_sentences(self, doc) -> int:
        """How many of the document's sentences (from the first) the model reads: all of
        them here (the feature view's window is applied apart); a model whose input is cut
        shorter (DialogBERT) says fewer. SIEF removes only sentences the model reads."""
        return len(doc.sents)


class MMBilinear(nn.Module):
    """y_r = x1^T W_r x2 + b_r, written as one matmul plus a bmm.

    Same parameters and maths as nn.Bilinear, whose backward (aten::_trilinear) is ~30x
    slower on CPU with torch 2.13 (see measured-costs.md).
    """

    def __init__(self, in1: int, in2: int, out: int):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(out, in1, in2))
        self.bias = nn.Parameter(torch.empty(out))
        bound = 1 / math.sqrt(in1)
        nn.init.uniform_(self.weight, -bound, bound)
        nn.init.uniform_(self.bias, -bound, bound)

    def forward(self, x1: torch.Tensor, x2: torch.Tensor) -> torch.Tensor:
        out, in1, in2 = self.weight.shape
        # [P, in1] @ [in1, out*in2] -> [P, out, in2]
        left = (x1 @ self.weight.permute(1, 0, 2).reshape(in1, out * in2)).view(-1, out, in2)
        return torch.bmm(left, x2.unsqueeze(2)).squeeze(2) + self.bias  # [P, out]


class EntityPairBilinear(nn.Module):
    """y_r(h, t) = [e_h; d_ht]^T W_r [e_t; d_th] + b_r, scored per entity, not per pair.

    The parameters of MMBilinear(D + K, D + K, R) (checkpoints load unchanged), over an
    entity state e (width D) and a distance-bucket embedding d (width K). W_r splits into
    entity-entity, entity-distance, distance-entity and distance-distance blocks, and each
    is computed where its inputs vary: the first for every (head, tail) of a document with
    one batched matmul, the mixed ones per (entity, bucket), the last per (bucket, bucket).
    Each pair then gathers four [R] rows; no per-pair tensor of width D x R is built, which
    is what made the pair-by-pair form ~95 % of the BiLSTM's step (benchmarks/speed.py).
    """

    def __init__(self, entity_dim: int, dist_dim: int, out: int):
        super().__init__()
        side = entity_dim + dist_dim
        self.weight = nn.Parameter(torch.empty(out, side, side))
        self.bias = nn.Parameter(torch.empty(out))
        bound = 1 / math.sqrt(side)
        nn.init.uniform_(self.weight, -bound, bound)
        nn.init.uniform_(self.bias, -bound, bound)

    def forward(self, entities: torch.Tensor, buckets: torch.Tensor, pair_doc: torch.Tensor,
                pair_h: torch.Tensor, pair_t: torch.Tensor, bucket_ht: torch.Tensor,
                bucket_th: torch.Tensor) -> torch.Tensor:
        """entities [B, E, D], buckets [NB, K] (every bucket's embedding), pairs [P] -> [P, R]."""
        B, E, D = entities.shape
        NB, K = buckets.shape
        R = self.weight.shape[0]
        w_ee, w_ed = self.weight[:, :D, :D], self.weight[:, :D, D:]   # [R, D, D], [R, D, K]
        w_de, w_dd = self.weight[:, D:, :D], self.weight[:, D:, D:]   # [R, K, D], [R, K, K]
        flat = entities.reshape(B * E, D)                               # [BE, D]
        # entity-entity: (e_h^T W_r) e_t for every head, relation and tail of a document
        left = (flat @ w_ee.permute(1, 0, 2).reshape(D, R * D)).view(B, E * R, D)
        ee = torch.bmm(left, entities.transpose(1, 2)).view(B, E, R, E)  # [B, h, R, t]
        # head entity x tail bucket, head bucket x tail entity, bucket x bucket
        ed = (flat @ w_ed.permute(1, 0, 2).reshape(D, R * K)).view(B * E, R, K) @ buckets.T
        de = ((buckets @ w_de.permute(1, 0, 2).reshape(K, R * D)).view(NB * R, D)
              @ flat.T).view(NB, R, B * E)                               # [NB, R, BE]
        dd = (buckets @ w_dd.permute(1, 0, 2).reshape(K, R * K)).view(NB, R, K) @ buckets.T
        head, tail = pair_doc * E + pair_h, pair_doc * E + pair_t       # [P]
        return (ee.permute(0, 1, 3, 2)[pair_doc, pair_h, pair_t]        # [P, R] each
                + ed.permute(0, 2, 1)[head, bucket_th]
                + de.permute(0, 2, 1)[bucket_ht, tail]
                + dd.permute(0, 2, 1)[bucket_ht, bucket_th] + self.bias)


class LockedDropout(nn.Module):
    """Variational dropout: one mask per sequence, shared over time ([B, 1, D]).

    Also cheap on torch 2.13 CPU, where elementwise dropout on [B, L, D] is ~10x slower.
    """

    def __init__(self, p: float):
        super().__init__()
        self.p = p

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # x: [B, L, D]
        if not self.training or self.p == 0:
            return x
        mask = x.new_empty(x.shape[0], 1, x.shape[2]).bernoulli_(1 - self.p) / (1 - self.p)
        return x * mask


def span_mean(tokens: torch.Tensor, token_index: torch.Tensor, owner: torch.Tensor,
              num_spans: int) -> torch.Tensor:
    """Mean token state of each span: tokens [B, L, D], flat token ids + span ids -> [N, D]."""
    flat = tokens.reshape(-1, tokens.shape[-1])
    return scatter_mean(flat[token_index], owner, num_spans)


def mlp_classifier(in_dim: int, hidden: int, out_dim: int, dropout: float) -> nn.Sequential:
    """Linear -> ReLU -> Dropout -> Linear, the pair classifier of GAIN and HeterGSAN."""
    return nn.Sequential(nn.Linear(in_dim, hidden), nn.ReLU(), nn.Dropout(dropout),
                         nn.Linear(hidden, out_dim))
