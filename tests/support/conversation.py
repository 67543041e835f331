"""Whole conversations through ``lambda_handler``, built from the request fixtures in ``tests/events``.

``Alexa`` behaves like a device: it keeps the session (id, attributes, ``new``
flag) across turns, opens a new session after one ends, and checks every response
against the platform's rules (``checks.assert_valid_response``).

It also stamps each request the way a device would: by default the user speaks a
second after the previous response has finished playing (its length measured by
the fixed-rate renderer in ``tests.support.stopwatch``, not by the skill), and
``at=`` places a request that many seconds after the previous response started
playing: an interruption in the middle of it. ``Alexa.with_clock`` runs the skill
in-process on a ``FakeClock`` so that times are exact.
"""

from __future__ import annotations

import copy
import datetime
import importlib.util
import time
import json
import re
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from skill.catalogue import load_catalogue
from tests.support.checks import assert_valid_response
from tests.support.stopwatch import FIRST_HOLD, fixed_rate_seconds

PROJECT_ROOT = Path(__file__).resolve().parents[2]
EVENTS = PROJECT_ROOT / "tests" / "events"

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]
DEFAULT_USER = "amzn1.ask.account.TESTUSER"


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


class FakeClock:
    """A clock the test moves; the skill reads it as ``time.time``."""

    def __init__(self, start: float = 1_795_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now


def iso(epoch_seconds: float) -> str:
    """An Alexa request timestamp (UTC, milliseconds, ``Z``)."""
    stamp = datetime.datetime.fromtimestamp(epoch_seconds, datetime.timezone.utc)
    return stamp.isoformat(timespec="milliseconds").replace("+00:00", "Z")


# After a response has played, the user speaks this much later.
ANSWER_AFTER_SECONDS = 1.0
PLAYING_MARGIN = 1.2


class Alexa:
    """A simulated Echo for one user."""

    def __init__(
        self,
        handler: Handler,
        user_id: str = DEFAULT_USER,
        locale: str = "en-US",
        clock: Callable[[], float] = time.time,
        screen: bool = False,
    ) -> None:
        """``screen``: the device is an Echo Show (it reports ``Alexa.Presentation.APL`` and a viewport,
        as in ``tests/events/apl_user_event.json``); by default it is a voice-only Echo."""
        self.handler = handler
        self.user_id = user_id
        self.locale = locale
        self.clock = clock
        self.screen = screen
        self.session_id: str | None = None
        self.attributes: dict[str, Any] = {}
        self.history: list[Reply] = []
        self.sent_at = clock()  # when the previous response was sent
        # What context.System carries for Alexa's APIs: the endpoint, the access token, and the
        # consent token that is there once the user has granted the skill's permission.
        self.api_endpoint = "https://api.amazonalexa.com"
        self.api_access_token: str | None = None
        self.consent_token: str | None = None

    @classmethod
    def for_lambda(cls, data_dir: Path, **kwargs: Any) -> "Alexa":
        """Talk to ``lambda_handler`` with a fresh skill using the embedded store in ``data_dir``."""
        import os

        from skill.entrypoints import lambda_entry

        os.environ["BACKSTRETCH_DATA_DIR"] = str(data_dir)
        lambda_entry.reset()
        return cls(load_lambda_module().lambda_handler, **kwargs)

    @classmethod
    def with_clock(cls, data_dir: Path, clock: FakeClock, **kwargs: Any) -> "Alexa":
        """Talk to a skill built in-process on ``clock``: request times and the skill's time are one."""
        from skill.app import build_skill
        from skill.config import Config
        from skill.entrypoints.invoke import invoke, read_event

        skill = build_skill(Config(data_dir=data_dir), clock=clock)
        return cls(lambda event, _context: invoke(skill, read_event(event)), clock=clock, **kwargs)

    def playing_seconds(self) -> float:
        """How long the previous response takes to play (fixed-rate renderer)."""
        return fixed_rate_seconds(self.history[-1].ssml) if self.history and self.history[-1].ssml else 0.0

    # -- turns -----------------------------------------------------------------------------

    def launch(self) -> Reply:
        return self._send(load_event("launch_request"))

    def intent(self, name: str, at: float | None = None, **slots: str | tuple[str, str | None]) -> Reply:
        """Send an intent. A custom slot is ``(heard, id)`` (``id=None``: no match); a built-in one a string.

        ``at``: seconds after the previous response started playing (an interruption); by default
        the request comes just after it finished.
        """
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
        return self._send(event, at=at)

    def end(self, reason: str = "EXCEEDED_MAX_REPROMPTS", at: float | None = None) -> Reply:
        """The session ends without the user's say-so (silence, "exit"): a SessionEndedRequest."""
        event = load_event("session_ended_request")
        event["request"]["reason"] = reason
        reply = self._send(event, expect_speech=False, at=at)
        self.session_id = None
        return reply

    def permission_answer(self, status: str, token: str, code: str = "200") -> Reply:
        """Alexa's answer to the skill's AskFor request (``Connections.Response``): ACCEPTED, DENIED or NOT_ANSWERED."""
        event = load_event("connections_response_askfor")
        event["request"]["payload"]["status"] = status
        event["request"]["token"] = token
        event["request"]["status"]["code"] = code
        return self._send(event)

    def touch(self, *arguments: Any, at: float | None = None) -> Reply:
        """A button on the screen sends ``arguments`` (an APL ``SendEvent``), ``at`` as in ``intent``."""
        event = load_event("apl_user_event")
        event["request"]["arguments"] = list(arguments)
        return self._send(event, at=at)

    def send_raw(self, event: dict[str, Any], expect_speech: bool = True) -> Reply:
        """Send a hand-made event inside the current session (for tampering tests)."""
        return self._send(event, expect_speech=expect_speech)

    # -- plumbing --------------------------------------------------------------------------

    def _stamp(self, event: dict[str, Any], at: float | None) -> None:
        """Give the request the time a device would: ``at`` seconds into the previous response, or after it."""
        if event["request"].get("timestamp") is None:
            return  # a hand-made event without a timestamp stays without one
        # Estimates of speech length differ by a few per cent; "after it played" must not land inside it.
        offset = at if at is not None else self.playing_seconds() * PLAYING_MARGIN + ANSWER_AFTER_SECONDS
        moment = max(self.sent_at + offset, self.clock())
        if isinstance(self.clock, FakeClock):
            self.clock.now = moment
        event["request"]["timestamp"] = iso(moment)

    def _send(self, event: dict[str, Any], expect_speech: bool = True, at: float | None = None) -> Reply:
        event = copy.deepcopy(event)
        self._stamp(event, at)
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
        system = event["context"]["System"]
        system["apiEndpoint"] = self.api_endpoint
        if self.api_access_token is not None:
            system["apiAccessToken"] = self.api_access_token
        if self.consent_token is not None:
            system["user"]["permissions"] = {"consentToken": self.consent_token}
        if self.screen:
            screen_context = load_event("apl_user_event")["context"]
            event["context"]["System"]["device"] = screen_context["System"]["device"]
            event["context"]["Viewport"] = screen_context["Viewport"]
        event["request"]["locale"] = self.locale
        event["request"]["requestId"] = f"amzn1.echo-api.request.{uuid.uuid4()}"
        body = self.handler(event, None)
        self.sent_at = self.clock() if isinstance(self.clock, FakeClock) else time.time()
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


_HEADING = re.compile(r"(?:First, |Stretch \d+ of \d+: )([a-z' ]+?)(?:,| side|\.)")


def headings(text: str) -> list[str]:
    """The stretch names a reply announces, in order ("First, x." / "Stretch 2 of 5: y.")."""
    return _HEADING.findall(text)


def stored(data_dir: Path, user_id: str = DEFAULT_USER) -> dict[str, Any]:
    """The user's item as the embedded store in ``data_dir`` holds it."""
    from skill.persistence.sqlite_store import SqliteStore

    attributes, _ = SqliteStore(data_dir / "users.sqlite3").read(user_id)
    return attributes


def answer_questions(alexa: Alexa, reply: Reply) -> tuple[Reply, int]:
    """Answer what the skill asks before a routine as a user following the articles would (warm up
    first: yes; the sore leg: left) until a reply plays a hold; returns it and the answers given."""
    answers = 0
    while FIRST_HOLD.search(reply.ssml) is None:
        if "warm up first?" in reply.text:
            reply = alexa.intent("AMAZON.YesIntent")
        elif "Which leg is sore" in reply.text:
            reply = alexa.intent("SoreLegIntent", leg=("left", "left"))
        else:
            raise AssertionError(f"neither a routine nor a question before one: {reply.text[-200:]}")
        answers += 1
    return reply, answers


def played_through(alexa: Alexa, routine_id: str | None) -> str:
    """Everything said from the start of a routine (None: the user's own) to its closing question."""
    if routine_id is None:
        started = alexa.intent("StartRoutineIntent")
    else:
        started = alexa.intent("StartRoutineIntent", routine=(load_catalogue().routine(routine_id).name, routine_id))
    reply, _ = answer_questions(alexa, started)
    said = [reply.text]
    while "You finished" not in said[-1]:
        said.append(alexa.intent("AMAZON.NextIntent").text)
    return " ".join(said)
