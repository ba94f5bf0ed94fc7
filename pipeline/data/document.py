"""The canonical document model shared by every dataset, model and SIEF.

A document is a list of sentences of tokens; entities are lists of mentions at
document-level token offsets; facts are (head, tail, relation) with evidence sentences
and a "seen in training" flag (for Ign F1). A DialogRE dialogue fits the same shape:
turns are sentences, arguments are entities.

Removing sentences is the core operation of SIEF. It works on this model, not on padded
tensors: drop the sentences, shift later mentions left, renumber later sentences. Entity
indices never change, so a model's pair list (all ordered entity pairs) keeps its indexing;
an entity that loses every mention is "vanished" (an empty mention tuple).
"""
from __future__ import annotations

import dataclasses
import itertools
from dataclasses import dataclass
from functools import cached_property
from typing import Iterable


@dataclass(frozen=True, slots=True)
class Mention:
    sent_id: int
    """Index of the sentence the mention lies in."""
    start: int
    """Document-level token offset of the first token (inclusive)."""
    end: int
    """Document-level token offset after the last token (exclusive)."""
    name: str
    """Surface string, as given by the dataset (used for the Ign F1 'seen in training' test)."""
    type: str
    """Entity type string (e.g. PER, ORG)."""


@dataclass(frozen=True, slots=True)
class Fact:
    h: int
    """Head entity index."""
    t: int
    """Tail entity index."""
    r: int
    """Relation id (1..R-1; 0 is the no-relation class and never a fact)."""
    evidence: tuple[int, ...] = ()
    """Gold evidence sentence indices (may be empty)."""
    in_train: bool = False
    """True when the fact, by mention names, also occurs in the annotated training set."""


@dataclass(frozen=True)
class Document:
    title: str
    sents: tuple[tuple[str, ...], ...]
    entities: tuple[tuple[Mention, ...], ...]
    """Entity i = its mentions, sorted as in the source; empty when vanished."""
    facts: tuple[Fact, ...] = ()
    origin: tuple[int, ...] | None = None
    """Original sentence index of each kept sentence; None means the full document."""
    names: tuple[str, ...] = ()
    """Entity names that outlive their mentions (DialogRE arguments, which a model reads as
    text even when sentence removal took every mention); empty for DocRED."""

    @cached_property
    def sent_starts(self) -> tuple[int, ...]:
        return tuple(itertools.accumulate((len(s) for s in self.sents), initial=0))[:-1]

    @property
    def num_tokens(self) -> int:
        return sum(len(s) for s in self.sents)

    @property
    def tokens(self) -> list[str]:
        return [tok for sent in self.sents for tok in sent]

    @property
    def num_entities(self) -> int:
        return len(self.entities)

    @property
    def vanished(self) -> tuple[int, ...]:
        """Entities with no mention left (after sentence removal)."""
        return tuple(i for i, mentions in enumerate(self.entities) if not mentions)

    @property
    def original_sentences(self) -> tuple[int, ...]:
        return self.origin if self.origin is not None else tuple(range(len(self.sents)))

    def mention_text(self, mention: Mention) -> list[str]:
        sent = self.sents[mention.sent_id]
        offset = self.sent_starts[mention.sent_id]
        return list(sent[mention.start - offset:mention.end - offset])

    def entity_sentences(self, entity: int) -> set[int]:
        return {m.sent_id for m in self.entities[entity]}

    def remove_sentence(self, n: int) -> "Document":
        """The document without sentence n (0-based, in this document's numbering)."""
        if not 0 <= n < len(self.sents):
            raise IndexError(f"sentence {n} out of range for {len(self.sents)} sentences")
        return self.keep_sentences(i for i in range(len(self.sents)) if i != n)

    def keep_sentences(self, keep: Iterable[int]) -> "Document":
        """The document restricted to the sentences `keep` (in this document's numbering)."""
        keep = sorted(set(keep))
        new_index = {old: new for new, old in enumerate(keep)}
        # shift[old] = how far tokens of a kept sentence move left.
        shift, removed = {}, 0
        for old, sent in enumerate(self.sents):
            if old in new_index:
                shift[old] = removed
            else:
                removed += len(sent)

        def moved(m: Mention) -> Mention:  # unchanged before the first removed sentence
            new, left = new_index[m.sent_id], shift[m.sent_id]
            if new == m.sent_id and left == 0:
                return m
            return Mention(new, m.start - left, m.end - left, m.name, m.type)

        def renumbered(f: Fact) -> Fact:
            evidence = tuple(new_index[e] for e in f.evidence if e in new_index)
            return f if evidence == f.evidence else dataclasses.replace(f, evidence=evidence)

        entities = tuple(tuple(moved(m) for m in mentions if m.sent_id in new_index)
                         for mentions in self.entities)
        facts = tuple(map(renumbered, self.facts))
        origin = self.original_sentences
        return Document(title=self.title,
                        sents=tuple(self.sents[i] for i in keep),
                        entities=entities, facts=facts,
                        origin=tuple(origin[i] for i in keep), names=self.names)

    # --- serialisation (processed files) -------------------------------------------------
    def to_json(self) -> dict:
        return {
            "title": self.title,
            "sents": [list(s) for s in self.sents],
            "entities": [[[m.sent_id, m.start, m.end, m.name, m.type] for m in ms]
                         for ms in self.entities],
            "facts": [[f.h, f.t, f.r, list(f.evidence), f.in_train] for f in self.facts],
            "origin": None if self.origin is None else list(self.origin),
            **({"names": list(self.names)} if self.names else {}),
        }

    @classmethod
    def from_json(cls, data: dict) -> "Document":
        return cls(
            title=data["title"],
            sents=tuple(tuple(s) for s in data["sents"]),
            entities=tuple(tuple(Mention(*m) for m in ms) for ms in data["entities"]),
            facts=tuple(Fact(h, t, r, tuple(ev), bool(it)) for h, t, r, ev, it in data["facts"]),
            origin=None if data.get("origin") is None else tuple(data["origin"]),
            names=tuple(data.get("names", ())),
        )


def pair_index(num_entities, h, t):
    """Position of ordered pair (h, t), h != t, in the h-major list of all pairs.

    Works on ints and on numpy arrays of heads and tails alike.
    """
    return h * (num_entities - 1) + t - (t > h)


def mention_sharing_sentence(doc: Document, h: int, t: int) -> bool:
    """True when some mention of h and some mention of t lie in one sentence (intra pair)."""
    return bool(doc.entity_sentences(h) & doc.entity_sentences(t))
