"""Tables 1, 3 and 4 from the metrics files, ours beside the paper's, as Markdown and CSV."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from pipeline.reporting import paper

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
                     "test (leaderboard file)": r.result_file})
    return Table("table1", "Table 1: DocRED dev Ign F1 / F1", pd.DataFrame(rows),
                 ["The test set has no public labels: our test column is the leaderboard "
                  "upload (predictions above the dev theta) for CodaLab.",
                  "seeds: runs behind the mean and sample std (the schedule's seed and seeds.extra; "
                  "the control runs have one seed); the std needs two."])


def seed_summary(devs: list[dict]) -> dict[str, float | int | None]:
    """Mean and sample standard deviation (in percent) of dev Ign F1 and F1 over seeds."""
    out: dict[str, float | int | None] = {"seeds": len(devs)}
    for key, label in (("ign_f1", "Ign F1"), ("f1", "F1")):
        values = pd.Series([100 * d[key] for d in devs], dtype=float)
        out[f"dev {label} mean"] = round(float(values.mean()), 2)
        out[f"dev {label} std"] = round(float(values.std(ddof=1)), 2) if len(devs) > 1 else None
    return out


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
                     "T2": m["t2"], "F1c instances (dev/test)":
                         f"{m['dev']['f1c_instances']}/{m['test']['f1c_instances']}",
                     "instances trimmed (dev/test)": "/".join(
                         str(m[split].get("instances_trimmed", "-")) for split in ("dev", "test"))})
    return Table("table2", "Table 2: DialogRE F1 and F1c", pd.DataFrame(rows),
                 ["F1: T1 = 0.5, T2 tuned on dev F1 and reused; F1c: predictions on every "
                  "dialogue prefix, answerable relations only, macro-averaged over instances "
                  "(reference-implementations.md 5.4), on the first N instances of each split "
                  "(evaluate.dialogre.f1c_instances). The paper's numbers are on DialogRE v1 "
                  "with BERT-base; ours on v2."])


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
        rows.append({"model": _name(run, r),
                     "precision": _pct(evidence["precision"]),
                     "recall": _pct(evidence["recall"]), "F1": _pct(evidence["f1"]),
                     "paper precision": _paper(paper.TABLE4, run, 0),
                     "paper recall": _paper(paper.TABLE4, run, 1),
                     "paper F1": _paper(paper.TABLE4, run, 2),
                     "decisions": evidence["decisions"]})
    return Table("table4", "Table 4: evidence sentences from importance scores (dev)",
                 pd.DataFrame(rows),
                 ["For each gold fact with annotated evidence and each sentence: removed, "
                  "scored g = P log(P / P-hat), predicted evidence when g > tau, tau where "
                  "micro F1 peaks; on the robustness documents."])


SETTING_NAMES = {"base": "Base", "sief": "+SIEF", "rand": "+Rand", "nomention": "+NoMention",
                 "gtruth": "+GTruth"}


def heuristics_table(name: str, title: str, base: dict[str, dict],
                     runs: dict[tuple[str, str], dict], keys: tuple[str, ...],
                     paper_rows: dict[tuple[str, str], tuple]) -> Table:
    """Tables 5/6: per model the base checkpoint and the runs (model, key) -> dev metrics,
    dev Ign F1 / F1 beside the paper (whose Base and +SIEF rows repeat Table 1's dev)."""
    rows = []
    for model, base_dev in base.items():
        for key, metrics in [("base", base_dev)] + [(k, runs.get((model, k))) for k in keys]:
            if metrics is None:
                continue
            paper_row = (paper.TABLE1.get((model, "glove", key)) if key in ("base", "sief")
                         else paper_rows.get((model, key)))
            rows.append({"model": paper.MODEL_NAMES.get(model, model),
                         "method": SETTING_NAMES.get(key, key),
                         "dev Ign F1": _pct(metrics["ign_f1"]), "dev F1": _pct(metrics["f1"]),
                         "paper dev Ign F1": paper_row[0] if paper_row else None,
                         "paper dev F1": paper_row[1] if paper_row else None})
    return Table(name, title, pd.DataFrame(rows))


def to_markdown(table: Table) -> str:
    frame = table.frame.astype(object).where(table.frame.notna(), "-")
    lines = [f"## {table.title}", "",
             "| " + " | ".join(frame.columns) + " |",
             "| " + " | ".join("---" for _ in frame.columns) + " |"]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    lines += [""] + [f"{note}" for note in table.notes] + [""]
    return "\n".join(lines)


def _cell(value) -> str:
    return f"{value:.2f}" if isinstance(value, float) else str(value)


def write_table(table: Table, out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    csv, md = out_dir / f"{table.name}.csv", out_dir / f"{table.name}.md"
    table.frame.to_csv(csv, index=False)
    md.write_text(to_markdown(table), encoding="utf-8")
    return [md, csv]
