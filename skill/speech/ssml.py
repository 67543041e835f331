"""A tiny speech model that can only render Alexa-safe SSML.

A ``Speech`` is a list of parts: ``Text`` (escaped on output), ``Pause`` (one
``<break>``) and ``Timed`` (a hold or counted set, which the chat shows compactly).
Rendering refuses what Alexa or espeak-ng mishandle: a break over 10 s, two
breaks side by side, and speech of 8000 characters or more.

Example:
    >>> Speech([Text("Hold & breathe."), Pause(2500), Text("Done.")]).ssml()
    '<speak>Hold &amp; breathe.<break time="2500ms"/>Done.</speak>'
    >>> Speech([Text("pizza" + chr(0xFFFE) + chr(7) + "pie")]).ssml()  # what XML does not allow: spaces
    '<speak>pizza  pie</speak>'
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import escape, unescape
from typing import Iterator, NamedTuple, Union

# What XML 1.0 does not allow in text (control characters, surrogates, U+FFFE and U+FFFF), and DEL.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
MAX_BREAK_MS = 10_000
MAX_SSML_CHARS = 8_000


class SpeechLimitError(ValueError):
    """The speech would break a platform limit."""


class Text(NamedTuple):
    text: str


class Pause(NamedTuple):
    ms: int


class Timed(NamedTuple):
    """A timed stretch of speech (a hold or a counted set) with a short label for text displays."""

    label: str
    parts: tuple[Union[Text, Pause], ...]


Part = Union[Text, Pause, Timed]


@dataclass
class Speech:
    parts: list[Part] = field(default_factory=list)

    def add(self, *parts: Part) -> "Speech":
        self.parts.extend(parts)
        return self

    def say(self, *texts: str) -> "Speech":
        self.parts.extend(Text(t) for t in texts if t)
        return self

    def flat(self) -> Iterator[Union[Text, Pause]]:
        for part in self.parts:
            if isinstance(part, Timed):
                yield from part.parts
            else:
                yield part

    def ssml(self) -> str:
        """Render as ``<speak>`` SSML, checking every platform limit."""
        out: list[str] = []
        previous_was_pause = True  # a leading break carries no meaning; refuse it too
        for part in self.flat():
            if isinstance(part, Pause):
                if not 0 < part.ms <= MAX_BREAK_MS:
                    raise SpeechLimitError(f"break of {part.ms} ms is outside 1..{MAX_BREAK_MS}")
                if previous_was_pause:
                    raise SpeechLimitError("two breaks side by side, or a break first")
                out.append(f'<break time="{part.ms}ms"/>')
                previous_was_pause = True
            else:
                text = part.text.strip()
                if not text:
                    continue
                if out and not out[-1].endswith("/>"):
                    out.append(" ")
                # html.escape: xml.sax would pull in urllib at import. Characters XML does not allow
                # at all (from a slot value said back) become spaces.
                out.append(escape(_NOT_XML.sub(" ", text), quote=False))
                previous_was_pause = False
        ssml = "<speak>" + "".join(out) + "</speak>"
        if len(ssml) >= MAX_SSML_CHARS:
            raise SpeechLimitError(f"speech is {len(ssml)} characters; the limit is {MAX_SSML_CHARS}")
        return ssml

    @classmethod
    def parse(cls, ssml: str) -> "Speech":
        """Speech from SSML of the one shape ``ssml`` writes (text and breaks only, already checked by
        the caller), so that it can be said again.

        >>> said = Speech([Text("Hold & breathe."), Pause(2500), Text("Done.")]).ssml()
        >>> Speech.parse(said).ssml() == said
        True
        """
        body = ssml.removeprefix("<speak>").removesuffix("</speak>")
        speech = cls()
        for index, piece in enumerate(re.split(r'<break time="(\d+)ms"/>', body)):
            if index % 2:
                speech.add(Pause(int(piece)))
            elif piece:
                speech.add(Text(unescape(piece)))
        return speech

    def plain(self) -> str:
        """Readable text for the chat and logs: holds shown as ``[hold 20 s: 10… 5, 4, 3, 2, 1]``."""
        words: list[str] = []
        for part in self.parts:
            if isinstance(part, Text):
                words.append(part.text.strip())
            elif isinstance(part, Timed):
                words.append(f"[{part.label}]")
            elif part.ms >= 2000:
                words.append("…")
        return " ".join(w for w in words if w)

    def break_ms(self) -> int:
        """Total silence in this speech, in milliseconds."""
        return sum(p.ms for p in self.flat() if isinstance(p, Pause))
