"""What one request works with, in three parts: dependencies, typed session state, the user's data.

``Deps`` are the same for every request of a locale (catalogue, engine, wording,
clock). ``SessionState`` is the conversation carried in Alexa's session
attributes, validated on the way in (a tampered routine is dropped and the user
hears one sentence about it). ``Turn`` puts them together with the user's
profile and the moment of the request; the flows take a ``Turn`` and return a
``Reply``. Nothing here knows ASK.

Example:
    >>> from skill.catalogue import load_catalogue
    >>> session = SessionState.load({"pending": "delete_data", "routine": {"bogus": 1}}, load_catalogue())
    >>> session.pending, session.routine, session.lost_track
    (<Pending.DELETE_DATA: 'delete_data'>, None, True)
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Callable, NamedTuple

from skill.catalogue import Catalogue
from skill.engine import InvalidState, Moment, PlanItem, RoutineEngine, RoutineState, Where
from skill.flows.user_data import UserData
from skill.speech import Composer, Phrases
from skill.speech.timeline import Timeline
from skill.speech.ssml import MAX_BREAK_MS, MAX_SSML_CHARS

logger = logging.getLogger(__name__)

MAX_FULL_STEPS = 40


class Pending(str, Enum):
    """A yes/no question the skill asked and is waiting on (answers: ``skill.flows.questions``)."""

    CARRY_ON = "carry_on"  # "carry on from where you stopped?"
    SKIP_AFTER_PAIN = "skip_after_pain"  # "skip to the next stretch?"
    DELETE_DATA = "delete_data"  # "delete everything?"


class TimelineCache:
    """Timelines already built in this process, by locale, plan and familiar stretches (a few dozen)."""

    def __init__(self, catalogue: Catalogue, size: int = 64) -> None:
        self.catalogue = catalogue
        self.size = size
        self._built: dict[tuple[str, tuple[PlanItem, ...], frozenset[str]], Timeline] = {}

    def get(self, items: tuple[PlanItem, ...], phrases: Phrases, familiar: frozenset[str]) -> Timeline:
        key = (phrases.locale, items, familiar)
        timeline = self._built.get(key)
        if timeline is None:
            if len(self._built) >= self.size:
                self._built.clear()
            timeline = self._built[key] = Timeline(items, self.catalogue, phrases, familiar)
        return timeline


class Deps(NamedTuple):
    catalogue: Catalogue
    engine: RoutineEngine
    phrases: Phrases
    composer: Composer
    clock: Callable[[], float]
    timelines: TimelineCache

    def timeline(self, items: tuple[PlanItem, ...], familiar: frozenset[str] = frozenset()) -> Timeline:
        """The routine's words and times for this locale."""
        return self.timelines.get(items, self.phrases, familiar)


@dataclass
class SessionState:
    """The conversation between two requests."""

    routine: RoutineState | None = None
    pending: Pending | None = None
    last_reply: dict[str, Any] | None = None
    full_steps: frozenset[str] = frozenset()  # stretches to read in full this session, on request
    lost_track: bool = False

    @classmethod
    def load(cls, attributes: dict[str, Any], catalogue: Catalogue) -> "SessionState":
        session = cls()
        raw_state = attributes.get("routine")
        if raw_state is not None:
            try:
                session.routine = RoutineState.from_dict(raw_state, catalogue)
            except InvalidState as error:
                logger.warning("dropping invalid routine state from session: %s", error)
                session.lost_track = True
        try:
            session.pending = Pending(attributes.get("pending"))
        except ValueError:
            session.pending = None
        full = attributes.get("full_steps")
        if isinstance(full, list) and len(full) <= MAX_FULL_STEPS:
            session.full_steps = frozenset(s for s in full if isinstance(s, str) and s in catalogue.stretches)
        last = attributes.get("last")
        if isinstance(last, dict) and _replayable(last.get("ssml")) and _replayable(last.get("reprompt"), optional=True):
            session.last_reply = last
        return session

    def dump(self) -> dict[str, Any]:
        attributes: dict[str, Any] = {}
        if self.routine is not None:
            attributes["routine"] = self.routine.to_dict()
        if self.pending is not None:
            attributes["pending"] = self.pending.value
        if self.last_reply:
            attributes["last"] = self.last_reply
        if self.full_steps:
            attributes["full_steps"] = sorted(self.full_steps)
        return attributes


@dataclass
class Turn:
    """One request: what it works with, and when it was said (``at_ms``, epoch ms, None if unknown)."""

    deps: Deps
    session: SessionState
    user: UserData
    at_ms: int | None = None
    moment: Moment | None = field(default=None, init=False)
    asked: Pending | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        # A question is answered by the very next request or not at all; a flow that asks
        # one sets ``session.pending`` again.
        self.asked, self.session.pending = self.session.pending, None
        # Any request during a routine stops the speech that was playing: place the user first.
        if self.session.routine is not None:
            self.moment = self.deps.engine.locate(self.session.routine, self.at_ms)
            self.session.routine = self.moment.state

    @property
    def phrases(self) -> Phrases:
        return self.deps.phrases

    @property
    def composer(self) -> Composer:
        return self.deps.composer

    @property
    def routine(self) -> RoutineState | None:
        return self.session.routine

    @property
    def where(self) -> Where:
        return self.moment.where if self.moment is not None else Where.STOPPED

    def now_ms(self) -> int:
        return int(self.deps.clock() * 1000)

    def say(self, key: str, **values: Any) -> str:
        return self.deps.phrases.say(key, **values)

    def routine_name(self, routine_id: str) -> str:
        """A catalogue routine's spoken name; anything else is the user's own routine."""
        if routine_id in self.deps.catalogue.routines:
            return self.deps.catalogue.routine(routine_id).name
        return self.say("own_routine_name")


def _replayable(ssml: Any, optional: bool = False) -> bool:
    """Only well-formed ``<speak>`` SSML within the size limit is said again: session attributes
    come back from the client and may have been tampered with."""
    if ssml is None:
        return optional
    if not isinstance(ssml, str) or len(ssml) >= MAX_SSML_CHARS:
        return False
    from xml.etree import ElementTree  # only needed for "repeat" outside a routine

    try:
        root = ElementTree.fromstring(ssml)
    except ElementTree.ParseError:
        return False
    if root.tag != "speak":
        return False
    # The skill itself only ever writes <speak> and <break time="Nms"/> with N <= 10 s.
    for element in root.iter():
        if element.tag == "break":
            match = re.fullmatch(r"(\d{1,5})ms", element.get("time", ""))
            if not match or int(match.group(1)) > MAX_BREAK_MS or set(element.attrib) != {"time"}:
                return False
        elif element is not root:
            return False
    return True
