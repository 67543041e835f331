"""Reading custom slots through entity resolution.

Alexa sends any word for a custom slot; ``ER_SUCCESS_MATCH`` means it resolved to
one of our ids, ``ER_SUCCESS_NO_MATCH`` means the user said something outside the
model (for example "pizza").
"""

from __future__ import annotations

from typing import NamedTuple

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import get_slot
from ask_sdk_model import Slot
from ask_sdk_model.slu.entityresolution import StatusCode

from skill.flows.spoken_names import Heard, Resolution


class SlotValue(NamedTuple):
    heard: str | None  # what the user said, or None when the slot is empty
    resolved_id: str | None  # the matching id, or None

    @property
    def empty(self) -> bool:
        return not self.heard


def heard_slot(handler_input: HandlerInput, name: str) -> Heard:
    """The request's slot ``name`` without ASK types (see :func:`heard`)."""
    try:
        return heard(get_slot(handler_input, name))
    except (TypeError, AttributeError):
        return Heard(None)


def resolve(handler_input: HandlerInput, name: str, known_ids: set[str] | dict) -> SlotValue:
    """The slot's spoken value and, when entity resolution matched one of ``known_ids``, its id."""
    slot = heard_slot(handler_input, name)
    if not slot.value:
        return SlotValue(None, None)
    if slot.resolution is Resolution.MATCHED:
        return SlotValue(slot.value, next((value_id for value_id in slot.ids if value_id in known_ids), None))
    if slot.resolution is Resolution.NOT_MATCHED:
        return SlotValue(slot.value, None)
    # No resolutions (some test tools send none) or a resolver failure: accept a spoken id.
    normalised = slot.value.strip().lower().replace(" ", "_")
    return SlotValue(slot.value, normalised if normalised in known_ids else None)


def slot_text(handler_input: HandlerInput, name: str) -> str | None:
    """A built-in slot's value as Alexa sent it ("30", "PT1M"), or None when empty."""
    return resolve(handler_input, name, set()).heard


def heard(slot: Slot | None) -> Heard:
    """``slot`` without ASK types: its value and what entity resolution made of it.

    Any authority that matched gives its ids. An authority that answered but gave no usable id (no
    match, or a match listing a null value) means the value is not in the model. No authorities, or
    only resolver errors (``ER_ERROR_TIMEOUT``...), leave it to the skill's own tables.
    """
    if slot is None or not slot.value:
        return Heard(None)
    authorities = getattr(slot.resolutions, "resolutions_per_authority", None) or []
    statuses = [getattr(getattr(authority, "status", None), "code", None) for authority in authorities]
    ids = tuple(
        candidate.value.id
        for authority, status in zip(authorities, statuses)
        if status == StatusCode.ER_SUCCESS_MATCH
        for candidate in authority.values or []
        if candidate is not None and candidate.value is not None and candidate.value.id
    )
    if ids:
        return Heard(slot.value, Resolution.MATCHED, ids)
    if any(status in (StatusCode.ER_SUCCESS_MATCH, StatusCode.ER_SUCCESS_NO_MATCH) for status in statuses):
        return Heard(slot.value, Resolution.NOT_MATCHED)
    return Heard(slot.value)
