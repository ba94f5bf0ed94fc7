"""A Figure 6-style case study: one dev fact's probability as sentences are taken away,
base model against +SIEF.

The fact is chosen by a stated rule from the robustness points (no hand-picking): both
checkpoints predict it on the full document (P >= their dev theta); removing some sentence
that is not its gold evidence flips the base model's decision, but never SIEF's. Among
those, the one with the largest base drop; if none qualifies, the fact with the largest
base |P - P-hat|. Shown subsets: the full document, each sentence removed alone, and the
evidence sentences alone.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, ClassVar, Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import torch  # noqa: E402

from pipeline.data.document import Document, pair_index  # noqa: E402
from pipeline.data.features import Collate, DocFeatures  # noqa: E402

FACT = ["title", "h", "t", "r"]


@dataclass(frozen=True)
class CaseStudyConfig:
    BOUNDS: ClassVar[dict[str, str]] = {"max_sentences": ">= 1"}
    """Ranges checked by pipeline.config.build (the params key named in the error)."""
    model: str = "gain"
    """Base model whose base and +SIEF checkpoints are compared (the paper shows GAIN)."""
    max_sentences: int = 8
    """Only documents with at most this many sentences are candidates (a readable figure)."""


def choose_fact(base: pd.DataFrame, sief: pd.DataFrame, theta_base: float, theta_sief: float,
                num_sents: dict[str, int], max_sentences: int) -> tuple[str, int, int, int]:
    """(title, h, t, r) by the module's rule, from the two runs' robustness points."""
    both = base.merge(sief, on=FACT + ["sentence"], suffixes=("_base", "_sief"))
    both = both[both["title"].map(num_sents) <= max_sentences]
    if both.empty:
        raise ValueError("no robustness point in a document with few enough sentences")
    both = both.assign(
        kept=(both["p_base"] >= theta_base) & (both["p_sief"] >= theta_sief),
        base_flip=both["p_hat_base"] < theta_base,
        sief_flip=both["p_hat_sief"] < theta_sief,
        base_drop=both["p_base"] - both["p_hat_base"])
    facts = both.groupby(FACT, sort=True).agg(
        kept=("kept", "all"), base_flip=("base_flip", "any"), sief_flip=("sief_flip", "any"),
        base_drop=("base_drop", "max"), base_move=("base_drop", lambda d: d.abs().max()))
    wanted = facts[facts["kept"] & facts["base_flip"] & ~facts["sief_flip"]]
    chosen = wanted["base_drop"].idxmax() if len(wanted) else facts["base_move"].idxmax()
    title, h, t, r = chosen
    return str(title), int(h), int(t), int(r)


def subsets(doc: Document, evidence: Sequence[int]) -> list[tuple[str, tuple[int, ...]]]:
    """(label, kept sentences): full document, each sentence removed, evidence alone."""
    every = tuple(range(len(doc.sents)))
    out = [("full document", every)]
    out += [(f"without S{n}" + (" (evidence)" if n in evidence else ""),
             tuple(i for i in every if i != n)) for n in every]
    if evidence and tuple(sorted(evidence)) != every:
        out.append(("evidence only", tuple(sorted(evidence))))
    return out


@torch.no_grad()
def subset_probabilities(model: torch.nn.Module, doc: Document, fact: tuple[int, int, int],
                         kept: Sequence[tuple[int, ...]],
                         featurize: Callable[[Document], DocFeatures],
                         collate: Collate) -> np.ndarray:
    """P(r | h, t) for the document restricted to each sentence subset: [len(kept)]."""
    model.eval()
    h, t, r = fact
    batch = collate([featurize(doc.keep_sentences(k)) for k in kept])
    probs = torch.sigmoid(model(batch)).cpu().numpy()
    rows = np.array(batch.pair_offsets) + pair_index(doc.num_entities, h, t)
    return probs[rows, r]


def case_study_frame(labels: Sequence[str], kept: Sequence[tuple[int, ...]],
                     p_base: np.ndarray, p_sief: np.ndarray, theta_base: float,
                     theta_sief: float) -> pd.DataFrame:
    return pd.DataFrame({
        "subset": labels, "sentences": [" ".join(f"S{i}" for i in k) for k in kept],
        "p_base": p_base.round(4), "predicted_base": p_base >= theta_base,
        "p_sief": p_sief.round(4), "predicted_sief": p_sief >= theta_sief})


def plot_case_study(frame: pd.DataFrame, theta_base: float, theta_sief: float, title: str,
                    path: Path) -> Path:
    fig, axes = plt.subplots(1, 2, sharey=True, figsize=(9, 0.45 * len(frame) + 1.5))
    y = np.arange(len(frame))
    for ax, column, theta, name in ((axes[0], "p_base", theta_base, "base"),
                                    (axes[1], "p_sief", theta_sief, "+SIEF")):
        ax.barh(y, frame[column], color=np.where(frame[column] >= theta, "tab:green", "tab:red"))
        ax.axvline(theta, ls="--", color="black", lw=1)
        ax.set(xlim=(0, 1), title=f"{name} (theta {theta:.3f})", xlabel="P(relation)")
    axes[0].set_yticks(y, frame["subset"])
    axes[0].invert_yaxis()
    fig.suptitle(title, fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def document_markdown(doc: Document, fact: tuple[int, int, int], relation: str,
                      evidence: Sequence[int]) -> str:
    h, t, _ = fact
    name = lambda e: doc.entities[e][0].name if doc.entities[e] else f"entity {e}"  # noqa: E731
    lines = [f"Document *{doc.title}*; fact ({name(h)}, {relation}, {name(t)}); gold "
             f"evidence: {', '.join(f'S{i}' for i in evidence) or 'none'}.", ""]
    lines += [f"- **S{i}**{' (evidence)' if i in evidence else ''}: {' '.join(s)}"
              for i, s in enumerate(doc.sents)]
    return "\n".join(lines)
