"""requirements.lock pins the environment the committed results were produced in.

The lock must keep up with pyproject.toml: every dependency declared there is pinned, once,
at a version its specifier allows (a dependency added without re-locking fails here).
"""
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]


def locked_versions() -> dict[str, Version]:
    """{canonical name: pinned version} from requirements.lock; a line that is no pin fails."""
    pins: dict[str, Version] = {}
    for number, line in enumerate((ROOT / "requirements.lock").read_text().splitlines(), 1):
        name, sep, version = line.partition("==")
        assert sep and name and version, f"requirements.lock:{number}: not NAME==VERSION: {line!r}"
        key = canonicalize_name(name)
        assert key not in pins, f"requirements.lock:{number}: {name} pinned twice"
        pins[key] = Version(version)
        # a local build (torch's +cpu) is on no index: -c requirements.lock would fail
        assert pins[key].local is None, f"requirements.lock:{number}: local build {line!r}"
    return pins


def declared_requirements() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = [req for group in project["optional-dependencies"].values() for req in group]
    return [Requirement(req) for req in project["dependencies"] + extras]


def test_every_declared_dependency_is_pinned_within_its_range():
    pins = locked_versions()
    for requirement in declared_requirements():
        version = pins.get(canonicalize_name(requirement.name))
        assert version is not None, f"{requirement.name} is in pyproject.toml, not in requirements.lock"
        assert requirement.specifier.contains(version, prereleases=True), (
            f"requirements.lock pins {requirement.name}=={version}, outside pyproject's "
            f"{requirement.specifier}")


def test_the_project_itself_is_not_pinned():
    # `pip freeze` lists the editable install; pinned, it would fight `pip install -e .`.
    assert "sief-pipeline" not in locked_versions()
