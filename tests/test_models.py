import numpy as np
import pytest
import torch

from pipeline.models import MODELS, model_from_spec, model_spec
from pipeline.models.dialog_bert import DialogBERT
from pipeline.models.layers import MMBilinear
from pipeline.training.objectives import relation_loss
from tests.helpers import TINY_CONFIGS, random_doc, tiny_model, tiny_setup, train_steps

TRANSFORMER = {"encoder": "transformer"}  # the tiny BERT of tests/helpers.py
VARIANTS = [("bilstm", {}), ("gain", {}), ("gain", {"path_aggregation": "softmax"}),
            ("hetergsan", {}), ("bilstm", TRANSFORMER), ("gain", TRANSFORMER),
            ("hetergsan", TRANSFORMER)]


def test_every_registered_model_is_tested():
    # DialogBERT (bert, berts) is tested in tests/test_dialogre.py
    assert set(MODELS.values()) == {MODELS[name] for name, _ in VARIANTS} | {DialogBERT}
    assert sorted(TINY_CONFIGS) == sorted({name for name, _ in VARIANTS})
    for name, cls in MODELS.items():   # a transformer row is its GloVe model's class
        assert not name.endswith("_bert") or cls is MODELS[name.removesuffix("_bert")]


def test_mm_bilinear_equals_nn_bilinear():
    torch.manual_seed(0)
    ours, reference = MMBilinear(5, 6, 3), torch.nn.Bilinear(5, 6, 3)
    with torch.no_grad():
        reference.weight.copy_(ours.weight)
        reference.bias.copy_(ours.bias)
    x1 = torch.randn(7, 5, requires_grad=True)
    x2 = torch.randn(7, 6)
    a, b = ours(x1, x2), reference(x1, x2)
    assert torch.allclose(a, b, atol=1e-5)
    ga, = torch.autograd.grad(a.sum(), x1)
    gb, = torch.autograd.grad(b.sum(), x1)
    assert torch.allclose(ga, gb, atol=1e-5)


@pytest.mark.parametrize("name,overrides", VARIANTS)
def test_model_trains_on_tiny_data(name, overrides):
    rng = np.random.default_rng(0)
    docs = [random_doc(rng, f"d{i}") for i in range(6)]
    featurize, batcher, dims = tiny_setup(docs)
    batch = batcher([featurize(d) for d in docs])
    model = tiny_model(name, dims, **overrides)
    losses = train_steps(model, lambda: relation_loss(model(batch), batch.labels), 30)
    assert losses[-1] < 0.5 * losses[0]
    assert model(batch).shape == (len(batch.pair_h), dims.num_relations)


@pytest.mark.parametrize("name,overrides", VARIANTS)
def test_checkpoint_spec_rebuilds_the_same_model(name, overrides):
    rng = np.random.default_rng(1)
    docs = [random_doc(rng), random_doc(rng)]
    featurize, batcher, dims = tiny_setup(docs)
    model = tiny_model(name, dims, **overrides).eval()
    clone = model_from_spec(model_spec(name, model))
    clone.load_state_dict(model.state_dict())
    batch = batcher([featurize(d) for d in docs])
    assert torch.equal(model(batch), clone.eval()(batch))
    assert clone.config == model.config


@pytest.mark.parametrize("name,overrides", VARIANTS)
def test_a_document_is_scored_alone_as_in_a_batch(name, overrides):
    # Batching (offsets of nodes, edges, paths) must not mix documents.
    rng = np.random.default_rng(2)
    docs = [random_doc(rng, f"d{i}") for i in range(3)]
    featurize, batcher, dims = tiny_setup(docs)
    model = tiny_model(name, dims, **overrides).eval()
    together = model(batcher([featurize(d) for d in docs]))
    alone = torch.cat([model(batcher([featurize(d)])) for d in docs])
    assert torch.allclose(together, alone, atol=1e-5)
