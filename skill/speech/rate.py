"""The one speaking-rate model: how long it takes to say some words.

Every duration the skill computes (breaks inside a countdown, segment lengths,
"about 6 minutes", where a user was when they interrupted) comes from here.

The platform notes give about 160 words a minute. Counting words alone misjudges
both ends: a lone "5." takes longer than a word of a long sentence. So the model
counts letters (numbers as they are spoken), at a rate for each kind of text
(``TextKind``: step sentences, counted movements, countdown numbers), plus an
onset for each sentence, a pause at each comma and a longer one between two
sentences. The constants were fitted to espeak-ng (the local stand-in voice) at
160 words a minute by ``scripts/fit_rate.py``. Alexa's voice differs from any
model: ``skill.flows.voice`` learns by how much, and locating a request allows for it.

Example:
    >>> round(speaking_seconds("Hold for 20 seconds."), 2)
    1.46
    >>> round(ssml_seconds('<speak>One.<break time="2000ms"/>Two.</speak>'), 2)
    2.7
"""

from __future__ import annotations

import re
from enum import Enum
from typing import NamedTuple

WORDS_PER_MINUTE = 160
COMMA_SECONDS = 0.18
BETWEEN_SENTENCES_SECONDS = 0.41


class TextKind(str, Enum):
    """Kinds of text a voice says at different speeds (told apart by their shape: ``text_kind``)."""

    STEP = "step"  # sentences: positions, steps, cues, headings, the hold's own words
    COUNTED = "counted"  # "3, toes up.": a counted movement, said between two breaks
    NUMBER = "number"  # "4.": a number of a countdown or a count, said between two breaks


class Rate(NamedTuple):
    """A kind's seconds: ``onset`` for each sentence plus ``per_letter`` for each letter."""

    onset: float
    per_letter: float


# Fitted by scripts/fit_rate.py to espeak-ng (the local stand-in voice) at 160 words a minute, each
# kind where the skill says it: steps within a run of sentences, counted movements and numbers
# between two breaks; run it again to refit them. (A single letters-based rate ran 5.7 % ahead of
# the audio on counted movements, which put late commands in a long response on the next stretch.)
RATES = {
    TextKind.STEP: Rate(onset=0.156, per_letter=0.06507),
    TextKind.COUNTED: Rate(onset=0.804, per_letter=0.01520),
    TextKind.NUMBER: Rate(onset=0.162, per_letter=0.04708),
}
_NUMBER_ALONE = re.compile(r"\d+\.?")
_COUNTED = re.compile(r"\d+, ")
_SENTENCE_END = re.compile(r"[.!?]+(?=\s|$)")
_COMMA = re.compile(r"[,;:]")
_NUMBER = re.compile(r"\d+")
_BREAK = re.compile(r'<break time="(\d+)ms"/>')
_TAG = re.compile(r"<[^>]+>")
_ONES = ("", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
         "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen")
_TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")


def number_letters(number: int) -> int:
    """Letters in an English number word, for timing (``number_letters(45) == len("fortyfive")``)."""
    if number == 0:
        return 4
    letters = 0
    if number >= 1000:
        letters += number_letters(number // 1000) + len("thousand")
        number %= 1000
    if number >= 100:
        letters += len(_ONES[number // 100]) + len("hundred")
        number %= 100
    if number >= 20:
        letters += len(_TENS[number // 10]) + len(_ONES[number % 10])
    else:
        letters += len(_ONES[number])
    return letters


def letters(text: str) -> int:
    """Letters of ``text`` as it is spoken (numbers as words): ``letters("Hold 20.") == 10``."""
    spoken = _NUMBER.sub(lambda m: "x" * number_letters(int(m.group(0)[:6])), text)
    return sum(1 for c in spoken if c.isalpha())


def text_kind(text: str) -> TextKind:
    """The kind of a text, by its shape.

    >>> [text_kind(t).value for t in ("4.", "3, toes up.", "Hold for 20 seconds.")]
    ['number', 'counted', 'step']
    """
    stripped = text.strip()
    if _NUMBER_ALONE.fullmatch(stripped):
        return TextKind.NUMBER
    return TextKind.COUNTED if _COUNTED.match(stripped) else TextKind.STEP


def speaking_seconds(text: str) -> float:
    """Estimated time ``text`` takes to say, at the rate of its kind (``RATES``)."""
    if not text.strip():
        return 0.0
    rate = RATES[text_kind(text)]
    sentences = max(1, len(_SENTENCE_END.findall(text)))
    return (
        letters(text) * rate.per_letter
        + sentences * rate.onset
        + len(_COMMA.findall(text)) * COMMA_SECONDS
        + (sentences - 1) * BETWEEN_SENTENCES_SECONDS
    )


def texts_seconds(texts: list[str | None]) -> float:
    """Time of a run of parts: ``None`` stands for a break, which replaces the pause between sentences."""
    total = 0.0
    previous_was_text = False
    for text in texts:
        if text is None:
            previous_was_text = False
            continue
        if not text.strip():
            continue
        if previous_was_text:
            total += BETWEEN_SENTENCES_SECONDS
        total += speaking_seconds(text)
        previous_was_text = True
    return total


def ssml_seconds(ssml: str) -> float:
    """Estimated length of a whole SSML response: its breaks plus its words."""
    breaks = sum(int(ms) for ms in _BREAK.findall(ssml)) / 1000.0
    body = _BREAK.sub("\x00", ssml)
    texts: list[str | None] = []
    for piece in body.split("\x00"):
        texts.append(_TAG.sub(" ", piece))
        texts.append(None)
    return breaks + texts_seconds(texts[:-1])
