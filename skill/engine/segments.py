"""The shape of a routine's timeline: its segments in playing order, without words.

A routine plays as one sequence of segments: each stretch's introduction, getting
into position, each side, each repetition's hold (or a counted set), the rest
between repetitions. A place in a routine is one index into this sequence: the
first segment not yet heard in full. The speech layer gives each segment its
words and duration (``skill.speech.timeline``); this module knows only the
order and the silences the body needs (resting, switching sides, changing
posture), which do not depend on wording.

Example:
    >>> from skill.catalogue import load_catalogue
    >>> from skill.engine.plan import PlanItem
    >>> plan = (PlanItem("single_knee_to_chest", 20, 2),)
    >>> [s.kind.value for s in segments(plan, load_catalogue())]
    ['stretch', 'settle', 'hold', 'rest', 'hold', 'side', 'hold', 'rest', 'hold']
"""

from __future__ import annotations

from typing import NamedTuple
from enum import Enum

from skill.catalogue.model import Catalogue, Posture
from skill.engine.plan import PlanItem

# Silence between two repetitions of a hold, from the end of "release" to the next cue.
REST_BETWEEN_REPS_SECONDS = 5
# From the end of one side's last "release" to the other side's first cue.
SWITCH_SIDES_SECONDS = 4
# Getting into position after the steps, when the posture does not change.
SETTLE_SECONDS = 4
FLOOR = frozenset({Posture.ON_BACK, Posture.FACE_DOWN, Posture.KNEELING, Posture.SITTING})


class SegmentKind(str, Enum):
    STRETCH = "stretch"  # heading, side, position and steps (or name and cue when familiar)
    SETTLE = "settle"  # time to get into position
    SIDE = "side"  # switching to the other side
    HOLD = "hold"  # one repetition's hold, counted down
    REST = "rest"  # between two repetitions of one side
    COUNT = "count"  # a counted set of slow movements


class Segment(NamedTuple):
    kind: SegmentKind
    item_index: int
    side_index: int = 0
    rep: int = 0


def settle_seconds(before: Posture | None, after: Posture) -> int:
    """Time to get into ``after`` from ``before`` (``None``: the routine's first stretch).

    >>> settle_seconds(Posture.ON_BACK, Posture.STANDING), settle_seconds(Posture.ON_BACK, Posture.ON_BACK)
    (12, 4)
    """
    if before is None or before == after:
        return SETTLE_SECONDS
    if (before in FLOOR) != (after in FLOOR):
        return 12  # up from the floor to standing, or down to it
    return 7  # rolling over, or from lying to kneeling or sitting


def played_sides(item: PlanItem, catalogue: Catalogue) -> tuple[int, ...]:
    """The sides a plan item plays, in order: (0,) for a stretch without sides, (0, 1) left then right,
    (1, 0) for a stretch whose article starts on the right."""
    if item.side is not None:
        return (item.side,)
    return catalogue.stretch(item.stretch_id).sides_in_order


def segments(plan: tuple[PlanItem, ...], catalogue: Catalogue) -> tuple[Segment, ...]:
    """Every segment of a routine, in playing order."""
    result: list[Segment] = []
    for index, item in enumerate(plan):
        sides = played_sides(item, catalogue)
        result += [Segment(SegmentKind.STRETCH, index, sides[0]), Segment(SegmentKind.SETTLE, index, sides[0])]
        stretch = catalogue.stretch(item.stretch_id)
        for side in sides:
            if side != sides[0]:
                result.append(Segment(SegmentKind.SIDE, index, side))
            if stretch.kind == "count":
                result.append(Segment(SegmentKind.COUNT, index, side))
                continue
            for rep in range(item.reps):
                if rep:
                    result.append(Segment(SegmentKind.REST, index, side, rep))
                result.append(Segment(SegmentKind.HOLD, index, side, rep))
    return tuple(result)


def item_start(segs: tuple[Segment, ...], item_index: int) -> int:
    """Index of the item's first segment (its introduction)."""
    return next(i for i, s in enumerate(segs) if s.item_index == item_index)


def item_end(segs: tuple[Segment, ...], item_index: int) -> int:
    """Index just past the item's last segment."""
    return max(i for i, s in enumerate(segs) if s.item_index == item_index) + 1


def side_start(segs: tuple[Segment, ...], position: int) -> int:
    """Where the side playing at ``position`` starts: its SIDE segment, or the stretch's introduction."""
    segment = segs[position]
    first = next(
        i for i, s in enumerate(segs)
        if s.item_index == segment.item_index and s.side_index == segment.side_index
    )
    return first if segs[first].kind is SegmentKind.SIDE else item_start(segs, segment.item_index)


def next_side_start(segs: tuple[Segment, ...], position: int) -> int:
    """The start of the side after the one at ``position`` (or of the next stretch); ``len`` at the end."""
    segment = segs[position]
    for i in range(position + 1, len(segs)):
        other = segs[i]
        if other.item_index != segment.item_index or other.side_index != segment.side_index:
            return i
    return len(segs)


def resume_point(segs: tuple[Segment, ...], position: int) -> int:
    """Where to pick up after an interruption at ``position``: a rest resumes at the hold after it."""
    if position < len(segs) and segs[position].kind is SegmentKind.REST:
        return position + 1
    return position
