"""From a flow's answer to the ASK response: store first, then speak. The one path every response takes.

Every request the dispatcher answers ends here, so this is the one place that keeps the routine's
place and the question waiting in the profile and commits the user's changes (one write at most,
before the reply leaves: a change the user hears confirmed is already stored), and that says
once-only notices (a lost routine, a store that is down). An error's apology (``interceptors``)
takes only the last step, ``speak``: after an error nothing is stored.
"""

from __future__ import annotations

from typing import Callable, NamedTuple, Union, cast

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Directive, Response, ui

from skill.flows.playing import finish_if_heard
from skill.flows.progress import keep_progress, keep_question
from skill.flows.turn import LastReply, Turn
from skill.handlers.elicitation import elicit_slot
from skill.speech import Card, Reply, Speech

TURN_KEY = "turn"


class Silent(NamedTuple):
    """A response without speech: the session's end, a skill event, or Alexa asking the user
    something itself (``directive``)."""

    directive: Directive | None = None


Outcome = Union[Reply, Silent]
# What the handlers' tables hold: read the request, call one flow.
Operation = Callable[[HandlerInput, Turn], Outcome]


def turn_of(handler_input: HandlerInput) -> Turn:
    """The request's ``Turn``, built by ``LoadTurnInterceptor``."""
    return cast(Turn, handler_input.attributes_manager.request_attributes[TURN_KEY])


def supports_apl(handler_input: HandlerInput) -> bool:
    """Whether the device shows APL documents (``context.System.device.supportedInterfaces``)."""
    system = getattr(handler_input.request_envelope.context, "system", None)
    interfaces = getattr(getattr(system, "device", None), "supported_interfaces", None)
    return getattr(interfaces, "alexa_presentation_apl", None) is not None


def settle(turn: Turn) -> bool:
    """Keep the routine's place (or count it done, if it has been heard to its end) and the question
    waiting, and store every change now; False when the store could not keep them."""
    finish_if_heard(turn)
    keep_progress(turn)
    keep_question(turn)
    return turn.user.commit() and turn.user.store_ok


def respond(handler_input: HandlerInput, outcome: Outcome) -> Response:
    """Store, then render ``outcome`` into the ASK response, prefixed with any notice that is due."""
    turn = turn_of(handler_input)
    stored = settle(turn)
    if isinstance(outcome, Silent):
        builder = handler_input.response_builder
        if outcome.directive is not None:
            builder.add_directive(outcome.directive)
        return builder.response
    notices = (["lost_track"] if turn.session.lost_track else []) + turn.user.take_notices()
    turn.session.lost_track = False
    lead = Speech().say(*(turn.say(key) for key in notices))
    said = outcome.if_not_stored if outcome.if_not_stored is not None and not stored else outcome.speech
    speech = Speech().add(*lead.parts, *said.parts)
    reprompt = outcome.reprompt if not outcome.end_session else None
    response = speak(handler_input, speech, reprompt, outcome.end_session)
    question = turn.session.question
    # Dialog directives answer an IntentRequest only (not a launch, a touch on the screen or Alexa's answer
    # to a permission question): after those, a bare answer is heard through the intent's own samples.
    asked_by_voice = getattr(handler_input.request_envelope.request, "object_type", None) == "IntentRequest"
    elicit = None if outcome.end_session or question is None or not asked_by_voice else elicit_slot(question.kind)
    if elicit is not None:  # a question a slot alone answers: Alexa listens for that slot's own samples
        handler_input.response_builder.add_directive(elicit)
    if outcome.card is not None:
        handler_input.response_builder.set_card(card_of(outcome.card))
    if supports_apl(handler_input):
        from skill.screen.document import directive_for  # only a device with a screen loads the screen package

        handler_input.response_builder.add_directive(directive_for(turn, speech, lead))
    # In a routine "repeat" replays from the engine; outside one it says the last reply again.
    turn.session.last_reply = None if turn.session.routine else LastReply(speech.ssml(), reprompt.ssml() if reprompt else None)
    return response


def card_of(card: Card) -> ui.Card:
    """A Simple card for the Alexa app, or Alexa's own card that asks for a permission."""
    if card.ask_for is not None:
        return ui.AskForPermissionsConsentCard(permissions=[card.ask_for])
    return ui.SimpleCard(title=card.title, content=card.text)


def speak(handler_input: HandlerInput, speech: Speech, reprompt: Speech | None, end_session: bool) -> Response:
    """The ASK response that says ``speech``, then listens (reprompting with ``reprompt``) or ends the session."""
    builder = handler_input.response_builder.speak(speech.ssml())
    if reprompt is not None and reprompt.parts:
        builder.ask(reprompt.ssml())
    return builder.set_should_end_session(end_session).response
