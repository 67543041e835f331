"""One way in for every entry point: request JSON in, response JSON out, through the skill's serializer.

Example:
    >>> body = {"version": "1.0", "request": {"type": "LaunchRequest"}}
    >>> parse_request(json.dumps(body)).request.object_type
    'LaunchRequest'
"""

from __future__ import annotations

import json
from typing import Any, cast

from ask_sdk_core.exceptions import AskSdkException
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_core.skill import CustomSkill
from ask_sdk_model import RequestEnvelope

_serializer = DefaultSerializer()


class BadRequest(ValueError):
    """The body is not an Alexa request this skill can read."""


def parse_request(raw: str | bytes) -> RequestEnvelope:
    """Validate an Alexa request body (JSON text, as the web service gets it) and deserialize it."""
    try:
        text = raw.decode() if isinstance(raw, bytes) else raw
        body = json.loads(text)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BadRequest(f"body is not valid JSON: {error}") from error
    return _envelope(body, text)


def read_event(event: Any) -> RequestEnvelope:
    """Validate an already parsed Alexa request (as Lambda passes it) and deserialize it."""
    return _envelope(event, json.dumps(event))


def _envelope(body: Any, text: str) -> RequestEnvelope:
    """``body`` checked for an Alexa request's shape, then ``text`` (its JSON) deserialized."""
    if not isinstance(body, dict) or not isinstance(body.get("request"), dict):
        raise BadRequest("not an Alexa request: expected an object with a 'request' object")
    if not isinstance(body["request"].get("type"), str):
        raise BadRequest("not an Alexa request: 'request.type' is missing")
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
