"""Tiny hand-made documents and a tiny model setup, shared by the tests."""
from __future__ import annotations

import dataclasses
import functools
from pathlib import Path

import numpy as np
import torch

from pipeline.data.document import Document, Fact, Mention
from pipeline.data.features import Featurizer, collate
from pipeline.models import DataDims, create_model
from pipeline.models.bilstm import BiLSTMConfig
from pipeline.models.gain import GAINConfig
from pipeline.models.hetergsan import HeterGSANConfig
from pipeline.models.layers import GloveEncoderConfig
from pipeline.models.transformer import TransformerConfig

NER2ID = {"BLANK": 0, "ORG": 1, "LOC": 2, "TIME": 3, "PER": 4, "MISC": 5, "NUM": 6}
NUM_RELATIONS = 4


def mention(sent_starts, sent_id, start, end, name, type_="PER") -> Mention:
    """A mention given sentence-local [start, end)."""
    base = sent_starts[sent_id]
    return Mention(sent_id, base + start, base + end, name, type_)


def three_sentence_doc() -> Document:
    """Sentences: 'Anna lives in Paris .' / 'It rains .' / 'Anna met Bob in Paris .'

    Entity 0 = Anna (sent 0, sent 2), 1 = Paris (sent 0, sent 2), 2 = Bob (sent 2 only).
    """
    sents = (("Anna", "lives", "in", "Paris", "."), ("It", "rains", "."),
             ("Anna", "met", "Bob", "in", "Paris", "."))
    starts = (0, 5, 8)
    entities = (
        (mention(starts, 0, 0, 1, "Anna"), mention(starts, 2, 0, 1, "Anna")),
        (mention(starts, 0, 3, 4, "Paris", "LOC"), mention(starts, 2, 4, 5, "Paris", "LOC")),
        (mention(starts, 2, 2, 3, "Bob"),),
    )
    facts = (Fact(0, 1, 1, (0,)), Fact(0, 2, 2, (2,)))
    return Document("Tiny", sents, entities, facts)


def random_doc(rng: np.random.Generator, title: str = "random") -> Document:
    """A random document: 2-6 sentences, 2-5 entities, each with 1-3 mentions."""
    words = ["w%d" % i for i in range(30)]
    sents = tuple(tuple(rng.choice(words, size=rng.integers(3, 9)).tolist())
                  for _ in range(rng.integers(2, 7)))
    starts = np.cumsum([0] + [len(s) for s in sents])[:-1]
    entities = []
    for e in range(rng.integers(2, 6)):
        ms = []
        for _ in range(rng.integers(1, 4)):
            s = int(rng.integers(len(sents)))
            a = int(rng.integers(len(sents[s])))
            b = int(rng.integers(a + 1, len(sents[s]) + 1))
            ms.append(Mention(s, int(starts[s]) + a, int(starts[s]) + b, f"e{e}", "PER"))
        entities.append(tuple(ms))
    E = len(entities)
    facts = tuple({(h, t): Fact(h, t, int(rng.integers(1, NUM_RELATIONS)),
                                tuple(sorted({int(rng.integers(len(sents)))})))
                   for h, t in rng.integers(E, size=(3, 2)) if h != t}.values())
    return Document(title, sents, tuple(entities), facts)


def tiny_setup(docs: list[Document]):
    """Vocabulary, featurizer, collate and a small BiLSTM for hand-made documents."""
    vocab = {"<pad>": 0, "<unk>": 1}
    for doc in docs:
        for tok in doc.tokens:
            vocab.setdefault(tok.lower(), len(vocab))
    featurize = Featurizer(vocab, NER2ID, max_tokens=64, max_entities=16)
    dims = DataDims(vocab_size=len(vocab), word_dim=8, num_relations=NUM_RELATIONS,
                    num_ner_types=7, max_entities=16)
    batcher = functools.partial(collate, num_relations=NUM_RELATIONS)
    return featurize, batcher, dims


TINY_GLOVE = GloveEncoderConfig(hidden_size=8)
TINY_CONFIGS = {
    "bilstm": BiLSTMConfig(proj_size=8, coref_dim=4, ner_dim=4, dist_dim=4, dropout=0.2,
                           encoder=TINY_GLOVE),
    "gain": GAINConfig(coref_dim=4, ner_dim=4, mlp_hidden=16, dropout=0.2, encoder=TINY_GLOVE),
    "hetergsan": HeterGSANConfig(coref_dim=4, ner_dim=4, heads=2, dist_dim=4, mlp_hidden=16,
                                 dropout=0.2, encoder=TINY_GLOVE),
}


TINY_PIECES = ["pa", "##ris", "an", "##na", "bo", "##b"]
"""Pieces that split some hand-made words: 'Paris' -> pa ##ris, 'Anna' -> an ##na."""


@functools.lru_cache(maxsize=None)
def tiny_transformer_dir() -> str:
    """A randomly initialised 2-layer, 16-wide BERT and its WordPiece vocabulary, saved like
    a Hugging Face model directory (built once per test session)."""
    import tempfile
    from transformers import BertConfig, BertModel, BertTokenizer
    folder = Path(tempfile.mkdtemp(prefix="tiny-bert-"))
    words = "lives in . it rains met speaker 1 2 : hi".split() + [f"w{i}" for i in range(30)]
    vocab = ["[PAD]", "[unused1]", "[unused2]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + \
        TINY_PIECES + words
    BertTokenizer(vocab={piece: i for i, piece in enumerate(vocab)}).save_pretrained(folder)
    torch.manual_seed(0)
    BertModel(BertConfig(vocab_size=len(vocab), hidden_size=16, num_hidden_layers=2,
                         num_attention_heads=2, intermediate_size=32,
                         max_position_embeddings=64)).save_pretrained(folder)
    return str(folder)


def tiny_transformer(**overrides) -> TransformerConfig:
    """The tiny BERT with small windows, so that the random documents need several."""
    return TransformerConfig(**{"name": tiny_transformer_dir(), "window": 12, "overlap": 3,
                                "lr": 1e-2, **overrides})


def tiny_model(name: str, dims: DataDims, seed: int = 0, **overrides) -> torch.nn.Module:
    """A small model of every DocRED architecture, with random word vectors; `encoder=
    "transformer"` gives it the tiny BERT."""
    if overrides.get("encoder") == "transformer":
        overrides["encoder"] = tiny_transformer()
    torch.manual_seed(seed)
    config = dataclasses.replace(TINY_CONFIGS[name], **overrides)
    model = create_model(config, dims)
    model.load_word_vectors(torch.randn(dims.vocab_size, dims.word_dim))
    return model


def tiny_bilstm(dims: DataDims, seed: int = 0) -> torch.nn.Module:
    return tiny_model("bilstm", dims, seed)


def train_steps(model: torch.nn.Module, step_loss, steps: int, lr: float = 1e-2) -> list[float]:
    """Adam steps on the loss that step_loss() returns; the loss of every step."""
    optimizer = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=lr)
    losses = []
    for _ in range(steps):
        loss = step_loss()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses
