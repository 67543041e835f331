"""The DynamoDB Local fixture really runs DynamoDB Local, serves the API and stops cleanly."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import pytest

from tests.support.dynamodb_local import DynamoDBLocal, client, find_jar
from tests.support.e2e import port_answers

pytest_plugins = ["tests.support.fixtures_dynamodb"]

TableMaker = Callable[[Any, str], str]  # the create_dynamodb_table fixture: (client, name) -> name


def test_the_shared_server_serves_the_api(dynamodb_local: DynamoDBLocal, create_dynamodb_table: TableMaker) -> None:
    """The session's server: create an on-demand table keyed on ``id`` and round-trip an item."""
    assert dynamodb_local.running
    assert dynamodb_local.endpoint == f"http://127.0.0.1:{dynamodb_local.port}"
    assert dynamodb_local.startup_seconds is not None and dynamodb_local.startup_seconds < dynamodb_local.startup_timeout
    ddb = client(dynamodb_local.endpoint)
    create_dynamodb_table(ddb, "backstretch-tooling")
    try:
        table = ddb.describe_table(TableName="backstretch-tooling")["Table"]
        assert table["TableStatus"] == "ACTIVE"
        assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
        item = {"id": {"S": "amzn1.ask.account.TEST"}, "attributes": {"M": {"step": {"N": "3"}}}}
        ddb.put_item(TableName="backstretch-tooling", Item=item)
        got = ddb.get_item(TableName="backstretch-tooling", Key={"id": {"S": "amzn1.ask.account.TEST"}}, ConsistentRead=True)
        assert got["Item"] == item
    finally:
        ddb.delete_table(TableName="backstretch-tooling")


def test_another_instance_is_a_separate_database_and_stops_cleanly(dynamodb_local: DynamoDBLocal, create_dynamodb_table: TableMaker) -> None:
    """A second instance is a fresh in-memory database on its own port; stopping closes it, twice is fine."""
    shared = client(dynamodb_local.endpoint)
    create_dynamodb_table(shared, "only-in-the-shared-one")
    try:
        with DynamoDBLocal() as own:
            assert own.port != dynamodb_local.port
            assert client(own.endpoint).list_tables()["TableNames"] == []
        assert not own.running
        assert not port_answers(own.port)
        own.stop()  # idempotent
        assert dynamodb_local.running and port_answers(dynamodb_local.port)
    finally:
        shared.delete_table(TableName="only-in-the-shared-one")


def test_command_disables_telemetry_and_runs_in_memory() -> None:
    """DynamoDB Local sends telemetry to AWS unless told not to; it must never be told otherwise."""
    command = DynamoDBLocal(port=12345).command()
    assert "-disableTelemetry" in command
    assert "-inMemory" in command
    assert command[command.index("-port") + 1] == "12345"
    assert Path(command[command.index("-jar") + 1]) == find_jar()


def test_missing_node_modules_says_run_setup(tmp_path: Path) -> None:
    """Without the npm package the error tells the reader what to do."""
    with pytest.raises(RuntimeError, match="run scripts/setup first"):
        find_jar(project_root=tmp_path)


def test_missing_java_fails_loudly(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No java on PATH is an error that names java, never a silent skip."""
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(RuntimeError, match="'java' is not on PATH"):
        DynamoDBLocal(port=12345).start()
