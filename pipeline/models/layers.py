"""Small layers shared by several models."""
from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence
from torch_geometric.utils import scatter

from pipeline.models.transformer import TransformerEncoder


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


class GloveLSTMEncoder(nn.Module):
    """Word (GloVe) + entity-id + entity-type embeddings -> locked dropout -> BiLSTM.

    The token encoder of every GloVe model (reference-implementations.md 1.4, 2.3, 3.3).
    Returns token states [B, L, 2H] (zero on padding) and the final states [B, 2H] (forward
    direction's last step, backward direction's first), GAIN's document-node feature.
    """

    def __init__(self, dims: DataDims, hidden_size: int, coref_dim: int, ner_dim: int,
                 dropout: float, freeze_words: bool):
        super().__init__()
        self.word_emb = nn.Embedding(dims.vocab_size, dims.word_dim, padding_idx=0)
        self.word_emb.weight.requires_grad_(not freeze_words)
        self.coref_emb = nn.Embedding(dims.max_entities + 1, coref_dim, padding_idx=0)
        self.ner_emb = nn.Embedding(dims.num_ner_types, ner_dim, padding_idx=0)
        self.input_dropout = LockedDropout(dropout)
        self.lstm = nn.LSTM(dims.word_dim + coref_dim + ner_dim, hidden_size,
                            batch_first=True, bidirectional=True)
        # Learned initial states, zero-initialised as in the DocRED baseline.
        self.h0 = nn.Parameter(torch.zeros(2, 1, hidden_size))
        self.c0 = nn.Parameter(torch.zeros(2, 1, hidden_size))
        self.output_size = 2 * hidden_size

    @classmethod
    def from_config(cls, config, dims: DataDims) -> "GloveLSTMEncoder":
        """From a model config with hidden_size, coref_dim, ner_dim, dropout, freeze_words."""
        return cls(dims, config.hidden_size, config.coref_dim, config.ner_dim, config.dropout,
                   config.freeze_words)

    def load_word_vectors(self, vectors: torch.Tensor) -> None:
        with torch.no_grad():
            self.word_emb.weight.copy_(vectors)

    def forward(self, word_ids: torch.Tensor, coref_ids: torch.Tensor, ner_ids: torch.Tensor,
                lengths: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        x = torch.cat([self.word_emb(word_ids), self.coref_emb(coref_ids),
                       self.ner_emb(ner_ids)], dim=-1)                 # [B, L, in]
        x = self.input_dropout(x)
        B, L, _ = x.shape
        packed = pack_padded_sequence(x, lengths.cpu().clamp(min=1), batch_first=True,
                                      enforce_sorted=False)
        state = (self.h0.expand(-1, B, -1).contiguous(), self.c0.expand(-1, B, -1).contiguous())
        out, (h_n, _) = self.lstm(packed, state)
        out, _ = pad_packed_sequence(out, batch_first=True, total_length=L)  # [B, L, 2H]
        return out, torch.cat([h_n[0], h_n[1]], dim=-1)                 # [B, 2H]

    def encode(self, batch) -> tuple[torch.Tensor, torch.Tensor]:
        """The models' call: token states [B, L, 2H] and final states [B, 2H] of a Batch."""
        return self(batch.word_ids, batch.coref_ids, batch.ner_ids, batch.lengths)


def make_encoder(config, dims: DataDims) -> nn.Module:
    """The token encoder a model config asks for (`encoder: glove | transformer`)."""
    if config.encoder == "transformer":
        return TransformerEncoder(config.transformer, dims.max_entities, dims.num_ner_types,
                                  config.coref_dim, config.ner_dim)
    return GloveLSTMEncoder.from_config(config, dims)


def span_mean(tokens: torch.Tensor, token_index: torch.Tensor, owner: torch.Tensor,
              num_spans: int) -> torch.Tensor:
    """Mean token state of each span: tokens [B, L, D], flat token ids + span ids -> [N, D]."""
    flat = tokens.reshape(-1, tokens.shape[-1])
    return scatter(flat[token_index], owner, dim=0, dim_size=num_spans, reduce="mean")


def mlp_classifier(in_dim: int, hidden: int, out_dim: int, dropout: float) -> nn.Sequential:
    """Linear -> ReLU -> Dropout -> Linear, the pair classifier of GAIN and HeterGSAN."""
    return nn.Sequential(nn.Linear(in_dim, hidden), nn.ReLU(), nn.Dropout(dropout),
                         nn.Linear(hidden, out_dim))
