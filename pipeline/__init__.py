"""sief-pipeline: document-level relation extraction with SIEF.

The library never reads argv or params.yaml; `stages/` builds typed configs and calls it.
"""
