"""Fuzzed envelopes through ``lambda_handler`` and the web service: a valid response or a clean refusal.

Envelopes are the fixtures in ``tests/events`` with fields removed, retyped or replaced (random
JSON, strings up to 100 KB, nesting 100–3000 levels deep, 5000-digit integers), new fields in
``request``/``session``/``context``, or random JSON altogether. Lambda must return a response that
passes ``assert_valid_response`` or raise ``BadRequest``; HTTP must never answer 5xx, and every 200
must be a valid response. Deep values and long integers are kept as markers until the end, so
that the JSON text can be written without recursing (``json.dumps`` can't write 3000 levels).
"""

from __future__ import annotations

import copy
import json
import xml.etree.ElementTree as ET
import os
import re
from typing import Any, Iterator

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import event as outcome
from hypothesis import strategies as st

from skill.config import Config
from skill.entrypoints import lambda_entry
from skill.entrypoints.invoke import BadRequest
from skill.entrypoints.web import create_app
from tests.support.checks import assert_valid_response
from tests.support.conversation import EVENTS, PROJECT_ROOT, Alexa, load_event, load_lambda_module

FIXTURES = sorted(path.stem for path in EVENTS.glob("*.json"))
_MODEL = json.loads((PROJECT_ROOT / "interaction_models" / "en-US.json").read_text(encoding="utf-8"))
INTENTS = {
    intent["name"]: [slot["name"] for slot in intent.get("slots", [])] for intent in _MODEL["interactionModel"]["languageModel"]["intents"]
}
# CI runs a few hundred cases; BACKSTRETCH_FUZZ_EXAMPLES=10000 for a long run.
EXAMPLES = int(os.environ.get("BACKSTRETCH_FUZZ_EXAMPLES", "150"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

# Markers replaced at the end: "\x00deep:N\x00" by N nested arrays, "\x00int:N\x00" by an N-digit integer.
_MARKER = re.compile(r'"\\u0000(deep|int):(\d+)\\u0000"')
_MARKER_VALUE = re.compile("\x00(deep|int):(\\d+)\x00")


def deep(levels: int) -> str:
    return f"\x00deep:{levels}\x00"


def long_int(digits: int) -> str:
    return f"\x00int:{digits}\x00"


# -- strategies ------------------------------------------------------------------------------

json_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20)
json_values = st.recursive(
    json_scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)
awkward_values = st.one_of(
    json_values,
    st.integers(0, 100_000).map(lambda n: "x" * n),
    st.text(min_size=1, max_size=3).flatmap(lambda chunk: st.integers(1, 30_000).map(lambda n: chunk * n)),
    st.integers(100, 3000).map(deep),
    st.integers(4301, 5000).map(long_int),
    st.sampled_from(
        ["", "LaunchRequest", "IntentRequest", "SessionEndedRequest", "AMAZON.YesIntent", "<speak>", "&", "2026-13-45T99:00:00Z"]
    ),
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every path to a value inside ``value`` (dict keys and list indexes)."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield prefix + (key,)
            yield from _paths(item, prefix + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield prefix + (index,)
            yield from _paths(item, prefix + (index,))


def _parent(event: Any, path: tuple[Any, ...]) -> Any:
    for step in path[:-1]:
        event = event[step]
    return event


@st.composite
def mutated_envelopes(draw: st.DrawFn) -> Any:
    event = load_event(draw(st.sampled_from(FIXTURES)))
    for _ in range(draw(st.integers(1, 4))):
        action = draw(st.sampled_from(["delete", "replace", "swap", "insert"]))
        paths = list(_paths(event))
        if action == "insert" or not paths:
            holder = draw(st.sampled_from(["request", "session", "context", "session.attributes", "context.System", "request.intent"]))
            target: Any = event
            for step in holder.split("."):
                target = target.get(step) if isinstance(target, dict) else None
            if isinstance(target, dict):
                target[draw(st.text(max_size=12))] = draw(awkward_values)
            continue
        path = draw(st.sampled_from(paths))
        parent = _parent(event, path)
        if action == "delete":
            del parent[path[-1]]
        elif action == "replace":
            parent[path[-1]] = draw(awkward_values)
        else:  # the same content as another JSON type
            old = parent[path[-1]]
            parent[path[-1]] = draw(st.sampled_from([str(old), [old], {"value": old}, None, 0, True, json.dumps(old)]))
    return event


@st.composite
def intent_envelopes(draw: st.DrawFn) -> Any:
    """A real intent with odd slot values and junk session attributes, then maybe mutated further."""
    event = load_event("intent_request")
    name = draw(st.sampled_from(sorted(INTENTS)))
    slots = {}
    for slot in INTENTS[name]:
        if draw(st.booleans()):
            value = draw(
                st.one_of(
                    st.text(max_size=30),
                    st.integers(-(10**6), 10**6).map(str),
                    st.sampled_from(["5", "0", "-1", "ninety", "PT30S", "left", "morning"]),
                )
            )
            slots[slot] = {"name": slot, "value": value, "confirmationStatus": "NONE"}
    event["request"]["intent"] = {"name": name, "confirmationStatus": "NONE", "slots": slots}
    event["session"]["new"] = draw(st.booleans())
    attribute_values = st.one_of(json_values, json_values, json_values, awkward_values)
    event["session"]["attributes"] = draw(st.dictionaries(st.text(max_size=12), attribute_values, max_size=3))
    event["session"]["user"]["userId"] = event["context"]["System"]["user"]["userId"] = draw(
        st.sampled_from(["amzn1.ask.account.FUZZ1", "amzn1.ask.account.FUZZ2"])
    )
    return event


envelopes = st.one_of(
    mutated_envelopes(),
    mutated_envelopes(),
    intent_envelopes(),
    intent_envelopes(),
    st.sampled_from(FIXTURES).map(load_event),
    json_values,
    st.dictionaries(st.sampled_from(["version", "session", "context", "request"]), awkward_values),
)


# -- turning markers into real values --------------------------------------------------------


def to_text(event: Any) -> str:
    """The JSON text, with markers written out as deep arrays or long integer literals."""

    def expand(match: re.Match[str]) -> str:
        kind, size = match.group(1), int(match.group(2))
        return "[" * size + "1" + "]" * size if kind == "deep" else "1" + "0" * (size - 1)

    return _MARKER.sub(expand, json.dumps(event))


def to_event(event: Any) -> Any:
    """The parsed event Lambda would get, markers made real (iteratively: no recursion limit)."""

    def real(value: Any) -> Any:
        marker = _MARKER_VALUE.fullmatch(value) if isinstance(value, str) else None
        if marker:
            kind, size = marker.group(1), int(marker.group(2))
            if kind == "int":
                return 10 ** (size - 1)
            nested: Any = 1
            for _ in range(size):
                nested = [nested]
            return nested
        return value

    event = copy.deepcopy(event)
    root = [event]
    stack: list[Any] = [root]
    while stack:
        container = stack.pop()
        keys = list(container.keys()) if isinstance(container, dict) else range(len(container))
        for key in keys:
            item = container[key]
            if isinstance(item, (dict, list)):
                stack.append(item)
            else:
                container[key] = real(item)
    return root[0]


# -- the two entry points --------------------------------------------------------------------


@pytest.fixture(scope="module")
def handler() -> Iterator[Any]:
    lambda_entry.reset()
    yield load_lambda_module().lambda_handler
    lambda_entry.reset()


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> FlaskClient:
    return create_app(Config(data_dir=tmp_path_factory.mktemp("fuzz-web"))).test_client()


def through_lambda(handler: Any, event: Any) -> None:
    """A valid response or ``BadRequest``; anything else fails the test."""
    try:
        body = handler(event, None)
    except BadRequest as refused:
        outcome(f"refused: {str(refused)[:30]}")
        return
    outcome("answered")
    assert_valid_response(body)


def through_http(client: FlaskClient, text: str | bytes) -> None:
    """Never a 5xx; a 200 is a valid response, anything else a one-line JSON error."""
    reply = client.post("/", data=text, content_type="application/json")
    assert reply.status_code < 500, (reply.status_code, reply.get_data()[:300])
    body = reply.get_json()
    outcome(f"status {reply.status_code}")
    if reply.status_code == 200:
        assert_valid_response(body)
    else:
        assert isinstance(body, dict) and isinstance(body.get("error"), str), reply.get_data()[:300]


@FUZZ
@given(envelope=envelopes)
def test_lambda_answers_or_refuses_cleanly(handler: Any, envelope: Any) -> None:
    through_lambda(handler, to_event(envelope))


@FUZZ
@given(envelope=envelopes)
def test_http_never_answers_5xx(client: FlaskClient, envelope: Any) -> None:
    through_http(client, to_text(envelope))


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.binary(max_size=200) | st.text(max_size=200).map(str.encode))
def test_http_never_answers_5xx_to_random_bytes(client: FlaskClient, body: bytes) -> None:
    through_http(client, body)


# -- issue 9, defect 3: small bodies that raised from deep inside ------------------------------


def nested_attributes() -> dict[str, Any]:
    event = load_event("launch_request")
    event["session"]["attributes"] = {"junk": deep(500)}
    return event


def nested_anywhere() -> dict[str, Any]:
    event = load_event("launch_request")
    event["request"]["extra"] = deep(1000)
    return event


def long_integer() -> dict[str, Any]:
    event = load_event("launch_request")
    event["session"]["attributes"] = {"count": long_int(4301)}
    return event


REPORTED = [(nested_attributes, "nested too deeply"), (nested_anywhere, "nested too deeply"), (long_integer, "number too long")]


@pytest.mark.parametrize(("build", "message"), REPORTED, ids=["500-deep-attributes", "1000-deep-anywhere", "4301-digit-integer"])
def test_reported_bodies_are_refused_by_lambda(handler: Any, build: Any, message: str) -> None:
    with pytest.raises(BadRequest, match=message):
        handler(to_event(build()), None)


@pytest.mark.parametrize(("build", "message"), REPORTED, ids=["500-deep-attributes", "1000-deep-anywhere", "4301-digit-integer"])
def test_reported_bodies_are_a_400_over_http(client: FlaskClient, build: Any, message: str) -> None:
    text = to_text(build())
    assert len(text) < 10_000  # small bodies, well under the size cap
    reply = client.post("/", data=text, content_type="application/json")
    assert reply.status_code == 400
    assert message in reply.get_json()["error"]


def test_sane_nesting_and_numbers_still_pass(handler: Any, client: FlaskClient) -> None:
    event = load_event("launch_request")
    event["request"]["extra"] = {"n": 10**99, "deep": to_event(deep(50))}
    assert_valid_response(handler(copy.deepcopy(event), None))
    reply = client.post("/", data=json.dumps(event), content_type="application/json")
    assert reply.status_code == 200
    assert_valid_response(reply.get_json())


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"request": {"type": "LaunchRequest"}, "x": NaN}', "NaN is not a JSON value"),
        ('{"request": {"type": "LaunchRequest"}, "x": -Infinity}', "-Infinity is not a JSON value"),
        ('{"request": {"type": "LaunchRequest"}, "x": 1e999}', "number too large"),
        ('{"request": {"type": "LaunchRequest"}, "x": -' + "9" * 101 + "}", "number too long"),
    ],
    ids=["nan", "infinity", "overflowing-float", "101-digit-integer"],
)
def test_numbers_json_cannot_carry_are_a_400(client: FlaskClient, text: str, message: str) -> None:
    reply = client.post("/", data=text, content_type="application/json")
    assert reply.status_code == 400
    assert message in reply.get_json()["error"]


def test_brackets_inside_strings_are_not_nesting(client: FlaskClient) -> None:
    event = load_event("launch_request")
    event["session"]["attributes"] = {"note": "[{" * 5000 + '\\"[' * 100, "other": "]}" * 10}
    reply = client.post("/", data=json.dumps(event), content_type="application/json")
    assert reply.status_code == 200
    assert_valid_response(reply.get_json())


@pytest.mark.parametrize("intent", [None, "AMAZON.HelpIntent", {}, {"name": None}], ids=["null", "string", "empty", "null-name"])
def test_intent_request_without_an_intent_name_is_refused(handler: Any, client: FlaskClient, intent: Any) -> None:
    event = load_event("intent_request")
    event["request"]["intent"] = intent
    with pytest.raises(BadRequest, match="intent.name"):
        handler(copy.deepcopy(event), None)
    reply = client.post("/", data=json.dumps(event), content_type="application/json")
    assert reply.status_code == 400 and "intent.name" in reply.get_json()["error"]


def test_self_containing_event_is_refused_by_lambda(handler: Any) -> None:
    event: dict[str, Any] = load_event("launch_request")
    event["session"]["attributes"]["self"] = event
    with pytest.raises(BadRequest):
        handler(event, None)


def test_a_null_resolution_value_is_read_as_no_match(alexa: Alexa) -> None:
    """A resolution authority listing a null value: the slot counts as heard but not matched."""
    event = load_event("intent_request")
    event["request"]["intent"] = {
        "name": "StartRoutineIntent",
        "confirmationStatus": "NONE",
        "slots": {"routine": {"name": "routine", "value": "morning", "confirmationStatus": "NONE", "resolutions": {
            "resolutionsPerAuthority": [{"authority": "x", "status": {"code": "ER_SUCCESS_MATCH"}, "values": [{"value": None}]}]
        }}},
    }
    reply = alexa.send_raw(event)
    assert "something went wrong" not in reply.text and "don't have a routine called morning" in reply.text


def test_a_slot_value_with_a_character_xml_forbids_is_said_back_as_valid_ssml(alexa: Alexa) -> None:
    event = load_event("intent_request")
    event["request"]["intent"] = {
        "name": "StartRoutineIntent",
        "confirmationStatus": "NONE",
        "slots": {"routine": {"name": "routine", "value": "pi\ufffezza", "confirmationStatus": "NONE"}},
    }
    reply = alexa.send_raw(event)
    assert ET.fromstring(reply.ssml).text is not None
    assert "have a routine called pi zza" in reply.text
