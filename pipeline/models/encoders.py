"""The token encoders of the DocRED models, chosen by a model config's `encoder` (params.yaml
`encoders:`): GloVe vectors with entity-id and type embeddings into a BiLSTM, or a pretrained
transformer (pipeline/models/transformer.py)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Literal

import torch
from torch import nn

from pipeline.models.layers import DataDims, LockedDropout
from pipeline.models.transformer import TransformerConfig, TransformerEncoder


def bidirectional_lstm(lstm: nn.LSTM, x: torch.Tensor, lengths: torch.Tensor,
                       h0: torch.Tensor, c0: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """A one-layer bidirectional `lstm` over padded sequences, as a packed sequence gives it.

    A packed sequence takes torch's step-by-step CPU kernel (~6x slower fwd + bwd than the
    oneDNN kernel, which takes padded input only). The same maths on padded input: the
    forward direction runs as is (padding comes after every real token, so it changes
    nothing before it); the backward direction runs on each sequence reversed within its
    length and is reversed back. x: [B, L, in], lengths [B] >= 1, h0 / c0: [2, 1, H].
    Returns token states [B, L, 2H] (zero on padding) and final states [B, 2H] (forward
    direction at the last token, backward direction at the first).
    """
    B, L, _ = x.shape
    position = torch.arange(L, device=x.device)[None]                   # [1, L]
    real = position < lengths[:, None]                                  # [B, L]
    # reversed[b, i] = lengths[b] - 1 - i on real tokens; padding stays where it is.
    reversed_at = torch.where(real, lengths[:, None] - 1 - position, position)  # [B, L]
    weights = lstm._flat_weights  # forward direction's 4 tensors, then the backward's 4
    state = [(h.expand(-1, B, -1).contiguous(), c.expand(-1, B, -1).contiguous())
             for h, c in zip(h0.split(1), c0.split(1))]
    forward, *_ = torch.lstm(x, state[0], weights[:4], True, 1, 0.0, lstm.training, False,
                             True)                                      # [B, L, H]
    x_reversed = x.gather(1, reversed_at[..., None].expand_as(x))
    backward, *_ = torch.lstm(x_reversed, state[1], weights[4:], True, 1, 0.0, lstm.training,
                              False, True)                              # [B, L, H]
    backward = backward.gather(1, reversed_at[..., None].expand_as(backward))
    out = torch.cat([forward, backward], dim=-1) * real[..., None]      # [B, L, 2H]
    last = forward[torch.arange(B, device=x.device), lengths - 1]       # [B, H]
    return out, torch.cat([last, backward[:, 0]], dim=-1)              # [B, 2H]


@dataclass(frozen=True)
class GloveEncoderConfig:
    BOUNDS: ClassVar[dict[str, str]] = {"hidden_size": ">= 1"}
    """Ranges checked by pipeline.config.build (the params key named in the error)."""
    kind: Literal["glove"] = "glove"
    """Which encoder: GloVe word vectors (+ entity-id and type embeddings) into a BiLSTM."""
    hidden_size: int = 128
    """LSTM units per direction (the encoder outputs twice this)."""
    freeze_words: bool = True
    """Keep the GloVe vectors fixed (the DocRED baseline does; GAIN and HeterGSAN fine-tune)."""


EncoderConfig = GloveEncoderConfig | TransformerConfig
"""A DocRED model's token encoder, chosen by its `kind` (params.yaml `encoders:`)."""


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

    def load_word_vectors(self, vectors: torch.Tensor) -> None:
        with torch.no_grad():
            self.word_emb.weight.copy_(vectors)

    def forward(self, word_ids: torch.Tensor, coref_ids: torch.Tensor, ner_ids: torch.Tensor,
                lengths: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        x = torch.cat([self.word_emb(word_ids), self.coref_emb(coref_ids),
                       self.ner_emb(ner_ids)], dim=-1)                 # [B, L, in]
        x = self.input_dropout(x)
        lengths = lengths.to(x.device).clamp(min=1)  # an empty document runs one padding step
        return bidirectional_lstm(self.lstm, x, lengths, self.h0, self.c0)

    def encode(self, batch) -> tuple[torch.Tensor, torch.Tensor]:
        """The models' call: token states [B, L, 2H] and final states [B, 2H] of a Batch."""
        return self(batch.word_ids, batch.coref_ids, batch.ner_ids, batch.lengths)


def make_encoder(config, dims: DataDims) -> nn.Module:
    """The token encoder of a model config (its `encoder`, with its coref_dim, ner_dim and
    dropout)."""
    encoder = config.encoder
    if isinstance(encoder, TransformerConfig):
        return TransformerEncoder(encoder, dims.max_entities, dims.num_ner_types,
                                  config.coref_dim, config.ner_dim)
    return GloveLSTMEncoder(dims, encoder.hidden_size, config.coref_dim, config.ner_dim,
                            config.dropout, encoder.freeze_words)


def uses_word_vectors(config: Any) -> bool:
    """Whether a model config's encoder takes the prepared GloVe vectors (a transformer has
    its own embeddings: only a GloVe model loads the vectors)."""
    return isinstance(config.encoder, GloveEncoderConfig)
