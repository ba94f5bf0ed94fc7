"""Evaluation settings."""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal


@dataclass(frozen=True)
class EvaluateConfig:
    BOUNDS: ClassVar[dict[str, str]] = {"batch_size": ">= 1"}
    """Ranges checked by pipeline.config.build (the params key named in the error)."""
    theta_from: Literal["f1", "ign_f1"] = "f1"
    """Threshold for fixed predictions (dev/test files): the dev F1 maximiser (DocRED, GAIN)
    or the dev Ign F1 maximiser (the official SIEF code)."""
    batch_size: int = 32
    """Documents per evaluation batch."""


@dataclass(frozen=True)
class DialogREEvaluateConfig:
    BOUNDS: ClassVar[dict[str, str]] = {"batch_size": ">= 1", "f1c_instances": ">= 0"}
    """Ranges checked by pipeline.config.build (the params key named in the error)."""
    batch_size: int = 32
    """Instances (or dialogue prefixes) per evaluation batch."""
    f1c_instances: int = 0
    """F1c from the first N instances of dev and of test (0 = all). Every instance costs
    one forward pass per turn (~13 on DialogRE), so the CPU default is a subset; the
    number used is written beside the score."""
