"""What the skill remembers about each stretch for one user: the way to longer holds, and pain.

Both are kept per stretch, not per user, nor per routine: a routine may take a stretch from another
article (the morning knee hug follows 004's 15-20 s, the lower back routine's 003's 10-20 s), but
the knee is the same knee. Comfort is a stretch's own: a knee to chest that has become easy says
nothing about the press up, and one that hurt must not hold the others back or be played at full
strength because the others went well.

- ``Growth``: article 003 has beginners hold about 10 seconds in the first days and work toward
  longer holds. A hold, on how many days the stretch was done comfortably at it or longer (to the
  end of a routine, without "this hurts" and with no "worse" check-in since), the last of those
  days, and whether the user chose it (yes to "shall we try 15?"): a chosen hold is what they play
  from then on, in each routine within the range of that routine's article. Days, not routines: two
  routines one morning are not two days of getting used to it.
- ``Pain``: the day "this hurts" was said during a stretch, and the days since on which it was done
  without pain; at ``PAIN_FREE_SESSIONS`` such days it is forgotten, back to normal.

Stored data is untrusted: ``parse_growth`` and ``parse_pain`` keep what is valid, clamp a hold the
catalogue's range has since moved away from, drop the rest and say whether they dropped anything.
Only strings and whole numbers are stored.

Example:
    >>> from skill.catalogue import load_catalogue
    >>> parse_growth({"single_knee_to_chest": [10, 5, 0, "2026-12-08"], "no_such": [10, 1, 0, ""]}, load_catalogue())
    ((('single_knee_to_chest', Growth(hold=10, times=5, chosen=False, day='2026-12-08')),), False)
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Iterator, NamedTuple

from skill.catalogue import Catalogue

# "You've done knee to chest five times at 10 seconds. Shall we try 15?": after this many comfortable days.
OFFER_AFTER = 5
HOLD_STEP_SECONDS = 5  # 004's 15-20 s: one step at a time, never past the stretch's article range
PAIN_FREE_SESSIONS = 2  # days without pain after which a stretch that hurt is back to normal
MAX_TIMES = 100
MAX_HOLD_SECONDS = 180  # no stretch in any article holds longer


class Growth(NamedTuple):
    """One stretch on the way to longer holds."""

    hold: int  # seconds the count below is at: every day counted was at least this long
    times: int = 0  # days it was done comfortably at ``hold`` or longer, in a row
    chosen: bool = False  # the user said yes to ``hold``: it is theirs from now on
    day: str = ""  # the last day counted (ISO date), "" before the first

    def to_list(self) -> list[Any]:
        return [self.hold, self.times, int(self.chosen), self.day]


class Pain(NamedTuple):
    """A stretch that hurt: the day (ISO date), and the later days it was done without pain."""

    day: str
    free: tuple[str, ...] = ()

    def to_list(self) -> list[Any]:
        return [self.day, list(self.free)]


Grown = tuple[tuple[str, Growth], ...]
Hurt = tuple[tuple[str, Pain], ...]


def _entries(raw: dict[Any, Any], catalogue: Catalogue, size: int) -> Iterator[tuple[str, list[Any]]]:
    """The stored entries shaped as one: a catalogue stretch's id with a list of ``size`` values."""
    for stretch_id, value in raw.items():
        if isinstance(stretch_id, str) and stretch_id in catalogue.stretches and isinstance(value, list) and len(value) == size:
            yield stretch_id, value


def parse_growth(raw: Any, catalogue: Catalogue) -> tuple[Grown, bool]:
    """Stored ``{stretch: [hold, days, chosen, last day]}``: the valid entries, and False if any was dropped.

    >>> from skill.catalogue import load_catalogue
    >>> parse_growth({"single_knee_to_chest": [10**9, 1, 0, ""]}, load_catalogue())
    ((), False)
    >>> top = load_catalogue().stretch("single_knee_to_chest").hold.max
    >>> parse_growth({"single_knee_to_chest": [top + 10, 0, 1, ""]}, load_catalogue())[0][0][1].hold == top
    True
    """
    if not isinstance(raw, dict) or len(raw) > len(catalogue.stretches):
        return (), False
    kept: list[tuple[str, Growth]] = []
    for stretch_id, value in _entries(raw, catalogue, 4):
        hold, times, chosen = (_whole(v) for v in value[:3])
        day = value[3]
        if hold is None or times is None or chosen not in (0, 1) or not 0 < hold <= MAX_HOLD_SECONDS or not 0 <= times <= MAX_TIMES:
            continue
        if not (day == "" or _is_date(day)):
            continue
        # A catalogue whose range moved since (its article re-read) keeps the user's place inside it.
        kept.append((stretch_id, Growth(catalogue.stretch(stretch_id).hold.clamp(hold), times, bool(chosen), day)))
    return tuple(sorted(kept)), len(kept) == len(raw)


def parse_pain(raw: Any, catalogue: Catalogue) -> tuple[Hurt, bool]:
    """Stored ``{stretch: [date it hurt, [pain-free dates after it]]}``: the valid entries, and False if any was dropped.

    >>> from skill.catalogue import load_catalogue
    >>> parse_pain({"single_knee_to_chest": ["2026-12-08", ["2026-12-09"]]}, load_catalogue())
    ((('single_knee_to_chest', Pain(day='2026-12-08', free=('2026-12-09',))),), True)
    >>> parse_pain({"single_knee_to_chest": ["2026-12-08", ["2026-12-07"]]}, load_catalogue())
    ((), False)
    """
    if not isinstance(raw, dict) or len(raw) > len(catalogue.stretches):
        return (), False
    kept: list[tuple[str, Pain]] = []
    for stretch_id, value in _entries(raw, catalogue, 2):
        day, free = value
        if not _is_date(day) or not isinstance(free, list) or len(free) >= PAIN_FREE_SESSIONS:
            continue
        if not all(_is_date(d) and d > day for d in free) or len(set(free)) != len(free):
            continue
        kept.append((stretch_id, Pain(day, tuple(sorted(free)))))
    return tuple(sorted(kept)), len(kept) == len(raw)


def hurt(pain: Hurt, growth: Grown, stretch_id: str, today: dt.date) -> tuple[Hurt, Grown]:
    """ "This hurts" during ``stretch_id``: remembered with today's date; its way to a longer hold starts again.

    >>> hurt((), (("single_knee_to_chest", Growth(10, 4)),), "single_knee_to_chest", dt.date(2026, 12, 8))[1][0][1].times
    0
    """
    pains = dict(pain)
    pains[stretch_id] = Pain(today.isoformat())
    grown = dict(growth)
    if stretch_id in grown:
        grown[stretch_id] = grown[stretch_id]._replace(times=0)
    return tuple(sorted(pains.items())), tuple(sorted(grown.items()))


def pain_free(pain: Hurt, stretch_ids: set[str], today: dt.date) -> Hurt:
    """``stretch_ids`` were done today without pain: a day after the one it hurt counts once; the second such
    day forgets the pain.

    >>> once = pain_free((("a", Pain("2026-12-08")),), {"a"}, dt.date(2026, 12, 9))
    >>> once, pain_free(once, {"a"}, dt.date(2026, 12, 9)) == once, pain_free(once, {"a"}, dt.date(2026, 12, 10))
    ((('a', Pain(day='2026-12-08', free=('2026-12-09',))),), True, ())
    """
    iso = today.isoformat()
    kept: list[tuple[str, Pain]] = []
    for stretch_id, record in pain:
        if stretch_id in stretch_ids and iso > record.day and iso not in record.free:
            record = record._replace(free=record.free + (iso,))
        if len(record.free) < PAIN_FREE_SESSIONS:
            kept.append((stretch_id, record))
    return tuple(kept)


def comfortable(growth: Grown, done: dict[str, int], tops: dict[str, int], today: dt.date) -> Grown:
    """Count today as one more comfortable day for each stretch in ``done`` (stretch -> the hold it was done
    at), once a day. The count is of days at the recorded hold or longer: a longer hold (a routine whose
    article gives it more) counts too; a shorter one brings the record down to it, the days kept (they
    were at least as long), except below a chosen hold, which a routine that caps it lower does not
    undo. ``tops``: each stretch's longest hold in the routine done, at which a new count does not start.

    >>> day = dt.date(2026, 12, 8)
    >>> once = comfortable((("a", Growth(10, 4)),), {"a": 15, "b": 20}, {"a": 20, "b": 20}, day)
    >>> once, comfortable(once, {"a": 10}, {"a": 20}, day) == once
    ((('a', Growth(hold=10, times=5, chosen=False, day='2026-12-08')),), True)
    >>> comfortable((("a", Growth(15, 4)),), {"a": 10}, {"a": 20}, day)
    (('a', Growth(hold=10, times=5, chosen=False, day='2026-12-08')),)
    """
    iso = today.isoformat()
    grown = dict(growth)
    for stretch_id, hold in done.items():
        record = grown.get(stretch_id)
        if record is None:
            if hold < tops.get(stretch_id, hold):
                grown[stretch_id] = Growth(hold, 1, day=iso)
            continue
        if hold < record.hold:
            if record.chosen:
                continue
            record = record._replace(hold=hold)
        if record.day != iso:
            record = record._replace(times=min(MAX_TIMES, record.times + 1), day=iso)
        grown[stretch_id] = record
    return tuple(sorted(grown.items()))


def worse(growth: Grown) -> Grown:
    """A "worse" check-in: every count starts again, so no longer hold is offered straight after it."""
    return tuple((stretch_id, record._replace(times=0)) for stretch_id, record in growth)


def _whole(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
        return None
    return int(value) if value == int(value) else None


def _is_date(value: Any) -> bool:
    try:
        return isinstance(value, str) and dt.date.fromisoformat(value).isoformat() == value
    except ValueError:
        return False
