"""Spoken countdowns that last their nominal length by the stopwatch.

A hold of H seconds runs from the first word of "Hold for H seconds." to the end
of the word that ends it ("Release."). Cues are placed on that clock: the cue
for R seconds left starts H - R seconds in (every ten seconds while more than
five remain, then each second from five down), "Release." is timed to end at H,
and the break before each cue is the time to that cue minus how long the words
before it take to say (``skill.speech.rate``). A cue that would start before the
previous words end is left out, so short holds simply count less. Every break is
at most 10 s (cues are never more than 10 s apart) and no two breaks touch.

Example:
    >>> from skill.speech.phrases import phrases_for
    >>> timed = hold_countdown(20, phrases_for("en-US"))
    >>> timed.label
    'hold 20 s: 10… 5, 4, 3, 2, 1'
"""

from __future__ import annotations

from skill.speech.phrases import Phrases
from skill.speech.rate import speaking_seconds
from skill.speech.ssml import Pause, Text, Timed

# Holds longer than this get breathing cues between the "N seconds left" cues.
TALLY_EVERY_SECONDS = 30
FINAL_COUNT_FROM = 5
SHORTEST_BREAK_MS = 50
# Silence around the coaching cue said early in a hold.
COACHING_AFTER_SECONDS = 0.5


def _cue_text(remaining: int, index: int, phrases: Phrases) -> str:
    if remaining <= FINAL_COUNT_FROM:
        return phrases.say("count_number", number=remaining)
    if remaining <= TALLY_EVERY_SECONDS or remaining % TALLY_EVERY_SECONDS == 0:
        return phrases.say("seconds_left", seconds=remaining)
    return phrases.say("breathe_cue", variant=index)


def _timeline(opening: str, cues: list[tuple[float, str]]) -> tuple[list[Text | Pause], list[tuple[float, str]]]:
    """``opening`` at 0, then each ``(start time, text)`` cue that fits; the last cue always stays.

    Returns the parts and the cues kept.
    """
    parts: list[Text | Pause] = [Text(opening)]
    kept: list[tuple[float, str]] = []
    clock = speaking_seconds(opening)  # when the words said so far end
    for number, (at, text) in enumerate(cues):
        last = number == len(cues) - 1
        if at < clock and not last:
            continue
        gap_ms = int(round((at - clock) * 1000))
        if gap_ms >= SHORTEST_BREAK_MS:
            parts.append(Pause(gap_ms))
        parts.append(Text(text))
        kept.append((at, text))
        clock = max(clock, at) + speaking_seconds(text)
    return parts, kept


def _counts(seconds: int, phrases: Phrases) -> list[tuple[float, str]]:
    """The cues of a hold of ``seconds`` on its clock: ``(start time, text)``."""
    remaining_values = [r for r in range(seconds - 1, 0, -1) if r <= FINAL_COUNT_FROM or r % 10 == 0]
    return [(float(seconds - remaining), _cue_text(remaining, index, phrases)) for index, remaining in enumerate(remaining_values)]


def coaching_fits(seconds: int, phrases: Phrases, coaching: str) -> bool:
    """Whether ``coaching`` fits inside a hold of ``seconds``, between "Hold for ..." and the first count.

    A hold too short for it has it said just before "Hold for ..." instead, so that it is heard
    all the same and the hold keeps its length.

    >>> from skill.speech.phrases import phrases_for
    >>> cue = "Keep breathing the whole time and never hold your breath."
    >>> coaching_fits(30, phrases_for("en-US"), cue), coaching_fits(5, phrases_for("en-US"), cue)
    (True, False)
    """
    counts = _counts(seconds, phrases)
    at = speaking_seconds(phrases.say("hold_start", seconds=seconds)) + COACHING_AFTER_SECONDS
    first_cue = counts[0][0] if counts else seconds - speaking_seconds(phrases.say("release"))
    return at + speaking_seconds(coaching) + COACHING_AFTER_SECONDS <= first_cue


def hold_countdown(seconds: int, phrases: Phrases, coaching: str | None = None) -> Timed:
    """A hold of ``seconds``, from "Hold for ..." to the end of "Release.".

    ``coaching`` (the stretch's cue, like "Breathe normally.") is said just after the
    opening when there is room for it before the first count (``coaching_fits``); its time
    comes out of the hold.
    """
    release = phrases.say("release")
    opening = phrases.say("hold_start", seconds=seconds)
    cues = _counts(seconds, phrases)
    if coaching and coaching_fits(seconds, phrases, coaching):
        cues.insert(0, (speaking_seconds(opening) + COACHING_AFTER_SECONDS, coaching))
    cues.append((seconds - speaking_seconds(release), release))
    parts, kept = _timeline(opening, cues)
    said = [seconds - int(round(at)) for at, text in kept[:-1] if text != coaching]
    return Timed(hold_label(seconds, said), tuple(parts))


def hold_label(seconds: int, said: list[int]) -> str:
    """A hold shown in text, with the numbers said in it: tens as a tally, the last five counted.

    >>> hold_label(20, [10, 5, 4, 3, 2, 1])
    'hold 20 s: 10… 5, 4, 3, 2, 1'
    >>> hold_label(5, [])
    'hold 5 s'
    """
    tally = [str(s) for s in said if s > FINAL_COUNT_FROM]
    final = ", ".join(str(s) for s in said if s <= FINAL_COUNT_FROM)
    return (f"hold {seconds} s: " + "… ".join(tally + ([final] if final else []))).rstrip(": ")


def counted_set(count: int, tempo_seconds: int, phrases: Phrases, cues: tuple[str, ...] = ()) -> Timed:
    """``count`` slow movements counted out loud, one every ``tempo_seconds``, then a rest word.

    ``cues`` (like "toes up", "toes down") are said with the numbers in turn, so each count
    says which movement it is.
    """
    opening = phrases.say("count_start", count=count)
    start = speaking_seconds(opening)
    cues_said = [
        phrases.say("count_number_cue", number=n + 1, cue=cues[n % len(cues)]) if cues else phrases.say("count_number", number=n + 1)
        for n in range(count)
    ]
    timed = [(start + n * tempo_seconds, text) for n, text in enumerate(cues_said)]
    timed.append((start + count * tempo_seconds, phrases.say("count_done")))
    parts, _ = _timeline(opening, timed)
    return Timed(f"count {count}, one every {tempo_seconds} s", tuple(parts))
