"""Runtime configuration: every environment variable the skill reads is read here, once.

Lambda builds a ``Config`` from its environment on a cold start; ``backstretch`` builds one from
the environment and its command-line flags before it starts. No other module looks a variable up.

Example:
    >>> config = Config.from_env({"BACKSTRETCH_TABLE": "users", "AWS_REGION": "eu-west-1"})
    >>> config.table, config.region, config.log_level
    ('users', 'eu-west-1', 'INFO')
    >>> Config.from_env({}).log_salt != Config.from_env({}).log_salt  # no salt given: a secret one per process
    True
    >>> Config.from_env({"BACKSTRETCH_LOG_SALT": "a long random string"}).log_salt
    'a long random string'
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping


def default_data_dir(env: Mapping[str, str] = os.environ) -> Path:
    """The per-user folder for the embedded store: ``$XDG_DATA_HOME/back-stretch-coach``."""
    base = env.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "back-stretch-coach"


def new_log_salt() -> str:
    """A salt nobody else knows, for a process that was given none (see ``Config.log_salt``)."""
    return secrets.token_hex(32)


@dataclass(frozen=True)
class Config:
    """Where user data lives, which skill may call us, and how requests are logged.

    ``table`` selects DynamoDB; without it the embedded SQLite store in ``data_dir`` is used.
    ``log_salt`` salts the hashed user ids in the request log (``BACKSTRETCH_LOG_SALT``); when none
    is given it is random, made once per process, so hashes follow a user within a process and
    cannot be computed by anyone reading the logs. It is never shown in a ``repr``.
    """

    skill_id: str | None = None
    data_dir: Path | None = None
    table: str | None = None
    dynamodb_endpoint: str | None = None
    region: str | None = None
    log_salt: str = field(default_factory=new_log_salt, repr=False)
    log_level: str = "INFO"

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> "Config":
        data_dir = env.get("BACKSTRETCH_DATA_DIR")
        table = env.get("BACKSTRETCH_TABLE") or None
        return cls(
            skill_id=env.get("BACKSTRETCH_SKILL_ID") or None,
            # With a table (Lambda) there is no data folder, nor perhaps a home to put one in.
            data_dir=Path(data_dir) if data_dir else None if table else default_data_dir(env),
            table=table,
            dynamodb_endpoint=env.get("BACKSTRETCH_DYNAMODB_ENDPOINT") or None,
            region=env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or None,
            log_salt=env.get("BACKSTRETCH_LOG_SALT") or new_log_salt(),
            log_level=env.get("LOG_LEVEL") or "INFO",
        )
