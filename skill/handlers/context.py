"""The per-request conversation context the handlers work through.

``Conversation`` is built by ``LoadConversationInterceptor`` from the session
attributes (validated: a tampered routine state is dropped and the user hears
one sentence about it), and written back by ``SaveConversationInterceptor``.
Handlers never touch raw session attributes.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any, Callable, cast

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

from skill.catalogue import Catalogue
from skill.engine import InvalidState, RoutineEngine, RoutineState
from skill.handlers.user_data import SESSION_KEY, UserData
from skill.speech import Composer, Phrases, Reply, Speech
from skill.speech.ssml import MAX_BREAK_MS, MAX_SSML_CHARS

logger = logging.getLogger(__name__)

CONTEXT_KEY = "conversation"
PENDING_QUESTIONS = ("continue_saved", "skip_after_pain", "delete_data")


@dataclass
class Conversation:
    """Everything a handler needs: wording, the engine, the routine in progress, pending question."""

    catalogue: Catalogue
    engine: RoutineEngine
    phrases: Phrases
    composer: Composer
    clock: Callable[[], float]
    user: UserData
    state: RoutineState | None = None
    pending: str | None = None
    intro_given: bool = False
    last_reply: dict[str, Any] | None = None
    lost_track: bool = False

    @classmethod
    def of(cls, handler_input: HandlerInput) -> "Conversation":
        return cast(Conversation, handler_input.attributes_manager.request_attributes[CONTEXT_KEY])

    def now(self) -> int:
        return int(self.clock())

    def routine_name(self, state: RoutineState | None = None) -> str:
        state = state or self.state
        return self.name_of(state.routine_id if state is not None else "")

    def name_of(self, routine_id: str) -> str:
        """A catalogue routine's spoken name; anything else is the user's own routine."""
        if routine_id in self.catalogue.routines:
            return self.catalogue.routine(routine_id).name
        return self.phrases.say("own_routine_name")

    # -- session attributes ------------------------------------------------------------

    def load(self, attributes: dict[str, Any]) -> None:
        raw_state = attributes.get("routine")
        if raw_state is not None:
            try:
                self.state = RoutineState.from_dict(raw_state, self.catalogue)
            except InvalidState as error:
                logger.warning("dropping invalid routine state from session: %s", error)
                self.lost_track = True
        pending = attributes.get("pending")
        self.pending = pending if pending in PENDING_QUESTIONS else None
        self.intro_given = attributes.get("intro_given") is True
        last = attributes.get("last")
        if isinstance(last, dict) and _replayable(last.get("ssml")) and _replayable(last.get("reprompt"), optional=True):
            self.last_reply = last
        self.user.load_session(attributes.get(SESSION_KEY))

    def dump(self) -> dict[str, Any]:
        attributes: dict[str, Any] = {"intro_given": self.intro_given}
        if self.state is not None:
            attributes["routine"] = self.state.to_dict()
        if self.pending:
            attributes["pending"] = self.pending
        if self.last_reply:
            attributes["last"] = self.last_reply
        user = self.user.dump_session()
        if user is not None:
            attributes[SESSION_KEY] = user
        return attributes

    # -- replying ----------------------------------------------------------------------

    def ask(self, handler_input: HandlerInput, speech: Speech, reprompt_key: str) -> Response:
        """Say ``speech`` and keep listening, reprompting with the phrase ``reprompt_key``."""
        return self.respond(handler_input, Reply(speech, Speech().say(self.phrases.say(reprompt_key))))

    def close(self, handler_input: HandlerInput, speech: Speech) -> Response:
        """Say ``speech`` and end the session."""
        return self.respond(handler_input, Reply(speech, None, end_session=True))

    def respond(self, handler_input: HandlerInput, reply: Reply) -> Response:
        """Render ``reply`` into the ASK response, prefixed with a lost-track notice if due."""
        notices = (["lost_track"] if self.lost_track else []) + self.user.take_notices()
        self.lost_track = False
        speech = Speech().say(*(self.phrases.say(key) for key in notices)).add(*reply.speech.parts)
        ssml = speech.ssml()
        builder = handler_input.response_builder.speak(ssml)
        reprompt_ssml = reply.reprompt.ssml() if reply.reprompt else None
        if reprompt_ssml and not reply.end_session:
            builder.ask(reprompt_ssml)
        builder.set_should_end_session(reply.end_session)
        # Mid-routine, "repeat" replays the block from the engine; keep session attributes small.
        self.last_reply = None if self.state else {"ssml": ssml, "reprompt": reprompt_ssml}
        return builder.response


def _replayable(ssml: Any, optional: bool = False) -> bool:
    """Only well-formed ``<speak>`` SSML within the size limit is said again: session attributes
    come back from the client and may have been tampered with."""
    if ssml is None:
        return optional
    if not isinstance(ssml, str) or len(ssml) >= MAX_SSML_CHARS:
        return False
    from xml.etree import ElementTree  # only needed for "repeat" outside a routine

    try:
        root = ElementTree.fromstring(ssml)
    except ElementTree.ParseError:
        return False
    if root.tag != "speak":
        return False
    # The skill itself only ever writes <speak> and <break time="Nms"/> with N <= 10 s.
    for element in root.iter():
        if element.tag == "break":
            match = re.fullmatch(r"(\d{1,5})ms", element.get("time", ""))
            if not match or int(match.group(1)) > MAX_BREAK_MS or set(element.attrib) != {"time"}:
                return False
        elif element is not root:
            return False
    return True
