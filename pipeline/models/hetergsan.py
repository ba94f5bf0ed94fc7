"""HeterGSAN-GloVe (the SIEF code's base model; reference-implementations.md 3.2-3.3) on PyG.

BiLSTM tokens -> sentence-mention graph (four edge types) -> multi-head typed graph
attention layers -> entities = mean of their mentions' bank vectors -> MLP classifier over
[e_h; e_t; distance embedding].
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal

import torch
from torch import nn

from pipeline.data.features import Batch
from pipeline.data.graphs import GSAN_EDGE_TYPES
from pipeline.models.graph_layers import TypedGraphAttention
from pipeline.models.scatter import scatter_mean
from pipeline.models.encoders import EncoderConfig, GloveEncoderConfig, make_encoder
from pipeline.models.layers import (DataDims, LockedDropout, RelationModel, mlp_classifier,
                                    span_mean)


@dataclass(frozen=True)
class HeterGSANConfig:
    BOUNDS: ClassVar[dict[str, str]] = {
        "coref_dim": ">= 1", "ner_dim": ">= 1", "heads": ">= 1", "gat_layers": ">= 1",
        "dist_dim": ">= 1", "mlp_hidden": ">= 1", "dropout": "in [0, 1)"}
    """Ranges checked by pipeline.config.build (the params key named in the error)."""
    arch: Literal["hetergsan"] = "hetergsan"
    """The architecture (pipeline/models/hetergsan.py); graph nodes are as wide as the
    encoder's output (GloVe: 2 x hidden_size; HeterGSAN: 2 x 128 -> 256)."""
    coref_dim: int = 20
    """Entity-id embedding width."""
    ner_dim: int = 20
    """Entity-type embedding width."""
    heads: int = 4
    """Attention heads per graph layer (node width / heads each, concatenated)."""
    gat_layers: int = 2
    """Graph attention layers over the sentence-mention graph."""
    dist_dim: int = 20
    """Head-to-tail distance-bucket embedding width."""
    mlp_hidden: int = 256
    """Hidden width of the classifier MLP (HeterGSAN: 2 x bank = 1536)."""
    dropout: float = 0.2
    """Dropout on the LSTM input and output, graph layers and classifier (HeterGSAN: 0.5)."""
    encoder: EncoderConfig = GloveEncoderConfig()
    """The token encoder: GloVe + BiLSTM or a pretrained transformer (params.yaml
    `encoders:`, joined to the model's section by the run)."""


class HeterGSAN(RelationModel):
    config_class = HeterGSANConfig

    def __init__(self, config: HeterGSANConfig, dims: DataDims):
        super().__init__()
        self.config, self.dims = config, dims
        self.encoder = make_encoder(config, dims)
        self.output_dropout = LockedDropout(config.dropout)
        node_dim = self.encoder.output_size
        self.gat = TypedGraphAttention(node_dim, len(GSAN_EDGE_TYPES), config.heads,
                                       config.gat_layers, config.dropout)
        bank = node_dim * (config.gat_layers + 1)
        self.dist_emb = nn.Embedding(20, config.dist_dim)
        # Over [e_h; e_t; d_ht] (2 * bank + dist_dim); forward applies its first layer in parts.
        self.classifier = mlp_classifier(2 * bank + config.dist_dim, config.mlp_hidden,
                                         dims.num_relations, config.dropout)

    def load_word_vectors(self, vectors: torch.Tensor) -> None:
        self.encoder.load_word_vectors(vectors)

    def forward(self, batch: Batch) -> torch.Tensor:
        tokens, _ = self.encoder.encode(batch)                       # [B, L, D]
        tokens = self.output_dropout(tokens)
        B, E = batch.entity_map.shape[:2]
        S = len(batch.sent_doc)
        sentences = span_mean(tokens, batch.sent_token, batch.sent_token_owner, S)   # [S, D]
        mentions = span_mean(tokens, batch.mention_token, batch.mention_token_owner,
                             len(batch.mention_doc))                 # [M, D]
        bank = self.gat(torch.cat([sentences, mentions]), batch.gsan_edge_index,
                        batch.gsan_edge_type)                        # [S+M, 3D]
        entities = scatter_mean(bank[S:], batch.mention_entity,
                                B * E)                               # [B*E, 3D], 0 if vanished
        # The classifier's first layer over [e_h; e_t; d_ht], computed per entity and per
        # bucket, then summed per pair (the same maths as on the concatenated features).
        first, rest = self.classifier[0], self.classifier[1:]
        bank_dim = entities.shape[1]
        w_head, w_tail, w_dist = first.weight.split([bank_dim, bank_dim,
                                                     self.config.dist_dim], dim=1)
        hidden = ((entities @ w_head.T)[batch.pair_doc * E + batch.pair_h]      # [P, H]
                  + (entities @ w_tail.T)[batch.pair_doc * E + batch.pair_t]
                  + (self.dist_emb.weight @ w_dist.T)[batch.dist_ht] + first.bias)
        return rest(hidden)                                          # [P, R]
