"""The routine engine: pure functions from a state and a command to a new state.

No ASK, no I/O, no words, no clock: the caller passes times in epoch
milliseconds. Every request first places the user in the routine (``locate``):
while a response was playing, the request's timestamp says which segment was
playing when they spoke. The steering commands then act on that place, and the
flows play the routine on from the new ``position``.

Example:
    >>> from skill.catalogue import load_catalogue
    >>> engine = RoutineEngine(load_catalogue())
    >>> state = engine.start("morning", load_catalogue().routine("morning").items, Settings(), now_ms=0)
    >>> state.position, engine.skip(Moment(state, Where.BOUNDARY)).position
    (0, 5)
"""

from __future__ import annotations

from enum import Enum
from typing import Iterable, NamedTuple

from skill.catalogue.model import Catalogue, RoutineItem, Stretch
from skill.engine.plan import PlanItem, Settings, build_plan
from skill.engine.segments import (
    Segment,
    item_end,
    item_start,
    next_side_start,
    resume_point,
    segments,
    side_start,
)
from skill.engine.state import Chunk, RoutineState, Status

# From the moment speech is cut by the wake word to the request's timestamp: the rest of the
# utterance, recognition, and the device starting to play the response after it was sent. It is
# likely this long, and may be up to REACTION_SPREAD_MS shorter or longer.
REACTION_MS = 2500
REACTION_SPREAD_MS = 1000
# Alexa's timestamps are whole seconds: the request was made somewhere in [timestamp, timestamp + 1 s).
STAMP_MS = 1000
MAX_CACHED_PLANS = 64


class Where(str, Enum):
    """How a request meets the routine."""

    INTERRUPTED = "interrupted"  # said while a response was still playing
    BOUNDARY = "boundary"  # said after a response played to its end (answering its question)
    STOPPED = "stopped"  # the routine was already paused, or nothing was playing


class Voice(NamedTuple):
    """How the voice that plays responses compares with the rate model, for words only (breaks are exact).

    ``scale`` times the modelled time of the words is their likely time; the voice may be ``spread``
    (a fraction) slower or faster than that. Until the skill has heard from its users how long
    responses really take (``skill.flows.voice``), the voice may be 10 % off either way, and the
    model a few per cent off on its own: 15 % (espeak-ng at 145 words a minute runs 13 % slower
    than the model fitted at 160).
    """

    scale: float = 1.0
    spread: float = 0.15


def range_ms(chunk: Chunk, k: int, voice: Voice = Voice()) -> int:
    """How wide the moments a request stamped at ``ends_ms[k]`` may have been made at are, in ms: the
    words until then at the voice's spread either way, the reaction's spread either way, and the
    timestamp's second.

    >>> range_ms(Chunk(0, 1, 0, (0, 100_000), (0, 40_000)), 1)
    15000
    """
    return int(round(2 * voice.spread * voice.scale * chunk.spoken(k) + 2 * REACTION_SPREAD_MS + STAMP_MS))


class Span(NamedTuple):
    """The place a request was made at, as positions (first segment not heard in full): the
    earliest the timing allows, the most likely one, and the latest. Breaks play exactly; only the
    words played since the response began, the whole-second timestamp and the reaction widen it."""

    earliest: int
    likely: int
    latest: int


class Moment(NamedTuple):
    """The routine at the moment of a request.

    ``state.position`` is the first segment not heard in full, as far as is sure: the earliest place
    mid-response, the response's end after it. ``span`` is the whole range (``None``: exactly
    ``state.position``). Commands that only lose something if they act too late (pause, stop, "this
    hurts") use the earliest place; the rest act on the most likely one and say where they acted.
    """

    state: RoutineState
    where: Where
    span: Span | None = None
    closing_heard: bool = True  # False: most likely said while the response's closing words still played

    @property
    def place(self) -> Span:
        position = self.state.position
        return self.span if self.span is not None else Span(position, position, position)


class RoutineEngine:
    """Operations on a ``RoutineState`` over a given catalogue."""

    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue
        self._segments: dict[tuple[PlanItem, ...], tuple[Segment, ...]] = {}

    def segments_of(self, state: RoutineState) -> tuple[Segment, ...]:
        """The routine's segments (its shape, without words or times: ``skill.speech.timeline`` adds
        those); a request asks for them several times, so each plan's are kept (a few dozen plans at
        most: the cache starts again when full)."""
        found = self._segments.get(state.items)
        if found is None:
            if len(self._segments) >= MAX_CACHED_PLANS:
                self._segments.clear()
            found = self._segments[state.items] = segments(state.items, self.catalogue)
        return found

    def stretch_at(self, state: RoutineState, position: int | None = None) -> Stretch:
        """The stretch at ``position`` (default: the state's), or the last one past the end."""
        segs = self.segments_of(state)
        index = min(state.position if position is None else position, len(segs) - 1)
        return self.catalogue.stretch(state.items[segs[index].item_index].stretch_id)

    # -- starting and placing -------------------------------------------------------------

    def start(self, routine_id: str, items: Iterable[RoutineItem], settings: Settings, now_ms: int) -> RoutineState:
        """A routine at its first segment, not yet playing."""
        plan = build_plan(items, self.catalogue, settings)
        if not plan:
            raise ValueError("a routine needs at least one stretch")
        return RoutineState(routine_id, plan, 0, Status.PAUSED, updated_at=now_ms // 1000)

    def locate(self, state: RoutineState, at_ms: int | None, voice: Voice = Voice()) -> Moment:
        """Where the user is at ``at_ms`` (a request's timestamp; None when it had none).

        Speech is cut the moment the user says the wake word, so nothing plays on after a
        request: the result is never PLAYING. The moment they spoke lies ``REACTION_MS`` (give or
        take ``REACTION_SPREAD_MS``) before the timestamp, itself up to a second early; a segment
        ends where the model puts it, moved by ``voice`` for the words said until then. The
        earliest place takes the soonest moment and the slowest voice, the latest the reverse.
        When the most likely place is past the last segment, the user was answering the
        response's closing question: it was all heard. A missing timestamp, or one from before
        the response was sent (the clocks disagree), places the user at the start of what was
        sent: hearing something again is safer than missing it.

        >>> from skill.catalogue import load_catalogue
        >>> from skill.engine.state import Chunk
        >>> engine = RoutineEngine(load_catalogue())
        >>> state = engine.start("morning", load_catalogue().routine("morning").items, Settings(), now_ms=0)
        >>> chunk = Chunk(0, 4, 0, (1000, 31000, 61000, 91000, 121000), (1000, 31000, 61000, 91000, 121000))
        >>> engine.locate(engine.sent(state, chunk), 95_000).span  # all words: 10 % is 9 s by then
        Span(earliest=2, likely=3, latest=3)
        """
        chunk = state.chunk
        if state.status is not Status.PLAYING or chunk is None:
            return Moment(state, Where.STOPPED)
        closing_heard = True
        if at_ms is None or at_ms < chunk.sent_at_ms:
            span = Span(chunk.start, chunk.start, chunk.start)
        else:
            elapsed = at_ms - chunk.sent_at_ms
            if len(chunk.reply_ms) == 2:
                length, words = chunk.reply_ms
                closing_heard = elapsed + STAMP_MS // 2 - REACTION_MS >= length + (voice.scale - 1) * words
            span = Span(
                self._reached(chunk, elapsed - REACTION_MS - REACTION_SPREAD_MS, voice.scale * (1 + voice.spread)),
                self._reached(chunk, elapsed + STAMP_MS // 2 - REACTION_MS, voice.scale),
                self._reached(chunk, elapsed + STAMP_MS - REACTION_MS + REACTION_SPREAD_MS, voice.scale * (1 - voice.spread)),
            )
        where = Where.BOUNDARY if span.likely >= chunk.end else Where.INTERRUPTED
        position = chunk.end if where is Where.BOUNDARY else span.earliest
        moved = self._passed(state.with_(status=Status.PAUSED, chunk=None), position)
        return Moment(moved, where, span, closing_heard or where is Where.INTERRUPTED)

    @staticmethod
    def _reached(chunk: Chunk, heard_ms: int, speed: float) -> int:
        """The first segment not ended ``heard_ms`` into the response, its words taking ``speed`` times the model."""
        done = sum(
            1 for k in range(1, len(chunk.ends_ms))
            if chunk.ends_ms[k] + (speed - 1) * chunk.spoken(k) <= heard_ms
        )
        return chunk.start + done

    def at_earliest(self, moment: Moment) -> Moment:
        """The moment at the earliest place (for pause, stop and "this hurts"), even after a response
        that most likely played to its end.

        >>> from skill.catalogue import load_catalogue
        >>> engine = RoutineEngine(load_catalogue())
        >>> state = engine.start("morning", load_catalogue().routine("morning").items, Settings(), now_ms=0)
        >>> engine.at_earliest(Moment(state.with_(position=4), Where.BOUNDARY, Span(3, 4, 4))).state.position
        3
        """
        earliest = moment.place.earliest
        if earliest >= moment.state.position:
            return moment
        return Moment(moment.state.with_(position=earliest), Where.INTERRUPTED, moment.span)

    def hurt_at(self, moment: Moment) -> Moment:
        """Where "this hurts" was said: the earliest place, and never a stretch that had not begun.

        After a response that played to its end the stretch that hurt is the last one in it, not
        the one it announced, so going on afterwards plays the announced one.

        >>> from skill.catalogue import load_catalogue
        >>> engine = RoutineEngine(load_catalogue())
        >>> state = engine.start("morning", load_catalogue().routine("morning").items, Settings(), now_ms=0)
        >>> engine.hurt_at(Moment(state.with_(position=5), Where.BOUNDARY, Span(5, 5, 5))).state.position
        4
        """
        earliest = self.at_earliest(moment)
        if self.heard_to_the_end(moment):
            return Moment(earliest.state.with_(position=earliest.state.position - 1), Where.INTERRUPTED, moment.span)
        return earliest

    def heard_to_the_end(self, moment: Moment) -> bool:
        """Whether even the earliest place is after a response that played to its end: then what was
        said there is about the stretch it finished with, which was done.

        >>> from skill.catalogue import load_catalogue
        >>> engine = RoutineEngine(load_catalogue())
        >>> state = engine.start("morning", load_catalogue().routine("morning").items, Settings(), now_ms=0)
        >>> engine.heard_to_the_end(Moment(state.with_(position=5), Where.BOUNDARY, Span(5, 5, 5)))
        True
        >>> engine.heard_to_the_end(Moment(state.with_(position=5), Where.BOUNDARY, Span(3, 5, 5)))
        False
        """
        earliest = self.at_earliest(moment)
        return earliest.where is Where.BOUNDARY and earliest.state.position > 0

    def at_likely(self, moment: Moment) -> RoutineState:
        """The state at the most likely place (for commands that act on it and say so)."""
        likely = moment.place.likely
        if moment.where is not Where.INTERRUPTED or likely == moment.state.position:
            return moment.state
        return self._passed(moment.state, likely)

    def sent(self, state: RoutineState, chunk: Chunk) -> RoutineState:
        """The flows sent ``chunk``: it is playing now."""
        return state.with_(status=Status.PLAYING, position=chunk.start, chunk=chunk, updated_at=chunk.sent_at_ms // 1000)

    def finish(self, state: RoutineState) -> RoutineState:
        """The last response was sent: every stretch not skipped counts as done."""
        return self._passed(state, len(self.segments_of(state))).with_(status=Status.FINISHED, chunk=None)

    # -- steering -------------------------------------------------------------------------

    def next(self, moment: Moment) -> RoutineState:
        """Mid-response: cut the current side short (the most likely one). Otherwise: the next thing not yet heard."""
        state = self.at_likely(moment)
        if moment.where is Where.INTERRUPTED and state.position < len(self.segments_of(state)):
            return self._passed(state, next_side_start(self.segments_of(state), state.position))
        return state

    def skip(self, moment: Moment) -> RoutineState:
        """Leave out the stretch most likely playing, or (between stretches) the one announced next."""
        state = self.at_likely(moment)
        segs = self.segments_of(state)
        if state.position >= len(segs):
            return state
        item = segs[state.position].item_index
        skipped = state.skipped if item in state.skipped else state.skipped + (item,)
        return state.with_(position=item_end(segs, item), skipped=skipped)

    def back(self, moment: Moment) -> tuple[RoutineState, bool]:
        """The stretch before the current (most likely) one, or before the announced one between stretches.

        Returns the state and whether the user was already at the first stretch.
        """
        state = self.at_likely(moment)
        segs = self.segments_of(state)
        item = segs[min(state.position, len(segs) - 1)].item_index
        return state.with_(position=item_start(segs, max(0, item - 1))), item == 0

    def repeat(self, moment: Moment) -> RoutineState:
        """The side most likely playing from its start; after a response ended, the last side heard."""
        state = self.at_likely(moment)
        segs = self.segments_of(state)
        heard_last = moment.where is Where.BOUNDARY or state.position >= len(segs)
        position = max(0, state.position - 1) if heard_last else state.position
        return state.with_(position=side_start(segs, position))

    def start_over(self, moment: Moment) -> RoutineState:
        return moment.state.with_(position=0, skipped=())

    def pause(self, moment: Moment) -> RoutineState:
        """Stop here; ``position`` is where playing picks up again. A finished routine stays finished."""
        state = moment.state  # the earliest place: hearing a few seconds again is harmless, missing them is not
        status = Status.FINISHED if state.status is Status.FINISHED else Status.PAUSED
        return state.with_(position=resume_point(self.segments_of(state), state.position), status=status)

    def remaining(self, state: RoutineState) -> tuple[int, int]:
        """(stretches not yet started or under way from ``position``, of which the first is the current one)."""
        segs = self.segments_of(state)
        if state.position >= len(segs):
            return 0, 0
        current = segs[state.position].item_index
        return len(state.items) - current, current

    # -- internals ------------------------------------------------------------------------

    def _passed(self, state: RoutineState, position: int) -> RoutineState:
        """Move forward to ``position`` by playing: a skipped stretch heard in full is no longer skipped."""
        segs = self.segments_of(state)
        heard = {
            s.item_index for s in segs[state.position : position]
            if item_end(segs, s.item_index) <= position
        }
        return state.with_(position=position, skipped=tuple(i for i in state.skipped if i not in heard))
