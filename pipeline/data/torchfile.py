"""Reading the .pt files this project writes (checkpoints, resume states, feature files)
without running code from them.

`torch.load(weights_only=True)` unpickles only tensors, containers and numbers; the
feature files and the dev metrics stored in checkpoints also hold numpy arrays, so their
reconstruction functions are allowed too, and nothing else. A file that asks for any other
global (a pickle carrying `os.system`, say) fails before that global is touched.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import torch

from pipeline.errors import DataError

# numpy's own pickle protocol for arrays and dtypes: what np.save-free arrays need.
ALLOWED_GLOBALS = [np._core.multiarray._reconstruct, np.ndarray, np.dtype, bytes,
                   *{type(np.dtype(kind)) for kind in "?bhilqBHILQefdgSU"}]


def load_pt(path: str | Path, what: str) -> Any:
    """The contents of a .pt file written by this project, `what` naming it in errors
    ("checkpoint", "resume state", "feature file"). Raises DataError, naming the file,
    when it is missing, not a torch file, or holds anything but plain data."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"no such {what}", file=str(path))
    try:
        with torch.serialization.safe_globals(ALLOWED_GLOBALS):
            return torch.load(path, weights_only=True, map_location="cpu")
    except Exception as err:  # zip, pickle or torch errors: not a file of ours at all
        raise DataError(f"not a {what} of this project ({_why(err)}); nothing in it was run",
                        file=str(path)) from None


def _why(err: Exception) -> str:
    """One line from torch's long refusal: the global a pickle asked for, or the error."""
    found = re.search(r"(?:unsupported GLOBAL|Unsupported global:?) ([\w.]+)", str(err))
    if found:
        return f"it asks for {found.group(1)}, which is refused"
    refusal = re.search(r"WeightsUnpickler error: \s*(.+)", str(err))
    if refusal:
        return f"it holds more than plain data: {refusal.group(1).strip()}"
    lines = str(err).strip().splitlines()
    return f"{type(err).__name__}{': ' + lines[0] if lines else ''}"
