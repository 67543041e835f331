"""Playing a routine on from its place: as much of the timeline as fits in one response.

A response carries whole stretches while they fit inside Alexa's limits (a stretch
that alone does not fit is cut at a side, else at a repetition). It ends with a
question that names what comes next, or, when the routine ends in it, with the
summary, and then the session closes. The chunk's segment offsets are kept in the
state, so an interruption can be placed on the segment that was playing.
"""

from __future__ import annotations

from skill.catalogue.model import SafetyMoment
from skill.engine import Chunk, RoutineState, SegmentKind, Status
from skill.flows import growth
from skill.flows.card import routine_card
from skill.flows.routines import users_routine
from skill.flows.replies import ask_question
from skill.flows.turn import Pending, Question, Turn
from skill.speech import Reply, Speech
from skill.speech.timeline import RESPONSE_BUDGET_CHARS, Timeline, speech_chars, speech_seconds

# Room kept for the question or the summary at the end of a response.
CLOSING_RESERVE_CHARS = 600
WARM_UP_ROUTINE = "warm_up"
BACK_BREAK_ROUTINE = "back_break"


def timeline_for(turn: Turn, state: RoutineState) -> Timeline:
    """The routine's timeline as this user hears it (familiar stretches short, unless asked in full)."""
    familiar = turn.user.profile.familiar() - turn.session.full_steps
    return turn.deps.timeline(state.items, familiar)


def play(turn: Turn, state: RoutineState, prefix: Speech | None = None) -> Reply:
    """Say ``prefix``, then play from ``state.position`` until the response is full or the routine ends."""
    timeline = timeline_for(turn, state)
    lead = Speech(list(prefix.parts) if prefix else [])
    lead.say(*safety_first(turn))  # whatever the way in: a resumed routine too
    position = growth.back_to_start(turn, state, timeline.segments, state.position)
    if position < len(timeline) and timeline.segments[position].kind is not SegmentKind.STRETCH:
        segment = timeline.segments[position]
        lead.add(*turn.composer.recap(timeline.stretch(segment.item_index), segment.side_index).parts)
        if segment.kind in (SegmentKind.SETTLE, SegmentKind.SIDE):
            position += 1  # the recap gets the user back into position itself
    state = state.with_(position=position)
    if position >= len(timeline):
        turn.session.routine = complete(turn, state)
        return _closing(turn, state, timeline, lead)
    budget = RESPONSE_BUDGET_CHARS - CLOSING_RESERVE_CHARS - speech_chars(lead)
    end = timeline.chunk_end(position, budget)
    before = growth.question_before(turn, state, timeline.segments, position, end)
    if before is not None and before.at == position:  # asked first: the routine waits at that stretch
        turn.session.routine = state.with_(status=Status.PAUSED, chunk=None)
        return ask_question(turn, before.question, lead.add(*before.speech.parts), **before.values)
    if before is not None:
        end = before.at  # the response ends just before that stretch, with its question
    body = Speech(lead.parts + timeline.speech(position, end).parts)
    lead_seconds = speech_seconds(lead)
    chunk = Chunk(
        position, end, turn.now_ms(), timeline.ends_ms(position, end, lead_seconds),
        timeline.spoken_ms(position, end, lead_seconds - lead.break_ms() / 1000.0),
    )
    turn.session.routine = turn.deps.engine.sent(state, chunk)
    turn.played = turn.session.routine  # a screen shows what this response plays
    if end >= len(timeline):
        return _keep_length(turn, _closing(turn, state, timeline, body))
    if before is not None:
        body.add(*before.speech.parts)
        return _keep_length(turn, ask_question(turn, before.question, body, **before.values))
    upcoming = timeline.segments[end]
    question = turn.composer.next_question(
        upcoming.item_index + 1,
        len(state.items),
        timeline.stretch(upcoming.item_index),
        same_stretch=upcoming.item_index == timeline.segments[end - 1].item_index,
    )
    return _keep_length(turn, Reply(body.add(*question.speech.parts), question.reprompt))


def safety_first(turn: Turn) -> list[str]:
    """Before the first hold of a session: never bounce, stop if it hurts (once a session)."""
    if turn.session.safety_said:
        return []
    turn.session.safety_said = True
    return [rule.text for rule in turn.deps.catalogue.safety_for(SafetyMoment.EVERY_SESSION)]


def _keep_length(turn: Turn, reply: Reply) -> Reply:
    """Keep the whole response's modelled length (and its words) with the chunk it plays: an answer
    after it bounds how fast the voice really speaks (``skill.flows.voice``)."""
    state = turn.session.routine
    if state is not None and state.chunk is not None:
        seconds = speech_seconds(reply.speech)
        words = seconds - reply.speech.break_ms() / 1000.0
        reply_ms = (int(round(seconds * 1000)), int(round(words * 1000)))
        turn.session.routine = turn.played = state.with_(chunk=state.chunk._replace(reply_ms=reply_ms))
    return reply


def complete(turn: Turn, state: RoutineState) -> RoutineState:
    """The routine has been heard to its end: count each stretch done and the minutes; it is finished.

    Called once per routine, when that is first known: the request after its last response, the
    session's end, or the next launch (``finish_if_heard``).
    """
    finished = turn.deps.engine.finish(state)
    done = [i for i in range(len(state.items)) if i not in finished.skipped]
    seconds = _done_seconds(timeline_for(turn, state), done)
    today = turn.today()  # first: it may keep the user's time zone in the profile
    user = turn.user
    profile = user.profile.record_finished([state.items[i].stretch_id for i in done])
    profile = growth.after_routine(turn, profile, state, done)
    user.change(profile.record_minutes(today, round(seconds / 60)), {"stretch_counts", "minutes", "growth", "pain"})
    return finished


def finish_if_heard(turn: Turn) -> None:
    """A routine whose last response has played to its end is complete."""
    state = turn.session.routine
    if state is not None and state.status is Status.PAUSED and state.position >= len(timeline_for(turn, state)):
        turn.session.routine = complete(turn, state)


def _done_seconds(timeline: Timeline, done: list[int]) -> float:
    return sum(r.seconds for r in timeline.rendered if r.segment.item_index in done)


def _closing(turn: Turn, state: RoutineState, timeline: Timeline, speech: Speech) -> Reply:
    """The routine ends in this response: sum it up, one piece of advice, then one question.

    After the warm-up on its own: whether to go on with the user's routine. After any other:
    how the back feels (better, the same, worse), which is optional: silence, after its reprompt,
    ends the session.
    The session stays open, so the user can still steer while this response plays.
    """
    skipped = state.skipped
    done = [i for i in range(len(state.items)) if i not in skipped]
    seconds = _done_seconds(timeline, done)
    last = state.items[done[-1] if done else -1].stretch_id  # the position the user ends in
    posture = turn.deps.catalogue.stretch(last).posture
    speech.add(*turn.composer.summary(turn.routine_name(state.routine_id), len(done), len(skipped), seconds, posture).parts)
    speech.say(*_advice(turn, state.routine_id, len(turn.user.profile.session_dates)))
    if state.routine_id == WARM_UP_ROUTINE and turn.user.profile.doctor_advised is None:  # else it was all for today
        routine = users_routine(turn)
        name = turn.routine_name(routine)
        closing = ask_question(turn, Question(Pending.GO_ON, routine), speech.say(turn.say("ask_go_on", routine=name)), routine=name)
    else:
        closing = ask_question(turn, Question(Pending.FEELING, state.routine_id), speech.say(turn.say("ask_feeling")))
    closing.card = routine_card(turn, state.routine_id, len(done), len(skipped), seconds)  # for the Alexa app afterwards
    return closing


def _advice(turn: Turn, routine_id: str, sessions: int) -> list[str]:
    """One piece of the articles' advice for the end of a routine, never all at once: the
    end-of-routine advice in turn (the first-use tips come before a routine: ``start``); the back
    break has its own."""
    catalogue = turn.deps.catalogue
    if routine_id == BACK_BREAK_ROUTINE:
        rules = catalogue.safety_for(SafetyMoment.BACK_BREAK)
        return [rules[0].text] if rules else []
    rules = catalogue.safety_for(SafetyMoment.END_OF_ROUTINE)
    return [rules[sessions % len(rules)].text] if rules else []
