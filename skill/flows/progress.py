"""Keeping a routine's place in the user's profile, so a later session carries on from it."""

from __future__ import annotations

import logging

from skill.engine import RoutineState, Status
from skill.engine.segments import resume_point
from skill.flows.playing import complete
from skill.flows.turn import ASKED, OWN_ROUTINE, Question, Turn

logger = logging.getLogger(__name__)

# An interrupted routine older than this is not offered again.
MAX_AGE_SECONDS = 7 * 24 * 3600


def saved_routine(turn: Turn) -> RoutineState | None:
    """The stored, unfinished routine if it is recent and valid, placed at the repetition that was
    cut off (a rest counts as heard; a response that was playing when the session ended counts as
    heard). Playing on from there starts with a short cue back into position (``playing.play``)."""
    state = turn.user.profile.progress  # checked in full when it was read (``Profile.from_attributes``)
    if state is None:
        return None
    engine = turn.deps.engine
    if state.status is Status.FINISHED or turn.now_ms() // 1000 - state.updated_at > MAX_AGE_SECONDS:
        return None
    state = engine.locate(state, turn.now_ms()).state
    segs = engine.segments_of(state)
    if state.position >= len(segs):
        turn.session.routine = complete(turn, state)  # its last response played out: it is done
        return None
    return state.with_(position=resume_point(segs, state.position))


def keep_progress(turn: Turn) -> None:
    """Put the session's routine into the profile (a finished one clears it); ``UserData.commit`` stores it.

    Without a routine in the session the stored place is left alone: changing a setting in a
    new session must not lose where the last routine stopped.
    """
    state = turn.session.routine
    if state is None:
        return
    progress = None if state.status is Status.FINISHED else state
    profile = turn.user.profile
    if profile.progress != progress:
        turn.user.change(profile.with_(progress=progress), {"progress"})


def keep_question(turn: Turn) -> None:
    """Put a question before a routine that waits on its answer into the profile, so that when the
    session ends on it (silence, "exit", or no SessionEndedRequest at all) the next launch asks it
    again (``stored_question``); any other reply clears it. Stored with the request's other changes:
    one write at most, and none while the question stays the same."""
    question = turn.session.question
    if question is None and not turn.user.loaded:
        return  # a request that never read the profile answered nothing; no read just to look
    profile = turn.user.profile
    kept = question is not None and ASKED[question.kind].again is not None and question.about is not None
    stored = profile.question
    if kept and question is not None and question.about is not None:
        if stored is None or stored[:2] != (question.kind.value, question.about):
            turn.user.change(profile.with_(question=(question.kind.value, question.about, turn.now_ms() // 1000)), {"question"})
    elif stored is not None:
        turn.user.change(profile.with_(question=None), {"question"})


def stored_question(turn: Turn) -> Question | None:
    """The question the last session ended on, if it is recent and still makes sense."""
    stored = turn.user.profile.question
    if stored is None or turn.now_ms() // 1000 - stored[2] > MAX_AGE_SECONDS:
        return None
    question = Question.from_raw([stored[0], stored[1], None], turn.deps.catalogue)
    if question is None or ASKED[question.kind].again is None:
        return None
    if question.about == OWN_ROUTINE and not turn.user.profile.own_routine:
        return None  # their own routine was emptied since: nothing left to start
    return question


def forget_progress(turn: Turn) -> None:
    """The user declined to carry on: the stored place goes."""
    turn.session.routine = None
    profile = turn.user.profile
    if profile.progress is not None:
        turn.user.change(profile.with_(progress=None), {"progress"})
