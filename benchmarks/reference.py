"""The models' forward passes as they were before the per-entity reformulation (issue 11).

Kept as the oracle the tests (tests/test_reference_forms.py) and benchmarks/speed.py compare
the models against: the same parameters, every per-pair tensor built pair by pair, the
BiLSTM encoder on a packed sequence. Not used by the pipeline.
"""
from __future__ import annotations

import torch
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence
from torch_geometric.utils import scatter, softmax

from pipeline.data.features import Batch
from pipeline.models.bilstm import BiLSTM
from pipeline.models.gain import GAIN
from pipeline.models.hetergsan import HeterGSAN
from pipeline.models.encoders import GloveLSTMEncoder
from pipeline.models.layers import span_mean


def encode(encoder: torch.nn.Module, batch: Batch) -> tuple[torch.Tensor, torch.Tensor]:
    """Token states [B, L, D] and final states [B, D]; the GloVe BiLSTM on a packed sequence."""
    if not isinstance(encoder, GloveLSTMEncoder):
        return encoder.encode(batch)
    x = torch.cat([encoder.word_emb(batch.word_ids), encoder.coref_emb(batch.coref_ids),
                   encoder.ner_emb(batch.ner_ids)], dim=-1)          # [B, L, in]
    x = encoder.input_dropout(x)
    B, L, _ = x.shape
    packed = pack_padded_sequence(x, batch.lengths.cpu().clamp(min=1), batch_first=True,
                                  enforce_sorted=False)
    state = (encoder.h0.expand(-1, B, -1).contiguous(),
             encoder.c0.expand(-1, B, -1).contiguous())
    out, (h_n, _) = encoder.lstm(packed, state)
    out, _ = pad_packed_sequence(out, batch_first=True, total_length=L)  # [B, L, 2H]
    return out, torch.cat([h_n[0], h_n[1]], dim=-1)                 # [B, 2H]


def bilstm(model: BiLSTM, batch: Batch) -> torch.Tensor:
    """[e_h; d_ht]^T W_r [e_t; d_th] + b_r pair by pair (MMBilinear on [P, D + K] rows)."""
    out, _ = encode(model.encoder, batch)
    tokens = torch.relu(model.proj(out))
    entities = torch.bmm(batch.entity_map, tokens)                   # [B, E, D]
    head = torch.cat([entities[batch.pair_doc, batch.pair_h], model.dist_emb(batch.dist_ht)], -1)
    tail = torch.cat([entities[batch.pair_doc, batch.pair_t], model.dist_emb(batch.dist_th)], -1)
    weight = model.classifier.weight                                 # [R, D + K, D + K]
    R, side = weight.shape[:2]
    left = (head @ weight.permute(1, 0, 2).reshape(side, R * side)).view(-1, R, side)
    return torch.bmm(left, tail[:, :, None])[:, :, 0] + model.classifier.bias  # [P, R]


def gain(model: GAIN, batch: Batch) -> torch.Tensor:
    """The classifier MLP on the concatenated [P, 5 * bank + 4D] features."""
    tokens, document = encode(model.encoder, batch)
    tokens = model.output_dropout(tokens)
    B, E = batch.entity_map.shape[:2]
    mentions = span_mean(tokens, batch.mention_token, batch.mention_token_owner,
                         len(batch.mention_doc))
    nodes = torch.cat([model.output_dropout(document[:, None])[:, 0], mentions])
    bank = model.gcn(nodes, batch.gain_edge_index, batch.gain_edge_type)
    entities = scatter(bank[B:], batch.mention_entity, dim=0, dim_size=B * E, reduce="mean")
    head = entities[batch.pair_doc * E + batch.pair_h]               # [P, 3D]
    tail = entities[batch.pair_doc * E + batch.pair_t]
    paths = _paths(model.paths, head, tail, batch)                   # [P, 4D]
    features = torch.cat([head, tail, (head - tail).abs(), head * tail,
                          bank[batch.pair_doc], paths], dim=-1)
    return model.classifier(features)


def _paths(layer, head: torch.Tensor, tail: torch.Tensor, batch: Batch) -> torch.Tensor:
    """GAIN's path reasoning with its edge layer on the [P, 2g] pair concatenation."""
    g = layer.slice_dim
    edges = layer.dropout(torch.relu(layer.edge(torch.cat([head[:, -g:], tail[:, -g:]], -1))))
    paths = torch.cat([edges[batch.path_ho], edges[batch.path_ot], edges[batch.path_to],
                       edges[batch.path_oh]], dim=-1)                # [K, 4g]
    if layer.score is not None:
        query = torch.cat([head, tail], dim=-1)[batch.path_pair]
        paths = softmax(layer.score(query, paths), batch.path_pair,
                        num_nodes=len(head)) * paths
    pooled = scatter(paths, batch.path_pair, dim=0, dim_size=len(head), reduce="sum")
    return layer.dropout(torch.relu(layer.out(pooled)))


def hetergsan(model: HeterGSAN, batch: Batch) -> torch.Tensor:
    """The classifier MLP on the concatenated [P, 2 * bank + K] features."""
    tokens, _ = encode(model.encoder, batch)
    tokens = model.output_dropout(tokens)
    B, E = batch.entity_map.shape[:2]
    S = len(batch.sent_doc)
    sentences = span_mean(tokens, batch.sent_token, batch.sent_token_owner, S)
    mentions = span_mean(tokens, batch.mention_token, batch.mention_token_owner,
                         len(batch.mention_doc))
    bank = model.gat(torch.cat([sentences, mentions]), batch.gsan_edge_index,
                     batch.gsan_edge_type)
    entities = scatter(bank[S:], batch.mention_entity, dim=0, dim_size=B * E, reduce="mean")
    features = torch.cat([entities[batch.pair_doc * E + batch.pair_h],
                          entities[batch.pair_doc * E + batch.pair_t],
                          model.dist_emb(batch.dist_ht)], dim=-1)
    return model.classifier(features)


FORWARD = {BiLSTM: bilstm, GAIN: gain, HeterGSAN: hetergsan}


def reference_forward(model: torch.nn.Module, batch: Batch) -> torch.Tensor:
    """Logits [P, R] of `model` on `batch` by the pair-by-pair form."""
    return FORWARD[type(model)](model, batch)
