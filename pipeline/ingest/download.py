"""Put raw files in place: local mirror directories first, then the official sources.

Each file is named by its path relative to a mirror root (e.g. `docred/test.json.gz`).
Known files are verified against sha256; a mismatch is an error naming the file and both
hashes. Files are written in the form their name says (`.gz` -> gzip, mtime 0).
"""
from __future__ import annotations

import gzip
import hashlib
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import ClassVar
from pathlib import Path

from pipeline.data.jsonio import GZIP_MAGIC
from pipeline.ingest.sources import SOURCES, Source
from pipeline.errors import DataError


@dataclass(frozen=True)
class DownloadConfig:
    BOUNDS: ClassVar[dict[str, str]] = {"timeout_s": "> 0"}
    """Ranges checked by pipeline.config.build (the params key named in the error)."""
    mirrors: tuple[str, ...] = ("../shared/data",)
    """Local mirror directories tried first, in order (relative to the repository root)."""
    allow_network: bool = True
    """Try the official addresses when no mirror has a file."""
    timeout_s: float = 60.0
    """Network timeout per request."""


def fetch(relpath: str, dest_root: Path, cfg: DownloadConfig,
          sources: dict[str, Source] = SOURCES) -> dict:
    """Fetch one file into dest_root/relpath; returns where it came from and its sha256."""
    known = sources.get(relpath)
    tried = []
    for mirror in cfg.mirrors:
        candidate = Path(mirror) / relpath
        if candidate.is_file():
            data = candidate.read_bytes()
            return _store(relpath, data, str(candidate), known, dest_root)
        tried.append(f"{candidate} (not found)")
    if cfg.allow_network and known is not None:
        for url in known.urls:
            try:
                with urllib.request.urlopen(url, timeout=cfg.timeout_s) as response:
                    data = response.read()
                return _store(relpath, data, url, known, dest_root)
            except (urllib.error.URLError, OSError) as err:
                tried.append(f"{url} ({err})")
    if known is None or not known.urls:
        tried.append("no official address is known for this file")
    elif not cfg.allow_network:
        tried.append("network disabled (download.allow_network: false)")
    raise DataError("could not obtain the file; tried:\n  " + "\n  ".join(tried), file=relpath)


def _store(relpath: str, data: bytes, origin: str, known: Source | None, dest_root: Path) -> dict:
    try:
        content = gzip.decompress(data) if data[:2] == GZIP_MAGIC else data
    except (OSError, EOFError) as err:  # truncated or corrupt gzip
        raise DataError(f"corrupt gzip data ({err})", file=origin) from err
    digests = {hashlib.sha256(data).hexdigest(), hashlib.sha256(content).hexdigest()}
    content_sha = hashlib.sha256(content).hexdigest()
    if known is not None and not (digests & known.sha256
                                  or git_blob_id(content) in known.git_blob):
        accepted = sorted(known.sha256) + [f"git blob {b}" for b in sorted(known.git_blob)]
        raise DataError(f"wrong checksum: sha256 {content_sha} (decompressed), git blob "
                        f"{git_blob_id(content)}, is not one of the accepted {accepted}",
                        file=origin)
    dest = dest_root / relpath
    dest.parent.mkdir(parents=True, exist_ok=True)
    if relpath.endswith(".gz"):
        dest.write_bytes(data if data[:2] == GZIP_MAGIC else gzip.compress(content, 9, mtime=0))
    else:
        dest.write_bytes(content)
    return {"file": relpath, "source": origin, "sha256": content_sha,
            "verified": known is not None}


def git_blob_id(content: bytes) -> str:
    """The id git gives a file's bytes (`git hash-object`)."""
    return hashlib.sha1(b"blob %d\0" % len(content) + content).hexdigest()


def mirror_roots(mirrors: tuple[str, ...], cwd: Path) -> tuple[str, ...]:
    """Relative mirrors resolve against the repository root (the stage's working directory).

    `dvc exp run --queue` runs stages in a copy under `<repo>/.dvc/tmp/exps/...`, where a
    relative mirror such as `../shared/data` would point nowhere: there it is also tried
    against the repository that owns the copy.
    """
    owner = Path(*cwd.parts[:cwd.parts.index(".dvc")]) if ".dvc" in cwd.parts else None
    out = []
    for mirror in mirrors:
        out.append(mirror)
        if owner is not None and not Path(mirror).is_absolute():
            out.append(str(owner / mirror))
    return tuple(out)
