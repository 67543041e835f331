"""Handlers for the shape of a conversation: launch, help, yes/no, stop, fallback, session end."""

from __future__ import annotations

import logging

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import get_intent_name, get_request_type, is_intent_name, is_request_type
from ask_sdk_model import Response

from skill.engine import Status
from skill.flows import describe, questions, welcome
from skill.flows.steer import pause_here
from skill.flows.replies import close
from skill.handlers.responder import respond, settle, turn_of
from skill.handlers.slots import heard_slot
from skill.speech import Speech

logger = logging.getLogger(__name__)


class LaunchHandler(AbstractRequestHandler):
    """Welcome; offer to carry on an interrupted routine, else say how to start one."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_request_type("LaunchRequest")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        return respond(handler_input, welcome.launch(turn_of(handler_input)))


# The intents that say yes, no, or go on ("next", "go on", "ready"; "continue"; "let's go", "start").
SAID = {
    "AMAZON.YesIntent": questions.Said.YES,
    "AMAZON.NoIntent": questions.Said.NO,
    "AMAZON.NextIntent": questions.Said.GO_ON,
    "AMAZON.ResumeIntent": questions.Said.GO_ON,
    "StartRoutineIntent": questions.Said.GO_ON,
}


def said(handler_input: HandlerInput) -> questions.Said | None:
    """Yes, no or go on, if that is all the request says ("start the lower back routine" says more)."""
    if not is_request_type("IntentRequest")(handler_input):
        return None
    name = str(get_intent_name(handler_input))
    if name == "StartRoutineIntent" and heard_slot(handler_input, "routine").value:
        return None
    return SAID.get(name)


class AnswerHandler(AbstractRequestHandler):
    """Yes, no and the go-on words: the answer to the question waiting, looked up once, before any
    other handler (``skill.flows.questions``). Without a question, yes and no still land here."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        answer = said(handler_input)
        return answer is not None and questions.takes(turn_of(handler_input), answer)

    def handle(self, handler_input: HandlerInput) -> Response:
        answer = said(handler_input)
        assert answer is not None
        return respond(handler_input, questions.answer(turn_of(handler_input), answer))


class HelpHandler(AbstractRequestHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("AMAZON.HelpIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        return respond(handler_input, describe.help_reply(turn_of(handler_input)))


class StopHandler(AbstractRequestHandler):
    """Stop, cancel and "go home": end the session, keeping the place in an unfinished routine."""

    INTENTS = ("AMAZON.StopIntent", "AMAZON.CancelIntent", "AMAZON.NavigateHomeIntent")

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return any(is_intent_name(name)(handler_input) for name in self.INTENTS)

    def handle(self, handler_input: HandlerInput) -> Response:
        turn = turn_of(handler_input)
        state = pause_here(turn)
        settle(turn)  # stored now, so the goodbye can say whether the place was kept
        turn.session.routine = None
        kept = state is not None and state.status is not Status.FINISHED and turn.user.store_ok
        return respond(handler_input, close(Speech().say(turn.say("goodbye_saved" if kept else "goodbye"))))


class FallbackHandler(AbstractRequestHandler):
    """AMAZON.FallbackIntent and any intent this skill does not know: keep the session and the routine."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_request_type("IntentRequest")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        intent = str(get_intent_name(handler_input))
        if intent != "AMAZON.FallbackIntent":
            logger.warning("unhandled intent %s", intent)
        return respond(handler_input, describe.not_understood(turn_of(handler_input)))


class SessionEndedHandler(AbstractRequestHandler):
    """The user left, said "exit", or stayed silent: keep their place. Alexa accepts no speech here."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_request_type("SessionEndedRequest")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        turn = turn_of(handler_input)
        request = handler_input.request_envelope.request
        logger.info("session ended: %s", getattr(request, "reason", None))
        questions.silence(turn)
        settle(turn)
        turn.session.routine = None
        return handler_input.response_builder.response


class UnknownRequestHandler(AbstractRequestHandler):
    """Any other request type (display or system events): answer with an empty response."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return True

    def handle(self, handler_input: HandlerInput) -> Response:
        logger.info("ignoring request type %s", get_request_type(handler_input))
        return handler_input.response_builder.response
