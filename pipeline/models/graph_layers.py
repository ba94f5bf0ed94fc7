"""Graph layers of GAIN and HeterGSAN on PyTorch Geometric (no DGL; see README).

Each layer stack returns the node "bank": the concatenation of its input and every layer's
output, as both originals feed the bank to the entity representations. torch_geometric is
imported where a layer is built (about 2 s per process here), so a process that never
builds a graph model never pays for it.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from pipeline.models.layers import MMBilinear
from pipeline.models.scatter import scatter_sum


class RelationalGCN(nn.Module):
    """GAIN's relational GCN (reference-implementations.md 2.4) with PyG RGCNConv.

    h_i' = Dropout(ReLU(sum_r 1/max(1, indeg_r(i)) sum_{j->i, type r} W_r h_j + W_0 h_i + b)):
    RGCNConv with aggr="mean" (the per-relation mean), its root weight W_0 and bias, one full
    matrix per relation (no basis decomposition) -- the same maths as GAIN's DGL layer.
    """

    def __init__(self, dim: int, num_relations: int, num_layers: int, dropout: float):
        super().__init__()
        from torch_geometric.nn import RGCNConv
        self.convs = nn.ModuleList(RGCNConv(dim, dim, num_relations, aggr="mean")
                                   for _ in range(num_layers))
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor, edge_index: torch.Tensor,
                edge_type: torch.Tensor) -> torch.Tensor:
        outputs, h = [x], x                                       # x: [N, D]
        for conv in self.convs:
            h = self.dropout(torch.relu(conv(h, edge_index, edge_type)))
            outputs.append(h)
        return torch.cat(outputs, dim=-1)                         # [N, D * (layers + 1)]


class TypedGraphAttention(nn.Module):
    """HeterGSAN's multi-head graph attention over typed edges (reference 3.3), PyG GATConv.

    Per head: h = X W (shared by all edge types), score_ij = LeakyReLU(a_dst.h_i + a_src.h_j
    + c_{type(ij)}), softmax over every neighbour j of i (all types together), output
    ReLU(sum_j alpha_ij h_j + b), heads concatenated, dropout. The edge type enters as a
    one-hot edge feature, i.e. a learned per-type, per-head score term c. HeterGSAN instead
    has a separate score vector per type (a_k); PyG's RGATConv would give type-specific
    transforms but materialises one weight matrix per edge (measured 4.0 s per layer step
    on 8 documents here, 160x GATConv), so this layer keeps HeterGSAN's shared projection
    and softmax and approximates its typed scorer by a typed bias.
    """

    def __init__(self, dim: int, num_edge_types: int, heads: int, num_layers: int,
                 dropout: float):
        super().__init__()
        if dim % heads:
            raise ValueError(f"node width {dim} is not divisible by {heads} heads")
        self.num_edge_types = num_edge_types
        from torch_geometric.nn import GATConv
        self.convs = nn.ModuleList(
            GATConv(dim, dim // heads, heads=heads, edge_dim=num_edge_types,
                    add_self_loops=False, concat=True)
            for _ in range(num_layers))
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor, edge_index: torch.Tensor,
                edge_type: torch.Tensor) -> torch.Tensor:
        edge_attr = F.one_hot(edge_type, self.num_edge_types).to(x.dtype)  # [N_edges, T]
        outputs, h = [x], x                                                 # x: [N, D]
        for conv in self.convs:
            h = self.dropout(torch.relu(conv(h, edge_index, edge_attr)))
            outputs.append(h)
        return torch.cat(outputs, dim=-1)                                   # [N, D * (layers+1)]


class PathReasoning(nn.Module):
    """GAIN's path reasoning over the entity graph (reference-implementations.md 2.5).

    edge(a->b) = Dropout(ReLU(W_e [g_a; g_b])) for every ordered pair, g = the entities'
    last-layer slice. A path h - o - t is [edge(h->o); edge(o->t); edge(t->o); edge(o->h)].
    aggregation "sum" adds a pair's paths (what GAIN's code does: its softmax runs over a
    size-1 axis); "softmax" weights them by softmax_o(bilinear([e_h; e_t], path)) (the
    paper). Then Dropout(ReLU(W_p path)); a pair without paths aggregates a zero vector.
    Edges are computed per entity (W_e [g_a; g_b] = W_a g_a + W_b g_b) and W_p only on the
    pairs that have paths: the same maths as pair by pair (benchmarks/reference.py).
    """

    def __init__(self, entity_dim: int, slice_dim: int, aggregation: str, dropout: float):
        super().__init__()
        if aggregation not in ("sum", "softmax"):
            raise ValueError(f"path aggregation must be 'sum' or 'softmax', not {aggregation!r}")
        self.slice_dim, self.aggregation = slice_dim, aggregation
        self.edge = nn.Linear(2 * slice_dim, slice_dim)
        self.out = nn.Linear(4 * slice_dim, 4 * slice_dim)
        self.score = MMBilinear(2 * entity_dim, 4 * slice_dim, 1) if aggregation == "softmax" \
            else None
        self.dropout = nn.Dropout(dropout)

    def forward(self, entities: torch.Tensor, pair_head: torch.Tensor, pair_tail: torch.Tensor,
                path_pair: torch.Tensor, path_ho: torch.Tensor, path_ot: torch.Tensor,
                path_to: torch.Tensor, path_oh: torch.Tensor) -> torch.Tensor:
        """entities [N, entity_dim]; a pair's head and tail are rows of it ([P] each)."""
        g = entities[:, -self.slice_dim:]                                # [N, g]
        # W_e [g_a; g_b] as W_a g_a + W_b g_b, per entity rather than per pair.
        w_a, w_b = self.edge.weight.split(self.slice_dim, dim=1)
        edges = self.dropout(torch.relu((g @ w_a.T)[pair_head] + (g @ w_b.T)[pair_tail]
                                        + self.edge.bias))               # [P, g]
        paths = torch.cat([edges[path_ho], edges[path_ot], edges[path_to], edges[path_oh]],
                          dim=-1)                                        # [K, 4g]
        if self.score is not None:
            from torch_geometric.utils import softmax
            query = torch.cat([entities[pair_head], entities[pair_tail]],
                              dim=-1)[path_pair]                         # [K, 2 * entity]
            weight = softmax(self.score(query, paths), path_pair, num_nodes=len(pair_head))
            paths = weight * paths                                       # [K, 4g]
        # A pair without paths pools a zero vector, so its output is ReLU(bias): the output
        # layer runs on the pairs with paths only (about half of them in DocRED dev).
        with_paths, local = torch.unique(path_pair, return_inverse=True)  # [Pw], [K]
        pooled = scatter_sum(paths, local, len(with_paths))             # [Pw, 4g]
        out = torch.relu(self.out.bias).expand(len(pair_head), -1).index_copy(
            0, with_paths, torch.relu(self.out(pooled)))                 # [P, 4g]
        return self.dropout(out)
