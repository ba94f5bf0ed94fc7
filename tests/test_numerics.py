"""runtime.numerics: portable caps torch's CPU kernels at AVX2 and fixes the thread count, in
a process that has run no kernel yet; native leaves both to the machine. Each case runs in a
fresh process (the libraries read their settings once, at their first kernel)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from pipeline.runtime import PORTABLE_ENV, PORTABLE_THREADS

ROOT = Path(__file__).resolve().parents[1]
HAS_AVX2 = " avx2" in Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else False

REPORT = """
import json, os, torch
from pipeline.runtime import RuntimeConfig, apply_numerics
{before}
try:
    apply_numerics(RuntimeConfig(numerics={mode!r}))
    error = None
except Exception as err:
    error = f"{{type(err).__name__}}: {{err}}"
print(json.dumps({{"isa": torch.backends.cpu.get_cpu_capability(), "error": error,
                  "threads": torch.get_num_threads(),
                  "env": {{k: os.environ.get(k) for k in {keys!r}}}}}))
"""


def fresh_process(mode: str, before: str = "") -> dict:
    """apply_numerics(mode) in a new interpreter whose environment has no cap of its own."""
    env = {k: v for k, v in os.environ.items() if k not in PORTABLE_ENV}
    code = REPORT.format(mode=mode, before=before, keys=sorted(PORTABLE_ENV))
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env,
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def native_isa() -> str:
    return fresh_process("native")["isa"]


@pytest.mark.skipif(not HAS_AVX2, reason="portable numerics need an AVX2 CPU")
def test_portable_caps_every_library_at_avx2_and_fixes_the_threads():
    seen = fresh_process("portable")
    assert seen["error"] is None
    assert seen["isa"] == "AVX2"
    assert seen["env"] == PORTABLE_ENV
    assert seen["threads"] == PORTABLE_THREADS


def test_native_leaves_the_kernels_to_the_cpu():
    seen = fresh_process("native")
    assert seen["error"] is None
    assert seen["env"] == {k: None for k in PORTABLE_ENV}
    if "avx512f" in Path("/proc/cpuinfo").read_text():
        assert seen["isa"] == "AVX512"


@pytest.mark.skipif(not HAS_AVX2, reason="portable numerics need an AVX2 CPU")
def test_portable_after_a_kernel_ran_is_refused_on_a_cpu_beyond_avx2():
    isa = native_isa()
    if isa == "AVX2":
        pytest.skip("this CPU's own kernels are the AVX2 ones: nothing to refuse")
    seen = fresh_process("portable", before="torch.ones(64).sum()")
    assert seen["error"].startswith("ConfigError: runtime.numerics: portable needs torch's "
                                    f"AVX2 kernels, but this process runs {isa} ones")


def test_the_check_compares_every_bit():
    from commands.numerics_check import COMPARED, compare
    reference = [{"epoch": 1, **{key: 0.25 for key in COMPARED}},
                 {"epoch": 2, **{key: 0.5 for key in COMPARED}}]
    same = [{"epoch": r["epoch"], **{key: r[key] for key in COMPARED}} for r in reference]
    rows, equal = compare(reference, same)
    assert equal and len(rows) == 2 + 2 * len(COMPARED)
    one_ulp = [dict(row) for row in same]
    one_ulp[1]["dev_ign_f1"] = float(np.nextafter(0.5, 1.0))
    rows, equal = compare(reference, one_ulp)
    assert not equal
    assert [row for row in rows if "DIFFERS" in row] == [
        "| 2 | dev_ign_f1 | 0.5 | 0.5000000000000001 | DIFFERS |"]
    rows, equal = compare(reference, same[:1])  # a run that stopped early
    assert not equal
