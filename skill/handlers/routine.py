"""Handlers that start, steer and describe a routine. Each reads the request and calls one flow."""

from __future__ import annotations

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import get_intent_name, get_locale, is_intent_name
from ask_sdk_model import Response

from skill.flows import describe, start, steer
from skill.flows.name_free import ROUTINE_TYPE, STRETCH_TYPE, Names
from skill.flows.replies import ask
from skill.handlers.responder import respond, turn_of
from skill.handlers.slots import SlotValue, heard_slot
from skill.speech import Speech


def named(handler_input: HandlerInput, slot_name: str, type_name: str, names: Names) -> SlotValue:
    """The routine or stretch a slot names, found the way a name-free request's answer finds it
    (``skill.flows.name_free``), so that a YES given there is kept here."""
    slot = heard_slot(handler_input, slot_name)
    if not slot.value:
        return SlotValue(None, None)
    try:
        locale = get_locale(handler_input)
    except AttributeError:
        locale = None
    return SlotValue(slot.value, names.identify(slot, type_name, locale if isinstance(locale, str) else None))


class StartRoutineHandler(AbstractRequestHandler):
    """ "start my morning back stretches", "let's do the lower back", "let's go" (mid-routine: carries on)."""

    def __init__(self, names: Names) -> None:
        self.names = names

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("StartRoutineIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        turn = turn_of(handler_input)
        slot = named(handler_input, "routine", ROUTINE_TYPE, self.names)
        if not slot.empty and slot.resolved_id is None:
            return respond(handler_input, start.offer_routines(turn, "routine_unknown", heard=slot.heard))
        return respond(handler_input, steer.start_or_continue(turn, slot.resolved_id))


class ListRoutinesHandler(AbstractRequestHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("ListRoutinesIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        turn = turn_of(handler_input)
        steer.pause_here(turn)
        return respond(handler_input, start.offer_routines(turn))


COMMANDS: dict[str, steer.Command] = {
    "AMAZON.NextIntent": steer.Command.NEXT,
    "AMAZON.PreviousIntent": steer.Command.BACK,
    "AMAZON.RepeatIntent": steer.Command.REPEAT,
    "AMAZON.StartOverIntent": steer.Command.START_OVER,
    "AMAZON.PauseIntent": steer.Command.PAUSE,
    "AMAZON.ResumeIntent": steer.Command.CONTINUE,
    "SkipIntent": steer.Command.SKIP,
}


class RoutineCommandHandler(AbstractRequestHandler):
    """Next, previous, repeat, start over, pause, continue and skip."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return any(is_intent_name(name)(handler_input) for name in COMMANDS)

    def handle(self, handler_input: HandlerInput) -> Response:
        turn = turn_of(handler_input)
        command = COMMANDS[str(get_intent_name(handler_input))]
        if command is steer.Command.REPEAT and turn.routine is None and turn.session.last_reply:
            return replay_last(handler_input)
        return respond(handler_input, steer.steer(turn, command))


def replay_last(handler_input: HandlerInput) -> Response:
    """Say the previous response again (outside a routine, "repeat" means exactly that)."""
    last = turn_of(handler_input).session.last_reply or {}
    builder = handler_input.response_builder.speak(last["ssml"])
    if last.get("reprompt"):
        builder.ask(last["reprompt"])
    builder.set_should_end_session(False)
    return builder.response


class ProgressHandler(AbstractRequestHandler):
    """ "how many are left", "how much longer"."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("ProgressIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        return respond(handler_input, describe.how_long(turn_of(handler_input)))


class StretchInfoHandler(AbstractRequestHandler):
    """ "what does this stretch help with", "what is child's pose good for"."""

    def __init__(self, names: Names) -> None:
        self.names = names

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("StretchInfoIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        turn = turn_of(handler_input)
        slot = named(handler_input, "stretch", STRETCH_TYPE, self.names)
        if not slot.empty and slot.resolved_id is None:
            reprompt = "reprompt_routine" if turn.routine else "offer_routines_reprompt"
            speech = Speech().say(turn.say("why_unknown_stretch", heard=slot.heard))
            return respond(handler_input, ask(turn, speech, reprompt))
        return respond(handler_input, describe.stretch_info(turn, slot.resolved_id))


class FullStepsHandler(AbstractRequestHandler):
    """ "tell me the full steps", "how do I do this one"."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("FullStepsIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        return respond(handler_input, describe.full_steps(turn_of(handler_input)))


class PainHandler(AbstractRequestHandler):
    """ "this hurts": stop the stretch, say not to push into pain, offer the next one."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("PainIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        return respond(handler_input, steer.hurts(turn_of(handler_input)))
