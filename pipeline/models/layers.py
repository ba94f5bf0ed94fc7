"""Small layers shared by several models."""
from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import nn


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
