"""The test session runs under portable numerics (params.yaml's default): stages called in
process apply it, and its CPU-kernel cap must be in place before torch's first kernel runs,
which in a test session is long before the first stage."""
import os

from pipeline.runtime import PORTABLE_ENV

os.environ.update(PORTABLE_ENV)
