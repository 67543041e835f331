"""The device's time zone from Alexa's Settings API, so that "today" is the user's own day.

``GET {apiEndpoint}/v2/devices/{deviceId}/settings/System.timeZone`` with the request's
``apiAccessToken`` as a bearer token (no permission needed) answers a JSON string, an IANA name such
as ``"America/Los_Angeles"``. This module is imported only when a request needs the user's day and
has not asked yet this session (``skill.handlers.interceptors``). Every failure (an error status, a
timeout, an answer that is no zone this Python knows) is ``None``: the caller falls back on the zone
it has stored, else UTC, and the routine goes on.

Example:
    >>> zone_from_answer(b'"America/Los_Angeles"'), zone_from_answer(b'"Mars/Olympus"'), zone_from_answer(b"{}")
    ('America/Los_Angeles', None, None)
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.parse
import urllib.request

from skill.profile import known_zone

logger = logging.getLogger(__name__)

# Asked on the way into a routine: short, so that a slow API costs the user little (Alexa waits ~8 s).
TIMEOUT_SECONDS = 1.5
PATH = "/v2/devices/{device}/settings/System.timeZone"


def zone_from_answer(raw: bytes) -> str | None:
    """The zone a 200 answer names, if it is a JSON string naming a zone this Python knows."""
    try:
        zone = json.loads(raw)
    except ValueError:
        return None
    return zone if isinstance(zone, str) and known_zone(zone) else None


def device_time_zone(endpoint: str, access_token: str, device_id: str, timeout: float = TIMEOUT_SECONDS) -> str | None:
    """The device's time zone, or None when the API does not give one in time."""
    url = endpoint.rstrip("/") + PATH.format(device=urllib.parse.quote(device_id, safe=""))
    request = urllib.request.Request(url, method="GET")
    request.add_header("Authorization", f"Bearer {access_token}")
    request.add_header("Accept", "application/json")
    # No proxy from the environment: the API is called directly, and a loopback stand-in stays on loopback.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=timeout) as response:
            raw = response.read()
    except urllib.error.HTTPError as error:
        logger.warning("settings API answered %s for the time zone", error.code)
        return None
    except (urllib.error.URLError, OSError) as error:  # no connection, a timeout, a reset half-way
        logger.warning("settings API failed for the time zone: %s", error)
        return None
    zone = zone_from_answer(raw)
    if zone is None:
        logger.warning("settings API answered no known time zone: %r", raw[:80])
    return zone
