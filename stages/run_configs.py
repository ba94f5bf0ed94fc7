"""What the stages that train a run share: argv and declared params to the run's typed configs.

Not a stage. Apart from stages/common.py on purpose: this module imports the models
(torch), and download and prepare, which import common, must not re-run when a model
changes (DVC re-runs a stage when a module it imports changes; tests/test_stage_deps.py).
"""
from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

import torch

from pipeline.config import build, build_all
from pipeline.models import build_model_config
from pipeline.runtime import RuntimeConfig, setup_runtime
from pipeline.training.loop import ScheduleConfig, TrainConfig
from pipeline.training.seeding import SeedsConfig
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
    sief: Any = None
    """The SIEF loss (pipeline.sief.objective.SIEFConfig), for the stages that ask for it
    (run_configs' `sief`); typed loosely so that the stages without SIEF (train, control,
    arms' control and augment) do not import it, nor re-run when it changes."""


PATH_ARGUMENTS = {
    "base": "the base run's model.pt (the start of SIEF, control and analysis runs)",
    "bases": "seeds_base's run directories (one per seed)",
    "out": "the run's directory (model.pt); for seeds stages, one run directory per seed",
    "history": "the run's learning curve (history.csv, beside its results)",
    "metrics": "the runs' best dev metrics (dev.json; the per-document counts and the "
               "learning curves are written beside it)",
}
"""The paths a training stage may take, by option name, with their help."""


def run_parser(description: str, *paths: str) -> argparse.ArgumentParser:
    """argv of a stage that trains: the run's fields, its data directory and the named
    `paths` (PATH_ARGUMENTS), all required."""
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--dataset", required=True, help="the dataset's name (params sections)")
    p.add_argument("--model", required=True, help="params.yaml models.<model>")
    p.add_argument("--encoder", required=True, help="params.yaml encoders.<encoder>")
    p.add_argument("--data", required=True, type=Path, help="the processed dataset directory")
    for name in paths:
        p.add_argument(f"--{name}", required=True, type=Path, help=PATH_ARGUMENTS[name])
    return p


def run_configs(parser: argparse.ArgumentParser, declared: Sequence[str],
                argv: list[str] | None,
                sief: Callable[[argparse.Namespace, dict], Any] | None = None
                ) -> RunConfigs:
    """Parse argv, read the declared sections (placeholders filled from argv) and build the
    run's schedule, model config, device and (given `sief(args, params)`) SIEF loss; every
    bad key of them is named, as written, in one error."""
    args = parser.parse_args(argv)
    names = {key: value for key, value in vars(args).items() if isinstance(value, str)}
    params = load_sections(declared, **names)
    key = f"schedules.{args.dataset}.{args.encoder}"
    configs = build_all(
        schedule=lambda: (build(ScheduleConfig, params[key], key) if key in params else
                          ScheduleConfig(base=build(TrainConfig, params[f"{key}.base"],
                                                    f"{key}.base"))),
        model=lambda: build_model_config(params[f"models.{args.model}"],
                                         params[f"encoders.{args.encoder}"],
                                         f"models.{args.model}", f"encoders.{args.encoder}"),
        runtime=lambda: build(RuntimeConfig, params["runtime"], "runtime"),
        **({"sief": lambda: sief(args, params)} if sief is not None else {}))
    return RunConfigs(args, params, configs["schedule"], configs["model"],
                      setup_runtime(configs["runtime"]), configs.get("sief"))


def replica_seeds(run: RunConfigs) -> tuple[int, ...]:
    """params.yaml seeds.extra, checked against the schedule's own seed. The stages declare
    `seeds.extra` alone: which models get replicates (`seeds.models`) decides which stages
    exist, not what one of them computes, so adding GAIN re-runs none of the others."""
    seeds = build(SeedsConfig, {"extra": run.params["seeds.extra"]}, "seeds")
    return seeds.replicates(run.schedule.base.seed)
