"""The examples in the docstrings are run: every module of the skill, and the grammar expander.

pytest is not run with ``--doctest-modules`` (the tests import the package in other ways), so the
examples are collected here, one test per module.
"""

from __future__ import annotations

import doctest
import importlib
import importlib.util
import pkgutil
import sys
from pathlib import Path
from types import ModuleType

import pytest

import skill

ROOT = Path(__file__).resolve().parent.parent
MODULES = sorted(m.name for m in pkgutil.walk_packages(skill.__path__, "skill."))


def _grammar() -> ModuleType:
    spec = importlib.util.spec_from_file_location("grammar", ROOT / "scripts" / "grammar.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["grammar"] = module  # doctest finds a module's functions through sys.modules
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("name", MODULES)
def test_module_examples(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0


def test_grammar_examples() -> None:
    module = _grammar()
    result = doctest.testmod(module)
    assert result.failed == 0 and result.attempted >= 3


def test_the_package_has_examples_to_run() -> None:
    attempted = sum(doctest.testmod(importlib.import_module(n)).attempted for n in MODULES)
    assert attempted >= 50
