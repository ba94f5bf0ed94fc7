"""benchmarks/speed.py's summary and report on hand-made measurements of a CUDA run (this
machine has no GPU: the figures a GPU session brings back must still read right), and its
OneBatch form against TwoPasses."""
from types import SimpleNamespace

import numpy as np
import pytest
from torch.autograd import DeviceType

from benchmarks import speed
from pipeline.sief.objective import SIEFConfig, SIEFObjective
from tests.helpers import (VARIANTS, assert_close, assert_grads_close, logits_and_grads,
                           random_doc, tiny_model, tiny_setup)


def event(key, cpu_us, self_cpu_us, self_gpu_us, device=DeviceType.CPU):
    return SimpleNamespace(key=key, cpu_time_total=cpu_us, self_cpu_time_total=self_cpu_us,
                           self_device_time_total=self_gpu_us, device_type=device,
                           is_user_annotation=False)


class FakeProfile:
    """Kineto's averages: CPU ops carry their kernels' GPU time, and the kernels are events
    of their own (device CUDA), so the GPU total counts the kernels only."""
    def key_averages(self):
        return [event("objective", 4000, 100, 0), event("module:encoder", 2000, 50, 0),
                event("aten::mm", 300, 300, 6000), event("aten::copy_", 900, 900, 2000),
                event("gemm_kernel", 0, 0, 6000, DeviceType.CUDA),
                event("copy_kernel", 0, 0, 2000, DeviceType.CUDA)]


def test_operators_rank_by_gpu_time_on_a_gpu_and_by_cpu_time_on_a_cpu():
    on_gpu = speed.breakdown(FakeProfile(), steps=2, wall=0.1, gpu=True)
    assert on_gpu["top_ops"] == [("aten::mm", 75.0), ("aten::copy_", 25.0)]
    assert on_gpu["top_ops_of"] == "GPU"
    assert on_gpu["ranges_ms"] == {"objective": 2.0, "module:encoder": 1.0}  # CPU ms per step
    assert on_gpu["wall_ms"] == 50.0
    on_cpu = speed.breakdown(FakeProfile(), steps=2, wall=0.1)
    assert on_cpu["top_ops"] == [("aten::copy_", 66.7), ("aten::mm", 22.2)]


def profile_of(gpu_ms: float) -> dict:
    return {"wall_ms": gpu_ms, "ranges_ms": {"objective": 1.0}, "top_ops_of": "GPU",
            "top_ops": [("aten::mm", 50.0)]}


def test_summary_and_report_of_a_cuda_run_carry_gpu_memory():
    reference = {"base_s": 4.0, "docs": 48, "train_peak_rss_mb": 3000.0,
                 "train_peak_gpu_mb": 2000.0, "profile_base": profile_of(80.0)}
    model = {"base_s": 1.0, "docs": 48, "train_peak_rss_mb": 2900.0, "train_peak_gpu_mb": 500.0,
             "peak_gpu_mb": 800.0, "peak_rss_mb": 3100.0, "has_reference": True,
             "paired_base_s": [1.0, 1.0], "sief_s": [2.0, 1.8], "two_passes_s": [1.9, 1.9],
             "one_batch_s": [1.9, 1.71],
             "eval_docs": 500, "eval_s": 2.0, "profile_base": profile_of(20.0),
             "profile_sief": profile_of(38.0), "profile_eval": profile_of(0.0)}
    forms = {"reference": reference, "model": model}
    summary = speed.summarise(forms)
    assert summary["train_speedup"] == 4.0 and summary["sief_over_base"] == 1.9
    assert summary["sief_over_two_passes"] == 1.0
    assert summary["one_batch_over_two_passes"] == 0.95 and summary["one_batch_over_base"] == 1.805
    assert summary["one_batch_over_two_passes_95ci"] == [0.9, 1.0]  # batch 2 twice; batch 1 twice
    assert (summary["reference_train_peak_gpu_mb"], summary["train_peak_gpu_mb"],
            summary["peak_gpu_mb"]) == (2000.0, 500.0, 800.0)
    text = "\n".join(speed.report("gain:glove", forms, summary))
    assert ("peak GPU memory after training steps: reference 2000 MB, model 500 MB; "
            "after SIEF and evaluation 800 MB") in text
    assert "top operators, model, base step (% of GPU self time): aten::mm 50.0" in text
    assert ("both passes in one batch: 1.80x the base step, 0.950x two passes [0.900, 1.000]"
            in text)
    del model["one_batch_s"]  # timed with --one-batch only
    assert "one batch" not in "\n".join(speed.report("gain:glove", forms, speed.summarise(forms)))


@pytest.mark.parametrize("name,overrides", VARIANTS)
def test_one_batch_is_two_passes_in_one_forward(name, overrides):
    """Same documents, same sentences removed, dropout off: the same loss and gradients."""
    rng = np.random.default_rng(5)
    docs = [random_doc(rng, f"d{i}") for i in range(4)]
    featurize, batcher, dims = tiny_setup(docs)
    features = [featurize(d) for d in docs]
    assert len({len(f.word_ids) for f in features}) > 1  # padding in both halves
    model = tiny_model(name, dims, **overrides).eval()
    two_passes = speed.TwoPasses(SIEFObjective(SIEFConfig(), featurize, batcher, window=64))

    def loss_and_grads(form):  # the same sentence draws for both forms
        return logits_and_grads(model, lambda m, _: form(m, docs, features,
                                                         np.random.default_rng(2))[0], None, 3)

    two_loss, two_grads = loss_and_grads(two_passes)
    one_loss, one_grads = loss_and_grads(speed.OneBatch(two_passes.sief))
    assert_close(one_loss, two_loss, "loss", atol=1e-5)
    assert_grads_close(one_grads, two_grads, atol=1e-5)


def run_summary(**changes) -> dict:
    summary = {"train_speedup": 6.0, "sief_over_base": 1.95, "sief_over_base_95ci": [1.9, 1.99],
               "two_passes_over_base": 1.9, "has_reference": True, "train_peak_rss_mb": 700.0,
               "reference_train_peak_rss_mb": 1200.0, "eval_docs": 500, "eval_s": 4.5}
    return {**summary, **changes}


def test_targets_met_missed_and_undecided():
    rows = speed.target_lines({
        "bilstm:glove": run_summary(),
        "gain:glove": run_summary(train_speedup=1.4, sief_over_base_95ci=[2.01, 2.1],
                                  train_peak_rss_mb=1300.0, eval_s=10.5),
        "berts:transformer_instance": run_summary(sief_over_base=2.02, has_reference=False,
                                                  sief_over_base_95ci=[1.98, 2.06],
                                                  eval_docs=100)})[3:]
    bilstm, gain, berts = (row.split(" | ") for row in rows)
    assert bilstm[1:] == ["met: 6.00x (>= 5.0x)", "met: 1.95x [1.90, 1.99]; floor 1.90x",
                          "met: 700 <= 1200 MB", "met: 500 documents in 4.5 s |"]
    assert gain[1:] == ["NOT met: 1.40x (>= 1.5x)", "NOT met: 1.95x [2.01, 2.10]; floor 1.90x",
                        "NOT met: 1300 > 1200 MB", "NOT met: 500 documents in 10.5 s |"]
    assert berts[1:] == ["-", "undecided (2.0 inside the interval): 2.02x [1.98, 2.06]; "
                         "floor 1.90x", "- (one model: no reformulation)", "- |"]


def test_dialogre_lengths_pads_each_batch_to_its_longest():
    from benchmarks.dialogre_lengths import BATCH, padded
    assert BATCH == 8
    # batches [1..8] and [9..16] pad to 8 and 16; the 17th instance makes no full batch
    assert padded(np.arange(1, 18)) == 12.0
