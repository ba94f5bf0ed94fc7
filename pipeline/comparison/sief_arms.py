"""The arms with SIEF's loss: `sief` (params.yaml's `sief` section) and `rand` (the same
with random evidence, the paper's Rand). Apart from arms.py so that the control and augment
arms do not depend on the SIEF loss."""
from __future__ import annotations

import dataclasses

from pipeline.errors import ConfigError
from pipeline.sief.objective import SIEFConfig, sief_loss
from pipeline.training.objectives import Loss

SIEF_ARMS: tuple[str, ...] = ("rand", "sief")


def sief_arm_loss(arm: str, sief: SIEFConfig) -> Loss:
    """The loss of `arm`: `sief` as configured, `rand` with sief.evidence_rule = random."""
    if arm not in SIEF_ARMS:
        raise ConfigError(f"arm: {arm!r} is not one of {list(SIEF_ARMS)} (the others: "
                          "pipeline/comparison/augment.py)")
    return sief_loss(dataclasses.replace(sief, evidence_rule="random") if arm == "rand" else sief)
