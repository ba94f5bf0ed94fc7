"""A trained run on new documents: `load(path).predict(documents, explain=True)`."""
from pipeline.inference.predictor import Prediction, PredictionRun, Predictor, RunFiles, load

__all__ = ["Prediction", "PredictionRun", "Predictor", "RunFiles", "load"]
