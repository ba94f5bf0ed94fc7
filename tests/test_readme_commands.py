"""Every command of the README runs as written: the cheap ones run here (in a copy of the
repository where they write), and the expensive ones (`dvc repro`, `dvc exp run`, a GPU, the
network) name only params keys and stage instances that exist and modules that load.
"""
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.config import flatten
from stages.common import read_params

ROOT = Path(__file__).resolve().parents[1]
BASH_BLOCK = re.compile(r"^```bash\n(.*?)^```", re.DOTALL | re.MULTILINE)


def readme_commands() -> list[str]:
    """The README's shell commands: each bash block's lines, continuations joined, comments
    dropped, `a && b` split in two."""
    lines = []
    for block in BASH_BLOCK.findall((ROOT / "README.md").read_text(encoding="utf-8")):
        joined = block.replace("\\\n", " ")
        for line in joined.splitlines():
            words = shlex.split(line, comments=True)
            command = " ".join(shlex.quote(w) if w != "&&" else w for w in words)
            lines += [part.strip() for part in command.split(" && ") if part.strip()]
    return lines


COMMANDS = readme_commands()
CHEAP = ("python -m commands.experiment list", "python -m commands.experiment flags",
         "python -m commands.experiment check", "python -m commands.experiment tables",
         "python -m commands.experiment apply", "python -m commands.cluster plan",
         "dvc exp show")
"""Commands that take seconds and need no data: run as written."""
SET_UP = ("python3 -m venv", ". .venv/bin/activate", "pip install", "dvc repro", "dvc exp run", "dvc queue",
          "python -c", "sief-predict", "python -m commands.cluster submit",
          "python -m commands.cluster status", "python -m commands.cluster gather",
          "python -m commands.numerics_check", "python -m commands.plots")
"""Commands that train, install, need data or a cluster: checked, not run."""


def test_every_command_is_known():
    assert COMMANDS, "no bash block found in README.md"
    unknown = [c for c in COMMANDS if not c.startswith(CHEAP + SET_UP)]
    assert not unknown, f"README commands neither run nor checked here: {unknown}"


@pytest.fixture(scope="module")
def tracked(tmp_path_factory) -> Path:
    """The tracked files of the repository (no data), in a new git repository."""
    files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True,
                           check=True).stdout.split()
    tree = tmp_path_factory.mktemp("readme") / "repo"
    for name in files:
        if (ROOT / name).is_file() and not name.startswith("data/"):
            (tree / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, tree / name)
    subprocess.run(["git", "init", "-q"], cwd=tree, check=True)  # DVC reads the graph in git
    return tree


@pytest.fixture
def copy(tracked, tmp_path) -> Path:
    """A fresh copy of the tracked files per command (`apply` edits params.yaml)."""
    return Path(shutil.copytree(tracked, tmp_path / "repo"))


@pytest.mark.parametrize("command", [c for c in COMMANDS if c.startswith(CHEAP)])
def test_cheap_commands_run_as_written(command, copy):
    # `dvc exp show` reads git: it runs in the repository itself (it writes nothing).
    where = ROOT if command.startswith("dvc") else copy
    words = shlex.split(command)
    words[:1] = {"python": [sys.executable], "dvc": [sys.executable, "-m", "dvc"]}[words[0]]
    env = dict(os.environ, SIEF_NO_PROGRESS="1", DVC_NO_ANALYTICS="1",
               PYTHONPATH=str(where))
    done = subprocess.run([*words, *(["--no-pager"] if command.startswith("dvc exp show")
                                     else [])],
                          cwd=where, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"{command}:\n{done.stdout}\n{done.stderr}"


def test_expensive_commands_name_existing_params_stages_and_modules():
    from dvc.repo import Repo
    keys = set(flatten(read_params(ROOT / "params.yaml")))
    with Repo(str(ROOT)) as repo:
        instances = {stage.addressing for stage in repo.index.stages}
    for command in [c for c in COMMANDS if c.startswith(SET_UP)]:
        words = shlex.split(command)
        for i, word in enumerate(words):
            if word in ("-S", "--set-param"):
                key = words[i + 1].split("=", 1)[0]
                assert key in keys, f"{command}: {key} is not in params.yaml"
            elif "@" in word and not word.startswith(("-", "/")):
                assert word in instances, f"{command}: no stage instance {word}"
            elif word == "-m" and i + 1 < len(words):
                module = words[i + 1]
                assert module in ("dvc", "venv") or (ROOT / Path(*module.split("."))).with_suffix(
                    ".py").is_file(), f"{command}: no module {module}"
