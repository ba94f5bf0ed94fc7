"""Seeded, resumable training on tiny hand-made documents."""
import numpy as np
import pytest

from pipeline.evaluation.predict import evaluate_probs, predict_probs
from pipeline.training.loop import TrainConfig, train
from pipeline.training.objectives import RelationObjective
from tests.helpers import random_doc, tiny_bilstm, tiny_setup

CFG = TrainConfig(seed=3, epochs=3, batch_size=2, lr=1e-2, eval_every=1)


def _data():
    rng = np.random.default_rng(7)
    docs = [random_doc(rng, f"d{i}") for i in range(6)]
    featurize, batcher, dims = tiny_setup(docs)
    return docs, [featurize(d) for d in docs], batcher, dims


def _run(tmp_path=None, fail_at_epoch=None, cfg=CFG):
    docs, features, batcher, dims = _data()
    model = tiny_bilstm(dims, seed=cfg.seed)

    def evaluate(m):
        if fail_at_epoch is not None and len(calls) + 1 == fail_at_epoch:
            raise KeyboardInterrupt("simulated interruption")
        calls.append(1)
        return evaluate_probs(docs, predict_probs(m, features, batcher, 4))

    calls = []
    resume = None if tmp_path is None else tmp_path / "resume.pt"
    return train(model, docs, features, RelationObjective(batcher), evaluate, cfg,
                 resume_path=resume, fingerprint="same", log=lambda s: None)


def test_same_seed_same_metrics():
    a, b = _run(), _run()
    assert _without_timing(a.history) == _without_timing(b.history)
    assert a.best_dev == b.best_dev


def _without_timing(history):
    return [{k: v for k, v in row.items() if k != "train_seconds"} for row in history]


def test_other_seed_other_path():
    a = _run()
    b = _run(cfg=TrainConfig(**{**CFG.__dict__, "seed": 4}))
    assert [r["train_loss"] for r in a.history] != [r["train_loss"] for r in b.history]


def test_interrupted_run_resumes_to_the_same_result(tmp_path):
    uninterrupted = _run()
    with pytest.raises(KeyboardInterrupt):
        _run(tmp_path, fail_at_epoch=3)
    assert (tmp_path / "resume.pt").exists()
    resumed = _run(tmp_path)
    assert [r["epoch"] for r in resumed.history] == [1, 2, 3]
    assert _without_timing(resumed.history) == _without_timing(uninterrupted.history)
    assert resumed.best_dev == uninterrupted.best_dev


def test_resume_state_of_other_params_is_ignored(tmp_path):
    with pytest.raises(KeyboardInterrupt):
        _run(tmp_path, fail_at_epoch=2)
    docs, features, batcher, dims = _data()
    logs = []
    train(tiny_bilstm(dims), docs, features, RelationObjective(batcher),
          lambda m: evaluate_probs(docs, predict_probs(m, features, batcher, 4)), CFG,
          resume_path=tmp_path / "resume.pt", fingerprint="other", log=logs.append)
    assert any("ignoring resume state" in line for line in logs)


def test_seeding_turns_on_deterministic_kernels():
    import torch
    from pipeline.training.seeding import seed_everything
    torch.use_deterministic_algorithms(False)
    seed_everything(1)
    assert torch.are_deterministic_algorithms_enabled()
