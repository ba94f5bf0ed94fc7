"""Known raw files: accepted sha256 values and official download addresses.

A checksum is accepted when it matches the sha256 of the file's bytes or of its
decompressed bytes (mirrors keep `gzip -n -9` copies of the upstream JSON), or, for a file
whose bytes could not be read where this table was written, its git blob id in the official
repository (sha1 of `blob <size>\\0` + the bytes: what `git hash-object` prints).
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Source:
    sha256: frozenset[str]
    """Accepted sha256 values (of the bytes, or of the decompressed bytes)."""
    urls: tuple[str, ...] = ()
    """Official addresses, tried in order when no mirror has the file."""
    git_blob: frozenset[str] = frozenset()
    """Accepted git blob ids of the decompressed bytes (when no sha256 is known)."""


_HF = "https://huggingface.co/datasets/thunlp/docred/resolve/main/data/"
_GH = "https://raw.githubusercontent.com/"
_REDOCRED = _GH + "tonytan48/Re-DocRED/ccfb54f5ddf5836027c87badda10f6dfc56efaac/data/"
_DIALOGRE = _GH + "nlpdata/dialogre/b23e6cd7d811a68cf0aafa40e299143b857964e2/data_v2/en/data/"

SOURCES: dict[str, Source] = {
    "docred/train_annotated.json.gz": Source(frozenset({
        "7e706348a02cf91f38bd8c379f934ab61aedadc901fca10d962c1d82ab78e95b",
        "0d01cd07cabd7f9077db6ea8628832cf60281b4228ec1ba54647f836a3b17d02"}),
        (_HF + "train_annotated.json.gz",)),
    # The Hugging Face dev file holds 998 documents (the official dev.json has 1,000).
    "docred/dev.json.gz": Source(frozenset({
        "85691c5ca1df0048bffab1c1cf53d7d35b5de40f3de0a2c563c03da28746d5cb",
        "6ae4d7f5b0b9d2cbe74b9634ed43b35b7cb5b7c0dc3a16226dbe343139a4ae05"}),
        (_HF + "dev.json.gz",)),
    "docred/test.json.gz": Source(frozenset({
        "09386b5cb58249d8e087863c379ebd64557169c52ee502193d2f4f215e704ae8"}),
        (_HF + "test.json.gz",)),
    "docred/train_annotated.611.json.gz": Source(frozenset({
        "32ec146b13c59b177dbcf5743549c3daf827ead26c2f717f2ff0f82b5827afde"}),
        (_GH + "mataney/BootstrappingRelationExtractors/35907d2577386faddfba9a8c63d6800c28dd056a"
               "/data/DocRED/eval_split_from_annotated.json",)),
    "docred/rel_info.json.gz": Source(frozenset({
        "5ecf4e5e55c179fc83a3a3d19baa01efffecb26ba5edc0b4ac5a54ddf61fe3de"})),
    "docred/rel2id.json.gz": Source(frozenset({
        "b671eee2c3edb7bd44bede98ce6e292cbd154bbf9202c939b816c5a79063b5e3"})),
    "docred/ner2id.json.gz": Source(frozenset({
        "5ed4ba23bfba6a5fdba6b37778f76a896913ac48515a6dee8633b5bb3ee95ec3"})),
    # Re-DocRED (MIT): DocRED's documents with revised labels; its test labels are public.
    "redocred/train_revised.json.gz": Source(frozenset(), (_REDOCRED + "train_revised.json",),
        git_blob=frozenset({"1ba485adf8e4cb789c441de2f6fe41de95690caa"})),
    "redocred/dev_revised.json.gz": Source(frozenset({
        "051ee1d057204a5d08ef5502beacdadf191245b5eaf0e29ec2c607cf002c016f"}),
        (_REDOCRED + "dev_revised.json",)),
    "redocred/test_revised.json.gz": Source(frozenset({
        "ea673b7ef91e16510d7eb88863d3903e47318dc5653ef361266f27ae3b84723c"}),
        (_REDOCRED + "test_revised.json",)),
    "dialogre/train.json.gz": Source(frozenset({
        "94b5799642107f9afecc5c46655d6d9612f41969893deff291b15a66298c08a0"}),
        (_DIALOGRE + "train.json",)),
    "dialogre/dev.json.gz": Source(frozenset({
        "3e0036a1853f33dd8fab1f008ff3c3b351f0b53e9084a6f6bce7b4c95d0f0472"}),
        (_DIALOGRE + "dev.json",)),
    "dialogre/test.json.gz": Source(frozenset({
        "180e766323d2b5ae4763c77b2db280eeb49c909ab48c7393fbc309b7890061af"}),
        (_DIALOGRE + "test.json",)),
}
