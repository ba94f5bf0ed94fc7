"""The paper's analyses of SIEF (Tables 5, 6 and Figure 4) as runs of the comparison's
`sief` arm with a changed `sief` section: a setting (another beta, NoMention's or random
evidence, gold targets) fine-tunes the base run of every seed it has with the arms' batch
order and budget, scored as the paper does and cross-fitted (pipeline/comparison), so that
the report pairs it with the SIEF and Rand arms of the same seeds.
"""
from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any, Callable

import torch

from pipeline.comparison.arms import ComparisonConfig, arm_seeds, compare_arm
from pipeline.data.jsonio import read_json, write_json
from pipeline.errors import ConfigError
from pipeline.sief.objective import SIEFConfig, sief_loss
from pipeline.training.loop import TrainConfig


def setting_bases(main_seed: int, main_base: Path | None, replicas: Path,
                  extra: tuple[int, ...]) -> dict[int, Path | None]:
    """Seed -> the base checkpoint a setting starts from: the schedule's seed's base run
    (`main_base`; None: from scratch), then each extra seed's seeds_base replicate
    (replicas/seed<k>/model.pt), which must exist."""
    # A setting has no main run of its own: its seeds are those of an arm without one.
    bases = arm_seeds("rand", main_seed, main_base, replicas, extra)
    missing = [f"{seed} ({path})" for seed, path in bases.items()
               if path is not None and seed != main_seed and not path.is_file()]
    if missing:
        raise ConfigError(f"analysis.extra_seeds: no base run of seed {', '.join(missing)}; "
                          "seeds_base trains the seeds of seeds.extra for the models of "
                          "seeds.models")
    return bases


def analysis_run(setting: str, sief: SIEFConfig, model: Any, finetuning: TrainConfig,
                 comparison: ComparisonConfig, data_dir: Path, bases: dict[int, Path | None],
                 out_dir: Path, metrics: Path, resume_of: Callable[[Path], Path | None],
                 device: torch.device | None = None) -> list[dict]:
    """The setting's SIEF run for every seed of `bases`, as compare_arm runs an arm
    (out_dir/seed<k>/, and dev.json, selection.csv, history.csv beside `metrics`); dev.json
    also names the setting and the SIEF config it ran with (what the report reads to place
    it: Table 5, 6 or Figure 4)."""
    runs = compare_arm("sief", sief_loss(sief), model, finetuning, comparison, data_dir, bases,
                       out_dir, metrics, resume_of, device)
    name_setting(metrics, setting, sief)
    return runs


def name_setting(metrics: Path, setting: str, sief: SIEFConfig) -> None:
    """Put the setting's name and SIEF config at the head of an arm's dev.json."""
    write_json(metrics, {"setting": setting, "sief": dataclasses.asdict(sief),
                         **read_json(metrics)}, indent=1)
