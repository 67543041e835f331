"""The dependency locks (``requirements/``) are what gets installed, and they hold together.

``scripts/setup`` installs a lock with every hash checked and nothing else; these tests look at the
virtualenv the suite itself runs in, so a package installed beside the lock, or at another version,
fails here.
"""

from __future__ import annotations

import importlib.metadata
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement

from tests.support.scripts import load_script

ROOT = Path(__file__).resolve().parent.parent
locks = load_script("locks")
PROJECT = "back-stretch-coach"


def _here(lock: Path) -> dict[str, str]:
    """What the lock installs on this machine's Python: its markers evaluated here."""
    return {e.name: e.version for e in locks.read(lock) if e.marker is None or Marker(e.marker).evaluate()}


def test_the_virtualenv_holds_exactly_the_test_lock() -> None:
    assert Path(sys.prefix).resolve() == (ROOT / ".venv").resolve(), "run the suite with scripts/test"
    installed = {
        locks.normalise(dist.metadata["Name"]): dist.version
        for dist in importlib.metadata.distributions()
        if locks.normalise(dist.metadata["Name"]) != PROJECT
    }
    assert installed == _here(locks.TEST_LOCK)


def test_the_test_lock_has_the_runtime_lock_at_the_same_versions() -> None:
    runtime, test, bench = (set(locks.read(lock)) for lock in (locks.RUNTIME_LOCK, locks.TEST_LOCK, locks.BENCH_LOCK))
    assert runtime <= test  # the same entries: versions, markers and hashes
    shared = {e.name for e in runtime} & {e.name for e in bench}
    assert {e for e in bench if e.name in shared} <= runtime


@pytest.mark.parametrize("lock", ["runtime", "test"])
def test_every_declared_dependency_is_locked_within_its_range(lock: str) -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = list(project["dependencies"])
    if lock == "test":
        declared += project["optional-dependencies"]["test"]
    here = _here(locks.REQUIREMENTS / f"{lock}.txt")
    for text in declared:
        requirement = Requirement(text)
        version = here.get(locks.normalise(requirement.name))
        assert version is not None, f"{requirement.name} is not in the {lock} lock"
        assert requirement.specifier.contains(version, prereleases=True), (text, version)


def test_the_lambda_packages_are_in_the_runtime_lock() -> None:
    # Unmarked: the zip is built for another platform and Python than this one.
    assert set(locks.names(locks.REQUIREMENTS / "lambda.in")) <= set(locks.pins(locks.read(locks.RUNTIME_LOCK)))


@pytest.mark.parametrize(
    "line",
    [
        "six==1.17.0",  # no hash
        "six>=1.16 --hash=sha256:aa",  # not an exact version
        "six --hash=sha256:aa",
        "-e . --hash=sha256:aa",
    ],
)
def test_a_lock_line_that_is_no_exact_hashed_pin_is_refused(line: str) -> None:
    with pytest.raises(ValueError, match="not an exact, hashed pin"):
        locks.parse(line + "\n")
