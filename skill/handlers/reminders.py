"""The daily reminder: set, list, cancel, and Alexa's answer to the permission question.

Thin on purpose, and light to import: the flow (``skill.flows.reminders``) and the API client
(``skill.reminders_api``, which loads ``urllib`` and ``http.client``) are imported inside each entry,
so building the skill and every other request never load them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ask_sdk_core.handler_input import HandlerInput

from skill.flows import settings
from skill.flows.turn import Pending, Turn
from skill.handlers.responder import Operation, Outcome, Silent
from skill.handlers.slots import slot_text

if TYPE_CHECKING:
    from skill.flows.reminders import Access
    from skill.flows.reminders import Outcome as Asked

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


def _answer(outcome: "Asked") -> Outcome:
    """The flow's reply, or Alexa's permission question (``Connections.SendRequest`` AskFor) with the wanted time as token."""
    if outcome.ask_permission_for is None:
        assert outcome.reply is not None
        return outcome.reply
    from ask_sdk_model.interfaces.connections import SendRequestDirective

    from skill.flows.reminders import REMINDERS_SCOPE, permission_token

    payload: dict[str, Any] = {
        "@type": "AskForPermissionsConsentRequest",
        "@version": "2",
        "permissionScopes": [{"permissionScope": REMINDERS_SCOPE, "consentLevel": "ACCOUNT"}],
    }
    directive = SendRequestDirective(name=ASK_FOR, payload=payload, token=permission_token(outcome.ask_permission_for))
    # Alexa asks the question itself: the response carries no speech and leaves the session to Alexa
    # (the routine's place is stored first, like every response's).
    return Silent(directive)


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


def _set(handler_input: HandlerInput, turn: Turn, said: str | None) -> Outcome:
    from skill.flows import reminders

    return _answer(reminders.set_reminder(turn, _access(handler_input), said))


def _set_reminder(handler_input: HandlerInput, turn: Turn) -> Outcome:
    """ "remind me to stretch every day at seven"."""
    return _set(handler_input, turn, slot_text(handler_input, "time"))


def _time_as_number(handler_input: HandlerInput, turn: Turn) -> Outcome:
    """ "seven" heard as a time, while the skill asked "how many?": it is the number."""
    said = slot_text(handler_input, "time")
    hour = _whole_hour(said)
    return settings.answer_number(turn, hour) if hour is not None else _set(handler_input, turn, said)


def _number_as_time(handler_input: HandlerInput, turn: Turn) -> Outcome:
    """ "seven" after "what time each day?" is the time; a number that is no hour is said back as not understood."""
    number = slot_text(handler_input, "number")
    return _set(handler_input, turn, _hour(number) or number)


def _agreed(handler_input: HandlerInput, turn: Turn) -> Outcome:
    """Yes to "a reminder every day at 7 p.m.: shall I set it?"."""
    from skill.flows import reminders

    return _answer(reminders.agreed(turn, _access(handler_input)))


def _list(handler_input: HandlerInput, turn: Turn) -> Outcome:
    from skill.flows import reminders

    return reminders.list_reminders(turn, _access(handler_input))


def _cancel(handler_input: HandlerInput, turn: Turn) -> Outcome:
    from skill.flows import reminders

    return reminders.cancel_reminders(turn, _access(handler_input))


def _permission_answered(handler_input: HandlerInput, turn: Turn) -> Outcome:
    """``Connections.Response`` to AskFor: ACCEPTED sets the reminder the token names; otherwise a sentence."""
    from skill.flows import reminders

    request = handler_input.request_envelope.request
    if getattr(request, "name", None) != ASK_FOR:
        return Silent()
    payload = getattr(request, "payload", None)
    consent = payload.get("status") if isinstance(payload, dict) else None
    token = getattr(request, "token", None)
    # A status other than 200: Alexa could not ask by voice on this device (the card asks in the Alexa app).
    code = getattr(getattr(request, "status", None), "code", None)
    return _answer(reminders.permission_answered(
        turn, _access(handler_input), consent if isinstance(consent, str) else None, token if isinstance(token, str) else None,
        asked_by_voice=str(code) == "200",
    ))


OPERATIONS: dict[str, Operation] = {
    "SetReminderIntent": _set_reminder,
    "ListRemindersIntent": _list,
    "CancelReminderIntent": _cancel,
}
REQUESTS: dict[str, Operation] = {"Connections.Response": _permission_answered}
# Answers in words of their own, by the question they answer.
ANSWERS: dict[tuple[Pending, str], Operation] = {
    (Pending.REMINDER_TIME, "NumberIntent"): _number_as_time,
    (Pending.REMINDER_CONSENT, "AMAZON.YesIntent"): _agreed,
    (Pending.HOLD_SECONDS, "SetReminderIntent"): _time_as_number,
    (Pending.REPS, "SetReminderIntent"): _time_as_number,
}
