"""DialogRE's BERT and BERT_s baselines (Yu et al. 2020; reference-implementations.md 5.2-5.3).

Input per instance: [CLS] dialogue [SEP] x [SEP] y [SEP], segment 0 up to the first [SEP]
and 1 after; when too long, the longest of (dialogue, x, y) loses its last piece until
the three fit in window - 4 (the original's _truncate_seq_tuple). The pooled output ->
dropout -> Linear gives the instance's logits over the relation columns (column 0 =
unanswerable / no relation; F1 reads columns 1..36).

BERT_s (`speaker_tokens`): an argument "Speaker k" becomes [unused1] (x) or [unused2] (y,
when y != x), and so does every "Speaker k :" turn prefix of the dialogue.

The model reads the document's words and Document.names, so a turn-removed dialogue
(SIEF) is rebuilt from its own words like any other document.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar, Literal, Sequence

import torch
from torch import nn

from pipeline.data.document import Document
from pipeline.data.features import Batch
from pipeline.errors import ConfigError
from pipeline.models.layers import DataDims, RelationModel
from pipeline.models.transformer import (TransformerConfig, WordPieces, backbone_groups,
                                         load_pretrained)

SPEAKER = re.compile(r"speaker\s*(\d+)")
SPEAKER_TOKENS = ("[unused1]", "[unused2]")


@dataclass(frozen=True)
class DialogBERTConfig:
    BOUNDS: ClassVar[dict[str, str]] = {"dropout": "in [0, 1)"}
    """Ranges checked by pipeline.config.build (the params key named in the error)."""
    arch: Literal["dialog_bert"] = "dialog_bert"
    """The architecture (pipeline/models/dialog_bert.py): BERT / BERT_s on DialogRE."""
    encoder: TransformerConfig = TransformerConfig(window=512)
    """The encoder; `window` is the whole input length ([CLS] ... [SEP]); no overlap used."""
    speaker_tokens: bool = False
    """BERT_s: speaker arguments and their turn prefixes as [unused1] / [unused2]."""
    dropout: float = 0.1
    """Dropout on the pooled output (the original's 0.1)."""


def trim_longest(parts: list[list[int]], budget: int) -> int:
    """Drop last pieces of the longest part (the first on ties) until the parts fit in
    `budget`; returns how many pieces were dropped. One piece at a time as the original,
    but on the lengths, then one cut per part (SIEF calls it per instance and step)."""
    lengths = [len(part) for part in parts]
    dropped = max(0, sum(lengths) - budget)
    for _ in range(dropped):
        lengths[lengths.index(max(lengths))] -= 1   # index(): the first of the longest
    for part, length in zip(parts, lengths):
        del part[length:]
    return dropped


def speaker_words(words: tuple[str, ...], names: tuple[str, str]
                  ) -> tuple[list[str], list[str], list[str]]:
    """BERT_s: the dialogue, x and y as words with speaker arguments replaced."""
    words, x, y = list(words), [names[0]], [names[1]]
    for argument, token in zip((x, y), SPEAKER_TOKENS):
        match = SPEAKER.fullmatch(argument[0].lower().strip())
        if match is None or (argument is y and names[1] == names[0]):
            continue
        out, i = [], 0
        while i < len(words):
            if words[i].lower() == "speaker" and words[i + 1:i + 3] == [match.group(1), ":"]:
                out += [token, ":"]
                i += 3
            else:
                out.append(words[i])
                i += 1
        words = out
        argument[0] = token
    return words, x, y


class DialogBERT(RelationModel):
    config_class = DialogBERTConfig

    def __init__(self, config: DialogBERTConfig, dims: DataDims):
        super().__init__()
        self.config, self.dims = config, dims
        self.tokenizer, self.backbone = load_pretrained(config.encoder)
        self.pieces = WordPieces(self.tokenizer)
        self.special = {token: self.tokenizer.convert_tokens_to_ids(token)
                        for token in SPEAKER_TOKENS}
        if config.speaker_tokens and self.tokenizer.unk_token_id in self.special.values():
            raise ConfigError(f"speaker_tokens: {config.encoder.name}'s vocabulary has no "
                              f"{SPEAKER_TOKENS}")
        self.dropout = nn.Dropout(config.dropout)
        self.classifier = nn.Linear(self.backbone.config.hidden_size, dims.num_relations)

    def parameter_groups(self) -> list[dict]:
        return backbone_groups(self.backbone, self.config.encoder)

    def _ids(self, words: list[str]) -> list[int]:
        return [i for w in words
                for i in ([self.special[w]] if w in self.special else self.pieces(w))]

    def _parts(self, words: Sequence[str], names: tuple[str, ...]) -> list[list[int]]:
        """Word-piece ids of the dialogue, x and y, before trimming."""
        if len(names) != 2:
            raise ValueError(f"DialogBERT needs the two argument names, got {names!r}")
        if self.config.speaker_tokens:
            dialogue, x, y = speaker_words(tuple(words), names)
        else:
            dialogue, x, y = list(words), [names[0]], [names[1]]
        return [self._ids(dialogue), self._ids(x), self._ids(y)]

    def sequence(self, words: tuple[str, ...], names: tuple[str, ...]
                 ) -> tuple[list[int], list[int], int]:
        """(input ids, segment ids, pieces trimmed) of one instance."""
        parts = self._parts(words, names)
        trimmed = trim_longest(parts, self.config.encoder.window - 4)
        cls, sep = self.tokenizer.cls_token_id, self.tokenizer.sep_token_id
        ids = [cls, *parts[0], sep, *parts[1], sep, *parts[2], sep]
        segments = [0] * (len(parts[0]) + 2) + [1] * (len(parts[1]) + len(parts[2]) + 2)
        return ids, segments, trimmed

    def visible_sentences(self, doc: Document) -> int:
        """Turns the model reads: those whose first piece survives the trimming to the
        window (a turn cut off entirely cannot matter to a prediction, so SIEF never removes
        it). A turn holds whole "Speaker k :" prefixes, so each turn alone is rewritten
        (BERT_s) exactly as inside the whole dialogue, and its pieces can be counted apart."""
        parts = self._parts(doc.tokens, doc.names)
        trim_longest(parts, self.config.encoder.window - 4)
        kept = len(parts[0])                                         # dialogue pieces kept
        visible, first_piece = 0, 0
        for turn in doc.sents:
            if first_piece >= kept:
                break
            visible += 1
            first_piece += len(self._parts(turn, doc.names)[0])
        return max(1, visible)

    def forward(self, batch: Batch) -> torch.Tensor:
        B = len(batch.words)
        if len(batch.pair_doc) != B:
            raise ValueError("DialogBERT scores one (x, y) pair per document (DialogRE "
                             f"instances); got {len(batch.pair_doc)} pairs for {B} documents")
        rows = [self.sequence(w, n)[:2] for w, n in zip(batch.words, batch.entity_names)]
        T = max(len(ids) for ids, _ in rows)
        input_ids = torch.full((B, T), self.tokenizer.pad_token_id, dtype=torch.long)
        segments = torch.zeros(B, T, dtype=torch.long)
        attention = torch.zeros(B, T, dtype=torch.long)
        for b, (ids, seg) in enumerate(rows):
            input_ids[b, :len(ids)] = torch.tensor(ids)
            segments[b, :len(seg)] = torch.tensor(seg)
            attention[b, :len(ids)] = 1
        device = batch.pair_doc.device
        out = self.backbone(input_ids=input_ids.to(device), token_type_ids=segments.to(device),
                            attention_mask=attention.to(device))
        pooled = out.pooler_output if out.pooler_output is not None \
            else out.last_hidden_state[:, 0]                          # [B, H]
        return self.classifier(self.dropout(pooled))[batch.pair_doc]  # [P = B, R]
