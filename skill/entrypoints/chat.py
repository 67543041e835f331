"""A text conversation with the skill, as a stand-in for an Echo device.

What the user types is matched against the same interaction model Alexa gets
(``nlu.Matcher``), wrapped in the request JSON Alexa would send, run through the
skill's serializer like any other request, and the SSML answer is printed as
plain text with holds shown compactly, e.g. ``[hold 20 s: 10… 5, 4, 3, 2, 1]``.

Example:
    >>> chat = ChatSession.local(pathlib.Path(tempfile.mkdtemp()))  # doctest: +SKIP
    >>> chat.say("start my morning back stretches").text  # doctest: +SKIP
    "Let's do morning back stretches. ..."
"""

from __future__ import annotations

import datetime
import html
import re
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ask_sdk_core.skill import CustomSkill

from skill.app import build_skill
from skill.config import Config
from skill.engine.routine import REACTION_MS
from skill.entrypoints.invoke import invoke, read_event
from skill.entrypoints.nlu import IntentMatch, Matcher
from skill.speech.countdown import hold_label
from skill.speech.phrases import Phrases, phrases_for
from skill.speech.rate import ssml_seconds

CHAT_USER_ID = "amzn1.ask.account.LOCAL-CHAT-USER"
CHAT_APPLICATION_ID = "amzn1.ask.skill.local-chat"
LAUNCH_WORDS = {"", "launch", "open", "open back stretch coach", "start back stretch coach"}
# Alexa ends the session itself on these; the skill only hears a SessionEndedRequest.
EXIT_WORDS = {"exit", "quit", "alexa exit", "alexa quit"}
_BREAK = re.compile(r'<break time="(\d+)ms"/>')
# After a reply, the user speaks a second after it has finished playing, and the device stamps the
# request a reaction later (the utterance, recognition), as the skill expects.
REPLY_AFTER_SECONDS = 1.0 + REACTION_MS / 1000


class VirtualClock:
    """The chat's time: a reply "plays" instantly on screen, so the clock jumps by how long it
    would take to say. The next request is then stamped after it, as a device would stamp it."""

    def __init__(self, start: float | None = None) -> None:
        self.now = time.time() if start is None else start

    def __call__(self) -> float:
        return self.now

    def played(self, ssml: str) -> None:
        self.now += ssml_seconds(ssml) + REPLY_AFTER_SECONDS

    def iso(self) -> str:
        stamp = datetime.datetime.fromtimestamp(self.now, datetime.timezone.utc)
        return stamp.isoformat(timespec="milliseconds").replace("+00:00", "Z")


ASKS_FOR_PERMISSION = "(Here Alexa would ask for your permission to set reminders; the chat has no Alexa account to grant it.)"


@dataclass
class Turn:
    text: str
    ended: bool
    response: dict[str, Any]


@dataclass
class ChatSession:
    """One user talking to one skill, session by session."""

    skill: CustomSkill
    matcher: Matcher
    phrases: Phrases
    clock: VirtualClock
    locale: str = "en-US"
    user_id: str = CHAT_USER_ID
    session: dict[str, Any] | None = None
    attributes: dict[str, Any] = field(default_factory=dict)
    eliciting: tuple[str, str] | None = None  # the (intent, slot) the last response elicited (Dialog.ElicitSlot)

    @classmethod
    def local(cls, data_dir: Path | None = None, config: Config | None = None, locale: str = "en-US") -> "ChatSession":
        clock = VirtualClock()
        skill = build_skill(config or Config(data_dir=data_dir), clock=clock)
        return cls(skill, Matcher.for_locale(locale), phrases_for(locale), clock, locale)

    def say(self, text: str) -> Turn:
        """Send what the user said; returns what the skill answered."""
        said = text.strip().lower().rstrip(".!?")
        if said in EXIT_WORDS:
            if self.session is None:
                return Turn("", True, {})
            self._send({"type": "SessionEndedRequest", "reason": "USER_INITIATED"})
            self.session = None
            return Turn("(session ended)", True, {})
        if said in LAUNCH_WORDS or self.session is None and said.startswith("open "):
            return self._turn({"type": "LaunchRequest"})
        return self._turn(self._intent_request(self.matcher.match(text, self.eliciting)))

    def timeout(self) -> Turn:
        """The user stayed silent through the reprompt."""
        if self.session is None:
            return Turn("", True, {})
        self._send({"type": "SessionEndedRequest", "reason": "EXCEEDED_MAX_REPROMPTS"})
        self.session = None
        return Turn("(session ended)", True, {})

    # -- requests -------------------------------------------------------------------------

    def _intent_request(self, match: IntentMatch) -> dict[str, Any]:
        slots = {}
        for name, slot_type in self.matcher.slot_types(match.intent).items():
            slot: dict[str, Any] = {"name": name, "confirmationStatus": "NONE"}
            filled = match.slots.get(name)
            if filled is not None:
                slot["value"] = filled.value
                if not slot_type.startswith("AMAZON."):
                    slot["resolutions"] = _resolutions(slot_type, filled.resolved_id, filled.resolved_name)
            slots[name] = slot
        return {"type": "IntentRequest", "intent": {"name": match.intent, "confirmationStatus": "NONE", "slots": slots}}

    def _turn(self, request: dict[str, Any]) -> Turn:
        body = self._send(request)
        response = body.get("response", {})
        ended = response.get("shouldEndSession") is not False
        self.attributes = body.get("sessionAttributes") or {}
        self.session = None if ended else self.session
        ssml = (response.get("outputSpeech") or {}).get("ssml", "")
        self.clock.played(ssml)
        self.eliciting = next(
            (
                (d["updatedIntent"]["name"], d["slotToElicit"])
                for d in response.get("directives") or []
                if d.get("type") == "Dialog.ElicitSlot" and not ended
            ),
            None,
        )
        if any(d.get("type") == "Connections.SendRequest" for d in response.get("directives") or []):
            # On a device Alexa would now ask for the permission itself; the chat has no Alexa account to grant it.
            return Turn(ASKS_FOR_PERMISSION, ended, body)
        return Turn(ssml_to_text(ssml, self.phrases), ended, body)

    def _send(self, request: dict[str, Any]) -> dict[str, Any]:
        new = self.session is None
        if self.session is None:
            self.session = {"sessionId": f"amzn1.echo-api.session.{uuid.uuid4()}"}
            self.attributes = {}
        system = {"application": {"applicationId": CHAT_APPLICATION_ID}, "user": {"userId": self.user_id}}
        envelope = {
            "version": "1.0",
            "session": {"new": new, **self.session, **system, "attributes": self.attributes},
            "context": {"System": system},
            "request": {
                "requestId": f"amzn1.echo-api.request.{uuid.uuid4()}",
                "timestamp": self.clock.iso(),
                "locale": self.locale,
                **request,
            },
        }
        return invoke(self.skill, read_event(envelope))


def _resolutions(slot_type: str, value_id: str | None, name: str | None) -> dict[str, Any]:
    authority: dict[str, Any] = {"authority": f"amzn1.er-authority.echo-sdk.{CHAT_APPLICATION_ID}.{slot_type}"}
    if value_id is None:
        authority["status"] = {"code": "ER_SUCCESS_NO_MATCH"}
    else:
        authority["status"] = {"code": "ER_SUCCESS_MATCH"}
        authority["values"] = [{"value": {"name": name, "id": value_id}}]
    return {"resolutionsPerAuthority": [authority]}


def _pattern(template: str) -> re.Pattern[str]:
    """A regex for a phrase template, its ``{placeholders}`` matching numbers."""
    return re.compile(re.sub(r"\\\{\w+\\\}", r"(\\d+)", re.escape(template)))


def ssml_to_text(ssml: str, phrases: Phrases) -> str:
    """Readable text for SSML: long breaks as "…", holds and counted sets collapsed to a label."""
    hold_start, release = _pattern(phrases.say("hold_start", seconds="{n}")), phrases.say("release")
    count_start, count_done = _pattern(phrases.say("count_start", count="{n}")), phrases.say("count_done")
    body = ssml.removeprefix("<speak>").removesuffix("</speak>")
    tokens = [html.unescape(t).strip() for t in _BREAK.split(body)]
    out: list[str] = []
    timed: tuple[str, str, list[str]] | None = None  # (kind, seconds or count, numbers heard)
    for index, token in enumerate(tokens):
        if index % 2:  # a break's milliseconds
            if timed is None and int(token) >= 2000:
                out.append("…")
            continue
        while token:
            if timed is not None:
                end = next((token.find(w) for w in (release, count_done) if w in token), -1)
                timed[2].extend(re.findall(r"\d+", token if end < 0 else token[:end]))
                if end < 0:
                    break
                out.append(_label(*timed))
                token = token[end:].removeprefix(release).removeprefix(count_done).strip()
                timed = None
                continue
            started = hold_start.search(token) or count_start.search(token)
            if not started:
                out.append(token)
                break
            if token[: started.start()].strip():
                out.append(token[: started.start()].strip())
            timed = ("hold" if started.re is hold_start else "count", started.group(1), [])
            token = token[started.end() :].strip()
    return " ".join(out)


def _label(kind: str, amount: str, numbers: list[str]) -> str:
    if kind == "count":
        return f"[count {amount}: 1… {amount}]"
    return f"[{hold_label(int(amount), [int(n) for n in numbers])}]"
