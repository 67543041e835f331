"""A routine's timeline with words: every segment's speech and duration.

The engine gives the order of segments (``skill.engine.segments``); this module
gives each one its words, its breaks and, from the one speaking-rate model
(``skill.speech.rate``), its length. Everything that needs a time comes from
here: the SSML of each response, where responses are cut, "about 6 minutes",
"3 minutes left", and the offsets that place an interruption on a segment.

Example:
    >>> from skill.catalogue import load_catalogue
    >>> from skill.engine.plan import PlanItem
    >>> from skill.speech.phrases import phrases_for
    >>> timeline = Timeline((PlanItem("double_knee_to_chest", 20, 1),), load_catalogue(), phrases_for("en-US"))
    >>> [r.segment.kind.value for r in timeline.rendered]
    ['stretch', 'settle', 'hold']
    >>> 20 < timeline.seconds() < 60
    True
"""

from __future__ import annotations

from typing import Iterable, NamedTuple

from skill.catalogue.model import Catalogue, Stretch
from skill.engine.plan import PlanItem
from skill.engine.segments import (
    REST_BETWEEN_REPS_SECONDS,
    SWITCH_SIDES_SECONDS,
    Segment,
    SegmentKind,
    item_end,
    segments,
    settle_seconds,
)
from skill.speech.countdown import coaching_fits, counted_set, hold_countdown
from skill.speech.phrases import Phrases
from skill.speech.rate import BETWEEN_SENTENCES_SECONDS, speaking_seconds, texts_seconds
from skill.speech.ssml import MAX_BREAK_MS, Part, Pause, Speech, Text

SIDE_KEYS = ("side_left", "side_right")
ONE_KEYS = ("side_one_left", "side_one_right")


def side_name(phrases: Phrases, stretch: Stretch, side_index: int) -> str | None:
    """ "left side" / "right side" for a stretch done on each side; None for one that is not."""
    return phrases.say(SIDE_KEYS[side_index]) if stretch.sides == "left_right" else None


def steps_on_side(phrases: Phrases, stretch: Stretch, side_index: int | None) -> tuple[str, ...]:
    """The stretch's steps naming the side (``None``: no side in particular, as on a screen).

    >>> from skill.catalogue import load_catalogue
    >>> from skill.speech.phrases import phrases_for
    >>> stretch = load_catalogue().stretch("single_knee_to_chest")
    >>> steps_on_side(phrases_for("en-US"), stretch, 1)[0], steps_on_side(phrases_for("en-US"), stretch, None)[0]
    ('Hold the back of your right thigh with both hands.', 'Hold the back of one thigh with both hands.')
    """
    return stretch.steps_on(phrases.say("side_one_none" if side_index is None else ONE_KEYS[side_index]))


# Characters of SSML one response may carry: Alexa's limit is 8000; keep a margin.
RESPONSE_BUDGET_CHARS = 7600


def _running_ms(lead: float, amounts: Iterable[float]) -> tuple[int, ...]:
    """``lead``, then the running total after each of ``amounts``, in whole milliseconds.

    >>> _running_ms(0.5, [1.0, 0.25])
    (500, 1500, 1750)
    """
    totals = [lead]
    for amount in amounts:
        totals.append(totals[-1] + amount)
    return tuple(int(round(t * 1000)) for t in totals)


class RenderedSegment(NamedTuple):
    segment: Segment
    speech: Speech
    seconds: float
    chars: int

    @property
    def spoken(self) -> float:
        """Seconds of words (the rest is breaks, which play exactly)."""
        return self.seconds - self.speech.break_ms() / 1000.0


def wait(seconds: float, filler: str) -> list[Part]:
    """``seconds`` of silence as breaks of at most 10 s, with ``filler`` said between two of them."""
    if seconds * 1000 <= MAX_BREAK_MS:
        return [Pause(int(round(seconds * 1000)))]
    rest = seconds - speaking_seconds(filler)
    first = int(round(rest * 500))
    return [Pause(first), Text(filler), Pause(int(round(rest * 1000)) - first)]


def speech_seconds(speech: Speech, after_words: bool = False) -> float:
    """Breaks plus spoken words; ``after_words``: it follows words, so a sentence pause comes first."""
    parts = list(speech.flat())
    pause = BETWEEN_SENTENCES_SECONDS if after_words and parts and isinstance(parts[0], Text) else 0.0
    texts = [p.text if isinstance(p, Text) else None for p in parts]
    return pause + speech.break_ms() / 1000.0 + texts_seconds(texts)


def speech_chars(speech: Speech) -> int:
    """Characters this speech adds inside ``<speak>`` after some words (with the space joining them)."""
    return len(Speech([Text("."), *speech.parts]).ssml()) - len("<speak>.</speak>")


class Timeline:
    """The words and times of a routine, for a listener who knows ``familiar`` stretches by heart."""

    def __init__(
        self,
        items: tuple[PlanItem, ...],
        catalogue: Catalogue,
        phrases: Phrases,
        familiar: frozenset[str] = frozenset(),
    ) -> None:
        self.items = items
        self.catalogue = catalogue
        self.phrases = phrases
        self.familiar = familiar
        self.segments = segments(items, catalogue)
        rendered: list[RenderedSegment] = []
        for segment in self.segments:
            # Every response opens with words, so the first segment follows words too.
            after_words = not rendered or isinstance(list(rendered[-1].speech.flat())[-1], Text)
            rendered.append(self._render(segment, after_words))
        self.rendered = tuple(rendered)

    def __len__(self) -> int:
        return len(self.segments)

    def stretch(self, item_index: int) -> Stretch:
        return self.catalogue.stretch(self.items[item_index].stretch_id)

    # -- times ---------------------------------------------------------------------------

    def seconds(self, start: int = 0, end: int | None = None) -> float:
        return sum(r.seconds for r in self.rendered[start:end])

    def ends_ms(self, start: int, end: int, lead_seconds: float) -> tuple[int, ...]:
        """Where segments ``start``..``end - 1`` end in a response whose first ``lead_seconds`` go before them."""
        return _running_ms(lead_seconds, (r.seconds for r in self.rendered[start:end]))

    def spoken_ms(self, start: int, end: int, lead_spoken: float) -> tuple[int, ...]:
        """How much of each of ``ends_ms(start, end, ...)`` is words, after ``lead_spoken`` seconds of them."""
        return _running_ms(lead_spoken, (r.spoken for r in self.rendered[start:end]))

    # -- responses -------------------------------------------------------------------------

    def speech(self, start: int, end: int) -> Speech:
        speech = Speech()
        for rendered in self.rendered[start:end]:
            speech.add(*rendered.speech.parts)
        return speech

    def chunk_end(self, start: int, budget_chars: int) -> int:
        """How far one response starting at ``start`` goes within ``budget_chars`` of SSML.

        Whole stretches where they fit; a stretch that alone does not fit is cut at a side,
        else at a repetition. At least one segment always goes.
        """
        used, end = 0, start
        candidates: list[int] = []
        for index in range(start, len(self.rendered)):
            used += self.rendered[index].chars
            if used > budget_chars:
                break
            end = index + 1
            candidates.append(end)
        if end == len(self.rendered) or end == start:
            return max(end, start + 1)
        whole_items = [c for c in candidates if c == item_end(self.segments, self.segments[c - 1].item_index)]
        if whole_items:
            return whole_items[-1]
        at_side = [c for c in candidates if self.segments[c].kind is SegmentKind.SIDE]
        if at_side:
            return at_side[-1]
        at_rep = [c for c in candidates if self.segments[c].kind is SegmentKind.REST]
        return at_rep[-1] if at_rep else end

    # -- words -----------------------------------------------------------------------------

    def _render(self, segment: Segment, after_words: bool) -> RenderedSegment:
        speech = Speech(self._parts(segment))
        return RenderedSegment(segment, speech, speech_seconds(speech, after_words), speech_chars(speech))

    def _parts(self, segment: Segment) -> list[Part]:
        p, index = self.phrases, segment.item_index
        item, stretch = self.items[index], self.stretch(index)
        kind = segment.kind
        if kind is SegmentKind.STRETCH:
            return self._introduction(index, segment.side_index)
        if kind is SegmentKind.SETTLE:
            # Silence to get into position; a held stretch's cue comes inside its first hold.
            before = self.stretch(index - 1).posture if index else None
            settle: list[Part] = list(wait(settle_seconds(before, stretch.posture), p.say("take_your_time")))
            # A counted set's steps already say how to move; when they are skipped, its cue stands in.
            familiar_count = stretch.kind == "count" and stretch.id in self.familiar
            return settle + [Text(stretch.cue)] if familiar_count else settle
        if kind is SegmentKind.SIDE:
            side = side_name(self.phrases, stretch, segment.side_index)
            switch = [p.say("switch_side", name=stretch.name, side=side)]
            if stretch.side_change:  # the first side ends first: "Lower your left foot back to the floor."
                switch.insert(0, stretch.side_change.replace("{one}", p.say(ONE_KEYS[1 - segment.side_index])))
            return [*(Text(w) for w in switch), Pause(SWITCH_SIDES_SECONDS * 1000)]
        if kind is SegmentKind.REST:
            words = p.say("rest_between_reps", variant=segment.rep)
            return [Text(words), Pause(int(round((REST_BETWEEN_REPS_SECONDS - speaking_seconds(words)) * 1000)))]
        if kind is SegmentKind.COUNT:
            return [counted_set(item.reps, item.hold, p, stretch.count_cues)]
        parts: list[Part] = []
        if segment.rep > 0:  # the first repetition needs no number
            parts.append(Text(p.say("rep_of", rep=segment.rep + 1, total=item.reps)))
        coaching = stretch.cue if segment.rep == 0 else None  # the stretch's own cue, in its first hold
        if coaching and not coaching_fits(item.hold, p, coaching):
            parts.append(Text(coaching))  # too short a hold for it: just before, so it is heard all the same
        parts.append(hold_countdown(item.hold, p, coaching=coaching))
        return parts

    def _introduction(self, index: int, side_index: int) -> list[Part]:
        """Heading, the side to start on (``side_index``), then position and steps; a familiar stretch
        gets its name alone, and its position when it differs from the one before (or it comes first)."""
        p, stretch = self.phrases, self.stretch(index)
        side = side_name(self.phrases, stretch, side_index)
        key = "stretch_heading_first" if index == 0 and len(self.items) > 1 else "stretch_heading"
        if side:
            key += "_side"
        texts = [p.say(key, number=index + 1, total=len(self.items), name=stretch.name, side=side)]
        if stretch.id not in self.familiar:
            same_place = index > 0 and self.stretch(index - 1).position == stretch.position
            texts.append(p.say("same_position", variant=index) if same_place else stretch.position)
            texts.extend(steps_on_side(p, stretch, side_index if side else None))
        elif index == 0 or self.stretch(index - 1).posture != stretch.posture:
            texts.append(stretch.position)  # known by heart, but a change of position is still said
        if stretch.caution and not (index > 0 and self.stretch(index - 1).caution == stretch.caution):
            texts.append(stretch.caution)  # said once for two stretches in a row that share it
        return [Text(t) for t in texts]
