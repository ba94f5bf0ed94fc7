"""The per-entity models equal their pair-by-pair reference forms (benchmarks/reference.py):
logits and every parameter's gradient within 1e-4, with dropout on (the same draws) and off,
on random documents of different lengths and entity counts (padding in every batch)."""
from pathlib import Path

import numpy as np
import pytest
import torch

from benchmarks.reference import reference_forward
from pipeline.data.torchfile import load_pt
from pipeline.models import model_from_spec
from pipeline.models.encoders import bidirectional_lstm
from tests.helpers import (VARIANTS, assert_close, assert_grads_close, logits_and_grads,
                           random_doc, tiny_model, tiny_setup)


@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("name,overrides", VARIANTS)
def test_model_equals_its_pair_by_pair_reference(name, overrides, training):
    rng = np.random.default_rng(7)
    docs = [random_doc(rng, f"d{i}") for i in range(5)]
    featurize, batcher, dims = tiny_setup(docs)
    batch = batcher([featurize(d) for d in docs])
    assert len(set(batch.lengths.tolist())) > 1  # padding is exercised
    model = tiny_model(name, dims, **overrides).train(training)
    new, new_grads = logits_and_grads(model, lambda m, b: m(b), batch, seed=3)
    old, old_grads = logits_and_grads(model, reference_forward, batch, seed=3)
    assert_close(new, old, "logits")
    assert_grads_close(new_grads, old_grads)


def test_padded_lstm_equals_packed_with_an_empty_document():
    torch.manual_seed(0)
    lstm = torch.nn.LSTM(3, 4, batch_first=True, bidirectional=True)
    h0, c0 = torch.randn(2, 1, 4), torch.randn(2, 1, 4)
    x = torch.randn(3, 6, 3)
    lengths = torch.tensor([6, 2, 1])  # length 1 is what an empty document is clamped to
    out, last = bidirectional_lstm(lstm, x, lengths, h0, c0)
    packed = torch.nn.utils.rnn.pack_padded_sequence(x, lengths, batch_first=True,
                                                     enforce_sorted=False)
    ref, (h_n, _) = lstm(packed, (h0.expand(-1, 3, -1).contiguous(),
                                  c0.expand(-1, 3, -1).contiguous()))
    ref, _ = torch.nn.utils.rnn.pad_packed_sequence(ref, batch_first=True, total_length=6)
    assert torch.allclose(out, ref, atol=1e-6)
    assert torch.allclose(last, torch.cat([h_n[0], h_n[1]], -1), atol=1e-6)
    assert torch.equal(out[1, 2:], torch.zeros(4, 8))  # padding stays zero


def test_checkpoints_written_before_the_reformulation_give_the_same_logits():
    # tests/fixtures/checkpoints-1bf6488.pt: tiny models saved, with their logits on these
    # documents, by the pair-by-pair code of commit 1bf6488.
    # Loaded as any checkpoint is (weights_only): files written before that change load.
    saved = load_pt(Path(__file__).parent / "fixtures" / "checkpoints-1bf6488.pt", "checkpoint")
    rng = np.random.default_rng(11)
    docs = [random_doc(rng, f"d{i}") for i in range(4)]
    featurize, batcher, _ = tiny_setup(docs)
    batch = batcher([featurize(d) for d in docs])
    assert sorted(saved) == ["bilstm", "gain", "gain-softmax", "hetergsan"]
    for key, checkpoint in saved.items():
        model = model_from_spec(checkpoint["model"])
        model.load_state_dict(checkpoint["state_dict"])  # strict: the same parameter names
        logits = model.eval()(batch)
        assert torch.allclose(logits, checkpoint["logits"], atol=1e-5), key
