"""The shape of a conversation: launch, help, stop, the session's end, the skill disabled.

Each entry reads the request and calls one flow (yes, no and the go-on words are the dispatcher's:
``skill.handlers.dispatch``).
"""

from __future__ import annotations

import logging

from ask_sdk_core.handler_input import HandlerInput

from skill.flows import describe, questions, welcome
from skill.flows.turn import Turn
from skill.handlers.responder import Operation, Outcome, Silent

logger = logging.getLogger(__name__)


def _stop(handler_input: HandlerInput, turn: Turn) -> Outcome:
    return welcome.stop(turn)


def _session_ended(handler_input: HandlerInput, turn: Turn) -> Outcome:
    """The user left, said "exit", or stayed silent: keep their place and question. Alexa accepts no speech here."""
    logger.info("session ended: %s", getattr(handler_input.request_envelope.request, "reason", None))
    questions.silence(turn)
    return Silent()


def _skill_disabled(handler_input: HandlerInput, turn: Turn) -> Outcome:
    """NOT_PERSISTED means the user comes back as a new user. Skill events carry no session.

    Only a body that is an object saying NOT_PERSISTED deletes anything; any other body (a string,
    a list, a number) is logged and answered without speech, like PERSISTED.
    """
    body = getattr(handler_input.request_envelope.request, "body", None)
    status = body.get("userInformationPersistenceStatus") if isinstance(body, dict) else None
    if status not in ("PERSISTED", "NOT_PERSISTED"):
        logger.warning("SkillDisabled without a persistence status: %.80r", body)
    welcome.disabled(turn, kept_by_alexa=status != "NOT_PERSISTED")
    return Silent()


OPERATIONS: dict[str, Operation] = {
    "AMAZON.HelpIntent": lambda handler_input, turn: describe.help_reply(turn),
    "AMAZON.StopIntent": _stop,
    "AMAZON.CancelIntent": _stop,
    "AMAZON.NavigateHomeIntent": _stop,
}
# By request type.
REQUESTS: dict[str, Operation] = {
    "LaunchRequest": lambda handler_input, turn: welcome.launch(turn),
    "SessionEndedRequest": _session_ended,
    "AlexaSkillEvent.SkillDisabled": _skill_disabled,
}
