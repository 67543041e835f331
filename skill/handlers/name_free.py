"""Alexa's ``CanFulfillIntentRequest``: may a request said without the skill's name come here?

The decision is ``skill.flows.name_free.answer``; this handler only reads the request and writes the
``canFulfillIntent`` object. It speaks nothing and never touches the store or the session (the
interceptors build no turn for this request type), and the request may carry no user id.
"""

from __future__ import annotations

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_request_type
from ask_sdk_model import Response
from ask_sdk_model.canfulfill import (
    CanFulfillIntent,
    CanFulfillIntentValues,
    CanFulfillSlot,
    CanFulfillSlotValues,
    CanUnderstandSlotValues,
)

from skill.flows.name_free import Answer, Verdict, answer
from skill.flows.spoken_names import SpokenNames
from skill.handlers.slots import heard

REQUEST_TYPE = "CanFulfillIntentRequest"


def is_name_free(handler_input: HandlerInput) -> bool:
    """Whether this is Alexa asking before it routes a request that named no skill."""
    return is_request_type(REQUEST_TYPE)(handler_input)


def can_fulfill_intent(verdict: Verdict) -> CanFulfillIntent:
    """``verdict`` as ask-sdk-model's ``canFulfillIntent`` object."""
    slots = {
        name: CanFulfillSlot(
            can_understand=CanUnderstandSlotValues(slot.understand.value),
            can_fulfill=CanFulfillSlotValues(slot.fulfil.value),
        )
        for name, slot in verdict.slots.items()
    }
    return CanFulfillIntent(can_fulfill=CanFulfillIntentValues(verdict.fulfil.value), slots=slots or None)


def refuse(handler_input: HandlerInput) -> Response:
    """A plain NO: what to answer when deciding failed."""
    return handler_input.response_builder.set_can_fulfill_intent(can_fulfill_intent(Verdict(Answer.NO, {}))).response


class CanFulfillHandler(AbstractRequestHandler):
    """Answers YES or NO (never MAYBE) for the intent and for each slot that carries a value."""

    def __init__(self, names: SpokenNames) -> None:
        self.names = names

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_name_free(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        request = handler_input.request_envelope.request
        intent = getattr(request, "intent", None)
        if intent is None or not intent.name:
            return refuse(handler_input)
        slots = {name: heard(slot) for name, slot in (intent.slots or {}).items()}
        verdict = answer(intent.name, slots, self.names, getattr(request, "locale", None))
        return handler_input.response_builder.set_can_fulfill_intent(can_fulfill_intent(verdict)).response
