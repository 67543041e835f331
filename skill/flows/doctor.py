"""After "please see a doctor or physiotherapist before you stretch again": the next session asks first.

Two "worse" check-ins in a row bring that advice (``skill.flows.checkin``), and the profile keeps when
(``Profile.doctor_advised``). The session after it opens by asking whether they have seen one (asked at
the launch, or before a routine starts when the user names one straight away). Yes: the advice is
done with, and everything goes on as usual. No: the gentlest routine there is, or stopping for today.

The gentlest routine is the warm-up: article 003 gives its ankle pumps, heel slides and abdominal
contraction as easy moves that get the blood flowing without risk to the spine, where the back break
(004) has two knee-to-chest stretches before its rest.
"""

from __future__ import annotations

from skill.flows.replies import ask_question
from skill.flows.turn import Pending, Question, Turn
from skill.speech import Reply, Speech

GENTLEST_ROUTINE = "warm_up"


def needs_asking(turn: Turn, routine_id: str | None = None) -> bool:
    """Whether the doctor question comes first: advised, not yet answered in this exchange, and not
    for the gentlest routine itself (which "no" offers)."""
    if turn.user.profile.doctor_advised is None or routine_id == GENTLEST_ROUTINE:
        return False
    return not turn.was_asked(Pending.SEEN_DOCTOR, Pending.GENTLE_ROUTINE)


def ask_seen_doctor(turn: Turn, routine_id: str | None, *before: str) -> Reply:
    """ "Have you seen a doctor or physiotherapist since?" (``routine_id``: the routine that waits on it)."""
    return ask_question(turn, Question(Pending.SEEN_DOCTOR, routine_id), Speech().say(*before, turn.say("doctor_ask")))


def seen(turn: Turn) -> None:
    """They have: the advice is done with."""
    turn.user.change(turn.user.profile.with_(doctor_advised=None), {"doctor_advised"})


def offer_gentlest(turn: Turn) -> Reply:
    """They have not: the gentlest routine, or stopping for today."""
    name = turn.routine_name(GENTLEST_ROUTINE)
    speech = Speech().say(turn.say("doctor_not_seen", routine=name))
    return ask_question(turn, Question(Pending.GENTLE_ROUTINE, GENTLEST_ROUTINE), speech, routine=name)
