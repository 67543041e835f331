"""Cross-cutting work around every handler: conversation loading/saving and error recovery."""

from __future__ import annotations

import hashlib
import json
import logging
import os
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
from skill.engine import RoutineEngine
from skill.handlers.context import CONTEXT_KEY, Conversation
from skill.handlers.user_data import UserData
from skill.persistence.keys import NoUserError, user_key
from skill.persistence.versioned import VersionedStore
from skill.speech import Composer, Speech, phrases_for

logger = logging.getLogger(__name__)
request_log = logging.getLogger("backstretch.requests")
STARTED_KEY = "started"


def hashed_user(handler_input: HandlerInput) -> str | None:
    """A salted hash of the user id: enough to follow one user's requests, not to identify them."""
    try:
        user_id = user_key(handler_input.request_envelope)
    except NoUserError:
        return None
    salt = os.environ.get("BACKSTRETCH_LOG_SALT") or "back-stretch-coach"
    return hashlib.sha256(f"{salt}:{user_id}".encode()).hexdigest()[:16]


def log_request(handler_input: HandlerInput, outcome: str) -> None:
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
                "user": hashed_user(handler_input),
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


class LoadConversationInterceptor(AbstractRequestInterceptor):
    """Build the request's ``Conversation``: the locale's wording and the validated session state."""

    def __init__(self, catalogue: Catalogue, store: VersionedStore, clock: Callable[[], float]) -> None:
        self.catalogue = catalogue
        self.store = store
        self.engine = RoutineEngine(catalogue)
        self.clock = clock

    def process(self, handler_input: HandlerInput) -> None:
        try:
            locale = get_locale(handler_input)
        except AttributeError:
            locale = None
        phrases = phrases_for(locale)
        try:
            user_id: str | None = user_key(handler_input.request_envelope)
        except NoUserError:
            user_id = None
        user = UserData(self.store, user_id, self.catalogue)
        conversation = Conversation(self.catalogue, self.engine, phrases, Composer(phrases), self.clock, user)
        attributes = _session_attributes(handler_input)
        if attributes:
            conversation.load(attributes)
        handler_input.attributes_manager.request_attributes[CONTEXT_KEY] = conversation


class SaveConversationInterceptor(AbstractResponseInterceptor):
    """Write the conversation back into the session attributes Alexa returns next turn."""

    def process(self, handler_input: HandlerInput, response: Response) -> None:
        conversation = cast("Conversation | None", handler_input.attributes_manager.request_attributes.get(CONTEXT_KEY))
        if conversation is None or handler_input.request_envelope.session is None:
            return
        handler_input.attributes_manager.session_attributes = conversation.dump()


class LogRequestInterceptor(AbstractResponseInterceptor):
    def process(self, handler_input: HandlerInput, response: Response) -> None:
        ended = response is not None and response.should_end_session
        log_request(handler_input, "ended" if ended else "ok")


class ApologiseOnError(AbstractExceptionHandler):
    """Any unexpected error: apologise, keep the session open and the routine where it was."""

    def can_handle(self, handler_input: HandlerInput, exception: Exception) -> bool:
        return True

    def handle(self, handler_input: HandlerInput, exception: Exception) -> Response:
        logger.error("request failed", exc_info=exception)
        log_request(handler_input, "error")
        # Response interceptors do not run after an error, so the session attributes go back
        # to Alexa exactly as they came: the routine stays where it was before this request.
        conversation = cast("Conversation | None", handler_input.attributes_manager.request_attributes.get(CONTEXT_KEY))
        phrases = conversation.phrases if conversation else phrases_for(None)
        speech, reprompt = Speech().say(phrases.say("error")), Speech().say(phrases.say("error_reprompt"))
        builder = handler_input.response_builder.speak(speech.ssml()).ask(reprompt.ssml())
        return builder.set_should_end_session(False).response
