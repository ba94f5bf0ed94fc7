"""A trained run used on new documents: relations with their probability, and with
`explain` the sentences each rests on (SIEF's importance score).

    model = load("data/runs/docred/bilstm/glove/sief")
    predictions = model.predict(documents)   # DocRED-format objects, Documents or a file

A run is found by the pipeline's layout (RunFiles): its checkpoint, the processed dataset it
was trained on (relation and type tables, the GloVe vocabulary, the training facts for
Ign F1) and its results (the dev theta of evaluate, the importance threshold tau that the
robustness stage tuned on dev). A prediction is a fact (h, t, r) whose probability is >=
theta; its evidence is every sentence whose removal gives g = P log(P / P-hat) >= tau.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import torch

from pipeline.ingest.docred import flag_in_train, name_facts, read_documents
from pipeline.data.document import Document
from pipeline.data.features import Featurizer, make_collate
from pipeline.data.jsonio import read_json
from pipeline.data.features import featurize_split
from pipeline.data.processed import load_featurizer, load_meta, load_split
from pipeline.errors import ConfigError, DataError
from pipeline.evaluation.docred_metrics import score_predictions
from pipeline.evaluation.predict import predict_probs, predictions_above
from pipeline.inference.vocabulary import (GloveTable, VocabularyCounts, glove_encoders,
                                           grow_vocabulary)
from pipeline.diagnostics.robustness import explain_rows, facts_with_predictions, removal_probs
from pipeline.models.checkpoint import load_checkpoint


@dataclass(frozen=True)
class Prediction:
    """One predicted fact of one document (a leaderboard `result.json` row)."""
    title: str
    """The document's title."""
    h_idx: int
    """Head entity: index into the document's vertexSet."""
    t_idx: int
    """Tail entity: index into the document's vertexSet."""
    r: str
    """Relation id as the dataset writes it (e.g. P17)."""
    score: float
    """The model's probability of the fact (>= the run's theta)."""
    evidence: tuple[int, ...] | None = None
    """Sentences (0-based) the fact rests on: g >= tau; None when not explained."""
    importance: tuple[float, ...] | None = None
    """g of each sentence the model reads (its window), when explained."""

    def row(self) -> dict:
        """The result.json row: title, h_idx, t_idx, r, score[, evidence]."""
        row = {"title": self.title, "h_idx": self.h_idx, "t_idx": self.t_idx, "r": self.r,
               "score": self.score}
        return row if self.evidence is None else {**row, "evidence": list(self.evidence)}


@dataclass(frozen=True)
class RunFiles:
    """Where a run's pieces live (the pipeline's layout, or given)."""
    checkpoint: Path
    """model.pt."""
    processed: Path
    """The processed dataset the run was trained on (data/processed/<dataset>)."""
    results: Path | None
    """The run's results directory (metrics.json, robustness.json), if there is one."""

    @classmethod
    def locate(cls, path: str | Path, processed: str | Path | None = None) -> "RunFiles":
        """From a model.pt or its run directory data/runs/<dataset>/<model>/<encoder>/<job>:
        the processed directory data/processed/<dataset> and the results directory
        data/results/<dataset>/<model>/<encoder>/<job> beside it, unless `processed` says."""
        path = Path(path)
        checkpoint = path / "model.pt" if path.is_dir() else path
        if not checkpoint.is_file():
            raise ConfigError(f"{path}: neither a checkpoint nor a run directory with model.pt")
        run_dir = checkpoint.resolve().parent
        parts = run_dir.parts
        spots = [i for i in range(len(parts) - 1) if parts[i:i + 2] == ("data", "runs")]
        root, inner = (Path(*parts[:spots[-1]]), parts[spots[-1] + 2:]) if spots else (None, ())
        if processed is None:
            if root is None or not inner:
                raise ConfigError(f"{checkpoint}: not inside data/runs/<dataset>/...; say "
                                  "which processed dataset it was trained on (--data)")
            processed = root / "data" / "processed" / inner[0]
        results = root / "data" / "results" / Path(*inner) if root and inner else None
        if not Path(processed, "meta.json").is_file():
            raise ConfigError(f"{processed}: no processed dataset (meta.json) for {checkpoint}; "
                              "run its prepare stage or give --data")
        return cls(checkpoint, Path(processed),
                   results if results is not None and results.is_dir() else None)


@dataclass
class PredictionRun:
    """What one predict call read and gave."""
    documents: list[Document]
    """Every document read, in input order (facts flagged in_train when labelled)."""
    predictions: list[Prediction]
    labelled: bool
    """True when every input document carries labels (then it can be scored)."""
    counts: dict[str, int] = field(default_factory=dict)
    """Documents, pairs, what was left out: documents without pairs (no sentences or fewer
    than two entities), tokens beyond the window, words read as <unk>, words from GloVe."""


class Predictor:
    """A loaded run (see `load`)."""

    def __init__(self, model: torch.nn.Module, checkpoint: dict, files: RunFiles,
                 theta: float, tau: float | None, glove: GloveTable | None,
                 device: torch.device | None = None, batch_size: int = 16):
        self.model, self.checkpoint, self.files = model, checkpoint, files
        self.theta, self.tau, self.glove = theta, tau, glove
        self.device, self.batch_size = device, batch_size
        self.meta = load_meta(files.processed)
        if self.meta["dataset"] != "docred":
            raise ConfigError(f"{files.checkpoint}: trained on {self.meta['dataset']}; predict "
                              "reads DocRED-format documents (a DocRED or Re-DocRED run)")
        self.featurizer: Featurizer = load_featurizer(files.processed)
        for encoder in glove_encoders(model):
            if encoder.word_emb.num_embeddings != len(self.featurizer.vocab):
                raise ConfigError(f"{files.checkpoint}: its word table has "
                                  f"{encoder.word_emb.num_embeddings} rows, the vocabulary of "
                                  f"{files.processed} {len(self.featurizer.vocab)} words: not "
                                  "the processed dataset it was trained on")
        self.collate = make_collate(self.meta["dims"]["num_relations"], device)
        self.vocabulary = VocabularyCounts()
        self._train_names = None

    @property
    def id2rel(self) -> list[str]:
        return self.meta["id2rel"]

    def read(self, source: str | Path | Sequence) -> tuple[list[Document], bool]:
        """Documents from a DocRED-format file, a list of its JSON objects, or Documents;
        and whether every one is labelled (Documents are: their facts). Labels are
        optional; documents without sentences are allowed (they have no pairs)."""
        if isinstance(source, (str, Path)):
            data, name = read_json(source), str(source)
        else:
            data, name = list(source), "<documents>"
        if data and all(isinstance(d, Document) for d in data):
            return data, True  # a Document's facts are its labels (none: no fact)
        if not isinstance(data, list):
            raise DataError("expected a JSON array of documents", file=name)
        docs = read_documents(data, name, self.meta["rel2id"], labelled=None, allow_empty=True)
        labelled = bool(data) and all(isinstance(raw, dict) and "labels" in raw for raw in data)
        return (flag_in_train(docs, self.train_names()) if labelled else docs), labelled

    def train_names(self) -> set:
        """(head name, tail name, relation) of the training facts the run was trained on
        (Ign F1's 'seen in training')."""
        if self._train_names is None:
            self._train_names = name_facts(load_split(self.files.processed, "train").docs)
        return self._train_names

    def predict(self, documents: str | Path | Sequence, explain: bool = False
                ) -> list[Prediction]:
        """The predicted facts of every document (probability >= theta), in document order;
        with `explain`, each with its evidence sentences and importance scores."""
        return self.run(documents, explain).predictions

    def run(self, documents: str | Path | Sequence, explain: bool = False) -> PredictionRun:
        docs, labelled = self.read(documents)
        scorable = [d for d in docs if d.sents and d.num_entities >= 2]
        grow_vocabulary(self.model, self.featurizer.vocab,
                        (t for d in scorable for t in d.tokens), self.glove, self.vocabulary)
        source = documents if isinstance(documents, (str, Path)) else None
        features = featurize_split(self.featurizer, scorable, source)
        probs = predict_probs(self.model, features, self.collate, self.batch_size)
        rows = predictions_above(scorable, probs, self.theta, self.id2rel)
        predictions = [Prediction(**row) for row in rows]
        if explain:
            predictions = self.explain(scorable, predictions)
        counts = {"documents": len(docs), "documents_without_pairs": len(docs) - len(scorable),
                  "pairs": int(sum(len(p) for p in probs)), "predictions": len(predictions),
                  "tokens_beyond_window": sum(f.truncated_tokens for f in features),
                  "unknown_word_tokens": int(sum((f.word_ids == 1).sum() for f in features)),
                  "words_from_glove": self.vocabulary.added}
        return PredictionRun(docs, predictions, labelled, counts)

    def explain(self, docs: list[Document], predictions: list[Prediction]) -> list[Prediction]:
        """Each prediction with its importance per sentence (each sentence removed in turn,
        the reduced documents batched) and its evidence: the sentences with g >= tau."""
        if self.tau is None:
            raise ConfigError(f"{self.files.checkpoint}: no importance threshold tau (the "
                              "robustness stage's robustness.json of this run); give one")
        rows = [p.row() for p in predictions]
        facts = facts_with_predictions(docs, rows, self.meta["rel2id"], with_gold=False)
        fact_probs = removal_probs(self.model, docs, self.featurizer, self.collate,
                                   self.featurizer.max_tokens, self.batch_size, facts)
        return [dataclasses.replace(p, evidence=evidence,
                                    importance=tuple(round(float(v), 6) for v in g))
                for p, (evidence, g) in zip(predictions, explain_rows(
                    fact_probs, docs, rows, self.tau, self.meta["rel2id"]))]

    def score(self, run: PredictionRun) -> dict[str, float]:
        """The official DocRED scorer's F1, Ign F1 and Evi F1 (with their precision and
        recall) of labelled documents; Ign against the run's training facts."""
        if not run.labelled:
            raise DataError("cannot score: not every document has labels")
        return score_predictions([p.row() for p in run.predictions], run.documents,
                                 self.id2rel)


def load(path: str | Path, *, data: str | Path | None = None, theta: float | None = None,
         tau: float | None = None, glove: str | None = None,
         device: torch.device | None = None, batch_size: int = 16) -> Predictor:
    """A trained run ready to predict: `path` is its model.pt or run directory.

    data: its processed dataset (default: found by the pipeline's layout).
    theta: the decision threshold (default: evaluate's dev theta of the run, else the
        checkpoint's best-epoch dev theta).
    tau: the importance threshold of `explain` (default: the run's robustness.json).
    glove: the full GloVe table that opens the vocabulary to new words (default: the source
        prepare used; "" = none, unseen words read as <unk>).
    """
    files = RunFiles.locate(path, data)
    model, checkpoint = load_checkpoint(files.checkpoint, device)
    results = files.results
    if theta is None:
        metrics = results / "metrics.json" if results else None
        theta = (read_json(metrics)["dev"]["theta"] if metrics and metrics.is_file()
                 else checkpoint["dev"]["theta"])
    if tau is None and results and (results / "robustness.json").is_file():
        tau = read_json(results / "robustness.json")["evidence"]["tau"]
    if glove is None:
        glove = read_json(files.processed / "stats.json")["vocabulary"]["glove_source"]
    table = GloveTable.load(glove) if glove and glove_encoders(model) else None
    return Predictor(model, checkpoint, files, float(theta), tau, table, device, batch_size)
