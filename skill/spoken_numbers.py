"""Numbers, durations and times as people say them: "twenty five" -> 25, "a minute and a half" ->
"PT1M30S", "half past six" -> "06:30".

Alexa delivers AMAZON.NUMBER as digits, AMAZON.DURATION as ISO-8601 and AMAZON.TIME as "HH:MM"
(24-hour), but test tools (and the text chat) may pass the words through; the skill accepts both.

Example:
    >>> words_to_number("twenty five"), to_iso_duration("one and a half minutes"), to_iso_time("seven thirty pm")
    (25, 'PT1M30S', '19:30')
"""

from __future__ import annotations

import re
from fractions import Fraction
from typing import Final, Mapping, Sequence

_UNITS: Final[Mapping[str, int]] = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19,
}
_TENS: Final[Mapping[str, int]] = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
}
_DURATION_UNITS: Final[Mapping[str, str]] = {
    "second": "S", "seconds": "S", "sec": "S", "secs": "S",
    "minute": "M", "minutes": "M", "min": "M", "mins": "M",
    "hour": "H", "hours": "H",
}


def words_to_number(phrase: str) -> int | None:
    """Convert digits or English number words (0-99, "a hundred") to an int, else None."""
    words = phrase.split()
    if len(words) == 1 and words[0].isascii() and words[0].isdigit():  # "²".isdigit() is True too
        return int(words[0])
    if words in (["a", "hundred"], ["one", "hundred"], ["hundred"]):
        return 100
    if len(words) == 1:
        return _UNITS.get(words[0], _TENS.get(words[0]))
    # "twenty five" and "twenty-five" (the hyphen is already a space).
    if len(words) == 2 and words[0] in _TENS and _UNITS.get(words[1], 0) in range(1, 10):
        return _TENS[words[0]] + _UNITS[words[1]]
    return None


def _quantity(words: Sequence[str], start: int) -> tuple[Fraction, int] | None:
    """Read a quantity at words[start:]; return it and the index after it."""
    # Longest first, so "twenty five" beats "twenty" and "a hundred" beats "a".
    for end in range(min(len(words), start + 2), start, -1):
        number = words_to_number(" ".join(words[start:end]))
        if number is not None:
            return Fraction(number), end
    word = words[start] if start < len(words) else ""
    if word in ("a", "an"):
        return Fraction(1), start + 1
    if re.fullmatch(r"\d+\.\d+", word):
        return Fraction(word), start + 1
    return None


def to_iso_duration(phrase: str) -> str | None:
    """Convert a spoken duration to ISO-8601 ("a minute and a half" -> "PT1M30S"), else None.

    Units are kept as spoken ("ninety seconds" -> "PT90S"); only fractions are carried down
    ("one and a half minutes" -> "PT1M30S"), because ISO-8601 minutes must be whole here.
    """
    words = phrase.split()
    amounts: dict[str, Fraction] = {}
    last_unit: str | None = None
    i = 0
    while i < len(words):
        if words[i] == "and" and amounts:
            i += 1
            continue
        if words[i : i + 2] in (["half", "a"], ["half", "an"]):
            quantity, i = Fraction(1, 2), i + 2
        else:
            read = _quantity(words, i)
            if read is None:
                return None
            quantity, i = read
            if words[i : i + 3] == ["and", "a", "half"]:  # "one and a half minutes"
                quantity, i = quantity + Fraction(1, 2), i + 3
        unit = _DURATION_UNITS.get(words[i]) if i < len(words) else None
        if unit is None:
            # "a minute thirty": a bare number after minutes means seconds.
            if last_unit == "M" and i == len(words) and "S" not in amounts:
                unit = "S"
            else:
                return None
        else:
            i += 1
        if words[i : i + 3] == ["and", "a", "half"]:  # "a minute and a half"
            quantity, i = quantity + Fraction(1, 2), i + 3
        amounts[unit] = amounts.get(unit, Fraction(0)) + quantity
        last_unit = unit
    if not amounts:
        return None
    # Carry fractions down: 1.5 hours -> 1H30M, 1.5 minutes -> 1M30S.
    hours = amounts.get("H", Fraction(0))
    minutes = amounts.get("M", Fraction(0)) + (hours - int(hours)) * 60
    seconds = amounts.get("S", Fraction(0)) + (minutes - int(minutes)) * 60
    if seconds.denominator != 1:
        return None
    parts = [(int(hours), "H"), (int(minutes), "M"), (int(seconds), "S")]
    body = "".join(f"{amount}{unit}" for amount, unit in parts if amount)
    return "PT" + (body or "0S")


_ISO_DURATION = re.compile(r"^PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?$")


def whole_number(said: str | None) -> int | None:
    """An AMAZON.NUMBER value: digits as Alexa sends them, or number words."""
    return words_to_number(" ".join((said or "").lower().replace("-", " ").split())) if said else None


def duration_seconds(said: str | None) -> int | None:
    """An AMAZON.DURATION value in seconds: ISO-8601 as Alexa sends it ("PT1M"), or spoken words."""
    if not said:
        return None
    iso = said if _ISO_DURATION.match(said) else to_iso_duration(" ".join(said.lower().replace("-", " ").split()))
    found = _ISO_DURATION.match(iso or "")
    if not found or not any(found.groups()):
        return None
    hours, minutes, seconds = (int(g or 0) for g in found.groups())
    return hours * 3600 + minutes * 60 + seconds


# What AMAZON.TIME sends for a part of the day said without a time ("in the evening").
_VAGUE_TIMES: Final[Mapping[str, str]] = {"morning": "MO", "afternoon": "AF", "evening": "EV", "night": "NI"}
PARTS_OF_DAY: Final = frozenset(_VAGUE_TIMES.values())
_NAMED_TIMES: Final[Mapping[str, str]] = {"noon": "12:00", "midday": "12:00", "midnight": "00:00"}
# Words after the hour that say which half of the day it is; None: no change ("o'clock").
_DAY_HALVES: Final[Sequence[tuple[tuple[str, ...], str | None]]] = (
    (("in", "the", "morning"), "am"), (("in", "the", "afternoon"), "pm"), (("in", "the", "evening"), "pm"),
    (("at", "night"), "pm"), (("a", "m"), "am"), (("am",), "am"), (("p", "m"), "pm"), (("pm",), "pm"),
    (("o'clock",), None), (("oclock",), None),
)
_PAST_TO: Final[Mapping[str, int]] = {"half": 30, "quarter": 15}
_ISO_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


def _minutes(words: Sequence[str]) -> int | None:
    """The minutes after the hour: "thirty", "forty five", "oh five", "15"."""
    if not words:
        return 0
    if words[0] in ("oh", "o") and len(words) == 2:
        number = words_to_number(words[1])
        return number if number is not None and 1 <= number <= 9 else None
    number = words_to_number(" ".join(words))
    return number if number is not None and 0 <= number < 60 else None


def to_iso_time(phrase: str) -> str | None:
    """Convert a spoken time of day to what AMAZON.TIME sends: "HH:MM", or "MO"/"AF"/"EV"/"NI" for a
    part of the day alone; None when it is no time.

    An hour said without "pm" (or "in the evening") is taken as morning, as Alexa does.

    >>> [to_iso_time(t) for t in ("seven", "half past six", "seven thirty in the evening", "noon", "evening")]
    ['07:00', '06:30', '19:30', '12:00', 'EV']
    """
    words = phrase.lower().replace("-", " ").replace(".", " ").replace(":", " ").split()
    while words and words[0] in ("at", "the"):
        words = words[1:]
    half: str | None = None
    trimmed = True
    while trimmed:
        trimmed = False
        for ending, which in _DAY_HALVES:
            if len(words) > len(ending) and tuple(words[-len(ending):]) == ending:
                words, half, trimmed = words[: -len(ending)], which or half, True
                break
    if len(words) == 1 and words[0] in _NAMED_TIMES and half is None:
        return _NAMED_TIMES[words[0]]
    part_of_day = words[2:] if words[:2] == ["in", "the"] else words
    if half is None and len(part_of_day) == 1 and part_of_day[0] in _VAGUE_TIMES:
        return _VAGUE_TIMES[part_of_day[0]]
    hour: int | None
    minute: int | None
    if len(words) >= 3 and words[-2] in ("past", "to") and words_to_number(words[-1]) is not None:
        # "half past six", "quarter to seven", "ten past seven"
        before = _PAST_TO.get(" ".join(words[:-2]).removeprefix("a "), None)
        before = before if before is not None else _minutes(words[:-2])
        if before is None or before == 0 or before >= 60 or (words[-2] == "to" and before > 30):
            return None
        hour = words_to_number(words[-1])
        minute = before
        if hour is not None and words[-2] == "to":
            hour, minute = (hour - 1) % 24, 60 - before
    else:
        whole = words_to_number(" ".join(words))
        if whole is not None and whole > 23:
            return None  # "twenty five" is a number, not five past eight in the evening
        hour = words_to_number(words[0]) if words else None
        minute = _minutes(words[1:])
    if hour is None or minute is None or not 0 <= hour <= 23:
        return None
    if half is not None and not 1 <= hour <= 12:
        return None  # "fifteen pm" is no time
    if half == "pm" and hour < 12:
        hour += 12
    elif half == "am" and hour == 12:
        hour = 0
    return f"{hour:02d}:{minute:02d}"


def part_of_day(said: str | None) -> bool:
    """Whether an AMAZON.TIME value (or the words for one) names only a part of the day ("EV", "in the evening").

    >>> part_of_day("EV"), part_of_day("in the morning"), part_of_day("07:00"), part_of_day("banana")
    (True, True, False, False)
    """
    return bool(said) and (said in PARTS_OF_DAY or to_iso_time(said or "") in PARTS_OF_DAY)


def clock_time(said: str | None) -> tuple[int, int] | None:
    """An AMAZON.TIME value as (hour, minute): "HH:MM" as Alexa sends it, or spoken words; None when it
    is missing, no time, or only a part of the day ("MO")."""
    if not said:
        return None
    iso = said if _ISO_TIME.match(said) else to_iso_time(said)
    found = _ISO_TIME.match(iso or "")
    return (int(found[1]), int(found[2])) if found else None
