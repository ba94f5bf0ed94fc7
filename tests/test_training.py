"""Seeded, resumable training on tiny hand-made documents."""
import numpy as np
import pytest
import torch

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


def test_a_file_that_is_no_checkpoint_says_so(tmp_path):
    from pipeline.errors import DataError
    from pipeline.models.checkpoint import load_checkpoint
    with pytest.raises(DataError, match="no such checkpoint"):
        load_checkpoint(tmp_path / "model.pt")
    (tmp_path / "model.pt").write_text("not a checkpoint")
    with pytest.raises(DataError, match="not a checkpoint of this project"):
        load_checkpoint(tmp_path / "model.pt")
    torch.save({"weights": 1}, tmp_path / "other.pt")
    with pytest.raises(DataError, match="no model spec"):
        load_checkpoint(tmp_path / "other.pt")


def test_the_resume_fingerprint_covers_the_code(tmp_path):
    from pipeline.training.run import code_digest, fingerprint
    (tmp_path / "a.py").write_text("x = 1\n")
    (tmp_path / "data.bin").write_bytes(b"docs")
    before = code_digest(tmp_path)
    (tmp_path / "a.py").write_text("x = 2\n")
    assert code_digest(tmp_path) != before
    # configs, input bytes and the library's code all enter the run's fingerprint
    same = fingerprint({"lr": 1}, [tmp_path / "data.bin"])
    assert same == fingerprint({"lr": 1}, [tmp_path / "data.bin"])
    assert same != fingerprint({"lr": 2}, [tmp_path / "data.bin"])


def test_early_stopping_stops_after_patience_evaluations_without_a_better_dev_metric():
    scores = iter([0.3, 0.5, 0.4, 0.45, 0.6, 0.7])  # best at epoch 2, then two worse
    docs, features, batcher, dims = _data()
    cfg = TrainConfig(seed=3, epochs=6, batch_size=2, lr=1e-2, patience=2)
    result = train(tiny_bilstm(dims), docs, features, RelationObjective(batcher),
                   lambda m: {"ign_f1": next(scores), "f1": 0.0}, cfg, log=lambda s: None)
    assert [row["epoch"] for row in result.history] == [1, 2, 3, 4]
    assert result.best_epoch == 2 and result.best_dev["ign_f1"] == 0.5


def test_a_resumed_run_that_had_stopped_early_stays_stopped(tmp_path):
    docs, features, batcher, dims = _data()
    cfg = TrainConfig(seed=3, epochs=6, batch_size=2, lr=1e-2, patience=1)
    scores = iter([0.5, 0.4])
    first = train(tiny_bilstm(dims), docs, features, RelationObjective(batcher),
                  lambda m: {"ign_f1": next(scores), "f1": 0.0}, cfg,
                  resume_path=tmp_path / "resume.pt", fingerprint="same", log=lambda s: None)
    assert [row["epoch"] for row in first.history] == [1, 2]
    again = train(tiny_bilstm(dims), docs, features, RelationObjective(batcher),
                  lambda m: pytest.fail("a stopped run trained again"), cfg,
                  resume_path=tmp_path / "resume.pt", fingerprint="same", log=lambda s: None)
    assert again.best_epoch == 1 and len(again.history) == 2


def test_resume_states_of_finished_or_restored_runs_are_swept(tmp_path, monkeypatch):
    import os
    from pathlib import Path
    from stages.common import resume_file, sweep_resume
    monkeypatch.chdir(tmp_path)
    interrupted, running = resume_file(Path("data/runs/a/base")), resume_file(Path("data/runs/b"))
    for state in (interrupted, running):
        state.parent.mkdir(parents=True)
        state.write_bytes(b"state")
        os.utime(state, (1, 1))
    # DVC restored run a from its run cache after the interruption: no code of ours ran.
    Path("data/runs/a/base").mkdir(parents=True)
    Path("data/runs/a/base/model.pt").write_bytes(b"model")
    assert sweep_resume() == [interrupted]
    assert running.exists() and not interrupted.exists()
