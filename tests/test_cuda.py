"""`runtime.device: cuda`: every model, the SIEF step, training, prediction and the
robustness pass give on a GPU what they give on the CPU (within float32 rounding).

Skipped where there is no GPU; on the lent GPU machine benchmarks/gpu_check.sh runs them
first. SIEF_TEST_DEVICE=cpu runs them against the CPU itself (a check of the tests' own
code on a machine without a GPU).
"""
import copy
import json
import os
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch

from pipeline.data.features import make_collate
from pipeline.data.torchfile import load_pt
from pipeline.evaluation.predict import predict_probs
from pipeline.sief.objective import SIEFConfig, SIEFObjective
from pipeline.diagnostics.robustness import removal_probs
from pipeline.training.loop import TrainConfig, train
from pipeline.training.objectives import RelationObjective
from tests.helpers import (NUM_RELATIONS, VARIANTS, assert_close, assert_grads_close,
                           logits_and_grads, random_doc, tiny_model, tiny_run_repo, tiny_setup)
from tests.test_dialogre import dialog_setup

ROOT = Path(__file__).resolve().parents[1]
DEVICE = torch.device(os.environ.get("SIEF_TEST_DEVICE", "cuda"))
pytestmark = pytest.mark.skipif(DEVICE.type == "cuda" and not torch.cuda.is_available(),
                                reason="needs a CUDA device")


@pytest.fixture(autouse=True)
def float32_matmuls():
    """TF32 would round the GPU's matmuls to 10-bit mantissas: compare float32 with float32."""
    if DEVICE.type != "cuda":
        yield
        return
    kept = torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32
    torch.backends.cuda.matmul.allow_tf32 = torch.backends.cudnn.allow_tf32 = False
    yield
    torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32 = kept


def docred_setup(name: str, overrides: dict, n_docs: int = 5):
    docs = [random_doc(np.random.default_rng(7 + i), f"d{i}") for i in range(n_docs)]
    featurize, _, dims = tiny_setup(docs)
    return docs, featurize, tiny_model(name, dims, **overrides).eval()


def on_device(model: torch.nn.Module) -> torch.nn.Module:
    return copy.deepcopy(model).to(DEVICE)


@pytest.mark.parametrize("name,overrides", VARIANTS)
def test_every_docred_model_gives_the_cpu_logits_and_gradients(name, overrides):
    docs, featurize, model = docred_setup(name, overrides)
    features = [featurize(d) for d in docs]
    cpu_batch = make_collate(NUM_RELATIONS)(features)
    device_batch = make_collate(NUM_RELATIONS, DEVICE)(features)
    assert device_batch.word_ids.device.type == DEVICE.type
    cpu, cpu_grads = logits_and_grads(model, lambda m, b: m(b), cpu_batch, seed=3)
    gpu, gpu_grads = logits_and_grads(on_device(model), lambda m, b: m(b), device_batch, seed=3)
    assert_close(gpu, cpu, "logits")
    assert_grads_close(gpu_grads, cpu_grads)


@pytest.mark.parametrize("speaker_tokens", [False, True])
def test_dialogre_bert_gives_the_cpu_logits_and_gradients(tmp_path, speaker_tokens):
    docs, featurize, model = dialog_setup(tmp_path, speaker_tokens=speaker_tokens)
    model.eval()
    features = [featurize(d) for d in docs]
    cpu, cpu_grads = logits_and_grads(model, lambda m, b: m(b),
                                      make_collate(37)(features), seed=3)
    gpu, gpu_grads = logits_and_grads(on_device(model), lambda m, b: m(b),
                                      make_collate(37, DEVICE)(features), seed=3)
    assert_close(gpu, cpu, "logits")
    assert_grads_close(gpu_grads, cpu_grads)


@pytest.mark.parametrize("sief", [SIEFConfig(beta=0.0), SIEFConfig(evidence_rule="random"),
                                  SIEFConfig(evidence_rule="no_mention"),
                                  SIEFConfig(target="gold", mask_vanished_pairs=True)],
                         ids=["score", "random", "no_mention", "gold_masked"])
@pytest.mark.parametrize("name", ["bilstm", "gain", "hetergsan"])
def test_sief_step_gives_the_cpu_loss(name, sief):
    """The same sentences drawn (same rng), the same evidence, the same loss and gradient."""
    docs, featurize, model = docred_setup(name, {})
    features = [featurize(d) for d in docs]
    losses, grads = [], []
    for device, net in ((None, model), (DEVICE, on_device(model))):
        objective = SIEFObjective(sief, featurize, make_collate(NUM_RELATIONS, device), 64)
        loss, logs = objective(net, docs, features, np.random.default_rng(0))
        loss.backward()
        losses.append((loss.item(), logs["evidence_rate"]))
        grads.append(torch.cat([p.grad.cpu().flatten() for p in net.parameters()
                                if p.grad is not None]))
    assert losses[1] == pytest.approx(losses[0], abs=1e-5)
    assert_close(grads[1], grads[0], "gradient")


def test_training_then_prediction_and_robustness_on_the_device():
    """Two SIEF epochs through the training loop on the device; the trained model predicts
    and runs the robustness pass there as it does on the CPU."""
    docs, featurize, model = docred_setup("bilstm", {}, n_docs=6)
    features = [featurize(d) for d in docs]
    device_model, collate = on_device(model), make_collate(NUM_RELATIONS, DEVICE)
    cfg = TrainConfig(seed=1, epochs=2, batch_size=3, lr=1e-2, select_by="f1")

    def evaluate(m):  # a stand-in dev score: minus the relation loss on the training docs
        return {"f1": -RelationObjective(collate)(m, docs, features, None)[1]["loss"]}
    result = train(device_model, docs, features,
                   SIEFObjective(SIEFConfig(), featurize, collate, 64), evaluate, cfg,
                   log=lambda line: None)
    assert len(result.history) == 2 and all(np.isfinite(r["train_loss"]) for r in result.history)
    assert all(t.device.type == "cpu" for t in result.best_state.values())   # kept on the CPU
    model.load_state_dict(result.best_state)
    device_model.load_state_dict(result.best_state)
    cpu_probs = predict_probs(model, features, make_collate(NUM_RELATIONS), 4)
    gpu_probs = predict_probs(device_model, features, collate, 4)
    for a, b in zip(gpu_probs, cpu_probs):
        assert np.allclose(a, b, atol=1e-5)
    cpu_removal = removal_probs(model, docs, featurize, make_collate(NUM_RELATIONS), 64, 4)
    gpu_removal = removal_probs(device_model, docs, featurize, collate, 64, 4)
    for a, b in zip(gpu_removal, cpu_removal):
        assert np.allclose(a.p, b.p, atol=1e-5) and np.allclose(a.p_hat, b.p_hat, atol=1e-5)


def test_the_stages_run_with_runtime_device(tmp_path, monkeypatch):
    """train, sief, evaluate and robustness in process with `runtime.device` set, on
    tiny_run_repo's one-document splits: checkpoints, metrics and robustness written."""
    from stages.evaluate import main as evaluate_stage
    from commands.overlay import write_params
    from stages.robustness import main as robustness_stage
    from stages.sief import main as sief_stage
    from stages.train import main as train_stage
    root = tiny_run_repo(tmp_path)
    shutil.copy2(ROOT / "params.yaml", root / "params.yaml")
    write_params(root / "params.yaml", {
        "runtime.device": str(DEVICE), "schedules.docred.glove.base.epochs": 1,
        "schedules.docred.glove.finetune.epochs": 1, "robustness.max_docs": 1})
    monkeypatch.chdir(root)
    monkeypatch.setenv("SIEF_NO_PROGRESS", "1")
    data, runs, results = "data/processed/docred", "data/runs/docred/bilstm/glove", \
        "data/results/docred/bilstm/glove"
    for made in (f"{runs}/sief", f"{results}/sief"):  # tiny_run_repo's own: made anew here
        shutil.rmtree(made)
    run = ["--dataset", "docred", "--model", "bilstm", "--encoder", "glove", "--data", data]
    train_stage(run + ["--out", f"{runs}/base", "--history", f"{results}/base/history.csv"])
    sief_stage(run + ["--base", f"{runs}/base/model.pt", "--out", f"{runs}/sief",
                      "--history", f"{results}/sief/history.csv"])
    checkpoint = ["--data", data, "--checkpoint", f"{runs}/sief/model.pt"]
    evaluate_stage(checkpoint + ["--out", f"{results}/sief"])
    robustness_stage(checkpoint + ["--metrics", f"{results}/sief/metrics.json",
                                   "--out", f"{results}/sief"])
    metrics = json.loads((root / results / "sief" / "metrics.json").read_text())
    assert 0 <= metrics["dev"]["f1"] <= 1
    assert (root / results / "sief" / "robustness.json").is_file()
    state = load_pt(root / runs / "sief" / "model.pt", "checkpoint")["state_dict"]
    assert all(t.device.type == "cpu" for t in state.values())   # loads on any machine
