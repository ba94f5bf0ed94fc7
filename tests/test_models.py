import torch

from pipeline.models import MODELS, model_from_spec, model_spec
from pipeline.models.layers import MMBilinear
from pipeline.training.objectives import relation_loss
from tests.helpers import random_doc, tiny_bilstm, tiny_setup
import numpy as np


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


def test_bilstm_trains_on_tiny_data():
    rng = np.random.default_rng(0)
    docs = [random_doc(rng, f"d{i}") for i in range(6)]
    featurize, batcher, dims = tiny_setup(docs)
    batch = batcher([featurize(d) for d in docs])
    model = tiny_bilstm(dims)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    first = None
    for _ in range(30):
        loss = relation_loss(model(batch), batch.labels)
        first = loss.item() if first is None else first
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    assert loss.item() < 0.5 * first
    assert model(batch).shape == (len(batch.pair_h), dims.num_relations)


def test_checkpoint_spec_rebuilds_the_same_model():
    rng = np.random.default_rng(1)
    docs = [random_doc(rng)]
    featurize, batcher, dims = tiny_setup(docs)
    model = tiny_bilstm(dims).eval()
    clone = model_from_spec(model_spec("bilstm", model))
    clone.load_state_dict(model.state_dict())
    batch = batcher([featurize(docs[0])])
    assert torch.equal(model(batch), clone.eval()(batch))
    assert "bilstm" in MODELS
