"""Cross-cutting work around every handler: the turn's loading and saving, logging, error recovery."""

from __future__ import annotations

import datetime
import hashlib
import json
import logging
import time
from typing import Callable, cast

from ask_sdk_core.dispatch_components import (
    AbstractExceptionHandler,
    AbstractRequestInterceptor,
    AbstractResponseInterceptor,
)
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import get_locale
from ask_sdk_model import Response

from skill.catalogue import Catalogue
from skill.config import new_log_salt
from skill.engine import RoutineEngine
from skill.flows.turn import Deps, SessionState, TimelineCache, Turn
from skill.flows.user_data import SESSION_KEY, UserData
from skill.flows.welcome import DeliverAgain
from skill.flows.voice import VoiceBook, answer_bound
from skill.handlers.name_free import is_name_free, refuse
from skill.handlers.responder import TURN_KEY, speak
from skill.persistence.keys import NoUserError, user_key
from skill.persistence.versioned import VersionedStore
from skill.speech import Composer, Speech, phrases_for

logger = logging.getLogger(__name__)
request_log = logging.getLogger("backstretch.requests")
STARTED_KEY = "started"


def hashed_user(handler_input: HandlerInput, salt: str) -> str | None:
    """A salted hash of the user id: enough to follow one user's requests, not to identify them.

    ``salt`` is ``Config.log_salt``: secret, so nobody can hash a known user id and find it in the logs.
    """
    try:
        user_id = user_key(handler_input.request_envelope)
    except NoUserError:
        return None
    return hashlib.sha256(f"{salt}:{user_id}".encode()).hexdigest()[:16]


def log_request(handler_input: HandlerInput, outcome: str, salt: str) -> None:
    """One JSON line per request: id, type, intent, locale, latency, outcome; never the user id itself."""
    request = handler_input.request_envelope.request
    started = cast(float, handler_input.attributes_manager.request_attributes.get(STARTED_KEY, time.perf_counter()))
    intent = getattr(getattr(request, "intent", None), "name", None)
    request_log.info(
        json.dumps(
            {
                "request_id": getattr(request, "request_id", None),
                "request_type": getattr(request, "object_type", None),
                "intent": intent,
                "locale": getattr(request, "locale", None),
                "latency_ms": round((time.perf_counter() - started) * 1000, 1),
                "outcome": outcome,
                "user": hashed_user(handler_input, salt),
            }
        )
    )


class StartTimerInterceptor(AbstractRequestInterceptor):
    def process(self, handler_input: HandlerInput) -> None:
        handler_input.attributes_manager.request_attributes[STARTED_KEY] = time.perf_counter()


def _session_attributes(handler_input: HandlerInput) -> dict | None:
    """The session's attributes, or None for requests without a session (skill events)."""
    if handler_input.request_envelope.session is None:
        return None
    return handler_input.attributes_manager.session_attributes


def request_time_ms(handler_input: HandlerInput) -> int | None:
    """The request's timestamp in epoch milliseconds, or None when it has none."""
    stamp = getattr(handler_input.request_envelope.request, "timestamp", None)
    if not isinstance(stamp, datetime.datetime):
        return None
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=datetime.timezone.utc)
    return int(stamp.timestamp() * 1000)


def zone_lookup(handler_input: HandlerInput) -> Callable[[], str | None] | None:
    """How this request asks Alexa's Settings API for the device's time zone, if it can (endpoint,
    access token and device id); the client is imported only when the zone is asked for."""
    system = getattr(handler_input.request_envelope.context, "system", None)
    endpoint, token = getattr(system, "api_endpoint", None), getattr(system, "api_access_token", None)
    device_id = getattr(getattr(system, "device", None), "device_id", None)
    if not all(isinstance(v, str) and v for v in (endpoint, token, device_id)):
        return None

    def lookup() -> str | None:
        from skill.settings_api import device_time_zone

        return device_time_zone(str(endpoint), str(token), str(device_id))

    return lookup


class LoadTurnInterceptor(AbstractRequestInterceptor):
    """Build the request's ``Turn``: the locale's wording, the validated session state, the user's data.

    Not for a name-free question (``CanFulfillIntentRequest``): answering it may change nothing and
    it may have no user, so it gets no turn, and without a turn nothing is loaded or saved.
    """

    def __init__(self, catalogue: Catalogue, store: VersionedStore, clock: Callable[[], float]) -> None:
        self.catalogue = catalogue
        self.store = store
        self.engine = RoutineEngine(catalogue)
        self.clock = clock
        self.timelines = TimelineCache(catalogue)
        self.voices = VoiceBook(store, clock)

    def process(self, handler_input: HandlerInput) -> None:
        if is_name_free(handler_input):
            return
        try:
            locale = get_locale(handler_input)
        except AttributeError:
            locale = None
        phrases = phrases_for(locale if isinstance(locale, str) else None)
        try:
            user_id: str | None = user_key(handler_input.request_envelope)
        except NoUserError:
            user_id = None
        user = UserData(self.store, user_id, self.catalogue)
        attributes = _session_attributes(handler_input) or {}
        session = SessionState.load(attributes, self.catalogue)
        user.load_session(attributes.get(SESSION_KEY))
        at_ms = request_time_ms(handler_input)
        intent = getattr(getattr(handler_input.request_envelope.request, "intent", None), "name", None)
        bound = answer_bound(session.routine, at_ms, intent)
        if bound is not None:  # an answer after a response played to its end: how fast the voice is
            self.voices.hear(phrases.locale, bound)
        deps = Deps(
            self.catalogue, self.engine, phrases, Composer(phrases), self.clock, self.timelines,
            voice=lambda: self.voices.voice(phrases.locale),
        )
        turn = Turn(deps, session, user, at_ms, zone_lookup=zone_lookup(handler_input))
        handler_input.attributes_manager.request_attributes[TURN_KEY] = turn


class SaveTurnInterceptor(AbstractResponseInterceptor):
    """Write the conversation back into the session attributes Alexa returns next turn."""

    def process(self, handler_input: HandlerInput, response: Response) -> None:
        turn = cast("Turn | None", handler_input.attributes_manager.request_attributes.get(TURN_KEY))
        if turn is None or handler_input.request_envelope.session is None:
            return
        attributes = turn.session.dump()
        user = turn.user.dump_session()
        if user is not None:
            attributes[SESSION_KEY] = user
        handler_input.attributes_manager.session_attributes = attributes


class LogRequestInterceptor(AbstractResponseInterceptor):
    """The request's log line, user ids hashed with ``log_salt`` (``Config.log_salt``)."""

    def __init__(self, log_salt: str) -> None:
        self.log_salt = log_salt

    def process(self, handler_input: HandlerInput, response: Response) -> None:
        ended = response is not None and response.should_end_session
        log_request(handler_input, "ended" if ended else "ok", self.log_salt)


class ApologiseOnError(AbstractExceptionHandler):
    """Any unexpected error: apologise, keep the session open and the routine where it was.

    Not a skill event that must be delivered again (``DeliverAgain``): that error reaches the
    entry point (Lambda fails the invocation, the web service answers 500), so Alexa retries it.
    ``log_salt`` hashes the user id in the error's log line (``Config.log_salt``; a new secret one if not given).
    """

    def __init__(self, log_salt: str | None = None) -> None:
        self.log_salt = log_salt or new_log_salt()

    def can_handle(self, handler_input: HandlerInput, exception: Exception) -> bool:
        if isinstance(exception, DeliverAgain):
            log_request(handler_input, "deliver again", self.log_salt)
            return False
        return True

    def handle(self, handler_input: HandlerInput, exception: Exception) -> Response:
        logger.error("request failed", exc_info=exception)
        log_request(handler_input, "error", self.log_salt)
        if is_name_free(handler_input):
            return refuse(handler_input)  # Alexa's question is answered, never with speech
        # Response interceptors do not run after an error, so the session attributes go back
        # to Alexa exactly as they came: the routine stays where it was before this request.
        turn = cast("Turn | None", handler_input.attributes_manager.request_attributes.get(TURN_KEY))
        phrases = turn.phrases if turn else phrases_for(None)
        return speak(handler_input, Speech().say(phrases.say("error")), Speech().say(phrases.say("error_reprompt")), end_session=False)
