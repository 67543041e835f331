"""Example-based tests of the routine engine: plan, blocks, moves, settings and state (de)serialisation."""

from __future__ import annotations

import copy
import json
import math
from decimal import Decimal
from importlib import resources
from typing import Any, Callable

import pytest

from skill.catalogue import load_catalogue
from skill.catalogue.model import Catalogue, RoutineItem, parse_catalogue
from skill.engine import (
    Finished,
    InvalidState,
    Paused,
    PlanItem,
    Play,
    Progress,
    RoutineEngine,
    RoutineState,
    Settings,
    Step,
    blocks,
    build_plan,
    plan_seconds,
)
from skill.engine.plan import block_seconds, reps_per_block
from skill.engine.state import MAX_ITEMS

CATALOGUE = load_catalogue()
ROUTINE_IDS = sorted(CATALOGUE.routines)


@pytest.fixture
def catalogue() -> Catalogue:
    return CATALOGUE


@pytest.fixture
def engine() -> RoutineEngine:
    return RoutineEngine(CATALOGUE)


def _play(step: Step) -> Play:
    assert isinstance(step.outcome, Play), step.outcome
    return step.outcome


def _expected_block_count(plan: tuple[PlanItem, ...], catalogue: Catalogue) -> int:
    """sum over items of sides x ceil(reps / reps_per_block)."""
    total = 0
    for item in plan:
        stretch = catalogue.stretch(item.stretch_id)
        total += stretch.side_count * math.ceil(item.reps / reps_per_block(stretch, item.hold))
    return total


def _at(engine: RoutineEngine, routine_id: str, position: int, settings: Settings = Settings()) -> RoutineState:
    """A started routine moved on to ``position`` with ``next``."""
    state = engine.start(routine_id, settings, now=0).state
    for n in range(position):
        state = engine.next(state, now=n + 1).state
    assert state.position == position
    return state


# -- walking a whole routine ----------------------------------------------------------------


@pytest.mark.parametrize("routine_id", ROUTINE_IDS)
@pytest.mark.parametrize("settings", [Settings(), Settings(hold_seconds=30, reps=2), Settings(hold_seconds=10, reps=10)])
def test_next_plays_every_block_then_finishes(engine: RoutineEngine, routine_id: str, settings: Settings) -> None:
    """start + next play each block once, in order, and the block count follows the sides x reps formula."""
    step = engine.start(routine_id, settings, now=0)
    plan = step.state.items
    expected = blocks(plan, CATALOGUE)
    assert len(expected) == _expected_block_count(plan, CATALOGUE)
    played = [_play(step).block]
    now = 0
    while True:
        now += 1
        step = engine.next(step.state, now)
        if isinstance(step.outcome, Finished):
            break
        played.append(_play(step).block)
        assert step.state.position == len(played) - 1
        assert len(played) <= len(expected), "next never finishes"
    assert tuple(played) == expected
    assert step.state.status == "finished"
    assert step.outcome.stretches_done == len(plan)
    assert step.outcome.stretches_skipped == 0
    assert step.outcome.minutes == max(1, math.ceil(plan_seconds(plan, CATALOGUE) / 60))


def test_block_count_splits_long_sets(catalogue: Catalogue) -> None:
    """A held stretch with more reps than fit in one turn is split; a counted set is always one block per side."""
    plan = build_plan(
        [RoutineItem("back_flexion", hold=30, reps=10), RoutineItem("heel_slides")], catalogue, Settings()
    )
    result = blocks(plan, catalogue)
    # back_flexion: 150 // (30 + 5) = 4 reps per block -> 4, 4, 2; heel_slides: one block per side.
    assert [(b.item_index, b.side_index, b.first_rep, b.rep_count) for b in result] == [
        (0, 0, 0, 4),
        (0, 0, 4, 4),
        (0, 0, 8, 2),
        (1, 0, 0, 10),
        (1, 1, 0, 10),
    ]
    assert len(result) == _expected_block_count(plan, catalogue)


def test_next_moves_to_the_other_side(engine: RoutineEngine) -> None:
    """A left/right stretch's second block is the same stretch with side_index 1, from the first rep."""
    first = engine.start("morning", Settings(), now=0)
    assert CATALOGUE.stretch("single_knee_to_chest").sides == "left_right"
    assert _play(first).block.side_index == 0
    second = _play(engine.next(first.state, now=1))
    assert second.block.item_index == 0
    assert second.block.side_index == 1
    assert second.block.first_rep == 0
    assert second.stretch.id == "single_knee_to_chest"
    assert not second.block.is_item_start


# -- previous, repeat ---------------------------------------------------------------------


def test_previous_at_start_stays_at_first_block(engine: RoutineEngine) -> None:
    """previous on block 0 replays block 0 and flags at_start."""
    start = engine.start("lower_back", Settings(), now=0)
    back = engine.previous(start.state, now=1)
    play = _play(back)
    assert back.state.position == 0
    assert play.at_start is True
    assert play.block == _play(start).block


def test_previous_after_next_returns_to_same_block(engine: RoutineEngine) -> None:
    """next then previous plays exactly the block played before, without the at_start flag."""
    start = engine.start("full_back", Settings(), now=0)
    moved = engine.next(engine.next(start.state, now=1).state, now=2)
    back = engine.previous(moved.state, now=3)
    assert back.state.position == 1
    assert _play(back).at_start is False
    assert _play(back).block == blocks(start.state.items, CATALOGUE)[1]
    again = engine.previous(back.state, now=4)
    assert again.state.position == 0
    assert _play(again).block == _play(start).block


def test_repeat_keeps_position(engine: RoutineEngine) -> None:
    """repeat plays the current block again and does not move."""
    state = _at(engine, "sciatica", 3)
    step = engine.repeat(state, now=10)
    assert step.state.position == 3
    assert _play(step).block == blocks(state.items, CATALOGUE)[3]
    assert step.state.status == "active"


# -- skip -------------------------------------------------------------------------------------


def test_skip_jumps_to_next_stretch_first_block(engine: RoutineEngine) -> None:
    """skip from the first side of a two-sided stretch lands on the next stretch's first block."""
    start = engine.start("morning", Settings(), now=0)
    step = engine.skip(start.state, now=1)
    play = _play(step)
    assert play.block.item_index == 1
    assert play.block.is_item_start
    assert step.state.position == 2  # single_knee_to_chest had two blocks (left, right)
    assert step.state.skipped == (0,)


def test_skip_from_second_side_records_stretch_once(engine: RoutineEngine) -> None:
    """skip part-way through a stretch records it once and moves to the following stretch."""
    state = _at(engine, "morning", 1)  # right side of single_knee_to_chest
    step = engine.skip(state, now=5)
    assert _play(step).block.item_index == 1
    assert step.state.skipped == (0,)
    back = engine.previous(step.state, now=6)
    again = engine.skip(back.state, now=7)
    assert again.state.skipped == (0,)


def test_skip_on_last_stretch_finishes(engine: RoutineEngine) -> None:
    """skip on the last stretch ends the routine and counts the stretch as skipped."""
    routine = CATALOGUE.routine("lower_back")
    state = engine.start("lower_back", Settings(), now=0).state
    for n in range(len(routine.items) - 1):
        state = engine.skip(state, now=n + 1).state
    assert _play(engine.repeat(state, now=50)).block.item_index == len(routine.items) - 1
    step = engine.skip(state, now=60)
    assert isinstance(step.outcome, Finished)
    assert step.state.status == "finished"
    assert step.outcome.stretches_skipped == len(routine.items)
    assert step.outcome.stretches_done == 0


def test_skip_last_after_doing_others(engine: RoutineEngine) -> None:
    """Doing all stretches but the last and skipping it reports one skipped."""
    plan = engine.start("morning", Settings(), now=0).state.items
    last_item_first_block = next(
        i for i, b in enumerate(blocks(plan, CATALOGUE)) if b.item_index == len(plan) - 1
    )
    state = _at(engine, "morning", last_item_first_block)
    step = engine.skip(state, now=99)
    assert isinstance(step.outcome, Finished)
    assert (step.outcome.stretches_done, step.outcome.stretches_skipped) == (len(plan) - 1, 1)


# -- pause, resume ------------------------------------------------------------------------------


def test_pause_then_resume_replays_same_block(engine: RoutineEngine) -> None:
    """pause keeps the position with status paused; resume plays that same block again."""
    state = _at(engine, "hamstrings", 2)
    paused = engine.pause(state, now=10)
    assert isinstance(paused.outcome, Paused)
    assert paused.state.status == "paused"
    assert paused.state.position == 2
    assert paused.outcome.block == blocks(state.items, CATALOGUE)[2]
    assert paused.outcome.stretch == engine.current_stretch(state)
    resumed = engine.resume(paused.state, now=20)
    assert resumed.state.status == "active"
    assert resumed.state.position == 2
    assert _play(resumed).block == paused.outcome.block


def test_resume_when_active_moves_on(engine: RoutineEngine) -> None:
    """ResumeIntent ("continue") mid-routine means next."""
    start = engine.start("hamstrings", Settings(), now=0)
    step = engine.resume(start.state, now=1)
    assert step.state.position == 1
    assert _play(step).block == blocks(start.state.items, CATALOGUE)[1]


def test_resume_when_active_on_last_block_finishes(engine: RoutineEngine) -> None:
    """"continue" on the last block finishes, like next."""
    plan = engine.start("warm_up", Settings(), now=0).state.items
    state = _at(engine, "warm_up", len(blocks(plan, CATALOGUE)) - 1)
    assert isinstance(engine.resume(state, now=100).outcome, Finished)


def test_resume_on_finished_stays_finished(engine: RoutineEngine) -> None:
    """resume after the end reports Finished again rather than replaying."""
    state = _at(engine, "back_break", len(blocks(engine.start("back_break", Settings(), 0).state.items, CATALOGUE)) - 1)
    done = engine.next(state, now=100)
    assert isinstance(done.outcome, Finished)
    again = engine.resume(done.state, now=101)
    assert isinstance(again.outcome, Finished)
    assert again.state.status == "finished"


# -- start over -----------------------------------------------------------------------------------


def test_start_over_resets(engine: RoutineEngine) -> None:
    """start_over goes back to block 0, active, with nothing skipped."""
    state = engine.skip(_at(engine, "full_back", 2), now=10).state
    paused = engine.pause(state, now=11).state
    assert paused.skipped and paused.position > 0
    step = engine.start_over(paused, now=12)
    assert step.state.position == 0
    assert step.state.status == "active"
    assert step.state.skipped == ()
    assert step.state.updated_at == 12
    assert _play(step).block == blocks(state.items, CATALOGUE)[0]


# -- progress ----------------------------------------------------------------------------------------


def test_progress_at_start_counts_rest_of_routine(engine: RoutineEngine) -> None:
    """At block 0, progress counts the other stretches and the seconds of every later block."""
    start = engine.start("morning", Settings(), now=0)
    plan = start.state.items
    step = engine.progress(start.state)
    assert step.state == start.state
    assert isinstance(step.outcome, Progress)
    assert step.outcome.stretches_left == len(plan) - 1
    later = blocks(plan, CATALOGUE)[1:]
    assert step.outcome.seconds_left == round(sum(block_seconds(b, plan, CATALOGUE) for b in later))
    assert step.outcome.current.id == plan[0].stretch_id


def test_progress_on_second_side_excludes_current_stretch(engine: RoutineEngine) -> None:
    """On the first block of a two-sided stretch, the other side does not count as another stretch."""
    start = engine.start("morning", Settings(), now=0)
    progress = engine.progress(start.state).outcome
    assert isinstance(progress, Progress)
    assert progress.stretches_left == 2  # the right side of stretch 1 is not "another stretch"


def test_progress_is_zero_at_the_end(engine: RoutineEngine) -> None:
    """On the last block and after finishing, nothing is left."""
    plan = engine.start("neck_and_shoulders", Settings(), now=0).state.items
    last = _at(engine, "neck_and_shoulders", len(blocks(plan, CATALOGUE)) - 1)
    at_last = engine.progress(last).outcome
    assert isinstance(at_last, Progress)
    assert (at_last.stretches_left, at_last.seconds_left) == (0, 0)
    finished = engine.next(last, now=100).state
    after = engine.progress(finished).outcome
    assert isinstance(after, Progress)
    assert (after.stretches_left, after.seconds_left) == (0, 0)


def test_progress_decreases_along_the_routine(engine: RoutineEngine) -> None:
    """Remaining seconds never grow as next moves on."""
    step = engine.start("full_back", Settings(), now=0)
    seconds = []
    while isinstance(step.outcome, Play):
        progress = engine.progress(step.state).outcome
        assert isinstance(progress, Progress)
        seconds.append(progress.seconds_left)
        step = engine.next(step.state, now=len(seconds))
    assert seconds == sorted(seconds, reverse=True)
    assert seconds[-1] == 0


# -- settings ----------------------------------------------------------------------------------------


def test_settings_override_adjustable_holds_only(catalogue: Catalogue) -> None:
    """Settings(30, 2) changes ordinary stretches; warm-ups, pulses, lying rest and counted moves keep theirs."""
    custom = Settings(hold_seconds=30, reps=2)
    lower = {p.stretch_id: p for p in build_plan(catalogue.routine("lower_back").items, catalogue, custom)}
    assert lower["single_knee_to_chest"] == PlanItem("single_knee_to_chest", 30, 2)
    assert lower["lying_hamstring_stretch"] == PlanItem("lying_hamstring_stretch", 30, 2)
    assert lower["pelvic_tilt"] == PlanItem("pelvic_tilt", 10, 5)  # not adjustable
    assert lower["knee_twist"] == PlanItem("knee_twist", 3, 6)  # counted moves keep tempo and count
    brk = {p.stretch_id: p for p in build_plan(catalogue.routine("back_break").items, catalogue, custom)}
    assert brk["knee_to_chest_pulses"] == PlanItem("knee_to_chest_pulses", 5, 8)
    assert brk["lying_rest"] == PlanItem("lying_rest", 120, 1)
    assert brk["double_knee_to_chest"] == PlanItem("double_knee_to_chest", 30, 2)
    warm = {p.stretch_id: p for p in build_plan(catalogue.routine("warm_up").items, catalogue, custom)}
    assert warm["ankle_pumps"] == PlanItem("ankle_pumps", 2, 10)
    assert warm["heel_slides"] == PlanItem("heel_slides", 3, 10)
    assert warm["abdominal_contraction"] == PlanItem("abdominal_contraction", 5, 10)


@pytest.mark.parametrize("stretch_id", sorted(CATALOGUE.stretches))
def test_settings_rule_for_every_stretch(catalogue: Catalogue, stretch_id: str) -> None:
    """For each stretch: a user's hold applies iff adjustable; a user's reps iff adjustable and held."""
    stretch = catalogue.stretch(stretch_id)
    (item,) = build_plan([RoutineItem(stretch_id)], catalogue, Settings(hold_seconds=30, reps=2))
    assert item.hold == (30 if stretch.hold_adjustable else stretch.hold.default)
    assert item.reps == (2 if stretch.hold_adjustable and stretch.kind == "hold" else stretch.reps.default)


def test_default_settings_keep_routine_overrides(catalogue: Catalogue) -> None:
    """Settings() keeps the routine's own hold/reps and the stretch defaults elsewhere."""
    plan = build_plan(catalogue.routine("morning").items, catalogue, Settings())
    assert plan == (
        PlanItem("single_knee_to_chest", 20, 1),
        PlanItem("double_knee_to_chest", 20, 1),
        PlanItem("knee_to_chest_pulses", 5, 8),
    )


# -- state round trip and validation ------------------------------------------------------------------


def _states_along(engine: RoutineEngine, routine_id: str) -> list[RoutineState]:
    """A mix of states a real session produces: moved, skipped, paused, finished."""
    states = []
    step = engine.start(routine_id, Settings(hold_seconds=45, reps=3), now=1_700_000_000)
    states.append(step.state)
    step = engine.next(step.state, now=1_700_000_010)
    states.append(step.state)
    step = engine.skip(step.state, now=1_700_000_020)
    states.append(step.state)
    states.append(engine.pause(step.state, now=1_700_000_030).state)
    while not isinstance(step.outcome, Finished):
        step = engine.next(step.state, now=1_700_000_040)
    states.append(step.state)
    return states


@pytest.mark.parametrize("routine_id", ROUTINE_IDS)
def test_state_round_trip(engine: RoutineEngine, routine_id: str) -> None:
    """from_dict(to_dict(s)) == s, and to_dict holds only JSON strings, ints and lists."""
    for state in _states_along(engine, routine_id):
        data = state.to_dict()
        assert json.loads(json.dumps(data)) == data
        assert all(isinstance(v, (str, int)) and not isinstance(v, bool) for v in _leaves(data))
        assert RoutineState.from_dict(data, CATALOGUE) == state
        assert RoutineState.from_dict(json.loads(json.dumps(data)), CATALOGUE) == state


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


def test_from_dict_accepts_decimals(engine: RoutineEngine) -> None:
    """DynamoDB hands numbers back as Decimal; they rebuild the same state with plain ints."""
    for state in _states_along(engine, "full_back"):
        data = _to_decimal(state.to_dict())
        assert isinstance(data["position"], Decimal)
        rebuilt = RoutineState.from_dict(data, CATALOGUE)
        assert rebuilt == state
        assert type(rebuilt.position) is int
        assert all(type(i.hold) is int and type(i.reps) is int for i in rebuilt.items)


def _valid() -> dict[str, Any]:
    return {
        "routine": "morning",
        "items": [["single_knee_to_chest", 20, 1], ["double_knee_to_chest", 20, 1], ["knee_to_chest_pulses", 5, 8]],
        "position": 1,
        "status": "active",
        "skipped": [0],
        "updated_at": 1_700_000_000,
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


TAMPERED: dict[str, Callable[[dict[str, Any]], Any]] = {
    "unknown stretch": _set(("items", 0, 0), "backflip"),
    "stretch id not a string": _set(("items", 0, 0), 7),
    "negative position": _set(("position",), -1),
    "position one past the end": _set(("position",), 4),
    "huge position": _set(("position",), 10**12),
    "float hold": _set(("items", 0, 1), 20.5),
    "float position": _set(("position",), 0.5),
    "Decimal with fraction": _set(("items", 0, 1), Decimal("20.5")),
    "bool hold": _set(("items", 0, 1), True),
    "bool position": _set(("position",), False),
    "string hold": _set(("items", 0, 1), "20"),
    "string reps": _set(("items", 0, 2), "1"),
    "string position": _set(("position",), "0"),
    "string skipped": _set(("skipped",), ["0"]),
    "string updated_at": _set(("updated_at",), "1700000000"),
    "None hold": _set(("items", 0, 1), None),
    "hold 0": _set(("items", 0, 1), 0),
    "hold too long": _set(("items", 0, 1), 181),
    "negative hold": _set(("items", 0, 1), -20),
    "reps 0": _set(("items", 0, 2), 0),
    "reps too many": _set(("items", 0, 2), 21),
    "unknown status": _set(("status",), "running"),
    "status None": _set(("status",), None),
    "skipped out of range": _set(("skipped",), [3]),
    "skipped negative": _set(("skipped",), [-1]),
    "item too short": _set(("items", 0), ["single_knee_to_chest", 20]),
    "item too long": _set(("items", 0), ["single_knee_to_chest", 20, 1, 1]),
    "item not a list": _set(("items", 0), 5),
    "items not a list": _set(("items",), 5),
    "no items": _set(("items",), []),
    "too many items": _set(("items",), [["pelvic_tilt", 10, 5]] * (MAX_ITEMS + 1)),
    "missing routine": _drop("routine"),
    "missing items": _drop("items"),
    "missing position": _drop("position"),
    "missing status": _drop("status"),
    "None": _replace(None),
    "list": _replace([]),
    "string": _replace("morning"),
    "number": _replace(42),
}


def test_valid_fixture_is_accepted() -> None:
    """The base dict the tampering cases start from is itself valid (so each rejection is due to the change)."""
    state = RoutineState.from_dict(_valid(), CATALOGUE)
    assert state.position == 1 and state.skipped == (0,)
    many = _valid()
    many["items"] = [["pelvic_tilt", 10, 5]] * MAX_ITEMS
    assert len(RoutineState.from_dict(many, CATALOGUE).items) == MAX_ITEMS


@pytest.mark.parametrize("case", sorted(TAMPERED))
def test_from_dict_rejects_tampered_data(case: str) -> None:
    """Any malformed or out-of-range field raises InvalidState (and nothing else)."""
    data = TAMPERED[case](copy.deepcopy(_valid()))
    with pytest.raises(InvalidState):
        RoutineState.from_dict(data, CATALOGUE)


@pytest.mark.parametrize("value", [float("inf"), float("-inf"), Decimal("Infinity")], ids=["inf", "-inf", "Decimal-Infinity"])
def test_from_dict_rejects_infinite_numbers(value: Any) -> None:
    """Infinity (json.loads accepts the literal) raises InvalidState, not the OverflowError of int(inf).

    Regression: at 863f120 the OverflowError escaped from_dict, and the handlers (which catch only
    InvalidState) failed every request of the session.
    """
    data = _valid()
    data["items"][0][1] = value
    with pytest.raises(InvalidState):
        RoutineState.from_dict(data, CATALOGUE)


def test_from_dict_rejects_repeated_skipped_indexes() -> None:
    """The engine never records a stretch twice in skipped, so a repeated index is tampered data.

    Regression: at 863f120 it was accepted and the closing summary said "-2 stretches" done
    (Finished.stretches_done = len(items) - len(skipped)).
    """
    data = _valid()
    data["skipped"] = [0, 0, 0, 0]
    with pytest.raises(InvalidState):
        RoutineState.from_dict(data, CATALOGUE)


@pytest.mark.parametrize(
    ("stretch_id", "hold"),
    [("sciatic_nerve_glide", 11), ("knee_twist", 30), ("knee_to_chest_pulses", 30), ("lying_rest", 60)],
)
def test_from_dict_rejects_fixed_hold_outside_stretch_range(stretch_id: str, hold: int) -> None:
    """A stretch whose timing users cannot change must carry a hold inside its own catalogue range.

    Regression: at 863f120 any hold in 1..180 passed, and a counted set with an 11 s tempo then
    could not be spoken (a 10.6 s break; see tests/test_speech.py).
    """
    stretch = CATALOGUE.stretch(stretch_id)
    assert not stretch.hold_adjustable and not stretch.hold.min <= hold <= stretch.hold.max
    def state(seconds: int) -> dict[str, Any]:
        return {"routine": "own", "items": [[stretch_id, seconds, stretch.reps.default]], "position": 0, "status": "active"}

    with pytest.raises(InvalidState):
        RoutineState.from_dict(state(hold), CATALOGUE)
    assert RoutineState.from_dict(state(stretch.hold.default), CATALOGUE).items[0].hold == stretch.hold.default


# -- durations from the catalogue ----------------------------------------------------------------------


@pytest.mark.parametrize("routine_id", ROUTINE_IDS)
def test_routine_lasts_between_2_and_12_minutes(catalogue: Catalogue, routine_id: str) -> None:
    """Each catalogue routine at default settings is estimated at 2 to 12 minutes."""
    seconds = plan_seconds(build_plan(catalogue.routine(routine_id).items, catalogue, Settings()), catalogue)
    assert 120 <= seconds <= 720, f"{routine_id}: {seconds:.0f} s"


def _catalogue_docs() -> tuple[dict[str, Any], dict[str, Any]]:
    folder = resources.files("skill.catalogue")
    return (
        json.loads(folder.joinpath("stretches.json").read_text(encoding="utf-8")),
        json.loads(folder.joinpath("routines.json").read_text(encoding="utf-8")),
    )


def test_estimate_follows_catalogue_holds() -> None:
    """Doubling child's pose's default hold in the JSON adds exactly reps x 30 s to the full back estimate."""
    stretches_doc, routines_doc = _catalogue_docs()
    before = parse_catalogue(stretches_doc, routines_doc)
    raw = next(s for s in stretches_doc["stretches"] if s["id"] == "childs_pose")
    raw["hold"]["default"] *= 2
    raw["hold"]["max"] = max(raw["hold"]["max"], raw["hold"]["default"])
    after = parse_catalogue(stretches_doc, routines_doc)
    items = before.routine("full_back").items
    old = plan_seconds(build_plan(items, before, Settings()), before)
    new = plan_seconds(build_plan(items, after, Settings()), after)
    reps = next(i.reps for i in items if i.stretch_id == "childs_pose")
    assert reps is not None
    assert new == pytest.approx(old + reps * 30)


@pytest.mark.parametrize("routine_id", ROUTINE_IDS)
def test_estimate_grows_when_a_hold_doubles(routine_id: str) -> None:
    """For each routine, doubling its first stretch's hold (routine override or stretch default) grows the estimate."""
    stretches_doc, routines_doc = _catalogue_docs()
    before = parse_catalogue(stretches_doc, routines_doc)
    entry = next(r for r in routines_doc["routines"] if r["id"] == routine_id)["stretches"][0]
    raw = next(s for s in stretches_doc["stretches"] if s["id"] == entry["id"])
    if "hold" in entry:
        entry["hold"] *= 2
        raw["hold"]["max"] = max(raw["hold"]["max"], entry["hold"])
    else:
        raw["hold"]["default"] *= 2
        raw["hold"]["max"] = max(raw["hold"]["max"], raw["hold"]["default"])
    after = parse_catalogue(stretches_doc, routines_doc)
    old = plan_seconds(build_plan(before.routine(routine_id).items, before, Settings()), before)
    new = plan_seconds(build_plan(after.routine(routine_id).items, after, Settings()), after)
    assert new > old


def test_skip_and_pause_on_a_finished_routine_only_repeat_the_summary() -> None:
    """After the end, skip and pause neither mark the last stretch skipped nor claim to pause."""
    engine = RoutineEngine(CATALOGUE)
    state = engine.start("morning", Settings(), now=0).state
    while not isinstance((step := engine.next(state, now=1)).outcome, Finished):
        state = step.state
    finished = step.state
    for operation in (engine.skip, engine.pause):
        again = operation(finished, 2)
        assert isinstance(again.outcome, Finished) and again.state.skipped == ()
