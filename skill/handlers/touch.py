"""Buttons on a screen: "Pause" and "Next" arrive as ``Alexa.Presentation.APL.UserEvent`` requests.

The event's first argument is the steering command's name (``skill.flows.steer.Command``);
it runs the same flow as saying it. Anything else is answered like words the skill did not
catch: the routine stops where it was and nothing is lost.
"""

from __future__ import annotations

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_request_type
from ask_sdk_model import Response

from skill.flows import describe, steer
from skill.handlers.responder import respond, turn_of

USER_EVENT = "Alexa.Presentation.APL.UserEvent"
# The buttons the screen offers; an event naming any other command is refused.
BUTTONS = {command.value: command for command in (steer.Command.PAUSE, steer.Command.NEXT)}


class ScreenButtonHandler(AbstractRequestHandler):
    """A touch on "Pause" or "Next" while a routine shows on screen."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_request_type(USER_EVENT)(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        turn = turn_of(handler_input)
        arguments = getattr(handler_input.request_envelope.request, "arguments", None)
        first = arguments[0] if isinstance(arguments, list) and arguments else None
        command = BUTTONS.get(first) if isinstance(first, str) else None
        if command is None:
            return respond(handler_input, describe.not_understood(turn))
        return respond(handler_input, steer.steer(turn, command))
