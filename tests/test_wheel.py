"""The wheel works on its own: built from a clean copy of the project, installed into a fresh virtualenv,
and chatting from a folder outside the checkout.

``backstretch chat`` reads the interaction models; they travel inside the package as ``skill.models``,
so the installed command must find them with no repository around. The wheel is built once, by the
locked setuptools of this virtualenv, and its dependencies come from the runtime lock, hashes checked,
as scripts/setup installs them. Part of the normal suite; about ten seconds with a warm pip cache.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.support.e2e import LOCAL_AWS_ENV

pytestmark = pytest.mark.packaging

ROOT = Path(__file__).resolve().parent.parent
# What a clean checkout does not have, or the wheel must not be built from.
NOT_SOURCE = shutil.ignore_patterns(
    ".git", ".venv", "node_modules", "build", "dist", "*.egg-info", "__pycache__", ".pytest_cache", ".hypothesis",
    ".mypy_cache", ".ruff_cache", "skill-package", ".aws-sam", ".backstretch",
)
PIP = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--no-input"]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project's wheel, built from a copy (setuptools would otherwise reuse a stale build/lib)."""
    source = tmp_path_factory.mktemp("source") / "back-stretch-coach"
    shutil.copytree(ROOT, source, ignore=NOT_SOURCE)
    out = tmp_path_factory.mktemp("wheelhouse")
    subprocess.run([*PIP, "wheel", "--no-deps", "--no-build-isolation", "--quiet", "-w", str(out), str(source)], check=True, timeout=240)
    (built,) = out.glob("back_stretch_coach-*.whl")
    return built


@pytest.fixture(scope="module")
def venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtualenv with the wheel and its dependencies, and nothing of this checkout."""
    target = tmp_path_factory.mktemp("venv") / "env"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(target)], check=True, timeout=60)
    # This interpreter's pip installs into the new environment (no ensurepip run needed).
    into = [*PIP, "--python", str(target / "bin" / "python"), "install", "--quiet", "--no-deps"]
    subprocess.run([*into, "--require-hashes", "-r", str(ROOT / "requirements" / "runtime.txt")], check=True, timeout=300)
    subprocess.run([*into, str(wheel)], check=True, timeout=300)
    return target


def test_wheel_ships_every_module_data_file_and_model(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    in_checkout = {
        path.relative_to(ROOT).as_posix()
        for path in (ROOT / "skill").rglob("*")
        if path.suffix in (".py", ".json") and "__pycache__" not in path.parts
    }
    assert in_checkout - names == set(), "pyproject.toml's package list misses these"
    models = {f"skill/models/{path.name}" for path in (ROOT / "interaction_models").iterdir() if path.suffix in (".py", ".json")}
    assert "skill/models/en-US.json" in models and "skill/models/builtin_phrases.en-US.json" in models
    assert models <= names
    assert not [name for name in names if name.startswith(("tests/", "interaction_models/", "scripts/"))]


def test_installed_wheel_chats_from_anywhere(venv: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {
        "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
        "HOME": str(elsewhere),
        **LOCAL_AWS_ENV,
    }
    where = subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import skill.models, skill.app; print(skill.models.__file__)"],
        cwd=elsewhere, env=env, capture_output=True, text=True, timeout=60,
    )
    assert where.returncode == 0, where.stderr
    assert Path(where.stdout.strip()).resolve().is_relative_to(venv.resolve()), where.stdout

    data_dir = tmp_path / "data"
    chat = subprocess.run(
        [str(venv / "bin" / "backstretch"), "chat", "--data-dir", str(data_dir), "start my morning back stretches"],
        cwd=elsewhere, env=env, capture_output=True, text=True, timeout=60,
    )
    assert chat.returncode == 0, chat.stderr[-3000:]
    reply = chat.stdout.split("Alexa:", 1)[1]
    assert "The morning back stretches, about" in reply
    assert "First, single knee to chest" in reply
    assert "You finished the morning back stretches" in reply
    assert any(data_dir.iterdir()), "the chat stored the user's progress in the data dir"
