"""What one request works with, in three parts: dependencies, typed session state, the user's data.

``Deps`` are the same for every request of a locale (catalogue, engine, wording,
clock). ``SessionState`` is the conversation carried in Alexa's session
attributes, validated on the way in (a tampered routine is dropped and the user
hears one sentence about it). ``Turn`` puts them together with the user's
profile and the moment of the request; the flows take a ``Turn`` and return a
``Reply``. Nothing here knows ASK.

Example:
    >>> from skill.catalogue import load_catalogue
    >>> session = SessionState.load({"question": ["delete_data", None, None], "routine": {"bogus": 1}}, load_catalogue())
    >>> session.question, session.routine, session.lost_track
    (Question(kind=<Pending.DELETE_DATA: 'delete_data'>, about=None, value=None), None, True)
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Callable, NamedTuple

from skill.catalogue import Catalogue
from skill.engine import InvalidState, Moment, PlanItem, RoutineEngine, RoutineState, Status, Voice, Where
from skill.engine.state import OWN_ROUTINE
from skill.flows.user_data import UserData
from skill.profile import HOLD_RANGE, REPS_RANGE
from skill.speech import Composer, Phrases
from skill.speech.timeline import Timeline
from skill.speech.ssml import MAX_BREAK_MS, MAX_SSML_CHARS

logger = logging.getLogger(__name__)

MAX_FULL_STEPS = 40
MINUTES_A_DAY = 24 * 60
SETTING_RANGES = {"hold_seconds": HOLD_RANGE, "reps": REPS_RANGE}


class Pending(str, Enum):
    """The kinds of question the skill asks (their answers: ``skill.flows.questions``)."""

    CARRY_ON = "carry_on"  # "carry on from where you stopped?"
    SKIP_AFTER_PAIN = "skip_after_pain"  # "skip to the next stretch?"
    GO_ON_AFTER_PAIN = "go_on_after_pain"  # the stretch that hurt was done: "go on to the next one?"
    DELETE_DATA = "delete_data"  # "delete everything?"
    WARM_UP = "warm_up"  # "warm up first?" (then start the routine it is about)
    SORE_LEG = "sore_leg"  # "which leg is sore?" (then start the routine it is about)
    CONFIRM_SETTING = "confirm_setting"  # "that makes your routine 45 minutes: keep it?" (about a setting and its value)
    FEELING = "feeling"  # "how does your back feel: better, the same, or worse?"
    GO_ON = "go_on"  # after the warm-up: "go on with your routine?"
    SWITCH_ROUTINE = "switch_routine"  # mid-routine: "switch to the lower back routine?" (about that routine)
    HOLD_SECONDS = "hold_seconds"  # "how many seconds, from 10 to 90?" (a bare number answers)
    REPS = "reps"  # "how many repetitions, from 1 to 10?" (a bare number answers)
    ANOTHER_ROUTINE = "another_routine"  # after the check-in, "next": "would you like another routine?"
    REMINDER_TIME = "reminder_time"  # "what time each day?" (a bare time answers it: SetReminderIntent)
    REMINDER_CONSENT = "reminder_consent"  # "a reminder every day at 7 p.m.: shall I set it?" (its value: minutes after midnight)
    SEEN_DOCTOR = "seen_doctor"  # "have you seen a doctor or physiotherapist since?" (about the routine that waits)
    GENTLE_ROUTINE = "gentle_routine"  # not yet: "the warm up routine, or stop for today?" (about that routine)
    # Before a stretch, mid-routine (about that stretch; ``skill.flows.growth``):
    HURT_BEFORE = "hurt_before"  # "it hurt 3 days ago: gentler today? Or no to leave it out."
    LONGER_HOLD = "longer_hold"  # "you've done it 5 times at 10 seconds: shall we try 15?" (the seconds offered)


class Asked(NamedTuple):
    """How a kind of question is asked: what silence hears again (``reprompt``, a phrase key), and
    ``again``, the phrase key that asks it once more at the next launch when the session ended on it
    (None: not kept past the session; the place of a routine is kept on its own)."""

    reprompt: str
    again: str | None = None


# Every kind of question, with its reprompt: a question without one cannot be asked (``replies.ask_question``).
ASKED: dict[Pending, Asked] = {
    Pending.CARRY_ON: Asked("offer_continue_reprompt"),
    Pending.SKIP_AFTER_PAIN: Asked("pain_offer_next_reprompt"),
    Pending.GO_ON_AFTER_PAIN: Asked("pain_offer_next_reprompt"),
    Pending.DELETE_DATA: Asked("delete_confirm_reprompt"),
    Pending.WARM_UP: Asked("ask_warm_up_reprompt", again="again_warm_up"),
    Pending.SORE_LEG: Asked("ask_sore_leg_words", again="again_sore_leg"),
    Pending.CONFIRM_SETTING: Asked("confirm_long_reprompt"),
    Pending.FEELING: Asked("ask_feeling_reprompt"),
    Pending.GO_ON: Asked("ask_go_on_reprompt", again="again_go_on"),
    Pending.SWITCH_ROUTINE: Asked("ask_switch_routine_reprompt"),
    Pending.HOLD_SECONDS: Asked("ask_hold_seconds_reprompt"),
    Pending.REPS: Asked("ask_reps_reprompt"),
    Pending.ANOTHER_ROUTINE: Asked("ask_another_routine_reprompt"),
    Pending.REMINDER_TIME: Asked("reminder_ask_time_reprompt"),
    Pending.REMINDER_CONSENT: Asked("reminder_confirm_reprompt"),
    Pending.SEEN_DOCTOR: Asked("doctor_ask_reprompt"),
    Pending.GENTLE_ROUTINE: Asked("doctor_gentle_reprompt"),
    Pending.HURT_BEFORE: Asked("hurt_before_reprompt"),
    Pending.LONGER_HOLD: Asked("longer_hold_reprompt"),
}
# Questions about a stretch (``about`` a stretch id), asked before it in the middle of a routine.
STRETCH_QUESTIONS = frozenset({Pending.HURT_BEFORE, Pending.LONGER_HOLD})


class Question(NamedTuple):
    """A question the skill asked and waits on: what kind, and what it is about: the routine a
    question before a routine would start (``about``), or the setting and value to confirm.

    It travels in the session as a short list and, for the kinds kept past the session, in the profile.

    >>> from skill.catalogue import load_catalogue
    >>> Question(Pending.WARM_UP, "lower_back").to_list()
    ['warm_up', 'lower_back', None]
    >>> Question.from_raw(["confirm_setting", "reps", 40], load_catalogue()) is None  # 40 reps: out of range
    True
    >>> Question.from_raw(["warm_up", ["lower_back"], None], load_catalogue()) is None
    True
    >>> Question.from_raw(["longer_hold", "single_knee_to_chest", 90], load_catalogue()) is None  # past its range
    True
    >>> Question.from_raw(["reminder_consent", None, 1140], load_catalogue()), Question.from_raw(["reminder_consent", None, 1440], load_catalogue())
    (Question(kind=<Pending.REMINDER_CONSENT: 'reminder_consent'>, about=None, value=1140), None)
    """

    kind: Pending
    about: str | None = None
    value: int | None = None

    def to_list(self) -> list[Any]:
        return [self.kind.value, self.about, self.value]

    @classmethod
    def from_raw(cls, raw: Any, catalogue: Catalogue) -> "Question | None":
        """A question from untrusted data (session attributes, the stored profile), or None if it is not one."""
        if not isinstance(raw, list) or len(raw) != 3:
            return None
        kind, about, value = raw
        try:
            kind = Pending(kind)
        except ValueError:
            return None
        if (value is not None and (isinstance(value, bool) or not isinstance(value, int))) or not (about is None or isinstance(about, str)):
            return None
        if kind is Pending.REMINDER_CONSENT:
            if about is not None or value is None or not 0 <= value < MINUTES_A_DAY:
                return None
        elif kind is Pending.CONFIRM_SETTING:
            if about not in SETTING_RANGES or value is None or not SETTING_RANGES[about][0] <= value <= SETTING_RANGES[about][1]:
                return None
        elif kind in STRETCH_QUESTIONS:
            if about is None or about not in catalogue.stretches:
                return None
            (least, most), _ = catalogue.bounds(about)  # a longer hold offered in any routine's range
            if (value is not None) != (kind is Pending.LONGER_HOLD) or (value is not None and not least <= value <= most):
                return None
        elif value is not None or not (about is None or about in catalogue.routines or about == OWN_ROUTINE):
            return None
        return cls(kind, about, value)


class LastReply(NamedTuple):
    """The last reply outside a routine, for "repeat": its SSML and its reprompt's, exactly as sent.

    It comes back in the session, so only SSML of the shape the skill writes, under the size
    limit, is taken back (``from_raw``); anything else is dropped and "repeat" has nothing to say again.

    >>> LastReply.from_raw({"ssml": "<speak>Hi.</speak>", "reprompt": None})
    LastReply(ssml='<speak>Hi.</speak>', reprompt=None)
    >>> LastReply.from_raw({"ssml": "<speak><audio src='https://x'/></speak>"}) is None
    True
    """

    ssml: str
    reprompt: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"ssml": self.ssml, "reprompt": self.reprompt}

    @classmethod
    def from_raw(cls, raw: Any) -> "LastReply | None":
        if not isinstance(raw, dict) or set(raw) - {"ssml", "reprompt"}:
            return None
        ssml, reprompt = raw.get("ssml"), raw.get("reprompt")
        if not isinstance(ssml, str) or not _replayable(ssml) or not _replayable(reprompt, optional=True):
            return None
        return cls(ssml, reprompt if isinstance(reprompt, str) else None)


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
    voice: Callable[[], Voice] = Voice  # how the voice compares with the rate model (``skill.flows.voice``)

    def timeline(self, items: tuple[PlanItem, ...], familiar: frozenset[str] = frozenset()) -> Timeline:
        """The routine's words and times for this locale."""
        return self.timelines.get(items, self.phrases, familiar)


@dataclass
class SessionState:
    """The conversation between two requests."""

    routine: RoutineState | None = None
    question: Question | None = None  # asked in the last response, waiting on its answer
    last_reply: LastReply | None = None
    full_steps: frozenset[str] = frozenset()  # stretches to read in full this session, on request
    safety_said: bool = False  # "never bounce, stop if it hurts" said in this session
    zone_checked: bool = False  # the device's time zone was asked of Alexa in this session (``Turn.today``)
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
        session.question = Question.from_raw(attributes.get("question"), catalogue)
        full = attributes.get("full_steps")
        if isinstance(full, list) and len(full) <= MAX_FULL_STEPS:
            session.full_steps = frozenset(s for s in full if isinstance(s, str) and s in catalogue.stretches)
        session.safety_said = attributes.get("safety_said") is True
        session.zone_checked = attributes.get("zone_checked") is True
        session.last_reply = LastReply.from_raw(attributes.get("last"))
        return session

    def dump(self) -> dict[str, Any]:
        attributes: dict[str, Any] = {}
        if self.routine is not None:
            attributes["routine"] = self.routine.to_dict()
        if self.question is not None:
            attributes["question"] = self.question.to_list()
        if self.last_reply:
            attributes["last"] = self.last_reply.to_dict()
        if self.full_steps:
            attributes["full_steps"] = sorted(self.full_steps)
        if self.safety_said:
            attributes["safety_said"] = True
        if self.zone_checked:
            attributes["zone_checked"] = True
        return attributes


@dataclass
class Turn:
    """One request: what it works with, and when it was said (``at_ms``, epoch ms, None if unknown)."""

    deps: Deps
    session: SessionState
    user: UserData
    at_ms: int | None = None
    # The device's time zone from Alexa's Settings API (None on any failure); None: the request cannot ask.
    zone_lookup: Callable[[], str | None] | None = None
    moment: Moment | None = field(default=None, init=False)
    asked: Question | None = field(default=None, init=False)
    played: RoutineState | None = field(default=None, init=False)  # set when this response plays part of the routine

    def __post_init__(self) -> None:
        # A question is answered by the very next request or not at all; a flow that asks
        # one sets ``session.question`` again.
        self.asked, self.session.question = self.session.question, None
        # A routine that ended in the last response is over (its place was cleared then).
        if self.session.routine is not None and self.session.routine.status is Status.FINISHED:
            self.session.routine = None
        # Any request during a routine stops the speech that was playing: place the user first.
        if self.session.routine is not None:
            self.take_up(self.session.routine)

    def take_up(self, state: RoutineState) -> None:
        """Make ``state`` the session's routine, placed at this request's moment, so it can be steered."""
        playing = state.status is Status.PLAYING
        moment = self.deps.engine.locate(state, self.at_ms, self.deps.voice() if playing else Voice())
        self.session.routine = moment.state
        # Heard to its end, a routine is over: nothing to steer (the responder counts it done).
        self.moment = None if self._over(moment.state) else moment

    def was_asked(self, *kinds: Pending) -> bool:
        """Whether the question this request may answer is one of ``kinds``."""
        return self.asked is not None and self.asked.kind in kinds

    @property
    def about(self) -> str | None:
        """What the question this request may answer is about (a routine id, or a setting)."""
        return self.asked.about if self.asked is not None else None

    @property
    def phrases(self) -> Phrases:
        return self.deps.phrases

    @property
    def composer(self) -> Composer:
        return self.deps.composer

    @property
    def routine(self) -> RoutineState | None:
        """The routine in progress, if there is one still to play."""
        state = self.session.routine
        return None if state is None or self._over(state) else state

    def _over(self, state: RoutineState) -> bool:
        return state.status is Status.FINISHED or state.position >= len(self.deps.engine.segments_of(state))

    @property
    def where(self) -> Where:
        return self.moment.where if self.moment is not None else Where.STOPPED

    def now_ms(self) -> int:
        return int(self.deps.clock() * 1000)

    def local_zone(self) -> str | None:
        """The user's time zone: asked of Alexa at most once a session and kept in the profile when it
        changed; when Alexa does not answer, the stored one (None: not known, the day is UTC's)."""
        if not self.session.zone_checked and self.zone_lookup is not None:
            self.session.zone_checked = True
            found = self.zone_lookup()
            profile = self.user.profile
            if found is not None and found != profile.time_zone:
                self.user.change(profile.with_(time_zone=found), {"time_zone"})
        return self.user.profile.time_zone

    def today(self) -> dt.date:
        """The user's own date now: an evening session in America counts for that evening's day."""
        self.local_zone()
        return self.user.today(self.now_ms() / 1000)

    def say(self, key: str, **values: Any) -> str:
        return self.deps.phrases.say(key, **values)

    def routine_name(self, routine_id: str) -> str:
        """A routine as a sentence names it, one rule for all: a catalogue routine with its article
        ("the lower back routine"); anything else is the user's own routine."""
        if routine_id in self.deps.catalogue.routines:
            return self.say("routine_called", name=self.deps.catalogue.routine(routine_id).name)
        return self.say("own_routine_name")


# Exactly what Speech.ssml() writes: text with the three escapes html.escape(quote=False) makes,
# and breaks of whole milliseconds. Nothing else (comments, CDATA, DOCTYPE, other tags) is said again.
_SKILL_SSML = re.compile(r"<speak>(?:[^<>&\x00-\x08\x0b\x0c\x0e-\x1f]|&(?:amp|lt|gt);|<break time=\"(\d{1,5})ms\"/>)*</speak>")


def _replayable(ssml: Any, optional: bool = False) -> bool:
    """Only SSML of the exact shape the skill writes, within the size limit, is said again: session
    attributes come back from the client and may have been tampered with."""
    if ssml is None:
        return optional
    if not isinstance(ssml, str) or len(ssml) >= MAX_SSML_CHARS or _SKILL_SSML.fullmatch(ssml) is None:
        return False
    return all(int(ms) <= MAX_BREAK_MS for ms in re.findall(r'<break time="(\d+)ms"/>', ssml))
