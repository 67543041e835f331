"""The slice of Alexa's Reminders API the skill uses: create a daily reminder, list and delete its own.

The API lives at the request's ``context.System.apiEndpoint`` and takes the request's
``apiAccessToken`` as a bearer token. This client uses the standard library only (no ``requests``,
which the Lambda artifact does not ship), answers within ``TIMEOUT_SECONDS`` per call, and turns
every failure into one ``Failure`` the flow can say in a sentence. It is imported only on the
reminder path (``skill.flows.reminders``): an ordinary request never loads ``urllib`` or
``http.client`` for it.

Example:
    >>> body = daily_reminder(7, 30, "en-US", "Time to stretch.", dt.datetime(2026, 11, 29, 20, 5, 1))
    >>> body["trigger"]["scheduledTime"], body["trigger"]["recurrence"]["recurrenceRules"]
    ('2026-11-30T07:30:00.000', ['FREQ=DAILY;BYHOUR=7;BYMINUTE=30;BYSECOND=0'])
"""

from __future__ import annotations

import datetime as dt
import json
import re
import socket
import urllib.error
import urllib.parse
import urllib.request
from enum import Enum
from typing import Any, NamedTuple

TIMEOUT_SECONDS = 3.0  # Alexa waits about 8 s for the whole reply; the store has its own 6 s budget
PATH = "/v1/alerts/reminders"
# The API's error code when the user already has as many reminders as Alexa allows.
LIMIT_CODE = "MAX_REMINDERS_EXCEEDED"
_RULE_TIME = re.compile(r"BYHOUR=(\d{1,2});BYMINUTE=(\d{1,2})")
_SCHEDULED_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T(\d{2}):(\d{2})")


class Failure(str, Enum):
    """Why a call to the Reminders API did not work, one spoken sentence each."""

    NO_PERMISSION = "no_permission"  # 401/403: the user has not granted the reminders scope (or withdrew it)
    LIMIT = "limit"  # the user has as many reminders as Alexa allows
    BUSY = "busy"  # 429: throttled
    UNAVAILABLE = "unavailable"  # 5xx, an answer that is not the documented JSON, or no connection
    TIMEOUT = "timeout"  # no answer within TIMEOUT_SECONDS
    REFUSED = "refused"  # any other 4xx: the API did not accept the request


class RemindersError(Exception):
    """A call to the Reminders API failed; ``failure`` says how, ``status`` is the HTTP status if one came."""

    def __init__(self, failure: Failure, detail: str = "", status: int | None = None) -> None:
        super().__init__(f"{failure.value}: {detail}" if detail else failure.value)
        self.failure = failure
        self.status = status


class Reminder(NamedTuple):
    """One of the skill's reminders: its token (for deleting it) and its time of day, when readable."""

    alert_token: str
    time: tuple[int, int] | None


def _stamp(moment: dt.datetime) -> str:
    """The API's local date-time format: no zone, milliseconds."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}"


def daily_reminder(hour: int, minute: int, locale: str, text: str, now: dt.datetime, zone: str | None = None) -> dict[str, Any]:
    """The body of a reminder that goes off every day at ``hour:minute`` in time zone ``zone``.

    ``now`` is the wall-clock time in that zone. The first reminder is on that local day when the
    time is still to come there (18:30 in Los Angeles, asked for 19:00: this evening), else the next
    day. ``timeZoneId`` is sent when the zone is known, as the API advises; without it Alexa uses the
    device's own.

    >>> evening = daily_reminder(19, 0, "en-US", "Stretch.", dt.datetime(2026, 12, 7, 18, 30), "America/Los_Angeles")
    >>> evening["trigger"]["scheduledTime"], evening["trigger"]["timeZoneId"]
    ('2026-12-07T19:00:00.000', 'America/Los_Angeles')
    >>> daily_reminder(7, 0, "en-US", "Stretch.", dt.datetime(2026, 12, 31, 9, 0))["trigger"]["scheduledTime"]
    '2027-01-01T07:00:00.000'
    """
    start = now.replace(hour=hour, minute=minute, second=0, microsecond=0)
    if start <= now:
        start += dt.timedelta(days=1)
    trigger: dict[str, Any] = {
        "type": "SCHEDULED_ABSOLUTE",
        "scheduledTime": _stamp(start),
        "recurrence": {
            "startDateTime": _stamp(start),
            "recurrenceRules": [f"FREQ=DAILY;BYHOUR={hour};BYMINUTE={minute};BYSECOND=0"],
        },
    }
    if zone is not None:
        trigger["timeZoneId"] = zone
    return {
        "requestTime": _stamp(now),
        "trigger": trigger,
        "alertInfo": {"spokenInfo": {"content": [{"locale": locale, "text": text}]}},
        "pushNotification": {"status": "ENABLED"},
    }


def reminder_time(alert: dict[str, Any]) -> tuple[int, int] | None:
    """A listed reminder's time of day, from its scheduled time or else its recurrence rule.

    >>> reminder_time({"trigger": {"scheduledTime": "2026-11-30T18:45:00.000"}})
    (18, 45)
    >>> reminder_time({"trigger": {"recurrence": {"recurrenceRules": ["FREQ=DAILY;BYHOUR=7;BYMINUTE=0"]}}})
    (7, 0)
    """
    trigger = alert.get("trigger")
    if not isinstance(trigger, dict):
        return None
    scheduled = _SCHEDULED_TIME.match(str(trigger.get("scheduledTime") or ""))
    if scheduled:
        found: tuple[str, str] = (scheduled[1], scheduled[2])
    else:
        recurrence = trigger.get("recurrence")
        rules = recurrence.get("recurrenceRules") if isinstance(recurrence, dict) else None
        rule = next((_RULE_TIME.search(r) for r in rules or [] if isinstance(r, str) and _RULE_TIME.search(r)), None)
        if rule is None:
            return None
        found = (rule[1], rule[2])
    hour, minute = int(found[0]), int(found[1])
    return (hour, minute) if hour < 24 and minute < 60 else None


class RemindersClient:
    """Calls the Reminders API at ``endpoint`` for one request's user."""

    def __init__(self, endpoint: str, access_token: str, timeout: float = TIMEOUT_SECONDS) -> None:
        self.endpoint = endpoint.rstrip("/")
        self.access_token = access_token
        self.timeout = timeout

    def create(self, body: dict[str, Any]) -> str:
        """Create a reminder; its alert token."""
        answer = self._call("POST", PATH, body)
        token = answer.get("alertToken") if isinstance(answer, dict) else None
        if not isinstance(token, str) or not token:
            raise RemindersError(Failure.UNAVAILABLE, "no alertToken in the answer")
        return token

    def active(self) -> list[Reminder]:
        """The skill's reminders for this user that are on (the API lists only the calling skill's)."""
        answer = self._call("GET", PATH)
        alerts = answer.get("alerts") if isinstance(answer, dict) else None
        if not isinstance(alerts, list):
            raise RemindersError(Failure.UNAVAILABLE, "no alerts list in the answer")
        return [
            Reminder(alert["alertToken"], reminder_time(alert))
            for alert in alerts
            if isinstance(alert, dict) and alert.get("status") == "ON" and isinstance(alert.get("alertToken"), str)
        ]

    def delete(self, alert_token: str) -> None:
        """Delete one reminder; one that is already gone counts as deleted."""
        try:
            self._call("DELETE", f"{PATH}/{urllib.parse.quote(alert_token, safe='')}")
        except RemindersError as error:
            if error.status != 404:
                raise

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.endpoint + path, data=data, method=method)
        request.add_header("Authorization", f"Bearer {self.access_token}")
        request.add_header("Accept", "application/json")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        # No proxy from the environment: the API is called directly, and a loopback stand-in stays on loopback.
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            with opener.open(request, timeout=self.timeout) as response:
                raw = response.read()
        except urllib.error.HTTPError as error:
            raise _http_failure(error.code, error.read()) from error
        except (TimeoutError, socket.timeout) as error:
            raise RemindersError(Failure.TIMEOUT, str(error)) from error
        except urllib.error.URLError as error:
            if isinstance(error.reason, (TimeoutError, socket.timeout)):
                raise RemindersError(Failure.TIMEOUT, str(error.reason)) from error
            raise RemindersError(Failure.UNAVAILABLE, str(error.reason)) from error
        except OSError as error:  # a connection reset half-way through the answer
            raise RemindersError(Failure.UNAVAILABLE, str(error)) from error
        if not raw.strip():
            return {}
        try:
            return json.loads(raw)
        except ValueError as error:
            raise RemindersError(Failure.UNAVAILABLE, "the answer is not JSON") from error


def _http_failure(status: int, raw: bytes) -> RemindersError:
    """The failure an HTTP error status (and the API's error ``code``) stands for."""
    try:
        code = json.loads(raw).get("code")
    except (ValueError, AttributeError):
        code = None
    if code == LIMIT_CODE:
        failure = Failure.LIMIT
    elif status in (401, 403):
        failure = Failure.NO_PERMISSION
    elif status == 429:
        failure = Failure.BUSY
    elif status >= 500:
        failure = Failure.UNAVAILABLE
    else:
        failure = Failure.REFUSED
    return RemindersError(failure, str(code or ""), status)
