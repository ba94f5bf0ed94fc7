"""The result tables of the README and docs/, made from the committed results, never typed
by hand.

    python -m commands.readme_tables            # rewrite the blocks in README.md and docs/*.md
    python -m commands.readme_tables --check    # exit 1 when a page differs from them

A block is the lines between `<!-- table: NAME -->` and `<!-- /table -->`; NAME is one of
BLOCKS, each made from the report's CSVs (data/reports/docred/) or the per-stage times of
the measured run (benchmarks/results/repro_times.csv). `<!-- table: NAME FOLDER -->` makes
it from a kept override run instead (FOLDER holds that run's report CSVs and its
repro_times.csv; e.g. experiments/transformers/); the
`speed` block always names one (a kept `python -m
benchmarks.speed --out FOLDER`).
tests/test_readme_tables.py runs the check, so the README cannot drift from the committed
results.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Callable

import pandas as pd

from pipeline.reporting.tables import markdown_rows

REPORTS = Path("data/reports/docred")
TIMES = Path("benchmarks/results/repro_times.csv")
BLOCK = re.compile(r"(<!-- table: (?P<name>[a-z0-9_]+)(?: (?P<folder>[\w./-]+))? -->\n)"
                   r"(?P<body>.*?)(?P<end><!-- /table -->)", re.DOTALL)


def sief_effect(reports: Path) -> pd.DataFrame:
    """SIEF - control and SIEF - base per model, dev Ign F1 (points)."""
    return differences(reports / "sief_effect.csv")


def arms_effect(reports: Path) -> pd.DataFrame:
    """The comparison's arm differences per model, dev Ign F1 (points), cross-fitted."""
    return differences(reports / "arms_effect.csv")


def differences(path: Path) -> pd.DataFrame:
    """A difference table's dev Ign F1 rows (sief_effect, arms_effect), the README's columns."""
    frame = pd.read_csv(path)
    frame = frame[frame["metric"] == "dev Ign F1"].copy()
    for column in ("mean difference", "paper difference"):
        frame[column] = [None if pd.isna(v) else f"{v:+.2f}" for v in frame[column]]
    return frame.rename(columns={"mean difference": "dev Ign F1", "paper difference": "paper"})[
        ["model", "difference", "seeds", "dev Ign F1", "95% CI", "MDE (80% power)", "verdict",
         "paper"]]


def selection_bias(reports: Path) -> pd.DataFrame:
    """Per model and arm, dev Ign F1 chosen on all dev vs cross-fitted (percent)."""
    frame = pd.read_csv(reports / "selection_bias.csv")
    return frame[["model", "arm", "seeds", "dev Ign F1, chosen on all dev",
                  "dev Ign F1, cross-fitted", "optimism Ign F1", "epochs chosen (A / B)"]]


def table1_seeds(reports: Path) -> pd.DataFrame:
    """Table 1's rows: mean +- sample std over seeds beside the paper."""
    frame = pd.read_csv(reports / "table1.csv")
    return pd.DataFrame({
        "run": frame["model"], "seeds": frame["seeds"],
        "dev Ign F1": [_spread(m, s) for m, s in zip(frame["dev Ign F1 mean"],
                                                      frame["dev Ign F1 std"])],
        "dev F1": [_spread(m, s) for m, s in zip(frame["dev F1 mean"], frame["dev F1 std"])],
        "paper dev Ign F1 / F1": [_pair(a, b) for a, b in zip(frame["paper dev Ign F1"],
                                                               frame["paper dev F1"])],
        "test Ign F1 / F1": [_pair(a, b) for a, b in zip(frame["test Ign F1"],
                                                          frame["test F1"])]})


def table2(reports: Path) -> pd.DataFrame:
    """DialogRE: F1 / F1c of ours beside the paper's, and whether a run left the majority
    answer (distinct answers, the most common one's share)."""
    frame = pd.read_csv(reports / "table2.csv")
    return frame.drop(columns=["encoder", "F1c instances (dev/test)"])


def training(reports: Path) -> pd.DataFrame:
    return pd.read_csv(reports / "training.csv")


def robustness(reports: Path) -> pd.DataFrame:
    return pd.read_csv(reports / "robustness.csv")


def evidence(reports: Path) -> pd.DataFrame:
    """Table 4: evidence from importance scores, gold facts and predicted facts."""
    frame = pd.read_csv(reports / "table4.csv")
    return frame.drop(columns=["decisions"])


def analysis(reports: Path) -> pd.DataFrame:
    """Tables 5 and 6 in one (their Base and +SIEF rows are the same runs) with Figure 4."""
    rows = pd.concat([pd.read_csv(reports / "table5.csv"), pd.read_csv(reports / "table6.csv")])
    rows = rows.drop_duplicates(subset=["model", "method"])
    beta = pd.read_csv(reports / "figure4.csv")
    extra = pd.DataFrame({"model": beta["model"].str.replace("bilstm", "BiLSTM"),
                          "method": [f"beta {b}" for b in beta["beta"]],
                          "seeds": beta["seeds"], "dev Ign F1": beta["ign_f1"],
                          "dev F1": beta["f1"],
                          "dev F1 95% CI": [f"[{lo:.2f}, {hi:.2f}]" for lo, hi
                                            in zip(beta["f1_low"], beta["f1_high"])]})
    return pd.concat([rows, extra], ignore_index=True)


def heuristics_effect(reports: Path) -> pd.DataFrame:
    """+SIEF against its variants of the same seeds, dev Ign F1 (points), cross-fitted."""
    return differences(reports / "heuristics_effect.csv")


def time_budget(reports: Path) -> pd.DataFrame:
    """Minutes per stage definition of the measured run, with the total: the default run's
    (TIMES) for the default reports, a kept override run's own repro_times.csv otherwise."""
    frame = pd.read_csv(TIMES if reports == REPORTS else reports / "repro_times.csv")
    frame["definition"] = frame["stage"].str.split("@").str[0]
    grouped = frame.groupby("definition", sort=False)["seconds"].agg(["count", "sum", "min",
                                                                     "max"])
    total = frame["seconds"].sum()
    out = pd.DataFrame({
        "stage": [f"`{name}`" for name in grouped.index], "instances": grouped["count"],
        "minutes": (grouped["sum"] / 60).round(1),
        "share (%)": (100 * grouped["sum"] / total).round(1),
        "each (s)": [f"{lo:.0f}-{hi:.0f}" if round(lo) != round(hi) else f"{lo:.0f}"
                     for lo, hi in zip(grouped["min"], grouped["max"])]}).reset_index(drop=True)
    return pd.concat([out, pd.DataFrame([{"stage": "**total**", "instances": len(frame),
                                          "minutes": round(total / 60, 1)}])],
                     ignore_index=True)


ONE_BATCH_COLUMN = "two passes in one batch / two passes [95% CI]"


def speed(folder: Path) -> pd.DataFrame:
    """benchmarks/speed.py's kept run (`--out FOLDER`): per model, the reference form beside
    the model, SIEF / base with its interval over batches beside its floor (two base-loss
    passes, the second on the reduced documents), evaluation, memory (and GPU memory where
    the run was on CUDA; both passes in one batch where it was timed, --one-batch)."""
    runs = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    rows = []
    for name, run in runs.items():
        low, high = run["sief_over_base_95ci"]
        reformulated = run["has_reference"]
        gpu = {"peak GPU memory after training, reference / model (MB)":  # --device cuda
               f"{run['reference_train_peak_gpu_mb']:.0f} / {run['train_peak_gpu_mb']:.0f}"
               } if "train_peak_gpu_mb" in run else {}
        one_batch = {ONE_BATCH_COLUMN: "{:.3f}x [{:.3f}, {:.3f}]".format(
            run["one_batch_over_two_passes"], *run["one_batch_over_two_passes_95ci"])
            } if "one_batch_over_two_passes" in run else {}
        rows.append({
            "run": f"`{name}`",
            "train docs/s, reference -> model":
                f"{run['reference_train_docs_per_s']:.1f} -> {run['train_docs_per_s']:.1f}"
                + ("" if reformulated else " (same model)"),
            "speed-up": f"**{run['train_speedup']:.2f}x**" if reformulated else "-",
            "SIEF / base [95% CI]": f"{run['sief_over_base']:.2f}x [{low:.2f}, {high:.2f}]",
            "two passes / base": f"{run['two_passes_over_base']:.2f}x",
            "SIEF / two passes": f"{run['sief_over_two_passes']:.2f}x",
            **one_batch,
            "dev evaluation": f"{run['eval_docs']} docs in {run['eval_s']:.1f} s",
            "peak RSS after training, reference / model (MB)":
                f"{run['reference_train_peak_rss_mb']:.0f} / {run['train_peak_rss_mb']:.0f}",
            **gpu,
            "robustness per dev doc": f"{1000 * run['robustness_s_per_doc']:.0f} ms"
                if "robustness_s_per_doc" in run else ""})
    return pd.DataFrame(rows)


BLOCKS: dict[str, Callable[[Path], pd.DataFrame]] = {
    "sief_effect": sief_effect, "arms_effect": arms_effect, "selection_bias": selection_bias,
    "table1": table1_seeds, "table2": table2, "training": training,
    "robustness": robustness, "evidence": evidence, "analysis": analysis,
    "heuristics_effect": heuristics_effect,
    "time_budget": time_budget, "speed": speed,
}
"""Block name -> the table it holds, from the reports directory."""


def render(text: str, reports: Path = REPORTS) -> str:
    """README text with every block remade, from `reports` or the block's own folder; an
    unknown block name is an error."""
    def remake(match: re.Match) -> str:
        name, folder = match.group("name"), match.group("folder")
        if name not in BLOCKS:
            raise KeyError(f"README block {name!r} is not one of {sorted(BLOCKS)}")
        table = BLOCKS[name](Path(folder) if folder else reports)
        body = "\n".join(markdown_rows(table)) + "\n"
        return match.group(1) + body + match.group("end")
    return BLOCK.sub(remake, text)


def _spread(mean: float, std: float) -> str:
    return f"{mean:.2f}" if pd.isna(std) else f"{mean:.2f} +- {std:.2f}"


def _pair(a, b) -> str:
    if isinstance(a, str) or isinstance(b, str):
        return a if a == b else f"{a} / {b}"
    return "-" if pd.isna(a) else f"{a:.2f} / {b:.2f}"


def result_pages() -> list[Path]:
    """The pages with result tables: the README and every page of docs/."""
    return [Path("README.md"), *sorted(Path("docs").glob("*.md"))]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--readme", type=Path, action="append",
                   help="a page to remake (repeatable; default: README.md and docs/*.md)")
    p.add_argument("--check", action="store_true", help="only say whether it is up to date")
    args = p.parse_args(argv)
    stale = []
    for page in args.readme or result_pages():
        text = page.read_text(encoding="utf-8")
        remade = render(text)
        if remade == text:
            continue
        if args.check:
            stale.append(page)
        else:
            page.write_text(remade, encoding="utf-8")
    for page in stale:
        print(f"{page}: result tables differ from the committed results; run "
              "python -m commands.readme_tables", file=sys.stderr)
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
