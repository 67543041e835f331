"""From a routine and a user's settings to a plan: every stretch with its hold and reps resolved.

Example:
    >>> from skill.catalogue import load_catalogue
    >>> catalogue = load_catalogue()
    >>> plan = build_plan(catalogue.routine("lower_back").items, catalogue, Settings(hold_seconds=30))
    >>> [(item.stretch_id, item.hold) for item in plan][:2]  # 003 gives the knee hug about 20 s
    [('pelvic_tilt', 10), ('single_knee_to_chest', 20)]
"""

from __future__ import annotations

from typing import Iterable, NamedTuple

from skill.catalogue.model import Catalogue, RoutineItem

class Settings(NamedTuple):
    """A user's overrides. ``None`` keeps the routine's or stretch's default."""

    hold_seconds: int | None = None
    reps: int | None = None
    sore_side: int | None = None  # 0 left, 1 right: the only side of an "affected side" stretch; None: both


class PlanItem(NamedTuple):
    """One stretch of a session with its resolved numbers; ``side`` set: that side only (0 left, 1 right)."""

    stretch_id: str
    hold: int
    reps: int
    side: int | None = None


def _resolve(item: RoutineItem, catalogue: Catalogue, settings: Settings) -> PlanItem:
    stretch = catalogue.stretch(item.stretch_id)
    hold_range, reps_range = item.ranges(stretch)
    hold, reps = hold_range.default, reps_range.default
    if stretch.hold_adjustable and settings.hold_seconds is not None:
        hold = hold_range.clamp(settings.hold_seconds)
    if stretch.kind == "hold" and stretch.hold_adjustable and settings.reps is not None:
        reps = reps_range.clamp(settings.reps)
    side = settings.sore_side if stretch.side_rule == "affected" and stretch.side_count == 2 else None
    return PlanItem(stretch.id, hold, reps, side)


def build_plan(items: Iterable[RoutineItem], catalogue: Catalogue, settings: Settings) -> tuple[PlanItem, ...]:
    """Resolve each routine item's hold and reps, applying the user's settings within the item's range.

    An item's range is what its article gives (``RoutineItem.ranges``): a routine that takes a
    stretch from another article than the stretch's own plays it with that article's figures.
    A user's hold time applies to ordinary stretches only (``hold_adjustable``); warm-up moves,
    short holds and the lying rest keep their own timing. A user's repetition count applies to
    held stretches, not to counted movements. The articles beat settings: a setting outside an
    item's range gives the nearest value inside it (a beginner's 10 s gives the article's
    shortest hold). A stretch done on the affected side only gets the user's sore side.
    """
    return tuple(_resolve(item, catalogue, settings) for item in items)
