"""Platform rules every response must meet, checked on the JSON Alexa would receive."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ElementTree
from typing import Any

from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_model import ResponseEnvelope

MAX_SSML_CHARS = 8000
MAX_BREAK_MS = 10_000
MAX_BODY_BYTES = 120 * 1024
_BREAK = re.compile(r'<break time="([^"]*)"/>')
_serializer = DefaultSerializer()


def assert_valid_ssml(ssml: str) -> None:
    """Well-formed, under 8000 characters, breaks in whole ms of at most 10 s, never side by side."""
    assert ssml.startswith("<speak>") and ssml.endswith("</speak>"), ssml[:80]
    assert len(ssml) < MAX_SSML_CHARS, f"SSML is {len(ssml)} characters"
    ElementTree.fromstring(ssml)  # raises on unescaped & or broken tags
    for value in _BREAK.findall(ssml):
        assert re.fullmatch(r"\d+ms", value), f"break time {value!r} is not whole milliseconds"
        assert 0 < int(value[:-2]) <= MAX_BREAK_MS, f"break of {value}"
    assert not re.search(r'/>\s*<break', ssml), "two breaks side by side"


def assert_valid_response(body: dict[str, Any]) -> None:
    """The body deserializes into ask-sdk-model's ResponseEnvelope with nothing left over."""
    raw = json.dumps(body)
    assert len(raw.encode()) < MAX_BODY_BYTES
    envelope = _serializer.deserialize(raw, ResponseEnvelope)
    assert isinstance(envelope, ResponseEnvelope) and envelope.response is not None
    assert _serializer.serialize(envelope) == json.loads(raw), "fields unknown to ask-sdk-model"
    response = body["response"]
    assert isinstance(response.get("shouldEndSession", False), bool)
    speech = response.get("outputSpeech")
    if speech:
        assert speech["type"] == "SSML"
        assert_valid_ssml(speech["ssml"])
    reprompt = (response.get("reprompt") or {}).get("outputSpeech")
    if reprompt:
        assert_valid_ssml(reprompt["ssml"])
        assert response.get("shouldEndSession") is False, "a reprompt needs an open session"
