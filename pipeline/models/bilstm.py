"""The DocRED BiLSTM baseline (Yao et al. 2019; reference-implementations.md 1.4)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal

import torch
from torch import nn

from pipeline.data.features import Batch
from pipeline.models.encoders import EncoderConfig, GloveEncoderConfig, make_encoder
from pipeline.models.layers import DataDims, EntityPairBilinear, RelationModel


@dataclass(frozen=True)
class BiLSTMConfig:
    BOUNDS: ClassVar[dict[str, str]] = {
        "proj_size": ">= 1", "coref_dim": ">= 1", "ner_dim": ">= 1", "dist_dim": ">= 1",
        "dropout": "in [0, 1)"}
    """Ranges checked by pipeline.config.build (the params key named in the error)."""
    arch: Literal["bilstm"] = "bilstm"
    """The architecture (pipeline/models/bilstm.py)."""
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
    encoder: EncoderConfig = GloveEncoderConfig()
    """The token encoder: GloVe + BiLSTM or a pretrained transformer (params.yaml
    `encoders:`, joined to the model's section by the run)."""


class BiLSTM(RelationModel):
    config_class = BiLSTMConfig

    def __init__(self, config: BiLSTMConfig, dims: DataDims):
        super().__init__()
        self.config, self.dims = config, dims
        self.encoder = make_encoder(config, dims)
        self.proj = nn.Linear(self.encoder.output_size, config.proj_size)
        self.dist_emb = nn.Embedding(20, config.dist_dim, padding_idx=10)
        self.classifier = EntityPairBilinear(config.proj_size, config.dist_dim,
                                             dims.num_relations)
        # Every distance bucket, through the embedding so that padding row 10 stays fixed.
        self.register_buffer("buckets", torch.arange(20), persistent=False)

    def load_word_vectors(self, vectors: torch.Tensor) -> None:
        self.encoder.load_word_vectors(vectors)

    def forward(self, batch: Batch) -> torch.Tensor:
        out, _ = self.encoder.encode(batch)                                  # [B, L, D]
        tokens = torch.relu(self.proj(out))                                  # [B, L, D]
        entities = torch.bmm(batch.entity_map, tokens)                       # [B, E, D]
        return self.classifier(entities, self.dist_emb(self.buckets), batch.pair_doc,
                               batch.pair_h, batch.pair_t, batch.dist_ht,
                               batch.dist_th)                                # [P, R]
