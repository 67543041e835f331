"""tests/e2e/drive.js records real exchanges, reports bad SSML and maps utterances to built-ins.

A tiny Flask app, served by werkzeug in a thread on a free loopback port, stands in for the skill.
The interaction model is written to tmp_path, so this test does not depend on the real one.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, Response, jsonify, request
from werkzeug.serving import BaseWSGIServer, make_server

try:
    from tests.support.e2e import DRIVER, PROJECT_ROOT, DriverError, drive, local_env, require_executable
except ModuleNotFoundError:  # tests/ itself is on sys.path (no tests/__init__.py)
    from support.e2e import (  # type: ignore[no-redef]
        DRIVER,
        PROJECT_ROOT,
        DriverError,
        drive,
        local_env,
        require_executable,
    )

USER_ID = "amzn1.ask.account.E2E-DRIVER-TEST"
APP_ID = "amzn1.ask.skill.e2e-driver-test"

VALID = '<speak>Reach up. <break time="2500ms"/> And relax.</speak>'
BREAK_20S = '<speak>Hold it. <break time="20s"/></speak>'
BARE_AMP = "<speak>Back & neck</speak>"

MODEL: dict[str, Any] = {
    "interactionModel": {
        "languageModel": {
            "invocationName": "driver test",
            "intents": [
                {
                    "name": "StartRoutineIntent",
                    "slots": [{"name": "routine", "type": "RoutineName"}],
                    "samples": ["start my {routine} back stretches", "start my back stretches", "tell me more"],
                },
                {"name": "BrokenIntent", "samples": ["break the server"]},
                {"name": "AMAZON.NextIntent", "samples": []},
                {"name": "AMAZON.PauseIntent", "samples": []},
                {"name": "AMAZON.StartOverIntent", "samples": []},
                {"name": "AMAZON.HelpIntent", "samples": []},
                {"name": "AMAZON.StopIntent", "samples": []},
                {"name": "AMAZON.FallbackIntent", "samples": []},
            ],
            "types": [
                {"name": "RoutineName", "values": [{"name": {"value": "morning"}}, {"name": {"value": "evening"}}]}
            ],
        }
    }
}

# What the fake skill says for each request (intent name or request type).
SPEECH: dict[str, tuple[str, str | None]] = {
    "LaunchRequest": (VALID, VALID),
    "StartRoutineIntent": (VALID, VALID),
    "AMAZON.NextIntent": (VALID, None),
    "AMAZON.PauseIntent": (BREAK_20S, VALID),
    "AMAZON.StartOverIntent": (BARE_AMP, VALID),
    "AMAZON.HelpIntent": (VALID, BREAK_20S),
    "AMAZON.FallbackIntent": (VALID, VALID),
    "AMAZON.StopIntent": ("<speak>Bye.</speak>", None),
}


@dataclass
class FakeSkill:
    """A Flask app that answers Alexa POSTs and remembers what it got and what it sent."""

    received: list[dict[str, Any]] = field(default_factory=list)
    sent: list[dict[str, Any]] = field(default_factory=list)
    sent_at: list[float] = field(default_factory=list)  # time.time() when each answer in `sent` left
    delay: dict[str, float] = field(default_factory=dict)  # seconds to wait before answering, per name

    def app(self) -> Flask:
        """Build the Flask app."""
        app = Flask("fake-skill")

        @app.post("/")
        def answer() -> Response | tuple[str, int]:
            envelope = request.get_json(force=True)
            self.received.append(envelope)
            req = envelope["request"]
            name = req.get("intent", {}).get("name", req["type"])
            time.sleep(self.delay.get(name, 0.0))
            if name == "BrokenIntent":
                return "boom", 500
            if req["type"] == "SessionEndedRequest":
                body: dict[str, Any] = {"version": "1.0", "response": {}}
            else:
                speech, reprompt = SPEECH[name]
                attributes = dict(envelope.get("session", {}).get("attributes") or {})
                attributes["turns"] = int(attributes.get("turns", 0)) + 1
                response: dict[str, Any] = {
                    "outputSpeech": {"type": "SSML", "ssml": speech},
                    "shouldEndSession": name == "AMAZON.StopIntent",
                }
                if reprompt is not None:
                    response["reprompt"] = {"outputSpeech": {"type": "SSML", "ssml": reprompt}}
                body = {"version": "1.0", "sessionAttributes": attributes, "response": response}
            self.sent.append(body)
            self.sent_at.append(time.time())
            return jsonify(body)

        return app


@pytest.fixture
def fake_skill() -> Iterator[tuple[str, FakeSkill]]:
    """Serve a FakeSkill on a free 127.0.0.1 port in a thread; yield (url, skill)."""
    skill = FakeSkill()
    server: BaseWSGIServer = make_server("127.0.0.1", 0, skill.app(), threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="fake-skill", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.port}/", skill
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture
def model_file(tmp_path: Path) -> Path:
    """Write the inline interaction model to tmp_path."""
    path = tmp_path / "en-US.json"
    path.write_text(json.dumps(MODEL), encoding="utf-8")
    return path


def intent_or_type(envelope: dict[str, Any]) -> str:
    """Return the intent name of an IntentRequest, else the request type."""
    req = envelope["request"]
    name: str = req.get("intent", {}).get("name", req["type"])
    return name


def test_node_is_available() -> None:
    """The driver needs node; a missing node is a failure with a clear message, never a skip."""
    assert require_executable("node", "the end-to-end driver")


def test_conversation_is_recorded_and_checked(fake_skill: tuple[str, FakeSkill], model_file: Path) -> None:
    """Requests, statuses, responses, SSML errors and session handling are all recorded."""
    url, skill = fake_skill
    turns: list[Any] = [
        "launch",
        "start my morning back stretches",
        "next",
        "pause",
        "start over",
        "help",
        "tell me more",
        "blah blah purple monkey",
        "break the server",
        {"intent": "AMAZON.NextIntent"},
        "stop",
    ]
    conversations = drive(
        url,
        [
            {"name": "morning", "userId": USER_ID, "turns": turns},
            {"name": "again", "userId": USER_ID, "turns": ["launch", "end"]},
        ],
        model_file,
        application_id=APP_ID,
    )
    assert [c["name"] for c in conversations] == ["morning", "again"]
    first, second = conversations
    assert first["error"] is None and first["userId"] == USER_ID
    records = first["turns"]
    assert [r["turn"] for r in records] == turns

    # What reached the server, in order: utterances became the intents a device would send.
    assert [intent_or_type(e) for e in skill.received] == [
        "LaunchRequest",
        "StartRoutineIntent",
        "AMAZON.NextIntent",
        "AMAZON.PauseIntent",
        "AMAZON.StartOverIntent",
        "AMAZON.HelpIntent",
        "StartRoutineIntent",  # "tell me more" is a sample, not a launch phrase
        "AMAZON.FallbackIntent",  # nothing matched and the model has FallbackIntent
        "BrokenIntent",
        "AMAZON.NextIntent",
        "AMAZON.StopIntent",
        "LaunchRequest",
        "SessionEndedRequest",
    ]
    assert skill.received[1]["request"]["intent"]["slots"]["routine"]["value"] == "morning"

    # The recorded request is exactly what the server got; the recorded response what it sent.
    sent = iter(skill.sent)
    for record, envelope in zip(records + second["turns"], skill.received, strict=True):
        assert record["request"] == envelope
        if intent_or_type(envelope) == "BrokenIntent":
            assert record["httpStatus"] == 500
            assert record["response"] is None
            assert "HTTP 500" in record["error"]
        else:
            assert record["httpStatus"] == 200
            assert record["error"] is None
            assert record["response"] == next(sent)

    # SSML: valid speech gives no errors; a 20 s break and a bare & are reported, with the source.
    by_turn = {json.dumps(r["turn"]): r for r in records}
    for clean in ["launch", "start my morning back stretches", "next", "blah blah purple monkey", "stop"]:
        assert by_turn[json.dumps(clean)]["ssmlErrors"] == [], clean
    assert by_turn['"pause"']["ssmlErrors"] == [
        {"type": "tag", "tag": "break", "attribute": "time", "value": "20s", "source": "outputSpeech"}
    ]
    assert by_turn['"start over"']["ssmlErrors"] == [{"type": "Invalid & character", "source": "outputSpeech"}]
    assert by_turn['"help"']["ssmlErrors"] == [
        {"type": "tag", "tag": "break", "attribute": "time", "value": "20s", "source": "reprompt"}
    ]

    # Resolution notes.
    assert by_turn['"next"']["resolution"] == "sample:AMAZON.NextIntent"
    assert by_turn['"blah blah purple monkey"']["resolution"] == "fallback:AMAZON.FallbackIntent"

    # One session like a device: new only on the first request, attributes carried, closed by stop;
    # the failed request changed nothing.
    sessions = [r["request"]["session"] for r in records]
    assert [s["new"] for s in sessions] == [True] + [False] * (len(records) - 1)
    assert len({s["sessionId"] for s in sessions}) == 1
    assert all(s["user"]["userId"] == USER_ID for s in sessions)
    assert all(r["request"]["context"]["System"]["application"]["applicationId"] == APP_ID for r in records)
    assert sessions[-1]["attributes"] == {"turns": 9}
    assert [r["sessionOpenAfter"] for r in records] == [True] * (len(records) - 1) + [False]

    # Second conversation: same user, new session, "end" sends SessionEndedRequest USER_INITIATED.
    launch, end = second["turns"]
    assert launch["request"]["session"]["user"]["userId"] == USER_ID
    assert launch["request"]["session"]["new"] is True
    assert launch["request"]["session"]["sessionId"] != sessions[0]["sessionId"]
    assert end["request"]["request"]["type"] == "SessionEndedRequest"
    assert end["request"]["request"]["reason"] == "USER_INITIATED"
    assert end["sessionOpenAfter"] is False


def test_builtin_phrases_reach_server_as_builtin_intents(fake_skill: tuple[str, FakeSkill], model_file: Path) -> None:
    """"next", "pause" and "start over" arrive as AMAZON.NextIntent/PauseIntent/StartOverIntent."""
    url, skill = fake_skill
    [conversation] = drive(url, [{"name": "builtins", "turns": ["launch", "next", "pause", "start over"]}], model_file)
    assert [r["error"] for r in conversation["turns"]] == [None] * 4
    assert [intent_or_type(e) for e in skill.received] == [
        "LaunchRequest",
        "AMAZON.NextIntent",
        "AMAZON.PauseIntent",
        "AMAZON.StartOverIntent",
    ]


def test_unknown_turns_and_dead_server_are_errors_not_crashes(model_file: Path, tmp_path: Path) -> None:
    """Turn problems are recorded per turn and the driver goes on."""
    model_without_fallback = tmp_path / "no-fallback.json"
    data = json.loads(model_file.read_text(encoding="utf-8"))
    intents = data["interactionModel"]["languageModel"]["intents"]
    data["interactionModel"]["languageModel"]["intents"] = [i for i in intents if i["name"] != "AMAZON.FallbackIntent"]
    model_without_fallback.write_text(json.dumps(data), encoding="utf-8")
    dead_url = "http://127.0.0.1:9/"  # discard port: nothing listens
    [conversation] = drive(
        dead_url,
        [{"name": "dead", "turns": ["launch", "blah blah purple monkey", {"intent": "AMAZON.YesIntent"}, "end"]}],
        model_without_fallback,
    )
    errors = [r["error"] for r in conversation["turns"]]
    assert "ECONNREFUSED" in errors[0]
    assert "unable to match utterance" in errors[1]
    assert "not in the interaction model" in errors[2]
    assert errors[3] is not None  # session never answered; SessionEndedRequest failed to connect too


def test_non_loopback_url_is_refused(model_file: Path) -> None:
    """The driver refuses any skill URL that is not loopback."""
    with pytest.raises(DriverError, match="loopback"):
        drive("http://192.0.2.1/", [{"turns": ["launch"]}], model_file)


def test_network_guard_blocks_non_loopback_connections() -> None:
    """Once drive.js is loaded, any socket to a non-loopback address is refused before connecting."""
    node = require_executable("node", "the end-to-end driver")
    script = (
        f"require({json.dumps(str(DRIVER))});"
        "const s = require('net').connect(80, '192.0.2.1');"
        "s.on('error', (e) => { console.error(e.message); process.exit(0); });"
        "s.on('connect', () => { console.error('CONNECTED'); process.exit(1); });"
    )
    proc = subprocess.run(
        [node, "-e", script], cwd=PROJECT_ROOT, env=local_env(), capture_output=True, text=True, timeout=60, check=False
    )
    assert proc.returncode == 0, proc.stderr
    assert "network guard: refused a connection to 192.0.2.1" in proc.stderr


# ---- Request timestamp options: "afterMs" and "timestamp" ----

WHOLE_SECONDS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
WITH_MILLISECONDS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def parse_iso(text: str) -> float:
    """Return the POSIX time of an ISO 8601 UTC string ending in Z."""
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


@pytest.mark.parametrize(
    "turn",
    [
        {"utter": "pause", "afterMs": 90000},
        {"intent": "AMAZON.PauseIntent", "afterMs": 90000},
        {"launch": True, "afterMs": 90000},
        {"end": "USER_INITIATED", "afterMs": 90000},
    ],
    ids=["utter", "intent", "launch", "end"],
)
def test_after_ms_is_counted_from_the_previous_response(
    fake_skill: tuple[str, FakeSkill], model_file: Path, turn: dict[str, Any]
) -> None:
    """afterMs=90000 sends request.timestamp = arrival of the previous response + 90 s, that turn only."""
    url, skill = fake_skill
    skill.delay["AMAZON.NextIntent"] = 1.0  # so the launch and "next" responses are 1 s apart
    [conversation] = drive(url, [{"name": "after", "turns": ["launch", "next", turn, "launch"]}], model_file)
    records = conversation["turns"]
    assert [r["error"] for r in records] == [None] * 4
    previous, record, following = records[1], records[2], records[3]
    sent = record["request"]["request"]["timestamp"]
    assert WITH_MILLISECONDS.match(sent), sent
    # The server got exactly that request.
    assert skill.received[2] == record["request"]
    # Based on the arrival of the "next" response (the previous one), not on the launch response.
    previous_sent_at = skill.sent_at[1]
    assert abs(parse_iso(sent) - (previous_sent_at + 90)) <= 2
    assert parse_iso(record["previousResponseAt"]) == pytest.approx(previous_sent_at, abs=0.5)
    assert round((parse_iso(sent) - parse_iso(record["previousResponseAt"])) * 1000) == 90000
    assert previous["httpStatus"] == 200
    # The turns before and after keep virtual-alexa's own "now" timestamps.
    for other in (records[0], previous, following):
        assert "previousResponseAt" not in other
        assert WHOLE_SECONDS.match(other["request"]["request"]["timestamp"])
        assert abs(parse_iso(other["request"]["request"]["timestamp"]) - time.time()) < 30


def test_after_ms_timestamp_is_accepted_by_ask_sdk_model(fake_skill: tuple[str, FakeSkill], model_file: Path) -> None:
    """The millisecond timestamp afterMs produces deserializes in ask-sdk-model to the same instant."""
    from ask_sdk_core.serialize import DefaultSerializer
    from ask_sdk_model.request_envelope import RequestEnvelope

    url, _ = fake_skill
    [conversation] = drive(url, [{"turns": ["launch", {"utter": "pause", "afterMs": 1500}]}], model_file)
    record = conversation["turns"][1]
    assert record["error"] is None
    envelope = DefaultSerializer().deserialize(json.dumps(record["request"]), RequestEnvelope)
    parsed = envelope.request.timestamp
    assert parsed.tzinfo is not None
    assert parsed.timestamp() == pytest.approx(parse_iso(record["request"]["request"]["timestamp"]), abs=0.0005)
    assert parsed.microsecond % 1000 == 0  # milliseconds kept, not dropped


def test_explicit_timestamp_is_sent_verbatim_and_null_removes_it(
    fake_skill: tuple[str, FakeSkill], model_file: Path
) -> None:
    """"timestamp": "..." is sent as given (even a malformed one); "timestamp": null drops the field."""
    url, skill = fake_skill
    turns: list[Any] = [
        {"launch": True, "timestamp": "2026-11-29T17:46:41Z"},
        {"utter": "next", "timestamp": "2020-01-02T03:04:05.678Z"},
        {"intent": "AMAZON.PauseIntent", "timestamp": None},
        {"utter": "help", "timestamp": "not a time"},
        "next",
    ]
    [conversation] = drive(url, [{"name": "explicit", "turns": turns}], model_file)
    records = conversation["turns"]
    assert [r["error"] for r in records] == [None] * 5
    requests = [r["request"]["request"] for r in records]
    assert [e["request"] for e in skill.received] == requests
    assert requests[0]["timestamp"] == "2026-11-29T17:46:41Z"
    assert requests[1]["timestamp"] == "2020-01-02T03:04:05.678Z"
    assert "timestamp" not in requests[2]
    assert requests[2]["intent"]["name"] == "AMAZON.PauseIntent"
    assert requests[3]["timestamp"] == "not a time"
    # A turn without options gets virtual-alexa's own timestamp again.
    assert WHOLE_SECONDS.match(requests[4]["timestamp"])


def test_without_options_the_timestamp_is_now(fake_skill: tuple[str, FakeSkill], model_file: Path) -> None:
    """No option: virtual-alexa's timestamp, whole seconds with Z, within a few seconds of the wall clock."""
    url, _ = fake_skill
    before = time.time()
    [conversation] = drive(url, [{"turns": ["launch", "next", {"utter": "pause"}]}], model_file)
    after = time.time()
    for record in conversation["turns"]:
        assert record["error"] is None
        stamp = record["request"]["request"]["timestamp"]
        assert WHOLE_SECONDS.match(stamp), stamp
        assert before - 2 <= parse_iso(stamp) <= after + 2


def test_bad_timestamp_options_are_turn_errors(fake_skill: tuple[str, FakeSkill], model_file: Path) -> None:
    """afterMs without a previous response, both options, or bad values: recorded, nothing sent."""
    url, skill = fake_skill
    skill.delay["BrokenIntent"] = 1.0  # so the 500 comes 1 s after the launch response
    turns: list[Any] = [
        {"launch": True, "afterMs": 1000},  # no previous response yet
        "launch",
        {"utter": "next", "afterMs": 1000, "timestamp": "2026-11-29T17:46:41Z"},
        {"utter": "next", "afterMs": "90000"},
        {"utter": "next", "timestamp": 12},
        {"utter": "break the server"},  # HTTP 500: not a "previous response"
        {"utter": "next", "afterMs": 0},
    ]
    [conversation] = drive(url, [{"name": "bad", "turns": turns}], model_file)
    records = conversation["turns"]
    errors = [r["error"] for r in records]
    assert "needs a previous response" in errors[0]
    assert errors[1] is None
    assert "not both" in errors[2]
    assert "finite number" in errors[3]
    assert "string or null" in errors[4]
    assert "HTTP 500" in errors[5]
    assert errors[6] is None
    assert [records[i]["request"] for i in (0, 2, 3, 4)] == [None] * 4
    assert [intent_or_type(e) for e in skill.received] == ["LaunchRequest", "BrokenIntent", "AMAZON.NextIntent"]
    # The base of the last turn is the launch response (the 500 did not count).
    assert parse_iso(records[6]["previousResponseAt"]) == pytest.approx(skill.sent_at[0], abs=0.5)
