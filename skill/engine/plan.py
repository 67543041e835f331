"""From a routine and a user's settings to a plan: every stretch with its hold and reps resolved.

Example:
    >>> from skill.catalogue import load_catalogue
    >>> catalogue = load_catalogue()
    >>> plan = build_plan(catalogue.routine("morning").items, catalogue, Settings(hold_seconds=30))
    >>> [(item.stretch_id, item.hold) for item in plan][:2]
    [('single_knee_to_chest', 30), ('double_knee_to_chest', 30)]
"""

from __future__ import annotations

from typing import Iterable, NamedTuple

from skill.catalogue.model import Catalogue, RoutineItem

# Limits for values a plan may carry (user settings are checked more tightly).
HOLD_LIMITS = (1, 180)
REPS_LIMITS = (1, 20)


class Settings(NamedTuple):
    """A user's overrides. ``None`` keeps the routine's or stretch's default."""

    hold_seconds: int | None = None
    reps: int | None = None


class PlanItem(NamedTuple):
    """One stretch of a session with its resolved numbers."""

    stretch_id: str
    hold: int
    reps: int


def build_plan(items: Iterable[RoutineItem], catalogue: Catalogue, settings: Settings) -> tuple[PlanItem, ...]:
    """Resolve each routine item's hold and reps, applying the user's settings.

    A user's hold time applies to ordinary stretches only (``hold_adjustable``);
    warm-up moves, short holds and the lying rest keep their own timing. A user's
    repetition count applies to held stretches, not to counted movements.
    """
    plan = []
    for item in items:
        stretch = catalogue.stretch(item.stretch_id)
        hold = item.hold if item.hold is not None else stretch.hold.default
        reps = item.reps if item.reps is not None else stretch.reps.default
        if stretch.hold_adjustable and settings.hold_seconds is not None:
            hold = settings.hold_seconds
        if stretch.kind == "hold" and stretch.hold_adjustable and settings.reps is not None:
            reps = settings.reps
        plan.append(PlanItem(stretch.id, hold, reps))
    return tuple(plan)
