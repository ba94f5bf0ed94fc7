"""Seeding: every run is seeded, and each epoch re-seeds from (seed, epoch).

Re-seeding per epoch makes a resumed run follow exactly the path of an uninterrupted one
without saving RNG states.
"""
from __future__ import annotations

import os
import random
from dataclasses import dataclass

import numpy as np
import torch

from pipeline.errors import ConfigError


def seed_everything(seed: int) -> None:
    # Deterministic kernels: without them, CPU results drift by ~1e-9 per step whenever
    # the machine is under other load (seen here: two identical runs parted at epoch 7).
    # cuBLAS needs this workspace setting for determinism on a GPU.
    os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
    torch.use_deterministic_algorithms(True, warn_only=True)
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


def epoch_rng(seed: int, epoch: int) -> np.random.Generator:
    torch.manual_seed(seed * 100_003 + epoch)
    return np.random.default_rng([seed, epoch])


@dataclass(frozen=True)
class SeedsConfig:
    """Replicates for Table 1's mean and standard deviation over seeds."""
    models: tuple[str, ...] = ()
    """The GloVe models that get the replicates (dvc.yaml's seeds_base and arms matrices);
    the others have the schedule's seed only."""
    extra: tuple[int, ...] = ()
    """Seeds besides the schedule's seed: each trains the base model again (seeds_base) and
    fine-tunes it in every arm (arms, arms_sief). Empty = one seed."""

    def __post_init__(self) -> None:
        if len(set(self.extra)) != len(self.extra):
            raise ConfigError(f"extra: repeated seed in {list(self.extra)}")

    def replicates(self, main_seed: int) -> tuple[int, ...]:
        """The extra seeds; the schedule's own seed among them would only repeat the main run."""
        if main_seed in self.extra:
            raise ConfigError(f"seeds.extra: {main_seed} is the schedule's seed, already the "
                              "main run")
        return self.extra
