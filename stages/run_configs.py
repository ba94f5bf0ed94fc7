"""What the stages that train a run share: argv and declared params to the run's typed configs.

Not a stage. Apart from stages/common.py on purpose: this module imports the models
(torch), and download and prepare, which import common, must not re-run when a model
changes (DVC re-runs a stage when a module it imports changes; tests/test_stage_deps.py).
"""
from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import torch

from pipeline.config import build
from pipeline.models import build_model_config
from pipeline.runtime import runtime_device
from pipeline.training.loop import ScheduleConfig, TrainConfig
from stages.common import load_sections


@dataclass(frozen=True)
class RunConfigs:
    """One run's argv, its declared params sections and the typed configs built from them."""
    args: argparse.Namespace
    params: dict[str, Any]
    """The declared sections, for the stage's own configs (sief, seeds, analysis)."""
    schedule: ScheduleConfig
    """schedules.<dataset>.<encoder>; a stage that declares only its `base` block gets the
    default `finetune` block, which it does not read."""
    model: Any
    """models.<model> with encoders.<encoder> joined."""
    device: torch.device


def run_parser(description: str) -> argparse.ArgumentParser:
    """argv of a stage that trains one run: its fields and its data directory; the stage
    adds its own paths."""
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--dataset", required=True, help="the dataset's name (params sections)")
    p.add_argument("--model", required=True, help="params.yaml models.<model>")
    p.add_argument("--encoder", required=True, help="params.yaml encoders.<encoder>")
    p.add_argument("--data", required=True, type=Path, help="the processed dataset directory")
    return p


def run_configs(parser: argparse.ArgumentParser, declared: Sequence[str],
                argv: list[str] | None) -> RunConfigs:
    """Parse argv, read the declared sections (placeholders filled from argv) and build the
    run's schedule, model config and device; errors name the params keys as written."""
    args = parser.parse_args(argv)
    names = {key: value for key, value in vars(args).items() if isinstance(value, str)}
    params = load_sections(declared, **names)
    key = f"schedules.{args.dataset}.{args.encoder}"
    schedule = (build(ScheduleConfig, params[key], key) if key in params
                else ScheduleConfig(base=build(TrainConfig, params[f"{key}.base"], f"{key}.base")))
    model = build_model_config(params[f"models.{args.model}"],
                               params[f"encoders.{args.encoder}"], f"models.{args.model}",
                               f"encoders.{args.encoder}")
    return RunConfigs(args, params, schedule, model, runtime_device(params["runtime"]))
