"""One thin CLI per DVC stage: `python -m stages.<name>`.

Each stage declares the params.yaml sections it reads in PARAMS (a test checks that
dvc.yaml declares the same), builds typed configs from them and calls `pipeline/`.
"""
