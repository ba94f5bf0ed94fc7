"""DVC stage `seeds_sief@<dataset>-<model>`: SIEF from each seeds_base replicate, with that
seed (see stages/seeds_base.py)."""
from __future__ import annotations

from pipeline.config import build
from pipeline.sief.objective import SIEFConfig
from stages.common import load_sections, parse_args
from stages.seeds_base import replicate, seed_variant
from stages.sief import finetune, sief_objective

PARAMS = ("train", "models.{model}", "sief", "seeds", "runtime")


def main() -> None:
    args = parse_args(__doc__)
    params = load_sections(PARAMS, model=args.model)
    sief = build(SIEFConfig, params["sief"], "sief")
    replicate(args.dataset, args.model, "sief", params,
              lambda seed: finetune(args.dataset, args.model, seed_variant("sief", seed),
                                    params, sief, sief_objective(sief),
                                    base_variant=seed_variant("base", seed), seed=seed))


if __name__ == "__main__":
    main()
