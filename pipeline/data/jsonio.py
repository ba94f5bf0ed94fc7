"""Reading and writing (optionally gzipped) JSON with errors that name the file."""
from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

from pipeline.errors import DataError

GZIP_MAGIC = b"\x1f\x8b"


def read_bytes(path: str | Path) -> bytes:
    """File contents, decompressed when the file is gzip (by magic bytes, not by name)."""
    path = Path(path)
    if not path.exists():
        raise DataError("file not found", file=str(path))
    raw = path.read_bytes()
    if raw[:2] == GZIP_MAGIC:
        try:
            return gzip.decompress(raw)
        except (OSError, EOFError) as err:
            raise DataError(f"corrupt gzip data ({err})", file=str(path)) from err
    return raw


def read_json(path: str | Path) -> Any:
    text = read_bytes(path)
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        raise DataError(f"malformed JSON at line {err.lineno}, column {err.colno}: {err.msg}",
                        file=str(path)) from err
    except UnicodeDecodeError as err:
        raise DataError(f"not UTF-8 text ({err})", file=str(path)) from err


def write_json(path: str | Path, data: Any, *, indent: int | None = None) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(data, indent=indent, ensure_ascii=False)
    if path.suffix == ".gz":
        # mtime=0 keeps the bytes (and DVC hashes) identical across runs.
        path.write_bytes(gzip.compress(text.encode("utf-8"), mtime=0))
    else:
        path.write_text(text + "\n", encoding="utf-8")
