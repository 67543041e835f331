"""The one speaking-rate model: how long it takes to say some words.

Every duration the skill computes (breaks inside a countdown, segment lengths,
"about 6 minutes", where a user was when they interrupted) comes from here.

The platform notes give about 160 words a minute. Counting words alone misjudges
both ends: a lone "5." takes longer than a word of a long sentence. So the model
counts letters (numbers as they are spoken): 160 words a minute of
``LETTERS_PER_WORD`` letters, plus a short onset for each sentence, a pause at
each comma and a longer one between two sentences. The constants were fitted
to espeak-ng (the local stand-in voice) at 160 words a minute.

Example:
    >>> round(speaking_seconds("Hold for 20 seconds."), 2)
    1.44
    >>> round(ssml_seconds('<speak>One.<break time="2000ms"/>Two.</speak>'), 2)
    2.69
"""

from __future__ import annotations

import re

WORDS_PER_MINUTE = 160
LETTERS_PER_WORD = 5.8
SECONDS_PER_LETTER = 60.0 / (WORDS_PER_MINUTE * LETTERS_PER_WORD)
SENTENCE_ONSET_SECONDS = 0.15
COMMA_SECONDS = 0.18
BETWEEN_SENTENCES_SECONDS = 0.41
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


def _letters(text: str) -> int:
    spoken = _NUMBER.sub(lambda m: "x" * number_letters(int(m.group(0)[:6])), text)
    return sum(1 for c in spoken if c.isalpha())


def speaking_seconds(text: str) -> float:
    """Estimated time from the first to the last sound of ``text`` said on its own."""
    if not text.strip():
        return 0.0
    sentences = max(1, len(_SENTENCE_END.findall(text)))
    return (
        _letters(text) * SECONDS_PER_LETTER
        + sentences * SENTENCE_ONSET_SECONDS
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
