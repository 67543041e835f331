"""Every way of naming a routine or a stretch, and a slot as the request carried it.

A slot is identified through Alexa's entity resolution when the request carries it; otherwise (some
tools send none, and Alexa's resolver can fail) by the catalogue's names and synonyms and the
interaction model's slot values, matched case-, punctuation- and article-insensitively. Starting a
routine, asking about a stretch and the name-free answer all find names here, so a YES given to Alexa
is kept.

Example:
    >>> from skill.catalogue import load_catalogue
    >>> names = SpokenNames(load_catalogue())
    >>> names.identify(Heard("The Morning Stretches"), ROUTINE_TYPE, "en-US")
    'morning'
    >>> names.identify(Heard("yoga flow", Resolution.NOT_MATCHED), ROUTINE_TYPE, "en-US") is None
    True
"""

from __future__ import annotations

from enum import Enum
from typing import Any, Callable, Mapping, NamedTuple

from skill.catalogue import Catalogue
from skill.interaction_model import phrase_key, slot_values

ROUTINE_TYPE, STRETCH_TYPE = "ROUTINE", "STRETCH"


class Resolution(Enum):
    """What Alexa's entity resolution said about a slot's value."""

    MATCHED = "matched"  # it matched values of the slot type: ``Heard.ids``
    NOT_MATCHED = "not_matched"  # the value is none of the slot type's values or synonyms
    ABSENT = "absent"  # no resolutions, or the resolver failed: the skill's own tables decide


class Heard(NamedTuple):
    """One slot as the request carried it, free of ASK types."""

    value: str | None
    resolution: Resolution = Resolution.ABSENT
    ids: tuple[str, ...] = ()


ModelValues = Callable[[str | None, str], Mapping[str, str]]


def _catalogue_table(entries: Mapping[str, Any]) -> dict[str, str]:
    """``phrase_key -> id`` for every id (spoken with spaces), name and synonym of ``entries``."""
    table: dict[str, str] = {}
    for entry_id, entry in entries.items():
        for phrase in (entry_id.replace("_", " "), entry.name, *entry.synonyms):
            table.setdefault(phrase_key(phrase), entry_id)
    return table


class SpokenNames:
    """Every way of naming a routine or a stretch, built once per process.

    Both the catalogue's tables and the interaction model's slot values (once per locale, by
    ``model_values``) are made only when a request arrives without resolutions, so building the skill
    costs nothing here.
    """

    def __init__(self, catalogue: Catalogue, model_values: ModelValues = slot_values) -> None:
        self.catalogue = catalogue
        self.model_values = model_values
        self._tables: dict[str, dict[str, str]] = {}

    def _known(self, type_name: str) -> Mapping[str, Any]:
        return self.catalogue.routines if type_name == ROUTINE_TYPE else self.catalogue.stretches

    def _table(self, type_name: str) -> dict[str, str]:
        if type_name not in self._tables:
            self._tables[type_name] = _catalogue_table(self._known(type_name))
        return self._tables[type_name]

    def identify(self, heard: Heard, type_name: str, locale: str | None) -> str | None:
        """The catalogue id ``heard`` names (a routine for ``ROUTINE``, a stretch for ``STRETCH``), or None."""
        known = self._known(type_name)
        if heard.resolution is Resolution.MATCHED:
            return next((value_id for value_id in heard.ids if value_id in known), None)
        if heard.resolution is Resolution.NOT_MATCHED or not heard.value:
            return None
        key = phrase_key(heard.value)
        found = self._table(type_name).get(key) or self.model_values(locale, type_name).get(key)
        return found if found in known else None


