"""Whole conversations through ``lambda_handler``, built from the request fixtures in ``tests/events``.

``Alexa`` behaves like a device: it keeps the session (id, attributes, ``new``
flag) across turns, opens a new session after one ends, and checks every response
against the platform's rules (``checks.assert_valid_response``).
"""

from __future__ import annotations

import copy
import importlib.util
import json
import re
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from tests.support.checks import assert_valid_response

PROJECT_ROOT = Path(__file__).resolve().parents[2]
EVENTS = PROJECT_ROOT / "tests" / "events"

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]


def load_event(name: str) -> dict[str, Any]:
    """A request fixture from ``tests/events/<name>.json`` (a fresh copy each time)."""
    return json.loads((EVENTS / f"{name}.json").read_text(encoding="utf-8"))


def load_lambda_module() -> Any:
    """Import ``lambda/lambda_function.py`` the way Lambda does (``lambda`` is a keyword)."""
    spec = importlib.util.spec_from_file_location("lambda_function", PROJECT_ROOT / "lambda" / "lambda_function.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@dataclass
class Reply:
    body: dict[str, Any]

    @property
    def response(self) -> dict[str, Any]:
        return self.body.get("response", {})

    @property
    def ssml(self) -> str:
        return (self.response.get("outputSpeech") or {}).get("ssml", "")

    @property
    def text(self) -> str:
        """The speech without tags, for asserting on wording."""
        return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", self.ssml)).strip()

    @property
    def reprompt(self) -> str:
        return ((self.response.get("reprompt") or {}).get("outputSpeech") or {}).get("ssml", "")

    @property
    def ended(self) -> bool:
        return self.response.get("shouldEndSession") is not False

    @property
    def attributes(self) -> dict[str, Any]:
        return self.body.get("sessionAttributes") or {}

    def breaks_ms(self) -> list[int]:
        return [int(ms) for ms in re.findall(r'<break time="(\d+)ms"/>', self.ssml)]


class Alexa:
    """A simulated Echo for one user."""

    def __init__(self, handler: Handler, user_id: str = "amzn1.ask.account.TESTUSER", locale: str = "en-US") -> None:
        self.handler = handler
        self.user_id = user_id
        self.locale = locale
        self.session_id: str | None = None
        self.attributes: dict[str, Any] = {}
        self.history: list[Reply] = []

    @classmethod
    def for_lambda(cls, data_dir: Path, **kwargs: Any) -> "Alexa":
        """Talk to ``lambda_handler`` with a fresh skill using the embedded store in ``data_dir``."""
        import os

        from skill.entrypoints import lambda_entry

        os.environ["BACKSTRETCH_DATA_DIR"] = str(data_dir)
        lambda_entry.reset()
        return cls(load_lambda_module().lambda_handler, **kwargs)

    # -- turns -----------------------------------------------------------------------------

    def launch(self) -> Reply:
        return self._send(load_event("launch_request"))

    def intent(self, name: str, **slots: str | tuple[str, str | None]) -> Reply:
        """Send an intent. A custom slot is ``(heard, id)`` (``id=None``: no match); a built-in one a string."""
        event = load_event("intent_request")
        event["request"]["intent"] = {"name": name, "confirmationStatus": "NONE", "slots": {}}
        for slot_name, value in slots.items():
            slot: dict[str, Any] = {"name": slot_name, "confirmationStatus": "NONE", "source": "USER"}
            if isinstance(value, tuple):
                heard, value_id = value
                slot["value"] = heard
                status = "ER_SUCCESS_MATCH" if value_id else "ER_SUCCESS_NO_MATCH"
                authority: dict[str, Any] = {"authority": f"amzn1.er-authority.echo-sdk.test.{slot_name}", "status": {"code": status}}
                if value_id:
                    authority["values"] = [{"value": {"name": heard, "id": value_id}}]
                slot["resolutions"] = {"resolutionsPerAuthority": [authority]}
            else:
                slot["value"] = value
            event["request"]["intent"]["slots"][slot_name] = slot
        return self._send(event)

    def end(self, reason: str = "EXCEEDED_MAX_REPROMPTS") -> Reply:
        """The session ends without the user's say-so (silence, "exit"): a SessionEndedRequest."""
        event = load_event("session_ended_request")
        event["request"]["reason"] = reason
        reply = self._send(event, expect_speech=False)
        self.session_id = None
        return reply

    def send_raw(self, event: dict[str, Any], expect_speech: bool = True) -> Reply:
        """Send a hand-made event inside the current session (for tampering tests)."""
        return self._send(event, expect_speech=expect_speech)

    # -- plumbing --------------------------------------------------------------------------

    def _send(self, event: dict[str, Any], expect_speech: bool = True) -> Reply:
        event = copy.deepcopy(event)
        new = self.session_id is None
        if new:
            self.session_id = f"amzn1.echo-api.session.{uuid.uuid4()}"
            self.attributes = {}
        event["session"]["new"] = new
        event["session"]["sessionId"] = self.session_id
        event["session"].setdefault("attributes", {})
        if not event["session"]["attributes"]:
            event["session"]["attributes"] = copy.deepcopy(self.attributes)
        for holder in (event["session"], event["context"]["System"]):
            holder["user"]["userId"] = self.user_id
        event["request"]["locale"] = self.locale
        event["request"]["requestId"] = f"amzn1.echo-api.request.{uuid.uuid4()}"
        body = self.handler(event, None)
        if expect_speech:
            assert_valid_response(body)
        reply = Reply(body)
        self.history.append(reply)
        if reply.ended:
            self.session_id = None
            self.attributes = {}
        else:
            self.attributes = reply.attributes
        return reply
