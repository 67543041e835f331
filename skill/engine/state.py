"""The one explicit state object of a routine in progress, and its (de)serialisation.

``position`` always means the same thing: the index, in the routine's segments
(``skill.engine.segments``), of the first segment the user has not yet heard in
full. While a response is playing, ``chunk`` says which segments it carries,
when it was sent and where each segment ends in it, so a command said in the
middle of it can be placed on the segment that was playing then.

The state travels in Alexa session attributes and is stored between sessions, so
anything coming back in is untrusted: ``RoutineState.from_dict`` checks every
field and raises ``InvalidState`` rather than letting a tampered or outdated
value reach the engine.

Example:
    >>> from skill.catalogue import load_catalogue
    >>> state = RoutineState("morning", (PlanItem("single_knee_to_chest", 20, 1),), position=2)
    >>> RoutineState.from_dict(state.to_dict(), load_catalogue()) == state
    True
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import Enum
from typing import Any, NamedTuple

from skill.catalogue.model import Catalogue
from skill.engine.plan import PlanItem
from skill.engine.segments import segments

MAX_ITEMS = 40
# Bounds on the times a state carries: untrusted numbers (a stored 1E+125) never get past ``from_dict``.
MAX_UPDATED_AT = 10**10  # epoch seconds, the year 2286
MAX_SENT_AT_MS = 10**13  # epoch milliseconds, the same year
MAX_OFFSET_MS = 24 * 3600 * 1000  # a response's offsets: far beyond any response Alexa plays
MAX_CHUNK_VALUES = 1000  # offsets in one chunk: one per segment sent, and a routine has far fewer
OWN_ROUTINE = "own"  # the routine id of the user's own list of stretches


class Status(str, Enum):
    PLAYING = "playing"  # a response carrying ``chunk`` was sent; it plays until the user interrupts
    PAUSED = "paused"  # stopped at ``position`` (pause, "this hurts", a question, a stop)
    FINISHED = "finished"


class InvalidState(ValueError):
    """Serialized routine state that does not describe a valid routine in progress."""


class Chunk(NamedTuple):
    """The segments ``start`` .. ``end - 1`` sent in one response at ``sent_at_ms`` (epoch ms).

    ``ends_ms[0]`` is when the first of them starts (after any opening words);
    ``ends_ms[k]`` is when segment ``start + k - 1`` ends, in ms from the response's start.
    ``spoken_ms[k]`` is how much of ``ends_ms[k]`` is words rather than breaks: breaks play
    exactly as written, words only as fast as the voice speaks, so only this part is uncertain.
    Empty (a state stored before it was kept) counts every millisecond as words.
    ``reply_ms`` is the whole response's modelled length and how much of it is words (closing
    question included): an answer after it bounds how fast the voice really speaks
    (``skill.flows.voice``). Empty when unknown.
    """

    start: int
    end: int
    sent_at_ms: int
    ends_ms: tuple[int, ...]
    spoken_ms: tuple[int, ...] = ()
    reply_ms: tuple[int, ...] = ()

    def spoken(self, k: int) -> int:
        """Milliseconds of words up to ``ends_ms[k]``."""
        return self.spoken_ms[k] if self.spoken_ms else self.ends_ms[k]

    def to_list(self) -> list[Any]:
        return [self.start, self.end, self.sent_at_ms, list(self.ends_ms), list(self.spoken_ms), list(self.reply_ms)]


@dataclass(frozen=True)
class RoutineState:
    """Where a user is in a routine; ``skipped`` holds item indexes, for the summary (the rest count as done);
    ``answered``, the items whose question before them (``skill.flows.growth``) has been answered."""

    routine_id: str
    items: tuple[PlanItem, ...]
    position: int = 0
    status: Status = Status.PAUSED
    chunk: Chunk | None = None
    skipped: tuple[int, ...] = field(default=())
    updated_at: int = 0
    answered: tuple[int, ...] = field(default=())

    def with_(self, **changes: Any) -> "RoutineState":
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-safe data: strings, integers and lists only (DynamoDB rejects floats)."""
        data: dict[str, Any] = {
            "routine": self.routine_id,
            "items": [[i.stretch_id, i.hold, i.reps] + ([] if i.side is None else [i.side]) for i in self.items],
            "position": self.position,
            "status": self.status.value,
            "skipped": list(self.skipped),
            "updated_at": self.updated_at,
        }
        if self.chunk is not None:
            data["chunk"] = self.chunk.to_list()
        if self.answered:
            data["answered"] = list(self.answered)
        return data

    @classmethod
    def from_dict(cls, data: Any, catalogue: Catalogue) -> "RoutineState":
        """Validate and rebuild a state; numbers may arrive as ``Decimal`` from DynamoDB."""
        try:
            routine_id = data["routine"]
            if not isinstance(data, dict) or not isinstance(data["items"], (list, tuple)) or len(data["items"]) > MAX_ITEMS:
                raise ValueError("not a state with a short list of items")
            items = tuple(_item(raw) for raw in data["items"])
            position = _int(data["position"])
            status = Status(data["status"])
            raw_skipped = data.get("skipped", ())
            if not isinstance(raw_skipped, (list, tuple)) or len(raw_skipped) > MAX_ITEMS:
                raise ValueError("skipped is not a short list")
            skipped = tuple(_int(i) for i in raw_skipped)
            raw_answered = data.get("answered", ())
            if not isinstance(raw_answered, (list, tuple)) or len(raw_answered) > MAX_ITEMS:
                raise ValueError("answered is not a short list")
            answered = tuple(_int(i) for i in raw_answered)
            updated_at = _int(data.get("updated_at", 0))
            raw_chunk = data.get("chunk")
            chunk = None
            if raw_chunk is not None:
                if not isinstance(raw_chunk, (list, tuple)) or any(
                    isinstance(part, (list, tuple)) and len(part) > MAX_CHUNK_VALUES for part in raw_chunk
                ):
                    raise ValueError("a chunk is a short list")
                start, end, sent_at, ends, *rest = raw_chunk
                if len(rest) > 2:
                    raise ValueError("a chunk has at most six fields")
                spoken, whole = (tuple(tuple(_int(e) for e in field) for field in rest) + ((), ()))[:2]
                chunk = Chunk(_int(start), _int(end), _int(sent_at), tuple(_int(e) for e in ends), spoken, whole)
        except (KeyError, TypeError, ValueError, OverflowError) as error:  # int(inf) overflows
            raise InvalidState(f"malformed routine state: {error}") from error
        if not isinstance(routine_id, str) or (routine_id not in catalogue.routines and routine_id != OWN_ROUTINE):
            raise InvalidState("routine id is neither a catalogue routine nor the user's own")
        if not items or len(items) > MAX_ITEMS:
            raise InvalidState("routine state has no stretches or too many")
        for item in items:
            if not isinstance(item.stretch_id, str) or item.stretch_id not in catalogue.stretches:
                raise InvalidState(f"unknown stretch {item.stretch_id!r}")
            stretch = catalogue.stretch(item.stretch_id)
            # Safety beats settings: nothing outside what the stretch's articles give is played, even from storage.
            (hold_low, hold_high), (reps_low, reps_high) = catalogue.bounds(stretch.id)
            if not hold_low <= item.hold <= hold_high:
                raise InvalidState(f"hold out of range for {stretch.id}: {item.hold}")
            if not reps_low <= item.reps <= reps_high:
                raise InvalidState(f"reps out of range for {stretch.id}: {item.reps}")
            if item.side is not None and (stretch.side_count != 2 or item.side not in (0, 1)):
                raise InvalidState(f"side {item.side!r} for {stretch.id}")
        length = len(segments(items, catalogue))
        if not 0 <= position <= length:
            raise InvalidState(f"position out of range: {position}")
        if any(not 0 <= i < len(items) for i in skipped) or len(set(skipped)) != len(skipped):
            raise InvalidState("skipped item indexes out of range or repeated")
        if any(not 0 <= i < len(items) for i in answered) or len(set(answered)) != len(answered):
            raise InvalidState("answered item indexes out of range or repeated")
        if not 0 <= updated_at <= MAX_UPDATED_AT:
            raise InvalidState(f"updated_at out of range: {updated_at}")
        if chunk is not None:
            _check_chunk(chunk, length)
        if status is Status.PLAYING and chunk is None:
            raise InvalidState("a playing routine needs its chunk")
        return cls(routine_id, items, position, status, chunk, skipped, updated_at, answered)


def _check_chunk(chunk: Chunk, length: int) -> None:
    if not 0 <= chunk.start < chunk.end <= length:
        raise InvalidState("chunk outside the routine")
    if len(chunk.ends_ms) != chunk.end - chunk.start + 1:
        raise InvalidState("chunk offsets do not match its segments")
    if any(b < a for a, b in zip(chunk.ends_ms, chunk.ends_ms[1:])) or chunk.ends_ms[0] < 0:
        raise InvalidState("chunk offsets go backwards")
    spoken = chunk.spoken_ms
    if spoken and (
        len(spoken) != len(chunk.ends_ms) or spoken[0] < 0
        or any(b < a for a, b in zip(spoken, spoken[1:])) or any(s > e for s, e in zip(spoken, chunk.ends_ms))
    ):
        raise InvalidState("chunk's spoken times do not fit its offsets")
    if chunk.reply_ms and (len(chunk.reply_ms) != 2 or not 0 <= chunk.reply_ms[1] <= chunk.reply_ms[0]):
        raise InvalidState("chunk's response length is not (length, words)")
    if not 0 <= chunk.sent_at_ms <= MAX_SENT_AT_MS:
        raise InvalidState("chunk sent before 1970 or centuries from now")
    if any(not 0 <= ms <= MAX_OFFSET_MS for ms in chunk.ends_ms + chunk.spoken_ms + chunk.reply_ms):
        raise InvalidState("chunk offsets out of range")


def _item(raw: Any) -> PlanItem:
    """``[stretch_id, hold, reps]`` or ``[stretch_id, hold, reps, side]``."""
    if not isinstance(raw, (list, tuple)) or len(raw) not in (3, 4):
        raise ValueError(f"not a plan item: {raw!r}")
    side = _int(raw[3]) if len(raw) == 4 else None
    return PlanItem(raw[0], _int(raw[1]), _int(raw[2]), side)


def _int(value: Any) -> int:
    """Accept ints and integral Decimals; refuse bools, floats with fractions and strings."""
    if isinstance(value, bool) or isinstance(value, str):
        raise ValueError("not a number")
    number = int(value)
    if number != value:
        raise ValueError(f"not a whole number: {value!r}")
    return number
