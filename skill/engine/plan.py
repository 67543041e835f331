"""From a routine and a user's settings to a plan: every stretch with its hold and reps resolved.

Example:
    >>> from skill.catalogue import load_catalogue
    >>> catalogue = load_catalogue()
    >>> plan = build_plan(catalogue.routine("morning").items, catalogue, Settings(hold_seconds=30))
    >>> [(item.stretch_id, item.hold) for item in plan][:2]
    [('single_knee_to_chest', 30), ('double_knee_to_chest', 20)]
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


class Limit(NamedTuple):
    """A stretch whose safe range overrode the user's setting: the values it keeps (None: not limited)."""

    stretch_id: str
    hold: int | None
    reps: int | None


def _resolve(item: RoutineItem, catalogue: Catalogue, settings: Settings) -> tuple[PlanItem, Limit | None]:
    stretch = catalogue.stretch(item.stretch_id)
    hold = item.hold if item.hold is not None else stretch.hold.default
    reps = item.reps if item.reps is not None else stretch.reps.default
    kept_hold = kept_reps = None
    if stretch.hold_adjustable and settings.hold_seconds is not None:
        hold = stretch.hold.clamp(settings.hold_seconds)
        kept_hold = hold if hold != settings.hold_seconds else None
    if stretch.kind == "hold" and stretch.hold_adjustable and settings.reps is not None:
        reps = stretch.reps.clamp(settings.reps)
        kept_reps = reps if reps != settings.reps else None
    side = settings.sore_side if stretch.side_rule == "affected" and stretch.side_count == 2 else None
    limit = Limit(stretch.id, kept_hold, kept_reps) if kept_hold or kept_reps else None
    return PlanItem(stretch.id, hold, reps, side), limit


def build_plan(items: Iterable[RoutineItem], catalogue: Catalogue, settings: Settings) -> tuple[PlanItem, ...]:
    """Resolve each routine item's hold and reps, applying the user's settings within each stretch's safe range.

    A user's hold time applies to ordinary stretches only (``hold_adjustable``);
    warm-up moves, short holds and the lying rest keep their own timing. A user's
    repetition count applies to held stretches, not to counted movements. Safety beats
    settings: a setting outside a stretch's range (from its articles) gives the nearest
    value inside it. A stretch done on the affected side only gets the user's sore side.
    """
    return tuple(_resolve(item, catalogue, settings)[0] for item in items)


def limits(items: Iterable[RoutineItem], catalogue: Catalogue, settings: Settings) -> tuple[Limit, ...]:
    """The stretches whose safe range kept them from the user's setting, in routine order, once each."""
    found: dict[str, Limit] = {}
    for item in items:
        limit = _resolve(item, catalogue, settings)[1]
        if limit is not None and limit.stretch_id not in found:
            found[limit.stretch_id] = limit
    return tuple(found.values())
