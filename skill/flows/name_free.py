"""Name-free requests: can the skill take "Alexa, start my morning back stretches" said without its name?

Before Alexa routes a request that names no skill, it asks candidate skills with a
``CanFulfillIntentRequest``. The answer must predict what the skill would really do with that intent,
and giving it must change nothing: no speech, no stored data, no session (the request may not even
carry a user id). This module only decides; ``skill.handlers.name_free`` turns the verdict into ASK
objects.

What the skill answers YES to, and why the rest is NO:

* ``StartRoutineIntent`` with a catalogue routine ("morning back stretches", any synonym, any case, with
  or without "the"/"my"), or with no routine at all (the user's own routine): the routine starts.
* ``ListRoutinesIntent``: it lists the routines.
* ``StretchInfoIntent`` naming a catalogue stretch: it says what that stretch helps with.
* Everything else is NO. A routine or stretch the skill does not know would only get "I don't know
  that one", so Alexa's own answer serves the user better. Steering (next, pause, "this hurts", full
  steps) refers to a routine that is playing, and a name-free request never has one; settings, your
  progress and deleting your data change or read stored data and should be asked of the skill by name.
  Built-ins (help, stop, yes) belong to whatever the user is doing, never to a skill they did not name.
* No MAYBE: for each of its intents the skill knows exactly what its handler would do, and routing a
  user who lies on the floor with their eyes closed into a reply that cannot help them is worse than
  letting Alexa answer.

A slot is identified through Alexa's entity resolution when the request carries it; otherwise (some
tools send none, and Alexa's resolver can fail) by the catalogue's names and synonyms and the
interaction model's slot values, matched case-, punctuation- and article-insensitively.

Example:
    >>> from skill.catalogue import load_catalogue
    >>> names = Names(load_catalogue())
    >>> answer("StartRoutineIntent", {"routine": Heard("The Morning Stretches")}, names, "en-US").fulfil
    <Answer.YES: 'YES'>
    >>> answer("StartRoutineIntent", {"routine": Heard("yoga flow", Resolution.NOT_MATCHED)}, names, "en-US")
    Verdict(fulfil=<Answer.NO: 'NO'>, slots={'routine': SlotAnswer(understand=<Answer.NO: 'NO'>, fulfil=<Answer.NO: 'NO'>)})
    >>> answer("AMAZON.PauseIntent", {}, names, "en-US")
    Verdict(fulfil=<Answer.NO: 'NO'>, slots={})
"""

from __future__ import annotations

from enum import Enum
from typing import Any, Callable, Mapping, NamedTuple

from skill.catalogue import Catalogue
from skill.interaction_model import phrase_key, slot_values


class Answer(str, Enum):
    """The skill's answers. Alexa also knows MAYBE, which this skill never gives (see the module's notes)."""

    YES = "YES"
    NO = "NO"


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


class SlotAnswer(NamedTuple):
    understand: Answer
    fulfil: Answer


class Verdict(NamedTuple):
    """The whole answer: the intent's, and one per slot that carried a value."""

    fulfil: Answer
    slots: dict[str, SlotAnswer]


class Intent(str, Enum):
    """The intents a name-free request can reach this skill with."""

    START_ROUTINE = "StartRoutineIntent"
    LIST_ROUTINES = "ListRoutinesIntent"
    STRETCH_INFO = "StretchInfoIntent"


ROUTINE_SLOT, ROUTINE_TYPE = "routine", "ROUTINE"
STRETCH_SLOT, STRETCH_TYPE = "stretch", "STRETCH"
UNDERSTOOD = SlotAnswer(Answer.YES, Answer.YES)
NOT_UNDERSTOOD = SlotAnswer(Answer.NO, Answer.NO)

ModelValues = Callable[[str | None, str], Mapping[str, str]]


def _catalogue_table(entries: Mapping[str, Any]) -> dict[str, str]:
    """``phrase_key -> id`` for every id (spoken with spaces), name and synonym of ``entries``."""
    table: dict[str, str] = {}
    for entry_id, entry in entries.items():
        for phrase in (entry_id.replace("_", " "), entry.name, *entry.synonyms):
            table.setdefault(phrase_key(phrase), entry_id)
    return table


class Names:
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


def _with_slot(slot_name: str, type_name: str, heard: Heard | None, names: Names, locale: str | None, empty: Answer) -> Verdict:
    """An intent that is fulfilled when its one slot names a catalogue entry; ``empty`` when it has no value."""
    if heard is None or not heard.value:
        return Verdict(empty, {})
    if names.identify(heard, type_name, locale) is None:
        return Verdict(Answer.NO, {slot_name: NOT_UNDERSTOOD})
    return Verdict(Answer.YES, {slot_name: UNDERSTOOD})


def answer(intent: str, slots: Mapping[str, Heard], names: Names, locale: str | None) -> Verdict:
    """Whether the skill would fulfil ``intent`` with ``slots`` if Alexa sent it (see the module's notes)."""
    if intent == Intent.START_ROUTINE:
        # No routine named: "start my back stretches" plays the user's own routine.
        return _with_slot(ROUTINE_SLOT, ROUTINE_TYPE, slots.get(ROUTINE_SLOT), names, locale, empty=Answer.YES)
    if intent == Intent.LIST_ROUTINES:
        return Verdict(Answer.YES, {})
    if intent == Intent.STRETCH_INFO:
        # No stretch named: "what does this stretch help with" means the one playing, and nothing plays.
        return _with_slot(STRETCH_SLOT, STRETCH_TYPE, slots.get(STRETCH_SLOT), names, locale, empty=Answer.NO)
    return Verdict(Answer.NO, {})
