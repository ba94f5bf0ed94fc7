"""SIEF: sentence importance estimation and focusing, for any base model.

Nothing here knows which model it trains: sentences are removed from the canonical
document, the model's own featurizer rebuilds its inputs, and the model is called twice.
"""
