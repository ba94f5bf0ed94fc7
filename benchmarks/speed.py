"""Speed benchmark: every model, its pair-by-pair reference form beside the model as it is,
on the same documents, in one run; where the time of a step goes.

Run after `dvc repro prepare@docred prepare@dialogre`:
    python -m benchmarks.speed [--runs bilstm:glove gain:transformer ...] [--device cpu|cuda]
                               [--docs 48] [--sief-docs 320]
                               [--overrides experiments/paper/params.yaml] [--one-batch]

Per run (model:encoder of the grid of params.yaml or of an experiment's override set,
experiments/*/params.yaml; sizes from params.yaml, or --overrides), each form is measured
in a child process of its own, so that peak RSS (and on a GPU, peak allocated memory) belongs to that form alone:
- reference (benchmarks/reference.py): train docs/s of the form before issue 11, and its
  profile;
- model: train docs/s, SIEF step / base step (interleaved on the same batches, the first
  --sief-docs documents, with a bootstrap interval over batches) beside its floor, two
  base-loss passes with the second on SIEF's reduced documents (TwoPasses), dev
  evaluation, the robustness pass per document, and the profile of a base step, a SIEF
  step and an evaluation batch; with --one-batch also those two passes as one forward of
  both halves (OneBatch), the one exact change left that could take SIEF under its floor.
The dev evaluation of a DocRED model is the evaluate stage's work: forward, ranked metrics,
intra / inter F1, predictions at theta and the official fixed-set scorer, over --eval-docs
dev documents (all 500 by default; transformer rows: --eval-docs-transformer).
Training uses the first --docs training documents (DialogRE: instances), batch 8, Adam.
The last line printed is one JSON object keyed by model:encoder.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import resource
import subprocess
import sys
import time
from contextlib import contextmanager
from operator import attrgetter
from pathlib import Path

import numpy as np
import torch
from torch.autograd import DeviceType
from torch.autograd.profiler import record_function
from torch.profiler import ProfilerActivity, profile

from benchmarks.reference import FORWARD, reference_forward
from benchmarks.repro_times import cpu_model
from benchmarks.workload import Bench, load_bench, project_grid
from pipeline.diagnostics.categories import category_metrics
from pipeline.evaluation.docred_metrics import score_predictions
from pipeline.evaluation.predict import evaluate_probs, predict_probs, predictions_above
from pipeline.sief.objective import SIEFConfig, SIEFObjective
from pipeline.sief.removal import removable_sentences
from pipeline.diagnostics.robustness import removal_probs
from pipeline.training.objectives import RelationObjective, relation_loss

DEV_DOCS = 500
"""The dev documents of the full evaluation (Re-DocRED's, DocRED's)."""
PHASES = ("objective", "collate", "featurize", "backward", "optimizer")
"""Profiler ranges of a step; objective = collate (+ SIEF's featurize) + forward + loss."""


class ReferenceForm(torch.nn.Module):
    """The same model (same parameters) run by its pair-by-pair reference forward."""

    def __init__(self, model: torch.nn.Module):
        super().__init__()
        self.model = model

    def forward(self, batch):
        return reference_forward(self.model, batch)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--runs", nargs="+", default=grid_runs(),
                   help="model:encoder pairs of the grids of params.yaml and "
                   "experiments/*/params.yaml (default: all of them)")
    p.add_argument("--device", default="cpu")
    p.add_argument("--docs", type=int, default=48, help="training documents to time")
    p.add_argument("--sief-docs", type=int, default=320,
                   help="training documents of the interleaved SIEF / base timing (more than "
                   "--docs: the ratio of two noisy timings needs more batches)")
    p.add_argument("--batch-size", type=int, default=8)
    p.add_argument("--eval-docs", type=int, default=DEV_DOCS, help="dev documents, GloVe models")
    p.add_argument("--eval-docs-transformer", type=int, default=100,
                   help="dev documents (DialogRE: instances), transformer models")
    p.add_argument("--robustness-docs", type=int, default=10)
    p.add_argument("--one-batch", action="store_true",
                   help="also time TwoPasses with both passes in one batch (OneBatch) in the "
                   "interleaved SIEF / base timing")
    p.add_argument("--overrides", help="a params overrides file (e.g. "
                   "experiments/paper/params.yaml): its models.* and encoders.* sections "
                   "replace params.yaml's")
    p.add_argument("--processed", default="data/processed")
    p.add_argument("--out", type=Path, help="a folder for report.md (what is printed) and "
                   "summary.json (the last line), e.g. benchmarks/results/speed; both are "
                   "rewritten after every run, so a run cut short keeps what it measured")
    p.add_argument("--label", help="what the sizes are, for the report's first line "
                   "(default: params.yaml, + --overrides)")
    p.add_argument("--child", help=argparse.SUPPRESS)
    p.add_argument("--form", choices=("reference", "model"), help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        print(json.dumps(measure(args, args.child, args.form)))
        return
    sizes = args.label or f"params.yaml{' + ' + args.overrides if args.overrides else ''}"
    lines = [f"device: {device_name(args.device)}; batch {args.batch_size}; {args.docs} "
             f"training docs ({args.sief_docs} for SIEF / base); sizes from {sizes}"]
    print(lines[0], flush=True)
    summary = {}
    for name in args.runs:
        forms = {form: run_child(args, name, form) for form in ("reference", "model")}
        summary[name] = summarise(forms)
        run_lines = report(name, forms, summary[name])
        print("\n".join(run_lines), flush=True)
        lines += run_lines
        if args.out:  # kept for the README (commands/readme_tables.py's `speed` block)
            write_results(args.out, lines + target_lines(summary), summary)
    print("\n".join(target_lines(summary)))
    print(json.dumps(summary))


def write_results(folder: Path, lines: list[str], summary: dict) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "report.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "summary.json").write_text(json.dumps(summary, indent=1) + "\n", encoding="utf-8")


def run_child(args: argparse.Namespace, name: str, form: str) -> dict:
    argv = [sys.executable, "-m", "benchmarks.speed", "--child", name, "--form", form]
    for key in ("device", "docs", "sief_docs", "batch_size", "eval_docs", "eval_docs_transformer",
                "robustness_docs", "overrides", "processed"):
        if getattr(args, key) is not None:
            argv += [f"--{key.replace('_', '-')}", str(getattr(args, key))]
    argv += ["--one-batch"] if args.one_batch else []
    done = subprocess.run(argv, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{name} ({form}) failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def device_name(device: str) -> str:
    if torch.device(device).type == "cuda":
        return torch.cuda.get_device_name(torch.device(device))
    return f"{cpu_model()}, {torch.get_num_threads()} torch threads"


# --- one form of one model, in a child process ------------------------------------------

def grid_runs() -> list[str]:
    """Every model:encoder of params.yaml's grid and of its override sets' grids."""
    return [f"{m}:{e}" for runs in project_grid().values() for m, e in runs]


def run_dataset(model: str, encoder: str) -> str:
    """The dataset of a model:encoder pair (the grid entry that lists both)."""
    for dataset, runs in project_grid().items():
        if (model, encoder) in runs:
            return dataset
    raise SystemExit(f"{model}:{encoder} is in no grid of params.yaml or "
                     f"experiments/*/params.yaml (runs: {' '.join(grid_runs())})")


def measure(args: argparse.Namespace, name: str, form: str) -> dict:
    model_name, encoder = name.split(":")
    dataset = run_dataset(model_name, encoder)
    bench = load_bench(f"{args.processed}/{dataset}", model_name, encoder, args.device,
                       args.overrides)
    has_reference = type(bench.model) in FORWARD
    if form == "reference" and has_reference:
        bench.model = ReferenceForm(bench.model)
    n = min(args.docs, len(bench.train.docs))
    base = RelationObjective(timed(bench.batcher, "collate"))
    sief = SIEFObjective(SIEFConfig(), timed(bench.featurize, "featurize"),
                         timed(bench.batcher, "collate"), bench.featurize.max_tokens)
    train_steps(bench, base, args.batch_size, args.batch_size)       # warm-up
    out = {"form": form, "has_reference": has_reference, "docs": n,
           "base_s": train_steps(bench, base, n, args.batch_size),
           "profile_base": profile_steps(bench, base, 2, args.batch_size),
           "train_peak_rss_mb": peak_rss_mb(), **gpu_peak(args.device, "train_peak_gpu_mb")}
    if form == "model":
        jobs = {"base": base, "sief": sief, "two_passes": TwoPasses(sief)}
        if args.one_batch:
            jobs["one_batch"] = OneBatch(sief)
        paired = paired_steps(bench, jobs, min(args.sief_docs, len(bench.train.docs)),
                              args.batch_size)
        out["paired_base_s"], out["sief_s"] = paired.pop("base"), paired.pop("sief")
        out.update({f"{job}_s": seconds for job, seconds in paired.items()})
        out["profile_sief"] = profile_steps(bench, sief, 2, args.batch_size)
        out.update(evaluation(bench, args, name, dataset))
    out["peak_rss_mb"] = peak_rss_mb()
    out.update(gpu_peak(args.device, "peak_gpu_mb"))
    return out


def gpu_peak(device: str, key: str) -> dict[str, float]:
    """{key: peak GPU memory so far, MB} on CUDA, {} elsewhere."""
    if torch.device(device).type != "cuda":
        return {}
    return {key: torch.cuda.max_memory_allocated(torch.device(device)) / 2 ** 20}


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(function, phase: str):
    """`function` inside a profiler range named `phase` (the step's collate / featurize)."""
    def call(*a, **k):
        with record_function(phase):
            return function(*a, **k)
    return call


def train_steps(bench: Bench, objective, n_docs: int, batch_size: int) -> float:
    """Seconds for Adam steps over the first n_docs training documents."""
    model, optimizer, rng = bench.model.train(), adam(bench.model), np.random.default_rng(0)
    synchronize(bench)
    started = time.perf_counter()
    for i in range(0, n_docs, batch_size):
        step(bench, model, optimizer, objective, i, batch_size, rng)
    synchronize(bench)
    return time.perf_counter() - started


def paired_steps(bench: Bench, jobs: dict, n_docs: int, batch_size: int
                 ) -> dict[str, list[float]]:
    """Seconds of a step of each objective of `jobs` per batch, on the same batches,
    interleaved: each batch takes one step of each, in an order that reverses from batch to
    batch, so that the machine's drift over the run (timings move by +-25 % here) falls on
    all alike. Returns job name -> seconds per batch."""
    model, optimizer, rng = bench.model.train(), adam(bench.model), np.random.default_rng(0)
    seconds: dict[str, list[float]] = {job: [] for job in jobs}
    for k, i in enumerate(range(0, n_docs, batch_size)):
        order = list(jobs.items())
        for job, objective in order if k % 2 == 0 else order[::-1]:
            synchronize(bench)
            started = time.perf_counter()
            step(bench, model, optimizer, objective, i, batch_size, rng)
            synchronize(bench)
            seconds[job].append(time.perf_counter() - started)
    return seconds


class TwoPasses:
    """The floor under a SIEF step: the base loss on the batch and on the same documents
    with one sentence removed (drawn, removed, re-featurised and collated as SIEF does),
    averaged; no importance score, no focusing loss. SIEF step / this step is the cost of
    SIEF's own work."""

    def __init__(self, sief: SIEFObjective):
        self.sief = sief

    def __call__(self, model, docs, features, rng):
        batch = self.sief.collate(features)
        logits = model(batch)                                         # [P, R]
        _, _, batch_hat = self.sief.removal.draw(model, docs, batch, rng)
        loss = (relation_loss(logits, batch.labels) +
                relation_loss(model(batch_hat), batch.labels)) / 2
        return loss, {"loss": loss.item()}


class OneBatch(TwoPasses):
    """TwoPasses with both passes in one forward: the batch's documents and their reduced
    copies collated together (2B documents), the logits split at the first reduced
    document's pairs. The same loss up to float rounding (tests/test_speed_report.py), but
    dropout would draw its masks for 2B documents at once, so SIEF does not use it: its
    training stream, and every committed SIEF result, would change. Timed (--one-batch) to
    tell whether it would take a SIEF step under two base steps."""

    def __call__(self, model, docs, features, rng):
        sief = self.sief
        removal = sief.removal
        removed = [int(rng.integers(removable_sentences(model, d, removal.window))) for d in docs]
        reduced = [removal.featurize(d.remove_sentence(n)) for d, n in zip(docs, removed)]
        batch = sief.collate([*features, *reduced])
        full = batch.pair_offsets[len(docs)]    # the full documents' pairs come first
        labels = batch.labels[:full]            # a reduced document keeps its pairs
        if removal.stale_distance:              # as SentenceRemoval.draw
            batch = dataclasses.replace(batch, dist_ht=batch.dist_ht[:full].repeat(2),
                                        dist_th=batch.dist_th[:full].repeat(2))
        logits = model(batch)                                         # [2P, R]
        loss = (relation_loss(logits[:full], labels) + relation_loss(logits[full:], labels)) / 2
        return loss, {"loss": loss.item()}


def ratio(base: list[float], other: list[float]) -> float:
    """sum(other) / sum(base): one step's time over another's, on the same batches."""
    return sum(other) / sum(base)


def ratio_interval(base: list[float], sief: list[float], draws: int = 2000
                   ) -> tuple[float, float]:
    """95 % bootstrap interval of sum(SIEF) / sum(base) over batches (resampled in pairs:
    a batch's two steps ran on the same documents, one after the other)."""
    base_s, sief_s = np.asarray(base), np.asarray(sief)
    picks = np.random.default_rng(0).integers(len(base_s), size=(draws, len(base_s)))
    ratios = sief_s[picks].sum(axis=1) / base_s[picks].sum(axis=1)
    low, high = np.percentile(ratios, [2.5, 97.5])
    return float(low), float(high)


def adam(model: torch.nn.Module) -> torch.optim.Optimizer:
    return torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=1e-3)


def step(bench: Bench, model, optimizer, objective, start: int, batch_size: int, rng) -> None:
    """One Adam step on the training documents [start, start + batch_size), in profiler
    ranges per phase."""
    with record_function("objective"):
        loss, _ = objective(model, bench.train.docs[start:start + batch_size],
                            bench.train.features[start:start + batch_size], rng)
    optimizer.zero_grad()
    with record_function("backward"):
        loss.backward()
    with record_function("optimizer"):
        optimizer.step()


def synchronize(bench: Bench) -> None:
    if on_gpu(bench):
        torch.cuda.synchronize()


@contextmanager
def module_ranges(model: torch.nn.Module):
    """Profiler ranges 'module:<name>' around the forward of each of the model's children
    (around `encode` for the token encoders, which the models call instead of forward)."""
    handles, ranges, patched = [], {}, []
    root = model.model if isinstance(model, ReferenceForm) else model
    for child_name, child in root.named_children():
        label = f"module:{child_name}"
        if hasattr(child, "encode"):
            child.encode = timed(child.encode, label)  # an instance attribute, removed below
            patched.append(child)
            continue

        def enter(module, inputs, label=label):
            ranges.setdefault(label, []).append(record_function(label).__enter__())

        def leave(module, inputs, output, label=label):
            ranges[label].pop().__exit__(None, None, None)

        handles += [child.register_forward_pre_hook(enter), child.register_forward_hook(leave)]
    try:
        yield
    finally:
        for handle in handles:
            handle.remove()
        for child in patched:
            del child.encode


def profile_steps(bench: Bench, objective, steps: int, batch_size: int) -> dict:
    """ms per step of each phase and of each child module's forward, and the top operators.

    Children's forward times are what the direct call of a child costs (a reference form
    that bypasses a child's forward, e.g. its classifier, shows the time under 'objective')."""
    gpu = on_gpu(bench)
    with module_ranges(bench.model), profiler(gpu) as prof:
        started = time.perf_counter()
        train_steps(bench, objective, steps * batch_size, batch_size)
        wall = time.perf_counter() - started
    return breakdown(prof, steps, wall, gpu)


def on_gpu(bench: Bench) -> bool:
    return next(bench.model.parameters()).is_cuda


def profiler(gpu: bool) -> profile:
    return profile(activities=[ProfilerActivity.CPU] + ([ProfilerActivity.CUDA] if gpu else []))


def breakdown(prof, steps: int, wall: float, gpu: bool = False) -> dict:
    """Phases and modules in ms of CPU time per step (on a GPU: the time to launch their
    kernels; the wall time, synchronised, is the step's); operators by their share of the
    CPU's self time, or of the GPU's where the kernels ran there."""
    events = prof.key_averages()
    ranges = {e.key: e.cpu_time_total / 1000 / steps for e in events
              if e.key in PHASES or e.key.startswith("module:")}
    self_time = attrgetter("self_device_time_total" if gpu else "self_cpu_time_total")
    # on a GPU an operator's time is its kernels', which are events of their own too
    timed_events = [e for e in events if e.device_type != DeviceType.CPU
                    and not e.is_user_annotation] if gpu else events
    total = sum(map(self_time, timed_events)) or 1.0
    ops = sorted((e for e in events if e.key.startswith("aten::")), key=self_time, reverse=True)
    return {"wall_ms": 1000 * wall / steps, "ranges_ms": ranges,
            "top_ops_of": "GPU" if gpu else "CPU",
            "top_ops": [(e.key, round(100 * self_time(e) / total, 1)) for e in ops[:6]]}


def evaluation(bench: Bench, args: argparse.Namespace, name: str, dataset: str) -> dict:
    glove = dataset == "docred" and bench.model.config.encoder.kind == "glove"
    n = min(args.eval_docs if glove else args.eval_docs_transformer, len(bench.dev.docs))
    docs, features = bench.dev.docs[:n], bench.dev.features[:n]
    gpu = on_gpu(bench)
    with module_ranges(bench.model), profiler(gpu) as prof:
        predict_probs(bench.model, features[:32], bench.batcher, 32)
    out = {"profile_eval": breakdown(prof, 1, 0.0, gpu)}
    synchronize(bench)
    started = time.perf_counter()
    probs = predict_probs(bench.model, features, bench.batcher, 32)
    if dataset == "docred":  # what the evaluate stage does besides the forward pass
        ranked = evaluate_probs(docs, probs)
        category_metrics(docs, probs, ranked["theta"])
        id2rel = [str(r) for r in range(probs[0].shape[1])]
        score_predictions(predictions_above(docs, probs, ranked["theta"], id2rel), docs, id2rel)
    out.update(eval_docs=n, eval_s=time.perf_counter() - started)
    if glove:
        with_evidence = [d for d in bench.dev.docs if any(f.evidence for f in d.facts)]
        docs = with_evidence[:args.robustness_docs]
        started = time.perf_counter()
        removal_probs(bench.model, docs, bench.featurize, bench.batcher,
                      bench.featurize.max_tokens, batch_size=32)
        out["robustness_s_per_doc"] = (time.perf_counter() - started) / len(docs)
        out["robustness_forward_docs_per_doc"] = \
            sum(len(d.sents) + 1 for d in docs) / len(docs)
    return out


# --- the parent's report ------------------------------------------------------------------

SPEEDUP_TARGETS = {"bilstm:glove": 5.0, "gain:glove": 1.5, "hetergsan:glove": 2.0}
"""Issue 11's train speed-up targets (today's pair-by-pair form -> the model), for the
default grid's runs."""
SIEF_OVER_BASE_MAX = 2.0
"""Issue 11: a SIEF step at most 2.0x the base step, for every model."""
EVAL_SECONDS_MAX = 10.0
"""Issue 11: the full dev evaluation (DEV_DOCS) of a GloVe model in at most 10 s."""


def target_lines(summary: dict) -> list[str]:
    """Issue 11's targets against this run's figures, one row per model."""
    lines = ["\n## Targets of issue 11 (this run)",
             f"| run | train speed-up | SIEF / base <= {SIEF_OVER_BASE_MAX} (95 % CI; floor: two "
             f"passes) | peak RSS after training <= reference | full dev evaluation <= "
             f"{EVAL_SECONDS_MAX:.0f} s |", "| --- | --- | --- | --- | --- |"]
    for name, s in summary.items():
        lines.append(f"| {name} | {speedup_verdict(name, s)} | {sief_verdict(s)} | "
                     f"{memory_verdict(s)} | {evaluation_verdict(name, s)} |")
    return lines


def speedup_verdict(name: str, s: dict) -> str:
    if name not in SPEEDUP_TARGETS:
        return "-"
    target = SPEEDUP_TARGETS[name]
    return f"{'met' if s['train_speedup'] >= target else 'NOT met'}: " \
           f"{s['train_speedup']:.2f}x (>= {target}x)"


def sief_verdict(s: dict) -> str:
    """Met when the whole interval is under the bound, not met when it is all above, and
    undecided by this run when the bound lies inside it."""
    low, high = s["sief_over_base_95ci"]
    if high <= SIEF_OVER_BASE_MAX:
        verdict = "met"
    elif low > SIEF_OVER_BASE_MAX:
        verdict = "NOT met"
    else:
        verdict = f"undecided ({SIEF_OVER_BASE_MAX} inside the interval)"
    return f"{verdict}: {s['sief_over_base']:.2f}x [{low:.2f}, {high:.2f}]; floor " \
           f"{s['two_passes_over_base']:.2f}x"


def memory_verdict(s: dict) -> str:
    if not s["has_reference"]:
        return "- (one model: no reformulation)"
    met = s["train_peak_rss_mb"] <= s["reference_train_peak_rss_mb"]
    return f"{'met' if met else 'NOT met'}: {s['train_peak_rss_mb']:.0f} " \
           f"{'<=' if met else '>'} {s['reference_train_peak_rss_mb']:.0f} MB"


def evaluation_verdict(name: str, s: dict) -> str:
    if not name.endswith(":glove"):
        return "-"
    if s["eval_docs"] < DEV_DOCS:
        return f"- (only {s['eval_docs']} documents timed)"
    met = s["eval_s"] <= EVAL_SECONDS_MAX
    return f"{'met' if met else 'NOT met'}: {s['eval_docs']} documents in {s['eval_s']:.1f} s"


def summarise(forms: dict) -> dict:
    ref, new = forms["reference"], forms["model"]
    out = {"train_speedup": ref["base_s"] / new["base_s"],
           "train_docs_per_s": new["docs"] / new["base_s"],
           "reference_train_docs_per_s": ref["docs"] / ref["base_s"],
           "sief_over_base": ratio(new["paired_base_s"], new["sief_s"]),
           "sief_over_base_95ci": ratio_interval(new["paired_base_s"], new["sief_s"]),
           "sief_batches": len(new["sief_s"]),
           "two_passes_over_base": ratio(new["paired_base_s"], new["two_passes_s"]),
           "sief_over_two_passes": ratio(new["two_passes_s"], new["sief_s"]),
           **one_batch_ratios(new),
           "eval_docs_per_s": new["eval_docs"] / new["eval_s"],
           "eval_docs": new["eval_docs"], "eval_s": new["eval_s"],
           "peak_rss_mb": new["peak_rss_mb"], "train_peak_rss_mb": new["train_peak_rss_mb"],
           "reference_train_peak_rss_mb": ref["train_peak_rss_mb"],
           "has_reference": new["has_reference"]}
    for key in ("robustness_s_per_doc", "peak_gpu_mb", "train_peak_gpu_mb"):
        if key in new:
            out[key] = new[key]
    if "train_peak_gpu_mb" in ref:
        out["reference_train_peak_gpu_mb"] = ref["train_peak_gpu_mb"]
    return {k: round(v, 4) if isinstance(v, float)
            else [round(x, 4) for x in v] if isinstance(v, tuple) else v
            for k, v in out.items()}


def one_batch_ratios(new: dict) -> dict:
    """OneBatch / TwoPasses with its interval, and OneBatch / base, where it was timed."""
    if "one_batch_s" not in new:
        return {}
    return {"one_batch_over_two_passes": ratio(new["two_passes_s"], new["one_batch_s"]),
            "one_batch_over_two_passes_95ci": ratio_interval(new["two_passes_s"],
                                                             new["one_batch_s"]),
            "one_batch_over_base": ratio(new["paired_base_s"], new["one_batch_s"])}


def report(name: str, forms: dict, s: dict) -> list[str]:
    """The run's figures (`s`, its summary) and its profile table, as Markdown lines."""
    ref, new = forms["reference"], forms["model"]
    same = "" if s["has_reference"] else " (no reformulation: both forms are the model)"
    low, high = s["sief_over_base_95ci"]
    one_batch = ""
    if "one_batch_over_base" in s:
        one_low, one_high = s["one_batch_over_two_passes_95ci"]
        one_batch = (f"; both passes in one batch: {s['one_batch_over_base']:.2f}x the base "
                     f"step, {s['one_batch_over_two_passes']:.3f}x two passes [{one_low:.3f}, "
                     f"{one_high:.3f}]")
    lines = [
        f"\n## {name}{same}",
        f"train docs/s: reference {s['reference_train_docs_per_s']:.1f} -> model "
        f"{s['train_docs_per_s']:.1f} ({s['train_speedup']:.2f}x); SIEF step / base step "
        f"{s['sief_over_base']:.2f}x (95 % CI over {s['sief_batches']} batches "
        f"{low:.2f}-{high:.2f}; two base-loss passes, the second on the reduced documents: "
        f"{s['two_passes_over_base']:.2f}x the base step, so SIEF's own work is "
        f"{s['sief_over_two_passes']:.2f}x them{one_batch}); dev evaluation "
        f"{s['eval_docs']} docs in {s['eval_s']:.1f} s ({s['eval_docs_per_s']:.1f} docs/s); "
        f"peak RSS after training steps: reference "
        f"{s['reference_train_peak_rss_mb']:.0f} MB, model {s['train_peak_rss_mb']:.0f} MB; "
        f"after SIEF and evaluation {s['peak_rss_mb']:.0f} MB"
        + (f"; robustness {1000 * s['robustness_s_per_doc']:.0f} ms per dev document "
           f"({new['robustness_forward_docs_per_doc']:.1f} forward documents each)"
           if "robustness_s_per_doc" in s else "")
        + (f"; peak GPU memory after training steps: reference "
           f"{s['reference_train_peak_gpu_mb']:.0f} MB, model {s['train_peak_gpu_mb']:.0f} MB; "
           f"after SIEF and evaluation {s['peak_gpu_mb']:.0f} MB" if "peak_gpu_mb" in s else "")]
    columns = [("reference, base step", ref["profile_base"]),
               ("model, base step", new["profile_base"]),
               ("model, SIEF step", new["profile_sief"]),
               ("model, eval batch of 32", new["profile_eval"])]
    keys = sorted({k for _, prof in columns for k in prof["ranges_ms"]},
                  key=lambda k: (k.startswith("module:"), k not in PHASES or PHASES.index(k), k))
    lines += ["| ms per step | " + " | ".join(label for label, _ in columns) + " |",
              "| --- |" + " --- |" * len(columns),
              "| wall | " + " | ".join(f"{prof['wall_ms']:.0f}" if prof["wall_ms"] else "-"
                                      for _, prof in columns) + " |"]
    lines += [f"| {key} | " + " | ".join(f"{prof['ranges_ms'].get(key, 0.0):.1f}"
                                         for _, prof in columns) + " |" for key in keys]
    lines += [f"top operators, {label} (% of {prof['top_ops_of']} self time): "
              + ", ".join(f"{op} {pct}" for op, pct in prof["top_ops"])
              for label, prof in columns]
    return lines


if __name__ == "__main__":
    main()
