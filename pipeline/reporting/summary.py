"""The report's headline metrics (data/summary/<dataset>.json): the pipeline's declared
`metrics`, what `dvc exp show` compares across experiments.

Per model and encoder (nested, the run's fields as keys): dev Ign F1 of the base, control
and SIEF runs (percent, the schedule's seed), SIEF - control with its 95 % interval and
verdict (table sief_effect), the arms' differences (table arms_effect, cross-fitted) where
the model has arms, and the runs' train minutes. Every number is one of a report table's.
"""
from __future__ import annotations

import re

import pandas as pd

from pipeline.reporting.tables import (ARM_COMPARISONS, SETTING_NAMES, Run, RunResults, Table,
                                       effect_row_name)

IGN_F1 = "dev Ign F1"
SIEF_CONTROL = f"{SETTING_NAMES['sief']} - {SETTING_NAMES['control']}"


def headline(scored: dict[Run, RunResults], histories: dict[Run, pd.DataFrame],
             kinds: dict[str, str], effect: Table, arms: Table | None) -> dict:
    """{model: {encoder: {base, control, sief, sief_control, sief_control_low,
    sief_control_high, verdict, train_min[, arms: {sief_control, ...}]}}}."""
    out: dict = {}
    rows = {}
    for (model, encoder, job), results in scored.items():
        entry = out.setdefault(model, {}).setdefault(encoder, {"train_min": 0.0})
        entry[job] = round(100 * results.metrics["dev"]["ign_f1"], 2)
        entry["train_min"] = round(entry["train_min"]
                                   + histories[(model, encoder, job)]["train_seconds"].sum()
                                   / 60, 1)
        rows[effect_row_name(model, encoder, kinds.get(encoder, "glove"))] = entry
    for row in _ign_f1_rows(effect, SIEF_CONTROL):
        low, high = _bounds(row["95% CI"])
        rows[row["model"]].update(sief_control=row["mean difference"], sief_control_low=low,
                                  sief_control_high=high, verdict=row["verdict"])
    names = {f"{SETTING_NAMES[a]} - {SETTING_NAMES[b]}": f"{a}_{b}" for a, b in ARM_COMPARISONS}
    for difference, key in names.items():
        for row in _ign_f1_rows(arms, difference) if arms is not None else []:
            rows[row["model"]].setdefault("arms", {})[key] = row["mean difference"]
    return out


def _ign_f1_rows(table: Table, difference: str) -> list[dict]:
    frame = table.frame
    if frame.empty:
        return []
    chosen = frame[(frame["metric"] == IGN_F1) & (frame["difference"] == difference)]
    return chosen.to_dict("records")


def _bounds(span: str | None) -> tuple[float | None, float | None]:
    """'[-1.90, +2.88]' -> (-1.9, 2.88); None -> (None, None)."""
    if not isinstance(span, str):
        return None, None
    low, high = (float(x) for x in re.findall(r"[-+]?\d+\.\d+", span))
    return low, high
