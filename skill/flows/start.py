"""Starting a routine, and offering the routines there are."""

from __future__ import annotations

from typing import Any

from skill.catalogue.model import SafetyMoment
from skill.engine import RoutineState
from skill.flows.doctor import ask_seen_doctor, needs_asking
from skill.flows.growth import grown
from skill.flows.playing import finish_if_heard, play, safety_first, timeline_for
from skill.flows.routines import routine_items
from skill.flows.replies import ask, ask_question
from skill.flows.turn import Pending, Question, Turn
from skill.profile import WarmUp
from skill.speech import Reply, Speech
from skill.speech.timeline import speech_seconds

def start_routine(turn: Turn, routine_id: str, warm_up: bool | None = None) -> Reply:
    """Start a routine from the top with the user's settings, and play it.

    First, what only the user can say: which leg is sore (for a routine with a stretch done on
    the affected side, asked once), and whether to warm up (for a routine whose article says to
    warm up first, unless the user chose "always" or "skip"). ``warm_up`` is that answer.
    """
    finish_if_heard(turn)  # a routine that just ended (the warm-up before this one) is counted first
    if needs_asking(turn, routine_id):  # told to see a doctor last time: that comes first
        return ask_seen_doctor(turn, routine_id)
    today = turn.today()  # first: it may keep the user's time zone in the profile
    user, now_ms, catalogue = turn.user, turn.now_ms(), turn.deps.catalogue
    profile = user.profile
    items = routine_items(turn, routine_id)
    if profile.sore_leg is None and any(catalogue.stretch(i.stretch_id).side_rule == "affected" for i in items):
        return ask_question(turn, Question(Pending.SORE_LEG, routine_id), Speech().say(turn.say("ask_sore_leg")))
    warm_up_id = catalogue.routine(routine_id).warm_up if routine_id in catalogue.routines else None
    if warm_up_id is not None and warm_up is None:
        if profile.warm_up is None:
            return ask_question(turn, Question(Pending.WARM_UP, routine_id), Speech().say(turn.say("ask_warm_up")))
        warm_up = profile.warm_up is WarmUp.ALWAYS
    notes: list[str] = []
    if warm_up and warm_up_id is not None:
        items = catalogue.routine(warm_up_id).items + items
        notes.append(turn.say("warming_up_first"))
    elif warm_up_id is not None and not turn.was_asked(Pending.GO_ON):  # not right after the warm-up routine itself
        notes.extend(rule.text for rule in catalogue.safety_for(SafetyMoment.WARM_UP_SKIPPED))
    settings = profile.settings()
    state = turn.deps.engine.start(routine_id, items, settings, now_ms)
    state = state.with_(items=grown(turn, routine_id, state.items))  # the holds the user chose on the way
    opening = _opening(turn, state, _safety_first(turn), notes, hint=not profile.hint_given)
    user.change(
        profile.record_session(today).with_(disclaimer_given=True, hint_given=True),
        {"session_dates", "disclaimer_given", "hint_given"},
    )
    return play(turn, state, prefix=opening)


def _safety_first(turn: Turn) -> list[str]:
    """Before the first hold of a session: never bounce, stop if it hurts; the doctor advice on first
    use; and before each of a user's first routines, one preparation tip in turn (clothes and space,
    never force a position, breathe normally), so that it is heard before they get on the floor."""
    profile = turn.user.profile
    said: list[str] = []
    if not profile.disclaimer_given:
        said.append(turn.say("disclaimer"))
    said.extend(safety_first(turn))
    sessions = len(profile.session_dates)
    welcomed = sessions == 0 and profile.disclaimer_given  # the welcome said the first tip with the disclaimer
    if not welcomed and profile.session_dates[-1:] != (turn.today().isoformat(),):
        said.extend(first_tip(turn))
    return said


def first_tip(turn: Turn) -> list[str]:
    """The preparation tip for a user's next first routine (one for each of the first few), if any."""
    tips, sessions = turn.deps.catalogue.safety_for(SafetyMoment.FIRST_USE), len(turn.user.profile.session_dates)
    return [tips[sessions].text] if sessions < len(tips) else []


def _opening(turn: Turn, state: RoutineState, safety: list[str], notes: list[str], hint: bool) -> Speech:
    """Safety, the routine's name, size and length (its whole audio, this opening included), notes, how to steer."""
    name, count = turn.routine_name(state.routine_id), len(state.items)
    routine_seconds = timeline_for(turn, state).seconds()
    draft = turn.composer.opening(name, count, routine_seconds, safety, notes, hint)
    return turn.composer.opening(name, count, routine_seconds + speech_seconds(draft), safety, notes, hint)


def offer_routines(turn: Turn, *lead_keys: str, **values: Any) -> Reply:
    """Say ``lead_keys`` then list the routines and ask which one."""
    names = [r.name for r in turn.deps.catalogue.routines.values()]
    speech = Speech().say(*(turn.say(k, **values) for k in lead_keys))
    speech.say(turn.say("routine_list", count=len(names), names=turn.phrases.join(names)), turn.say("routine_list_question"))
    return ask(turn, speech, "offer_routines_reprompt")
