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
from pipeline.models.encoders import GloveEncoderConfig, uses_word_vectors
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


TRANSFORMER = {"encoder": "transformer"}  # the tiny BERT below
VARIANTS = [("bilstm", {}), ("gain", {}), ("gain", {"path_aggregation": "softmax"}),
            ("hetergsan", {}), ("bilstm", TRANSFORMER), ("gain", TRANSFORMER),
            ("hetergsan", TRANSFORMER)]
"""Every DocRED architecture (GAIN with both path aggregations) with each encoder, as
(model name, tiny_model overrides): the models the tests check form by form."""


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
    if uses_word_vectors(config):
        model.load_word_vectors(torch.randn(dims.vocab_size, dims.word_dim))
    return model


def tiny_bilstm(dims: DataDims, seed: int = 0) -> torch.nn.Module:
    return tiny_model("bilstm", dims, seed)


def logits_and_grads(model, forward, batch, seed):
    """Logits of `forward(model, batch)` and the gradients of a fixed random projection
    (drawn on the CPU, so that it is the same on every device), both on the CPU."""
    model.zero_grad()
    torch.manual_seed(seed)  # the same dropout draws for both forms
    logits = forward(model, batch)
    weights = torch.randn(logits.shape, generator=torch.Generator().manual_seed(1))
    (logits * weights.to(logits.device)).sum().backward()
    grads = {name: p.grad.cpu().clone() for name, p in model.named_parameters()
             if p.grad is not None}
    return logits.detach().cpu(), grads


def assert_close(a: torch.Tensor, b: torch.Tensor, what: str, atol: float = 1e-4) -> None:
    assert torch.allclose(a, b, atol=atol), f"{what}: max difference {(a - b).abs().max()}"


def assert_grads_close(got: dict, expected: dict, atol: float = 1e-4) -> None:
    """The same parameters have gradients, each within atol (logits_and_grads' dicts)."""
    assert got.keys() == expected.keys()
    for name, grad in expected.items():
        assert_close(got[name], grad, name, atol)


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


DOCRED_REL2ID = {"Na": 0, "P17": 1, "P131": 2}
DOCRED_NER2ID = {"BLANK": 0, "PER": 1, "LOC": 2}
GLOVE_WORDS = {"anna": [0.1, 0.2, 0.3, 0.4], "paris": [0.3, 0.4, 0.5, 0.6],
               "lives": [0.0, 0.1, 0.0, 0.1], "zanzibar": [0.9, -0.9, 0.8, -0.8]}
"""A tiny GloVe table: 'zanzibar' occurs in no document of tiny_run_repo's corpus."""


def raw_doc(title: str, words: tuple[str, ...] = ("Anna", "lives", "in", "Paris", "."),
            labels: bool = True) -> dict:
    """A DocRED-format document: the sentence `words` twice (S0, S1); entity 0 = the first
    word (in both), entity 1 = the fourth (in S1); label (0, 1, P17) with evidence S1."""
    sents = [list(words), list(words)]
    doc = {"title": title, "sents": sents,
           "vertexSet": [[{"name": words[0], "pos": [0, 1], "sent_id": s, "type": "PER"}
                          for s in (0, 1)],
                         [{"name": words[3], "pos": [3, 4], "sent_id": 1, "type": "LOC"}]]}
    if labels:
        doc["labels"] = [{"h": 0, "t": 1, "r": "P17", "evidence": [1]}]
    return doc


def tiny_run_repo(root: Path, test_labels: bool = False, dev_docs: int = 1) -> Path:
    """A repository as the pipeline lays it out: data/processed/docred from one-document
    splits (`dev_docs` in dev; the test split labelled when `test_labels`, as Re-DocRED's), an untrained tiny
    BiLSTM at data/runs/docred/bilstm/glove/sief/model.pt (dev theta 0.9 stored), its
    results (evaluate's theta 0.3, robustness's tau 0.01). Returns root."""
    import json
    from pipeline.ingest.prepare import DocREDConfig, DocREDFiles, FeaturesConfig, prepare_docred
    from pipeline.data.processed import load_meta, load_vectors
    from pipeline.models import model_spec
    from pipeline.training.run import new_model
    raw = root / "raw"
    raw.mkdir(parents=True)
    for split in ("train", "dev", "test"):
        labelled = split != "test" or test_labels
        titles = [f"{split} doc"] + [f"{split} doc {k}" for k in range(2, dev_docs + 1)
                                     if split == "dev"]
        (raw / f"{split}.json").write_text(json.dumps([raw_doc(title, labels=labelled)
                                                       for title in titles]))
    (raw / "rel2id.json").write_text(json.dumps(DOCRED_REL2ID))
    (raw / "ner2id.json").write_text(json.dumps(DOCRED_NER2ID))
    glove = root / "glove.txt"
    glove.write_text("".join(f"{w} {' '.join(map(str, v))}\n" for w, v in GLOVE_WORDS.items()))
    files = DocREDFiles(train="train.json", dev="dev.json", test="test.json",
                        rel2id="rel2id.json", ner2id="ner2id.json")
    processed = root / "data" / "processed" / "docred"
    prepare_docred(raw, processed, DocREDConfig(files=files), FeaturesConfig(glove=str(glove)))
    model = new_model(TINY_CONFIGS["bilstm"], load_meta(processed)["dims"],
                      load_vectors(processed), seed=0)
    run = root / "data" / "runs" / "docred" / "bilstm" / "glove" / "sief"
    run.mkdir(parents=True)
    torch.save({"model": model_spec(model), "state_dict": model.state_dict(), "best_epoch": 1,
                "dev": {"theta": 0.9}, "train": {"train": {"epochs": 1}}}, run / "model.pt")
    results = root / "data" / "results" / "docred" / "bilstm" / "glove" / "sief"
    results.mkdir(parents=True)
    (results / "metrics.json").write_text(json.dumps({"dev": {"theta": 0.3}}))
    (results / "robustness.json").write_text(json.dumps({"evidence": {"tau": 0.01}}))
    return root
