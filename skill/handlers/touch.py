"""Buttons on a screen: "Pause" and "Next" arrive as ``Alexa.Presentation.APL.UserEvent`` requests.

The event's first argument is the steering command's name (``skill.flows.steer.Command``);
it runs the same flow as saying it. Anything else is answered like words the skill did not
catch: the routine stops where it was and nothing is lost.
"""

from __future__ import annotations

from ask_sdk_core.handler_input import HandlerInput

from skill.flows import describe, steer
from skill.flows.turn import Turn
from skill.handlers.responder import Operation, Outcome

USER_EVENT = "Alexa.Presentation.APL.UserEvent"
# The buttons the screen offers; an event naming any other command is refused.
BUTTONS = {command.value: command for command in (steer.Command.PAUSE, steer.Command.NEXT)}


def _touched(handler_input: HandlerInput, turn: Turn) -> Outcome:
    """A touch on "Pause" or "Next" while a routine shows on screen."""
    arguments = getattr(handler_input.request_envelope.request, "arguments", None)
    first = arguments[0] if isinstance(arguments, list) and arguments else None
    return describe.button(turn, BUTTONS.get(first) if isinstance(first, str) else None)


REQUESTS: dict[str, Operation] = {USER_EVENT: _touched}
