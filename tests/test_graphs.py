"""Document graphs: hand-derived edge lists, sentence removal, batching."""
import numpy as np
import pytest

from pipeline.data.document import pair_index
from pipeline.data.graphs import (entity_graph, mention_document_graph, sentence_mention_graph,
                                  two_hop_paths)
from tests.helpers import random_doc, three_sentence_doc, tiny_setup


def edge_set(edges, types=None):
    types = np.zeros(edges.shape[1], dtype=int) if types is None else types
    return {(int(s), int(d), int(k)) for s, d, k in zip(edges[0], edges[1], types)}


def both_ways(*pairs_with_type):
    return {e for a, b, k in pairs_with_type for e in ((a, b, k), (b, a, k))}


# three_sentence_doc: mentions in entity order
#   m0 Anna (s0), m1 Anna (s2), m2 Paris (s0), m3 Paris (s2), m4 Bob (s2)
def test_gain_mention_document_graph_by_hand():
    f = tiny_setup([three_sentence_doc()])[0](three_sentence_doc())
    intra, inter, document = 0, 1, 2  # node 0 = document, node 1 + m = mention m
    expected = both_ways((1, 2, intra), (3, 4, intra),
                         (1, 3, inter), (2, 4, inter), (2, 5, inter), (4, 5, inter),
                         *[(0, n, document) for n in range(1, 6)])
    assert edge_set(f.gain_edges, f.gain_edge_types) == expected
    assert f.gain_edges.shape[1] == len(expected)  # no duplicates


def test_gain_entity_graph_and_paths_by_hand():
    f = tiny_setup([three_sentence_doc()])[0](three_sentence_doc())
    # Anna-Paris share s0 and s2, Anna-Bob and Paris-Bob share s2: a triangle.
    assert edge_set(f.entity_edges) == both_ways((0, 1, 0), (0, 2, 0), (1, 2, 0))
    h, t = np.array([0, 0, 2]), np.array([1, 2, 1])
    rows, middle = two_hop_paths(f.entity_edges, 3, h, t)
    # (0,1) through 2, (0,2) through 1, (2,1) through 0.
    assert rows.tolist() == [0, 1, 2] and middle.tolist() == [2, 1, 0]


def test_hetergsan_graph_by_hand():
    f = tiny_setup([three_sentence_doc()])[0](three_sentence_doc())
    ss, sm, coref, same = 0, 1, 2, 3  # sentences 0..2, mention m = node 3 + m
    expected = both_ways((0, 1, ss), (0, 2, ss), (1, 2, ss),
                         (0, 3, sm), (2, 4, sm), (0, 5, sm), (2, 6, sm), (2, 7, sm),
                         (3, 4, coref), (5, 6, coref),
                         (3, 5, same), (4, 6, same), (4, 7, same), (6, 7, same))
    assert edge_set(f.gsan_edges, f.gsan_edge_types) == expected
    assert f.gsan_edges.shape[1] == len(expected)


def test_same_sentence_overrides_coreference():
    # Two mentions of one entity in one sentence: a same-sentence edge, not coreference.
    edges, types = sentence_mention_graph(np.array([0, 0]), np.array([0, 0]), 1)
    assert edge_set(edges, types) == both_ways((0, 1, 1), (0, 2, 1), (1, 2, 3))


def test_removing_a_sentence_by_hand():
    doc = three_sentence_doc()
    featurize = tiny_setup([doc])[0]
    # Without sentence 2, Bob vanishes and only Anna (m0) and Paris (m1) in s0 remain.
    f = featurize(doc.remove_sentence(2))
    assert edge_set(f.gain_edges, f.gain_edge_types) == both_ways(
        (1, 2, 1), (0, 1, 2), (0, 2, 2))
    assert edge_set(f.entity_edges) == both_ways((0, 1, 0))
    # Sentences 0, 1 (old 0, 1); mentions m0 -> node 2, m1 -> node 3.
    assert edge_set(f.gsan_edges, f.gsan_edge_types) == both_ways(
        (0, 1, 0), (0, 2, 1), (0, 3, 1), (2, 3, 3))
    # Without sentence 0 the triangle survives through sentence 2 (now 1).
    f = featurize(doc.remove_sentence(0))
    assert edge_set(f.entity_edges) == both_ways((0, 1, 0), (0, 2, 0), (1, 2, 0))


def _mention_keys(doc):
    """(entity, original sentence, start within sentence) of each mention, feature order."""
    origin = doc.origin or tuple(range(len(doc.sents)))
    return [(e, origin[m.sent_id], m.start - doc.sent_starts[m.sent_id])
            for e, ms in enumerate(doc.entities) for m in ms]


@pytest.mark.parametrize("seed", range(5))
def test_sentence_removal_drops_exactly_its_nodes_and_edges(seed):
    rng = np.random.default_rng(seed)
    doc = random_doc(rng)
    featurize = tiny_setup([doc])[0]
    full = featurize(doc)
    removed = int(rng.integers(len(doc.sents)))
    reduced_doc = doc.remove_sentence(removed)
    reduced = featurize(reduced_doc)
    keys = _mention_keys(doc)
    survivors = [i for i, k in enumerate(keys) if k[1] != removed]
    assert _mention_keys(reduced_doc) == [keys[i] for i in survivors]
    new_mention = {old: new for new, old in enumerate(survivors)}

    # GAIN: mention m -> node 1 + m; keep edges between surviving nodes, renumbered.
    gain_map = {0: 0, **{1 + old: 1 + new for old, new in new_mention.items()}}
    expected = {(gain_map[s], gain_map[d], k) for s, d, k in edge_set(full.gain_edges,
                                                                      full.gain_edge_types)
                if s in gain_map and d in gain_map}
    assert edge_set(reduced.gain_edges, reduced.gain_edge_types) == expected

    # HeterGSAN: sentence s -> s or s-1 after the removed one; mentions after the sentences.
    S = len(doc.sents)
    gsan_map = {s: s - (s > removed) for s in range(S) if s != removed}
    gsan_map.update({S + old: S - 1 + new for old, new in new_mention.items()})
    expected = {(gsan_map[s], gsan_map[d], k) for s, d, k in edge_set(full.gsan_edges,
                                                                      full.gsan_edge_types)
                if s in gsan_map and d in gsan_map}
    assert edge_set(reduced.gsan_edges, reduced.gsan_edge_types) == expected


def test_collate_offsets_graphs_and_paths():
    rng = np.random.default_rng(3)
    docs = [three_sentence_doc(), random_doc(rng), random_doc(rng)]
    featurize, batcher, _ = tiny_setup(docs)
    features = [featurize(d) for d in docs]
    batch = batcher(features)
    B = len(docs)
    M = [len(f.mention_entity) for f in features]
    S = [len(f.sent_start) for f in features]
    gain, gsan = edge_set(batch.gain_edge_index.numpy()), edge_set(batch.gsan_edge_index.numpy())
    expected_gain, expected_gsan = set(), set()
    for b, f in enumerate(features):
        m0, s0 = sum(M[:b]), sum(S[:b])
        gmap = lambda n: b if n == 0 else B + m0 + n - 1
        expected_gain |= {(gmap(s), gmap(d), 0) for s, d, _ in edge_set(f.gain_edges)}
        smap = lambda n: s0 + n if n < S[b] else sum(S) + m0 + n - S[b]
        expected_gsan |= {(smap(s), smap(d), 0) for s, d, _ in edge_set(f.gsan_edges)}
    assert gain == expected_gain and gsan == expected_gsan
    assert batch.gain_edge_type.tolist() == np.concatenate(
        [f.gain_edge_types for f in features]).tolist()

    # Every path row pair points at the right ordered pairs of its document.
    for k in range(len(batch.path_pair)):
        b = int(batch.pair_doc[batch.path_pair[k]])
        E, base = features[b].num_entities, batch.pair_offsets[b]
        h, t = int(batch.pair_h[batch.path_pair[k]]), int(batch.pair_t[batch.path_pair[k]])
        o = int(batch.pair_t[batch.path_ho[k]])
        assert int(batch.path_ho[k]) == base + pair_index(E, h, o)
        assert int(batch.path_ot[k]) == base + pair_index(E, o, t)
        assert int(batch.path_to[k]) == base + pair_index(E, t, o)
        assert int(batch.path_oh[k]) == base + pair_index(E, o, h)
        assert features[b].entity_edges.T.tolist().count([h, o]) == 1
        assert features[b].entity_edges.T.tolist().count([o, t]) == 1
    assert len(batch.path_pair) > 0
    # Pooled spans: the mention tokens are the mentions' own tokens.
    L = batch.word_ids.shape[1]
    f0 = features[0]
    owned = batch.mention_token[batch.mention_token_owner == 0].tolist()
    assert owned == list(range(f0.mention_start[0], f0.mention_end[0]))
    last = sum(M) - 1
    owned = batch.mention_token[batch.mention_token_owner == last].tolist()
    assert owned == [2 * L + i for i in range(features[2].mention_start[-1],
                                              features[2].mention_end[-1])]


def test_graph_builders_on_no_mentions():
    empty = np.zeros(0, dtype=np.int64)
    edges, types = mention_document_graph(empty, empty)
    assert edges.shape == (2, 0) and types.shape == (0,)
    assert entity_graph(empty, empty, 2).shape == (2, 0)
    edges, types = sentence_mention_graph(empty, empty, 2)
    assert edge_set(edges, types) == both_ways((0, 1, 0))
