"""A daily reminder to stretch: set one, say which are set, cancel them; and ask for the permission.

Amazon's guidelines want the user's consent to each reminder: a time heard is said back with its
recurrence ("A reminder every day at 7 p.m. ... Shall I set it?") and nothing is created before a
yes (``agreed``). Alexa's reminders also need the scope ``alexa::alerts:reminders:skill:readwrite``.
Without it (no consent token in the request, or the API answering 401/403) the yes asks for it by
voice: the handler sends Alexa's ``AskFor`` request with the wanted time in its token, and Alexa's
answer comes back with that token as it was, so the reminder can be created on ACCEPTED even when the
answer arrives in a new session (a routine that was playing is taken up again where it stopped). The
reminder starts on the user's local day and names the device's time zone (``Turn.local_zone``).
Every failure of the API is one spoken sentence and loses nothing the skill stores (the device's
time zone, asked on the way, may be kept). This module is imported only when a reminder is asked about.

Nothing here knows ASK: the handler passes an ``Access`` (the API client, if the request allows
one, and whether consent was given) and turns ``Outcome.ask_permission_for`` into the directive.
"""

from __future__ import annotations

import logging
import re
from enum import Enum
from typing import Callable, NamedTuple, Protocol, Sequence

from skill.flows.progress import saved_routine
from skill.flows.questions import ask_reminder_consent, ask_reminder_time, consent_time, spoken_time
from skill.flows.settings import confirm
from skill.flows.steer import pause_here
from skill.flows.describe import not_understood
from skill.flows.turn import Pending, Turn
from skill.profile import local_time
from skill.reminders_api import Failure, Reminder, RemindersError, daily_reminder
from skill.speech import Card, Reply
from skill.spoken_numbers import clock_time, part_of_day

logger = logging.getLogger(__name__)

REMINDERS_SCOPE = "alexa::alerts:reminders:skill:readwrite"
# The AskFor token carries the wanted time: "daily-reminder@07:30".
TOKEN_PREFIX = "daily-reminder@"
_TOKEN = re.compile(r"^daily-reminder@(\d{2}:\d{2})$")

FAILURE_KEYS: dict[Failure, str] = {
    Failure.NO_PERMISSION: "reminder_permission_denied",
    Failure.LIMIT: "reminder_limit",
    Failure.BUSY: "reminder_busy",
    Failure.UNAVAILABLE: "reminder_unavailable",
    Failure.TIMEOUT: "reminder_timeout",
    Failure.REFUSED: "reminder_refused",
}


class RemindersApi(Protocol):
    """What the flows need from the Reminders API (``skill.reminders_api.RemindersClient``)."""

    def create(self, body: dict) -> str: ...

    def active(self) -> list[Reminder]: ...

    def delete(self, alert_token: str) -> None: ...


class Access(NamedTuple):
    """The request's way to the Reminders API."""

    api: RemindersApi | None  # None: the request carries no API endpoint or access token
    consented: bool  # the user has granted the reminders scope (the request carries a consent token)


class Outcome(NamedTuple):
    """A reply, or (``ask_permission_for`` set) Alexa's permission question, then a reminder at that time."""

    reply: Reply | None
    ask_permission_for: tuple[int, int] | None = None


class Consent(str, Enum):
    """The user's answer to Alexa's permission question (``Connections.Response`` payload status)."""

    ACCEPTED = "ACCEPTED"
    DENIED = "DENIED"
    NOT_ANSWERED = "NOT_ANSWERED"


def permission_token(time: tuple[int, int]) -> str:
    """The AskFor token for a reminder at ``time``.

    >>> permission_token((7, 5))
    'daily-reminder@07:05'
    """
    return f"{TOKEN_PREFIX}{time[0]:02d}:{time[1]:02d}"


def time_from_token(token: str | None) -> tuple[int, int] | None:
    """The time an AskFor token carries; anything else (the token comes back from the client) is None.

    >>> time_from_token("daily-reminder@19:30"), time_from_token("daily-reminder@25:00"), time_from_token(None)
    ((19, 30), None, None)
    """
    found = _TOKEN.match(token or "")
    return clock_time(found[1]) if found else None


def _failed(turn: Turn, error: RemindersError) -> Reply:
    logger.warning("reminders API call failed: %s", error)
    return confirm(turn, turn.say(FAILURE_KEYS[error.failure]))


def _ask_permission(turn: Turn, time: tuple[int, int]) -> Outcome:
    pause_here(turn)  # the routine's place is kept (stored by the handler) while Alexa asks
    return Outcome(None, time)


def set_reminder(turn: Turn, access: Access, said: str | None) -> Outcome:
    """ "remind me to stretch every day at seven": a daily reminder, after asking for a time or consent if needed."""
    time = clock_time(said)
    if time is None and said and not part_of_day(said) and not turn.was_asked(Pending.REMINDER_TIME):
        # Alexa sends AMAZON.TIME as a time or a part of the day; other words come from test tools that
        # fill the bare "{time}" sample with anything, and mean the user was not understood.
        return Outcome(not_understood(turn))
    if time is None:
        return Outcome(ask_reminder_time(turn, *([turn.say("reminder_time_unclear")] if said else [])))
    # Amazon's guidelines: the user's consent to each reminder, its time and recurrence said, before it is set.
    return Outcome(ask_reminder_consent(turn, time))


def agreed(turn: Turn, access: Access) -> Outcome:
    """Yes to "a reminder every day at 7 p.m.: shall I set it?": set it, asking Alexa for the permission first if needed."""
    time = consent_time(turn)
    if time is None:
        return Outcome(ask_reminder_time(turn))
    if access.api is None or not access.consented:
        return _ask_permission(turn, time)
    return _create(turn, access.api, time, may_ask=True)


def permission_answered(turn: Turn, access: Access, consent: str | None, token: str | None, asked_by_voice: bool = True) -> Outcome:
    """Alexa's answer to the permission question: on ACCEPTED, set the reminder the user said yes to.

    A routine that was playing when the question was asked is where it stopped: the reply says how to
    carry on and keeps listening. A device that could not ask by voice (``asked_by_voice`` False) gets
    the permission card in the Alexa app instead."""
    if turn.routine is None:
        waiting = saved_routine(turn)
        if waiting is not None:
            turn.take_up(waiting)  # paused at its place: the reply says how to carry on, and "continue" plays on
    time = time_from_token(token)
    if not asked_by_voice:
        reply = confirm(turn, turn.say("reminder_permission_card"))
        reply.card = Card("", "", ask_for=REMINDERS_SCOPE)  # Alexa writes this card's words itself
        return Outcome(reply)
    if consent == Consent.ACCEPTED.value and time is not None and access.api is not None:
        return _create(turn, access.api, time, may_ask=False)
    if consent == Consent.ACCEPTED.value:  # consent, but the time or the API went missing on the way
        return Outcome(ask_reminder_time(turn))
    if consent == Consent.DENIED.value:
        return Outcome(confirm(turn, turn.say("reminder_permission_denied")))
    return Outcome(confirm(turn, turn.say("reminder_permission_not_answered")))


def _create(turn: Turn, api: RemindersApi, time: tuple[int, int], may_ask: bool) -> Outcome:
    zone = turn.local_zone()  # the device's own (None: not known; Alexa then uses the device's, and the day is a guess)
    now = local_time((turn.at_ms or turn.now_ms()) / 1000, zone)
    body = daily_reminder(time[0], time[1], turn.phrases.locale, turn.say("reminder_spoken"), now, zone)
    try:
        api.create(body)
    except RemindersError as error:
        if error.failure is Failure.NO_PERMISSION and may_ask:  # consent withdrawn since: ask again
            return _ask_permission(turn, time)
        return Outcome(_failed(turn, error))
    return Outcome(confirm(turn, turn.say("reminder_set", time=spoken_time(turn, time)), turn.say("reminder_how_to_cancel")))


def _on_reminders(turn: Turn, access: Access, work: Callable[[RemindersApi], Reply]) -> Reply:
    """``work`` with the API, or the sentence for no permission or for the API's failure."""
    if access.api is None or not access.consented:
        return confirm(turn, turn.say("reminder_no_permission"))
    try:
        return work(access.api)
    except RemindersError as error:
        if error.failure is Failure.NO_PERMISSION:
            return confirm(turn, turn.say("reminder_no_permission"))
        return _failed(turn, error)


def list_reminders(turn: Turn, access: Access) -> Reply:
    """ "what reminders do I have": the skill's daily reminders that are on, by time."""
    return _on_reminders(turn, access, lambda api: _say_list(turn, api.active()))


def _say_list(turn: Turn, reminders: Sequence[Reminder]) -> Reply:
    # Only this skill's reminders are listed; one whose time cannot be read (none this skill sets) is left out.
    times = sorted(r.time for r in reminders if r.time is not None)
    if not times:
        return confirm(turn, turn.say("reminder_none"))
    if len(times) == 1:
        return confirm(turn, _sentence(turn.say("reminder_list_one", time=spoken_time(turn, times[0]))), turn.say("reminder_how_to_cancel"))
    spoken = turn.phrases.join([spoken_time(turn, t) for t in times])
    return confirm(turn, _sentence(turn.say("reminder_list_many", count=len(times), times=spoken)), turn.say("reminder_how_to_cancel_many"))


def _sentence(text: str) -> str:
    """A sentence that ends on a time ends once: "at 7 p.m.", never "at 7 p.m..".

    >>> _sentence("at 7 p.m."), _sentence("at noon")
    ('at 7 p.m.', 'at noon.')
    """
    return text if text.endswith((".", "?", "!")) else text + "."


def cancel_reminders(turn: Turn, access: Access) -> Reply:
    """ "cancel my stretching reminder": delete every reminder of the skill that is on."""
    return _on_reminders(turn, access, lambda api: _cancel_all(turn, api))


def _cancel_all(turn: Turn, api: RemindersApi) -> Reply:
    reminders = api.active()
    for reminder in reminders:
        api.delete(reminder.alert_token)
    if not reminders:
        return confirm(turn, turn.say("reminder_none_to_cancel"))
    if len(reminders) == 1 and reminders[0].time is not None:
        return confirm(turn, turn.say("reminder_cancelled_one", time=spoken_time(turn, reminders[0].time)))
    return confirm(turn, turn.say("reminder_cancelled_many", count=len(reminders)))
