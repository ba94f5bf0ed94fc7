"""The paper's figures as PNG (matplotlib; DVC's plot HTML needs the internet)."""
from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only, no display
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from pipeline.reporting import paper  # noqa: E402

Run = tuple[str, str, str]  # (model, encoder, job)


def figure5(points: dict[Run, pd.DataFrame], thetas: dict[Run, float], path: Path) -> Path:
    """P against P-hat (a non-evidence sentence removed): one row per model (and encoder),
    one column per job. Points on the diagonal did not move; the dashed lines are the dev
    theta."""
    models = list(dict.fromkeys(run[:2] for run in points))
    jobs = list(dict.fromkeys(run[2] for run in points))
    fig, axes = plt.subplots(len(models), len(jobs), squeeze=False,
                             figsize=(3.2 * len(jobs), 3.2 * len(models)))
    for i, model in enumerate(models):
        for j, job in enumerate(jobs):
            ax = axes[i][j]
            frame = points.get((*model, job))
            if frame is not None:
                ax.scatter(frame["p"], frame["p_hat"], s=2, alpha=0.25, linewidths=0)
                theta = thetas[(*model, job)]
                ax.axvline(theta, ls="--", lw=0.8, color="grey")
                ax.axhline(theta, ls="--", lw=0.8, color="grey")
            ax.plot([0, 1], [0, 1], lw=0.8, color="black")
            ax.set(xlim=(0, 1), ylim=(0, 1), title=paper.row_name(model[0], job))
            ax.set_xlabel("P (full document)")
            ax.set_ylabel("P-hat (non-evidence sentence removed)")
    return _save(fig, path)


def figure4(sweep: pd.DataFrame, path: Path) -> Path:
    """Dev F1 against beta, one line per model, each point the mean over its seeds with its
    95 % interval as an error bar; sweep has columns model, beta, seeds, f1, f1_low,
    f1_high (percent)."""
    fig, ax = plt.subplots(figsize=(4.8, 3.6))
    for model, rows in sweep.groupby("model", sort=False):
        rows = rows.sort_values("beta")
        below, above = rows["f1"] - rows["f1_low"], rows["f1_high"] - rows["f1"]
        seeds = "/".join(str(n) for n in sorted(set(rows["seeds"])))
        ax.errorbar(rows["beta"], rows["f1"], yerr=[below, above], marker="o", capsize=3,
                    label=f"{paper.MODEL_NAMES.get(model, model)} (seeds per point: {seeds})")
    ax.set(xlabel="beta", ylabel="dev F1 (%)",
           title="Figure 4: dev F1 against beta (95% CI)")
    ax.legend()
    return _save(fig, path)


def learning_curves(histories: dict[Run, pd.DataFrame], path: Path) -> Path:
    """Dev Ign F1 against epoch, one panel per (model, encoder), one line per job; a star
    marks the kept (best) epoch, a line's end the epoch where the run stopped."""
    panels = list(dict.fromkeys(run[:2] for run in histories))
    fig, axes = plt.subplots(1, len(panels), squeeze=False, figsize=(3.6 * len(panels), 3.2))
    for ax, panel in zip(axes[0], panels):
        for run, history in histories.items():
            if run[:2] != panel or "dev_ign_f1" not in history:
                continue
            evaluated = history.dropna(subset=["dev_ign_f1"])
            line, = ax.plot(evaluated["epoch"], 100 * evaluated["dev_ign_f1"], marker=".",
                            label=run[2])
            best = evaluated.loc[evaluated["dev_ign_f1"].idxmax()]
            ax.plot(best["epoch"], 100 * best["dev_ign_f1"], marker="*", markersize=12,
                    color=line.get_color())
        model, encoder = panel
        ax.set(xlabel="epoch of the run", ylabel="dev Ign F1 (%)",
               title=f"{paper.MODEL_NAMES.get(model, model)} ({encoder})")
        ax.legend(fontsize=7)
    return _save(fig, path)


def arm_curves(histories: dict[Run, pd.DataFrame], path: Path) -> Path:
    """Dev Ign F1 against epoch for the comparison's arms: one panel per (model, encoder), one
    line per arm, the mean over seeds with the band from the lowest to the highest seed. Every
    arm runs the same epochs; the curves show where the budget ends against their plateau."""
    panels = list(dict.fromkeys(run[:2] for run in histories))
    fig, axes = plt.subplots(1, len(panels), squeeze=False, figsize=(3.6 * len(panels), 3.2))
    for ax, panel in zip(axes[0], panels):
        seeds = 0
        for run, history in histories.items():
            if run[:2] != panel:
                continue
            seeds = history["seed"].nunique()
            by_epoch = (100 * history.set_index("epoch")["dev_ign_f1"]).groupby(level=0)
            mean = by_epoch.mean()
            line, = ax.plot(mean.index, mean, marker=".", label=run[2])
            ax.fill_between(mean.index, by_epoch.min(), by_epoch.max(), alpha=0.15,
                            color=line.get_color(), linewidth=0)
        model, encoder = panel
        ax.set(xlabel="epoch of the arm", ylabel="dev Ign F1 (%)",
               title=f"{paper.MODEL_NAMES.get(model, model)} ({encoder}), {seeds} seeds")
        ax.legend(fontsize=7)
    return _save(fig, path)


def _save(fig: plt.Figure, path: Path) -> Path:
    """Lay out, write as PNG (110 dpi) and close the figure; returns `path`."""
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
