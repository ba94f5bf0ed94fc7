"""Where tensors live, how many CPU threads torch uses, and which CPU kernels it may pick."""
from __future__ import annotations

import os
import platform
import re
from dataclasses import dataclass
from typing import ClassVar, Literal

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
    """torch CPU threads; 0 = one per core (native) or PORTABLE_THREADS (portable)."""
    numerics: Literal["native", "portable"] = "native"
    """'native': the fastest kernels of this CPU (the committed results' setting), whose
    results can differ in the last bits between CPUs, and then by whole points after
    training; 'portable': torch's, oneDNN's and MKL's kernels capped at AVX2
    (PORTABLE_ENV) and a fixed thread count, the same kernels on every x86 CPU with AVX2.
    docs/numerics.md."""

    def __post_init__(self) -> None:
        if not re.fullmatch(r"auto|cpu|cuda(:\d+)?", self.device):
            raise ConfigError(f"device must be auto, cpu, cuda or cuda:N, got {self.device!r}")


PORTABLE_ENV = {
    "ATEN_CPU_CAPABILITY": "avx2",   # torch's own kernels (reductions, activations)
    "ONEDNN_MAX_CPU_ISA": "AVX2",    # oneDNN (the LSTM, reorders)
    "MKL_CBWR": "AVX2",              # MKL's GEMMs: its AVX2 code path on every CPU
}
"""Read lazily by each library, at its first kernel call: set before any tensor work."""
PORTABLE_THREADS = 2
"""Threads of a portable run given `threads: 0`: the split of a parallel sum changes its
last bits, so the count is fixed (the cores of the machine kind the results came from)."""


def apply_numerics(cfg: RuntimeConfig) -> None:
    """Cap the CPU kernels (portable) or leave them to the CPU (native). Must run before
    the process's first tensor operation: the libraries read their settings once."""
    threads = cfg.threads or (PORTABLE_THREADS if cfg.numerics == "portable" else 0)
    if threads > 0:
        torch.set_num_threads(threads)
    if cfg.numerics == "native":
        return
    os.environ.update(PORTABLE_ENV)
    isa = torch.backends.cpu.get_cpu_capability()
    if isa != "AVX2":
        why = ("this CPU has no AVX2" if isa == "DEFAULT"
               else "torch chose its kernels before the stage could cap them")
        raise ConfigError(f"runtime.numerics: portable needs torch's AVX2 kernels, but this "
                          f"process runs {isa} ones ({why}); set runtime.numerics: native")


def machine_record() -> dict:
    """What made this process's numbers: the CPU (its model and widest vector extension),
    the numerics setting in force, the kernels torch runs and its threads."""
    portable = all(os.environ.get(key) == value for key, value in PORTABLE_ENV.items())
    model, flags = cpu_info()
    widest = "AVX-512" if "avx512f" in flags else "AVX2" if "avx2" in flags else "pre-AVX2"
    return {"cpu": model, "cpu_isa": widest, "numerics": "portable" if portable else "native",
            "kernels": torch.backends.cpu.get_cpu_capability(),
            "threads": torch.get_num_threads()}


def machine_summary(record: dict | None = None) -> str:
    """A machine_record (default: this process's) in one string, one column in `dvc exp
    show`; a checkpoint written before the record was kept has None."""
    m = machine_record() if record is None else record
    return (f"{m['cpu']} ({m['cpu_isa']}), {m['numerics']} numerics: torch {m['kernels']} "
            f"kernels, {m['threads']} threads")


def trained_on(checkpoint: dict) -> str:
    """Where a checkpoint was trained, as machine_summary says it."""
    record = checkpoint.get("machine")
    return machine_summary(record) if record else "not recorded (checkpoint of before 2026-12-05)"


def cpu_info() -> tuple[str, set[str]]:
    """The CPU's model name (lscpu's) and its flags, from /proc/cpuinfo where there is one."""
    model, flags = platform.processor() or "unknown", set()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                key, _, value = line.partition(":")
                if key.strip() == "model name":
                    model = value.strip()
                elif key.strip() == "flags":
                    flags = set(value.split())
                    break
    except OSError:
        pass
    return model, flags


def setup_runtime(cfg: RuntimeConfig) -> torch.device:
    apply_numerics(cfg)
    if cfg.device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    device = torch.device(cfg.device)
    if device.type == "cuda" and not torch.cuda.is_available():
        raise RuntimeError(f"runtime.device is {cfg.device!r} but CUDA is not available here")
    return device


def runtime_device(section: dict) -> torch.device:
    """Apply a params `runtime` section; returns the device to run on."""
    return setup_runtime(build(RuntimeConfig, section, "runtime"))
