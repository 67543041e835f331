"""Property tests: any routine, any settings, any sequence of sends, requests and commands keeps the state valid."""

from __future__ import annotations

import itertools
import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from skill.catalogue import load_catalogue
from skill.engine import (
    Chunk,
    InvalidState,
    Moment,
    RoutineEngine,
    RoutineState,
    SegmentKind,
    Settings,
    Status,
    Where,
    build_plan,
)

CATALOGUE = load_catalogue()
ENGINE = RoutineEngine(CATALOGUE)
T0 = 1_700_000_000_000

STEERING = ("next", "skip", "back", "repeat", "start_over", "pause")
OPERATIONS = ("start", "sent", "locate", "finish") + STEERING

routine_ids = st.sampled_from(sorted(CATALOGUE.routines))
# Any hold and reps a user could ask for (and beyond): the plan keeps each stretch inside its own range.
user_settings = st.builds(
    Settings,
    hold_seconds=st.one_of(st.none(), st.integers(min_value=1, max_value=300)),
    reps=st.one_of(st.none(), st.integers(min_value=1, max_value=30)),
    sore_side=st.sampled_from([None, 0, 1]),
)


@st.composite
def chunks(draw: st.DrawFn, length: int, not_before: int) -> Chunk:
    """Any run of segments, with any opening length and segment lengths (zero included), sent at any later time."""
    start = draw(st.integers(min_value=0, max_value=length - 1))
    end = draw(st.integers(min_value=start + 1, max_value=length))
    lead = draw(st.integers(min_value=0, max_value=60_000))
    durations = draw(st.lists(st.integers(min_value=0, max_value=180_000), min_size=end - start, max_size=end - start))
    sent_at = draw(st.integers(min_value=not_before, max_value=not_before + 3_600_000))
    return Chunk(start, end, sent_at, tuple(itertools.accumulate(durations, initial=lead)))


def timestamps(chunk: Chunk | None) -> st.SearchStrategy[int | None]:
    """None, any epoch time, or (while a chunk plays) a time around it or well after it."""
    anything: st.SearchStrategy[int | None] = st.one_of(st.none(), st.integers(min_value=0, max_value=2**42))
    if chunk is None:
        return anything
    end = chunk.sent_at_ms + chunk.ends_ms[-1]
    around = st.integers(min_value=chunk.sent_at_ms - 20_000, max_value=end + 20_000)
    after = st.integers(min_value=end + 30_000, max_value=end + 3_600_000)
    return st.one_of(anything, around, around, after)


def _check_state(state: RoutineState, routine_id: str) -> None:
    """The invariants every state the engine hands out must satisfy."""
    length = len(ENGINE.segments_of(state))
    assert state.routine_id == routine_id
    assert 0 <= state.position <= length
    assert len(set(state.skipped)) == len(state.skipped), state.skipped
    assert all(0 <= i < len(state.items) for i in state.skipped)
    assert (state.status is Status.PLAYING) <= (state.chunk is not None)
    data = state.to_dict()
    assert RoutineState.from_dict(data, CATALOGUE) == state
    assert RoutineState.from_dict(json.loads(json.dumps(data)), CATALOGUE) == state


def _check_located(before: RoutineState, at: int | None, moment: Moment) -> None:
    """A request stops whatever played, inside the chunk that was playing."""
    state = moment.state
    assert state.status is not Status.PLAYING
    chunk = before.chunk
    if before.status is not Status.PLAYING or chunk is None:
        assert moment == Moment(before, Where.STOPPED)
        return
    assert state.status is Status.PAUSED and state.chunk is None
    assert chunk.start <= state.position <= chunk.end
    assert moment.where is (Where.BOUNDARY if state.position == chunk.end else Where.INTERRUPTED)
    if at is None or at < chunk.sent_at_ms:
        assert state.position == chunk.start
    assert set(state.skipped) <= set(before.skipped)
    timeline = ENGINE.segments_of(state)
    heard = range(before.position, state.position)
    for item in state.skipped:  # a stretch heard from its start to its end is not skipped any more
        own = [i for i, s in enumerate(timeline) if s.item_index == item]
        assert not (own[0] in heard and own[-1] in heard), (item, before.position, state.position)


def _steer(name: str, moment: Moment) -> RoutineState:
    """Carry out a steering command and check what it promises about the new place: pause keeps the
    earliest place the request may have been made at, the others act on the most likely one."""
    before = moment.state if name == "pause" else ENGINE.at_likely(moment)
    assert ENGINE.at_likely(moment).position >= moment.state.position
    timeline = ENGINE.segments_of(before)
    length = len(timeline)
    if name == "next":
        state = ENGINE.next(moment)
        if moment.where is Where.INTERRUPTED:
            assert state.position > before.position
        else:
            assert state == before
    elif name == "skip":
        state = ENGINE.skip(moment)
        if before.position < length:
            item = timeline[before.position].item_index
            assert item in state.skipped
            assert state.position > before.position
            if state.position < length:  # the next stretch's start
                assert (timeline[state.position].item_index, timeline[state.position].kind) == (item + 1, SegmentKind.STRETCH)
        else:
            assert state == before
    elif name == "back":
        state, at_first = ENGINE.back(moment)
        assert state.position <= before.position
        assert timeline[state.position].kind is SegmentKind.STRETCH
        assert state.skipped == before.skipped
        item = timeline[min(before.position, length - 1)].item_index
        assert at_first == (item == 0)
    elif name == "repeat":
        state = ENGINE.repeat(moment)
        assert state.position <= before.position
        assert timeline[state.position].kind in (SegmentKind.STRETCH, SegmentKind.SIDE)
    elif name == "start_over":
        state = ENGINE.start_over(moment)
        assert (state.position, state.skipped) == (0, ())
    else:
        state = ENGINE.pause(moment)
        assert state.position >= before.position
        assert state.position == length or timeline[state.position].kind is not SegmentKind.REST
        assert state.status is (Status.FINISHED if before.status is Status.FINISHED else Status.PAUSED)
    assert state.items == before.items
    assert state.status is not Status.PLAYING
    return state


@settings(max_examples=200, deadline=None)
@given(routine_id=routine_ids, user=user_settings, data=st.data())
def test_any_sequence_keeps_state_valid(routine_id: str, user: Settings, data: st.DataObject) -> None:
    """For any routine, settings, chunks, request times and commands, the state stays valid and round-trips."""
    items = CATALOGUE.routine(routine_id).items
    now = T0
    state = ENGINE.start(routine_id, items, user, now)
    plan = state.items
    _check_state(state, routine_id)
    # Sending is drawn more often: a command then meets a playing chunk.
    operations = data.draw(st.lists(st.sampled_from(OPERATIONS + ("sent",) * 3), min_size=3, max_size=40), label="operations")
    for name in operations:
        before = state
        length = len(ENGINE.segments_of(state))
        if name == "start":
            state = ENGINE.start(routine_id, items, user, now)
            assert (state.position, state.status, state.skipped, state.chunk) == (0, Status.PAUSED, (), None)
        elif name == "sent":
            chunk = data.draw(chunks(length, now), label="chunk")
            now = chunk.sent_at_ms
            state = ENGINE.sent(state, chunk)
            assert (state.status, state.position, state.chunk) == (Status.PLAYING, chunk.start, chunk)
        elif name == "finish":
            state = ENGINE.finish(state)
            assert (state.status, state.position, state.chunk) == (Status.FINISHED, length, None)
            assert set(state.skipped) <= set(before.skipped)
        else:
            at = data.draw(timestamps(state.chunk), label=f"{name} at")
            moment = ENGINE.locate(state, at)
            _check_located(before, at, moment)
            state = moment.state if name == "locate" else _steer(name, moment)
        assert state.items == plan
        _check_state(state, routine_id)


@settings(max_examples=300, deadline=None)
@given(routine_id=routine_ids, user=user_settings)
def test_any_settings_keep_every_stretch_in_its_range(routine_id: str, user: Settings) -> None:
    """Any hold, reps and sore side: every stretch stays in the range its routine gives it (its article's), a
    setting inside that range is used as it is, one outside gives the nearest end, and only an affected-side
    stretch is limited to the sore side."""
    items = CATALOGUE.routine(routine_id).items
    plan = build_plan(items, CATALOGUE, user)
    for routine_item, item in zip(items, plan, strict=True):
        stretch = CATALOGUE.stretch(item.stretch_id)
        hold, reps = routine_item.ranges(stretch)
        assert hold.min <= item.hold <= hold.max
        assert reps.min <= item.reps <= reps.max
        if stretch.hold_adjustable and user.hold_seconds is not None:
            if hold.min <= user.hold_seconds <= hold.max:
                assert item.hold == user.hold_seconds
            else:
                assert item.hold == (hold.min if user.hold_seconds < hold.min else hold.max)
        else:
            assert item.hold == hold.default
        if stretch.hold_adjustable and stretch.kind == "hold" and user.reps is not None:
            if reps.min <= user.reps <= reps.max:
                assert item.reps == user.reps
            else:
                assert item.reps == (reps.min if user.reps < reps.min else reps.max)
        else:
            assert item.reps == reps.default
        assert item.side == (user.sore_side if stretch.side_rule == "affected" else None)


@settings(max_examples=200, deadline=None)
@given(routine_id=routine_ids, user=user_settings, data=st.data())
def test_locate_moves_forward_with_time(routine_id: str, user: Settings, data: st.DataObject) -> None:
    """A later request is never placed earlier in the chunk, nor its range; one stamped 4 s after the chunk's
    last offset (the user spoke after it) is a boundary."""
    state = ENGINE.start(routine_id, CATALOGUE.routine(routine_id).items, user, T0)
    chunk = data.draw(chunks(len(ENGINE.segments_of(state)), T0), label="chunk")
    playing = ENGINE.sent(state, chunk)
    times = data.draw(
        st.lists(st.integers(min_value=T0 - 60_000, max_value=chunk.sent_at_ms + chunk.ends_ms[-1] + 60_000), min_size=2),
        label="times",
    )
    moments = [ENGINE.locate(playing, at) for at in sorted(times)]
    positions = [moment.state.position for moment in moments]
    assert positions == sorted(positions)
    for part in range(3):
        assert [m.place[part] for m in moments] == sorted(m.place[part] for m in moments)
    assert all(m.place.earliest <= m.place.likely <= m.place.latest for m in moments)
    assert all(chunk.start <= p <= chunk.end for p in positions)
    after_end = data.draw(st.integers(min_value=0, max_value=600_000), label="ms after the last offset")
    late = ENGINE.locate(playing, chunk.sent_at_ms + chunk.ends_ms[-1] + 4_000 + after_end)
    assert (late.state.position, late.where) == (chunk.end, Where.BOUNDARY)


json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=8)),
    lambda inner: st.one_of(st.lists(inner, max_size=5), st.dictionaries(st.text(max_size=8), inner, max_size=4)),
    max_leaves=12,
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every key or index path into a dict/list document."""
    paths = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, child in value.items():
            paths += _paths(child, prefix + (key,))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            paths += _paths(child, prefix + (index,))
    return paths


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_tampered_state_is_refused_or_valid(data: st.DataObject) -> None:
    """Replacing any part of a stored state with any JSON value: InvalidState, or a state that is in range."""
    start = ENGINE.start("morning", CATALOGUE.routine("morning").items, Settings(), T0)
    chunk = data.draw(chunks(len(ENGINE.segments_of(start)), T0), label="chunk")
    document = ENGINE.sent(start, chunk).to_dict()
    path = data.draw(st.sampled_from(_paths(document)), label="path")
    target: Any = document
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = data.draw(json_values, label="value")
    try:
        state = RoutineState.from_dict(document, CATALOGUE)
    except InvalidState:
        return
    assert 0 <= state.position <= len(ENGINE.segments_of(state))
    assert all(0 <= i < len(state.items) for i in state.skipped)
    assert RoutineState.from_dict(state.to_dict(), CATALOGUE) == state
