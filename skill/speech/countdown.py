"""Spoken countdowns that last their nominal length.

A hold of H seconds is a timeline: the hold starts when "Hold for H seconds" has
been said and ends when "release" starts. Cues are spoken at fixed times (every
ten seconds while more than five remain, then each second from five down), and
the break before each cue is the time to that cue minus how long the previous cue
takes to say. So ``breaks + spoken cues == H`` by construction, every break is
at most 10 s (cues are never more than 10 s apart) and no two breaks touch.

Example:
    >>> from skill.speech.phrases import phrases_for
    >>> timed = hold_countdown(20, phrases_for("en-US"))
    >>> timed.label
    'hold 20 s: 10… 5, 4, 3, 2, 1'
"""

from __future__ import annotations

from skill.engine.plan import speaking_seconds
from skill.speech.phrases import Phrases
from skill.speech.ssml import Pause, Text, Timed

# Holds longer than this get breathing cues between the "N seconds left" cues.
TALLY_EVERY_SECONDS = 30
FINAL_COUNT_FROM = 5
SHORTEST_BREAK_MS = 50


def _cue_text(remaining: int, index: int, phrases: Phrases) -> str:
    if remaining <= FINAL_COUNT_FROM:
        return phrases.say("count_number", number=remaining)
    if remaining <= TALLY_EVERY_SECONDS or remaining % TALLY_EVERY_SECONDS == 0:
        return phrases.say("seconds_left", seconds=remaining)
    return phrases.say("breathe_cue", variant=index)


def _timeline(cues: list[tuple[float, str]], final: str) -> tuple[Text | Pause, ...]:
    """Turn ``(time, text)`` cues (time measured from the end of the opening words) into parts.

    ``final`` is spoken at the end time, which is the last cue's time.
    """
    parts: list[Text | Pause] = []
    clock = 0.0  # when the previous words finish
    for at, text in cues:
        gap_ms = int(round((at - clock) * 1000))
        if gap_ms >= SHORTEST_BREAK_MS:
            parts.append(Pause(gap_ms))
        parts.append(Text(text))
        clock = at + speaking_seconds(text)
    parts[-1] = Text(final)
    return tuple(parts)


def hold_countdown(seconds: int, phrases: Phrases) -> Timed:
    """A hold of ``seconds`` with spoken cues, ending in "release"."""
    cues: list[tuple[float, str]] = []
    shown: list[str] = []
    for index, remaining in enumerate(
        r for r in range(seconds - 1, 0, -1) if r <= FINAL_COUNT_FROM or r % 10 == 0
    ):
        cues.append((seconds - remaining, _cue_text(remaining, index, phrases)))
        shown.append(str(remaining))
    cues.append((seconds, ""))
    parts = (Text(phrases.say("hold_start", seconds=seconds)),) + _timeline(cues, phrases.say("release"))
    tally = [s for s in shown if int(s) > FINAL_COUNT_FROM]
    final = [s for s in shown if int(s) <= FINAL_COUNT_FROM]
    label = f"hold {seconds} s: " + "… ".join(tally + [", ".join(final)] if final else tally)
    return Timed(label.rstrip(": "), parts)


def counted_set(count: int, tempo_seconds: int, phrases: Phrases) -> Timed:
    """``count`` slow movements counted out loud, one every ``tempo_seconds``."""
    cues = [(float(n * tempo_seconds), phrases.say("count_number", number=n + 1)) for n in range(count)]
    cues.append((float(count * tempo_seconds), ""))
    parts = (Text(phrases.say("count_start", count=count)),) + _timeline(cues, phrases.say("count_done"))
    return Timed(f"count {count}, one every {tempo_seconds} s", parts)
