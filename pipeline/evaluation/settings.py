"""Evaluation settings."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class EvaluateConfig:
    theta_from: Literal["f1", "ign_f1"] = "f1"
    """Threshold for fixed predictions (dev/test files): the dev F1 maximiser (DocRED, GAIN)
    or the dev Ign F1 maximiser (the official SIEF code)."""
    batch_size: int = 32
    """Documents per evaluation batch."""
