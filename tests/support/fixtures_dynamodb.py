"""Pytest fixtures for DynamoDB Local: one server per test session, a fresh table per test.

Load them in a test module with ``pytest_plugins = ["tests.support.fixtures_dynamodb"]``: the
plugin is registered once, so every module shares the same DynamoDB Local process (about 2 s to
start). Every client talks to ``http://127.0.0.1:PORT`` only; the server runs in memory with
telemetry off (see ``tests.support.dynamodb_local``).

Test modules use the helpers through fixtures (``raw_item``, ``create_dynamodb_table``) rather than
importing this module, so pytest can rewrite its asserts when it loads it as a plugin.
"""

from __future__ import annotations

import itertools
import os
from typing import Any, Callable, Iterator

import pytest
from botocore.client import BaseClient

from tests.support.dynamodb_local import DynamoDBLocal, client, create_table

__all__ = ["ItemReader", "TableMaker", "create_dynamodb_table", "create_table", "ddb", "dynamodb_local", "read_item", "raw_item", "table"]

# Dummy AWS settings before any boto3 client exists (conftest sets them too; a plugin may load first).
for _name, _value in {
    "AWS_REGION": "us-east-1",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_ACCESS_KEY_ID": "dummy",
    "AWS_SECRET_ACCESS_KEY": "dummy",
    "AWS_EC2_METADATA_DISABLED": "true",
}.items():
    os.environ.setdefault(_name, _value)
# The skill's own clients (DynamoDbStore) must never send loopback traffic through a proxy.
for _name in ("NO_PROXY", "no_proxy"):
    os.environ[_name] = ",".join(filter(None, [os.environ.get(_name, ""), "127.0.0.1,localhost"]))

_table_numbers = itertools.count(1)

ItemReader = Callable[[str], dict[str, Any] | None]
TableMaker = Callable[[BaseClient, str], str]


def read_item(ddb_client: BaseClient, table_name: str, user_id: str) -> dict[str, Any] | None:
    """The user's item exactly as DynamoDB holds it (typed attribute values), or None."""
    got = ddb_client.get_item(TableName=table_name, Key={"id": {"S": user_id}}, ConsistentRead=True)
    item: dict[str, Any] | None = got.get("Item")
    return item


@pytest.fixture(scope="session")
def dynamodb_local() -> Iterator[DynamoDBLocal]:
    """One DynamoDB Local process for the whole test session, stopped at the end."""
    server = DynamoDBLocal()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def ddb(dynamodb_local: DynamoDBLocal) -> BaseClient:
    """A raw boto3 DynamoDB client on the shared DynamoDB Local, for setting up and inspecting items."""
    return client(dynamodb_local.endpoint)


@pytest.fixture
def table(ddb: BaseClient) -> Iterator[str]:
    """A fresh, empty table for one test (deleted afterwards)."""
    name = create_table(ddb, f"backstretch-test-{os.getpid()}-{next(_table_numbers)}")
    try:
        yield name
    finally:
        ddb.delete_table(TableName=name)


@pytest.fixture
def raw_item(ddb: BaseClient, table: str) -> ItemReader:
    """Read a user's item from this test's table with the raw client (typed values, or None)."""
    return lambda user_id: read_item(ddb, table, user_id)


@pytest.fixture(scope="session")
def create_dynamodb_table() -> TableMaker:
    """``create_table(client, name)``, for tests that run their own DynamoDB Local."""
    return create_table
