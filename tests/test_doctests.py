"""The examples in the docstrings are run: every module of the skill, the grammar expander and the lock reader.

pytest is not run with ``--doctest-modules`` (the tests import the package in other ways), so the
examples are collected here, one test per module.
"""

from __future__ import annotations

import doctest
import importlib
import importlib.util
import pkgutil

import pytest

import skill
from tests.support.scripts import load_script

MODULES = sorted(m.name for m in pkgutil.walk_packages(skill.__path__, "skill."))


@pytest.mark.parametrize("name", MODULES)
def test_module_examples(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0


@pytest.mark.parametrize("script", ["grammar", "locks"])
def test_script_examples(script: str) -> None:
    module = load_script(script)
    result = doctest.testmod(module)
    assert result.failed == 0 and result.attempted >= 3


def test_the_package_has_examples_to_run() -> None:
    attempted = sum(doctest.testmod(importlib.import_module(n)).attempted for n in MODULES)
    assert attempted >= 50
