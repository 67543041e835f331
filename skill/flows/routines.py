"""Which routine a user means, and its stretches."""

from __future__ import annotations

from skill.catalogue import RoutineItem
from skill.engine import PlanItem, build_plan
from skill.flows.turn import OWN_ROUTINE, Turn
from skill.profile import Profile

DEFAULT_ROUTINE = "lower_back"


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


def users_plan(turn: Turn, routine_id: str | None = None, profile: Profile | None = None) -> tuple[PlanItem, ...]:
    """What the user's routine (or ``routine_id``) plays: its stretches with ``profile``'s settings (by default
    the user's own; a setting not yet stored is tried with a changed profile)."""
    profile = profile or turn.user.profile
    return build_plan(routine_items(turn, routine_id or users_routine(turn)), turn.deps.catalogue, profile.settings())
