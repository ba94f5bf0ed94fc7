"""Fuzzing the readers: mutants of real and hand-made documents either load with the right
counts or raise DataError naming file, document and field; never anything else.

Seeded and bounded (a few hundred mutants, a few seconds). Run with -s to see the figures:
mutants tried by kind, how many loaded, how many were refused.
"""
from __future__ import annotations

import collections
import gzip
import json
from pathlib import Path

import numpy as np
import pytest

from pipeline.ingest.dialogre import read_dialogre
from pipeline.ingest.docred import load_docred, load_relation_ids
from pipeline.errors import DataError
from tests.test_bad_input import REL2ID, good_doc
from tests.test_dialogre import RELATIONS, TURNS

MIRROR = Path(__file__).resolve().parents[2] / "shared" / "data"
ODD_VALUES = (None, "x", "", 1.5, True, -1, 10**18, [], {}, [None], {"a": 1})
KINDS = ("drop_key", "retype", "offsets", "empty_list", "huge", "non_utf8", "truncated_gzip")


def paths_of(node, prefix=()):
    """Every (path, value) of a JSON tree, the root excluded."""
    items = (node.items() if isinstance(node, dict)
             else enumerate(node) if isinstance(node, list) else ())
    for key, value in items:
        yield prefix + (key,), value
        yield from paths_of(value, prefix + (key,))


def set_at(tree, path, value):
    for key in path[:-1]:
        tree = tree[key]
    tree[path[-1]] = value


def delete_at(tree, path):
    for key in path[:-1]:
        tree = tree[key]
    del tree[path[-1]]


def mutate(data, kind: str, rng: np.random.Generator) -> tuple[bytes, tuple]:
    """The bytes of a mutant of `data` and the path the mutation touched (() = the file)."""
    data = json.loads(json.dumps(data))
    nodes = list(paths_of(data))
    pick = lambda candidates: candidates[rng.integers(len(candidates))]  # noqa: E731
    path: tuple = ()
    if kind == "drop_key":
        path = pick([p for p, _ in nodes if isinstance(p[-1], str)])
        delete_at(data, path)
    elif kind == "retype":
        path = pick([p for p, _ in nodes])
        set_at(data, path, ODD_VALUES[rng.integers(len(ODD_VALUES))])
    elif kind == "offsets":
        path = pick([p for p, _ in nodes if p[-1] in ("pos", "sent_id", "h", "t", "evidence")])
        value = [[5, 2], [0, 10**6], [0.0, 1.0], [-3, 1], [1], 2.0, -1, 99][rng.integers(8)]
        set_at(data, path, value)
    elif kind == "empty_list":
        path = pick([p for p, v in nodes if isinstance(v, list)])
        set_at(data, path, [])
    elif kind == "huge":
        path = pick([p for p, v in nodes if isinstance(v, int) and not isinstance(v, bool)])
        set_at(data, path, int(10**rng.integers(6, 30)))
    raw = json.dumps(data).encode()
    if kind == "non_utf8":
        cut = int(rng.integers(len(raw)))
        raw = raw[:cut] + b"\xff\xfe" + raw[cut:]
    elif kind == "truncated_gzip":
        packed = gzip.compress(raw)
        raw = packed[:int(rng.integers(10, len(packed) - 1))]
    return raw, path


def check(load, sources: dict, tries: int, seed: int, tmp_path: Path, documents: str):
    """Mutate each source `tries` times per kind; load every mutant with `load(path)`."""
    rng = np.random.default_rng(seed)
    tally = collections.Counter()
    unexpected = []
    for name, data in sources.items():
        for kind in KINDS:
            for i in range(tries):
                raw, path = mutate(data, kind, rng)
                file = tmp_path / f"{name}-{kind}-{i}.json"
                file.write_bytes(raw)
                try:
                    loaded = load(file)
                except DataError as err:
                    tally[(kind, "refused")] += 1
                    in_document = len(path) >= 2 and kind not in ("non_utf8", "truncated_gzip")
                    if err.file != str(file) or (in_document and err.doc is None):
                        unexpected.append((kind, path, f"DataError without its place: {err}"))
                    elif len(path) >= 3 and in_document and err.field is None:
                        unexpected.append((kind, path, f"DataError without a field: {err}"))
                except Exception as err:  # noqa: BLE001 - the point of the test
                    unexpected.append((kind, path, f"{type(err).__name__}: {err}"))
                else:
                    tally[(kind, "loaded")] += 1
                    if loaded != len(data):
                        unexpected.append((kind, path, f"loaded {loaded} {documents} of "
                                                       f"{len(data)}"))
    print(f"\n{documents}: " + ", ".join(
        f"{kind} {tally[(kind, 'loaded')] + tally[(kind, 'refused')]} "
        f"({tally[(kind, 'refused')]} refused)" for kind in KINDS)
        + f"; unexpected {len(unexpected)}")
    assert not unexpected, unexpected[:5]


def docred_sources() -> dict:
    sources = {"handmade": [good_doc(), {**good_doc(), "title": "Doc B"}]}
    real = MIRROR / "docred" / "train_annotated.611.json.gz"
    if real.exists():
        sources["real"] = json.loads(gzip.decompress(real.read_bytes()))[:3]
    return sources


def test_docred_mutants_load_or_name_their_place(tmp_path):
    real_rel2id = MIRROR / "docred" / "rel2id.json.gz"   # holds the hand-made docs' P17 too
    rel2id = load_relation_ids(real_rel2id) if real_rel2id.exists() else REL2ID

    def load(path):
        docs, _ = load_docred(path, rel2id, labelled=True)
        return len(docs)
    check(load, docred_sources(), tries=12, seed=0, tmp_path=tmp_path, documents="documents")


def test_dialogre_mutants_load_or_name_their_place(tmp_path):
    sources = {"handmade": [[TURNS, RELATIONS], [TURNS[:2], RELATIONS[:1]]]}
    real = MIRROR / "dialogre" / "dev.json.gz"
    if real.exists():
        sources["real"] = json.loads(gzip.decompress(real.read_bytes()))[:2]

    def load(path):
        _, _, counts = read_dialogre(path, "dev")
        return counts["dialogues"]
    check(load, sources, tries=12, seed=1, tmp_path=tmp_path, documents="dialogues")


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_makes_a_mutant(kind):
    raw, _ = mutate([good_doc()], kind, np.random.default_rng(3))
    assert raw != json.dumps([good_doc()]).encode()
