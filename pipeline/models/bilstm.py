"""The DocRED BiLSTM baseline (Yao et al. 2019; reference-implementations.md 1.4)."""
from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from pipeline.data.glove_view import Batch
from pipeline.models.layers import DataDims, LockedDropout, MMBilinear


@dataclass(frozen=True)
class BiLSTMConfig:
    hidden_size: int = 128
    """LSTM units per direction (the encoder outputs twice this)."""
    proj_size: int = 128
    """Width of the ReLU projection applied to every token before entity pooling."""
    coref_dim: int = 20
    """Entity-id (coreference) embedding width."""
    ner_dim: int = 20
    """Entity-type embedding width."""
    dist_dim: int = 20
    """Distance-bucket embedding width (20 buckets, index 10 = distance 0)."""
    dropout: float = 0.2
    """Locked (variational) dropout on the LSTM input."""
    freeze_words: bool = True
    """Keep the GloVe vectors fixed (the original baseline does)."""


class BiLSTM(nn.Module):
    config_class = BiLSTMConfig

    def __init__(self, config: BiLSTMConfig, dims: DataDims):
        super().__init__()
        self.config, self.dims = config, dims
        self.word_emb = nn.Embedding(dims.vocab_size, dims.word_dim, padding_idx=0)
        self.word_emb.weight.requires_grad_(not config.freeze_words)
        self.coref_emb = nn.Embedding(dims.max_entities + 1, config.coref_dim, padding_idx=0)
        self.ner_emb = nn.Embedding(dims.num_ner_types, config.ner_dim, padding_idx=0)
        self.input_dropout = LockedDropout(config.dropout)
        in_dim = dims.word_dim + config.coref_dim + config.ner_dim
        self.lstm = nn.LSTM(in_dim, config.hidden_size, batch_first=True, bidirectional=True)
        # Learned initial states, zero-initialised as in the original.
        self.h0 = nn.Parameter(torch.zeros(2, 1, config.hidden_size))
        self.c0 = nn.Parameter(torch.zeros(2, 1, config.hidden_size))
        self.proj = nn.Linear(2 * config.hidden_size, config.proj_size)
        self.dist_emb = nn.Embedding(20, config.dist_dim, padding_idx=10)
        side = config.proj_size + config.dist_dim
        self.classifier = MMBilinear(side, side, dims.num_relations)

    def load_word_vectors(self, vectors: torch.Tensor) -> None:
        with torch.no_grad():
            self.word_emb.weight.copy_(vectors)

    def forward(self, batch: Batch) -> torch.Tensor:
        x = torch.cat([self.word_emb(batch.word_ids), self.coref_emb(batch.coref_ids),
                       self.ner_emb(batch.ner_ids)], dim=-1)          # [B, L, 140]
        x = self.input_dropout(x)
        B, L, _ = x.shape
        packed = pack_padded_sequence(x, batch.lengths.clamp(min=1), batch_first=True,
                                      enforce_sorted=False)
        state = (self.h0.expand(-1, B, -1).contiguous(), self.c0.expand(-1, B, -1).contiguous())
        out, _ = self.lstm(packed, state)
        out, _ = pad_packed_sequence(out, batch_first=True, total_length=L)  # [B, L, 2H]
        tokens = torch.relu(self.proj(out))                                  # [B, L, D]
        entities = torch.bmm(batch.entity_map, tokens)                       # [B, E, D]
        head = torch.cat([entities[batch.pair_doc, batch.pair_h],
                          self.dist_emb(batch.dist_ht)], dim=-1)             # [P, D+20]
        tail = torch.cat([entities[batch.pair_doc, batch.pair_t],
                          self.dist_emb(batch.dist_th)], dim=-1)             # [P, D+20]
        return self.classifier(head, tail)                                   # [P, R]
