"""When each word of some SSML is said, by espeak-ng itself (its word events), at any speaking rate.

An oracle for tests, like ``tests.support.stopwatch``: it imports nothing from ``skill``. espeak-ng's
library (``libespeak-ng.so.1``, installed with espeak-ng by ``scripts/setup --test``) synthesizes the
SSML synchronously and reports, for every word, where it starts in the text and in the audio; the
audio itself is not kept.

    >>> words = spoken_words('<speak>Hold on.<break time="2000ms"/>Release.</speak>', wpm=160)
    >>> [w.offset for w in words.words]
    [7, 12, 37]
    >>> round(words.at(37) - words.at(12), 1) >= 2.0
    True
"""

from __future__ import annotations

import ctypes
import ctypes.util
import threading
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import pytest

__all__ = ["SpokenWords", "Word", "spoken_words"]

_AUDIO_OUTPUT_SYNCHRONOUS = 2
_RATE = 1  # espeakRATE
_EVENT_WORD = 1
_EVENT_LIST_TERMINATED = 0
_POS_CHARACTER = 1
_CHARS_UTF8 = 1
_SSML = 0x10


class _Event(ctypes.Structure):
    _fields_ = [
        ("type", ctypes.c_int),
        ("unique_identifier", ctypes.c_uint),
        ("text_position", ctypes.c_int),
        ("length", ctypes.c_int),
        ("audio_position", ctypes.c_int),
        ("sample", ctypes.c_int),
        ("user_data", ctypes.c_void_p),
        ("id", ctypes.c_void_p),
    ]


_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.POINTER(_Event))


@dataclass(frozen=True)
class Word:
    """A word: its offset in the SSML string (0-based) and when it starts in the audio, in seconds."""

    offset: int
    start: float


@dataclass(frozen=True)
class SpokenWords:
    """The words of one rendering, in order, and the audio's length in seconds."""

    words: tuple[Word, ...]
    seconds: float

    def at(self, offset: int) -> float:
        """When the first word at or after ``offset`` in the SSML starts (the audio's end if none)."""
        for word in self.words:
            if word.offset >= offset:
                return word.start
        return self.seconds


class _Espeak:
    """The library, initialised once; one synthesis at a time."""

    def __init__(self) -> None:
        name = ctypes.util.find_library("espeak-ng") or "libespeak-ng.so.1"
        try:
            self.lib: Any = ctypes.CDLL(name)
        except OSError:
            pytest.fail("libespeak-ng is not installed: run scripts/setup --test (it installs espeak-ng)", pytrace=False)
        self.sample_rate = self.lib.espeak_Initialize(_AUDIO_OUTPUT_SYNCHRONOUS, 0, None, 0)
        self.lock = threading.Lock()
        self.words: list[Word] = []
        self.samples = 0
        self.callback = _CALLBACK(self._collect)  # kept referenced: the library calls it
        self.lib.espeak_SetSynthCallback(self.callback)

    def _collect(self, _wav: Any, count: int, events: Any) -> int:
        self.samples += count
        index = 0
        while events[index].type != _EVENT_LIST_TERMINATED:
            event = events[index]
            if event.type == _EVENT_WORD:
                self.words.append(Word(event.text_position - 1, event.audio_position / 1000.0))
            index += 1
        return 0

    def render(self, ssml: str, wpm: int) -> SpokenWords:
        data = ssml.encode("utf-8")
        with self.lock:
            self.words, self.samples = [], 0
            self.lib.espeak_SetParameter(_RATE, wpm, 0)
            status = self.lib.espeak_Synth(data, len(data) + 1, 0, _POS_CHARACTER, 0, _SSML | _CHARS_UTF8, None, None)
            if status != 0:
                raise RuntimeError(f"espeak_Synth failed with {status}")
            return SpokenWords(tuple(self.words), self.samples / self.sample_rate)


@lru_cache(maxsize=1)
def _espeak() -> _Espeak:
    return _Espeak()


def spoken_words(ssml: str, wpm: int) -> SpokenWords:
    """Synthesize ``ssml`` (ASCII, as the skill writes it) at ``wpm`` words a minute and time its words."""
    return _espeak().render(ssml, wpm)
