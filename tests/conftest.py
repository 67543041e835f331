"""Shared fixtures. Nothing here may reach past 127.0.0.1: AWS settings are dummies, set first."""

from __future__ import annotations

import os

# Before anything imports botocore: a region, dummy credentials, and no instance-metadata lookups.
os.environ.update(
    {
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "dummy",
        "AWS_SECRET_ACCESS_KEY": "dummy",
        "AWS_EC2_METADATA_DISABLED": "true",
    }
)
for _name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "BACKSTRETCH_TABLE", "BACKSTRETCH_SKILL_ID"):
    os.environ.pop(_name, None)

from pathlib import Path  # noqa: E402
from typing import Iterator  # noqa: E402

import pytest  # noqa: E402

from tests.support.conversation import Alexa  # noqa: E402


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Every test gets its own embedded store folder."""
    data_dir = tmp_path / "data"
    monkeypatch.setenv("BACKSTRETCH_DATA_DIR", str(data_dir))
    yield data_dir


@pytest.fixture
def alexa(tmp_path: Path) -> Alexa:
    """A simulated device talking to the skill through ``lambda_handler`` with request fixtures."""
    return Alexa.for_lambda(tmp_path / "data")


MAX_WORKERS = 8  # each worker starts its own DynamoDB Local (a Java process) when its tests need one


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """``--numprocesses=auto``: two workers per core, at most eight. Many tests wait on purpose (a slow
    store, a stalled upload, a deadline on a real socket); a second worker per core works meanwhile."""
    return min(MAX_WORKERS, 2 * (os.cpu_count() or 1))
