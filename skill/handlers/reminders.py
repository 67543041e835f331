"""The daily reminder: set, list, cancel, and Alexa's answer to the permission question.

Thin on purpose, and light to import: the flow (``skill.flows.reminders``) and the API client
(``skill.reminders_api``, which loads ``urllib`` and ``http.client``) are imported inside ``handle``,
so building the skill and every other request never load them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_intent_name, is_request_type
from ask_sdk_model import Response

from skill.flows import settings
from skill.flows.turn import Pending
from skill.handlers.responder import respond, settle, turn_of
from skill.handlers.slots import slot_text

if TYPE_CHECKING:
    from skill.flows.reminders import Access, Outcome

REMINDERS_SCOPE = "alexa::alerts:reminders:skill:readwrite"
ASK_FOR = "AskFor"  # the name of Alexa's permission request and of its answer


def _access(handler_input: HandlerInput) -> "Access":
    """The Reminders API as this request allows it: endpoint, access token, and whether consent was given."""
    from skill.flows.reminders import Access
    from skill.reminders_api import RemindersClient

    system = getattr(handler_input.request_envelope.context, "system", None)
    permissions = getattr(getattr(system, "user", None), "permissions", None)
    consented = bool(getattr(permissions, "consent_token", None))
    endpoint, token = getattr(system, "api_endpoint", None), getattr(system, "api_access_token", None)
    api = RemindersClient(endpoint, token) if isinstance(endpoint, str) and endpoint and isinstance(token, str) and token else None
    return Access(api, consented)


def _answer(handler_input: HandlerInput, outcome: "Outcome") -> Response:
    """The flow's reply, or Alexa's permission question (``Connections.SendRequest`` AskFor) with the wanted time as token."""
    if outcome.ask_permission_for is None:
        assert outcome.reply is not None
        return respond(handler_input, outcome.reply)
    from ask_sdk_model.interfaces.connections import SendRequestDirective

    from skill.flows.reminders import permission_token

    settle(turn_of(handler_input))  # the routine's place is stored before Alexa takes over
    payload: dict[str, Any] = {
        "@type": "AskForPermissionsConsentRequest",
        "@version": "2",
        "permissionScopes": [{"permissionScope": REMINDERS_SCOPE, "consentLevel": "ACCOUNT"}],
    }
    directive = SendRequestDirective(name=ASK_FOR, payload=payload, token=permission_token(outcome.ask_permission_for))
    # Alexa asks the question itself: the response carries no speech and leaves the session to Alexa.
    return handler_input.response_builder.add_directive(directive).response


def _hour(number: str | None) -> str | None:
    """A bare number as the hour Alexa would send for it ("7" -> "07:00"); None for no hour.

    >>> _hour("7"), _hour("19"), _hour("45"), _hour(None)
    ('07:00', '19:00', None, None)
    """
    return f"{int(number):02d}:00" if number and number.isascii() and number.isdigit() and int(number) <= 23 else None


def _whole_hour(time: str | None) -> int | None:
    """The hour of a time on the hour, as Alexa sends a bare "seven" ("07:00" -> 7); else None.

    >>> _whole_hour("07:00"), _whole_hour("07:30"), _whole_hour("EV"), _whole_hour(None)
    (7, None, None, None)
    """
    if time and len(time) == 5 and time.endswith(":00") and time[:2].isascii() and time[:2].isdigit():
        return int(time[:2])
    return None


class SetReminderHandler(AbstractRequestHandler):
    """ "remind me to stretch every day at seven", or a bare time (or number) answering "what time each day?"."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        if is_intent_name("SetReminderIntent")(handler_input):
            return True
        # "seven" is a number as much as a time; after "what time each day?" it is the time.
        return is_intent_name("NumberIntent")(handler_input) and turn_of(handler_input).was_asked(Pending.REMINDER_TIME)

    def handle(self, handler_input: HandlerInput) -> Response:
        turn = turn_of(handler_input)
        if is_intent_name("SetReminderIntent")(handler_input):
            said = slot_text(handler_input, "time")
            hour = _whole_hour(said)
            if hour is not None and turn.was_asked(Pending.HOLD_SECONDS, Pending.REPS):
                # "seven" heard as a time, while the skill asked "how many?": it is the number.
                return respond(handler_input, settings.answer_number(turn, hour))
        else:
            number = slot_text(handler_input, "number")
            said = _hour(number) or number  # a number that is no hour is said back as not understood
        from skill.flows import reminders

        outcome = reminders.set_reminder(turn, _access(handler_input), said)
        return _answer(handler_input, outcome)


class ListRemindersHandler(AbstractRequestHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("ListRemindersIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        from skill.flows import reminders

        return respond(handler_input, reminders.list_reminders(turn_of(handler_input), _access(handler_input)))


class CancelReminderHandler(AbstractRequestHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("CancelReminderIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        from skill.flows import reminders

        return respond(handler_input, reminders.cancel_reminders(turn_of(handler_input), _access(handler_input)))


class PermissionAnswerHandler(AbstractRequestHandler):
    """``Connections.Response`` to AskFor: ACCEPTED sets the reminder the token names; otherwise a sentence."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        request = handler_input.request_envelope.request
        return is_request_type("Connections.Response")(handler_input) and getattr(request, "name", None) == ASK_FOR

    def handle(self, handler_input: HandlerInput) -> Response:
        from skill.flows import reminders

        request = handler_input.request_envelope.request
        payload = getattr(request, "payload", None)
        consent = payload.get("status") if isinstance(payload, dict) else None
        token = getattr(request, "token", None)
        outcome = reminders.permission_answered(
            turn_of(handler_input), _access(handler_input), consent if isinstance(consent, str) else None,
            token if isinstance(token, str) else None,
        )
        return _answer(handler_input, outcome)
