"""A user's stored profile: preferences, their own routine, progress and history. Plain Python.

Stored data is untrusted (old schema, hand-edited, corrupt), and so is a profile coming
back in session attributes: ``Profile.from_attributes`` keeps every field it can validate,
resets the rest, and says whether anything was reset so the user can be told in one
sentence. Every field is typed: level, warm-up and sore leg are enums, the routine in
progress is a validated ``RoutineState`` (bounded numbers, catalogue ids, at most
``MAX_ITEMS`` stretches), so nothing unchecked or oversized is ever kept, copied into a
session or written back. Only strings and integers are stored (boto3 rejects floats;
DynamoDB returns numbers as ``Decimal``).

Example:
    >>> profile, reset = Profile.from_attributes({"schema": 1, "hold_seconds": 30})
    >>> profile.settings().hold_seconds, reset
    (30, False)
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from dataclasses import dataclass, field, replace
from decimal import Decimal
from enum import Enum
from typing import Any, Collection, TypeVar

from skill.catalogue import Catalogue, load_catalogue
from skill.engine import InvalidState, RoutineState, Settings
from skill.stretch_memory import Grown, Hurt, parse_growth, parse_pain

SCHEMA_VERSION = 1
HOLD_RANGE = (10, 90)  # the seeds' range: beginners 10 s, up to 60-90 s
REPS_RANGE = (1, 10)  # the seeds say 3-5, 5-10, "up to ten"


class Level(str, Enum):
    BEGINNER = "beginner"
    STANDARD = "standard"


class WarmUp(str, Enum):
    """Whether routines that suggest a warm-up get one; no choice stored means: ask."""

    ALWAYS = "always"
    SKIP = "skip"


class Leg(str, Enum):
    """The sore leg, for stretches done on the affected side."""

    LEFT = "left"
    RIGHT = "right"
    BOTH = "both"


LEVELS = tuple(level.value for level in Level)
Choice = TypeVar("Choice", Level, WarmUp, Leg)
BEGINNER_HOLD_SECONDS = 10
MAX_COUNT = 100
MAX_OWN_ROUTINE = 15
MAX_SESSION_DATES = 60
# A stretch finished this many times is introduced by its name and cue alone.
FAMILIAR_AFTER = 3
WARM_UP_CHOICES = tuple(choice.value for choice in WarmUp)
LEGS = tuple(leg.value for leg in Leg)
FEELINGS = ("better", "same", "worse")
MAX_FEELINGS = 30
# What a stored routine in progress may hold ("done": an older release's, read and no longer written).
PROGRESS_KEYS = frozenset({"routine", "items", "position", "status", "chunk", "skipped", "updated_at", "done", "answered"})
FIELDS = (
    "preferred_routine", "hold_seconds", "reps", "level", "own_routine",
    "progress", "session_dates", "disclaimer_given", "hint_given", "stretch_counts",
    "warm_up", "sore_leg", "feelings", "minutes", "question", "doctor_advised", "growth", "pain", "time_zone",
)
MAX_ZONE_CHARS = 64  # the longest IANA name is 32 characters
_ZONE_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_+-]*(?:/[A-Za-z0-9_+-]+){0,2}$")


@dataclass(frozen=True)
class Profile:
    preferred_routine: str | None = None
    hold_seconds: int | None = None
    reps: int | None = None
    level: Level = Level.STANDARD
    own_routine: tuple[str, ...] = ()
    progress: RoutineState | None = None  # the routine a session left unfinished
    session_dates: tuple[str, ...] = field(default=())
    disclaimer_given: bool = False
    hint_given: bool = False
    stretch_counts: tuple[tuple[str, int], ...] = field(default=())
    warm_up: WarmUp | None = None  # None: ask
    sore_leg: Leg | None = None  # for stretches done on the affected side
    # Every check-in answer, oldest first: (ISO date, better/same/worse, epoch s when said; 0 if not known).
    feelings: tuple[tuple[str, str, int], ...] = field(default=())
    minutes: tuple[tuple[str, int], ...] = field(default=())  # (ISO date, minutes stretched that day)
    # A question before a routine the last session ended on: (its kind, the routine, when asked in epoch s).
    question: tuple[str, str, int] | None = None
    # When the user was told to see a doctor or physiotherapist before stretching again (epoch s);
    # None once they say they have.
    doctor_advised: int | None = None
    # Per stretch: the way to longer holds, and the day it hurt (``skill.stretch_memory``).
    growth: Grown = field(default=())
    pain: Hurt = field(default=())
    # The device's IANA time zone, from Alexa's Settings API: the user's own day. None: not known yet (UTC).
    time_zone: str | None = None

    def with_(self, **changes: Any) -> "Profile":
        return replace(self, **changes)

    def settings(self) -> Settings:
        """The engine settings: an explicit hold wins, else a beginner's 10 s, else the stretch defaults."""
        hold = self.hold_seconds
        if hold is None and self.level is Level.BEGINNER:
            hold = BEGINNER_HOLD_SECONDS
        sore_side = {Leg.LEFT: 0, Leg.RIGHT: 1}.get(self.sore_leg) if self.sore_leg else None
        return Settings(hold_seconds=hold, reps=self.reps, sore_side=sore_side)

    def familiar(self) -> frozenset[str]:
        """Stretches finished often enough to need only their name and cue."""
        return frozenset(s for s, n in self.stretch_counts if n >= FAMILIAR_AFTER)

    def record_finished(self, stretch_ids: Collection[str]) -> "Profile":
        """Count one more finish for each of ``stretch_ids`` (counts stop at a hundred)."""
        counts = dict(self.stretch_counts)
        for stretch_id in set(stretch_ids):
            counts[stretch_id] = min(MAX_COUNT, counts.get(stretch_id, 0) + 1)
        return self.with_(stretch_counts=tuple(sorted(counts.items())))

    def record_minutes(self, today: dt.date, minutes: int) -> "Profile":
        """Add ``minutes`` of stretching to today's total."""
        totals = dict(self.minutes)
        iso = today.isoformat()
        totals[iso] = min(24 * 60, totals.get(iso, 0) + max(0, minutes))
        return self.with_(minutes=tuple(sorted(totals.items()))[-MAX_SESSION_DATES:])

    def minutes_this_week(self, today: dt.date) -> int:
        start = (today - dt.timedelta(days=6)).isoformat()
        return sum(m for d, m in self.minutes if start <= d <= today.isoformat())

    def record_feeling(self, today: dt.date, feeling: str, at: int = 0) -> "Profile":
        """Keep how the back felt after a routine, with when it was said (``at``, epoch s): every
        answer counts, several a day too.

        >>> day = dt.date(2026, 12, 8)
        >>> Profile().record_feeling(day, "worse", 100).record_feeling(day, "better", 200).feelings
        (('2026-12-08', 'worse', 100), ('2026-12-08', 'better', 200))
        """
        return self.with_(feelings=(self.feelings + ((today.isoformat(), feeling, max(0, at)),))[-MAX_FEELINGS:])

    def recent_feelings(self, count: int) -> list[str]:
        """The last ``count`` answers (better, same, worse), oldest first."""
        return [f[1] for f in self.feelings[-count:]]

    def worse_twice(self) -> bool:
        """The last two answers were both "worse": time to see a doctor or physiotherapist."""
        return self.recent_feelings(2) == ["worse", "worse"]

    def record_session(self, today: dt.date) -> "Profile":
        iso = today.isoformat()
        if self.session_dates and self.session_dates[-1] == iso:
            return self
        return self.with_(session_dates=(self.session_dates + (iso,))[-MAX_SESSION_DATES:])

    def streak(self, today: dt.date) -> int:
        """Days in a row with a session, ending today or yesterday."""
        days = {dt.date.fromisoformat(d) for d in self.session_dates}
        day = today if today in days else today - dt.timedelta(days=1)
        count = 0
        while day in days:
            count += 1
            day -= dt.timedelta(days=1)
        return count

    def sessions_this_week(self, today: dt.date) -> int:
        """Days with a session in the last seven days, today included."""
        start = today - dt.timedelta(days=6)
        return sum(1 for d in self.session_dates if start <= dt.date.fromisoformat(d) <= today)

    def to_attributes(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "schema": SCHEMA_VERSION,
            "level": self.level.value,
            "disclaimer_given": int(self.disclaimer_given),
            "hint_given": int(self.hint_given),
        }
        if self.stretch_counts:
            data["stretch_counts"] = dict(self.stretch_counts)
        if self.preferred_routine:
            data["preferred_routine"] = self.preferred_routine
        if self.hold_seconds is not None:
            data["hold_seconds"] = self.hold_seconds
        if self.reps is not None:
            data["reps"] = self.reps
        if self.own_routine:
            data["own_routine"] = list(self.own_routine)
        if self.progress is not None:
            data["progress"] = self.progress.to_dict()
        if self.session_dates:
            data["session_dates"] = list(self.session_dates)
        if self.warm_up:
            data["warm_up"] = self.warm_up.value
        if self.sore_leg:
            data["sore_leg"] = self.sore_leg.value
        if self.feelings:
            data["feelings"] = [list(f) for f in self.feelings]
        if self.minutes:
            data["minutes"] = [list(m) for m in self.minutes]
        if self.question is not None:
            data["question"] = list(self.question)
        if self.doctor_advised is not None:
            data["doctor_advised"] = self.doctor_advised
        if self.growth:
            data["growth"] = {stretch_id: record.to_list() for stretch_id, record in self.growth}
        if self.pain:
            data["pain"] = {stretch_id: record.to_list() for stretch_id, record in self.pain}
        if self.time_zone is not None:
            data["time_zone"] = self.time_zone
        return data

    @classmethod
    def from_attributes(
        cls, raw: Any, routine_ids: Collection[str] = (), stretch_ids: Collection[str] = (), catalogue: Catalogue | None = None
    ) -> tuple["Profile", bool]:
        """Rebuild a profile from stored data; ``True`` when something had to be reset.

        ``routine_ids``/``stretch_ids`` (when given) are the catalogue's, to drop references to
        routines or stretches that no longer exist. The routine in progress is always checked
        against ``catalogue`` (the skill's own when not given): a stretch it lacks, a hold outside
        a stretch's safe range, or a number out of bounds drops it.

        >>> Profile.from_attributes({"schema": 1, "progress": {"routine": "morning", "position": 10**125}})[1]
        True
        """
        if not raw:
            return cls(), False
        if not isinstance(raw, dict) or "_corrupt" in raw:  # the store could not decode the item
            return cls(), True
        schema = _whole(raw.get("schema", 0))
        if schema is None:
            return cls(), True  # a garbage schema: start again rather than guess
        # A newer schema (written by a newer release, before a rollback) is read field by field like
        # ours; what this release does not know is kept aside and written back untouched (UserData).
        reset = False
        values: dict[str, Any] = {}

        def take(name: str, value: Any, ok: bool) -> None:
            nonlocal reset
            if name not in raw:
                return
            if ok:
                values[name] = value
            else:
                reset = True

        preferred = raw.get("preferred_routine")
        take("preferred_routine", preferred, isinstance(preferred, str) and (not routine_ids or preferred in routine_ids))
        hold = _whole(raw.get("hold_seconds"))
        take("hold_seconds", hold, hold is not None and HOLD_RANGE[0] <= hold <= HOLD_RANGE[1])
        reps = _whole(raw.get("reps"))
        take("reps", reps, reps is not None and REPS_RANGE[0] <= reps <= REPS_RANGE[1])
        take("level", _choice(Level, raw.get("level")), _choice(Level, raw.get("level")) is not None)
        own: Any = raw.get("own_routine")
        own_ok = (
            isinstance(own, list)
            and len(own) <= MAX_OWN_ROUTINE
            and all(isinstance(s, str) and (not stretch_ids or s in stretch_ids) for s in own)
        )
        take("own_routine", tuple(own) if own_ok else (), own_ok)
        progress = _progress(raw.get("progress"), catalogue or load_catalogue())
        if progress is not None or raw.get("progress") is None or not _superseded(raw.get("progress")):
            take("progress", progress, progress is not None or raw.get("progress") is None)
        dates: Any = raw.get("session_dates")
        dates_ok = isinstance(dates, list) and all(_is_date(d) for d in dates)
        take("session_dates", tuple(sorted(dates)[-MAX_SESSION_DATES:]) if dates_ok else (), dates_ok)
        for flag in ("disclaimer_given", "hint_given"):
            given = _whole(raw.get(flag))
            take(flag, bool(given), given in (0, 1))
        counts: Any = raw.get("stretch_counts")
        counts_ok = isinstance(counts, dict) and all(
            isinstance(k, str) and (not stretch_ids or k in stretch_ids) and _whole(v) is not None and 0 <= _whole(v) <= MAX_COUNT  # type: ignore[operator]
            for k, v in counts.items()
        )
        take("stretch_counts", tuple(sorted((k, _whole(v)) for k, v in counts.items())) if counts_ok else (), counts_ok)
        take("warm_up", _choice(WarmUp, raw.get("warm_up")), _choice(WarmUp, raw.get("warm_up")) is not None)
        take("sore_leg", _choice(Leg, raw.get("sore_leg")), _choice(Leg, raw.get("sore_leg")) is not None)
        feelings: Any = raw.get("feelings")
        feelings_ok = isinstance(feelings, list) and len(feelings) <= MAX_FEELINGS and all(
            isinstance(f, list) and len(f) in (2, 3) and _is_date(f[0]) and f[1] in FEELINGS
            and (len(f) == 2 or (_whole(f[2]) is not None and _whole(f[2]) >= 0))  # type: ignore[operator]
            for f in feelings
        )  # an answer kept before its time was: [date, feeling]
        take("feelings", tuple((f[0], f[1], _whole(f[2]) if len(f) == 3 else 0) for f in feelings) if feelings_ok else (), feelings_ok)
        minutes: Any = raw.get("minutes")
        minutes_ok = isinstance(minutes, list) and len(minutes) <= MAX_SESSION_DATES and all(
            isinstance(m, list) and len(m) == 2 and _is_date(m[0]) and _whole(m[1]) is not None and 0 <= _whole(m[1]) <= 24 * 60  # type: ignore[operator]
            for m in minutes
        )
        take("minutes", tuple((m[0], _whole(m[1])) for m in minutes) if minutes_ok else (), minutes_ok)
        question: Any = raw.get("question")
        question_ok = (
            isinstance(question, list) and len(question) == 3 and isinstance(question[0], str) and len(question[0]) <= 40
            and isinstance(question[1], str) and (not routine_ids or question[1] in routine_ids or question[1] == "own")
            and _whole(question[2]) is not None and _whole(question[2]) >= 0  # type: ignore[operator]
        )
        take("question", (question[0], question[1], _whole(question[2])) if question_ok else None, question_ok)
        advised = _whole(raw.get("doctor_advised"))
        take("doctor_advised", advised, advised is not None and advised >= 0)
        # Per stretch: each valid entry is kept, a bad one dropped (and the profile written back cleaned).
        if "growth" in raw:
            values["growth"], whole = parse_growth(raw["growth"], catalogue or load_catalogue())
            reset = reset or not whole
        if "pain" in raw:
            values["pain"], whole = parse_pain(raw["pain"], catalogue or load_catalogue())
            reset = reset or not whole
        zone = raw.get("time_zone")
        take("time_zone", zone, known_zone(zone))
        return cls(**values), reset


def known_zone(name: Any) -> bool:
    """Whether ``name`` is an IANA time zone this Python knows (a bounded name, never a path).

    >>> known_zone("America/Los_Angeles"), known_zone("Europe/London"), known_zone("../../etc/passwd"), known_zone("Mars/Base")
    (True, True, False, False)
    """
    if not isinstance(name, str) or len(name) > MAX_ZONE_CHARS or _ZONE_NAME.match(name) is None:
        return False
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


def local_date(now: float, zone: str | None) -> dt.date:
    """The date at epoch second ``now`` in ``zone`` (UTC when it is not known).

    >>> evening = dt.datetime(2026, 12, 8, 3, 30, tzinfo=dt.timezone.utc).timestamp()  # 19:30 on the 7th in Los Angeles
    >>> local_date(evening, "America/Los_Angeles"), local_date(evening, None)
    (datetime.date(2026, 12, 7), datetime.date(2026, 12, 8))
    """
    return local_time(now, zone).date()


def local_time(now: float, zone: str | None) -> dt.datetime:
    """The wall-clock time at epoch second ``now`` in ``zone`` (UTC when it is not known), without a zone."""
    tz: dt.tzinfo = zoneinfo.ZoneInfo(zone) if zone is not None and known_zone(zone) else dt.timezone.utc
    return dt.datetime.fromtimestamp(now, tz).replace(tzinfo=None)


def _whole(value: Any) -> int | None:
    """An int from an int or integral Decimal; None for anything else (bools, floats, strings)."""
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
        return None
    return int(value) if value == int(value) else None


def _choice(kind: type[Choice], value: Any) -> Choice | None:
    """The enum member whose value is ``value``, or None (anything else: not a str, unknown)."""
    if not isinstance(value, str):
        return None
    try:
        return kind(value)
    except ValueError:
        return None


def _superseded(value: Any) -> bool:
    """Progress the block-by-block design kept (status "active"): dropped without a word, as it always was."""
    return isinstance(value, dict) and value.get("status") == "active"


def _progress(value: Any, catalogue: Catalogue) -> RoutineState | None:
    """A stored routine in progress, checked in full (``RoutineState.from_dict``), or None."""
    if value is None or not isinstance(value, dict) or set(value) - PROGRESS_KEYS:
        return None
    try:
        return RoutineState.from_dict(value, catalogue)
    except InvalidState:
        return None


def _is_date(value: Any) -> bool:
    """An ISO date written the one way this skill writes it ("2026-11-29", not "20261129")."""
    try:
        return isinstance(value, str) and dt.date.fromisoformat(value).isoformat() == value
    except ValueError:
        return False
