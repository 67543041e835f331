"""Starting, steering and describing a routine: each entry reads the request and calls one flow."""

from __future__ import annotations

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import get_locale

from skill.flows import describe, steer
from skill.flows.spoken_names import ROUTINE_TYPE, STRETCH_TYPE, SpokenNames
from skill.flows.turn import Turn
from skill.handlers.responder import Operation, Outcome
from skill.handlers.slots import SlotValue, heard_slot


def named(handler_input: HandlerInput, slot_name: str, type_name: str, names: SpokenNames) -> SlotValue:
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


def _command(command: steer.Command) -> Operation:
    return lambda handler_input, turn: steer.steer(turn, command)


def operations(names: SpokenNames) -> dict[str, Operation]:
    """The intents of a routine; routine and stretch names are read with ``names``."""

    def start(handler_input: HandlerInput, turn: Turn) -> Outcome:
        """ "start my morning back stretches", "let's do the lower back" (mid-routine: carries on)."""
        slot = named(handler_input, "routine", ROUTINE_TYPE, names)
        return steer.start_or_continue(turn, slot.resolved_id, heard=slot.heard)

    def stretch_info(handler_input: HandlerInput, turn: Turn) -> Outcome:
        """ "what does this stretch help with", "what is child's pose good for"."""
        slot = named(handler_input, "stretch", STRETCH_TYPE, names)
        return describe.stretch_info(turn, slot.resolved_id, heard=slot.heard)

    return {
        "StartRoutineIntent": start,
        "ListRoutinesIntent": lambda handler_input, turn: describe.list_routines(turn),
        "AMAZON.NextIntent": _command(steer.Command.NEXT),
        "AMAZON.PreviousIntent": _command(steer.Command.BACK),
        "AMAZON.RepeatIntent": lambda handler_input, turn: describe.repeat(turn),
        "AMAZON.StartOverIntent": _command(steer.Command.START_OVER),
        "AMAZON.PauseIntent": _command(steer.Command.PAUSE),
        "AMAZON.ResumeIntent": _command(steer.Command.CONTINUE),
        "SkipIntent": _command(steer.Command.SKIP),
        "ProgressIntent": lambda handler_input, turn: describe.how_long(turn),
        "StretchInfoIntent": stretch_info,
        "FullStepsIntent": lambda handler_input, turn: describe.full_steps(turn),
        "PainIntent": lambda handler_input, turn: steer.hurts(turn),
    }
