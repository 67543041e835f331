"""One way in for every entry point: request JSON in, response JSON out, through the skill's serializer.

Example:
    >>> body = {"version": "1.0", "request": {"type": "LaunchRequest"}}
    >>> parse_request(json.dumps(body)).request.object_type
    'LaunchRequest'
"""

from __future__ import annotations

import json
import math
import re
from typing import Any, cast

from ask_sdk_core.exceptions import AskSdkException
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_core.skill import CustomSkill
from ask_sdk_model import RequestEnvelope

_serializer = DefaultSerializer()

# Real Alexa requests nest about 8 levels deep and carry no long numbers. Deeper bodies and longer
# integer literals are refused before anything recursive (json, the SDK's deserializer) touches them:
# 500 levels of nesting or a 4,301-digit integer would otherwise raise from deep inside.
MAX_DEPTH = 64
MAX_INT_DIGITS = 100
MAX_VALUES = 100_000  # values in an already parsed event (Lambda), a bound on the depth walk's work
_INT_LIMIT = 10**MAX_INT_DIGITS
# A JSON string (skipped whole, so brackets inside it don't count; an unterminated one runs to the
# end, so the scan stays linear) or one bracket.
_STRING_OR_BRACKET = re.compile(r'"(?:[^"\\]|\\.)*(?:"|\\?\Z)|[\[\]{}]', re.DOTALL)


class BadRequest(ValueError):
    """The body is not an Alexa request this skill can read."""


def parse_request(raw: str | bytes) -> RequestEnvelope:
    """Validate an Alexa request body (JSON text, as the web service gets it) and deserialize it."""
    try:
        text = raw.decode() if isinstance(raw, bytes) else raw
    except UnicodeDecodeError as error:
        raise BadRequest(f"body is not valid JSON: {error}") from error
    _check_text_depth(text)
    try:
        body = json.loads(text, parse_int=_parse_int, parse_float=_parse_float, parse_constant=_parse_constant)
    except BadRequest:
        raise
    except (ValueError, RecursionError) as error:  # JSONDecodeError is a ValueError
        raise BadRequest(f"body is not valid JSON: {error}") from error
    return _envelope(body, text)


def read_event(event: Any) -> RequestEnvelope:
    """Validate an already parsed Alexa request (as Lambda passes it) and deserialize it."""
    _check_values(event)
    try:
        text = json.dumps(event, allow_nan=False)
    except (TypeError, ValueError, RecursionError) as error:
        raise BadRequest(f"cannot read the request: {error}") from error
    return _envelope(event, text)


def _check_text_depth(text: str) -> None:
    """Refuse JSON text whose arrays and objects nest deeper than ``MAX_DEPTH`` (strings skipped)."""
    if "[" not in text and "{" not in text:
        return
    depth = 0
    for match in _STRING_OR_BRACKET.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                raise BadRequest("request nested too deeply")
        elif token in "]}":
            depth -= 1


def _parse_int(literal: str) -> int:
    if len(literal.lstrip("-")) > MAX_INT_DIGITS:
        raise BadRequest("number too long")
    return int(literal)


def _parse_float(literal: str) -> float:
    value = float(literal)
    if not math.isfinite(value):
        raise BadRequest("number too large")
    return value


def _parse_constant(name: str) -> Any:
    raise BadRequest(f"body is not valid JSON: {name} is not a JSON value")


def _check_values(event: Any) -> None:
    """Refuse a parsed event nested deeper than ``MAX_DEPTH``, with a long integer or a non-finite number.

    Iterative, so deep (or self-containing) input can't exhaust the stack; the number of values
    visited is bounded too.
    """
    stack: list[tuple[Any, int]] = [(event, 0)]
    seen = 0
    while stack:
        value, depth = stack.pop()
        seen += 1
        if seen > MAX_VALUES:
            raise BadRequest("request too large")
        if isinstance(value, dict):
            if depth >= MAX_DEPTH:
                raise BadRequest("request nested too deeply")
            stack.extend((item, depth + 1) for item in value.values())
        elif isinstance(value, (list, tuple)):
            if depth >= MAX_DEPTH:
                raise BadRequest("request nested too deeply")
            stack.extend((item, depth + 1) for item in value)
        elif isinstance(value, bool):
            continue
        elif isinstance(value, int):
            if not -_INT_LIMIT < value < _INT_LIMIT:
                raise BadRequest("number too long")
        elif isinstance(value, float) and not math.isfinite(value):
            raise BadRequest("number too large")


def _envelope(body: Any, text: str) -> RequestEnvelope:
    """``body`` checked for an Alexa request's shape, then ``text`` (its JSON) deserialized."""
    if not isinstance(body, dict) or not isinstance(body.get("request"), dict):
        raise BadRequest("not an Alexa request: expected an object with a 'request' object")
    if not isinstance(body["request"].get("type"), str):
        raise BadRequest("not an Alexa request: 'request.type' is missing")
    if body["request"]["type"] in ("IntentRequest", "CanFulfillIntentRequest"):
        intent = body["request"].get("intent")
        if not isinstance(intent, dict) or not isinstance(intent.get("name"), str):
            raise BadRequest("not an Alexa request: 'request.intent.name' is missing")
    try:
        envelope = _serializer.deserialize(text, RequestEnvelope)
    except Exception as error:  # the SDK raises several types for shapes it cannot map
        if "discriminator" in str(error):
            raise BadRequest(f"unknown request type {body['request']['type']!r}") from error
        raise BadRequest(f"cannot read the request: {error}") from error
    if envelope is None or envelope.request is None:
        raise BadRequest(f"unknown request type {body['request']['type']!r}")
    if "body" in body["request"]:
        # ask-sdk-model has no field for skill events' body (userInformationPersistenceStatus).
        envelope.request.body = body["request"]["body"]
    return envelope


def invoke(skill: CustomSkill, envelope: RequestEnvelope, context: Any = None) -> dict[str, Any]:
    """Run the skill on one request and return the response envelope as plain JSON data.

    With a skill id configured, a request that names no application is refused like one that
    names another skill (the SDK's own check would fail on the missing fields instead).
    """
    if skill.skill_id is not None and _application_id(envelope) is None:
        raise AskSdkException("Skill ID Verification failed: the request names no skill")
    response = skill.invoke(request_envelope=envelope, context=context)
    return cast(dict[str, Any], _serializer.serialize(response))


def _application_id(envelope: RequestEnvelope) -> str | None:
    system = getattr(envelope.context, "system", None)
    application = getattr(system, "application", None)
    return getattr(application, "application_id", None)
