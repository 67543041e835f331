"""Starting a routine, and offering the routines there are."""

from __future__ import annotations

from typing import Any

from skill.catalogue import RoutineItem
from skill.engine import RoutineState
from skill.flows.playing import play, timeline_for
from skill.flows.replies import ask
from skill.flows.turn import Turn
from skill.speech import Reply, Speech
from skill.speech.timeline import speech_seconds

DEFAULT_ROUTINE = "lower_back"
OWN_ROUTINE = "own"


def users_routine(turn: Turn) -> str:
    """What "start my back stretches" plays: their own routine, else their preferred one, else the default."""
    profile = turn.user.profile
    if profile.own_routine:
        return OWN_ROUTINE
    return profile.preferred_routine or DEFAULT_ROUTINE


def routine_items(turn: Turn, routine_id: str) -> tuple[RoutineItem, ...]:
    """The stretches of a catalogue routine, or of the user's own (``OWN_ROUTINE``)."""
    if routine_id == OWN_ROUTINE:
        return tuple(RoutineItem(s) for s in turn.user.profile.own_routine)
    return turn.deps.catalogue.routine(routine_id).items


def start_routine(turn: Turn, routine_id: str) -> Reply:
    """Start a routine from the top with the user's settings, and play it."""
    user, now_ms = turn.user, turn.now_ms()
    profile = user.profile
    state = turn.deps.engine.start(routine_id, routine_items(turn, routine_id), profile.settings(), now_ms)
    opening = _opening(turn, state, first_time=not profile.disclaimer_given, hint=not profile.hint_given)
    user.change(
        profile.record_session(user.today(now_ms / 1000)).with_(disclaimer_given=True, hint_given=True),
        {"session_dates", "disclaimer_given", "hint_given"},
    )
    return play(turn, state, prefix=opening)


def _opening(turn: Turn, state: RoutineState, first_time: bool, hint: bool) -> Speech:
    """The routine's name, size and length (its whole audio, this opening included)."""
    name, count = turn.routine_name(state.routine_id), len(state.items)
    routine_seconds = timeline_for(turn, state).seconds()
    draft = turn.composer.opening(name, count, routine_seconds, first_time, hint)
    return turn.composer.opening(name, count, routine_seconds + speech_seconds(draft), first_time, hint)


def offer_routines(turn: Turn, *lead_keys: str, **values: Any) -> Reply:
    """Say ``lead_keys`` then list the routines and ask which one."""
    names = [r.name for r in turn.deps.catalogue.routines.values()]
    speech = Speech().say(*(turn.say(k, **values) for k in lead_keys))
    speech.say(turn.say("routine_list", count=len(names), names=turn.phrases.join(names)), turn.say("routine_list_question"))
    return ask(turn, speech, "offer_routines_reprompt")
