"""The transformer encoder: windows by hand, word states against the backbone run by hand."""
import numpy as np
import pytest
import torch

from pipeline.errors import ConfigError
from pipeline.models.transformer import (TransformerConfig, WordPieces, make_windows,
                                         window_starts)
from pipeline.training.loop import TrainConfig, make_optimizer
from tests.helpers import (random_doc, three_sentence_doc, tiny_model, tiny_setup,
                           tiny_transformer)


def test_window_starts_by_hand():
    assert window_starts(3, content=4, overlap=1) == [0]          # fits: one window
    assert window_starts(4, content=4, overlap=1) == [0]
    # 10 pieces, 4 per window, 2 shared: [0,4) [2,6) [4,8) [6,10)
    assert window_starts(10, content=4, overlap=2) == [0, 2, 4, 6]
    # step 3: [0,4) [3,7), then the last window ends at the last piece: [5,9)
    assert window_starts(9, content=4, overlap=1) == [0, 3, 5]


def test_overlap_must_leave_room():
    with pytest.raises(ConfigError, match="overlap"):
        TransformerConfig(window=8, overlap=6)


class FakeTokenizer:
    PIECES = {"a": [10], "bc": [11, 12], "d": [13], "e": [14], "zz": []}
    unk_token_id = 1

    def __call__(self, word, add_special_tokens):
        return {"input_ids": self.PIECES[word]}


def test_make_windows_by_hand():
    # Document 0: a | b c | d -> pieces 10 11 12 13 (words 0 1 1 2); 3 pieces per window
    # (window 5 with [CLS]=2, [SEP]=3), overlap 1 -> starts [0, 1]. Document 1: e, and a
    # word the tokenizer drops (-> [UNK] = 1).
    win = make_windows([("a", "bc", "d"), ("e", "zz")], L=4, pieces=WordPieces(FakeTokenizer()),
                       window=5, overlap=1, cls_id=2, sep_id=3, pad_id=0)
    assert win.input_ids.tolist() == [[2, 10, 11, 12, 3], [2, 11, 12, 13, 3], [2, 14, 1, 3, 0]]
    assert win.attention.tolist() == [[1, 1, 1, 1, 1], [1, 1, 1, 1, 1], [1, 1, 1, 1, 0]]
    assert win.window_doc.tolist() == [0, 0, 1]
    # content positions, flat over [3 windows x 5]
    assert win.position.tolist() == [1, 2, 3, 6, 7, 8, 11, 12]
    # the word each belongs to, flat over [2 documents x L=4]
    assert win.word.tolist() == [0, 1, 1, 1, 1, 2, 4, 5]


def _doc_batch(docs):
    featurize, batcher, dims = tiny_setup(docs)
    return batcher([featurize(d) for d in docs]), dims


def test_word_state_is_the_mean_of_its_pieces_over_windows():
    rng = np.random.default_rng(3)
    doc = random_doc(rng)
    batch, dims = _doc_batch([three_sentence_doc(), doc])
    model = tiny_model("bilstm", dims, encoder="transformer").eval()
    encoder = model.encoder
    tokens, document = encoder.encode(batch)
    H = encoder.backbone.config.hidden_size
    # By hand: each window through the backbone alone, then every word's pieces collected.
    L = batch.word_ids.shape[1]
    win = encoder.windows(batch.words, L)
    assert (win.window_doc == 1).sum() > 1, "the random document must need several windows"
    sums, counts = torch.zeros(2 * L, H), torch.zeros(2 * L)
    with torch.no_grad():
        for r in range(len(win.input_ids)):
            n = int(win.attention[r].sum())
            states = encoder.backbone(input_ids=win.input_ids[r:r + 1, :n]).last_hidden_state[0]
            for flat, word in zip(win.position.tolist(), win.word.tolist()):
                if flat // win.input_ids.shape[1] == r:
                    sums[word] += states[flat % win.input_ids.shape[1]]
                    counts[word] += 1
    expected = (sums / counts.clamp(min=1)[:, None]).view(2, L, H)
    assert torch.allclose(tokens[..., :H], expected, atol=1e-5)
    # 'Paris' is two pieces (pa ##ris): its state is their mean, not the first piece's.
    assert counts[3] == 2
    # padding words are zero; the document vector is the mean of its words
    n0 = int(batch.lengths[0])
    assert tokens[0, n0:].abs().sum() == 0
    assert torch.allclose(document[0], tokens[0, :n0].mean(0), atol=1e-6)


def test_sentence_removal_rebuilds_the_word_pieces():
    doc = three_sentence_doc()
    featurize, batcher, dims = tiny_setup([doc])
    model = tiny_model("gain", dims, encoder="transformer").eval()
    reduced = featurize(doc.remove_sentence(0))
    assert reduced.words == ("It", "rains", ".", "Anna", "met", "Bob", "in", "Paris", ".")
    win = model.encoder.windows([reduced.words], len(reduced.words))
    tokenizer = model.encoder.tokenizer
    pieces = tokenizer(" ".join(reduced.words), add_special_tokens=False)["input_ids"]
    content = model.encoder.config.window - 2
    assert win.input_ids[0, 1:1 + content].tolist() == pieces[:content]


def test_encoder_weights_get_their_own_learning_rate():
    batch, dims = _doc_batch([three_sentence_doc()])
    model = tiny_model("hetergsan", dims, encoder=tiny_transformer(lr=1e-5, frozen_layers=1))
    optimizer = make_optimizer(model, TrainConfig(lr=1e-3))
    task, encoder = optimizer.param_groups
    assert (task["lr"], encoder["lr"]) == (1e-3, 1e-5)
    backbone = model.encoder.backbone
    assert {id(p) for p in encoder["params"]} == {
        id(p) for p in backbone.encoder.layer[1].parameters()} | {
        id(p) for p in backbone.pooler.parameters()}
    # every trainable weight is in exactly one group; frozen ones (layer 0, embeddings) in none
    grouped = [id(p) for g in optimizer.param_groups for p in g["params"]]
    assert sorted(grouped) == sorted(id(p) for p in model.parameters() if p.requires_grad)
    assert not any(p.requires_grad for p in backbone.embeddings.parameters())
