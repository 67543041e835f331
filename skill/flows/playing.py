"""Playing a routine on from its place: as much of the timeline as fits in one response.

A response carries whole stretches while they fit inside Alexa's limits (a stretch
that alone does not fit is cut at a side, else at a repetition). It ends with a
question that names what comes next, or, when the routine ends in it, with the
summary, and then the session closes. The chunk's segment offsets are kept in the
state, so an interruption can be placed on the segment that was playing.
"""

from __future__ import annotations

from skill.engine import Chunk, RoutineState, SegmentKind
from skill.flows.turn import Turn
from skill.speech import Reply, Speech
from skill.speech.timeline import RESPONSE_BUDGET_CHARS, Timeline, speech_chars, speech_seconds

# Room kept for the question or the summary at the end of a response.
CLOSING_RESERVE_CHARS = 400


def timeline_for(turn: Turn, state: RoutineState) -> Timeline:
    """The routine's timeline as this user hears it (familiar stretches short, unless asked in full)."""
    familiar = turn.user.profile.familiar() - turn.session.full_steps
    return turn.deps.timeline(state.items, familiar)


def play(turn: Turn, state: RoutineState, prefix: Speech | None = None) -> Reply:
    """Say ``prefix``, then play from ``state.position`` until the response is full or the routine ends."""
    timeline = timeline_for(turn, state)
    lead = Speech(list(prefix.parts) if prefix else [])
    position = state.position
    if position < len(timeline) and timeline.segments[position].kind is not SegmentKind.STRETCH:
        segment = timeline.segments[position]
        lead.add(*turn.composer.recap(timeline.stretch(segment.item_index), segment.side_index).parts)
        if segment.kind in (SegmentKind.SETTLE, SegmentKind.SIDE):
            position += 1  # the recap gets the user back into position itself
    state = state.with_(position=position)
    if position >= len(timeline):
        return _finish(turn, state, timeline, lead)
    budget = RESPONSE_BUDGET_CHARS - CLOSING_RESERVE_CHARS - speech_chars(lead)
    end = timeline.chunk_end(position, budget)
    body = Speech(lead.parts + timeline.speech(position, end).parts)
    if end >= len(timeline):
        return _finish(turn, state, timeline, body)
    upcoming = timeline.segments[end]
    question = turn.composer.next_question(
        upcoming.item_index + 1,
        len(state.items),
        timeline.stretch(upcoming.item_index),
        same_stretch=upcoming.item_index == timeline.segments[end - 1].item_index,
    )
    chunk = Chunk(position, end, turn.now_ms(), timeline.ends_ms(position, end, speech_seconds(lead)))
    turn.session.routine = turn.deps.engine.sent(state, chunk)
    return Reply(body.add(*question.speech.parts), question.reprompt)


def _finish(turn: Turn, state: RoutineState, timeline: Timeline, speech: Speech) -> Reply:
    """The routine ends in this response: sum it up, count each stretch done, close the session."""
    finished = turn.deps.engine.finish(state)
    turn.session.routine = finished
    done = [i for i in range(len(state.items)) if i not in finished.skipped]
    seconds = sum(r.seconds for r in timeline.rendered if r.segment.item_index in done)
    profile = turn.user.profile
    turn.user.change(profile.record_finished([state.items[i].stretch_id for i in done]), {"stretch_counts"})
    summary = turn.composer.summary(turn.routine_name(state.routine_id), len(done), len(finished.skipped), seconds)
    return Reply(speech.add(*summary.parts), None, end_session=True)
