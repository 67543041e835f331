"""The routine engine: pure functions from a state and a command to a new state and an outcome.

No ASK, no I/O, no clock: the caller passes ``now`` (epoch seconds). Every
operation returns ``Step(state, outcome)``; the speech layer turns the outcome
into words and the handlers keep the state.

Example:
    >>> from skill.catalogue import load_catalogue
    >>> engine = RoutineEngine(load_catalogue())
    >>> step = engine.start("morning", Settings(), now=0)
    >>> step.outcome.block.item_index, step.state.position
    (0, 0)
    >>> engine.next(step.state, now=1).state.position
    1
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterable, Union

from skill.catalogue.model import Catalogue, RoutineItem, Stretch
from skill.engine.plan import Block, PlanItem, Settings, block_seconds, blocks, build_plan
from skill.engine.state import RoutineState


@dataclass(frozen=True)
class Play:
    """Play ``block``. ``upcoming`` is the block after it (None when it is the last)."""

    block: Block
    item: PlanItem
    stretch: Stretch
    item_number: int
    item_total: int
    upcoming: Block | None
    upcoming_stretch: Stretch | None
    at_start: bool = False  # "previous" asked for at the very first block


@dataclass(frozen=True)
class Paused:
    stretch: Stretch
    block: Block


@dataclass(frozen=True)
class Finished:
    stretches_done: int
    stretches_skipped: int
    minutes: int


@dataclass(frozen=True)
class Progress:
    stretches_left: int
    seconds_left: int
    current: Stretch


Outcome = Union[Play, Paused, Finished, Progress]


@dataclass(frozen=True)
class Step:
    state: RoutineState
    outcome: Outcome


class RoutineEngine:
    """Operations on a ``RoutineState`` over a given catalogue."""

    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue

    # -- starting -----------------------------------------------------------------

    def start(self, routine_id: str, settings: Settings, now: int) -> Step:
        """Start a catalogue routine from its first stretch."""
        return self.start_items(routine_id, self.catalogue.routine(routine_id).items, settings, now)

    def start_items(self, routine_id: str, items: Iterable[RoutineItem], settings: Settings, now: int) -> Step:
        """Start any ordered list of stretches (a catalogue routine or the user's own)."""
        plan = build_plan(items, self.catalogue, settings)
        if not plan:
            raise ValueError("a routine needs at least one stretch")
        return self._play(RoutineState(routine_id, plan, 0, "active", (), now))

    # -- moving -------------------------------------------------------------------

    def next(self, state: RoutineState, now: int) -> Step:
        """Play the block after the current one, or finish."""
        if state.status == "finished":
            return self._finish(state, now)
        if state.position + 1 >= len(self._blocks(state)):
            return self._finish(state, now)
        return self._play(state.with_(position=state.position + 1, status="active", updated_at=now))

    def previous(self, state: RoutineState, now: int) -> Step:
        """Play the block before the current one (the first block again at the start)."""
        at_start = state.position == 0
        position = max(0, state.position - 1)
        if state.status == "finished":
            position = state.position
        return self._play(state.with_(position=position, status="active", updated_at=now), at_start=at_start)

    def repeat(self, state: RoutineState, now: int) -> Step:
        """Play the current block again."""
        return self._play(state.with_(status="active", updated_at=now))

    def skip(self, state: RoutineState, now: int) -> Step:
        """Leave the current stretch (all its sides and reps) and play the next one."""
        if state.status == "finished":
            return self._finish(state, now)
        all_blocks = self._blocks(state)
        current_item = all_blocks[state.position].item_index
        skipped = state.skipped if current_item in state.skipped else state.skipped + (current_item,)
        for position in range(state.position + 1, len(all_blocks)):
            if all_blocks[position].item_index != current_item:
                return self._play(state.with_(position=position, status="active", skipped=skipped, updated_at=now))
        return self._finish(state.with_(skipped=skipped), now)

    def start_over(self, state: RoutineState, now: int) -> Step:
        """Play the routine from its first block."""
        return self._play(state.with_(position=0, status="active", skipped=(), updated_at=now))

    def pause(self, state: RoutineState, now: int) -> Step:
        """Keep the current block for ``resume``; nothing plays."""
        if state.status == "finished":
            return self._finish(state, now)
        block = self._blocks(state)[state.position]
        stretch = self.catalogue.stretch(state.items[block.item_index].stretch_id)
        return Step(state.with_(status="paused", updated_at=now), Paused(stretch, block))

    def resume(self, state: RoutineState, now: int) -> Step:
        """After a pause or interruption, play the block that was current; otherwise carry on.

        Alexa sends ResumeIntent for "continue" too, which mid-routine means "next".
        """
        if state.status == "active":
            return self.next(state, now)
        if state.status == "finished":
            return self._finish(state, now)
        return self._play(state.with_(status="active", updated_at=now))

    # -- asking -------------------------------------------------------------------

    def progress(self, state: RoutineState) -> Step:
        """How many stretches and seconds remain after the current block."""
        all_blocks = self._blocks(state)
        current = all_blocks[state.position]
        remaining = all_blocks[state.position + 1 :]
        items_left = len({b.item_index for b in remaining} - {current.item_index})
        seconds = sum(block_seconds(b, state.items, self.catalogue) for b in remaining)
        stretch = self.catalogue.stretch(state.items[current.item_index].stretch_id)
        if state.status == "finished":
            items_left, seconds = 0, 0
        return Step(state, Progress(items_left, int(round(seconds)), stretch))

    def stretches_left(self, state: RoutineState) -> int:
        progress = self.progress(state).outcome
        assert isinstance(progress, Progress)
        return progress.stretches_left

    def current_stretch(self, state: RoutineState) -> Stretch:
        block = self._blocks(state)[state.position]
        return self.catalogue.stretch(state.items[block.item_index].stretch_id)

    # -- internals ------------------------------------------------------------------

    def _blocks(self, state: RoutineState) -> tuple[Block, ...]:
        return blocks(state.items, self.catalogue)

    def _play(self, state: RoutineState, at_start: bool = False) -> Step:
        all_blocks = self._blocks(state)
        block = all_blocks[state.position]
        item = state.items[block.item_index]
        upcoming = all_blocks[state.position + 1] if state.position + 1 < len(all_blocks) else None
        upcoming_stretch = (
            self.catalogue.stretch(state.items[upcoming.item_index].stretch_id) if upcoming else None
        )
        return Step(
            state,
            Play(
                block=block,
                item=item,
                stretch=self.catalogue.stretch(item.stretch_id),
                item_number=block.item_index + 1,
                item_total=len(state.items),
                upcoming=upcoming,
                upcoming_stretch=upcoming_stretch,
                at_start=at_start,
            ),
        )

    def _finish(self, state: RoutineState, now: int) -> Step:
        total = sum(block_seconds(b, state.items, self.catalogue) for b in self._blocks(state))
        done = len(state.items) - len(state.skipped)
        finished = state.with_(status="finished", updated_at=now)
        return Step(finished, Finished(done, len(state.skipped), max(1, math.ceil(total / 60))))
