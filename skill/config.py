"""Runtime configuration, from environment variables (Lambda) or command-line flags (local).

Example:
    >>> Config.from_env({"BACKSTRETCH_TABLE": "users", "AWS_REGION": "eu-west-1"}).table
    'users'
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping


def default_data_dir(env: Mapping[str, str] = os.environ) -> Path:
    """The per-user folder for the embedded store: ``$XDG_DATA_HOME/back-stretch-coach``."""
    base = env.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "back-stretch-coach"


@dataclass(frozen=True)
class Config:
    """Where user data lives and which skill may call us.

    ``table`` selects DynamoDB; without it the embedded SQLite store in ``data_dir`` is used.
    """

    skill_id: str | None = None
    data_dir: Path | None = None
    table: str | None = None
    dynamodb_endpoint: str | None = None
    region: str | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> "Config":
        data_dir = env.get("BACKSTRETCH_DATA_DIR")
        return cls(
            skill_id=env.get("BACKSTRETCH_SKILL_ID") or None,
            data_dir=Path(data_dir) if data_dir else None,
            table=env.get("BACKSTRETCH_TABLE") or None,
            dynamodb_endpoint=env.get("BACKSTRETCH_DYNAMODB_ENDPOINT") or None,
            region=env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or None,
        )
