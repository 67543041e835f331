"""Per-locale wording. Every sentence the skill says (but catalogue content) lives in
``locales/<locale>.json``; code refers to it by key.

A value is a template string or a list of variants (``say(key, variant=n)``
picks one deterministically, so tests and "repeat" stay stable).

A number that counts something says its noun with it, one rule for every sentence:
``{count:stretch|stretches}`` is "1 stretch" or "3 stretches".

Example:
    >>> phrases_for("en-US").say("seconds_left", seconds=20)
    '20 seconds left.'
"""

from __future__ import annotations

import json
import string
from functools import lru_cache
from importlib import resources
from typing import Any, NamedTuple

DEFAULT_LOCALE = "en-US"


class _Counting(string.Formatter):
    """Formats ``{n:singular|plural}`` as the number and the noun that agrees with it.

    >>> _Counting().format("{n:day|days} in a row", n=1), _Counting().format("{n:day|days}", n=2)
    ('1 day in a row', '2 days')
    """

    def format_field(self, value: Any, format_spec: str) -> str:
        if "|" in format_spec:
            one, many = format_spec.split("|", 1)
            return f"{value} {one if str(value) == '1' else many}"
        return str(super().format_field(value, format_spec))


_FORMATTER = _Counting()


def fill(template: str, **values: Any) -> str:
    """``template`` with ``values`` put in, counted nouns agreeing with their numbers."""
    return _FORMATTER.format(template, **values)


class Phrases(NamedTuple):
    locale: str
    table: dict[str, Any]

    def say(self, key: str, variant: int = 0, **values: Any) -> str:
        """The template for ``key`` filled with ``values``; a missing key is a bug and raises."""
        template = self.table[key]
        if isinstance(template, list):
            template = template[variant % len(template)]
        return fill(template, **values)

    def variants(self, key: str) -> int:
        value = self.table[key]
        return len(value) if isinstance(value, list) else 1

    def join(self, words: list[str]) -> str:
        """``a``, ``a and b``, ``a, b and c`` with the locale's word for "and"."""
        if len(words) <= 1:
            return "".join(words)
        return self.say("list_join", head=", ".join(words[:-1]), last=words[-1])


@lru_cache(maxsize=1)
def available_locales() -> tuple[str, ...]:
    folder = resources.files("skill.speech").joinpath("locales")
    return tuple(sorted(p.name.removesuffix(".json") for p in folder.iterdir() if p.name.endswith(".json")))


def phrases_for(locale: str | None) -> Phrases:
    """The wording for ``locale``, or for ``DEFAULT_LOCALE`` when that locale has no file.

    Requests name any locale they like; only the locales that have a file are cached, so the
    cache cannot grow with made-up ones.
    """
    return _load(locale if locale in available_locales() else DEFAULT_LOCALE)


@lru_cache(maxsize=None)  # bounded: one entry per file in locales/
def _load(locale: str) -> Phrases:
    path = resources.files("skill.speech").joinpath("locales", f"{locale}.json")
    return Phrases(locale, json.loads(path.read_text(encoding="utf-8")))
