"""The one request handler: every request but Alexa's name-free question, dispatched once.

First the question waiting, if the request answers it: an answer a handler's table names for that
kind of question goes there (yes to a reminder needs Alexa's API); yes, no and the go-on words go to
its answer (``skill.flows.questions``). Then what the request names: its intent (or, for other requests,
its type) in the handlers' tables, each entry reading the request and calling one flow. An
intent no table names is not understood; any other request gets a silent response.
"""

from __future__ import annotations

import logging

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import get_intent_name, get_request_type, is_request_type
from ask_sdk_model import Response

from skill.flows import describe, questions
from skill.flows.turn import Pending, Turn
from skill.handlers.responder import Operation, Outcome, Silent, respond, turn_of
from skill.handlers.slots import heard_slot

logger = logging.getLogger(__name__)

# The intents that say yes, no, or go on ("next", "go on", "ready"; "continue"; "let's go", "start").
SAID = {
    "AMAZON.YesIntent": questions.Said.YES,
    "AMAZON.NoIntent": questions.Said.NO,
    "AMAZON.NextIntent": questions.Said.GO_ON,
    "AMAZON.ResumeIntent": questions.Said.GO_ON,
    "StartRoutineIntent": questions.Said.GO_ON,
}
FALLBACK = "AMAZON.FallbackIntent"


def said(handler_input: HandlerInput) -> questions.Said | None:
    """Yes, no or go on, if that is all the request says ("start the lower back routine" says more)."""
    if not is_request_type("IntentRequest")(handler_input):
        return None
    name = str(get_intent_name(handler_input))
    if name == "StartRoutineIntent" and heard_slot(handler_input, "routine").value:
        return None
    return SAID.get(name)


def _answer(handler_input: HandlerInput, turn: Turn) -> Outcome:
    answer = said(handler_input)
    assert answer is not None
    return questions.answer(turn, answer)


def _not_understood(handler_input: HandlerInput, turn: Turn) -> Outcome:
    """AMAZON.FallbackIntent, and any intent this skill does not know: keep the session and the routine."""
    intent = str(get_intent_name(handler_input))
    if intent != FALLBACK:
        logger.warning("unhandled intent %s", intent)
    return describe.not_understood(turn)


def _ignore(handler_input: HandlerInput, turn: Turn) -> Outcome:
    logger.info("ignoring request type %s", get_request_type(handler_input))
    return Silent()


class Dispatch(AbstractRequestHandler):
    """``operations``: by intent name or request type; ``answers``: by the kind of question waiting and intent name."""

    def __init__(self, operations: dict[str, Operation], answers: dict[tuple[Pending, str], Operation]) -> None:
        self.operations = operations
        self.answers = answers

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return True

    def operation(self, handler_input: HandlerInput, turn: Turn) -> Operation:
        """What this request does."""
        intent = is_request_type("IntentRequest")(handler_input)
        key = str(get_intent_name(handler_input) if intent else get_request_type(handler_input))
        if turn.asked is not None and (turn.asked.kind, key) in self.answers:
            return self.answers[turn.asked.kind, key]  # a table names this answer: it needs more than a flow (an API)
        answer = said(handler_input)
        if answer is not None and questions.takes(turn, answer):
            return _answer
        return self.operations.get(key) or (_not_understood if intent else _ignore)

    def handle(self, handler_input: HandlerInput) -> Response:
        turn = turn_of(handler_input)
        return respond(handler_input, self.operation(handler_input, turn)(handler_input, turn))
