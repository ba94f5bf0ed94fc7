"""DVC stage `seeds_base@<dataset>-<model>`: the base model again for every seed in
`seeds.extra`, for Table 1's mean and standard deviation over seeds.

The SIEF replicates are a stage of their own (seeds_sief) so that a SIEF change (e.g. beta)
re-runs only them. Each stage writes the best dev metrics per seed to
data/results/<dataset>/<model>/seeds-<variant>/dev.json; with no extra seeds, an empty list.
"""
from __future__ import annotations

from typing import Callable

from pipeline.config import build
from pipeline.data.jsonio import write_json
from pipeline.training.loop import TrainResult
from pipeline.training.seeding import SeedsConfig
from stages.common import load_sections, parse_args, results_dir, run_dir
from stages.train import train_base

PARAMS = ("train", "models.{model}", "seeds", "runtime")


def seed_variant(variant: str, seed: int) -> str:
    """Run directory of one replicate under data/runs/<dataset>/<model>/, e.g. seeds-base/seed7."""
    return f"seeds-{variant}/seed{seed}"


def replicate(dataset: str, model: str, variant: str, params: dict,
              run_one: Callable[[int], TrainResult]) -> None:
    """`run_one(seed)` for every extra seed; their best dev metrics into dev.json."""
    seeds = build(SeedsConfig, params["seeds"], "seeds").replicates(params["train"]["seed"])
    runs = []
    for seed in seeds:
        result = run_one(seed)
        runs.append({"seed": seed, "best_epoch": result.best_epoch, "dev": result.best_dev})
    # The runs' directory is the stage's output even with no seeds: a file says which.
    folder = run_dir(dataset, model, f"seeds-{variant}")
    folder.mkdir(parents=True, exist_ok=True)
    write_json(folder / "seeds.json", list(seeds))
    out = results_dir(dataset, model, f"seeds-{variant}")
    out.mkdir(parents=True, exist_ok=True)
    write_json(out / "dev.json", {"variant": variant, "runs": runs}, indent=1)


def main() -> None:
    args = parse_args(__doc__)
    params = load_sections(PARAMS, model=args.model)
    replicate(args.dataset, args.model, "base", params,
              lambda seed: train_base(args.dataset, args.model, params,
                                      seed_variant("base", seed), seed))


if __name__ == "__main__":
    main()
