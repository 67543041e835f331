"""A stopwatch for speech: times SSML by ear (espeak-ng audio) and on paper (a fixed speaking rate).

This is an oracle for tests, so it shares nothing with the skill: it imports nothing from
``skill``, and its speaking rate, :data:`ESPEAK_WPM`, is a test constant, not the skill's.

By ear:
    :func:`render` synthesizes SSML with espeak-ng at :data:`ESPEAK_WPM` words a minute into a WAV
    file and returns an :class:`Audio`; :meth:`Audio.sound_span` gives the times of its first and
    last sound (espeak-ng's leading and trailing silence left out), :func:`gaps` its silences, and
    :func:`spoken_span` the seconds from the first word's start to the last word's end, which is
    what a listener with a stopwatch would time.

On paper:
    :func:`fixed_rate_timeline` lays SSML out on a clock where every word takes ``60 / wpm``
    seconds and every ``<break>`` its own length; :func:`fixed_rate_seconds`,
    :func:`seconds_between` and :func:`gap_between` read times off it.

Only the SSML the skill writes is understood: ``<speak>``, text (XML escapes such as ``&amp;``
and ``&apos;`` allowed) and ``<break time="Nms"/>``; anything else is a ``ValueError``.

Silence detection: espeak-ng writes digital silence (samples of exactly 0), so a sample is
*sound* when its magnitude reaches :data:`THRESHOLD` (about -50 dBFS) and silence otherwise.
The samples are scanned in windows of :data:`WINDOW_SECONDS` (10 ms): one ``max``/``min`` per
window, and a byte comparison for all-zero windows, so a 10-minute file is measured in a small
fraction of a second; the edges found are then refined to the exact sample.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import wave
from array import array
from dataclasses import dataclass
from functools import cached_property
from hashlib import sha1
from pathlib import Path
from typing import Literal
from xml.etree import ElementTree

import pytest

__all__ = [
    "ESPEAK_WPM",
    "THRESHOLD",
    "WINDOW_SECONDS",
    "Audio",
    "Token",
    "espeak_path",
    "fixed_rate_seconds",
    "fixed_rate_timeline",
    "gap_between",
    "gaps",
    "render",
    "seconds_between",
    "spoken_span",
]

ESPEAK_WPM = 160
"""Words a minute every rendering and every fixed-rate timeline uses (a test constant)."""

THRESHOLD = 100
"""A sample whose magnitude reaches this (of 32767, about -50 dBFS) is sound; below it, silence."""

WINDOW_SECONDS = 0.010
"""Length of the windows the samples are scanned in."""

RENDER_TIMEOUT_SECONDS = 120
_BREAK_TIME = re.compile(r"(\d+)(ms|s)")


def espeak_path() -> str:
    """Return the path of ``espeak-ng``; fail the test (not skip it) when it is not installed.

    Its absence is a broken setup: ``scripts/setup --test`` installs it.
    """
    path = shutil.which("espeak-ng")
    if path is None:
        pytest.fail(
            "espeak-ng is not installed, and speech timing tests need it: "
            "run the project's setup script, scripts/setup --test (it installs espeak-ng)",
            pytrace=False,
        )
    return path


@dataclass(frozen=True, eq=False)
class Audio:
    """Mono 16-bit PCM audio: its samples and sample rate."""

    samples: array[int]
    rate: int

    @classmethod
    def read(cls, wav: Path) -> Audio:
        """Load a mono 16-bit PCM WAV file.

        Raises:
            ValueError: the file is not mono 16-bit PCM.
        """
        with wave.open(str(wav), "rb") as reader:
            if reader.getnchannels() != 1 or reader.getsampwidth() != 2:
                raise ValueError(
                    f"{wav}: expected mono 16-bit PCM, got {reader.getnchannels()} channel(s) "
                    f"of {8 * reader.getsampwidth()} bits"
                )
            rate = reader.getframerate()
            frames = reader.readframes(reader.getnframes())
        samples = array("h")
        samples.frombytes(frames)
        if sys.byteorder == "big":  # WAV samples are little-endian
            samples.byteswap()
        return cls(samples, rate)

    @property
    def seconds(self) -> float:
        """Length of the whole file, silence included."""
        return len(self.samples) / self.rate

    @property
    def window(self) -> int:
        """Samples per scanning window (10 ms, at least 1 sample)."""
        return max(1, round(self.rate * WINDOW_SECONDS))

    @cached_property
    def peaks(self) -> list[int]:
        """Largest sample magnitude of each window, in order (the last window may be short; computed once)."""
        samples, step = self.samples, self.window
        raw, silent = samples.tobytes(), bytes(2 * step)
        result: list[int] = []
        for first in range(0, len(samples), step):
            if raw[2 * first : 2 * (first + step)] == silent:  # digital silence: a byte comparison
                result.append(0)
            else:
                chunk = samples[first : first + step]
                result.append(max(max(chunk), -min(chunk)))
        return result

    def _first_sound_in(self, window: int) -> int:
        """Index of the first sound sample in ``window`` (which holds one)."""
        first = window * self.window
        chunk = self.samples[first : first + self.window]
        return first + next(i for i, value in enumerate(chunk) if abs(value) >= THRESHOLD)

    def _last_sound_in(self, window: int) -> int:
        """Index of the last sound sample in ``window`` (which holds one)."""
        first = window * self.window
        chunk = self.samples[first : first + self.window]
        return first + max(i for i, value in enumerate(chunk) if abs(value) >= THRESHOLD)

    def sound_span(self) -> tuple[float, float]:
        """Seconds from the file's start to the first sound, and to the end of the last sound.

        The end is the end of the last sound *sample*, so ``end - start`` is the sound's length.

        Raises:
            ValueError: the audio is silent throughout.
        """
        loud = [i for i, peak in enumerate(self.peaks) if peak >= THRESHOLD]
        if not loud:
            raise ValueError("the audio is silent throughout")
        start = self._first_sound_in(loud[0])
        end = self._last_sound_in(loud[-1]) + 1
        return start / self.rate, end / self.rate

    def gaps(self, min_gap: float = 0.3) -> list[tuple[float, float]]:
        """Silences of at least ``min_gap`` seconds between two sounds, as (start, end) in seconds.

        The silence before the first sound and after the last one is not a gap. ``start`` is the
        end of the sound before, ``end`` the start of the sound after, both to the sample.

        Raises:
            ValueError: ``min_gap`` is under two windows (20 ms), too short to be found reliably.
        """
        step = self.window
        if min_gap * self.rate < 2 * step:
            raise ValueError(f"min_gap must be at least {2 * step / self.rate} s, got {min_gap}")
        peaks = self.peaks
        found: list[tuple[float, float]] = []
        index = 0
        while index < len(peaks):
            if peaks[index] >= THRESHOLD:
                index += 1
                continue
            quiet_from = index
            while index < len(peaks) and peaks[index] < THRESHOLD:
                index += 1
            if quiet_from == 0 or index == len(peaks):
                continue  # leading or trailing silence
            start = self._last_sound_in(quiet_from - 1) + 1
            end = self._first_sound_in(index)
            if end - start >= min_gap * self.rate:
                found.append((start / self.rate, end / self.rate))
        return found


def render(ssml: str, wav: Path) -> Audio:
    """Synthesize ``ssml`` with espeak-ng in SSML mode at :data:`ESPEAK_WPM` into ``wav``; load it.

    Runs ``espeak-ng -m -s 160 -w WAV SSML``.
    """
    subprocess.run(
        [espeak_path(), "-m", "-s", str(ESPEAK_WPM), "-w", str(wav), ssml],
        check=True,
        capture_output=True,
        timeout=RENDER_TIMEOUT_SECONDS,
    )
    return Audio.read(wav)


def spoken_span(ssml: str, tmp: Path) -> float:
    """Seconds from the start of the first word to the end of the last word, as espeak-ng says them.

    The stopwatch for a hold: pass just the hold's SSML, from its "Hold for N seconds." cue to its
    final word. ``tmp`` is a folder (e.g. pytest's ``tmp_path``); the WAV file is written there.
    """
    wav = tmp / f"span-{sha1(ssml.encode()).hexdigest()[:16]}.wav"
    start, end = render(ssml, wav).sound_span()
    return end - start


def gaps(audio: Audio, min_gap: float = 0.3) -> list[tuple[float, float]]:
    """Silences of at least ``min_gap`` seconds between two sounds: :meth:`Audio.gaps`."""
    return audio.gaps(min_gap)


@dataclass(frozen=True)
class Token:
    """One word or break of a fixed-rate timeline, with its start and end in seconds.

    A word's ``text`` is as written (punctuation kept, XML escapes undone); a break's ``text`` is
    its ``time`` attribute, e.g. ``"1000ms"``.
    """

    kind: Literal["word", "break"]
    text: str
    start: float
    end: float


def _break_seconds(element: ElementTree.Element) -> tuple[str, float]:
    """The ``time`` attribute of a ``<break/>`` and its length in seconds."""
    if set(element.attrib) != {"time"} or len(element):
        raise ValueError(f"unsupported break: {ElementTree.tostring(element, encoding='unicode')}")
    time = element.attrib["time"]
    match = _BREAK_TIME.fullmatch(time)
    if match is None:
        raise ValueError(f"break time {time!r} is not whole milliseconds or seconds")
    amount, unit = int(match.group(1)), match.group(2)
    return time, amount / 1000 if unit == "ms" else float(amount)


def fixed_rate_timeline(ssml: str, wpm: int = ESPEAK_WPM) -> list[Token]:
    """Lay ``ssml`` out on a clock: each whitespace-separated word takes ``60 / wpm`` s, each break its time.

    >>> for token in fixed_rate_timeline('<speak>a b<break time="1000ms"/>c</speak>'):
    ...     print(token.kind, token.text, token.start, token.end)
    word a 0.0 0.375
    word b 0.375 0.75
    break 1000ms 0.75 1.75
    word c 1.75 2.125
    >>> [token.text for token in fixed_rate_timeline("<speak>Rock &amp; roll, it&apos;s fine.</speak>")]
    ['Rock', '&', 'roll,', "it's", 'fine.']

    Raises:
        ValueError: not well-formed, not a ``<speak>`` document, or an element other than
            ``<break time="..."/>``.
    """
    try:
        root = ElementTree.fromstring(ssml)
    except ElementTree.ParseError as error:
        raise ValueError(f"not well-formed SSML: {error}") from None
    if root.tag != "speak" or root.attrib:
        raise ValueError(f"expected a bare <speak> root element, got <{root.tag}>")
    word_seconds = 60 / wpm
    timeline: list[Token] = []
    clock = 0.0

    def add_words(text: str | None) -> None:
        nonlocal clock
        for word in (text or "").split():
            timeline.append(Token("word", word, clock, clock + word_seconds))
            clock += word_seconds

    add_words(root.text)
    for element in root:
        if element.tag != "break":
            raise ValueError(f"unsupported element <{element.tag}>")
        time, seconds = _break_seconds(element)
        timeline.append(Token("break", time, clock, clock + seconds))
        clock += seconds
        add_words(element.tail)
    return timeline


def fixed_rate_seconds(ssml: str, wpm: int = ESPEAK_WPM) -> float:
    """Length of ``ssml`` at a fixed rate: the end of its last word or break (0.0 if empty).

    >>> fixed_rate_seconds('<speak>Hold for 20 seconds.<break time="4500ms"/>Release.</speak>')
    6.375
    """
    timeline = fixed_rate_timeline(ssml, wpm)
    return timeline[-1].end if timeline else 0.0


def _find(words: list[Token], text: str, after: int) -> tuple[int, int]:
    """First index range [first, last] of ``words`` spelling ``text``, beginning at ``after`` or later."""
    wanted = text.split()
    if not wanted:
        raise ValueError("the text to find is empty")
    for first in range(after, len(words) - len(wanted) + 1):
        if all(words[first + i].text == word for i, word in enumerate(wanted)):
            return first, first + len(wanted) - 1
    where = "" if after == 0 else f" after word {after}"
    raise ValueError(f"{text!r} is not in the SSML's words{where}")


def _pair(ssml: str, first_text: str, second_text: str, wpm: int) -> tuple[Token, Token, Token, Token]:
    """First and last word of ``first_text``'s first occurrence and of ``second_text``'s next one."""
    words = [token for token in fixed_rate_timeline(ssml, wpm) if token.kind == "word"]
    first_from, first_to = _find(words, first_text, 0)
    second_from, second_to = _find(words, second_text, first_to + 1)
    return words[first_from], words[first_to], words[second_from], words[second_to]


def seconds_between(ssml: str, start_text: str, end_text: str, wpm: int = ESPEAK_WPM) -> float:
    """Seconds from the start of ``start_text`` to the end of the next ``end_text``, at a fixed rate.

    ``start_text`` is its first occurrence; ``end_text`` the first occurrence that begins after it
    ends. Texts are matched word by word against the SSML's words, punctuation included as written
    (``"Hold for"`` matches ``Hold for 20 seconds.``; ``"Release"`` does not match ``Release.``).

    >>> ssml = ('<speak>Hold for 5 seconds.<break time="3125ms"/>Release.'
    ...         '<break time="2000ms"/>Hold for 5 seconds.</speak>')
    >>> seconds_between(ssml, "Hold for", "Release.")
    5.0
    >>> seconds_between(ssml, "Release.", "Hold for")
    3.125

    Raises:
        ValueError: either text is empty or not found (``end_text`` not found after ``start_text``).
    """
    start, _, _, end = _pair(ssml, start_text, end_text, wpm)
    return end.end - start.start


def gap_between(ssml: str, before_text: str, after_text: str, wpm: int = ESPEAK_WPM) -> float:
    """Seconds from the end of ``before_text`` to the start of the next ``after_text``, at a fixed rate.

    The rest between two repetitions is ``gap_between(ssml, "Release.", "Hold for")``. Occurrences
    are chosen as in :func:`seconds_between`.

    >>> ssml = ('<speak>Hold for 5 seconds.<break time="3125ms"/>Release.'
    ...         '<break time="2000ms"/>Hold for 5 seconds.</speak>')
    >>> gap_between(ssml, "Release.", "Hold for")
    2.0

    Raises:
        ValueError: either text is empty or not found (``after_text`` not found after ``before_text``).
    """
    _, before, after, _ = _pair(ssml, before_text, after_text, wpm)
    return after.start - before.end


FIRST_HOLD = re.compile(r"Hold for \d+ seconds\.|\d+ slow movements with me\.")


def before_first_hold(ssml: str, tmp: Path) -> tuple[float, float]:
    """(talk, all): seconds from a response's first word to the first word of its first hold's cue,
    rendered by espeak-ng; *talk* leaves out the response's own breaks (time given to move)."""
    match = FIRST_HOLD.search(ssml)
    if match is None:
        raise ValueError("no hold in the response")
    # Breaks at the very end (the time to settle into position) follow the last word: not talk, not counted.
    lead = re.sub(r'(?:\s*<break time="\d+ms"/>)+\s*$', "", ssml[: match.start()]) + "</speak>"
    _, last_sound = render(lead, tmp / "lead.wav").sound_span()
    silences = sum(int(ms) for ms in re.findall(r'<break time="(\d+)ms"/>', lead)) / 1000.0
    return last_sound - silences, last_sound
