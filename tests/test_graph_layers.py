"""Each graph layer against a tiny dense computation written out here."""
import pytest
import torch
import torch.nn.functional as F

from pipeline.models.graph_layers import PathReasoning, RelationalGCN, TypedGraphAttention

# 5 nodes; edges (src, dst, type), no self-loops, node 4 receives nothing.
EDGES = [(0, 1, 0), (2, 1, 0), (3, 1, 1), (1, 0, 2), (2, 0, 2), (0, 2, 1), (1, 3, 0),
         (2, 3, 0), (4, 3, 1)]
N, T = 5, 3


def graph():
    edge_index = torch.tensor([[s for s, _, _ in EDGES], [d for _, d, _ in EDGES]])
    edge_type = torch.tensor([k for _, _, k in EDGES])
    return edge_index, edge_type


def adjacency(k):
    """A[i, j] = 1 for an edge j -> i of type k."""
    a = torch.zeros(N, N)
    for s, d, kind in EDGES:
        if kind == k:
            a[d, s] = 1.0
    return a


def test_relational_gcn_layer_is_gain_maths():
    torch.manual_seed(0)
    layer = RelationalGCN(dim=4, num_relations=T, num_layers=1, dropout=0.5).eval()
    x = torch.randn(N, 4)
    conv = layer.convs[0]
    dense = x @ conv.root + conv.bias
    for k in range(T):
        a = adjacency(k)
        dense = dense + (a / a.sum(1, keepdim=True).clamp(min=1)) @ x @ conv.weight[k]
    out = layer(x, *graph())
    assert out.shape == (N, 8)
    assert torch.allclose(out[:, :4], x)                      # the bank starts with the input
    assert torch.allclose(out[:, 4:], torch.relu(dense), atol=1e-5)


def test_typed_graph_attention_layer_by_hand():
    torch.manual_seed(1)
    heads, width = 2, 4
    layer = TypedGraphAttention(dim=width, num_edge_types=T, heads=heads, num_layers=1,
                                dropout=0.5).eval()
    conv = layer.convs[0]
    with torch.no_grad():  # non-zero attention vectors so the softmax is not uniform
        for p in (conv.att_src, conv.att_dst, conv.att_edge, conv.bias):
            p.normal_()
    x = torch.randn(N, width)
    C = width // heads
    h = (x @ conv.lin.weight.T).view(N, heads, C)             # shared projection
    type_term = (conv.lin_edge.weight.T.view(T, heads, C) * conv.att_edge).sum(-1)  # [T, H]
    src = (h * conv.att_src).sum(-1)                           # [N, H]
    dst = (h * conv.att_dst).sum(-1)
    dense = torch.zeros(N, heads, C)
    for i in range(N):
        incoming = [(s, k) for s, d, k in EDGES if d == i]
        if not incoming:
            continue
        scores = torch.stack([F.leaky_relu(src[s] + dst[i] + type_term[k], 0.2)
                              for s, k in incoming])          # [deg, H]
        alpha = torch.softmax(scores, dim=0)
        dense[i] = sum(alpha[n][:, None] * h[s] for n, (s, _) in enumerate(incoming))
    expected = torch.relu(dense.reshape(N, width) + conv.bias)
    out = layer(x, *graph())
    assert torch.allclose(out[:, width:], expected, atol=1e-5)
    assert torch.allclose(out[4, width:], torch.relu(conv.bias))  # no neighbours: bias only


def pair_rows(E):
    rows = {}
    for h in range(E):
        for t in range(E):
            if h != t:
                rows[(h, t)] = len(rows)
    return rows


@pytest.mark.parametrize("aggregation", ["sum", "softmax"])
def test_path_reasoning_by_hand(aggregation):
    torch.manual_seed(2)
    E, bank, g = 4, 6, 2
    adjacent = {(0, 1), (1, 2), (0, 2), (2, 3), (1, 3)}        # undirected entity graph
    adjacent |= {(b, a) for a, b in adjacent}
    rows = pair_rows(E)
    entities = torch.randn(E, bank)
    pair_head = torch.tensor([h for h, _ in rows])
    pair_tail = torch.tensor([t for _, t in rows])
    paths = [(rows[(h, t)], o) for (h, t) in rows for o in range(E)
             if (h, o) in adjacent and (o, t) in adjacent]
    layer = PathReasoning(bank, g, aggregation, dropout=0.5).eval()
    pair_of = {r: ht for ht, r in rows.items()}
    hs = [pair_of[r] for r, _ in paths]
    out = layer(entities, pair_head, pair_tail, torch.tensor([r for r, _ in paths]),
                torch.tensor([rows[(h, o)] for (h, _), (_, o) in zip(hs, paths)]),
                torch.tensor([rows[(o, t)] for (_, t), (_, o) in zip(hs, paths)]),
                torch.tensor([rows[(t, o)] for (_, t), (_, o) in zip(hs, paths)]),
                torch.tensor([rows[(o, h)] for (h, _), (_, o) in zip(hs, paths)]))

    def edge(a, b):
        return torch.relu(layer.edge(torch.cat([entities[a, -g:], entities[b, -g:]])))

    for (h, t), r in rows.items():
        vectors = [torch.cat([edge(h, o), edge(o, t), edge(t, o), edge(o, h)])
                   for o in range(E) if (h, o) in adjacent and (o, t) in adjacent]
        pooled = torch.zeros(4 * g)
        if vectors and aggregation == "sum":
            pooled = sum(vectors)
        elif vectors:
            query = torch.cat([entities[h], entities[t]])
            scores = torch.stack([query @ layer.score.weight[0] @ v + layer.score.bias[0]
                                  for v in vectors])
            pooled = sum(w * v for w, v in zip(torch.softmax(scores, 0), vectors))
        assert torch.allclose(out[r], torch.relu(layer.out(pooled)), atol=1e-5), (h, t)
    assert any(len(v) > 1 for v in [[p for p in paths if p[0] == r] for r in rows.values()])
