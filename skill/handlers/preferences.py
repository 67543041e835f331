"""Settings by voice: preferred routine, hold time, repetitions, pace, level, warm-up, the sore leg,
the user's own routine, their history, and deleting it all. Each entry reads the request's slots and
calls one flow (``skill.flows.settings``, ``own_routine``, ``checkin``, ``questions``)."""

from __future__ import annotations

from typing import Callable

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import get_intent_name

from skill.flows import checkin, own_routine, questions, settings
from skill.flows.turn import Turn
from skill.handlers.responder import Operation, Outcome
from skill.handlers.slots import resolve, slot_text
from skill.profile import FEELINGS, LEGS, LEVELS, WARM_UP_CHOICES
from skill.speech import Reply
from skill.spoken_numbers import duration_seconds, whole_number


def _preferred(handler_input: HandlerInput, turn: Turn) -> Outcome:
    slot = resolve(handler_input, "routine", turn.deps.catalogue.routines)
    return own_routine.set_preferred(turn, slot.resolved_id, slot.heard)


def _hold(handler_input: HandlerInput, turn: Turn) -> Outcome:
    """ "hold each stretch for thirty seconds"; without a number, or out of range, it asks for one."""
    said = slot_text(handler_input, "seconds") or slot_text(handler_input, "duration")
    seconds = whole_number(slot_text(handler_input, "seconds"))
    if seconds is None:
        seconds = duration_seconds(slot_text(handler_input, "duration"))
    return settings.set_number(turn, "hold_seconds", seconds, heard=bool(said))


def _reps(handler_input: HandlerInput, turn: Turn) -> Outcome:
    """ "do five reps"; without a number, or out of range, it asks for one."""
    said = slot_text(handler_input, "reps")
    return settings.set_number(turn, "reps", whole_number(said), heard=bool(said))


# Relative changes: intent -> (the setting, the slot with the amount).
RELATIVE = {"ChangeHoldIntent": ("hold_seconds", "seconds"), "ChangeRepsIntent": ("reps", "reps")}


def _relative(handler_input: HandlerInput, turn: Turn) -> Outcome:
    """ "longer holds", "add ten seconds", "take off five seconds", "more reps", "two fewer repetitions"."""
    field, amount_slot = RELATIVE[str(get_intent_name(handler_input))]
    change = resolve(handler_input, "change", {"more", "less"}).resolved_id
    by = whole_number(slot_text(handler_input, amount_slot))
    return settings.adjust(turn, field, None if change is None else change == "more", by)


def _number(handler_input: HandlerInput, turn: Turn) -> Outcome:
    """A bare number: the answer to "how many seconds?" or "how many repetitions?"."""
    return settings.answer_number(turn, whole_number(slot_text(handler_input, "number")))


def _pace(handler_input: HandlerInput, turn: Turn) -> Outcome:
    """ "slower", "you're going too fast", "speed up"."""
    pace = resolve(handler_input, "pace", {"slower", "faster"}).resolved_id
    return settings.pace(turn, None if pace is None else pace == "slower")


def _stretch(handler_input: HandlerInput, turn: Turn) -> tuple[str | None, str | None]:
    slot = resolve(handler_input, "stretch", turn.deps.catalogue.stretches)
    return slot.resolved_id, slot.heard


def _one_of(flow: Callable[[Turn, str | None], Reply], slot: str, values: tuple[str, ...]) -> Operation:
    """An entry calling ``flow`` with the value of ``slot`` when it is one of ``values``, else None."""
    return lambda handler_input, turn: flow(turn, resolve(handler_input, slot, set(values)).resolved_id)


OPERATIONS: dict[str, Operation] = {
    "SetPreferredRoutineIntent": _preferred,
    "SetHoldTimeIntent": _hold,
    "SetRepsIntent": _reps,
    "ChangeHoldIntent": _relative,
    "ChangeRepsIntent": _relative,
    "NumberIntent": _number,
    "PaceIntent": _pace,
    "SetLevelIntent": _one_of(settings.set_level, "level", LEVELS),
    "MyRoutineIntent": lambda handler_input, turn: own_routine.describe_mine(turn),
    "AddStretchIntent": lambda handler_input, turn: own_routine.add_stretch(turn, *_stretch(handler_input, turn)),
    "RemoveStretchIntent": lambda handler_input, turn: own_routine.remove_stretch(turn, *_stretch(handler_input, turn)),
    "ClearRoutineIntent": lambda handler_input, turn: own_routine.clear(turn),
    "ProgressStatsIntent": lambda handler_input, turn: checkin.report(turn),
    "FeelingIntent": _one_of(checkin.feeling, "feeling", FEELINGS),
    "SoreLegIntent": _one_of(settings.set_sore_leg, "leg", LEGS),
    "OtherLegIntent": lambda handler_input, turn: settings.other_leg(turn),
    "WarmUpChoiceIntent": _one_of(settings.set_warm_up, "choice", WARM_UP_CHOICES),
    "DeleteDataIntent": lambda handler_input, turn: questions.ask_delete(turn),
}
