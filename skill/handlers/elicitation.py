"""Questions answered by a slot alone ask for it the Alexa way: ``Dialog.ElicitSlot``.

A slot alone as a sample ("{time}") would catch whatever else people say to the skill, so the model
keeps such samples under the slot (its elicitation samples, ``slot_samples`` in the grammar), and
Alexa consults them only while the skill elicits that slot. The question says it in its response.
"""

from __future__ import annotations

from typing import Final

from ask_sdk_model import Intent, IntentConfirmationStatus, Slot, SlotConfirmationStatus
from ask_sdk_model.dialog import ElicitSlotDirective

from skill.flows.turn import Pending

# The pending question -> the (intent, slot) whose own samples answer it.
ELICITED: Final[dict[Pending, tuple[str, str]]] = {
    Pending.REMINDER_TIME: ("SetReminderIntent", "time"),  # "what time each day?": "half past six"
    Pending.HOLD_SECONDS: ("NumberIntent", "number"),  # "how many seconds, from 10 to 90?": "twenty"
    Pending.REPS: ("NumberIntent", "number"),  # "how many repetitions?": "five"
    Pending.FEELING: ("FeelingIntent", "feeling"),  # "how does your back feel now?": "better"
    Pending.SORE_LEG: ("SoreLegIntent", "leg"),  # "which leg is sore?": "left"
}


def elicit_slot(pending: Pending | None) -> ElicitSlotDirective | None:
    """The directive that lets the slot's own samples answer ``pending``; None for other questions.

    >>> directive = elicit_slot(Pending.REMINDER_TIME)
    >>> directive.slot_to_elicit, directive.updated_intent.name
    ('time', 'SetReminderIntent')
    >>> elicit_slot(Pending.WARM_UP) is None and elicit_slot(None) is None
    True
    """
    target = ELICITED.get(pending) if pending is not None else None
    if target is None:
        return None
    intent, slot = target
    return ElicitSlotDirective(
        slot_to_elicit=slot,
        updated_intent=Intent(
            name=intent,
            confirmation_status=IntentConfirmationStatus.NONE,
            slots={slot: Slot(name=slot, confirmation_status=SlotConfirmationStatus.NONE)},
        ),
    )
