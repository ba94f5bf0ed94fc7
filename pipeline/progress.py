"""Progress bars for long work: shown on a terminal, silent in logs and CI."""
from __future__ import annotations

import os
from typing import Iterable, TypeVar

from tqdm.auto import tqdm

T = TypeVar("T")


def progress(items: Iterable[T], **kwargs) -> Iterable[T]:
    # disable=None lets tqdm hide itself when stderr is not a terminal.
    disable = True if os.environ.get("SIEF_NO_PROGRESS") else None
    return tqdm(items, disable=disable, leave=False, dynamic_ncols=True, **kwargs)
