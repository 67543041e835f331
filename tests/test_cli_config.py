"""Configuration read once: which ``backstretch`` commands get local AWS stand-ins, and the log salt."""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path
from typing import Any

import boto3
import pytest

from skill.app import build_skill
from skill.config import Config
from skill.entrypoints import cli, wsgi_server
from skill.entrypoints.invoke import invoke, read_event
from tests.support.conversation import load_event

AWS_VARIABLES = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_REGION", "AWS_DEFAULT_REGION",
                 "AWS_EC2_METADATA_DISABLED", "AWS_PROFILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE")


@pytest.fixture
def real_chain(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """An environment with no AWS variables, whose credential chain finds a key in a credentials file."""
    for name in AWS_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    credentials = tmp_path / "credentials"
    credentials.write_text("[default]\naws_access_key_id = AKIDFROMTHECHAIN\naws_secret_access_key = chainsecret\n")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")  # this machine has no instance role to find
    return "AKIDFROMTHECHAIN"


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """``serve`` builds its app and stops short of listening; the app is kept."""
    apps: list[Any] = []
    monkeypatch.setattr(wsgi_server, "run", lambda app, settings: apps.append(app))
    return apps


def test_serve_with_a_real_table_signs_with_the_real_credential_chain(real_chain: str, served: list[Any], tmp_path: Path) -> None:
    assert cli.main(["serve", "--table", "users", "--port", "0"]) == 0
    assert served, "serve did not get as far as its app"
    assert "AWS_ACCESS_KEY_ID" not in os.environ and "AWS_SECRET_ACCESS_KEY" not in os.environ
    credentials = boto3.Session(region_name="eu-west-1").get_credentials()
    assert credentials is not None and credentials.access_key == real_chain


def test_serve_against_a_remote_endpoint_gets_no_stand_ins(real_chain: str, served: list[Any]) -> None:
    assert cli.main(["serve", "--table", "users", "--dynamodb-endpoint", "https://dynamodb.eu-west-1.amazonaws.com", "--port", "0"]) == 0
    assert "AWS_ACCESS_KEY_ID" not in os.environ


@pytest.mark.parametrize(
    "flags",
    [["--data-dir", "{tmp}"], ["--table", "users", "--dynamodb-endpoint", "http://127.0.0.1:8000"],
     ["--table", "users", "--dynamodb-endpoint", "http://localhost:8000"]],
    ids=["sqlite", "dynamodb-local", "dynamodb-localhost"],
)
def test_serve_on_this_machine_gets_local_stand_ins(real_chain: str, served: list[Any], tmp_path: Path, flags: list[str]) -> None:
    assert cli.main(["serve", "--port", "0", *(f.format(tmp=tmp_path) for f in flags)]) == 0
    assert os.environ["AWS_ACCESS_KEY_ID"].isalnum() and os.environ["AWS_SECRET_ACCESS_KEY"].isalnum()
    assert os.environ["AWS_REGION"] and os.environ["AWS_EC2_METADATA_DISABLED"] == "true"


def test_chat_on_sqlite_gets_local_stand_ins_and_preview_gets_none(
    real_chain: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # What preview draws is the renderer's business (tests/test_screen_renderer.py); here only what it is given.
    seen: list[str | None] = []
    monkeypatch.setattr("skill.screen.preview.write_preview", lambda *a, **k: seen.append(os.environ.get("AWS_ACCESS_KEY_ID")) or [tmp_path / "index.html"])
    assert cli.main(["preview", "--out", str(tmp_path / "preview")]) == 0
    assert seen == [None] and "AWS_ACCESS_KEY_ID" not in os.environ
    assert cli.main(["chat", "--no-input", "--data-dir", str(tmp_path), "launch"]) == 0
    assert "Welcome" in capsys.readouterr().out
    assert os.environ["AWS_ACCESS_KEY_ID"].isalnum()


def test_stand_ins_never_replace_credentials_already_given(real_chain: str, served: list[Any], monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDGIVEN")
    assert cli.main(["serve", "--port", "0", "--data-dir", str(tmp_path)]) == 0
    assert os.environ["AWS_ACCESS_KEY_ID"] == "AKIDGIVEN"


# -- the log salt ------------------------------------------------------------------------------------


def _logged_user(config: Config, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> str:
    """The hashed user id a skill built from ``config`` logs for the launch fixture's user."""
    caplog.clear()
    caplog.set_level("INFO", logger="backstretch.requests")
    skill = build_skill(dataclasses.replace(config, data_dir=tmp_path))
    invoke(skill, read_event(load_event("launch_request")))
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "backstretch.requests"]
    assert len(lines) == 1
    user: str = lines[0]["user"]
    return user


def test_without_a_salt_each_process_hashes_users_its_own_way(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Two deployments given no salt log the same user differently, so a known user id cannot be looked up."""
    first = _logged_user(Config.from_env({"BACKSTRETCH_DATA_DIR": str(tmp_path)}), tmp_path, caplog)
    second = _logged_user(Config.from_env({"BACKSTRETCH_DATA_DIR": str(tmp_path)}), tmp_path, caplog)
    assert first and second and first != second
    user_id = load_event("launch_request")["context"]["System"]["user"]["userId"]
    assert user_id not in first


def test_a_given_salt_hashes_alike_across_processes(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    env = {"BACKSTRETCH_DATA_DIR": str(tmp_path), "BACKSTRETCH_LOG_SALT": "a long random string, kept secret"}
    assert _logged_user(Config.from_env(env), tmp_path, caplog) == _logged_user(Config.from_env(env), tmp_path, caplog)
    other = {**env, "BACKSTRETCH_LOG_SALT": "another secret"}
    assert _logged_user(Config.from_env(env), tmp_path, caplog) != _logged_user(Config.from_env(other), tmp_path, caplog)


def test_the_salt_is_read_once_not_per_request(tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BACKSTRETCH_LOG_SALT", "first")
    config = Config.from_env({**os.environ, "BACKSTRETCH_DATA_DIR": str(tmp_path)})
    skill = build_skill(config)
    caplog.set_level("INFO", logger="backstretch.requests")
    invoke(skill, read_event(load_event("launch_request")))
    monkeypatch.setenv("BACKSTRETCH_LOG_SALT", "changed later")
    invoke(skill, read_event(load_event("launch_request")))
    users = [json.loads(r.getMessage())["user"] for r in caplog.records if r.name == "backstretch.requests"]
    assert len(users) == 2 and users[0] == users[1]


def test_the_salt_never_shows_in_the_configs_repr() -> None:
    config = Config.from_env({"BACKSTRETCH_LOG_SALT": "do-not-print-me"})
    assert "do-not-print-me" not in repr(config)
