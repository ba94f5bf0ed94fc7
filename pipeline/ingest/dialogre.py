"""DialogRE v2 (Yu et al. 2020; reference-implementations.md 5.1) as canonical documents.

One document per (x, y) instance, so that SIEF and every document-level tool apply
unchanged: turns are sentences (split into words and punctuation, "Speaker 1 : Hey !"),
the two arguments are entities 0 and 1 whose mentions are every occurrence of the
argument's words in a turn (case-insensitive), and the gold relations are facts (0, 1, rid)
with the data's ids 1..36; "unanswerable" (rid 37) is the no-relation class 0. The
arguments' strings travel as Document.names, so a model reads them even when removing a
turn took every mention ("vanished", reference 8.3). The raw turns, arguments, ids and
triggers are kept as `Instance`s for F1 / F1c.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar
from pathlib import Path

from pipeline.ingest.docred import is_index
from pipeline.data.document import Document, Fact, Mention
from pipeline.data.jsonio import read_json
from pipeline.errors import DataError
from pipeline.data.processed import NUM_RELATIONS, UNANSWERABLE, Instance

WORD = re.compile(r"\w+|[^\w\s]")
TYPES = ("PER", "GPE", "ORG", "STRING", "VALUE")
"""DialogRE argument types; ner id = position + 1 (0 = blank)."""


@dataclass(frozen=True)
class DialogREFiles:
    train: str = "dialogre/train.json.gz"
    """Training dialogues, relative to the raw directory (DialogRE v2, English)."""
    dev: str = "dialogre/dev.json.gz"
    """Development dialogues: model selection and T2."""
    test: str = "dialogre/test.json.gz"
    """Test dialogues (labelled: scored here)."""


@dataclass(frozen=True)
class DialogREConfig:
    BOUNDS: ClassVar[dict[str, str]] = {"max_instances": ">= 0", "train_instances": ">= 0"}
    """Ranges checked by pipeline.config.build (the params key named in the error)."""
    files: DialogREFiles = DialogREFiles()
    """Raw files of each split."""
    max_instances: int = 0
    """Keep only the first N instances of each split (0 = all); the rest is counted."""
    train_instances: int = 0
    """Keep only the first N training instances (0 = all; a CPU budget cut, counted)."""

    def limit(self, split: str) -> int:
        """The instance cap of a split (0 = none)."""
        caps = [c for c in (self.max_instances, self.train_instances if split == "train" else 0)
                if c]
        return min(caps) if caps else 0


def words_of(text: str) -> tuple[str, ...]:
    return tuple(WORD.findall(text))


def find_mentions(sents: tuple[tuple[str, ...], ...], name: str, type_: str) -> tuple[Mention, ...]:
    """Every occurrence of the argument's words in a turn, case-insensitive."""
    target = [w.lower() for w in words_of(name)]
    mentions, start = [], 0
    n = len(target)
    for s, sent in enumerate(sents):
        lower = [w.lower() for w in sent]
        mentions += [Mention(s, start + i, start + i + n, name, type_)
                     for i in range(len(sent) - n + 1) if n and lower[i:i + n] == target]
        start += len(sent)
    return tuple(mentions)


def _field(rel: dict, key: str, kind: type, path: Path, where: str, doc: str):
    """rel[key], which must be a `kind` (str or list)."""
    if key not in rel:
        raise DataError(f"missing key {key!r}", file=str(path), doc=doc, field=where)
    if not isinstance(rel[key], kind):
        raise DataError(f"expected a {kind.__name__}, got {rel[key]!r}", file=str(path),
                        doc=doc, field=where)
    return rel[key]


@dataclass(frozen=True)
class Relation:
    """One (x, y) instance of a dialogue, validated."""
    x: str
    y: str
    types: tuple[str, str]
    rids: tuple[int, ...]
    names: tuple[str, ...]
    """The relations' names (`r`), one per rid; empty when the file has none."""
    triggers: tuple[str, ...]


def _relation(rel, path: Path, where: str, doc: str) -> Relation:
    if not isinstance(rel, dict):
        raise DataError("expected a relation object", file=str(path), doc=doc, field=where)
    x, y, x_type, y_type = (_field(rel, k, str, path, f"{where}.{k}", doc)
                            for k in ("x", "y", "x_type", "y_type"))
    rids = _field(rel, "rid", list, path, f"{where}.rid", doc)
    triggers = _field(rel, "t", list, path, f"{where}.t", doc)
    names = rel.get("r", [])
    if (not rids or len(triggers) != len(rids)
            or not all(is_index(r) and 1 <= r <= UNANSWERABLE for r in rids)):
        raise DataError(f"rid must be ids 1..{UNANSWERABLE}, one trigger each; got "
                        f"rid={rids} t={triggers}", file=str(path), doc=doc,
                        field=f"{where}.rid")
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names) or (
            names and len(names) != len(rids)):
        raise DataError(f"r must list one relation name per rid, got {names!r}",
                        file=str(path), doc=doc, field=f"{where}.r")
    return Relation(x, y, (x_type, y_type), tuple(rids), tuple(names),
                    tuple(str(t) for t in triggers))


def _dialogues(path: Path) -> list[tuple[list[str], list[Relation]]]:
    """Every dialogue of a file, validated: (turns, relations)."""
    raw = read_json(path)
    if not isinstance(raw, list):
        raise DataError("expected a JSON array of [turns, relations]", file=str(path))
    if not raw:
        raise DataError("empty split: the file holds no dialogue", file=str(path))
    out = []
    for i, item in enumerate(raw):
        dialogue = f"dialogue {i}"
        if not (isinstance(item, list) and len(item) == 2 and isinstance(item[0], list)
                and isinstance(item[1], list)):
            raise DataError("expected [turns, relations]", file=str(path), doc=dialogue)
        turns, relations = item
        if not turns or not all(isinstance(t, str) and t.strip() for t in turns):
            raise DataError("turns must be non-empty strings", file=str(path), doc=dialogue,
                            field="turns")
        out.append((turns, [_relation(rel, path, f"relations[{j}]", dialogue)
                            for j, rel in enumerate(relations)]))
    return out


def read_dialogre(path: Path, split: str, max_instances: int = 0,
                  ) -> tuple[list[Document], list[Instance], dict]:
    """The instances of one DialogRE file: documents, F1c instances, and counts. Every
    instance is validated, also those that `max_instances` leaves out (counted)."""
    dialogues = _dialogues(path)
    docs, instances = [], []
    counts = {"dialogues": len(dialogues), "instances": 0, "instances_skipped": 0,
              "arguments_without_mention": 0, "arguments_of_unknown_type": 0,
              "unanswerable": 0}
    for i, (turns, relations) in enumerate(dialogues):
        sents = tuple(words_of(t) for t in turns)
        for j, rel in enumerate(relations):
            if max_instances and counts["instances"] >= max_instances:
                counts["instances_skipped"] += 1
                continue
            entities = tuple(find_mentions(sents, name, type_)
                             for name, type_ in zip((rel.x, rel.y), rel.types))
            counts["arguments_without_mention"] += sum(not ms for ms in entities)
            counts["arguments_of_unknown_type"] += sum(t not in TYPES for t in rel.types)
            counts["unanswerable"] += UNANSWERABLE in rel.rids
            facts = tuple(Fact(0, 1, r) for r in sorted(set(rel.rids)) if r != UNANSWERABLE)
            docs.append(Document(f"{split}-{i}-{j}", sents, entities, facts,
                                 names=(rel.x, rel.y)))
            instances.append(Instance(tuple(turns), rel.x, rel.y, rel.rids, rel.triggers))
            counts["instances"] += 1
    return docs, instances, counts


def relation_table(paths: list[Path]) -> dict[str, int]:
    """rel2id with 'unanswerable' = 0 (the no-relation class) and each relation at its rid."""
    names = {}
    for path in paths:
        for _, relations in _dialogues(path):
            for rel in relations:
                for rid, name in zip(rel.rids, rel.names):
                    names.setdefault(rid, name)
    missing = [r for r in range(1, NUM_RELATIONS + 1) if r not in names]
    if missing:
        raise DataError(f"relation ids {missing} never occur: cannot name them",
                        file=", ".join(map(str, paths)))
    return {"unanswerable": 0, **{names[r]: r for r in range(1, NUM_RELATIONS + 1)}}


def ner_table() -> dict[str, int]:
    return {"BLANK": 0, **{t: i + 1 for i, t in enumerate(TYPES)}}
