"""Choosing the store from configuration. DynamoDB code is imported only when it is used."""

from __future__ import annotations

from skill.config import Config, default_data_dir
from skill.persistence.versioned import VersionedStore


def store_for(config: Config) -> VersionedStore:
    """DynamoDB when a table is configured, else SQLite in the data folder."""
    if config.table:
        from skill.persistence.dynamodb_store import DynamoDbStore

        return DynamoDbStore(config.table, region=config.region, endpoint_url=config.dynamodb_endpoint)
    from skill.persistence.sqlite_store import SqliteStore

    return SqliteStore((config.data_dir or default_data_dir()) / "users.sqlite3")
