"""The report of one DocRED run grid: reads what the evaluation stages wrote, writes the
paper's tables and figures and the report page.

Results are found through their fields: <results>/<dataset>/<model>/<encoder>/<job>/ for a
run, .../seeds/base/ for the base's replicates, .../arms/<arm>/ for the arms' runs (of
control and sief: the seeds after the main run's), .../analysis/<setting>/ for the analysis
settings' runs (as an arm's), <results>/<dataset>/case_study/ for the case study.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.data.jsonio import read_json, write_json
from pipeline.errors import DataError
from pipeline.evaluation.docred_metrics import COUNT_COLUMNS
from pipeline.reporting import paper
from pipeline.reporting.figures import arm_curves, figure4, figure5, learning_curves
from pipeline.reporting.report import write_report
from pipeline.reporting.summary import headline
from pipeline.reporting.tables import (ArmRuns, Run, RunResults, SeedRuns, Table,
                                       arms_effect_table, effect_table,
                                       heuristics_effect_table, heuristics_table,
                                       level_interval, robustness_table, selection_table,
                                       table1, table2, table3, table4, training_table,
                                       write_table)

DOCRED_JOBS = ("base", "control", "sief")
DIALOGRE_JOBS = ("base", "control", "sief")
ARMS = ("control", "augment", "rand", "sief")
"""The comparison's arms (stages arms, arms_sief), in the order the report shows them."""
MAIN_ARMS = ("control", "sief")
"""The arms whose schedule seed is the main run (stages control, sief; the arms stages hold
their other seeds: pipeline/comparison/arms.py)."""


@dataclass(frozen=True)
class Grid:
    """The runs of a report: params.yaml `grid` with each encoder's kind."""
    docred_models: tuple[str, ...]
    docred_encoders: tuple[str, ...]
    dialogre_models: tuple[str, ...]
    dialogre_encoders: tuple[str, ...]
    kinds: dict[str, str]
    """Encoder name -> glove | transformer (params.yaml `encoders.<name>.kind`)."""
    seeded: tuple[str, ...] = ()
    """params.yaml seeds.models: the GloVe models with replicates (seeds_base, the arms)."""
    analysis_encoder: str = "glove"
    """The encoder of the paper's analyses (robustness, seeds, Tables 3-6, Figures 4-5)."""
    finetune_epochs: int = 0
    """The analysis encoder's schedules.<dataset>.<encoder>.finetune.epochs: the budget of
    every fine-tuning run (main runs, arms, analyses)."""


@dataclass(frozen=True)
class Analysis:
    """What the report says about the analysis runs."""
    models: tuple[str, ...]
    """params.yaml analysis.models: the GloVe models with analysis runs."""
    settings: tuple[str, ...]
    """params.yaml analysis.settings, in order."""
    beta: float
    """The main sief.beta: Figure 4's point of the main SIEF run."""
    robustness_docs: int


def collect_report(dataset: str, results: Path, processed: Path, out: Path, grid: Grid,
                   analysis: Analysis, files: dict, settings: dict,
                   summary: Path | None = None) -> Path:
    """Write every table (Markdown and CSV), Figures 4 and 5 and index.md into `out`, and the
    headline metrics (summary.headline) into `summary`.

    Arguments:
        dataset: the DocRED-format dataset of Tables 1, 3-6 (data/results/<dataset>).
        results: the results root (data/results).
        processed: the processed root (data/processed), for the data counts.
        out: the report directory.
        grid: the runs to report.
        analysis: the analysis runs' settings.
        files: the dataset's raw files (shown beside the counts).
        settings: the params sections shown on the page, as declared.
        summary: where the headline metrics go (the pipeline's declared metrics); None =
            not written.
    """
    root = results / dataset
    scored, histories, seed_runs = docred_runs(root, out, grid)
    paper_runs = {run: r for run, r in scored.items() if run[1] == grid.analysis_encoder}
    case_dir = root / "case_study"
    case = read_json(case_dir / "case_study.json")
    dialogre = {(m, e, j): read_json(results / "dialogre" / m / e / j / "metrics.json")
                for m in grid.dialogre_models for e in grid.dialogre_encoders
                for j in DIALOGRE_JOBS}
    points = {run: pd.read_csv(root.joinpath(*run) / "robustness_points.csv")
              for run in paper_runs}
    thetas = {run: paper_runs[run].robustness["theta"] for run in points}
    tables = [*run_tables(scored, histories, seed_runs, grid.kinds),
              *([table2(dialogre)] if dialogre else []), table3(paper_runs),
              table4(paper_runs), robustness_table(points, thetas),
              Table("case_study", f"Case study: {case['model']}, base vs +SIEF, P of the fact "
                    "for each sentence subset", pd.read_csv(case_dir / "case_study.csv"),
                    [f"Dev theta: base {case['theta_base']:.4f}, +SIEF "
                     f"{case['theta_sief']:.4f}; predicted = P >= theta."])]
    arms = arm_results(root, grid)
    if arms:  # the seeded models' arms, the answer: first
        tables = [arms_effect_table({run: runs.seed_runs() for run, runs in arms.items()},
                                    grid.finetune_epochs), selection_table(arms), *tables]
    analysis_tables, sweep = analysis_results(root, grid, analysis, paper_runs)
    tables += analysis_tables
    for table in tables:
        write_table(table, out)
    sweep.to_csv(out / "figure4.csv", index=False)
    if summary is not None:
        named = {table.name: table for table in tables}
        write_json(summary, headline(scored, histories, grid.kinds, named["sief_effect"],
                                     named.get("arms_effect")), indent=1)
    figures = [*([("Learning curves of the arms (dev Ign F1, mean over seeds and its range)",
                   arm_curves({run: runs.history for run, runs in arms.items()},
                              out / "arm_curves.png"))] if arms else []),
               ("Learning curves (dev Ign F1; a star marks the kept epoch)",
                learning_curves(histories, out / "learning_curves.png")),
               ("Figure 4: dev F1 against beta", figure4(sweep, out / "figure4.png")),
               ("Figure 5: P vs P-hat, a non-evidence sentence removed",
                figure5({run: frame for run, frame in points.items() if run[2] != "control"},
                        thetas, out / "figure5.png")),
               ("Case study (Figure 6 style)", case_dir / "case_study.png")]
    page = write_report(out / "index.md", "SIEF: the paper's tables and figures", tables,
                        figures, settings, data_lines(processed, dataset, files, analysis,
                                                      bool(dialogre)),
                        (case_dir / "document.md").read_text(encoding="utf-8"))
    return page


def docred_runs(root: Path, out: Path, grid: Grid
                ) -> tuple[dict[Run, RunResults], dict[Run, pd.DataFrame], dict[Run, SeedRuns]]:
    """Every DocRED run's results, history and seed runs (the analysis encoder's with their
    replicates): files that git holds (metrics, histories, per-document counts), unlike the
    robustness points and the checkpoints, which a fresh clone gets from DVC's cache only."""
    runs = [(m, e, j) for m in grid.docred_models for e in grid.docred_encoders
            for j in DOCRED_JOBS]
    scored = {run: load_results(root, run, out, grid.kinds[run[1]],
                                with_robustness=run[1] == grid.analysis_encoder)
              for run in runs}
    histories = {run: pd.read_csv(root.joinpath(*run) / "history.csv") for run in scored}
    # Replicates exist for the analysis encoder's runs (the seeds stages); every other run
    # enters the SIEF-effect table with its one seed.
    seed_runs = {run: load_seed_runs(root, run, run[0] in grid.seeded
                                     and run[1] == grid.analysis_encoder)
                 for run in scored}
    return scored, histories, seed_runs


def run_tables(scored: dict[Run, RunResults], histories: dict[Run, pd.DataFrame],
               seed_runs: dict[Run, SeedRuns], kinds: dict[str, str]) -> list[Table]:
    """Table 1, sief_effect and training: the tables of the runs' own metrics (kinds: each
    encoder's, Grid.kinds)."""
    return [table1(scored, {run: runs.dev[1:] for run, runs in seed_runs.items()}),
            effect_table(seed_runs, kinds=kinds), training_table(scored, histories)]


def data_lines(processed: Path, dataset: str, files: dict, analysis: Analysis,
               with_dialogre: bool) -> list[str]:
    """The report's data section: documents and facts per split, what was left out."""
    stats = read_json(processed / dataset / "stats.json")
    lines = [f"{split}: {stats[split]['documents']} documents, {stats[split]['facts']} facts "
             f"({files[split]})" for split in ("train", "dev")]
    lines.append(f"robustness and evidence: the first {analysis.robustness_docs} dev "
                 "documents with evidence-annotated facts (0 = all)")
    if with_dialogre:
        counts = read_json(processed / "dialogre" / "stats.json")
        lines += [f"DialogRE {split}: {counts[split]['instances']} instances of "
                  f"{counts[split]['dialogues']} dialogues ({counts[split]['instances_skipped']} "
                  f"left out by dialogre.train_instances / max_instances)"
                  for split in ("train", "dev", "test")]
    return lines


def analysis_results(root: Path, grid: Grid, analysis: Analysis,
                     results: dict[Run, RunResults]) -> tuple[list[Table], pd.DataFrame]:
    """Tables 5 and 6, the settings' differences from SIEF (heuristics_effect) and Figure
    4's points: the analysis settings of analysis.models over their seeds, beside the Base
    runs and the SIEF and Rand arms of the same seeds (the +SIEF row and Figure 4's point at
    sief.beta; the +Rand row unless a setting has random evidence)."""
    encoder = grid.analysis_encoder
    levels: dict[tuple[str, str], list[dict]] = {}   # (model, key) -> dev metrics per seed
    paired: dict[Run, SeedRuns] = {}                  # (model, encoder, key) -> cross-fitted
    betas: dict[tuple[str, float], ArmRuns] = {}      # Figure 4: (model, beta) -> its runs
    for m in analysis.models:
        model_dir = root / m / encoder
        keyed = {}
        for s in analysis.settings:
            about = read_json(model_dir / "analysis" / s / "dev.json")
            role = analysis_role(about)
            keyed[beta_key(about["sief"]["beta"]) if role == "beta" else role] = \
                load_arm([model_dir / "analysis" / s])
        seeds = setting_seeds(model_dir, keyed)
        keyed["sief"] = arm_of_seeds(model_dir, "sief", seeds)
        if "rand" not in keyed and (model_dir / "arms" / "rand" / "dev.json").exists():
            keyed["rand"] = arm_of_seeds(model_dir, "rand", seeds)
        levels[(m, "base")] = base_devs(model_dir, results[(m, encoder, "base")], seeds)
        for key, arm in keyed.items():
            levels[(m, key)] = arm.devs
            paired[(m, encoder, key)] = arm.seed_runs("cross_fit")
        betas[(m, analysis.beta)] = keyed["sief"]
        betas.update({(m, float(key.split("=")[1])): arm for key, arm in keyed.items()
                      if key.startswith("beta=")})
    tables = [
        heuristics_table("table5", "Table 5: SIEF against the Rand and NoMention heuristics "
                         "(dev)", levels, ("sief", "rand", "nomention"), paper.TABLE5),
        heuristics_table("table6", "Table 6: SIEF's soft targets against gold labels (GTruth, "
                         "dev)", levels, ("sief", "gtruth"), paper.TABLE6),
        heuristics_effect_table(paired)]
    return tables, beta_sweep(betas)


def setting_seeds(model_dir: Path, settings: dict[str, ArmRuns]) -> list[int]:
    """The seeds every analysis setting of a model ran (the same for all: the schedule's and
    analysis.extra_seeds)."""
    seeds = {tuple(arm.seeds) for arm in settings.values()}
    if len(seeds) != 1:
        raise DataError(f"the analysis settings ran different seeds ({sorted(seeds)}): rerun "
                        "them with one analysis.extra_seeds", file=str(model_dir / "analysis"))
    return list(seeds.pop())


def beta_key(beta: float) -> str:
    """An analysis setting of plain SIEF at another beta, as the tables name it."""
    return f"beta={beta:g}"


def arm_of_seeds(model_dir: Path, arm: str, seeds: list[int]) -> ArmRuns:
    """A model's sief or rand arm (the main run, if any, and arms/<arm>/), the runs of
    `seeds` in that order: the analysis settings' partners."""
    folders = [model_dir / arm] if arm in MAIN_ARMS else []
    folders += [folder for folder in [model_dir / "arms" / arm]
                if (folder / "dev.json").exists()]
    return load_arm(folders).select(seeds, str(folders[-1] / "dev.json"))


def base_devs(model_dir: Path, main: RunResults, seeds: list[int]) -> list[dict]:
    """The base runs' dev metrics for `seeds`: the main base run for the first (the
    schedule's seed), seeds_base's replicates for the rest."""
    by_seed = {seeds[0]: main.metrics["dev"]} if seeds else {}
    replicas = model_dir / "seeds" / "base" / "dev.json"
    if len(seeds) > 1:
        by_seed.update({run["seed"]: run["dev"] for run in read_json(replicas)["runs"]})
    missing = [seed for seed in seeds if seed not in by_seed]
    if missing:
        raise DataError(f"no base run of seed(s) {missing}", file=str(replicas))
    return [by_seed[seed] for seed in seeds]


def beta_sweep(betas: dict[tuple[str, float], ArmRuns]) -> pd.DataFrame:
    """Figure 4's points: per model and beta the mean dev F1 and Ign F1 over seeds (each
    run's best, as Table 1), with the 95 % interval of the F1 (level_interval)."""
    rows = []
    for (model, beta), arm in sorted(betas.items()):
        interval = level_interval(arm.seed_runs("all"))
        rows.append({"model": model, "beta": beta, "seeds": len(arm.devs),
                     "f1": round(100 * float(np.mean([d["f1"] for d in arm.devs])), 2),
                     "f1_low": round(100 * interval.low, 2),
                     "f1_high": round(100 * interval.high, 2),
                     "ign_f1": round(100 * float(np.mean([d["ign_f1"] for d in arm.devs])), 2)})
    return pd.DataFrame(rows, columns=["model", "beta", "seeds", "f1", "f1_low", "f1_high",
                                       "ign_f1"])


def analysis_role(setting: dict) -> str:
    """What an analysis setting's runs are, read from the SIEF config they ran with (its
    dev.json): 'rand', 'nomention', 'gtruth', or 'beta' (plain SIEF at some beta; at the
    main beta it is also the 'sief' row of Tables 5 and 6)."""
    cfg = setting["sief"]
    if cfg["target"] == "gold":
        return "gtruth"
    if cfg["evidence_rule"] != "score":
        return {"random": "rand", "no_mention": "nomention"}[cfg["evidence_rule"]]
    return "beta"


def load_seed_runs(root: Path, run: Run, replicated: bool) -> SeedRuns:
    """The main run (its evaluate outputs) and, when `replicated` (the model is in
    seeds.models), its replicates, in that order: the main run first, then seeds.extra's
    order, the same for every job. The base's replicates are seeds_base's; control's and
    SIEF's are their arms' other seeds, with the epoch and theta chosen on all dev."""
    model, encoder, job = run
    replicas = None
    if replicated:
        replicas = root / model / encoder / ("seeds/base" if job == "base" else f"arms/{job}")
    return seed_runs(root.joinpath(*run), replicas)


def seed_runs(folder: Path, replicas: Path | None) -> SeedRuns:
    """The main run of `folder` (its evaluate outputs), then the replicates of `replicas`
    (a dev.json of runs, with documents.csv (seeds_base) or selection.csv (the arms, rows
    `all`) beside it), if any."""
    devs = [read_json(folder / "metrics.json")["dev"]]
    counts = [pd.read_csv(folder / "documents.csv")]
    if replicas is not None:
        devs += [replica["dev"] for replica in read_json(replicas / "dev.json")["runs"]]
        by_arm = replicas / "selection.csv"
        replica_counts = (pd.read_csv(by_arm).query("selection == 'all'").drop(
            columns="selection") if by_arm.exists() else pd.read_csv(replicas / "documents.csv"))
        counts += [rows.drop(columns="seed")
                   for _, rows in replica_counts.groupby("seed", sort=False)]
    return SeedRuns(devs, np.stack([frame[list(COUNT_COLUMNS)].to_numpy() for frame in counts]))


def arm_results(root: Path, grid: Grid) -> dict[Run, ArmRuns]:
    """The arms of every seeded model (the analysis encoder's)."""
    arms = {}
    for model in grid.seeded:
        arms.update(model_arms(root / model / grid.analysis_encoder, model,
                               grid.analysis_encoder))
    return arms


def model_arms(folder: Path, model: str, encoder: str) -> dict[Run, ArmRuns]:
    """The four arms of one model, from `folder` (<results>/<dataset>/<model>/<encoder>):
    the main run (control, sief) and then arms/<arm>/. Refused when they hold other seeds or
    another order: each seed's arms start from that seed's base, and the comparison pairs
    them by seed."""
    arms = {(model, encoder, arm): load_arm([*([folder / arm] if arm in MAIN_ARMS else []),
                                             folder / "arms" / arm])
            for arm in ARMS}
    first = arms[(model, encoder, ARMS[0])]
    for (_, _, arm), runs in arms.items():
        if runs.seeds != first.seeds:
            raise DataError(f"seeds {runs.seeds} differ from the {ARMS[0]} arm's "
                            f"{first.seeds}: the arms are not paired",
                            file=str(folder / "arms" / arm / "dev.json"))
    return arms


def load_arm(folders: list[Path]) -> ArmRuns:
    """One arm's runs over seeds, in the order of `folders` (each a dev.json of runs with
    selection.csv and history.csv beside it: stages control, sief, arms, arms_sief)."""
    runs = [run for folder in folders for run in read_json(folder / "dev.json")["runs"]]
    seeds = [run["seed"] for run in runs]
    frame = pd.concat([pd.read_csv(folder / "selection.csv") for folder in folders])
    counts = {selection: np.stack([frame[(frame["seed"] == seed)
                                         & (frame["selection"] == selection)]
                                   .sort_values("document")[list(COUNT_COLUMNS)].to_numpy()
                                   for seed in seeds])
              for selection in ("all", "cross_fit")}
    chosen = [(run["cross_fit"]["A"]["epoch"], run["cross_fit"]["B"]["epoch"]) for run in runs]
    history = pd.concat([pd.read_csv(folder / "history.csv") for folder in folders])
    return ArmRuns(seeds, chosen, counts, history, [run["dev"] for run in runs])


def load_results(root: Path, run: Run, report_dir: Path, kind: str,
                 with_robustness: bool) -> RunResults:
    folder = root.joinpath(*run)
    robustness = read_json(folder / "robustness.json") if with_robustness else {}
    return RunResults(read_json(folder / "metrics.json"), robustness,
                      os.path.relpath(folder / "result.json", report_dir), kind)
