"""The yes/no questions the skill asks, and what each answer does: one table.

Example:
    >>> sorted(p.value for p in ANSWERS)
    ['carry_on', 'delete_data', 'skip_after_pain']
"""

from __future__ import annotations

from typing import Callable

from skill.flows.progress import forget_progress, keep_progress
from skill.flows.replies import ask, close
from skill.flows.start import offer_routines
from skill.flows.steer import Command, carry_on, steer
from skill.flows.turn import Pending, Turn
from skill.speech import Reply, Speech

Flow = Callable[[Turn], Reply]


def _decline_carry_on(turn: Turn) -> Reply:
    forget_progress(turn)
    return offer_routines(turn, "continue_declined")


def _skip_after_pain(turn: Turn) -> Reply:
    return steer(turn, Command.SKIP)


def _stop_after_pain(turn: Turn) -> Reply:
    keep_progress(turn)
    turn.session.routine = None
    return close(Speech().say(turn.say("pain_stop")))


def _delete_data(turn: Turn) -> Reply:
    turn.session.routine = None
    key = "deleted" if turn.user.delete() else "delete_failed"
    return ask(turn, Speech().say(turn.say(key)), "help_reprompt")


def _keep_data(turn: Turn) -> Reply:
    return ask(turn, Speech().say(turn.say("delete_kept")), "help_reprompt")


# Pending question -> (what yes does, what no does).
ANSWERS: dict[Pending, tuple[Flow, Flow]] = {
    Pending.CARRY_ON: (carry_on, _decline_carry_on),
    Pending.SKIP_AFTER_PAIN: (_skip_after_pain, _stop_after_pain),
    Pending.DELETE_DATA: (_delete_data, _keep_data),
}


def answer(turn: Turn, yes: bool) -> Reply:
    """Yes or no: to the pending question; otherwise, during a routine, "carry on" or "pause"."""
    pending = turn.asked
    if pending is not None:
        on_yes, on_no = ANSWERS[pending]
        return on_yes(turn) if yes else on_no(turn)
    if turn.routine is not None:
        return steer(turn, Command.CONTINUE if yes else Command.PAUSE)
    if yes:
        return offer_routines(turn)
    return close(Speech().say(turn.say("goodbye")))
