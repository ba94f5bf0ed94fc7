"""GAIN-GloVe (Zeng et al. 2020; reference-implementations.md 2.2-2.6) on PyTorch Geometric.

BiLSTM tokens -> mention-document graph (document node + mention nodes, three edge types)
-> relational GCN layers -> entities = mean of their mentions' bank vectors -> path
reasoning over the entity graph -> MLP classifier over
[e_h; e_t; |e_h - e_t|; e_h * e_t; document; paths].
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal

import torch

from pipeline.data.features import Batch
from pipeline.data.graphs import GAIN_EDGE_TYPES
from pipeline.models.graph_layers import PathReasoning, RelationalGCN
from pipeline.models.scatter import scatter_mean
from pipeline.models.encoders import EncoderConfig, GloveEncoderConfig, make_encoder
from pipeline.models.layers import (DataDims, LockedDropout, RelationModel, mlp_classifier,
                                    span_mean)


@dataclass(frozen=True)
class GAINConfig:
    BOUNDS: ClassVar[dict[str, str]] = {
        "coref_dim": ">= 1", "ner_dim": ">= 1", "gcn_layers": ">= 1", "mlp_hidden": ">= 1",
        "dropout": "in [0, 1)"}
    """Ranges checked by pipeline.config.build (the params key named in the error)."""
    arch: Literal["gain"] = "gain"
    """The architecture (pipeline/models/gain.py); graph nodes are as wide as the encoder's
    output (GloVe: 2 x hidden_size; GAIN: 2 x 256 -> gcn_dim 512)."""
    coref_dim: int = 20
    """Entity-id embedding width."""
    ner_dim: int = 20
    """Entity-type embedding width."""
    gcn_layers: int = 2
    """Relational GCN layers over the mention-document graph."""
    path_aggregation: str = "sum"
    """How a pair's two-hop paths are pooled: sum (GAIN's code) | softmax (GAIN's paper)."""
    mlp_hidden: int = 256
    """Hidden width of the classifier MLP (GAIN: 2 x bank = 3072)."""
    dropout: float = 0.2
    """Dropout on the LSTM input and output, graph layers, paths and classifier (GAIN: 0.6)."""
    encoder: EncoderConfig = GloveEncoderConfig()
    """The token encoder: GloVe + BiLSTM or a pretrained transformer (params.yaml
    `encoders:`, joined to the model's section by the run)."""


class GAIN(RelationModel):
    config_class = GAINConfig

    def __init__(self, config: GAINConfig, dims: DataDims):
        super().__init__()
        self.config, self.dims = config, dims
        self.encoder = make_encoder(config, dims)
        self.output_dropout = LockedDropout(config.dropout)
        node_dim = self.encoder.output_size
        self.gcn = RelationalGCN(node_dim, len(GAIN_EDGE_TYPES), config.gcn_layers,
                                 config.dropout)
        bank = node_dim * (config.gcn_layers + 1)
        self.paths = PathReasoning(bank, node_dim, config.path_aggregation, config.dropout)
        self.classifier = mlp_classifier(5 * bank + 4 * node_dim, config.mlp_hidden,
                                         dims.num_relations, config.dropout)

    def load_word_vectors(self, vectors: torch.Tensor) -> None:
        self.encoder.load_word_vectors(vectors)

    def forward(self, batch: Batch) -> torch.Tensor:
        tokens, document = self.encoder.encode(batch)                # [B, L, D], [B, D]
        tokens = self.output_dropout(tokens)
        B, E = batch.entity_map.shape[:2]
        mentions = span_mean(tokens, batch.mention_token, batch.mention_token_owner,
                             len(batch.mention_doc))                 # [M, D]
        nodes = torch.cat([self.output_dropout(document[:, None])[:, 0], mentions])  # [B+M, D]
        bank = self.gcn(nodes, batch.gain_edge_index, batch.gain_edge_type)  # [B+M, 3D]
        entities = scatter_mean(bank[B:], batch.mention_entity,
                                B * E)                               # [B*E, 3D], 0 if vanished
        pair_head = batch.pair_doc * E + batch.pair_h                 # [P] rows of entities
        pair_tail = batch.pair_doc * E + batch.pair_t
        paths = self.paths(entities, pair_head, pair_tail, batch.path_pair, batch.path_ho,
                           batch.path_ot, batch.path_to, batch.path_oh)  # [P, 4D]
        # The classifier's first layer over [e_h; e_t; |e_h - e_t|; e_h * e_t; doc; paths]:
        # the head, tail and document blocks per entity / document, the rest per pair.
        first, rest = self.classifier[0], self.classifier[1:]
        bank_dim = entities.shape[1]
        w_head, w_tail, w_abs, w_mul, w_doc, w_paths = first.weight.split(
            [bank_dim] * 5 + [paths.shape[1]], dim=1)
        head, tail = entities[pair_head], entities[pair_tail]         # [P, 3D]
        hidden = ((entities @ w_head.T)[pair_head] + (entities @ w_tail.T)[pair_tail]
                  + (bank[:B] @ w_doc.T)[batch.pair_doc]
                  + (head - tail).abs() @ w_abs.T + (head * tail) @ w_mul.T
                  + paths @ w_paths.T + first.bias)                   # [P, H]
        return rest(hidden)                                           # [P, R]
