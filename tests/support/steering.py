"""Steering by ear: commands said at moments of a response as espeak-ng says it, and what they acted on.

An oracle for tests and the bench. espeak-ng renders a response at a given rate and reports when
each word starts (``tests.support.spoken_words``); where each segment of the routine starts in the
audio comes from there (the skill's timeline gives only which words belong to which segment, never
their timing). A simulated user says a command at a moment of that audio; the request reaches the
skill a human and device reaction later, stamped in whole seconds as Alexa stamps it. What the
skill says back names the stretch it acted on ("Skipping child's pose.", "Paused at ...", the
stretch it plays next), and that is compared with what was audible: :func:`on_target` (within
:data:`TOLERANCE_SECONDS`) and :func:`safe` (what must never happen at any voice speed).
"""

from __future__ import annotations

import copy
import math
import random
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from skill.catalogue import load_catalogue
from skill.engine import RoutineState, SegmentKind
from skill.persistence.sqlite_store import SqliteStore
from skill.speech import phrases_for
from skill.speech.timeline import Timeline
from tests.support.conversation import Alexa, FakeClock, Reply
from tests.support.spoken_words import SpokenWords, spoken_words

CATALOGUE = load_catalogue()
LOWER_BACK = ("lower back", "lower_back")
# The simulated device: from the wake word to the request's timestamp (rest of the utterance,
# recognition, network), uniformly within these bounds; a test constant, not the skill's.
REACTION_SECONDS = (1.8, 3.2)
TOLERANCE_SECONDS = 3.0
FIRST_COMMAND_SECONDS = 12.0
COMMAND_EVERY_SECONDS = 6.3
COMMANDS = ("skip", "pause", "next", "repeat", "back", "pain", "left")
INTENTS = {
    "skip": "SkipIntent", "pause": "AMAZON.PauseIntent", "next": "AMAZON.NextIntent",
    "repeat": "AMAZON.RepeatIntent", "back": "AMAZON.PreviousIntent", "pain": "PainIntent",
    "left": "ProgressIntent",
}
ACTED = re.compile(r"(?:Skipping|Moving on from|Going back from|Paused at) ([a-z' -]+?)\.")
PLAYED = re.compile(r"(?:First, |Stretch \d+ of \d+: |Back to )([a-z' -]+?)(?:,|\.| side)")


@dataclass(frozen=True)
class Heard:
    """The long response as espeak-ng said it at one rate: when each of its segments starts."""

    wpm: int
    reply: Reply
    state: RoutineState
    starts: tuple[float, ...]  # audio seconds at which segment chunk.start + k starts
    end: float  # when the last segment's words are over: the closing question starts

    def segment_at(self, seconds: float) -> int:
        """The segment playing ``seconds`` into the audio (its index in the routine)."""
        assert self.state.chunk is not None
        playing = sum(1 for start in self.starts if start <= seconds) - 1
        return self.state.chunk.start + max(0, playing)

    def item_at(self, seconds: float) -> int:
        return _timeline(self.state).segments[min(self.segment_at(seconds), len(_timeline(self.state)) - 1)].item_index

    def items_within(self, seconds: float, tolerance: float = TOLERANCE_SECONDS) -> set[int]:
        """Stretches audible at some moment within ``tolerance`` of ``seconds``."""
        first, last = self.item_at(seconds - tolerance), self.item_at(seconds + tolerance)
        return set(range(first, last + 1))

    def start_of(self, position: int) -> float:
        assert self.state.chunk is not None
        return self.starts[position - self.state.chunk.start] if position < self.state.chunk.end else self.end


@lru_cache(maxsize=4)
def _timeline_for(items: tuple) -> Timeline:  # type: ignore[type-arg]
    return Timeline(items, CATALOGUE, phrases_for("en-US"))


def _timeline(state: RoutineState) -> Timeline:
    return _timeline_for(state.items)


def _inner(ssml: str) -> str:
    return ssml.removeprefix("<speak>").removesuffix("</speak>")


def segment_starts(reply: Reply, state: RoutineState, words: SpokenWords) -> tuple[tuple[float, ...], float]:
    """When each segment of the response starts in the audio, and when its last one is over.

    The skill's timeline gives only the words of each segment (not their timing): where a segment
    starts in the SSML. Its audio start is its first word, or, when it opens with a break (getting
    into position), the last word before it, so that it never starts late.
    """
    assert state.chunk is not None
    timeline = _timeline(state)
    start, end = state.chunk.start, state.chunk.end
    body = _inner(timeline.speech(start, end).ssml())
    at = reply.ssml.find(body)
    assert at > 0, "the response carries the timeline's segments as they are"
    starts: list[float] = []
    for position in range(start, end + 1):
        offset = at + len(_inner(timeline.speech(start, position).ssml())) if position > start else at
        opens_with_break = position < end and body[offset - at :].lstrip().startswith("<break")
        if opens_with_break or position == end:
            before = [w.start for w in words.words if w.offset < offset]
            starts.append(before[-1] if position < end else words.at(offset))
        else:
            starts.append(words.at(offset))
    return tuple(starts[:-1]), starts[-1]


@dataclass
class Device:
    """A device and skill on one clock, stopped just after a response was sent: each command starts from there,
    the user's stored item too (what one command stores, such as a stretch that hurt, is not another's past)."""

    alexa: Alexa
    clock: FakeClock
    saved: tuple[dict, str | None, float, float]  # type: ignore[type-arg]
    store: SqliteStore | None = None
    item: dict[str, Any] | None = None

    @classmethod
    def after(cls, alexa: Alexa, clock: FakeClock, data_dir: Path | None = None) -> "Device":
        """Keep where ``alexa`` is now (its session and the clock, and the item stored in ``data_dir``)."""
        store = SqliteStore(data_dir / "users.sqlite3") if data_dir is not None else None
        item = copy.deepcopy(store.read(alexa.user_id)[0]) if store is not None else None
        return cls(alexa, clock, (copy.deepcopy(alexa.attributes), alexa.session_id, alexa.sent_at, clock.now), store, item)

    def restore(self) -> None:
        attributes, session_id, sent_at, now = self.saved
        self.alexa.attributes, self.alexa.session_id = copy.deepcopy(attributes), session_id
        self.alexa.sent_at, self.clock.now = sent_at, now
        if self.store is not None and self.item is not None:
            _, version = self.store.read(self.alexa.user_id)
            self.store.write(self.alexa.user_id, copy.deepcopy(self.item), version)

    def say(self, intent: str, seconds: float, reaction: float) -> Reply:
        """``intent`` said ``seconds`` into the response's audio, stamped in whole seconds."""
        stamp = math.floor(self.alexa.sent_at + seconds + reaction)
        return self.alexa.intent(intent, at=stamp - self.alexa.sent_at)


_HEARD: dict[tuple[str, int], Heard] = {}


def listen(reply: Reply, wpm: int) -> Heard:
    """``reply`` (a response that plays part of a routine) as espeak-ng says it at ``wpm``; once per text and rate."""
    key = (reply.ssml, wpm)
    if key not in _HEARD:
        state = RoutineState.from_dict(reply.attributes["routine"], CATALOGUE)
        starts, end = segment_starts(reply, state, spoken_words(reply.ssml, wpm))
        _HEARD[key] = Heard(wpm, reply, state, starts, end)
    return _HEARD[key]


def item_named(state: RoutineState, name: str, near: int) -> int:
    """The index of the stretch called ``name`` nearest ``near`` (a routine may have a name twice)."""
    found = [i for i, item in enumerate(state.items) if CATALOGUE.stretch(item.stretch_id).name == name]
    assert found, f"no stretch called {name!r}"
    return min(found, key=lambda i: abs(i - near))


@dataclass(frozen=True)
class Outcome:
    command: str
    seconds: float  # when it was said, in the audio
    audible: int  # the stretch audible then
    acted: int | None  # the stretch the reply says it acted on (None: after the response's end)
    resumed: int | None = None  # pause: the position play picks up from
    onward: int | None = None  # pain: the stretch "yes" plays next
    played_on: bool = True  # how many are left: the routine played on


def command_times(heard: Heard) -> list[float]:
    times, seconds = [], FIRST_COMMAND_SECONDS
    while seconds < heard.end + 2:
        times.append(seconds)
        seconds += COMMAND_EVERY_SECONDS
    return times


def run_command(dev: Device, heard: Heard, command: str, seconds: float, reaction: float) -> Outcome:
    """Say ``command`` ``seconds`` into the response, from the device's saved place; what it acted on."""
    dev.restore()
    state = heard.state
    audible = heard.item_at(seconds)
    reply = dev.say(INTENTS[command], seconds, reaction)
    last = state.chunk is not None and state.chunk.end >= len(_timeline(state))
    # Taken as said after the routine's last response ended: it is over, and nothing was acted on.
    over = last and reply.attributes.get("routine", {}).get("status") in (None, "finished")
    if command in ("skip", "next", "back", "pause"):
        match = ACTED.search(reply.text)
        if match is None and command == "back" and "This is the first stretch." in reply.text:
            return Outcome(command, seconds, audible, 0)
        if match is None:
            assert command == "next" or over, f"{command} at {seconds:.0f} s says nothing of where: {reply.text[:160]}"
            return Outcome(command, seconds, audible, None)
        acted = item_named(state, match.group(1), audible)
        if command == "pause":
            position = reply.attributes["routine"]["position"]
            return Outcome(command, seconds, audible, acted, resumed=position)
        return Outcome(command, seconds, audible, acted)
    if command == "repeat":
        match = PLAYED.search(reply.text)
        if over:
            return Outcome(command, seconds, audible, None)
        assert match, reply.text[:160]
        return Outcome(command, seconds, audible, item_named(state, match.group(1), audible))
    if command == "pain":
        assert "Never push into pain" in reply.text
        if "skip to the next stretch" not in reply.text:  # the last stretch: nothing to go on to
            return Outcome(command, seconds, audible, len(state.items) - 1, onward=len(state.items))
        onward = dev.alexa.intent("AMAZON.YesIntent")
        match = PLAYED.search(onward.text)
        assert match, onward.text[:160]
        played = item_named(state, match.group(1), audible + 1)
        return Outcome(command, seconds, audible, played - 1, onward=played)
    assert command == "left"
    played_on = "Let's carry on." in reply.text and not reply.ended or over and seconds + TOLERANCE_SECONDS >= heard.end
    match = PLAYED.search(reply.text.split("Let's carry on.")[-1])
    acted = item_named(state, match.group(1), audible) if match else None
    return Outcome(command, seconds, audible, acted, played_on=played_on)


def run_all(dev: Device, heard: Heard, seed: int) -> list[Outcome]:
    rng = random.Random(seed)
    outcomes = []
    for index, seconds in enumerate(command_times(heard)):
        command = COMMANDS[index % len(COMMANDS)]
        outcomes.append(run_command(dev, heard, command, seconds, rng.uniform(*REACTION_SECONDS)))
    return outcomes


def on_target(heard: Heard, outcome: Outcome) -> bool:
    """The stretch acted on was audible within the tolerance (after the response: its end was)."""
    if outcome.acted is None:
        return outcome.seconds + TOLERANCE_SECONDS >= heard.end
    return outcome.acted in heard.items_within(outcome.seconds)


def table(heard: Heard, outcomes: list[Outcome]) -> str:
    return "\n".join(
        f"{o.seconds:6.1f} s {o.command:<6} audible {o.audible} acted {o.acted} {'ok' if on_target(heard, o) else 'MISS'}"
        for o in outcomes
    )


def _rest_before(heard: Heard, outcome: Outcome) -> bool:
    """Paused in the silence between two repetitions: play picks up at the next one (nothing is missed)."""
    assert outcome.resumed is not None
    before = _timeline(heard.state).segments[outcome.resumed - 1]
    return before.kind is SegmentKind.REST and heard.start_of(outcome.resumed - 1) <= outcome.seconds


def safe(heard: Heard, outcome: Outcome) -> list[str]:
    """What must never happen, at any voice speed."""
    faults = []
    if outcome.onward is not None and outcome.onward > heard.item_at(outcome.seconds) + 1:
        faults.append(f"pain at {outcome.seconds:.0f} s: yes went on to stretch {outcome.onward}, past {outcome.audible}")
    if outcome.resumed is not None and heard.start_of(outcome.resumed) > outcome.seconds and not _rest_before(heard, outcome):
        faults.append(f"pause at {outcome.seconds:.0f} s resumes at {heard.start_of(outcome.resumed):.0f} s")
    if not outcome.played_on:
        faults.append(f"how many are left at {outcome.seconds:.0f} s stopped the routine")
    return faults
