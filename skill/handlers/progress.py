"""Keeping an interrupted routine between sessions, through the skill's persistence adapter.

Reads happen only when a session needs the saved routine (launch, or "resume"
with nothing in the session); writes only when a routine is paused, stopped,
interrupted or finished. A store that fails is logged and the conversation goes
on: losing a bookmark must never cost the user their stretch.
"""

from __future__ import annotations

import logging
from typing import Any

from ask_sdk_core.handler_input import HandlerInput

from skill.engine import InvalidState, RoutineState
from skill.handlers.context import Conversation

logger = logging.getLogger(__name__)

PROGRESS_KEY = "progress"
# An interrupted routine older than this is not offered again.
MAX_AGE_SECONDS = 7 * 24 * 3600


def _persistent(handler_input: HandlerInput) -> dict[str, Any] | None:
    try:
        return handler_input.attributes_manager.persistent_attributes
    except Exception:  # any store failure: carry on without saved data
        logger.exception("could not read persistent attributes")
        return None


def saved_routine(handler_input: HandlerInput, conversation: Conversation) -> RoutineState | None:
    """The stored, unfinished routine if it is recent and still valid."""
    stored = _persistent(handler_input)
    if not stored or PROGRESS_KEY not in stored:
        return None
    try:
        state = RoutineState.from_dict(stored[PROGRESS_KEY], conversation.catalogue)
    except InvalidState as error:
        logger.warning("ignoring invalid stored progress: %s", error)
        return None
    if state.status == "finished" or conversation.now() - state.updated_at > MAX_AGE_SECONDS:
        return None
    return state


def store_progress(handler_input: HandlerInput, state: RoutineState | None) -> bool:
    """Save (or with ``None`` clear) the routine in progress; False when the store failed."""
    stored = _persistent(handler_input)
    if stored is None:
        return False
    if state is None or state.status == "finished":
        if PROGRESS_KEY not in stored:
            return True
        stored.pop(PROGRESS_KEY, None)
    else:
        stored[PROGRESS_KEY] = state.to_dict()
    try:
        handler_input.attributes_manager.save_persistent_attributes()
    except Exception:
        logger.exception("could not save progress")
        return False
    return True
