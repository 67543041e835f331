"""Keeping an interrupted routine in the user's profile, for "continue where I left off"."""

from __future__ import annotations

import logging

from skill.engine import InvalidState, RoutineState
from skill.handlers.context import Conversation

logger = logging.getLogger(__name__)

# An interrupted routine older than this is not offered again.
MAX_AGE_SECONDS = 7 * 24 * 3600


def saved_routine(conversation: Conversation) -> RoutineState | None:
    """The stored, unfinished routine if it is recent and still valid."""
    stored = conversation.user.profile.progress
    if not stored:
        return None
    try:
        state = RoutineState.from_dict(stored, conversation.catalogue)
    except InvalidState as error:
        logger.warning("ignoring invalid stored progress: %s", error)
        return None
    if state.status == "finished" or conversation.now() - state.updated_at > MAX_AGE_SECONDS:
        return None
    return state


def keep_progress(conversation: Conversation, state: RoutineState | None, write_now: bool = False) -> bool:
    """Put the routine in progress (``None``: no routine in progress) into the profile.

    ``write_now`` is for a pause, the moment a user is most likely to walk away.
    """
    if state is None and not conversation.user.loaded:
        return True  # no routine in this session and nothing read: nothing to record, and no read spent
    progress = None if state is None or state.status == "finished" else state.to_dict()
    profile = conversation.user.profile
    if profile.progress == progress:
        return True
    return conversation.user.change(profile.with_(progress=progress), {"progress"}, write_now=write_now)


def end_session(conversation: Conversation, state: RoutineState | None) -> bool:
    """The session is ending: keep the routine's place and write what is still unsaved."""
    keep_progress(conversation, state)
    return conversation.user.flush()
