"""Raw data in: the sources and their checksums, the download, the raw readers (DocRED,
DialogRE, GloVe) and `prepare`, which writes the processed format (pipeline/data/processed.py
reads it). Only the download and prepare stages, and `sief-predict`'s reader of new
documents, import this package."""
