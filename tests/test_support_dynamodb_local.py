"""The DynamoDB Local fixture really runs DynamoDB Local, serves the API and stops cleanly."""

from __future__ import annotations

from pathlib import Path

import pytest

try:
    from tests.support.dynamodb_local import DynamoDBLocal, client, find_jar
    from tests.support.e2e import port_answers
except ModuleNotFoundError:  # tests/ itself is on sys.path (no tests/__init__.py)
    from support.dynamodb_local import DynamoDBLocal, client, find_jar  # type: ignore[no-redef]
    from support.e2e import port_answers  # type: ignore[no-redef]


def test_start_create_put_get_stop() -> None:
    """Start, create an on-demand table keyed on ``id``, round-trip an item, stop, port closed."""
    db = DynamoDBLocal()
    db.start()
    try:
        assert db.running
        assert db.endpoint == f"http://127.0.0.1:{db.port}"
        assert db.startup_seconds is not None and db.startup_seconds < db.startup_timeout
        ddb = client(db.endpoint)
        ddb.create_table(
            TableName="backstretch-test",
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        table = ddb.describe_table(TableName="backstretch-test")["Table"]
        assert table["TableStatus"] == "ACTIVE"
        assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
        assert ddb.list_tables()["TableNames"] == ["backstretch-test"]

        item = {"id": {"S": "amzn1.ask.account.TEST"}, "attributes": {"M": {"step": {"N": "3"}}}}
        ddb.put_item(TableName="backstretch-test", Item=item)
        key = {"id": {"S": "amzn1.ask.account.TEST"}}
        got = ddb.get_item(TableName="backstretch-test", Key=key, ConsistentRead=True)
        assert got["Item"] == item
    finally:
        db.stop()
    assert not db.running
    assert not port_answers(db.port)
    db.stop()  # idempotent


def test_context_manager_gives_separate_in_memory_databases() -> None:
    """Each instance is a fresh in-memory database on its own port."""
    with DynamoDBLocal() as first, DynamoDBLocal() as second:
        assert first.port != second.port
        client(first.endpoint).create_table(
            TableName="only-in-first",
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        assert client(second.endpoint).list_tables()["TableNames"] == []
    assert not port_answers(first.port)
    assert not port_answers(second.port)


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
