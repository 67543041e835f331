"""From a flow's ``Reply`` to the ASK response: store first, then speak.

Every handler that speaks ends here, so this is the one place that keeps the
routine's place in the profile and commits the user's changes (one write at most,
before the reply leaves: a change the user hears confirmed is already stored),
and that says once-only notices (a lost routine, a store that is down).
"""

from __future__ import annotations

from typing import cast

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

from skill.flows.playing import finish_if_heard
from skill.flows.progress import keep_progress, keep_question
from skill.flows.turn import Turn
from skill.speech import Reply, Speech

TURN_KEY = "turn"


def turn_of(handler_input: HandlerInput) -> Turn:
    """The request's ``Turn``, built by ``LoadTurnInterceptor``."""
    return cast(Turn, handler_input.attributes_manager.request_attributes[TURN_KEY])


def supports_apl(handler_input: HandlerInput) -> bool:
    """Whether the device shows APL documents (``context.System.device.supportedInterfaces``)."""
    system = getattr(handler_input.request_envelope.context, "system", None)
    interfaces = getattr(getattr(system, "device", None), "supported_interfaces", None)
    return getattr(interfaces, "alexa_presentation_apl", None) is not None


def settle(turn: Turn) -> None:
    """Keep the routine's place (or count it done, if it has been heard to its end) and the question
    waiting, and store every change now."""
    finish_if_heard(turn)
    keep_progress(turn)
    keep_question(turn)
    turn.user.commit()


def respond(handler_input: HandlerInput, reply: Reply) -> Response:
    """Store, then render ``reply`` into the ASK response, prefixed with any notice that is due."""
    turn = turn_of(handler_input)
    settle(turn)
    notices = (["lost_track"] if turn.session.lost_track else []) + turn.user.take_notices()
    turn.session.lost_track = False
    lead = Speech().say(*(turn.say(key) for key in notices))
    speech = Speech().add(*lead.parts, *reply.speech.parts)
    ssml = speech.ssml()
    builder = handler_input.response_builder.speak(ssml)
    reprompt_ssml = reply.reprompt.ssml() if reply.reprompt and not reply.end_session else None
    if reprompt_ssml:
        builder.ask(reprompt_ssml)
    builder.set_should_end_session(reply.end_session)
    if supports_apl(handler_input):
        from skill.screen.document import directive_for  # only a device with a screen loads the screen package

        builder.add_directive(directive_for(turn, speech, lead))
    # In a routine "repeat" replays from the engine; outside one it says the last reply again.
    turn.session.last_reply = None if turn.session.routine else {"ssml": ssml, "reprompt": reprompt_ssml}
    return builder.response
