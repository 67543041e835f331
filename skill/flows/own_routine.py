"""The routine a user gets: their preferred one, their own list of stretches, and what it holds.

The own routine's rules live here: it starts from the routine the user gets today, holds each
stretch once and at most ``MAX_OWN_ROUTINE`` of them, and emptied it gives way to the preferred
routine again. Each change is kept in the profile (stored before its confirmation is said) and
confirmed in one sentence; mid-routine the routine waits.

Example:
    >>> _added(["pelvic_tilt"], "pelvic_tilt"), _added(["pelvic_tilt"], "childs_pose")
    ('already_in', None)
"""

from __future__ import annotations

from skill.flows.routines import users_plan, users_routine
from skill.flows.settings import confirm
from skill.flows.start import offer_routines
from skill.flows.turn import Turn
from skill.profile import MAX_OWN_ROUTINE
from skill.speech import Reply


def set_preferred(turn: Turn, routine_id: str | None, heard: str | None = None) -> Reply:
    """ "make the morning stretches my usual routine"; a name the skill does not know lists the routines."""
    if routine_id is None:
        return offer_routines(turn, "routine_unknown", heard=heard) if heard else offer_routines(turn)
    profile = turn.user.profile.with_(preferred_routine=routine_id)
    turn.user.change(profile, {"preferred_routine"})
    texts = [turn.say("preferred_set", routine=turn.routine_name(routine_id))]
    if profile.own_routine:
        texts.append(turn.say("own_routine_still_first"))
    return confirm(turn, *texts, changed=True)


def describe_mine(turn: Turn) -> Reply:
    """ "what is my routine": name, stretches, hold, repetitions and length."""
    catalogue, profile, phrases = turn.deps.catalogue, turn.user.profile, turn.phrases
    routine_id, settings = users_routine(turn), profile.settings()
    plan = users_plan(turn, routine_id)
    seconds = turn.deps.timeline(plan, profile.familiar()).seconds()
    stretches = [catalogue.stretch(i.stretch_id).name for i in plan]
    hold = phrases.say("my_hold", seconds=settings.hold_seconds) if settings.hold_seconds else phrases.say("my_hold_default")
    reps = phrases.say("my_reps", reps=settings.reps) if settings.reps else phrases.say("my_reps_default")
    return confirm(
        turn,
        phrases.say("my_routine", routine=turn.routine_name(routine_id), stretches=phrases.join(stretches)),
        hold,
        reps,
        phrases.say("my_length", length=turn.composer.length(seconds)),
    )


def _own_or_seed(turn: Turn) -> list[str]:
    """The user's own routine; the first edit starts from the routine they get today."""
    profile = turn.user.profile
    if profile.own_routine:
        return list(profile.own_routine)
    return [item.stretch_id for item in turn.deps.catalogue.routine(users_routine(turn)).items]


def _added(own: list[str], stretch_id: str) -> str | None:
    """Why ``stretch_id`` cannot be added (a phrase key), or None."""
    if stretch_id in own:
        return "already_in"
    return "routine_full" if len(own) >= MAX_OWN_ROUTINE else None


def add_stretch(turn: Turn, stretch_id: str | None, heard: str | None = None) -> Reply:
    """ "add child's pose to my routine"."""
    if stretch_id is None:
        return _unknown_stretch(turn, heard)
    own, name = _own_or_seed(turn), turn.deps.catalogue.stretch(stretch_id).name
    refusal = _added(own, stretch_id)
    if refusal:
        return confirm(turn, turn.say(refusal, name=name, max=MAX_OWN_ROUTINE))
    own.append(stretch_id)
    _keep(turn, own)
    return confirm(turn, turn.say("added", name=name, count=len(own)), changed=True)


def remove_stretch(turn: Turn, stretch_id: str | None, heard: str | None = None) -> Reply:
    """ "take the cat cow out of my routine"; the last one out gives the preferred routine back."""
    if stretch_id is None:
        return _unknown_stretch(turn, heard)
    own, name = _own_or_seed(turn), turn.deps.catalogue.stretch(stretch_id).name
    if stretch_id not in own:
        return confirm(turn, turn.say("not_in_routine", name=name))
    own.remove(stretch_id)
    _keep(turn, own)
    if own:
        return confirm(turn, turn.say("removed", name=name, count=len(own)), changed=True)
    return confirm(turn, turn.say("removed_last", name=name, routine=turn.routine_name(users_routine(turn))), changed=True)


def clear(turn: Turn) -> Reply:
    """ "clear my routine": the preferred routine (or the default) again."""
    _keep(turn, [])
    return confirm(turn, turn.say("cleared", routine=turn.routine_name(users_routine(turn))), changed=True)


def _keep(turn: Turn, own: list[str]) -> None:
    turn.user.change(turn.user.profile.with_(own_routine=tuple(own)), {"own_routine"})


def _unknown_stretch(turn: Turn, heard: str | None) -> Reply:
    return confirm(turn, turn.say("stretch_unknown" if heard else "stretch_missing", heard=heard))
