"""Experiments, one folder each: experiments/<name>/ holds the override set (params.yaml,
applied on top of the repository's params.yaml), a README (what it asks, the commands that
ran it, machine, wall time, what it found), the results it keeps (results/, laid out as the
stages write data/results) and the tables made from them.

    python -m commands.experiment list                  # every experiment, a line each
    dvc exp run $(python -m commands.experiment flags NAME)   # run it as a tracked experiment
    python -m commands.experiment apply NAME            # or write it into params.yaml
    python -m commands.experiment keep NAME MODEL [--results DIR]  # copy MODEL's arm runs
    python -m commands.experiment keep NAME MODEL --results DIR --merge  # add their seeds
    python -m commands.experiment tables NAME           # re-make its tables from results/
    python -m commands.experiment check [NAME ...]      # exit 1 if a table differs (all: none)

NAME is a folder under experiments/ (or any path to one; `flags` and `apply` also take a
YAML file of overrides). What `tables` makes depends on what results/ keeps (`kind`): the
analysis settings (results/docred/<model>/glove/analysis/, with the arms and base runs they
pair with) -> table5, table6, heuristics_effect, figure4.{csv,png}; the comparison's arms
(results/docred/<model>/glove/arms/) -> arms_effect, selection_bias, arm_curves.png; the
archived seeds stages (results/docred/<model>/glove/seeds/) -> sief_effect; DialogRE runs
(results/dialogre/) -> table2; other DocRED runs -> table1, sief_effect, training,
learning_curves.png. The figures are re-drawn by `tables`; `check` compares the tables.
"""
from __future__ import annotations

import argparse
import csv
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Callable

from commands.overlay import apply_overrides, merged_params, override_flags
from pipeline.config import flatten
from pipeline.data.jsonio import read_json, write_json
from pipeline.reporting.collect import (ARMS, DIALOGRE_JOBS, DOCRED_JOBS, MAIN_ARMS, Analysis,
                                        Grid, analysis_results, docred_runs, model_arms,
                                        run_tables, seed_runs)
from pipeline.reporting.figures import arm_curves, figure4, learning_curves
from pipeline.reporting.tables import (RunResults, Table, arms_effect_table, effect_table,
                                       selection_table, table2, write_table)
from stages.common import read_params

EXPERIMENTS = Path("experiments")
RESULTS = Path("data/results")
ARMS_ENCODER = "glove"  # the arms and seeds stages' encoder (dvc.yaml)
KEPT_ARM_FILES = ("dev.json", "selection.csv", "history.csv")


def folder_of(name: str) -> Path:
    """experiments/<name>, or `name` itself when it is a path to a folder."""
    path = Path(name)
    folder = path if path.is_dir() and len(path.parts) > 1 else EXPERIMENTS / name
    if not (folder / "params.yaml").is_file():
        raise SystemExit(f"{folder}: not an experiment (no params.yaml); "
                         f"see python -m commands.experiment list")
    return folder


def run_folders(folder: Path, dataset: str = "docred") -> list[Path]:
    """results/<dataset>/<model>/<encoder>/ of an experiment, sorted."""
    return sorted(folder.glob(f"results/{dataset}/*/*/"))


def kind(folder: Path) -> str:
    """What the experiment keeps: analysis | arms | seeds | dialogre | runs | none (an
    override set only: smoke, paper)."""
    docred = run_folders(folder)
    if any((run / "analysis").is_dir() for run in docred):
        return "analysis"
    if any((run / "arms").is_dir() for run in docred):
        return "arms"
    if any((run / "seeds").is_dir() for run in docred):
        return "seeds"
    if run_folders(folder, "dialogre"):
        return "dialogre"
    return "runs" if docred else "none"


# -- the tables of each kind: (tables, figure writer) -------------------------------------

Figures = Callable[[Path], None]
"""Draws an experiment's figures into a folder."""


def no_figures(out: Path) -> None:
    """The kinds whose tables have no figure."""


def arms_tables(folder: Path) -> tuple[list[Table], Figures]:
    """arms_effect and selection_bias over the models whose four arms are kept, as the
    report stage makes them for the default run."""
    arms = {}
    for run in run_folders(folder):
        if all((arm / "dev.json").is_file() for arm in arm_folders(run)):
            arms.update(model_arms(run, run.parent.name, run.name))
    tables = [arms_effect_table({run: runs.seed_runs() for run, runs in arms.items()},
                                finetune_epochs(folder)), selection_table(arms)]

    def figures(out: Path) -> None:
        if arms:
            arm_curves({run: runs.history for run, runs in arms.items()}, out / "arm_curves.png")
    return tables, figures


def analysis_tables(folder: Path) -> tuple[list[Table], Figures]:
    """Tables 5, 6 and heuristics_effect, and Figure 4 (figure4.csv, .png), of the kept
    analysis settings with the runs they pair with (per model: analysis/<setting>/, the sief
    arm's sief/ and arms/sief/, arms/rand/, base/metrics.json, seeds/base/dev.json), as the
    report stage makes them, with the experiment's analysis section and beta."""
    params = merged_params(folder / "params.yaml")
    runs = [run for run in run_folders(folder) if (run / "analysis").is_dir()]
    models, encoder = tuple(run.parent.name for run in runs), runs[0].name
    kinds = {name: section["kind"] for name, section in params["encoders"].items()}
    grid = Grid(models, (encoder,), (), (), kinds, models, encoder)
    base = {(run.parent.name, encoder, "base"): RunResults(
        read_json(run / "base" / "metrics.json"), {}, "") for run in runs}
    tables, sweep = analysis_results(
        folder / "results" / "docred", grid,
        Analysis(models, tuple(params["analysis"]["settings"]), float(params["sief"]["beta"]),
                 0), base)

    def figures(out: Path) -> None:
        sweep.to_csv(out / "figure4.csv", index=False)
        figure4(sweep, out / "figure4.png")
    return tables, figures


def seeds_tables(folder: Path) -> tuple[list[Table], Figures]:
    """sief_effect of the archived seeds stages (the early-stopping protocol, up to commit
    cb56e03): per model and job the main run's evaluate outputs (metrics.json,
    documents.csv) and its replicates (seeds/<job>/: dev.json, documents.csv), if any."""
    runs = {}
    for run in run_folders(folder):
        for job in DOCRED_JOBS:
            replicas = run / "seeds" / job
            runs[(run.parent.name, run.name, job)] = seed_runs(
                run / job, replicas if replicas.is_dir() else None)
    return [effect_table(runs)], no_figures


def dialogre_tables(folder: Path) -> tuple[list[Table], Figures]:
    """Table 2 of the kept DialogRE runs (each job's metrics.json)."""
    runs = {(run.parent.name, run.name, job): read_json(run / job / "metrics.json")
            for run in run_folders(folder, "dialogre") for job in DIALOGRE_JOBS}
    return [table2(runs)], no_figures


def runs_tables(folder: Path) -> tuple[list[Table], Figures]:
    """Table 1, sief_effect and training of the kept DocRED runs, one seed each (models in
    params.yaml's grid order)."""
    settings = read_params(Path("params.yaml"))
    kinds = {name: section["kind"] for name, section in settings["encoders"].items()}
    kept = {(run.parent.name, run.name) for run in run_folders(folder)}
    models = tuple(m for m in settings["grid"]["docred"]["models"] if any(m == k[0] for k in kept))
    encoders = tuple(e for e in kinds if any(e == k[1] for k in kept))
    missing = sorted(f"{m}/{e}" for m in models for e in encoders if (m, e) not in kept)
    if missing:
        raise SystemExit(f"{folder}: no kept runs of {', '.join(missing)}")
    # No analysis encoder among them: no robustness files or replicates are read.
    grid = Grid(models, encoders, (), (), kinds, analysis_encoder="")
    scored, histories, replicas = docred_runs(folder / "results" / "docred", folder, grid)

    def figures(out: Path) -> None:
        learning_curves(histories, out / "learning_curves.png")  # the training table's
    return run_tables(scored, histories, replicas, kinds), figures


TABLES = {"analysis": analysis_tables, "arms": arms_tables, "seeds": seeds_tables,
          "dialogre": dialogre_tables, "runs": runs_tables}


def arm_folders(run: Path) -> list[Path]:
    """Where a model's arms are under results/docred/<model>/<encoder>/: the main runs'
    folders (control, sief: the schedule seed) and arms/<arm>/ (the other seeds)."""
    return [*(run / arm for arm in MAIN_ARMS), *(run / "arms" / arm for arm in ARMS)]


def finetune_epochs(folder: Path) -> int:
    """The fine-tuning budget the experiment ran: its override set's, else params.yaml's."""
    return flatten(merged_params(folder / "params.yaml"))[
        f"schedules.docred.{ARMS_ENCODER}.finetune.epochs"]


def keep(folder: Path, model: str, results: Path = RESULTS, merge: bool = False) -> None:
    """Copy a model's runs from the pipeline's results into the experiment's: its arms (what
    the control, sief, arms and arms_sief stages wrote), and for an experiment that sets
    analysis.extra_seeds the analysis settings with the base runs they pair with. `merge`:
    add the arms' seeds that the kept runs lack instead (add_seeds), for seeds run later."""
    source_run = results / "docred" / model / ARMS_ENCODER
    folders = arm_folders(source_run)
    analysis = "analysis.extra_seeds" in flatten(read_params(folder / "params.yaml"))

    def target_of(source: Path) -> Path:
        return folder / "results" / source.relative_to(results)
    if merge:
        if analysis:
            raise SystemExit(f"{folder}: --merge adds seeds to kept arms only, not to the "
                             f"analysis settings this experiment keeps")
        add_seeds({source: target_of(source) for source in folders})
        return
    single = []
    if analysis:
        folders += sorted(path for path in (source_run / "analysis").iterdir() if path.is_dir())
        single = [source_run / "base" / "metrics.json", source_run / "seeds/base/dev.json"]
    for source in folders:
        for name in KEPT_ARM_FILES:
            copy(source / name, target_of(source) / name)
    for source in single:
        copy(source, target_of(source))


def add_seeds(arms: dict[Path, Path]) -> None:
    """Add to every kept arm (new results folder -> kept folder) the seeds of the new runs
    that it lacks (merge_seeds); every arm is checked before any file is written."""
    merged = {kept: merge_seeds(new, kept) for new, kept in arms.items()}
    for kept, (added, dev, tables) in merged.items():
        write_json(kept / "dev.json", dev, indent=1)     # as the stages write it
        for name, content in tables.items():
            (kept / name).write_bytes(content)
        print(f"{kept}: seeds added: {added or 'none'}")


def merge_seeds(new: Path, kept: Path) -> tuple[list[int], dict, dict[str, bytes]]:
    """The seeds of new/ that the kept runs of one arm (kept/: dev.json, selection.csv,
    history.csv) lack, and the kept files with them added (dev.json's data; CSV name -> its
    bytes), rows ordered by seed as one stage running all the seeds writes them (the
    seeds are independent runs: each seeds its own). Refused, naming the file: runs made on
    another machine (dev.json's CPU, kernels and threads: the same seed scores differently
    there), or a seed in both whose run differs (not made by the same code and data)."""
    if not (kept / "dev.json").is_file():
        raise SystemExit(f"{kept / 'dev.json'}: no kept runs to add seeds to; keep without "
                         f"--merge first")
    kept_runs, new_runs = read_json(kept / "dev.json"), read_json(new / "dev.json")
    if kept_runs["machine"] != new_runs["machine"]:
        raise SystemExit(f"{new / 'dev.json'}: made on {new_runs['machine']!r}, the kept runs "
                         f"on {kept_runs['machine']!r}: not one machine's runs")
    by_seed = {run["seed"]: run for run in kept_runs["runs"]}
    for run in new_runs["runs"]:
        if run["seed"] in by_seed and run != by_seed[run["seed"]]:
            raise SystemExit(f"{new / 'dev.json'}: seed {run['seed']}: differs from the kept "
                             f"run of that seed ({kept / 'dev.json'})")
    added = [run for run in new_runs["runs"] if run["seed"] not in by_seed]
    seeds = [run["seed"] for run in added]
    runs = sorted([*kept_runs["runs"], *added], key=lambda run: run["seed"])
    return seeds, {**kept_runs, "runs": runs}, {
        name: merged_rows(new / name, kept / name, seeds)
        for name in KEPT_ARM_FILES if name.endswith(".csv")}


def merged_rows(new: Path, kept: Path, seeds: list[int]) -> bytes:
    """The kept CSV with new's rows of `seeds` added, byte for byte (line ends included), all
    rows in seed order, each seed's in the order written."""
    kept_lines = kept.read_bytes().splitlines(keepends=True)
    new_lines = new.read_bytes().splitlines(keepends=True)
    if not kept_lines or new_lines[:1] != kept_lines[:1]:
        raise SystemExit(f"{new}: its header is not the kept file's ({kept})")
    column = next(csv.reader([kept_lines[0].decode()])).index("seed")

    def seed_of(line: bytes) -> int:
        return int(next(csv.reader([line.decode()]))[column])
    rows = kept_lines[1:] + [line for line in new_lines[1:] if seed_of(line) in seeds]
    return b"".join([kept_lines[0], *sorted(rows, key=seed_of)])


def copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source, target)


def is_current(folder: Path, table: Table) -> bool:
    """Whether `folder`'s copies of the table (.csv, .md) are what `table` writes."""
    with tempfile.TemporaryDirectory() as made:
        return all((folder / path.name).is_file()
                   and path.read_bytes() == (folder / path.name).read_bytes()
                   for path in write_table(table, Path(made)))


def kept_tables(folder: Path) -> tuple[list[Table], Figures]:
    """What the experiment's kept results make (no tables when it keeps none)."""
    maker = TABLES.get(kind(folder))
    return maker(folder) if maker else ([], no_figures)


def stale_tables(folder: Path) -> list[str]:
    """The experiment's tables that differ from what its kept results make."""
    return [table.name for table in kept_tables(folder)[0] if not is_current(folder, table)]


def write_tables(folder: Path) -> list[str]:
    """Re-make the experiment's tables and figures from its results/; their names."""
    tables, figures = kept_tables(folder)
    if not tables:
        raise SystemExit(f"{folder}: no results/ kept, no tables to make")
    for table in tables:
        write_table(table, folder)
    figures(folder)
    return [table.name for table in tables]


def overlay_of(name: str) -> Path:
    """The override set of experiment `name`, or `name` itself when it is a YAML file (e.g.
    benchmarks/gpu_check.yaml)."""
    path = Path(name)
    return path if path.is_file() and path.suffix == ".yaml" else folder_of(name) / "params.yaml"


def experiments() -> list[Path]:
    return sorted(path.parent for path in EXPERIMENTS.glob("*/params.yaml"))


def title(folder: Path) -> str:
    """The first line of the experiment's README, without its '#'."""
    readme = folder / "README.md"
    return readme.read_text(encoding="utf-8").splitlines()[0].lstrip("# ") \
        if readme.is_file() else ""


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = p.add_subparsers(dest="command", required=True)
    commands.add_parser("list", help="every experiment: name, what it keeps, title")
    for name, text in (("flags", "print its overrides as dvc exp run --set-param flags"),
                       ("apply", "write its overrides into params.yaml, comments kept"),
                       ("tables", "re-make its tables and figures from its results/")):
        commands.add_parser(name, help=text).add_argument("name")
    keeping = commands.add_parser("keep", help=f"copy a model's arm runs from {RESULTS}")
    keeping.add_argument("name")
    keeping.add_argument("model")
    keeping.add_argument("--results", type=Path, default=RESULTS,
                         help="the results folder of the clone that ran it")
    keeping.add_argument("--merge", action="store_true",
                         help="add the seeds the kept runs lack (seeds run later, same machine)")
    checking = commands.add_parser("check", help="exit 1 if a table differs from results/")
    checking.add_argument("names", nargs="*", help="default: every experiment")
    args = p.parse_args(argv)
    if args.command == "list":
        for folder in experiments():
            print(f"{folder.name:16} {kind(folder):9} {title(folder)}")
    elif args.command == "flags":
        print(" ".join(override_flags(overlay_of(args.name))))
    elif args.command == "apply":
        apply_overrides(overlay_of(args.name))
    elif args.command == "keep":
        folder = folder_of(args.name)
        keep(folder, args.model, args.results, args.merge)
        print(f"{args.name}: wrote {', '.join(write_tables(folder))}")
    elif args.command == "tables":
        print(f"{args.name}: wrote {', '.join(write_tables(folder_of(args.name)))}")
    else:
        folders = [folder_of(name) for name in args.names] or experiments()
        stale = {folder: stale_tables(folder) for folder in folders}
        for folder, names in stale.items():
            if names:
                print(f"{folder}: {', '.join(names)} differ from its results/; run "
                      f"python -m commands.experiment tables {folder}", file=sys.stderr)
        return 1 if any(stale.values()) else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
