import numpy as np
import pytest
import torch

from pipeline.data.features import all_pairs, distance_bucket
from pipeline.errors import DataError
from tests.helpers import NUM_RELATIONS, three_sentence_doc, tiny_setup


def test_distance_buckets_match_docred():
    d = np.array([0, 1, 2, 3, 4, 7, 8, 15, 16, 31, 32, 63, 64, 127, 128, 255, 256, 999, -1, -5])
    assert distance_bucket(d).tolist() == [0, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9,
                                           9, -1, -3]


def test_features_by_hand():
    doc = three_sentence_doc()
    featurize, batcher, _ = tiny_setup([doc])
    f = featurize(doc)
    assert f.coref_ids.tolist() == [1, 0, 0, 2, 0, 0, 0, 0, 1, 0, 3, 0, 2, 0]
    assert f.ner_ids.tolist() == [4, 0, 0, 2, 0, 0, 0, 0, 4, 0, 4, 0, 2, 0]
    assert f.sent_ids.tolist() == [0] * 5 + [1] * 3 + [2] * 6
    batch = batcher([f])
    # Anna: two one-token mentions -> weight 1/2 on tokens 0 and 8.
    expected = torch.zeros(14)
    expected[[0, 8]] = 0.5
    assert torch.equal(batch.entity_map[0, 0], expected)
    # Pairs h-major: (0,1) (0,2) (1,0) (1,2) (2,0) (2,1)
    assert batch.pair_h.tolist() == [0, 0, 1, 1, 2, 2]
    assert batch.pair_t.tolist() == [1, 2, 0, 2, 0, 1]
    # First mentions start at 0 (Anna), 3 (Paris), 10 (Bob): d(0,1) = -3 -> bucket -2.
    assert batch.dist_ht.tolist()[:2] == [10 - 2, 10 - 4]  # d(0,2) = -10 -> bucket -4
    assert batch.dist_th.tolist()[:2] == [12, 14]
    labels = batch.labels
    assert labels.shape == (6, NUM_RELATIONS)
    assert labels[0].tolist() == [0, 1, 0, 0] and labels[1].tolist() == [0, 0, 1, 0]
    assert labels[2:, 0].tolist() == [1, 1, 1, 1]  # no relation -> NA column


def test_word_ids_by_lower_case_and_unknown():
    doc = three_sentence_doc()
    featurize, _, _ = tiny_setup([doc])
    vocab = featurize.vocab
    twice = [featurize(doc).word_ids.tolist() for _ in range(2)]   # cold, then memoised
    assert twice[0] == twice[1] == [vocab[t.lower()] for t in doc.tokens]
    assert twice[0][0] == vocab["anna"] and twice[0][5] == vocab["it"]   # "Anna", "It"
    assert featurize.word_id("Zoe") == 1 and featurize.word_id("PARIS") == vocab["paris"]


def test_truncation_is_counted():
    doc = three_sentence_doc()
    featurize, _, _ = tiny_setup([doc])
    featurize.max_tokens = 9  # cuts inside sentence 2: tokens 0..8 kept
    f = featurize(doc)
    assert len(f.word_ids) == 9 and f.truncated_tokens == 5
    assert f.truncated_mentions == 2  # Bob (token 10) and Paris (token 12); Anna at 8 stays


def test_too_many_entities_is_an_error():
    doc = three_sentence_doc()
    featurize, _, _ = tiny_setup([doc])
    featurize.max_entities = 2
    with pytest.raises(DataError, match=r"'Tiny'.*vertexSet: 3 entities, more than features.max_entities=2"):
        featurize(doc)


def test_vanished_entity_has_zero_map_but_keeps_its_pairs():
    doc = three_sentence_doc()
    featurize, batcher, _ = tiny_setup([doc])
    batch = batcher([featurize(doc.remove_sentence(2))])
    assert batch.entity_map[0, 2].sum() == 0
    assert len(batch.pair_h) == 6  # same pair list as the full document


def test_all_pairs():
    h, t = all_pairs(3)
    assert list(zip(h.tolist(), t.tolist())) == [(0, 1), (0, 2), (1, 0), (1, 2), (2, 0), (2, 1)]
