"""Name-free requests: Alexa's CanFulfillIntentRequest, answered by the real skill.

The request fixtures (tests/events/cfir_*.json) follow Amazon's documented request: an intent with its
slots (entity resolutions included when Alexa resolved a custom slot), a context with or without a
user, and no session or a new one. An answer must be a bare ``canFulfillIntent``: no speech, no
directives, no change to the session, and not one call on the store.
"""

from __future__ import annotations

import copy
import doctest
import html
import json
from pathlib import Path
from typing import Any

import pytest
from ask_sdk_core.attributes_manager import AttributesManager
from ask_sdk_core.handler_input import HandlerInput

from skill import interaction_model
from skill.app import build_skill
from skill.config import Config
from skill.entrypoints.invoke import BadRequest, invoke, read_event
from skill.flows import name_free
from skill.handlers.interceptors import ApologiseOnError
from skill.persistence.sqlite_store import SqliteStore
from skill.speech import phrases_for
from tests.support.checks import assert_valid_response
from tests.support.conversation import Alexa, load_event
from tests.support.e2e import post, serve

ROOT = Path(__file__).resolve().parent.parent
MODEL = json.loads((ROOT / "interaction_models" / "en-US.json").read_text(encoding="utf-8"))
YES_BOTH = {"canUnderstand": "YES", "canFulfill": "YES"}
NO_BOTH = {"canUnderstand": "NO", "canFulfill": "NO"}

FIXTURES = {
    "cfir_start_morning": {"canFulfill": "YES", "slots": {"routine": YES_BOTH}},
    "cfir_start_no_slot": {"canFulfill": "YES"},
    "cfir_start_unknown": {"canFulfill": "NO", "slots": {"routine": NO_BOTH}},
    "cfir_unknown_intent": {"canFulfill": "NO"},
    "cfir_no_user": {"canFulfill": "YES", "slots": {"routine": YES_BOTH}},
}


class CountingStore(SqliteStore):
    """The embedded store, recording every call the skill makes on it."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.calls: list[str] = []

    def read(self, key: str) -> Any:
        self.calls.append("read")
        return super().read(key)

    def write(self, key: str, attributes: Any, expected_version: int) -> int:
        self.calls.append("write")
        return super().write(key, attributes, expected_version)

    def remove(self, key: str, known_version: int | None = None, deadline: float | None = None) -> int:
        self.calls.append("remove")
        return super().remove(key, known_version, deadline)


@pytest.fixture
def store(tmp_path: Path) -> CountingStore:
    return CountingStore(tmp_path / "counted.db")


@pytest.fixture
def send(store: CountingStore, tmp_path: Path) -> Any:
    """Send an event through the real skill (on the counting store); returns the response body."""
    skill = build_skill(Config(data_dir=tmp_path), store=store)

    def run(event: dict[str, Any]) -> dict[str, Any]:
        body = invoke(skill, read_event(event))
        assert_valid_response(body)
        return body

    return run


def cfir(intent: str, **slots: str | tuple[str, str | None]) -> dict[str, Any]:
    """A CanFulfillIntentRequest. A slot is a spoken value (no resolutions) or ``(value, id)`` (``id=None``: no match)."""
    event = load_event("cfir_start_no_slot")
    event["request"]["intent"] = {"name": intent, "confirmationStatus": "NONE", "slots": {}}
    for name, value in slots.items():
        slot: dict[str, Any] = {"name": name, "confirmationStatus": "NONE"}
        if isinstance(value, tuple):
            slot["value"], value_id = value
            authority: dict[str, Any] = {"authority": f"amzn1.er-authority.echo-sdk.test.{name}"}
            authority["status"] = {"code": "ER_SUCCESS_MATCH" if value_id else "ER_SUCCESS_NO_MATCH"}
            if value_id:
                authority["values"] = [{"value": {"name": slot["value"], "id": value_id}}]
            slot["resolutions"] = {"resolutionsPerAuthority": [authority]}
        else:
            slot["value"] = value
        event["request"]["intent"]["slots"][name] = slot
    return event


def assert_bare_answer(body: dict[str, Any], expected: dict[str, Any]) -> None:
    """Only the canFulfillIntent object: nothing said, no directives, no card, the session left alone."""
    assert body["response"] == {"canFulfillIntent": expected}


@pytest.mark.parametrize("fixture", sorted(FIXTURES))
def test_fixtures_through_lambda_handler(fixture: str, tmp_path: Path) -> None:
    data_dir = tmp_path / "lambda-data"
    alexa = Alexa.for_lambda(data_dir)  # lambda_function.lambda_handler, its skill built afresh on data_dir
    event = load_event(fixture)
    body = alexa.handler(event, None)
    assert_valid_response(body)
    assert_bare_answer(body, FIXTURES[fixture])
    if "session" in event:
        assert body["sessionAttributes"] == event["session"].get("attributes", {})
    else:
        assert "sessionAttributes" not in body
    assert not data_dir.exists() or not any(data_dir.iterdir()), "the embedded store was opened"


def test_the_real_skill_makes_no_store_call(send: Any, store: CountingStore) -> None:
    for fixture, expected in FIXTURES.items():
        assert_bare_answer(send(load_event(fixture)), expected)
    assert store.calls == []
    assert not store.path.exists()


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        (cfir("StartRoutineIntent", routine=("lower back", "lower_back")), {"canFulfill": "YES", "slots": {"routine": YES_BOTH}}),
        (cfir("StartRoutineIntent", routine="THE Lower-Back Routine"), {"canFulfill": "YES", "slots": {"routine": YES_BOTH}}),
        (cfir("StartRoutineIntent", routine="my neck and shoulders"), {"canFulfill": "YES", "slots": {"routine": YES_BOTH}}),
        (cfir("StartRoutineIntent", routine="yoga flow"), {"canFulfill": "NO", "slots": {"routine": NO_BOTH}}),
        (cfir("StartRoutineIntent", routine="child's pose"), {"canFulfill": "NO", "slots": {"routine": NO_BOTH}}),
        (cfir("ListRoutinesIntent"), {"canFulfill": "YES"}),
        (cfir("StretchInfoIntent", stretch=("child's pose", "childs_pose")), {"canFulfill": "YES", "slots": {"stretch": YES_BOTH}}),
        (cfir("StretchInfoIntent", stretch="Childs Pose"), {"canFulfill": "YES", "slots": {"stretch": YES_BOTH}}),
        (cfir("StretchInfoIntent", stretch=("downward dog", None)), {"canFulfill": "NO", "slots": {"stretch": NO_BOTH}}),
        (cfir("StretchInfoIntent"), {"canFulfill": "NO"}),
        (cfir("SetHoldTimeIntent", seconds="30"), {"canFulfill": "NO"}),
        (cfir("SetPreferredRoutineIntent", routine=("morning", "morning")), {"canFulfill": "NO"}),
        (cfir("DeleteDataIntent"), {"canFulfill": "NO"}),
        (cfir("PainIntent"), {"canFulfill": "NO"}),
        (cfir("SkipIntent"), {"canFulfill": "NO"}),
        (cfir("AMAZON.PauseIntent"), {"canFulfill": "NO"}),
        (cfir("AMAZON.HelpIntent"), {"canFulfill": "NO"}),
        (cfir("AMAZON.StopIntent"), {"canFulfill": "NO"}),
        (cfir("AMAZON.FallbackIntent"), {"canFulfill": "NO"}),
    ],
    ids=lambda value: json.dumps(value["request"]["intent"]) if isinstance(value, dict) and "request" in value else "",
)
def test_answers(event: dict[str, Any], expected: dict[str, Any], send: Any, store: CountingStore) -> None:
    assert_bare_answer(send(event), expected)
    assert store.calls == []


def test_a_resolver_failure_falls_back_on_the_names(send: Any) -> None:
    event = cfir("StartRoutineIntent", routine=("sciatica", "sciatica"))
    event["request"]["intent"]["slots"]["routine"]["resolutions"]["resolutionsPerAuthority"][0] = {
        "authority": "amzn1.er-authority.echo-sdk.test.routine",
        "status": {"code": "ER_ERROR_TIMEOUT"},
    }
    assert_bare_answer(send(event), {"canFulfill": "YES", "slots": {"routine": YES_BOTH}})
    event["request"]["intent"]["slots"]["routine"]["value"] = "pilates"
    assert_bare_answer(send(event), {"canFulfill": "NO", "slots": {"routine": NO_BOTH}})


def test_every_name_alexa_knows_for_a_routine_is_yes(send: Any) -> None:
    """Each value and synonym of the model's ROUTINE type, said without resolutions, in any case, with "the"."""
    routine_type = next(t for t in MODEL["interactionModel"]["languageModel"]["types"] if t["name"] == "ROUTINE")
    said = [phrase for value in routine_type["values"] for phrase in (value["name"]["value"], *value["name"]["synonyms"])]
    assert len(said) > 20
    for phrase in said:
        for variant in (phrase, f"the {phrase.upper()}"):
            body = send(cfir("StartRoutineIntent", routine=variant))
            assert body["response"]["canFulfillIntent"]["canFulfill"] == "YES", variant


def test_a_session_in_progress_is_left_as_it_was(tmp_path: Path, store: CountingStore) -> None:
    """Mid-routine session attributes come back untouched, and the store is not called for the question."""
    skill = build_skill(Config(data_dir=tmp_path), store=store)
    alexa = Alexa(lambda event, _context: invoke(skill, read_event(event)))
    alexa.intent("StartRoutineIntent", routine=("full back routine", "full_back"))
    paused = alexa.intent("AMAZON.PauseIntent", at=20)
    assert not paused.ended and paused.attributes
    calls_before = list(store.calls)
    event = load_event("cfir_start_morning")
    event["session"] = {**event["session"], "new": False, "sessionId": alexa.session_id, "attributes": copy.deepcopy(paused.attributes)}
    body = invoke(skill, read_event(event))
    assert_valid_response(body)
    assert body["response"] == {"canFulfillIntent": FIXTURES["cfir_start_morning"]}
    assert body["sessionAttributes"] == paused.attributes
    assert store.calls == calls_before
    # The routine carries on where the pause left it: at back flexion, its first stretch.
    resumed = alexa.intent("AMAZON.ResumeIntent")
    assert resumed.text.startswith("First, back flexion.")


def test_session_attributes_the_skill_would_rewrite_come_back_as_sent(send: Any, store: CountingStore) -> None:
    """A turn would drop a routine it cannot validate and keys it does not know; the question builds no turn."""
    event = load_event("cfir_start_morning")
    sent = {"routine": {"routine": "no_such_routine", "position": 99}, "left_by_an_older_release": [1, 2]}
    event["session"]["attributes"] = copy.deepcopy(sent)
    body = send(event)
    assert body["sessionAttributes"] == sent
    assert store.calls == []


@pytest.mark.parametrize(
    ("said", "resolved", "starts"),
    [
        ("morning back stretches", "morning", "The morning back stretches, about"),
        ("the Upper Back", None, "The neck and shoulder stretches, about"),  # a synonym only the model has, unresolved
        ("My Morning Stretches", None, "The morning back stretches, about"),
        ("yoga flow", "", None),  # Alexa resolved nothing
        ("pilates", None, None),
    ],
)
def test_the_answers_hold_when_alexa_sends_the_intent(
    said: str, resolved: str | None, starts: str | None, send: Any, tmp_path: Path
) -> None:
    """YES: the IntentRequest that follows starts that routine. NO: the skill would only say it has no such routine."""
    slot: str | tuple[str, str | None] = said if resolved is None else (said, resolved or None)
    verdict = send(cfir("StartRoutineIntent", routine=slot))["response"]["canFulfillIntent"]["canFulfill"]
    reply = Alexa.for_lambda(tmp_path / "device").intent("StartRoutineIntent", routine=slot)
    if starts:
        assert verdict == "YES" and starts in reply.text
    else:
        unknown = html.unescape(phrases_for("en-US").say("routine_unknown", heard=said))
        assert verdict == "NO" and unknown in html.unescape(reply.text)


def test_over_http(tmp_path: Path) -> None:
    with serve(tmp_path / "web") as url:
        for fixture, expected in FIXTURES.items():
            status, body = post(url, json.dumps(load_event(fixture)).encode())
            assert status == 200, (fixture, body)
            assert_valid_response(body)
            assert_bare_answer(body, expected)
        nameless = load_event("cfir_start_no_slot")
        del nameless["request"]["intent"]["name"]
        status, body = post(url, json.dumps(nameless).encode())
    assert status == 400 and "intent.name" in body["error"]
    assert not (tmp_path / "web").exists() or not [p for p in (tmp_path / "web").iterdir() if p.suffix == ".db"]


def test_an_intent_without_a_name_is_refused() -> None:
    event = load_event("cfir_start_no_slot")
    event["request"]["intent"] = {"slots": {}}
    with pytest.raises(BadRequest, match="intent.name"):
        read_event(event)


def test_a_failure_answers_no_without_speech() -> None:
    envelope = read_event(load_event("cfir_no_user"))
    handler_input = HandlerInput(envelope, attributes_manager=AttributesManager(envelope))
    response = ApologiseOnError().handle(handler_input, RuntimeError("the decision failed"))
    assert response.output_speech is None and response.reprompt is None and response.directives is None
    assert response.can_fulfill_intent is not None and response.can_fulfill_intent.can_fulfill.value == "NO"


@pytest.mark.parametrize("module", [name_free, interaction_model])
def test_doctests_pass(module: Any) -> None:
    """pytest does not collect doctests (no --doctest-modules), so run them here."""
    result = doctest.testmod(module)
    assert result.attempted > 0 and result.failed == 0
