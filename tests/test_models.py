import numpy as np
import pytest
import torch

from pipeline.errors import ConfigError
from pipeline.models import MODELS, build_model_config, model_from_spec, model_spec, upgrade_spec
from pipeline.models.dialog_bert import DialogBERT
from pipeline.models.encoders import GloveEncoderConfig
from pipeline.models.transformer import TransformerConfig
from pipeline.models.layers import MMBilinear
from pipeline.training.objectives import relation_loss
from tests.helpers import (TINY_CONFIGS, VARIANTS, random_doc, tiny_model, tiny_setup,
                           train_steps)



def test_every_architecture_is_tested():
    # DialogBERT (bert, berts) is tested in tests/test_dialogre.py
    assert set(MODELS.values()) == {MODELS[name] for name, _ in VARIANTS} | {DialogBERT}
    assert sorted(TINY_CONFIGS) == sorted({name for name, _ in VARIANTS})
    for arch, cls in MODELS.items():   # a config names its architecture
        assert cls.config_class().arch == arch


def test_a_model_section_and_an_encoder_section_make_one_config():
    section = {"arch": "gain", "mlp_hidden": 8}
    glove = build_model_config(section, {"kind": "glove", "hidden_size": 4}, "models.gain")
    assert glove.encoder == GloveEncoderConfig(hidden_size=4) and glove.mlp_hidden == 8
    bert = build_model_config(section, {"kind": "transformer", "name": "x", "window": 64,
                                        "overlap": 8}, "models.gain")
    assert isinstance(bert.encoder, TransformerConfig) and bert.encoder.window == 64
    with pytest.raises(ConfigError, match=r"encoders.bert: unknown key\(s\) \['hidden_size'\]"):
        build_model_config(section, {"kind": "transformer", "hidden_size": 4}, "models.gain",
                           "encoders.bert")
    with pytest.raises(ConfigError, match=r"encoders.x.kind: 'lstm' is not one of"):
        build_model_config(section, {"kind": "lstm"}, "models.gain", "encoders.x")
    with pytest.raises(ConfigError, match="names its architecture"):
        build_model_config({"mlp_hidden": 8}, {"kind": "glove"}, "models.gain")
    with pytest.raises(ConfigError, match="unknown architecture 'gcn'"):
        build_model_config({"arch": "gcn"}, {"kind": "glove"}, "models.gcn")


def test_version_1_specs_are_upgraded_and_unknown_versions_refused():
    dims = {"vocab_size": 5}
    v1_glove = {"name": "gain", "dims": dims,
                "config": {"hidden_size": 8, "mlp_hidden": 16, "freeze_words": False,
                           "encoder": "glove", "transformer": {"name": "x"}}}
    assert upgrade_spec(v1_glove)["config"] == {
        "mlp_hidden": 16, "arch": "gain",
        "encoder": {"kind": "glove", "hidden_size": 8, "freeze_words": False}}
    v1_bert = {"name": "berts", "dims": dims,
               "config": {"speaker_tokens": True, "transformer": {"name": "x", "window": 64}}}
    assert upgrade_spec(v1_bert)["config"] == {
        "speaker_tokens": True, "arch": "dialog_bert",
        "encoder": {"kind": "transformer", "name": "x", "window": 64}}
    with pytest.raises(ConfigError, match="version 7: this code reads versions 1 to 2"):
        upgrade_spec({"version": 7, "config": {}, "dims": dims})


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
    clone = model_from_spec(model_spec(model))
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
