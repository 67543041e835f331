"""From a routine and a user's settings to the ordered turns ("blocks") of a session.

A *plan* is the routine with every hold and repetition count resolved. A *block*
is what one spoken response plays: one side of one stretch, with as many
repetitions as fit in ``MAX_BLOCK_SECONDS`` so that a long hold with many reps
is split over several turns instead of one endless response.

Example:
    >>> from skill.catalogue import load_catalogue
    >>> catalogue = load_catalogue()
    >>> plan = build_plan(catalogue.routine("morning").items, catalogue, Settings())
    >>> blocks(plan, catalogue)[0].item_index
    0
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from skill.catalogue.model import Catalogue, RoutineItem, Stretch

# Speaking rate used for every duration estimate (words per minute), after the
# platform notes: about 160 words a minute.
WORDS_PER_MINUTE = 160
# Pause between two repetitions of the same side.
REST_BETWEEN_REPS_SECONDS = 5
# Time given to get into position after the steps are read.
GET_READY_SECONDS = 3
# Upper bound on the holding time played in one response.
MAX_BLOCK_SECONDS = 150
# Limits for values a plan may carry (user settings are checked more tightly).
HOLD_LIMITS = (1, 180)
REPS_LIMITS = (1, 20)


@dataclass(frozen=True)
class Settings:
    """A user's overrides. ``None`` keeps the routine's or stretch's default."""

    hold_seconds: int | None = None
    reps: int | None = None


@dataclass(frozen=True)
class PlanItem:
    """One stretch of a session with its resolved numbers."""

    stretch_id: str
    hold: int
    reps: int


@dataclass(frozen=True)
class Block:
    """One turn of playback: reps ``first_rep`` .. ``first_rep + rep_count - 1`` on one side."""

    item_index: int
    side_index: int
    first_rep: int
    rep_count: int

    @property
    def is_item_start(self) -> bool:
        return self.side_index == 0 and self.first_rep == 0


def build_plan(items: Iterable[RoutineItem], catalogue: Catalogue, settings: Settings) -> tuple[PlanItem, ...]:
    """Resolve each routine item's hold and reps, applying the user's settings.

    A user's hold time applies to ordinary stretches only (``hold_adjustable``);
    warm-up moves, short pulses and the lying rest keep their own timing. A user's
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


def reps_per_block(stretch: Stretch, hold: int) -> int:
    """How many repetitions one response plays (a counted set is always one block)."""
    if stretch.kind == "count":
        return REPS_LIMITS[1]
    return max(1, MAX_BLOCK_SECONDS // (hold + REST_BETWEEN_REPS_SECONDS))


def blocks(plan: tuple[PlanItem, ...], catalogue: Catalogue) -> tuple[Block, ...]:
    """Every turn of the session, in order."""
    result = []
    for index, item in enumerate(plan):
        stretch = catalogue.stretch(item.stretch_id)
        per_block = reps_per_block(stretch, item.hold)
        for side in range(stretch.side_count):
            if stretch.kind == "count":
                result.append(Block(index, side, 0, item.reps))
                continue
            for first in range(0, item.reps, per_block):
                result.append(Block(index, side, first, min(per_block, item.reps - first)))
    return tuple(result)


def speaking_seconds(text: str) -> float:
    """Estimated time to say ``text`` at ``WORDS_PER_MINUTE``."""
    return len(text.split()) * 60.0 / WORDS_PER_MINUTE


def block_seconds(block: Block, plan: tuple[PlanItem, ...], catalogue: Catalogue) -> float:
    """Estimated length of a block: instructions (first block of a stretch) plus holds and rests."""
    item = plan[block.item_index]
    stretch = catalogue.stretch(item.stretch_id)
    seconds = 0.0
    if block.is_item_start:
        seconds += speaking_seconds(" ".join((stretch.name, stretch.position, *stretch.steps, stretch.cue)))
        seconds += GET_READY_SECONDS
    if stretch.kind == "count":
        return seconds + item.reps * item.hold
    return seconds + block.rep_count * item.hold + (block.rep_count - 1) * REST_BETWEEN_REPS_SECONDS


def plan_seconds(plan: tuple[PlanItem, ...], catalogue: Catalogue) -> float:
    """Estimated length of a whole session, computed from the catalogue."""
    return sum(block_seconds(b, plan, catalogue) for b in blocks(plan, catalogue))
