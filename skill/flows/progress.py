"""Keeping a routine's place in the user's profile, so a later session carries on from it."""

from __future__ import annotations

import logging

from skill.engine import InvalidState, RoutineState, Status
from skill.engine.segments import resume_point
from skill.flows.playing import complete
from skill.flows.turn import Turn

logger = logging.getLogger(__name__)

# An interrupted routine older than this is not offered again.
MAX_AGE_SECONDS = 7 * 24 * 3600


def saved_routine(turn: Turn) -> RoutineState | None:
    """The stored, unfinished routine if it is recent and valid, placed at the repetition that was
    cut off (a rest counts as heard; a response that was playing when the session ended counts as
    heard). Playing on from there starts with a short cue back into position (``playing.play``)."""
    stored = turn.user.profile.progress
    if not stored:
        return None
    engine = turn.deps.engine
    try:
        state = RoutineState.from_dict(stored, turn.deps.catalogue)
    except InvalidState as error:
        logger.warning("ignoring invalid stored progress: %s", error)
        return None
    if state.status is Status.FINISHED or turn.now_ms() // 1000 - state.updated_at > MAX_AGE_SECONDS:
        return None
    state = engine.locate(state, turn.now_ms()).state
    timeline = engine.timeline(state)
    if state.position >= len(timeline):
        turn.session.routine = complete(turn, state)  # its last response played out: it is done
        return None
    return state.with_(position=resume_point(timeline, state.position))


def keep_progress(turn: Turn) -> None:
    """Put the session's routine into the profile (a finished one clears it); ``UserData.commit`` stores it.

    Without a routine in the session the stored place is left alone: changing a setting in a
    new session must not lose where the last routine stopped.
    """
    state = turn.session.routine
    if state is None:
        return
    progress = None if state.status is Status.FINISHED else state.to_dict()
    profile = turn.user.profile
    if profile.progress != progress:
        turn.user.change(profile.with_(progress=progress), {"progress"})


def forget_progress(turn: Turn) -> None:
    """The user declined to carry on: the stored place goes."""
    turn.session.routine = None
    profile = turn.user.profile
    if profile.progress is not None:
        turn.user.change(profile.with_(progress=None), {"progress"})
