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

A slot is identified as starting a routine or asking about a stretch identifies it
(``skill.flows.spoken_names``), so a YES is kept.

Example:
    >>> from skill.catalogue import load_catalogue
    >>> from skill.flows.spoken_names import Heard, Resolution, SpokenNames
    >>> names = SpokenNames(load_catalogue())
    >>> answer("StartRoutineIntent", {"routine": Heard("The Morning Stretches")}, names, "en-US").fulfil
    <Answer.YES: 'YES'>
    >>> answer("StartRoutineIntent", {"routine": Heard("yoga flow", Resolution.NOT_MATCHED)}, names, "en-US")
    Verdict(fulfil=<Answer.NO: 'NO'>, slots={'routine': SlotAnswer(understand=<Answer.NO: 'NO'>, fulfil=<Answer.NO: 'NO'>)})
    >>> answer("AMAZON.PauseIntent", {}, names, "en-US")
    Verdict(fulfil=<Answer.NO: 'NO'>, slots={})
"""

from __future__ import annotations

from enum import Enum
from typing import Mapping, NamedTuple

from skill.flows.spoken_names import ROUTINE_TYPE, STRETCH_TYPE, Heard, SpokenNames


class Answer(str, Enum):
    """The skill's answers. Alexa also knows MAYBE, which this skill never gives (see the module's notes)."""

    YES = "YES"
    NO = "NO"


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


ROUTINE_SLOT, STRETCH_SLOT = "routine", "stretch"
UNDERSTOOD = SlotAnswer(Answer.YES, Answer.YES)
NOT_UNDERSTOOD = SlotAnswer(Answer.NO, Answer.NO)

def _with_slot(slot_name: str, type_name: str, heard: Heard | None, names: SpokenNames, locale: str | None, empty: Answer) -> Verdict:
    """An intent that is fulfilled when its one slot names a catalogue entry; ``empty`` when it has no value."""
    if heard is None or not heard.value:
        return Verdict(empty, {})
    if names.identify(heard, type_name, locale) is None:
        return Verdict(Answer.NO, {slot_name: NOT_UNDERSTOOD})
    return Verdict(Answer.YES, {slot_name: UNDERSTOOD})


def answer(intent: str, slots: Mapping[str, Heard], names: SpokenNames, locale: str | None) -> Verdict:
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
