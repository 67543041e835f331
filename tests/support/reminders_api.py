"""A stand-in for Amazon's Alexa Reminders API and Settings API, on 127.0.0.1, for whole conversations in tests.

Both live at the request's ``apiEndpoint`` and take its ``apiAccessToken``. It is built from their
documented contracts (Amazon's Reminders API and Alexa Settings API references), nothing of the skill's code.
Settings: ``GET /v2/devices/{deviceId}/settings/System.timeZone`` answers the device's IANA zone as
a JSON string (``time_zones`` by device id, else ``time_zone``); a wrong token is 403; switches
``settings_fail_with`` (401, 403, 500 ...) and ``settings_delay``; every call is in ``settings_calls``.
Reminders, the slice the skill uses:
``POST /v1/alerts/reminders`` (a reminder body with ``requestTime``, a ``SCHEDULED_ABSOLUTE`` trigger
whose ``scheduledTime`` is a local date-time without a zone, ``alertInfo.spokenInfo.content`` and
``pushNotification``; answers ``alertToken`` and ``status`` ON), ``GET /v1/alerts/reminders``
(``totalCount`` and ``alerts``) and ``DELETE /v1/alerts/reminders/{alertToken}``. Every call needs
``Authorization: Bearer <token>`` with the token the server was given, else 401. Switches make it
answer like the real service on a bad day: ``fail_with`` (429, 500, 503 ...), ``delay`` (seconds
before answering), ``limit`` (reminders a user may have: one more is 403 ``MAX_REMINDERS_EXCEEDED``).
A malformed reminder is a 400 with ``INVALID_*`` codes.
"""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
import zoneinfo
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

COLLECTION = "/v1/alerts/reminders"
TIME_ZONE = re.compile(r"^/v2/devices/([^/]+)/settings/System\.timeZone$")
_LOCAL_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{3})?$")


class RemindersServer:
    """The stand-in service; ``url`` goes into the request's ``apiEndpoint``."""

    def __init__(self, access_token: str = "test-api-access-token") -> None:
        self.access_token = access_token
        self.reminders: dict[str, dict[str, Any]] = {}
        self.calls: list[tuple[str, str]] = []  # (method, path) of every request, authorised or not
        self.fail_with: int | None = None
        self.delay = 0.0
        self.limit = 100
        self.time_zone = "America/Los_Angeles"
        self.time_zones: dict[str, str] = {}
        self.settings_calls: list[str] = []  # the device id of every Settings API call
        self.settings_fail_with: int | None = None
        self.settings_delay = 0.0
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> "RemindersServer":
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def answer(self, method: str, path: str, authorization: str | None, body: bytes) -> tuple[int, Any]:
        """Status and JSON answer of one call."""
        zone_of = TIME_ZONE.fullmatch(path)
        if method == "GET" and zone_of:
            return self._time_zone(zone_of[1], authorization)
        with self._lock:
            self.calls.append((method, path))
        if authorization != f"Bearer {self.access_token}":
            return 401, {"code": "INVALID_BEARER_TOKEN", "message": "Invalid bearer token"}
        if self.fail_with is not None:
            return self.fail_with, {"code": "SERVICE_ERROR", "message": f"switched to {self.fail_with}"}
        with self._lock:
            if method == "POST" and path == COLLECTION:
                return self._create(body)
            if method == "GET" and path == COLLECTION:
                alerts = list(self.reminders.values())
                return 200, {"totalCount": str(len(alerts)), "alerts": alerts, "links": None}
            found = re.fullmatch(rf"{COLLECTION}/([^/]+)", path)
            if method == "DELETE" and found:
                if self.reminders.pop(found[1], None) is None:
                    return 404, {"code": "NOT_FOUND", "message": "no such reminder"}
                return 200, None
        return 404, {"code": "NOT_FOUND", "message": f"no route {method} {path}"}

    def _time_zone(self, device_id: str, authorization: str | None) -> tuple[int, Any]:
        with self._lock:
            self.settings_calls.append(device_id)
        if authorization != f"Bearer {self.access_token}":
            return 403, {"code": "ACCESS_DENIED", "message": "The authentication token is invalid"}
        if self.settings_fail_with is not None:
            return self.settings_fail_with, {"code": "SERVICE_ERROR", "message": f"switched to {self.settings_fail_with}"}
        return 200, self.time_zones.get(device_id, self.time_zone)

    def _create(self, raw: bytes) -> tuple[int, dict[str, Any] | None]:
        try:
            body = json.loads(raw)
        except ValueError:
            return 400, {"code": "INVALID_REQUEST", "message": "body is not JSON"}
        problem = _invalid(body)
        if problem:
            return 400, {"code": problem, "message": problem}
        if len(self.reminders) >= self.limit:
            return 403, {"code": "MAX_REMINDERS_EXCEEDED", "message": "too many reminders"}
        token = str(uuid.uuid4())
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())
        self.reminders[token] = {
            "alertToken": token, "createdTime": stamp, "updatedTime": stamp, "status": "ON",
            "trigger": body["trigger"], "alertInfo": body["alertInfo"],
            "pushNotification": body["pushNotification"], "version": "1",
        }
        return 200, {"alertToken": token, "createdTime": stamp, "updatedTime": stamp, "status": "ON",
                     "version": "1", "href": f"{COLLECTION}/{token}"}


def _invalid(body: Any) -> str | None:
    """The documented error code for a malformed reminder, or None."""
    if not isinstance(body, dict) or not _LOCAL_TIME.match(str(body.get("requestTime", ""))):
        return "INVALID_REQUEST_TIME"
    trigger = body.get("trigger")
    if not isinstance(trigger, dict) or trigger.get("type") not in ("SCHEDULED_ABSOLUTE", "SCHEDULED_RELATIVE"):
        return "INVALID_TRIGGER"
    if trigger["type"] == "SCHEDULED_ABSOLUTE" and not _LOCAL_TIME.match(str(trigger.get("scheduledTime", ""))):
        return "INVALID_TRIGGER_SCHEDULED_TIME_FORMAT"
    if "timeZoneId" in trigger and not _iana_zone(trigger["timeZoneId"]):
        return "INVALID_TIMEZONE"
    recurrence = trigger.get("recurrence")
    if recurrence is not None:
        rules = recurrence.get("recurrenceRules") if isinstance(recurrence, dict) else None
        if not isinstance(rules, list) or not all(isinstance(r, str) and r.startswith("FREQ=") for r in rules):
            return "INVALID_RECURRENCE"
    content = ((body.get("alertInfo") or {}).get("spokenInfo") or {}).get("content")
    if not isinstance(content, list) or not content or not all(
        isinstance(c, dict) and isinstance(c.get("locale"), str) and isinstance(c.get("text"), str) and c["text"]
        for c in content
    ):
        return "INVALID_ALERT_INFO"
    if (body.get("pushNotification") or {}).get("status") not in ("ENABLED", "DISABLED"):
        return "INVALID_PUSH_NOTIFICATION"
    return None


def _iana_zone(name: Any) -> bool:
    try:
        return isinstance(name, str) and "/" in name and zoneinfo.ZoneInfo(name) is not None
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False


def _handler_for(server: RemindersServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            delay = server.settings_delay if TIME_ZONE.fullmatch(self.path) else server.delay
            if delay:
                time.sleep(delay)  # the stand-in service being slow, not the skill
            status, answer = server.answer(self.command, self.path, self.headers.get("Authorization"), body)
            data = json.dumps(answer).encode() if answer is not None else b""  # a zone is a JSON string
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up waiting (a timeout test)

        do_GET = do_POST = do_DELETE = _serve

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler
