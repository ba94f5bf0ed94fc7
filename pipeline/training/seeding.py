"""Seeding: every run is seeded, and each epoch re-seeds from (seed, epoch).

Re-seeding per epoch makes a resumed run follow exactly the path of an uninterrupted one
without saving RNG states.
"""
from __future__ import annotations

import random

import numpy as np
import torch


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


def epoch_rng(seed: int, epoch: int) -> np.random.Generator:
    torch.manual_seed(seed * 100_003 + epoch)
    return np.random.default_rng([seed, epoch])
