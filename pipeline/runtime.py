"""Where tensors live and how many CPU threads torch uses."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar

import torch

from pipeline.config import build
from pipeline.errors import ConfigError


@dataclass(frozen=True)
class RuntimeConfig:
    BOUNDS: ClassVar[dict[str, str]] = {"threads": ">= 0"}
    """Ranges checked by pipeline.config.build (the params key named in the error)."""
    device: str = "auto"
    """'auto' (CUDA when available, else CPU), 'cpu', 'cuda' or 'cuda:N'."""
    threads: int = 0
    """torch CPU threads; 0 keeps torch's default (one per core)."""

    def __post_init__(self) -> None:
        if not re.fullmatch(r"auto|cpu|cuda(:\d+)?", self.device):
            raise ConfigError(f"device must be auto, cpu, cuda or cuda:N, got {self.device!r}")


def setup_runtime(cfg: RuntimeConfig) -> torch.device:
    if cfg.threads > 0:
        torch.set_num_threads(cfg.threads)
    if cfg.device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    device = torch.device(cfg.device)
    if device.type == "cuda" and not torch.cuda.is_available():
        raise RuntimeError(f"runtime.device is {cfg.device!r} but CUDA is not available here")
    return device


def runtime_device(section: dict) -> torch.device:
    """Apply a params `runtime` section; returns the device to run on."""
    return setup_runtime(build(RuntimeConfig, section, "runtime"))
