"""The processed data every run reads: canonical documents, the feature view and its graphs,
and the processed format's reader (processed.py). Raw files come in through
pipeline/ingest."""
