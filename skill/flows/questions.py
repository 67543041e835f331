"""The questions the skill asks, and what yes and no do to each: one table.

Example:
    >>> sorted(p.value for p in Pending) == sorted(p.value for p in ANSWERS)
    True
"""

from __future__ import annotations

from typing import Callable

from skill.flows.progress import forget_progress, keep_progress
from skill.flows.replies import ask, close
from skill.flows import checkin, settings
from skill.flows.routines import users_routine
from skill.flows.start import offer_routines, start_routine
from skill.flows.steer import Command, carry_on, pause_here, steer
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


def _warm_up_first(turn: Turn) -> Reply:
    return start_routine(turn, turn.session.pending_routine or users_routine(turn), warm_up=True)


def _no_warm_up(turn: Turn) -> Reply:
    return start_routine(turn, turn.session.pending_routine or users_routine(turn), warm_up=False)


def _both_legs(turn: Turn) -> Reply:
    return settings.set_sore_leg(turn, "both")


def _go_on(turn: Turn) -> Reply:
    return start_routine(turn, users_routine(turn), warm_up=False)


def _stop_here(turn: Turn) -> Reply:
    return close(Speech().say(turn.say("goodbye")))


def _switch_routine(turn: Turn) -> Reply:
    return start_routine(turn, turn.session.pending_routine or users_routine(turn))


def _keep_routine(turn: Turn) -> Reply:
    return steer(turn, Command.CONTINUE)


def _hold_yes(turn: Turn) -> Reply:
    """Yes to "how many seconds?": the question again, for the number itself."""
    return settings.set_number(turn, "hold_seconds", None)


def _reps_yes(turn: Turn) -> Reply:
    return settings.set_number(turn, "reps", None)


def ask_reminder_time(turn: Turn, *before: str) -> Reply:
    """ "What time each day?": the next SetReminderIntent (a bare time too) answers it; a routine waits."""
    pause_here(turn)
    turn.session.pending = Pending.REMINDER_TIME
    return ask(turn, Speech().say(*before, turn.say("reminder_ask_time")), "reminder_ask_time_reprompt")


def _no_reminder(turn: Turn) -> Reply:
    return settings.confirm(turn, turn.say("reminder_not_set"))


# Questions before a routine that "let's go" or "start" (naming no routine) answers as a yes.
GO_AHEAD = frozenset({Pending.CARRY_ON, Pending.WARM_UP, Pending.SORE_LEG})

# Pending question -> (what yes does, what no does).
ANSWERS: dict[Pending, tuple[Flow, Flow]] = {
    Pending.CARRY_ON: (carry_on, _decline_carry_on),
    Pending.SKIP_AFTER_PAIN: (_skip_after_pain, _stop_after_pain),
    Pending.DELETE_DATA: (_delete_data, _keep_data),
    Pending.WARM_UP: (_warm_up_first, _no_warm_up),
    Pending.SORE_LEG: (settings.ask_which_leg, _both_legs),
    Pending.CONFIRM_SETTING: (settings.confirm_pending_setting, settings.decline_pending_setting),
    Pending.FEELING: (checkin.ask_feeling_again, checkin.skip_feeling),
    Pending.GO_ON: (_go_on, _stop_here),
    Pending.SWITCH_ROUTINE: (_switch_routine, _keep_routine),
    Pending.HOLD_SECONDS: (_hold_yes, settings.decline_pending_setting),
    Pending.REPS: (_reps_yes, settings.decline_pending_setting),
    Pending.REMINDER_TIME: (ask_reminder_time, _no_reminder),
}


def answer(turn: Turn, yes: bool) -> Reply:
    """Yes or no: to the pending question; otherwise, during a routine, "carry on" or "pause"."""
    pending = turn.asked
    if pending is not None:
        on_yes, on_no = ANSWERS[pending]
        return on_yes(turn) if yes else on_no(turn)
    if turn.routine is not None:
        return steer(turn, Command.CONTINUE if yes else Command.PAUSE)
    if yes:  # "okay", "let's do it" with nothing asked: what the user came for
        return start_routine(turn, users_routine(turn))
    return close(Speech().say(turn.say("goodbye")))
