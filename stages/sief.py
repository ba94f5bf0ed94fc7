"""DVC stage `sief@<dataset>-<model>`: SIEF training from the base checkpoint (or scratch)."""
from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Callable

from pipeline.config import build, to_dict
from pipeline.data.glove_view import make_collate
from pipeline.data.prepare import (Processed, load_featurizer, load_meta, load_split,
                                   load_vectors)
from pipeline.sief.objective import SIEFConfig, SIEFObjective
from pipeline.training.loop import TrainConfig, TrainResult
from pipeline.training.objectives import Objective
from pipeline.training.run import fit, load_checkpoint, new_model
from pipeline.training.seeding import seed_everything
from stages.common import (fingerprint, load_sections, parse_args, processed_dir, resume_path,
                           run_dir)
from stages.runs import dev_evaluation, dev_summary, device_from, model_config

PARAMS = ("{schedule}", "models.{model}", "{sief}", "runtime")


def finetune(dataset: str, model_name: str, variant: str, params: dict, sief: SIEFConfig,
             make_objective: Callable[..., Objective], base_variant: str = "base",
             seed: int | None = None, schedule: str = "train",
             train_docs: int = 0) -> TrainResult:
    """Train `variant` from the `base_variant` checkpoint (sief.init = base) or from scratch,
    for sief.epochs at sief.lr, with the other optimiser settings of the training section
    `schedule`; `seed` replaces its seed (the seeds_sief stage's replicates); `train_docs`
    > 0 trains on the first N training documents only (the analysis runs' budget)."""
    train_cfg = build(TrainConfig, params[schedule], schedule)
    cfg = dataclasses.replace(train_cfg, epochs=sief.epochs, lr=sief.lr,
                              seed=train_cfg.seed if seed is None else seed)
    model_cfg = model_config(model_name, params)
    device = device_from(params)
    data = processed_dir(dataset)
    meta = load_meta(data)
    base_path = run_dir(dataset, model_name, base_variant) / "model.pt"
    if sief.init == "base":
        model, _ = load_checkpoint(base_path, device)
        seed_everything(cfg.seed)
    else:
        model = new_model(model_name, model_cfg, meta["dims"], load_vectors(data), cfg.seed,
                          device)
    featurize = load_featurizer(data)
    batcher = make_collate(meta["dims"]["num_relations"], device)
    objective = make_objective(featurize, batcher)
    configs = {"train": to_dict(cfg), "model": to_dict(model_cfg), "sief": to_dict(sief),
               "variant": variant, "train_docs": train_docs}
    inputs: list[Path] = [data / "train.docs.json.gz"]
    if sief.init == "base":
        inputs.append(base_path)
    dev, train_set = load_split(data, "dev"), load_split(data, "train")
    if train_docs:
        train_set = Processed(train_set.docs[:train_docs], train_set.features[:train_docs])
    result = fit(model, model_name, train_set, dev,
                 objective, cfg, batcher, run_dir(dataset, model_name, variant),
                 resume_path(dataset, model_name, variant), fingerprint(configs, inputs),
                 extra=configs, evaluate=dev_evaluation(data, meta, dev, batcher, cfg))
    print(f"{variant}: best epoch {result.best_epoch}: {dev_summary(result.best_dev)}")
    return result


def sief_objective(sief: SIEFConfig) -> Callable[..., Objective]:
    """make_objective for `finetune`: SIEF over the featurizer's window."""
    return lambda featurize, batcher: SIEFObjective(sief, featurize, batcher,
                                                    window=featurize.max_tokens)


def main() -> None:
    args = parse_args(__doc__, schedule=True)
    params = load_sections(PARAMS, model=args.model, schedule=args.schedule, sief=args.sief)
    sief = build(SIEFConfig, params[args.sief], args.sief)
    finetune(args.dataset, args.model, "sief", params, sief, sief_objective(sief),
             schedule=args.schedule)


if __name__ == "__main__":
    main()
