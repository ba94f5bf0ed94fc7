"""DocRED-format files (DocRED, Re-DocRED) -> canonical documents, validated.

Every problem raises DataError naming file, document (title, or index) and field, e.g.
`vertexSet[3][1].pos`. Nothing is dropped silently.
"""
from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Iterable

from pipeline.data.document import Document, Fact, Mention
from pipeline.data.jsonio import read_json
from pipeline.errors import DataError

NameFact = tuple[str, str, int]


def load_relation_ids(path: str | Path) -> dict[str, int]:
    """rel2id: names -> 0..R-1 without gaps, 'Na' = 0."""
    rel2id = load_id_table(path, "Na")
    if sorted(rel2id.values()) != list(range(len(rel2id))):
        raise DataError("relation ids must be 0..R-1 without gaps", file=str(path))
    return rel2id


def load_id_table(path: str | Path, zero: str) -> dict[str, int]:
    """A JSON object of names -> non-negative integer ids in which `zero` has id 0 (rel2id's
    'Na', ner2id's 'BLANK')."""
    table = read_json(path)
    if not isinstance(table, dict) or table.get(zero) != 0:
        raise DataError(f"expected a JSON object with {zero!r}: 0", file=str(path), field=zero)
    for name, value in table.items():
        if not is_index(value) or value < 0:
            raise DataError(f"expected a non-negative integer id, got {value!r}",
                            file=str(path), field=name)
    return table


def load_docred(path: str | Path, rel2id: dict[str, int], *, labelled: bool | None,
                max_docs: int = 0) -> tuple[list[Document], dict[str, int]]:
    """Read a DocRED JSON file. `labelled`: labels required (True), ignored (False), or read
    where a document has them (None: a test split, labelled in Re-DocRED, not in DocRED).

    Returns the documents (the first `max_docs` when it is > 0) and counts: documents with
    labels, duplicated (h, t, r) labels merged into one fact (their evidence united),
    documents left out by `max_docs`. An empty file (no document) is an error.
    """
    data = read_json(path)
    if not isinstance(data, list):
        raise DataError("expected a JSON array of documents", file=str(path))
    if not data:
        raise DataError("empty split: the file holds no document", file=str(path))
    left_out = max(len(data) - max_docs, 0) if max_docs else 0
    if max_docs:
        data = data[:max_docs]
    docs = read_documents(data, str(path), rel2id, labelled)
    with_labels = 0 if labelled is False else sum("labels" in raw for raw in data)
    raw_labels = 0 if labelled is False else sum(len(raw.get("labels", [])) for raw in data)
    return docs, {"documents_with_labels": with_labels,
                  "duplicate_labels_merged": raw_labels - sum(len(d.facts) for d in docs),
                  "documents_left_out": left_out}


def read_documents(data: list, file: str, rel2id: dict[str, int], labelled: bool | None,
                   allow_empty: bool = False) -> list[Document]:
    """DocRED-format JSON objects -> validated documents with unique titles.

    labelled: every document must have `labels` (True), none is read (False), or each
        document's own are read where it has them (None: new documents, labels optional).
    allow_empty: a document with no sentences is read (it has no pairs) instead of refused.
    """
    docs = [_document(raw, i, file, rel2id, labelled, allow_empty)
            for i, raw in enumerate(data)]
    seen: dict[str, int] = {}
    for i, doc in enumerate(docs):
        if doc.title in seen:  # predictions (result.json) identify documents by title
            raise DataError(f"title also used by document #{seen[doc.title]}", file=file,
                            doc=i, field="title")
        seen[doc.title] = i
    return docs


def is_index(value) -> bool:
    """An integer that JSON wrote as one (true / false are not indices)."""
    return isinstance(value, int) and not isinstance(value, bool)


def _document(raw: dict, index: int, file: str, rel2id: dict[str, int],
              labelled: bool | None, allow_empty: bool = False) -> Document:
    def fail(msg: str, field: str | None = None):
        title = raw.get("title") if isinstance(raw, dict) else None
        doc = title if isinstance(title, str) and title else index
        return DataError(msg, file=file, doc=doc, field=field)

    if not isinstance(raw, dict):
        raise fail("expected a JSON object")
    if labelled is None:
        labelled = "labels" in raw
    for key in ("title", "sents", "vertexSet") + (("labels",) if labelled else ()):
        if key not in raw:
            raise fail("missing key", key)
    if not isinstance(raw["title"], str) or not raw["title"]:
        raise fail(f"expected a non-empty string title, got {raw['title']!r}", "title")
    if labelled and not isinstance(raw["labels"], list):
        raise fail("expected a list of labels", "labels")
    sents = raw["sents"]
    if (not isinstance(sents, list) or not (sents or allow_empty)
            or not all(isinstance(s, list) and all(isinstance(t, str) for t in s) for s in sents)):
        raise fail("expected a non-empty list of sentences of string tokens", "sents")
    if sents and sum(len(s) for s in sents) == 0:
        raise fail("empty document: no tokens", "sents")
    offsets = [0]
    for sent in sents:
        offsets.append(offsets[-1] + len(sent))

    if not isinstance(raw["vertexSet"], list):
        raise fail("expected a list of entities", "vertexSet")
    entities = []
    for e, mentions in enumerate(raw["vertexSet"]):
        if not isinstance(mentions, list) or not mentions:
            raise fail("entity has no mentions", f"vertexSet[{e}]")
        entities.append(tuple(_mention(m, f"vertexSet[{e}][{k}]", sents, offsets, fail)
                              for k, m in enumerate(mentions)))

    facts = []
    for k, label in enumerate(raw.get("labels", []) if labelled else []):
        facts.append(_fact(label, f"labels[{k}]", len(entities), len(sents), rel2id, fail))
    return Document(title=raw["title"], sents=tuple(tuple(s) for s in sents),
                    entities=tuple(entities), facts=_unique(facts))


def _mention(m, field: str, sents, offsets, fail) -> Mention:
    if not isinstance(m, dict):
        raise fail("expected a mention object", field)
    for key in ("pos", "sent_id", "name", "type"):
        if key not in m:
            raise fail("missing key", f"{field}.{key}")
    sent_id, pos = m["sent_id"], m["pos"]
    if not is_index(sent_id) or not 0 <= sent_id < len(sents):
        raise fail(f"sent_id {sent_id!r} is not a sentence of this document "
                   f"({len(sents)} sentences)", f"{field}.sent_id")
    if not isinstance(pos, list) or len(pos) != 2 or not all(is_index(p) for p in pos):
        raise fail(f"pos must be [start, end] as two integers, got {pos!r}", f"{field}.pos")
    if not 0 <= pos[0] < pos[1] <= len(sents[sent_id]):
        raise fail(f"pos {pos!r} lies outside sentence {sent_id} "
                   f"({len(sents[sent_id])} tokens)", f"{field}.pos")
    for key in ("name", "type"):
        if not isinstance(m[key], str):
            raise fail(f"expected a string, got {m[key]!r}", f"{field}.{key}")
    base = offsets[sent_id]
    return Mention(sent_id=sent_id, start=base + pos[0], end=base + pos[1],
                   name=m["name"], type=m["type"])


def _fact(label, field: str, num_entities: int, num_sents: int, rel2id, fail) -> Fact:
    if not isinstance(label, dict):
        raise fail("expected a label object", field)
    for key in ("h", "t", "r"):
        if key not in label:
            raise fail("missing key", f"{field}.{key}")
    h, t, r = label["h"], label["t"], label["r"]
    for key, value in (("h", h), ("t", t)):
        if not is_index(value) or not 0 <= value < num_entities:
            raise fail(f"entity index {value!r} out of range ({num_entities} entities)",
                       f"{field}.{key}")
    if h == t:
        raise fail("head equals tail", field)
    if not isinstance(r, str) or r not in rel2id or rel2id[r] == 0:
        raise fail(f"unknown relation {r!r}", f"{field}.r")
    evidence = label.get("evidence", [])
    if not isinstance(evidence, list) or not all(
            is_index(s) and 0 <= s < num_sents for s in evidence):
        raise fail(f"evidence {evidence!r} must list sentence indices < {num_sents}",
                   f"{field}.evidence")
    return Fact(h=h, t=t, r=rel2id[r], evidence=tuple(sorted(set(evidence))))


def _unique(facts: list[Fact]) -> tuple[Fact, ...]:
    """One fact per (h, t, r): DocRED has a few duplicated labels; evidence is merged."""
    merged: dict[tuple[int, int, int], Fact] = {}
    for f in facts:
        key = (f.h, f.t, f.r)
        if key in merged:
            ev = tuple(sorted(set(merged[key].evidence) | set(f.evidence)))
            merged[key] = dataclasses.replace(merged[key], evidence=ev)
        else:
            merged[key] = f
    return tuple(merged.values())


def name_facts(docs: Iterable[Document]) -> set[NameFact]:
    """All (head mention name, tail mention name, relation) of the facts (DocRED 1.2)."""
    out: set[NameFact] = set()
    for doc in docs:
        for f in doc.facts:
            for mh in doc.entities[f.h]:
                for mt in doc.entities[f.t]:
                    out.add((mh.name, mt.name, f.r))
    return out


def fact_in_train(doc: Document, h: int, t: int, r: int, train: set[NameFact]) -> bool:
    return any((mh.name, mt.name, r) in train
               for mh in doc.entities[h] for mt in doc.entities[t])


def flag_in_train(docs: list[Document], train: set[NameFact]) -> list[Document]:
    """Set Fact.in_train by the official rule: any mention-name pair seen with r in train."""
    return [dataclasses.replace(doc, facts=tuple(
        dataclasses.replace(f, in_train=fact_in_train(doc, f.h, f.t, f.r, train))
        for f in doc.facts)) for doc in docs]
