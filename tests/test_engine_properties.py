"""Property tests: any routine, any settings, any sequence of commands keeps the engine's state valid."""

from __future__ import annotations

from typing import Callable

from hypothesis import given, settings
from hypothesis import strategies as st

from skill.catalogue import load_catalogue
from skill.engine import (
    Finished,
    Paused,
    Play,
    Progress,
    RoutineEngine,
    RoutineState,
    Settings,
    Step,
    blocks,
)
from skill.engine.state import STATUSES

CATALOGUE = load_catalogue()
ENGINE = RoutineEngine(CATALOGUE)

Operation = Callable[[RoutineState, int], Step]
OPERATIONS: dict[str, Operation] = {
    "next": ENGINE.next,
    "previous": ENGINE.previous,
    "repeat": ENGINE.repeat,
    "skip": ENGINE.skip,
    "pause": ENGINE.pause,
    "resume": ENGINE.resume,
    "start_over": ENGINE.start_over,
    "progress": lambda state, now: ENGINE.progress(state),
}

routine_ids = st.sampled_from(sorted(CATALOGUE.routines))
user_settings = st.builds(
    Settings,
    hold_seconds=st.one_of(st.none(), st.integers(min_value=10, max_value=90)),
    reps=st.one_of(st.none(), st.integers(min_value=1, max_value=10)),
)
operation_lists = st.lists(st.sampled_from(sorted(OPERATIONS)), max_size=60)


def _check_state(state: RoutineState) -> None:
    """The invariants every state the engine hands out must satisfy."""
    all_blocks = blocks(state.items, CATALOGUE)
    assert 0 <= state.position < len(all_blocks)
    assert state.status in STATUSES
    assert len(set(state.skipped)) == len(state.skipped), state.skipped
    assert all(0 <= i < len(state.items) for i in state.skipped)
    assert RoutineState.from_dict(state.to_dict(), CATALOGUE) == state


def _last_item_first_position(state: RoutineState) -> int:
    all_blocks = blocks(state.items, CATALOGUE)
    last_item = all_blocks[-1].item_index
    return next(i for i, b in enumerate(all_blocks) if b.item_index == last_item)


def _check_step(name: str, before: RoutineState, step: Step) -> None:
    """Each outcome matches the command that produced it and the resulting state."""
    state, outcome = step.state, step.outcome
    _check_state(state)
    assert state.items == before.items and state.routine_id == before.routine_id
    last = len(blocks(state.items, CATALOGUE)) - 1
    if isinstance(outcome, Play):
        assert state.status == "active"
        assert outcome.block == blocks(state.items, CATALOGUE)[state.position]
        assert outcome.item == state.items[outcome.block.item_index]
        assert outcome.stretch.id == outcome.item.stretch_id
        assert (outcome.upcoming is None) == (state.position == last)
    elif isinstance(outcome, Finished):
        assert state.status == "finished"
        assert name in ("next", "skip", "resume", "pause"), name
        if name == "pause":
            assert before.status == "finished", "pausing a finished routine just repeats the summary"
        elif name == "next":
            assert before.status == "finished" or before.position == last
        elif name == "resume":
            assert before.status == "finished" or (before.status == "active" and before.position == last)
        else:
            assert before.status == "finished" or before.position >= _last_item_first_position(before)
        assert outcome.stretches_done + outcome.stretches_skipped == len(state.items)
        assert outcome.stretches_skipped == len(state.skipped)
        assert outcome.minutes >= 1
    elif isinstance(outcome, Paused):
        assert name == "pause"
        assert state.position == before.position
        assert before.status != "finished" and state.status == "paused"
        assert outcome.block == blocks(state.items, CATALOGUE)[state.position]
    else:
        assert isinstance(outcome, Progress)
        assert name == "progress"
        assert state == before
        assert outcome.stretches_left >= 0 and outcome.seconds_left >= 0
    if name in ("next", "skip") and isinstance(outcome, Play):
        assert state.position > before.position or before.status == "finished"


@settings(max_examples=200, deadline=None)
@given(routine_id=routine_ids, user=user_settings, operations=operation_lists)
def test_any_command_sequence_keeps_state_valid(routine_id: str, user: Settings, operations: list[str]) -> None:
    """For any routine, settings and commands: state round-trips, stays in range, and outcomes fit the command."""
    step = ENGINE.start(routine_id, user, now=0)
    assert isinstance(step.outcome, Play)
    _check_state(step.state)
    for now, name in enumerate(operations, start=1):
        before = step.state
        step = OPERATIONS[name](before, now)
        _check_step(name, before, step)
    # From wherever the commands left it, next reaches the end within the number of blocks.
    state = step.state
    for now in range(len(blocks(state.items, CATALOGUE)) + 1):
        step = ENGINE.next(state, now=1000 + now)
        _check_step("next", state, step)
        state = step.state
        if isinstance(step.outcome, Finished):
            break
    assert isinstance(step.outcome, Finished)


@settings(max_examples=200, deadline=None)
@given(routine_id=routine_ids, user=user_settings)
def test_next_always_finishes_after_every_block(routine_id: str, user: Settings) -> None:
    """start then next until Finished plays exactly len(blocks) blocks, each once and in order."""
    step = ENGINE.start(routine_id, user, now=0)
    expected = blocks(step.state.items, CATALOGUE)
    played = []
    for now in range(1, len(expected) + 2):
        if isinstance(step.outcome, Finished):
            break
        assert isinstance(step.outcome, Play)
        played.append(step.outcome.block)
        step = ENGINE.next(step.state, now)
    assert isinstance(step.outcome, Finished)
    assert len(played) == len(expected)
    assert tuple(played) == expected
