"""Tables 1, 3 and 4 from the metrics files, ours beside the paper's, as Markdown and CSV."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

import numpy as np
import pandas as pd

from pipeline.diagnostics.shift import common_threshold, flips_at, shift_measures
from pipeline.reporting import paper
from pipeline.errors import DataError
from pipeline.evaluation.significance import (EQUIVALENCE_MARGIN, Interval, bootstrap_intervals,
                                             f1_from_counts, minimal_detectable_effect,
                                             one_interval, seed_interval, two_level_bootstrap,
                                             verdict)

Run = tuple[str, str, str]  # (model, encoder, job): the run's fields in params.yaml


@dataclass
class RunResults:
    """What the evaluate and robustness stages wrote for one checkpoint."""
    metrics: dict
    robustness: dict
    result_file: str
    """Path of the test-set leaderboard file (result.json) for this run."""
    kind: str = "glove"
    """The encoder's kind (glove | transformer): which of the paper's rows it compares with."""


@dataclass
class Table:
    name: str
    """File stem (table1 -> table1.md, table1.csv)."""
    title: str
    frame: pd.DataFrame
    notes: list[str] = field(default_factory=list)


def _pct(x: float | None) -> float | None:
    return None if x is None else round(100 * x, 2)


def _paper(values: dict, run: Run, i: int, kind: str = "glove") -> float | None:
    model, _, job = run
    return values[(model, kind, job)][i] if (model, kind, job) in values else None


def _name(run: Run, results: RunResults) -> str:
    """The row name; a transformer run names its pretrained encoder."""
    model, _, job = run
    transformer = results.metrics.get("encoder") if results.kind == "transformer" else None
    return paper.row_name(model, job, transformer)


def table1(results: dict[Run, RunResults],
           replicates: dict[Run, list[dict]] | None = None) -> Table:
    """`replicates`: (model, encoder, job) -> dev metrics of the runs with the extra seeds; the
    row's mean and sample std are over its own run (the schedule's seed) and those."""
    rows = []
    for run, r in results.items():
        dev = r.metrics["dev"]
        rows.append({"model": _name(run, r),
                     "encoder": r.metrics.get("encoder", "GloVe + BiLSTM"),
                     "dev Ign F1": _pct(dev["ign_f1"]),
                     "dev F1": _pct(dev["f1"]),
                     **seed_summary([dev] + (replicates or {}).get(run, [])),
                     "paper dev Ign F1": _paper(paper.TABLE1, run, 0, r.kind),
                     "paper dev F1": _paper(paper.TABLE1, run, 1, r.kind),
                     "paper test Ign F1": _paper(paper.TABLE1, run, 2, r.kind),
                     "paper test F1": _paper(paper.TABLE1, run, 3, r.kind),
                     **test_columns(r.metrics.get("test", {})),
                     "test (leaderboard file)": r.result_file})
    return Table("table1", "Table 1: DocRED dev Ign F1 / F1", pd.DataFrame(rows),
                 ["Test Ign F1 / F1: scored by the official definitions at the dev theta "
                  "where the test split has labels (Re-DocRED's test, experiments/redocred); "
                  "'not available' for DocRED's test, which has no public labels: its "
                  "result.json is the leaderboard upload, and the CodaLab leaderboard closed "
                  "in January 2026.",
                  "seeds: runs behind the mean and sample std (the schedule's seed and "
                  "seeds.extra); the std needs two. The GloVe runs' differences with their "
                  "intervals: table sief_effect."])


def test_columns(test: dict) -> dict[str, float | str]:
    """Test Ign F1 and F1 in percent, or 'not available' without test labels."""
    if not test.get("labelled"):
        return {"test Ign F1": NOT_AVAILABLE, "test F1": NOT_AVAILABLE}
    return {"test Ign F1": _pct(test["ign_f1"]), "test F1": _pct(test["f1"])}


NOT_AVAILABLE = "not available"


def seed_summary(devs: list[dict]) -> dict[str, float | int | None]:
    """Mean and sample standard deviation (in percent) of dev Ign F1 and F1 over seeds."""
    out: dict[str, float | int | None] = {"seeds": len(devs)}
    for key, label in (("ign_f1", "Ign F1"), ("f1", "F1")):
        values = pd.Series([100 * d[key] for d in devs], dtype=float)
        out[f"dev {label} mean"] = round(float(values.mean()), 2)
        out[f"dev {label} std"] = round(float(values.std(ddof=1)), 2) if len(devs) > 1 else None
    return out


@dataclass
class SeedRuns:
    """The runs of one (model, encoder, job) over seeds, in one seed order shared by the
    jobs of a model (the main run first, then seeds.extra)."""
    dev: list[dict]
    """Each run's best dev metrics (f1, ign_f1)."""
    counts: np.ndarray
    """[S, D, 4] per-document dev counts at each run's theta (document_counts)."""


def level_interval(runs: SeedRuns, resamples: int = 2000) -> Interval:
    """The 95 % interval of a job's mean dev F1 over its seeds, made as the difference
    tables make theirs: the two-level bootstrap (seeds, then documents) of its difference
    from a run that predicts nothing (F1 0), widened to hold Student's t over the seeds;
    with one seed, the bootstrap over documents."""
    nothing = np.zeros_like(runs.counts, dtype=float)
    f1 = np.array([d["f1"] for d in runs.dev])
    return one_interval(two_level_bootstrap(runs.counts, nothing, resamples)["f1"],
                        seed_interval(f1, np.zeros_like(f1)))


COMPARISONS = (("sief", "control"), ("sief", "base"), ("control", "base"))
"""The paired differences of table sief_effect: SIEF against its control, then its base,
then the control against the base (what the extra epochs give without SIEF)."""


def effect_table(runs: dict[Run, SeedRuns], resamples: int = 2000,
                 kinds: dict[str, str] | None = None) -> Table:
    """SIEF - control, SIEF - base and control - base per model, dev Ign F1 and F1 in
    points: the mean paired difference, its 95 % interval from the two-level paired
    bootstrap (seeds, then documents), the minimal detectable effect at 80 % power, the
    verdict on that interval, the t interval over seeds and the bootstrap over documents
    alone, and the paper's SIEF - base.

    kinds: encoder name -> glove | transformer (params.yaml `encoders.<name>.kind`); a
    transformer run's row names its encoder and compares with the paper's BERT-base row.
    Every encoder is GloVe when None."""
    kinds = kinds or {}

    def published(model: str, kind: str, a: str, b: str, column: int) -> float | None:
        theirs = [paper.TABLE1.get((model, kind, job)) for job in (a, b)]
        return round(theirs[0][column] - theirs[1][column], 2) if all(theirs) else None
    rows = difference_rows(runs, COMPARISONS, resamples, kinds, published)
    transformers = sorted({e for _, e, _ in runs if kinds.get(e, "glove") != "glove"})
    return Table("sief_effect", "Is SIEF's difference beyond the noise? "
                 f"({'all' if transformers else 'GloVe'} runs, dev)", pd.DataFrame(rows),
                 ["Mean over seeds of the paired difference (the SIEF and control runs of a "
                  "seed start from that seed's base run), in points; each "
                  "run's epoch and theta chosen on all dev documents, as the paper does "
                  "(cross-fitted: arms_effect). " + interval_note(resamples) +
                  " control - Base: what the "
                  "extra epochs give without SIEF. The paper has no control run: its column "
                  "is +SIEF - Base (one run each, full DocRED, original dev set)."]
                 + ([f"Rows naming an encoder ({', '.join(transformers)}): ours is the "
                     "pretrained model of params.yaml `encoders`, the paper's BERT-base."]
                    if transformers else []))


def interval_note(resamples: int) -> str:
    """How every difference table's intervals and verdicts are made."""
    return (f"95% CI: paired two-level bootstrap ({resamples} resamples; each draws the seeds, "
            "then the dev documents, with replacement, the same draws for both runs), F1 from "
            "the summed per-document counts at each run's dev theta, widened where needed to "
            "hold Student's t interval over seeds (a bootstrap over 3-5 seeds is too narrow "
            "about their noise). MDE: the smallest true difference a paired t-test at 5 % "
            "would find with 80 % power at the observed seed spread. Verdict on the 95% CI: "
            "better / worse when it excludes 0; else no effect larger than its larger bound "
            f"when that is within {100 * EQUIVALENCE_MARGIN:.0f} point; else whether it "
            "excludes the paper's difference; else undecided (one seed: always undecided). "
            "95% CI over seeds (Student's t, training noise alone) and over documents "
            "(bootstrap over documents alone): information.")


Published = Callable[[str, str, str, str, int], "float | None"]
"""(model, encoder kind, first job, second job, column 0 = Ign F1 | 1 = F1) -> the paper's
difference in points, or None."""


def difference_rows(runs: dict[Run, SeedRuns], comparisons: Sequence[tuple[str, str]],
                    resamples: int, kinds: dict[str, str], published: Published
                    ) -> list[dict]:
    """One row per (model, comparison a - b, metric) whose two runs exist, in points: the
    mean paired difference over seeds, its one 95 % interval, the MDE, the verdict (against
    the paper's difference where `published` gives one) and the two informative intervals."""
    rows = []
    models = dict.fromkeys((model, encoder) for model, encoder, _ in runs)
    for model, encoder in models:
        kind = kinds.get(encoder, "glove")
        name = effect_row_name(model, encoder, kind)
        for a, b in comparisons:
            if (model, encoder, a) not in runs or (model, encoder, b) not in runs:
                continue
            first, second = runs[(model, encoder, a)], runs[(model, encoder, b)]
            over_documents = bootstrap_intervals(first.counts, second.counts, resamples)
            both = two_level_bootstrap(first.counts, second.counts, resamples)
            for column, (key, label) in enumerate((("ign_f1", "Ign F1"), ("f1", "F1"))):
                ours = [d[key] for d in first.dev], [d[key] for d in second.dev]
                seeds = seed_interval(*ours)
                documents, interval = over_documents[key], one_interval(both[key], seeds)
                detectable = minimal_detectable_effect(np.subtract(*ours))
                theirs = published(model, kind, a, b, column)
                rows.append({
                    "model": name,
                    "difference": f"{SETTING_NAMES.get(a, a)} - {SETTING_NAMES.get(b, b)}",
                    "metric": f"dev {label}", "seeds": len(first.dev),
                    "mean difference": _pct(seeds.mean),
                    "95% CI": _span(interval.low, interval.high),
                    "MDE (80% power)": None if detectable is None else _pct(detectable),
                    "verdict": verdict(interval, len(first.dev),
                                       None if theirs is None else theirs / 100),
                    "95% CI over seeds": _span(seeds.low, seeds.high),
                    "95% CI over documents": _span(documents.low, documents.high),
                    "paper difference": theirs})
    return rows


def effect_row_name(model: str, encoder: str, kind: str) -> str:
    """A difference table's model column: the model, and a non-GloVe run's encoder."""
    return paper.MODEL_NAMES.get(model, model) + ("" if kind == "glove" else f" ({encoder})")


ARM_COMPARISONS = (("sief", "control"), ("sief", "augment"), ("sief", "rand"),
                   ("augment", "control"), ("rand", "control"))
"""The differences of table arms_effect: SIEF against each arm, then what the sentence-removed
copies (augment) and random evidence (rand) give over the control."""


def arms_effect_table(runs: dict[Run, SeedRuns], epochs: int, resamples: int = 2000) -> Table:
    """ARM_COMPARISONS per model over the comparison's arms (runs: (model, encoder, arm) ->
    its seeds, cross-fitted), as effect_table; the paper's difference is its +SIEF - Base,
    the gain SIEF claims, beside every row where SIEF is the first arm."""
    def published(model: str, kind: str, a: str, b: str, column: int) -> float | None:
        theirs = [paper.TABLE1.get((model, kind, job)) for job in ("sief", "base")]
        return (round(theirs[0][column] - theirs[1][column], 2)
                if a == "sief" and all(theirs) else None)
    rows = difference_rows(runs, ARM_COMPARISONS, resamples, {}, published)
    return Table("arms_effect", "Does SIEF beat its controls? The arms of one budget, "
                 "cross-fitted (dev)", pd.DataFrame(rows),
                 [f"Every arm of a seed fine-tunes that seed's base run for {epochs} epochs "
                  "(the schedule's finetune.epochs; no early stopping), with the same batch "
                  "order: control = the relation loss; augment = the relation loss on the "
                  "full documents and on SIEF's sentence-removed copies (a gold fact kept "
                  "while its head and tail are still mentioned), no importance score, no "
                  "focusing loss; +Rand = SIEF with random evidence; +SIEF. Scores are "
                  "cross-fitted: each run's epoch and theta are chosen on one half of the dev "
                  "documents and score the other half, both ways (table selection_bias "
                  "shows what choosing on all dev adds). Differences in points. "
                  + interval_note(resamples) + " Paper difference: its +SIEF - Base (no control run in "
                  "the paper), for the rows where +SIEF comes first."])


@dataclass
class ArmRuns:
    """One arm of one model over seeds: both selections' per-document counts."""
    seeds: list[int]
    chosen_epochs: list[tuple[int, int]]
    """Per seed, the epochs chosen on half A and on half B."""
    counts: dict[str, np.ndarray]
    """Selection (all | cross_fit) -> [S, D, 4] per-document dev counts."""
    history: pd.DataFrame
    """Per seed and epoch, the learning curve (the arm's history.csv)."""
    devs: list[dict] = field(default_factory=list)
    """Per seed, the best dev metrics chosen on all dev (dev.json; Table 1's kind)."""

    def select(self, seeds: list[int], source: str) -> "ArmRuns":
        """The runs of `seeds`, in that order (the partners of runs with those seeds);
        `source` names the file in the error when one is missing."""
        missing = [seed for seed in seeds if seed not in self.seeds]
        if missing:
            raise DataError(f"no run of seed(s) {missing} (it has {self.seeds}): the analysis "
                            "settings pair with the arms by seed", file=source)
        index = [self.seeds.index(seed) for seed in seeds]
        return ArmRuns(list(seeds), [self.chosen_epochs[i] for i in index],
                       {selection: counts[index] for selection, counts in self.counts.items()},
                       self.history[self.history["seed"].isin(seeds)],
                       [self.devs[i] for i in index])

    def seed_runs(self, selection: str = "cross_fit") -> SeedRuns:
        """The seeds as effect tables take them, F1 and Ign F1 from the summed counts."""
        f1, ign_f1 = f1_from_counts(self.counts[selection].sum(axis=1))       # [S] each
        return SeedRuns([{"f1": float(a), "ign_f1": float(b)} for a, b in zip(f1, ign_f1)],
                        self.counts[selection])


def selection_table(arms: dict[Run, ArmRuns]) -> Table:
    """Per model and arm: the mean dev Ign F1 and F1 over seeds with the epoch and theta
    chosen on all dev documents (as Table 1) and cross-fitted, and the difference: the
    optimism of choosing on the documents that are scored."""
    rows = []
    for (model, encoder, arm), runs in arms.items():
        chosen_on_all, cross_fitted = runs.seed_runs("all"), runs.seed_runs("cross_fit")
        row = {"model": paper.MODEL_NAMES.get(model, model), "arm": SETTING_NAMES.get(arm, arm),
               "seeds": len(runs.seeds),
               "epochs chosen (A / B)": ", ".join(f"{a}/{b}" for a, b in runs.chosen_epochs)}
        for key, label in (("ign_f1", "Ign F1"), ("f1", "F1")):
            every = np.array([d[key] for d in chosen_on_all.dev])
            crossed = np.array([d[key] for d in cross_fitted.dev])
            row.update({f"dev {label}, chosen on all dev": _pct(every.mean()),
                        f"dev {label}, cross-fitted": _pct(crossed.mean()),
                        f"optimism {label}": _pct((every - crossed).mean())})
        rows.append(row)
    return Table("selection_bias", "What choosing the epoch and theta on the scored "
                 "documents adds (arms, dev)", pd.DataFrame(rows),
                 ["Means over seeds, in percent. Chosen on all dev: the epoch best on the 500 "
                  "dev documents and the theta where their F1 peaks, scored on the same "
                  "documents (as Table 1 and sief_effect). Cross-fitted: chosen on one half, "
                  "scored on the other, both ways (arms_effect). Both from the per-document "
                  "counts at the chosen theta (Table 1's dev Ign F1 is the maximum of its own "
                  "curve, a little higher). Optimism: the first minus the second."])


def _span(low: float | None, high: float | None) -> str | None:
    return None if low is None or high is None else f"[{100 * low:+.2f}, {100 * high:+.2f}]"


def training_table(results: dict[Run, RunResults], histories: dict[Run, pd.DataFrame]) -> Table:
    """Where each DocRED run stopped: epochs run against the cap, the kept epoch, time."""
    rows = []
    for run, r in results.items():
        history = histories[run]
        cap = r.metrics.get("epoch_cap")
        rows.append({"model": _name(run, r), "encoder": run[1], "epochs run": len(history),
                     "epoch cap": cap, "best epoch": r.metrics["best_epoch"],
                     "stopped early": None if cap is None else len(history) < cap,
                     "train minutes": round(float(history["train_seconds"].sum()) / 60, 1)})
    return Table("training", "Training: where each run stopped (learning curves: "
                 "learning_curves.png)", pd.DataFrame(rows),
                 ["A base run stops when its dev select_by metric has not improved for "
                  "`patience` evaluations, or at the epoch cap; a fine-tuning run (control, "
                  "+SIEF) runs its whole budget (the schedule's finetune.epochs), every epoch "
                  "evaluated. Either keeps the best epoch's weights. Train minutes exclude "
                  "the dev evaluations."])


def robustness_table(points: dict[Run, pd.DataFrame], thetas: dict[Run, float]) -> Table:
    """Figure 5's points as numbers: per run the mean |P - P-hat|, the scale-free logit
    gap, the flip rate at the run's own theta, and the flip rate at one threshold
    common to the runs of a model (the geometric mean of their thetas)."""
    rows = []
    models = dict.fromkeys(run[:2] for run in points)
    for model in models:
        runs = [run for run in points if run[:2] == model]
        threshold = common_threshold([thetas[run] for run in runs])
        for run in runs:
            frame = points[run]
            own = shift_measures(frame["p"], frame["p_hat"], thetas[run])
            common = flips_at(frame["p"], frame["p_hat"], threshold)
            rows.append({"model": paper.row_name(run[0], run[2]), "points": len(frame),
                         "theta": round(thetas[run], 4),
                         "mean abs(P - P-hat)": round(own["mean_abs_diff"], 4),
                         "mean abs logit gap": round(own["mean_abs_logit_diff"], 3),
                         "flip rate at own theta (%)": _pct(own["flip_rate"]),
                         "common threshold": round(threshold, 4),
                         "points predicted at it": common["points_predicted"],
                         "flip rate at it (%)": _pct(common["flip_rate"])})
    return Table("robustness", "Robustness: a non-evidence sentence removed (dev, gold facts)",
                 pd.DataFrame(rows),
                 ["Points: (gold fact with evidence, sentence not in its evidence) on the "
                  "robustness documents. abs(P - P-hat) shrinks with a model's confidence; the "
                  "logit gap does not. Flip rate at own theta: the "
                  "decision P >= theta changes (thetas differ between runs). At the common "
                  "threshold (geometric mean of the model's runs' thetas): among points whose "
                  "fact is predicted there, the share lost when the sentence is removed."])


def table2(results: dict[Run, dict]) -> Table:
    """DialogRE: (model, encoder, job) -> the evaluate_dialogre metrics."""
    rows = []
    for (model, encoder, job), m in results.items():
        theirs = paper.TABLE2.get((model, "transformer", job))
        rows.append({"model": paper.row_name(model, job), "encoder": m["encoder"],
                     "dev F1": _pct(m["dev"]["f1"]["f1"]), "dev F1c": _pct(m["dev"]["f1c"]["f1"]),
                     "test F1": _pct(m["test"]["f1"]["f1"]),
                     "test F1c": _pct(m["test"]["f1c"]["f1"]),
                     **{f"paper {name}": theirs[i] if theirs else None
                        for i, name in enumerate(("dev F1", "dev F1c", "test F1", "test F1c"))},
                     "T2": m["t2"],
                     "distinct answers (dev)": m["dev"].get("distinct_answers"),
                     "most common answer (dev %)": _pct(m["dev"].get("most_common_answer_share")),
                     "F1c instances (dev/test)":
                         f"{m['dev']['f1c_instances']}/{m['test']['f1c_instances']}",
                     "instances trimmed (dev/test)": "/".join(
                         str(m[split].get("instances_trimmed", "-")) for split in ("dev", "test"))})
    return Table("table2", "Table 2: DialogRE F1 and F1c", pd.DataFrame(rows),
                 ["F1: T1 = 0.5, T2 tuned on dev F1 and reused; F1c: predictions on every "
                  "dialogue prefix, answerable relations only, macro-averaged over instances "
                  "(reference-implementations.md 5.4), on the first N instances of each split "
                  "(evaluate.dialogre.f1c_instances). The paper's numbers are on DialogRE v1 "
                  "with BERT-base; ours on v2. Distinct answers: predicted relation sets on "
                  "dev; a model that gives one answer to every instance (100 %) has not left "
                  "the majority answer."])


def table3(results: dict[Run, RunResults]) -> Table:
    rows = [{"model": _name(run, r), "intra F1": _pct(r.metrics["intra"]["f1"]),
             "inter F1": _pct(r.metrics["inter"]["f1"]),
             "paper intra F1": _paper(paper.TABLE3, run, 0),
             "paper inter F1": _paper(paper.TABLE3, run, 1),
             "intra gold facts": r.metrics["intra"]["gold"],
             "inter gold facts": r.metrics["inter"]["gold"]}
            for run, r in results.items()]
    return Table("table3", "Table 3: intra- and inter-sentence F1 on dev", pd.DataFrame(rows),
                 ["A pair is intra when some mention of the head and some mention of the tail "
                  "share a sentence; P/R/F1 at the dev theta within each category."])


def table4(results: dict[Run, RunResults]) -> Table:
    rows = []
    for run, r in results.items():
        evidence = r.robustness["evidence"]
        predicted = r.robustness.get("predicted_evidence")  # absent in older results
        rows.append({"model": _name(run, r),
                     "precision": _pct(evidence["precision"]),
                     "recall": _pct(evidence["recall"]), "F1": _pct(evidence["f1"]),
                     "paper precision": _paper(paper.TABLE4, run, 0),
                     "paper recall": _paper(paper.TABLE4, run, 1),
                     "paper F1": _paper(paper.TABLE4, run, 2),
                     "decisions": evidence["decisions"],
                     "predicted facts: Evi P": _pct(predicted["precision"]) if predicted else None,
                     "Evi R": _pct(predicted["recall"]) if predicted else None,
                     "Evi F1": _pct(predicted["f1"]) if predicted else None,
                     "sentences per prediction": (round(predicted["evidence_per_prediction"], 2)
                                                  if predicted else None)})
    return Table("table4", "Table 4: evidence sentences from importance scores (dev)",
                 pd.DataFrame(rows),
                 ["For each gold fact with annotated evidence and each sentence: removed, "
                  "scored g = P log(P / P-hat), predicted evidence when g > tau, tau where "
                  "micro F1 peaks; on the robustness documents. Predicted facts: every fact "
                  "predicted at the run's dev theta on the same documents, its evidence the "
                  "sentences with g >= that tau, scored by the official DocRED scorer (Evi "
                  "P counts the evidence of wrong predictions too). tau is tuned on these dev "
                  "documents, so both measures are optimistic."])


SETTING_NAMES = {"base": "Base", "sief": "+SIEF", "rand": "+Rand", "nomention": "+NoMention",
                 "gtruth": "+GTruth", "control": "control", "augment": "augment"}


def heuristics_table(name: str, title: str, levels: dict[tuple[str, str], list[dict]],
                     keys: tuple[str, ...], paper_rows: dict[tuple[str, str], tuple]) -> Table:
    """Tables 5/6: per model the Base runs and the runs of `keys` ((model, key) -> dev
    metrics per seed, the same seeds for all), the mean dev Ign F1 / F1 over the seeds beside
    the paper (whose Base and +SIEF rows repeat its Table 1's dev)."""
    rows = []
    for model in dict.fromkeys(model for model, _ in levels):
        for key in ("base", *keys):
            devs = levels.get((model, key))
            if not devs:
                continue
            paper_row = (paper.TABLE1.get((model, "glove", key)) if key in ("base", "sief")
                         else paper_rows.get((model, key)))
            rows.append({"model": paper.MODEL_NAMES.get(model, model),
                         "method": SETTING_NAMES.get(key, key), "seeds": len(devs),
                         "dev Ign F1": _pct(float(np.mean([d["ign_f1"] for d in devs]))),
                         "dev F1": _pct(float(np.mean([d["f1"] for d in devs]))),
                         "paper dev Ign F1": paper_row[0] if paper_row else None,
                         "paper dev F1": paper_row[1] if paper_row else None})
    return Table(name, title, pd.DataFrame(rows),
                 ["Mean over the seeds of each row (the same seeds in every row: the "
                  "schedule's and analysis.extra_seeds), each run's epoch and theta chosen on "
                  "all dev documents, as the paper does; whether a difference is beyond the "
                  "noise: table heuristics_effect. Every SIEF-family row fine-tunes the base "
                  "run of its seed as the comparison's sief arm does (the same start, budget "
                  "and batch order), with the setting's change to the sief section; +SIEF and "
                  "+Rand are the sief and rand arms' runs of those seeds. Models: "
                  "analysis.models."])


HEURISTIC_COMPARISONS = ("rand", "nomention", "gtruth")
"""The settings SIEF is compared with first (heuristics_effect); the other betas follow."""


def heuristics_effect_table(runs: dict[Run, SeedRuns], resamples: int = 2000) -> Table:
    """+SIEF against each analysis setting of the same seeds ((model, encoder, key) ->
    cross-fitted runs; key: sief, rand, nomention, gtruth or beta=<b>), as effect_table; the
    paper's difference is its Table 1 +SIEF minus its Table 5 / 6 row."""
    keys = [key for _, _, key in runs]
    others = [*(k for k in HEURISTIC_COMPARISONS if k in keys),
              *sorted(dict.fromkeys(k for k in keys if k.startswith("beta=")))]

    def published(model: str, kind: str, a: str, b: str, column: int) -> float | None:
        ours = paper.TABLE1.get((model, kind, a))
        theirs = paper.TABLE5.get((model, b)) or paper.TABLE6.get((model, b))
        return round(ours[column] - theirs[column], 2) if ours and theirs else None
    rows = difference_rows(runs, [("sief", key) for key in others], resamples, {}, published)
    return Table("heuristics_effect", "Does SIEF's importance score matter? +SIEF against its "
                 "variants, cross-fitted (dev)", pd.DataFrame(rows),
                 ["Each setting changes one thing of SIEF (random or NoMention evidence, gold "
                  "targets, another beta) and fine-tunes the same base run of each seed as "
                  "+SIEF does; scores cross-fitted as in arms_effect. Differences in points. "
                  + interval_note(resamples) + " Paper difference: its Table 1 +SIEF minus "
                  "its Table 5 / 6 row."])


def to_markdown(table: Table) -> str:
    lines = [f"## {table.title}", "", *markdown_rows(table.frame)]
    lines += [""] + [f"{note}" for note in table.notes] + [""]
    return "\n".join(lines)


def markdown_rows(frame: pd.DataFrame) -> list[str]:
    """A Markdown table's lines: header, rule, one line per row ('-' where empty)."""
    frame = shown(frame)
    lines = ["| " + " | ".join(frame.columns) + " |",
             "| " + " | ".join("---" for _ in frame.columns) + " |"]
    return lines + ["| " + " | ".join(_cell(v) for v in row) + " |"
                    for row in frame.itertuples(index=False)]


def shown(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame as a page shows it: empty cells as '-' (Markdown and HTML alike)."""
    return frame.astype(object).where(frame.notna(), "-")


def _cell(value) -> str:
    """Two decimals; a float below 0.1 keeps three significant digits (|P - P-hat| ~ 0.004
    would read 0.00)."""
    if not isinstance(value, float):
        return str(value)
    return f"{value:.3g}" if 0 < abs(value) < 0.1 else f"{value:.2f}"


def write_table(table: Table, out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    csv, md = out_dir / f"{table.name}.csv", out_dir / f"{table.name}.md"
    table.frame.to_csv(csv, index=False)
    md.write_text(to_markdown(table), encoding="utf-8")
    return [md, csv]
