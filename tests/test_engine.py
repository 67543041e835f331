"""Example-based tests of the routine engine: plan, segments, state (de)serialisation, locating and steering.

Times are fixed epoch milliseconds. Chunks are made by hand with every segment 20 s long,
so the expected place of a request follows from the offsets built here: a request "during"
a segment is sent at that segment's middle plus a few seconds (a reaction to what was
heard), which lands well inside it whatever small reaction time the engine allows for.
"""

from __future__ import annotations

import copy
import itertools
import json
from decimal import Decimal
from importlib import resources
from typing import Any, Callable

import pytest

from skill.catalogue import load_catalogue
from skill.catalogue.model import Posture, Range, RoutineItem, parse_catalogue
from skill.engine import (
    Chunk,
    InvalidState,
    Moment,
    PlanItem,
    RoutineEngine,
    RoutineState,
    Segment,
    SegmentKind,
    Settings,
    Status,
    Where,
    build_plan,
    segments,
)
from skill.engine.segments import (
    item_end,
    item_start,
    next_side_start,
    played_sides,
    resume_point,
    settle_seconds,
    side_start,
)
from skill.engine.state import MAX_ITEMS

CATALOGUE = load_catalogue()
ENGINE = RoutineEngine(CATALOGUE)
ROUTINE_IDS = sorted(CATALOGUE.routines)

STRETCH, SETTLE, SIDE, HOLD, REST, COUNT = (
    SegmentKind.STRETCH, SegmentKind.SETTLE, SegmentKind.SIDE, SegmentKind.HOLD, SegmentKind.REST, SegmentKind.COUNT,
)

# A routine of three stretches used by the steering tests, and its timeline written out by hand:
#   0 STRETCH  1 SETTLE  2 HOLD  3 REST  4 HOLD  5 SIDE  6 HOLD  7 REST  8 HOLD   single knee to chest, 2 sides x 2
#   9 STRETCH 10 SETTLE 11 HOLD 12 REST 13 HOLD                                   kneeling back stretch, 2 reps
#  14 STRETCH 15 SETTLE 16 COUNT 17 SIDE 18 COUNT                                 heel slides, counted, 2 sides
ITEMS = (
    RoutineItem("single_knee_to_chest", hold=Range(20, 20, 20), reps=Range(2, 2, 2)),
    RoutineItem("kneeling_back_stretch", hold=Range(20, 20, 20), reps=Range(2, 2, 2)),
    RoutineItem("heel_slides"),
)
LENGTH = 19
FIRST, SECOND, THIRD = 0, 9, 14  # where each stretch starts
SECOND_SIDE = 5  # where the first stretch's right side starts

T0 = 1_700_000_000_000  # when the routine was started (epoch ms)
SENT = T0 + 60_000  # when the hand-made chunks are sent
LEAD_MS = 3_000  # opening words before a chunk's first segment
SEGMENT_MS = 20_000
SPOKEN_MS = 2_000  # of each segment, words (the rest is breaks, which play exactly)


def _start() -> RoutineState:
    return ENGINE.start("own", ITEMS, Settings(), now_ms=T0)


def _chunk(start: int, end: int, sent_at: int = SENT, lead_ms: int = LEAD_MS) -> Chunk:
    """Segments ``start`` .. ``end - 1``, each 20 s long of which 2 s are words, after ``lead_ms`` of opening words."""
    ends = tuple(lead_ms + SEGMENT_MS * k for k in range(end - start + 1))
    return Chunk(start, end, sent_at, ends, tuple(lead_ms + SPOKEN_MS * k for k in range(end - start + 1)))


def _during(chunk: Chunk, position: int) -> int:
    """A request's timestamp well inside segment ``position``: its middle plus a few seconds."""
    k = position - chunk.start
    return chunk.sent_at_ms + (chunk.ends_ms[k] + chunk.ends_ms[k + 1]) // 2 + 3_000


def _after(chunk: Chunk) -> int:
    """A request's timestamp after the whole chunk was heard (answering its closing question)."""
    return chunk.sent_at_ms + chunk.ends_ms[-1] + 15_000


def _playing(start: int, end: int, skipped: tuple[int, ...] = ()) -> tuple[RoutineState, Chunk]:
    chunk = _chunk(start, end)
    return ENGINE.sent(_start().with_(position=start, skipped=skipped), chunk), chunk


def _interrupted(start: int, end: int, position: int, skipped: tuple[int, ...] = ()) -> Moment:
    """A request said while segment ``position`` of the chunk ``start`` .. ``end - 1`` was playing."""
    state, chunk = _playing(start, end, skipped)
    moment = ENGINE.locate(state, _during(chunk, position))
    assert (moment.state.position, moment.where) == (position, Where.INTERRUPTED)
    return moment


def _boundary(start: int, end: int, skipped: tuple[int, ...] = ()) -> Moment:
    """A request said after the chunk ``start`` .. ``end - 1`` played to its end."""
    state, chunk = _playing(start, end, skipped)
    moment = ENGINE.locate(state, _after(chunk))
    assert (moment.state.position, moment.where) == (end, Where.BOUNDARY)
    return moment


def _stopped(position: int, skipped: tuple[int, ...] = ()) -> Moment:
    """A request while nothing was playing (the routine was paused at ``position``)."""
    moment = ENGINE.locate(_start().with_(position=position, skipped=skipped), SENT)
    assert moment.where is Where.STOPPED
    return moment


def test_hand_written_timeline_matches_the_engine() -> None:
    """The positions the steering tests name are the ones the engine plays (checked once, here)."""
    timeline = segments(_start().items, CATALOGUE)
    assert len(timeline) == LENGTH
    assert [s.kind for s in timeline] == [
        STRETCH, SETTLE, HOLD, REST, HOLD, SIDE, HOLD, REST, HOLD,
        STRETCH, SETTLE, HOLD, REST, HOLD,
        STRETCH, SETTLE, COUNT, SIDE, COUNT,
    ]
    assert [timeline[p].item_index for p in (FIRST, SECOND, THIRD)] == [0, 1, 2]


# -- segments -------------------------------------------------------------------------------


def test_sided_held_stretch_plays_intro_settle_then_each_side_with_rests_between_reps() -> None:
    """Two sides x two reps: STRETCH, SETTLE, HOLD, REST, HOLD, SIDE, HOLD, REST, HOLD, with sides and reps numbered."""
    assert CATALOGUE.stretch("single_knee_to_chest").side_count == 2
    assert segments((PlanItem("single_knee_to_chest", 20, 2),), CATALOGUE) == (
        Segment(STRETCH, 0),
        Segment(SETTLE, 0),
        Segment(HOLD, 0, 0, 0),
        Segment(REST, 0, 0, 1),
        Segment(HOLD, 0, 0, 1),
        Segment(SIDE, 0, 1),
        Segment(HOLD, 0, 1, 0),
        Segment(REST, 0, 1, 1),
        Segment(HOLD, 0, 1, 1),
    )


def test_unsided_stretch_has_no_side_switch() -> None:
    """An unsided stretch with three reps: three holds, a rest between each, and no SIDE segment."""
    assert CATALOGUE.stretch("double_knee_to_chest").side_count == 1
    assert [s.kind for s in segments((PlanItem("double_knee_to_chest", 20, 3),), CATALOGUE)] == [
        STRETCH, SETTLE, HOLD, REST, HOLD, REST, HOLD,
    ]


def test_single_rep_has_no_rest() -> None:
    assert [s.kind for s in segments((PlanItem("single_knee_to_chest", 20, 1),), CATALOGUE)] == [
        STRETCH, SETTLE, HOLD, SIDE, HOLD,
    ]


def test_counted_stretch_is_one_count_per_side() -> None:
    """A counted set is one COUNT segment per side whatever its count; unsided, there is one."""
    heel = CATALOGUE.stretch("heel_slides")
    assert (heel.kind, heel.side_count) == ("count", 2)
    assert segments((PlanItem("heel_slides", 3, 10),), CATALOGUE) == (
        Segment(STRETCH, 0), Segment(SETTLE, 0), Segment(COUNT, 0, 0), Segment(SIDE, 0, 1), Segment(COUNT, 0, 1),
    )
    twist = CATALOGUE.stretch("knee_twist")
    assert (twist.kind, twist.side_count) == ("count", 1)
    assert [s.kind for s in segments((PlanItem("knee_twist", 3, 6),), CATALOGUE)] == [STRETCH, SETTLE, COUNT]


@pytest.mark.parametrize("routine_id", ROUTINE_IDS)
@pytest.mark.parametrize("settings", [Settings(), Settings(hold_seconds=90, reps=5)], ids=["default", "90x5"])
def test_every_routine_timeline_follows_its_plan(routine_id: str, settings: Settings) -> None:
    """Each stretch's segments are contiguous, in plan order: intro, settle, then per side its reps (or one count)."""
    plan = build_plan(CATALOGUE.routine(routine_id).items, CATALOGUE, settings)
    timeline = segments(plan, CATALOGUE)
    assert [index for index, _ in itertools.groupby(s.item_index for s in timeline)] == list(range(len(plan)))
    for index, item in enumerate(plan):
        stretch = CATALOGUE.stretch(item.stretch_id)
        own = [s for s in timeline if s.item_index == index]
        assert [s.kind for s in own[:2]] == [STRETCH, SETTLE]
        for side in stretch.sides_in_order:
            body = [s for s in own[2:] if s.side_index == side and s.kind is not SIDE]
            if stretch.kind == "count":
                assert body == [Segment(COUNT, index, side)]
            else:
                expected = [Segment(HOLD, index, side, 0)]
                for rep in range(1, item.reps):
                    expected += [Segment(REST, index, side, rep), Segment(HOLD, index, side, rep)]
                assert body == expected
        sides = [s for s in own if s.kind is SIDE]
        assert sides == [Segment(SIDE, index, side) for side in stretch.sides_in_order[1:]]
        for switch in sides:  # a side switch opens its side
            assert own.index(switch) == min(i for i, s in enumerate(own) if s.side_index == switch.side_index)


# -- helpers over a timeline ------------------------------------------------------------------


def test_item_start_and_end() -> None:
    timeline = segments(_start().items, CATALOGUE)
    assert [item_start(timeline, i) for i in range(3)] == [FIRST, SECOND, THIRD]
    assert [item_end(timeline, i) for i in range(3)] == [SECOND, THIRD, LENGTH]


def test_side_start() -> None:
    """The first side starts at the stretch's intro; the second at its SIDE segment."""
    timeline = segments(_start().items, CATALOGUE)
    assert [side_start(timeline, p) for p in range(LENGTH)] == (
        [0] * 5 + [5] * 4 + [9] * 5 + [14] * 3 + [17] * 2
    )


def test_next_side_start() -> None:
    """After the first side: the second side; after the last side: the next stretch, or the end."""
    timeline = segments(_start().items, CATALOGUE)
    assert [next_side_start(timeline, p) for p in range(LENGTH)] == (
        [5] * 5 + [9] * 4 + [14] * 5 + [17] * 3 + [19] * 2
    )


def test_resume_point_moves_off_a_rest_only() -> None:
    """A rest between reps resumes at the hold after it; anything else (and the end) resumes where it is."""
    timeline = segments(_start().items, CATALOGUE)
    assert {p: resume_point(timeline, p) for p in (3, 7, 12)} == {3: 4, 7: 8, 12: 13}
    for position in set(range(LENGTH + 1)) - {3, 7, 12}:
        assert resume_point(timeline, position) == position


# -- time to get into position --------------------------------------------------------------------

FLOOR_POSTURES = [p for p in Posture if p is not Posture.STANDING]


@pytest.mark.parametrize("floor", FLOOR_POSTURES, ids=lambda p: p.value)
def test_getting_up_from_or_down_to_the_floor_takes_at_least_10_seconds(floor: Posture) -> None:
    assert settle_seconds(floor, Posture.STANDING) >= 10
    assert settle_seconds(Posture.STANDING, floor) >= 10


@pytest.mark.parametrize(
    ("before", "after"),
    [(a, b) for a, b in itertools.permutations(FLOOR_POSTURES, 2)],
    ids=lambda p: p.value,
)
def test_changing_position_on_the_floor_takes_longer_than_staying(before: Posture, after: Posture) -> None:
    """Rolling over or kneeling up gets more time than staying put, and less than standing up."""
    change = settle_seconds(before, after)
    assert change > settle_seconds(after, after)
    assert change > settle_seconds(before, before)
    assert change < settle_seconds(before, Posture.STANDING)


@pytest.mark.parametrize("posture", list(Posture), ids=lambda p: p.value)
def test_staying_in_position_still_gets_some_time(posture: Posture) -> None:
    assert settle_seconds(posture, posture) > 0
    assert settle_seconds(None, posture) > 0


# -- plans and settings -------------------------------------------------------------------------------


def test_default_settings_keep_routine_overrides() -> None:
    """Settings() keeps the routine's own hold/reps and the stretch defaults elsewhere."""
    assert build_plan(CATALOGUE.routine("morning").items, CATALOGUE, Settings()) == (
        PlanItem("single_knee_to_chest", 20, 1),
        PlanItem("double_knee_to_chest", 20, 1),
        PlanItem("knee_to_chest_pulses", 5, 8),
    )


def _nearest(value: int, allowed: Range) -> int:
    """The value inside ``allowed`` closest to ``value`` (the value itself when it is inside)."""
    return sorted(range(allowed.min, allowed.max + 1), key=lambda v: abs(v - value))[0]


def _expected(stretch_id: str, settings: Settings, hold: Range | None = None, reps: Range | None = None) -> PlanItem:
    """What a stretch should be played with: a user's hold if adjustable, a user's reps if adjustable and held,
    each kept inside the routine's range for it (``hold``/``reps``) or else the stretch's own; otherwise that default."""
    stretch = CATALOGUE.stretch(stretch_id)
    hold_range, reps_range = hold or stretch.hold, reps or stretch.reps
    own_hold, own_reps = hold_range.default, reps_range.default
    if stretch.hold_adjustable and settings.hold_seconds is not None:
        own_hold = _nearest(settings.hold_seconds, hold_range)
    if stretch.hold_adjustable and stretch.kind == "hold" and settings.reps is not None:
        own_reps = _nearest(settings.reps, reps_range)
    return PlanItem(stretch_id, own_hold, own_reps)


def test_settings_override_adjustable_holds_only() -> None:
    """Settings(30, 2) changes ordinary stretches within their ranges.

    Warm-ups, relaxed knee hugs, the lying rest and counted moves keep their own numbers.
    """
    custom = Settings(hold_seconds=30, reps=2)
    fixed = ("pelvic_tilt", "knee_twist", "knee_to_chest_pulses", "lying_rest", "ankle_pumps", "heel_slides")
    assert not any(CATALOGUE.stretch(s).hold_adjustable for s in fixed)
    lower = {p.stretch_id: p for p in build_plan(CATALOGUE.routine("lower_back").items, CATALOGUE, custom)}
    knee = CATALOGUE.stretch("single_knee_to_chest")
    assert knee.hold.max < 30 and 2 < knee.reps.min  # 003: about 20 s, 3-5 times
    assert lower["single_knee_to_chest"] == PlanItem("single_knee_to_chest", knee.hold.max, knee.reps.min)
    hamstring = CATALOGUE.stretch("lying_hamstring_stretch")
    assert hamstring.hold.max < 30 and 2 < hamstring.reps.min
    assert lower["lying_hamstring_stretch"] == PlanItem("lying_hamstring_stretch", hamstring.hold.max, hamstring.reps.min)
    brk = {p.stretch_id: p for p in build_plan(CATALOGUE.routine("back_break").items, CATALOGUE, custom)}
    double = CATALOGUE.stretch("double_knee_to_chest")
    assert double.hold.max < 30 and double.reps.max < 2  # 004: one hold of 15-20 s
    assert brk["double_knee_to_chest"] == PlanItem("double_knee_to_chest", double.hold.max, double.reps.max)
    warm = {p.stretch_id: p for p in build_plan(CATALOGUE.routine("warm_up").items, CATALOGUE, custom)}
    for stretch_id in fixed:
        plan = lower.get(stretch_id) or brk.get(stretch_id) or warm[stretch_id]
        stretch = CATALOGUE.stretch(stretch_id)
        assert plan == PlanItem(stretch_id, stretch.hold.default, stretch.reps.default), stretch_id


SETTING_GRID = [
    Settings(hold_seconds=hold, reps=reps)
    for hold in (None, 1, 10, 15, 20, 25, 30, 45, 90, 180)
    for reps in (None, 1, 2, 3, 4, 5, 10, 20)
]


@pytest.mark.parametrize("stretch_id", sorted(CATALOGUE.stretches))
def test_settings_rule_for_every_stretch(stretch_id: str) -> None:
    """For each stretch and many settings: a user's hold applies iff adjustable, a user's reps iff adjustable and held,
    and either lands on the nearest value inside the stretch's own range."""
    for settings in SETTING_GRID:
        assert build_plan([RoutineItem(stretch_id)], CATALOGUE, settings) == (_expected(stretch_id, settings),), settings


def test_a_setting_inside_a_range_is_used_as_it_is() -> None:
    """A hold and reps inside a stretch's range are played exactly as set."""
    stretch = CATALOGUE.stretch("single_knee_to_chest")
    hold, reps = stretch.hold.min + 1, stretch.reps.max - 1
    assert hold != stretch.hold.default and reps != stretch.reps.default
    (item,) = build_plan([RoutineItem(stretch.id)], CATALOGUE, Settings(hold_seconds=hold, reps=reps))
    assert item == PlanItem(stretch.id, hold, reps)


EXTREME_SETTINGS = [
    Settings(hold_seconds=90, reps=10),
    Settings(hold_seconds=180, reps=20),
    Settings(hold_seconds=1, reps=1),
    Settings(hold_seconds=90),
    Settings(reps=10),
]
EVERY_STRETCH_ALONE = {f"only {stretch_id}": (RoutineItem(stretch_id),) for stretch_id in sorted(CATALOGUE.stretches)}
EVERY_ROUTINE = {**{routine_id: CATALOGUE.routine(routine_id).items for routine_id in ROUTINE_IDS}, **EVERY_STRETCH_ALONE}


@pytest.mark.parametrize("settings", EXTREME_SETTINGS, ids=lambda s: f"hold{s.hold_seconds}-reps{s.reps}")
@pytest.mark.parametrize("name", sorted(EVERY_ROUTINE))
def test_no_setting_takes_a_stretch_outside_its_range(name: str, settings: Settings) -> None:
    """90 s x 10 reps (and other extremes): every stretch of every routine stays inside its recorded hold and reps range,
    and a started routine with those settings is a valid stored state."""
    items = EVERY_ROUTINE[name]
    plan = build_plan(items, CATALOGUE, settings)
    assert len(plan) == len(items)
    for routine_item, item in zip(items, plan):
        stretch = CATALOGUE.stretch(item.stretch_id)
        hold, reps = routine_item.ranges(stretch)
        assert item.stretch_id == routine_item.stretch_id
        assert hold.min <= item.hold <= hold.max, (item, hold)
        assert reps.min <= item.reps <= reps.max, (item, reps)
        assert item == _expected(item.stretch_id, settings, routine_item.hold, routine_item.reps)
    routine_id = name if name in CATALOGUE.routines else "own"  # one stretch alone: a user's own routine
    state = ENGINE.start(routine_id, items, settings, now_ms=T0)
    assert RoutineState.from_dict(state.to_dict(), CATALOGUE) == state


def test_ninety_seconds_is_cut_to_the_forward_bend_s_own_range() -> None:
    """The standing forward bend stays within its article's 15-20 s and at most 3 holds, whatever the setting."""
    bend = CATALOGUE.stretch("standing_forward_bend")
    assert (bend.hold.min, bend.hold.max) == (15, 20)
    (item,) = build_plan([RoutineItem(bend.id)], CATALOGUE, Settings(hold_seconds=90, reps=10))
    assert item == PlanItem(bend.id, bend.hold.max, bend.reps.max)


def test_reps_setting_skips_counted_sets_even_when_their_tempo_is_adjustable() -> None:
    """A counted set keeps its count under a reps setting, even in a catalogue where its tempo may be set."""
    stretches_doc = json.loads(resources.files("skill.catalogue").joinpath("stretches.json").read_text(encoding="utf-8"))
    routines_doc = json.loads(resources.files("skill.catalogue").joinpath("routines.json").read_text(encoding="utf-8"))
    raw = next(s for s in stretches_doc["stretches"] if s["id"] == "heel_slides")
    raw["hold"]["adjustable"] = True
    catalogue = parse_catalogue(stretches_doc, routines_doc)
    heel = catalogue.stretch("heel_slides")
    assert heel.kind == "count" and heel.reps.default != 2
    tempo = heel.hold.max
    assert tempo != heel.hold.default
    (item,) = build_plan([RoutineItem("heel_slides")], catalogue, Settings(hold_seconds=tempo, reps=2))
    assert item == PlanItem("heel_slides", tempo, heel.reps.default)
    (item,) = build_plan([RoutineItem("heel_slides")], catalogue, Settings(hold_seconds=heel.hold.max + 10))
    assert item.hold == heel.hold.max


def test_one_setting_leaves_the_other_number_alone() -> None:
    """A hold setting keeps the routine's reps; a reps setting keeps its holds."""
    items = CATALOGUE.routine("full_back").items
    default = build_plan(items, CATALOGUE, Settings())
    holds = build_plan(items, CATALOGUE, Settings(hold_seconds=25))
    reps = build_plan(items, CATALOGUE, Settings(reps=4))
    assert [i.reps for i in holds] == [i.reps for i in default]
    assert [i.hold for i in reps] == [i.hold for i in default]
    assert any(i.hold == 25 for i in holds) and any(i.reps == 4 for i in reps)


# -- one side only -----------------------------------------------------------------------------------


def test_sore_side_applies_to_the_affected_side_stretch_only() -> None:
    """Sciatica relief with a sore right leg: the nerve glide is on the right only; two-sided stretches keep both sides."""
    glide = CATALOGUE.stretch("sciatic_nerve_glide")
    assert glide.side_rule == "affected" and glide.side_count == 2
    items = CATALOGUE.routine("sciatica").items
    for sore_side in (0, 1):
        plan = build_plan(items, CATALOGUE, Settings(sore_side=sore_side))
        for item in plan:
            stretch = CATALOGUE.stretch(item.stretch_id)
            assert item.side == (sore_side if stretch.side_rule == "affected" else None), item
        assert any(CATALOGUE.stretch(i.stretch_id).side_count == 2 and i.side is None for i in plan)
    assert all(item.side is None for item in build_plan(items, CATALOGUE, Settings()))
    for routine_id in ROUTINE_IDS:  # a sore side never limits a stretch without the rule
        for item in build_plan(CATALOGUE.routine(routine_id).items, CATALOGUE, Settings(sore_side=1)):
            assert item.side is None or CATALOGUE.stretch(item.stretch_id).side_rule == "affected"


@pytest.mark.parametrize("side", [0, 1])
def test_one_side_item_plays_only_that_side(side: int) -> None:
    """A sided item limited to one side: every segment is on that side, and there is no side switch."""
    held = segments((PlanItem("single_knee_to_chest", 20, 2, side),), CATALOGUE)
    assert held == (
        Segment(STRETCH, 0, side), Segment(SETTLE, 0, side),
        Segment(HOLD, 0, side, 0), Segment(REST, 0, side, 1), Segment(HOLD, 0, side, 1),
    )
    counted = segments((PlanItem("sciatic_nerve_glide", 4, 10, side),), CATALOGUE)
    assert counted == (Segment(STRETCH, 0, side), Segment(SETTLE, 0, side), Segment(COUNT, 0, side))
    assert played_sides(PlanItem("sciatic_nerve_glide", 4, 10, side), CATALOGUE) == (side,)


def test_played_sides() -> None:
    """Both sides left then right without a side; one side with it; an unsided stretch has one."""
    assert played_sides(PlanItem("single_knee_to_chest", 20, 1), CATALOGUE) == (0, 1)
    assert played_sides(PlanItem("single_knee_to_chest", 20, 1, 1), CATALOGUE) == (1,)
    assert played_sides(PlanItem("double_knee_to_chest", 20, 1), CATALOGUE) == (0,)


def test_steering_inside_a_one_side_item() -> None:
    """Repeat, next and skip treat a one-side item as one side: the item's start, then the next stretch."""
    items = (PlanItem("sciatic_nerve_glide", 4, 10, 1), PlanItem("double_knee_to_chest", 20, 1))
    timeline = segments(items, CATALOGUE)
    assert [s.kind for s in timeline] == [STRETCH, SETTLE, COUNT, STRETCH, SETTLE, HOLD]
    assert side_start(timeline, 2) == 0
    assert next_side_start(timeline, 2) == 3
    state = RoutineState("sciatica", items)
    chunk = _chunk(0, len(timeline))
    playing = ENGINE.sent(state, chunk)
    moment = ENGINE.locate(playing, _during(chunk, 2))
    assert (moment.state.position, moment.where) == (2, Where.INTERRUPTED)
    assert ENGINE.repeat(moment).position == 0
    assert ENGINE.next(moment).position == 3
    assert ENGINE.skip(moment).position == 3


# -- starting and sending ---------------------------------------------------------------------------


def test_start_is_paused_at_the_first_segment() -> None:
    state = _start()
    assert (state.position, state.status, state.chunk, state.skipped) == (0, Status.PAUSED, None, ())
    assert state.items == build_plan(ITEMS, CATALOGUE, Settings())
    assert state.routine_id == "own"


def test_start_without_stretches_is_refused() -> None:
    with pytest.raises(ValueError):
        ENGINE.start("own", (), Settings(), now_ms=T0)


def test_sent_marks_the_chunk_playing_from_its_start() -> None:
    chunk = _chunk(SECOND, THIRD)
    state = ENGINE.sent(_start().with_(position=SECOND), chunk)
    assert (state.status, state.position, state.chunk) == (Status.PLAYING, SECOND, chunk)


# -- locating a request in what was playing --------------------------------------------------------


@pytest.mark.parametrize("position", range(SECOND_SIDE, THIRD))
def test_request_during_a_segment_lands_on_that_segment(position: int) -> None:
    """Said in the middle of segment k of a chunk (k counted from the chunk's own offsets): position k, interrupted."""
    state, chunk = _playing(SECOND_SIDE, THIRD)
    moment = ENGINE.locate(state, _during(chunk, position))
    assert moment.where is Where.INTERRUPTED
    assert moment.state.position == position
    assert moment.state.status is Status.PAUSED
    assert moment.state.chunk is None


def test_request_late_in_a_segment_still_counts_it_as_playing() -> None:
    """Said 2 s before a 20 s hold ends: the hold was not heard in full (the speech was cut by the request)."""
    state, chunk = _playing(FIRST, SECOND)
    hold_end = chunk.sent_at_ms + chunk.ends_ms[3]  # segment 2 is the first hold
    assert ENGINE.locate(state, hold_end - 2_000).state.position == 2


def test_request_after_the_chunk_is_a_boundary_at_its_end() -> None:
    state, chunk = _playing(FIRST, SECOND)
    for at in (_after(chunk), _after(chunk) + 3_600_000):
        moment = ENGINE.locate(state, at)
        assert (moment.state.position, moment.where, moment.state.status) == (SECOND, Where.BOUNDARY, Status.PAUSED)


@pytest.mark.parametrize("late_ms", [4_000, 4_001, 5_000])
def test_request_just_after_the_last_segment_ended_is_a_boundary(late_ms: int) -> None:
    """A timestamp 4 s past the chunk's last offset (the wake word came after it): all of it was heard."""
    state, chunk = _playing(FIRST, SECOND)
    moment = ENGINE.locate(state, chunk.sent_at_ms + chunk.ends_ms[-1] + late_ms)
    assert (moment.state.position, moment.where) == (SECOND, Where.BOUNDARY)


@pytest.mark.parametrize(
    "at",
    [None, SENT - 3_600_000, SENT - 1_000, SENT, SENT + 500],
    ids=["no timestamp", "an hour before sending", "a second before sending", "at sending", "half a second after"],
)
def test_unplaceable_or_early_request_lands_on_the_chunk_start(at: int | None) -> None:
    """Missing, far-off or too-early timestamps place the user at the start of what was sent.

    Without a usable timestamp (or before sending), that holds even when the chunk has no opening words and its
    first segment takes no time: nothing is taken as heard.
    """
    state, _ = _playing(SECOND, LENGTH)
    abrupt = ENGINE.sent(state, Chunk(SECOND, LENGTH, SENT, (0, 0) + _chunk(SECOND + 1, LENGTH, lead_ms=0).ends_ms[1:]))
    for playing in (state, abrupt) if at is None or at < SENT else (state,):
        moment = ENGINE.locate(playing, at)
        assert (moment.state.position, moment.where, moment.state.status) == (SECOND, Where.INTERRUPTED, Status.PAUSED)


def _words_only(chunk: Chunk) -> Chunk:
    """The same chunk with every millisecond taken as words (none as breaks)."""
    return chunk._replace(spoken_ms=chunk.ends_ms)


def test_the_place_is_a_range_that_widens_with_the_words_played_not_the_breaks() -> None:
    """Late in a chunk of words the earliest place is a segment before the likely one; the same
    timings made of breaks are placed exactly; early in the chunk the range is one segment either way."""
    state = _start().with_(position=FIRST)
    chunk = _chunk(FIRST, SECOND)
    near_end = chunk.sent_at_ms + chunk.ends_ms[8] + 8_000  # 8 s into the last segment, 171 s in
    wordy = ENGINE.locate(ENGINE.sent(state, _words_only(chunk)), near_end).place
    exact = ENGINE.locate(ENGINE.sent(state, chunk), near_end).place
    assert wordy.earliest < wordy.likely == exact.likely == exact.earliest == 8
    early = ENGINE.locate(ENGINE.sent(state, _words_only(chunk)), _during(chunk, 1)).place
    assert early.earliest == early.likely == 1


def test_steering_acts_on_the_likely_place_and_pausing_on_the_earliest() -> None:
    """Just into the second stretch, late in a chunk of words: skip leaves out the second stretch
    (most likely playing), a pause keeps the first (it may still have been playing)."""
    state = ENGINE.sent(_start().with_(position=FIRST), _words_only(_chunk(FIRST, THIRD)))
    moment = ENGINE.locate(state, SENT + LEAD_MS + SECOND * SEGMENT_MS + 3_000)
    assert moment.place.earliest < SECOND <= moment.place.likely
    assert ENGINE.skip(moment).position == THIRD and ENGINE.skip(moment).skipped == (1,)
    assert ENGINE.pause(ENGINE.at_earliest(moment)).position < SECOND
    assert ENGINE.back(moment)[0].position == FIRST


def test_request_during_opening_words_lands_on_the_chunk_start() -> None:
    """A long opening before the first segment: a request in the middle of it is at the chunk's first segment."""
    state = ENGINE.sent(_start().with_(position=SECOND), _chunk(SECOND, THIRD, lead_ms=40_000))
    moment = ENGINE.locate(state, SENT + 23_000)
    assert (moment.state.position, moment.where) == (SECOND, Where.INTERRUPTED)


@pytest.mark.parametrize("status", [Status.PAUSED, Status.FINISHED])
def test_locating_a_routine_not_playing_changes_nothing(status: Status) -> None:
    state = _start().with_(position=11, status=status, skipped=(0,))
    for at in (None, SENT, SENT + 10**9):
        moment = ENGINE.locate(state, at)
        assert moment.where is Where.STOPPED
        assert moment.state == state


# -- next ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("position", "expected"),
    [(0, SECOND_SIDE), (3, SECOND_SIDE), (6, SECOND), (8, SECOND), (11, THIRD), (16, 17), (18, LENGTH)],
)
def test_next_mid_response_cuts_the_side_short(position: int, expected: int) -> None:
    """Interrupted: next goes to the start of the next side, or of the next stretch after the last side."""
    moment = _interrupted(FIRST, LENGTH, position)
    state = ENGINE.next(moment)
    assert state.position == expected
    assert state.status is Status.PAUSED


def test_next_at_a_boundary_plays_what_was_announced() -> None:
    moment = _boundary(FIRST, SECOND)
    assert ENGINE.next(moment) == moment.state
    assert moment.state.position == SECOND


def test_next_when_paused_plays_from_the_pause() -> None:
    moment = _stopped(11)
    assert ENGINE.next(moment).position == 11


# -- skip -----------------------------------------------------------------------------------------------


def test_skip_mid_response_leaves_the_stretch_playing() -> None:
    state = ENGINE.skip(_interrupted(FIRST, LENGTH, 6))
    assert (state.position, state.skipped) == (SECOND, (0,))


def test_skip_at_a_boundary_leaves_the_announced_stretch_not_the_one_heard() -> None:
    """After the first stretch played to its end and the second was announced, skip leaves out the second."""
    state = ENGINE.skip(_boundary(FIRST, SECOND))
    assert state.position == THIRD
    assert state.skipped == (1,)


def test_skip_when_paused_leaves_the_paused_stretch() -> None:
    state = ENGINE.skip(_stopped(12))
    assert (state.position, state.skipped) == (THIRD, (1,))


def test_skip_after_the_end_changes_nothing() -> None:
    moment = _boundary(THIRD, LENGTH)
    assert ENGINE.skip(moment) == moment.state
    assert moment.state.skipped == ()


def test_skipping_a_stretch_twice_records_it_once() -> None:
    skipped = ENGINE.skip(_boundary(FIRST, SECOND))
    back, _ = ENGINE.back(Moment(skipped, Where.STOPPED))
    assert back.position == SECOND
    again = ENGINE.skip(Moment(back, Where.STOPPED))
    assert again.skipped == (1,)


def test_summary_after_skipping_the_announced_stretch() -> None:
    """Play the first stretch, skip the announced second, play the rest: 2 done and 1 skipped (of 3)."""
    state = ENGINE.skip(_boundary(FIRST, SECOND))
    chunk = _chunk(state.position, LENGTH)
    finished = ENGINE.finish(ENGINE.sent(state, chunk))
    assert finished.status is Status.FINISHED
    assert finished.position == LENGTH and finished.chunk is None
    assert finished.skipped == (1,)
    assert [i for i in range(len(finished.items)) if i not in finished.skipped] == [0, 2]


def test_summary_of_the_morning_routine_when_skip_follows_next_up() -> None:
    """Morning routine: the first stretch plays, "next up" is the second, skip: the third plays; 1 skipped, 2 done."""
    state = ENGINE.start("morning", CATALOGUE.routine("morning").items, Settings(), now_ms=T0)
    timeline = ENGINE.segments_of(state)
    first = _chunk(0, item_end(timeline, 0))
    moment = ENGINE.locate(ENGINE.sent(state, first), _after(first))
    assert moment.where is Where.BOUNDARY and ENGINE.stretch_at(moment.state).id == "double_knee_to_chest"
    skipped = ENGINE.skip(moment)
    assert ENGINE.stretch_at(skipped).id == "knee_to_chest_pulses"
    rest = _chunk(skipped.position, len(timeline), sent_at=SENT + 600_000)
    finished = ENGINE.finish(ENGINE.sent(skipped, rest))
    assert finished.skipped == (1,)
    assert len(finished.items) - len(finished.skipped) == 2


def test_a_skipped_stretch_played_through_later_is_no_longer_skipped() -> None:
    """Skip the second stretch, go back to it, and hear it through: nothing is skipped any more."""
    skipped = ENGINE.skip(_boundary(FIRST, SECOND))
    back, _ = ENGINE.back(Moment(skipped, Where.STOPPED))
    chunk = _chunk(back.position, LENGTH)
    heard = ENGINE.locate(ENGINE.sent(back, chunk), _during(chunk, 15))  # past the second stretch's end
    assert heard.state.position == 15
    assert heard.state.skipped == ()


def test_a_skipped_stretch_heard_in_part_stays_skipped() -> None:
    skipped = ENGINE.skip(_boundary(FIRST, SECOND))
    back, _ = ENGINE.back(Moment(skipped, Where.STOPPED))
    chunk = _chunk(back.position, LENGTH)
    heard = ENGINE.locate(ENGINE.sent(back, chunk), _during(chunk, 11))
    assert heard.state.skipped == (1,)
    finished = ENGINE.finish(skipped)
    assert finished.skipped == (1,)


def test_finishing_counts_a_replayed_skipped_stretch_as_done() -> None:
    state = _start().with_(position=SECOND, skipped=(1,))
    assert ENGINE.finish(state).skipped == ()


# -- back ----------------------------------------------------------------------------------------------------


def test_back_mid_response_goes_to_the_previous_stretch() -> None:
    state, at_first = ENGINE.back(_interrupted(FIRST, LENGTH, 11))
    assert (state.position, at_first) == (FIRST, False)
    state, at_first = ENGINE.back(_interrupted(FIRST, LENGTH, 16))
    assert (state.position, at_first) == (SECOND, False)


def test_back_at_a_boundary_goes_to_the_stretch_just_heard() -> None:
    """Between stretches the place is the announced stretch, so back is the one that just played."""
    state, at_first = ENGINE.back(_boundary(SECOND, THIRD))
    assert (state.position, at_first) == (SECOND, False)


def test_back_when_paused() -> None:
    state, at_first = ENGINE.back(_stopped(THIRD))
    assert (state.position, at_first) == (SECOND, False)


@pytest.mark.parametrize("position", [0, 2, 6, 8])
def test_back_on_the_first_stretch_reports_it(position: int) -> None:
    """Anywhere in the first stretch, back restarts it and says it was already the first."""
    state, at_first = ENGINE.back(_interrupted(FIRST, LENGTH, position))
    assert (state.position, at_first) == (FIRST, True)


def test_back_keeps_skipped_stretches_skipped() -> None:
    state, _ = ENGINE.back(_stopped(THIRD, skipped=(0,)))
    assert state.skipped == (0,)


# -- repeat ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("position", "expected"),
    [(2, FIRST), (4, FIRST), (5, SECOND_SIDE), (8, SECOND_SIDE), (12, SECOND), (16, THIRD), (18, 17)],
)
def test_repeat_mid_response_replays_the_side_playing(position: int, expected: int) -> None:
    state = ENGINE.repeat(_interrupted(FIRST, LENGTH, position))
    assert state.position == expected
    assert state.status is Status.PAUSED


@pytest.mark.parametrize(
    ("end", "expected"),
    [(SECOND_SIDE, FIRST), (SECOND, SECOND_SIDE)],
    ids=["chunk cut after the first side", "chunk ending with the stretch"],
)
def test_repeat_at_a_boundary_replays_the_last_side_heard(end: int, expected: int) -> None:
    """After a response ended, repeat is the last side heard, not what was announced next."""
    state = ENGINE.repeat(_boundary(FIRST, end))
    assert state.position == expected


def test_repeat_at_a_boundary_of_an_unsided_stretch_replays_it() -> None:
    assert ENGINE.repeat(_boundary(SECOND, THIRD)).position == SECOND


def test_repeat_when_paused_replays_the_paused_side() -> None:
    assert ENGINE.repeat(_stopped(7)).position == SECOND_SIDE


def test_repeat_after_the_end_replays_the_last_side() -> None:
    assert ENGINE.repeat(_boundary(THIRD, LENGTH)).position == 17


# -- start over, pause ---------------------------------------------------------------------------------------


def test_start_over_resets_position_and_skipped() -> None:
    for moment in (_interrupted(SECOND, LENGTH, 16, skipped=(0,)), _boundary(FIRST, THIRD, skipped=(2,))):
        state = ENGINE.start_over(moment)
        assert (state.position, state.skipped) == (0, ())
        assert state.status is Status.PAUSED


def test_pause_during_a_rest_resumes_at_the_next_hold() -> None:
    for rest, hold in ((3, 4), (7, 8), (12, 13)):
        state = ENGINE.pause(_interrupted(FIRST, LENGTH, rest))
        assert (state.position, state.status) == (hold, Status.PAUSED)


def test_pause_during_a_hold_restarts_that_hold() -> None:
    state = ENGINE.pause(_interrupted(FIRST, LENGTH, 6))
    assert (state.position, state.status) == (6, Status.PAUSED)


def test_pause_at_a_boundary_keeps_the_announced_stretch() -> None:
    state = ENGINE.pause(_boundary(FIRST, SECOND))
    assert (state.position, state.status) == (SECOND, Status.PAUSED)
    assert ENGINE.locate(state, SENT + 10**6) == Moment(state, Where.STOPPED)


def test_pause_after_the_end_leaves_the_routine_finished() -> None:
    finished = ENGINE.finish(_start())
    state = ENGINE.pause(Moment(finished, Where.STOPPED))
    assert state.status is Status.FINISHED
    assert ENGINE.skip(Moment(finished, Where.STOPPED)) == finished


# -- what is left, and which stretch -------------------------------------------------------------------------


def test_remaining_counts_the_current_stretch() -> None:
    """(stretches left including the current one, index of the current one)."""
    assert ENGINE.remaining(_start()) == (3, 0)
    assert ENGINE.remaining(_start().with_(position=8)) == (3, 0)
    assert ENGINE.remaining(_start().with_(position=11)) == (2, 1)
    assert ENGINE.remaining(_start().with_(position=18)) == (1, 2)
    assert ENGINE.remaining(_start().with_(position=LENGTH)) == (0, 0)


def test_stretch_at() -> None:
    state = _start().with_(position=11)
    assert ENGINE.stretch_at(state).id == "kneeling_back_stretch"
    assert ENGINE.stretch_at(state, 5).id == "single_knee_to_chest"
    assert ENGINE.stretch_at(state, LENGTH).id == "heel_slides"


# -- state round trip -------------------------------------------------------------------------------------------


def _states_along() -> list[RoutineState]:
    """A mix of states a real session produces: playing, interrupted, skipped, paused, finished."""
    states = [_start()]
    playing, chunk = _playing(FIRST, SECOND)
    states.append(playing)
    interrupted = ENGINE.locate(playing, _during(chunk, 3)).state
    states.append(interrupted)
    skipped = ENGINE.skip(Moment(interrupted, Where.INTERRUPTED))
    states.append(skipped)
    states.append(ENGINE.pause(Moment(skipped, Where.STOPPED)))
    states.append(ENGINE.finish(skipped))
    return states


def _leaves(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [leaf for v in value.values() for leaf in _leaves(v)]
    if isinstance(value, list):
        return [leaf for v in value for leaf in _leaves(v)]
    return [value]


def _to_decimal(value: Any) -> Any:
    """Numbers as DynamoDB returns them."""
    if isinstance(value, dict):
        return {k: _to_decimal(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_to_decimal(v) for v in value]
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    return value


def test_state_round_trip() -> None:
    """from_dict(to_dict(s)) == s, through JSON too, and to_dict holds only strings, ints and lists."""
    states = _states_along()
    assert {s.status for s in states} == set(Status)
    for state in states:
        data = state.to_dict()
        assert all(isinstance(v, (str, int)) and not isinstance(v, bool) for v in _leaves(data))
        assert RoutineState.from_dict(data, CATALOGUE) == state
        assert RoutineState.from_dict(json.loads(json.dumps(data)), CATALOGUE) == state


def test_from_dict_accepts_decimals() -> None:
    """DynamoDB hands numbers back as Decimal; they rebuild the same state with plain ints."""
    for state in _states_along():
        data = _to_decimal(state.to_dict())
        assert isinstance(data["position"], Decimal)
        rebuilt = RoutineState.from_dict(data, CATALOGUE)
        assert rebuilt == state
        assert type(rebuilt.position) is int
        assert all(type(i.hold) is int and type(i.reps) is int for i in rebuilt.items)
        if rebuilt.chunk is not None:
            assert all(type(e) is int for e in rebuilt.chunk.ends_ms) and type(rebuilt.chunk.sent_at_ms) is int


# -- state validation --------------------------------------------------------------------------------------------


def _valid() -> dict[str, Any]:
    """A playing routine (the steering routine, 19 segments): the second stretch was sent, the first skipped."""
    return {
        "routine": "own",
        "items": [["single_knee_to_chest", 20, 2], ["kneeling_back_stretch", 20, 2], ["heel_slides", 3, 20]],
        "position": 9,
        "status": "playing",
        "chunk": [9, 14, SENT, [3000, 23000, 43000, 63000, 83000, 103000]],
        "skipped": [0],
        "updated_at": SENT // 1000,
    }


def _set(path: tuple[Any, ...], value: Any) -> Callable[[dict[str, Any]], Any]:
    def change(data: dict[str, Any]) -> dict[str, Any]:
        target: Any = data
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
        return data

    return change


def _drop(key: str) -> Callable[[dict[str, Any]], Any]:
    def change(data: dict[str, Any]) -> dict[str, Any]:
        del data[key]
        return data

    return change


def _replace(value: Any) -> Callable[[dict[str, Any]], Any]:
    return lambda _data: value


def test_valid_fixture_and_its_edges_are_accepted() -> None:
    """The base dict the tampering cases start from is valid, and so are its legal extremes."""
    state = RoutineState.from_dict(_valid(), CATALOGUE)
    assert state == RoutineState(
        "own",
        (PlanItem("single_knee_to_chest", 20, 2), PlanItem("kneeling_back_stretch", 20, 2), PlanItem("heel_slides", 3, 20)),
        9, Status.PLAYING, Chunk(9, 14, SENT, (3000, 23000, 43000, 63000, 83000, 103000)), (0,), SENT // 1000,
    )
    edges: dict[str, Callable[[dict[str, Any]], Any]] = {
        "position at the end": _set(("position",), LENGTH),
        "chunk to the end": _set(("chunk",), [14, LENGTH, SENT, [0, 0, 10, 10, 20, 30]]),
        "paused without a chunk": lambda d: _drop("chunk")(_set(("status",), "paused")(d)),
        "paused with a chunk": _set(("status",), "paused"),
        "finished": lambda d: _drop("chunk")(_set(("status",), "finished")(d)),
        "no skipped or updated_at": lambda d: _drop("updated_at")(_drop("skipped")(d)),
        "every stretch skipped": _set(("skipped",), [2, 0, 1]),
        "longest hold of the stretch": _set(("items", 0, 1), KNEE.hold.max),
        "shortest hold of the stretch": _set(("items", 0, 1), KNEE.hold.min),
        "most reps of the stretch": _set(("items", 1, 2), DOUBLE.reps.max),
        "fewest reps of the stretch": _set(("items", 0, 2), KNEE.reps.min),
        "right side only": _set(("items", 0), ["single_knee_to_chest", 20, 2, 1]),
        "left side only": _set(("items", 2), ["heel_slides", 3, 20, 0]),
        "most items": _set(("items",), [["pelvic_tilt", 10, 5]] * MAX_ITEMS),
        "Decimal numbers": _to_decimal,
    }
    for name, change in edges.items():
        data = change(copy.deepcopy(_valid()))
        state = RoutineState.from_dict(data, CATALOGUE)
        assert RoutineState.from_dict(state.to_dict(), CATALOGUE) == state, name


CHUNK_ENDS = [3000, 23000, 43000, 63000, 83000, 103000]
KNEE = CATALOGUE.stretch("single_knee_to_chest")  # items[0] of the fixture
DOUBLE = CATALOGUE.stretch("kneeling_back_stretch")  # items[1]
HEEL = CATALOGUE.stretch("heel_slides")  # items[2]

TAMPERED: dict[str, Callable[[dict[str, Any]], Any]] = {
    # status
    "unknown status": _set(("status",), "running"),
    "status from the old engine": _set(("status",), "active"),
    "status in capitals": _set(("status",), "PLAYING"),
    "status None": _set(("status",), None),
    "status a number": _set(("status",), 1),
    "status a list": _set(("status",), ["playing"]),
    "missing status": _drop("status"),
    # position
    "position past the end": _set(("position",), LENGTH + 1),
    "huge position": _set(("position",), 10**12),
    "negative position": _set(("position",), -1),
    "float position": _set(("position",), 9.5),
    "bool position": _set(("position",), True),
    "string position": _set(("position",), "9"),
    "None position": _set(("position",), None),
    "missing position": _drop("position"),
    # chunk
    "playing without a chunk": _drop("chunk"),
    "playing with chunk None": _set(("chunk",), None),
    "chunk offsets one short": _set(("chunk", 3), CHUNK_ENDS[:-1]),
    "chunk offsets one too many": _set(("chunk", 3), CHUNK_ENDS + [123000]),
    "chunk offsets empty": _set(("chunk", 3), []),
    "chunk offsets going backwards": _set(("chunk", 3), [3000, 23000, 13000, 63000, 83000, 103000]),
    "chunk last offset going backwards": _set(("chunk", 3), [3000, 23000, 43000, 63000, 83000, 82999]),
    "chunk negative first offset": _set(("chunk", 3), [-1, 23000, 43000, 63000, 83000, 103000]),
    "chunk offsets not a list": _set(("chunk", 3), 3000),
    "chunk offset a string": _set(("chunk", 3, 2), "43000"),
    "chunk offset a float": _set(("chunk", 3, 2), 43000.5),
    "chunk offset a bool": _set(("chunk", 3, 0), False),
    "chunk without segments": _set(("chunk",), [9, 9, SENT, [3000]]),
    "chunk ending before it starts": _set(("chunk",), [9, 8, SENT, [3000]]),
    "chunk past the routine's end": _set(("chunk",), [14, LENGTH + 1, SENT, CHUNK_ENDS + [123000]]),
    "chunk negative start": _set(("chunk",), [-1, 4, SENT, CHUNK_ENDS]),
    "chunk sent before 1970": _set(("chunk", 2), -1),
    "chunk sent at a float": _set(("chunk", 2), SENT + 0.5),
    "chunk start a string": _set(("chunk", 0), "9"),
    "chunk too short": _set(("chunk",), [9, 14, SENT]),
    "chunk too long": _set(("chunk",), [9, 14, SENT, CHUNK_ENDS, 0]),
    "chunk a dict": _set(("chunk",), {"start": 9, "end": 14, "sent": SENT, "ends": CHUNK_ENDS}),
    "chunk a number": _set(("chunk",), 9),
    "chunk a string": _set(("chunk",), "9,14"),
    # skipped
    "repeated skipped": _set(("skipped",), [0, 0]),
    "skipped out of range": _set(("skipped",), [3]),
    "skipped negative": _set(("skipped",), [-1]),
    "skipped a string": _set(("skipped",), ["0"]),
    "skipped a bool": _set(("skipped",), [True]),
    "skipped a float": _set(("skipped",), [0.5]),
    "skipped not a list": _set(("skipped",), 0),
    # items
    "unknown stretch": _set(("items", 0, 0), "backflip"),
    "stretch id a number": _set(("items", 0, 0), 7),
    "stretch id None": _set(("items", 0, 0), None),
    "stretch id a list": _set(("items", 0, 0), ["single_knee_to_chest"]),
    "hold 0": _set(("items", 0, 1), 0),
    "hold too long": _set(("items", 0, 1), 181),
    "hold just over the stretch's range": _set(("items", 0, 1), CATALOGUE.bounds(KNEE.id)[0][1] + 1),
    "hold just under the stretch's range": _set(("items", 0, 1), CATALOGUE.bounds(KNEE.id)[0][0] - 1),
    "negative hold": _set(("items", 0, 1), -20),
    "counted tempo outside its range": _set(("items", 2, 1), 5),
    "float hold": _set(("items", 0, 1), 20.5),
    "Decimal hold with a fraction": _set(("items", 0, 1), Decimal("20.5")),
    "bool hold": _set(("items", 0, 1), True),
    "string hold": _set(("items", 0, 1), "20"),
    "None hold": _set(("items", 0, 1), None),
    "infinite hold": _set(("items", 0, 1), float("inf")),
    "negative infinite hold": _set(("items", 0, 1), float("-inf")),
    "NaN hold": _set(("items", 0, 1), float("nan")),
    "Decimal infinite hold": _set(("items", 0, 1), Decimal("Infinity")),
    "Decimal NaN hold": _set(("items", 0, 1), Decimal("NaN")),
    "reps 0": _set(("items", 0, 2), 0),
    "reps too many": _set(("items", 0, 2), 21),
    "reps just over the stretch's range": _set(("items", 1, 2), DOUBLE.reps.max + 1),
    "reps just under the counted stretch's range": _set(("items", 2, 2), HEEL.reps.min - 1),
    "side 2": _set(("items", 0), ["single_knee_to_chest", 20, 2, 2]),
    "side -1": _set(("items", 0), ["single_knee_to_chest", 20, 2, -1]),
    "side on a stretch without sides": _set(("items", 1), ["kneeling_back_stretch", 20, 2, 0]),
    "side None": _set(("items", 0), ["single_knee_to_chest", 20, 2, None]),
    "side a string": _set(("items", 0), ["single_knee_to_chest", 20, 2, "right"]),
    "side a bool": _set(("items", 0), ["single_knee_to_chest", 20, 2, True]),
    "side a float": _set(("items", 0), ["single_knee_to_chest", 20, 2, 0.5]),
    "string reps": _set(("items", 0, 2), "2"),
    "item too short": _set(("items", 0), ["single_knee_to_chest", 20]),
    "item too long": _set(("items", 0), ["single_knee_to_chest", 20, 2, 1, 0]),
    "item not a list": _set(("items", 0), 5),
    "items not a list": _set(("items",), 5),
    "items a string": _set(("items",), "single_knee_to_chest"),
    "no items": _set(("items",), []),
    "too many items": _set(("items",), [["pelvic_tilt", 10, 5]] * (MAX_ITEMS + 1)),
    "missing items": _drop("items"),
    # routine id and the rest
    "routine id far too long": _set(("routine",), "x" * 500),
    "empty routine id": _set(("routine",), ""),
    "routine id a number": _set(("routine",), 7),
    "routine id None": _set(("routine",), None),
    "routine id not in the catalogue": _set(("routine",), "custom"),
    "a 100 KB routine id": _set(("routine",), "x" * 100_000),
    "SSML as routine id": _set(("routine",), "<speak>evil</speak>"),
    "missing routine": _drop("routine"),
    "string updated_at": _set(("updated_at",), "1700000060"),
    "float updated_at": _set(("updated_at",), 1.5),
    "None": _replace(None),
    "list": _replace([]),
    "string": _replace("own"),
    "number": _replace(42),
}


@pytest.mark.parametrize("case", sorted(TAMPERED))
def test_from_dict_rejects_tampered_data(case: str) -> None:
    """Any malformed or out-of-range field raises InvalidState (and nothing else)."""
    data = TAMPERED[case](copy.deepcopy(_valid()))
    with pytest.raises(InvalidState):
        RoutineState.from_dict(data, CATALOGUE)


@pytest.mark.parametrize(
    ("stretch_id", "hold"),
    [("sciatic_nerve_glide", 11), ("knee_twist", 30), ("knee_to_chest_pulses", 30), ("lying_rest", 60)],
)
def test_from_dict_rejects_fixed_hold_outside_stretch_range(stretch_id: str, hold: int) -> None:
    """A stretch whose timing users cannot change must carry a hold inside its own catalogue range."""
    stretch = CATALOGUE.stretch(stretch_id)
    assert not stretch.hold_adjustable and not stretch.hold.min <= hold <= stretch.hold.max

    def state(seconds: int) -> dict[str, Any]:
        return {"routine": "own", "items": [[stretch_id, seconds, stretch.reps.default]], "position": 0, "status": "paused"}

    with pytest.raises(InvalidState):
        RoutineState.from_dict(state(hold), CATALOGUE)
    assert RoutineState.from_dict(state(stretch.hold.default), CATALOGUE).items[0].hold == stretch.hold.default


@pytest.mark.parametrize("stretch_id", sorted(CATALOGUE.stretches))
def test_from_dict_holds_every_stretch_to_its_own_range(stretch_id: str) -> None:
    """Stored hold and reps at the ends of what a stretch plays with, alone or in any routine, are accepted;
    one past either end is refused."""
    stretch = CATALOGUE.stretch(stretch_id)
    (hold_low, hold_high), (reps_low, reps_high) = CATALOGUE.bounds(stretch_id)
    assert hold_low <= stretch.hold.min <= stretch.hold.max <= hold_high and reps_low <= stretch.reps.min <= stretch.reps.max <= reps_high
    for routine in CATALOGUE.routines.values():
        for item in routine.items:
            if item.stretch_id == stretch_id:
                hold, reps = item.ranges(stretch)
                assert hold_low <= hold.min <= hold.max <= hold_high and reps_low <= reps.min <= reps.max <= reps_high

    def state(hold: int, reps: int) -> dict[str, Any]:
        return {"routine": "own", "items": [[stretch_id, hold, reps]], "position": 0, "status": "paused"}

    for hold in (hold_low, hold_high):
        for reps in (reps_low, reps_high):
            assert RoutineState.from_dict(state(hold, reps), CATALOGUE).items == (PlanItem(stretch_id, hold, reps),)
    for hold, reps in (
        (hold_low - 1, stretch.reps.default),
        (hold_high + 1, stretch.reps.default),
        (stretch.hold.default, reps_low - 1),
        (stretch.hold.default, reps_high + 1),
    ):
        with pytest.raises(InvalidState):
            RoutineState.from_dict(state(hold, reps), CATALOGUE)


def test_state_with_a_side_round_trips() -> None:
    """Sciatica relief on the right leg only: stored with the glide's side, and rebuilt the same (JSON and Decimal too)."""
    items = CATALOGUE.routine("sciatica").items
    state = ENGINE.start("sciatica", items, Settings(sore_side=1), now_ms=T0)
    glide = next(i for i, item in enumerate(state.items) if item.stretch_id == "sciatic_nerve_glide")
    assert state.items[glide].side == 1
    timeline = ENGINE.segments_of(state)
    assert not any(s.kind is SIDE for s in timeline if s.item_index == glide)
    playing = ENGINE.sent(state.with_(position=item_start(timeline, glide)), _chunk(item_start(timeline, glide), len(timeline)))
    for original in (state, playing):
        data = original.to_dict()
        stored = data["items"][glide]
        assert stored[0] == "sciatic_nerve_glide" and stored[3] == 1 and len(stored) == 4
        assert all(len(raw) == 3 for i, raw in enumerate(data["items"]) if i != glide)
        assert RoutineState.from_dict(data, CATALOGUE) == original
        assert RoutineState.from_dict(json.loads(json.dumps(data)), CATALOGUE) == original
        rebuilt = RoutineState.from_dict(_to_decimal(data), CATALOGUE)
        assert rebuilt == original and type(rebuilt.items[glide].side) is int


def test_from_dict_checks_the_chunk_against_the_routine_length() -> None:
    """The same chunk is fine for a long routine and out of range once the routine is shorter."""
    data = _valid()
    data["chunk"] = [14, LENGTH, SENT, [0, 1, 2, 3, 4, 5]]
    assert RoutineState.from_dict(data, CATALOGUE).chunk is not None
    twist = CATALOGUE.stretch("knee_twist")
    data["items"][2] = ["knee_twist", twist.hold.default, twist.reps.default]  # no sides: 3 segments instead of 5
    with pytest.raises(InvalidState):
        RoutineState.from_dict(data, CATALOGUE)


def test_stretches_the_validation_cases_rely_on_keep_their_ranges() -> None:
    """Guard for the cases above: 3 s x 20 heel slides are valid, 5 s is outside its fixed range, knee to chest is
    adjustable and two-sided, the kneeling back stretch has no sides, and 20 s x 2 fits both of them."""
    assert HEEL.hold.min <= 3 <= HEEL.hold.max < 5 and not HEEL.hold_adjustable
    assert HEEL.reps.min <= 20 <= HEEL.reps.max and HEEL.side_count == 2
    assert KNEE.hold_adjustable and KNEE.side_count == 2 and DOUBLE.side_count == 1
    for stretch in (KNEE, DOUBLE):
        (hold_low, hold_high), (reps_low, reps_high) = CATALOGUE.bounds(stretch.id)
        assert hold_low <= 20 <= hold_high and reps_low <= 2 <= reps_high
    assert KNEE.hold.max < 181 and KNEE.reps.max < 21
