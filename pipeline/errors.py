"""One error type for bad input, so every message names file, document and field."""
from __future__ import annotations


class DataError(ValueError):
    """Bad input data: the message says which file, document and field (also kept as
    attributes, with the bare message as `reason`, so a caller can add the file)."""

    def __init__(self, message: str, *, file: str | None = None,
                 doc: str | int | None = None, field: str | None = None):
        self.reason, self.file, self.doc, self.field = message, file, doc, field
        where = []
        if file is not None:
            where.append(f"file {file}")
        if doc is not None:
            where.append(f"document {doc!r}" if isinstance(doc, str) else f"document #{doc}")
        if field is not None:
            where.append(f"field {field}")
        prefix = ", ".join(where)
        super().__init__(f"{prefix}: {message}" if prefix else message)


class ConfigError(ValueError):
    """A params.yaml section does not match its typed config."""
