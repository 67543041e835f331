"""Steering a routine: next, back, repeat, skip, start over, pause, continue, and "this hurts".

Each command acts on the place the user was at when they spoke (``Turn.moment``):
mid-response, the segment that was playing; after a response ended, the stretch it
announced next.
"""

from __future__ import annotations

from enum import Enum

from skill.catalogue.model import SafetyMoment
from skill.engine import Moment, RoutineState, Where
from skill.flows.growth import remember_hurt
from skill.flows.playing import play
from skill.flows.progress import saved_routine
from skill.flows.replies import ask, ask_question, close
from skill.flows.routines import users_routine
from skill.flows.start import offer_routines, start_routine
from skill.flows.turn import Pending, Question, Turn
from skill.speech import Reply, Speech


class Command(str, Enum):
    NEXT = "next"
    BACK = "back"
    REPEAT = "repeat"
    SKIP = "skip"
    START_OVER = "start_over"
    PAUSE = "pause"
    CONTINUE = "continue"


def steer(turn: Turn, command: Command) -> Reply:
    """Carry out ``command`` on the routine in progress (or on the stored one, for next and continue)."""
    state, moment, engine = turn.routine, turn.moment, turn.deps.engine
    if state is None or moment is None:
        if command in (Command.NEXT, Command.CONTINUE) and saved_routine(turn) is not None:
            return carry_on(turn)
        return offer_routines(turn, "no_routine")
    if command is Command.PAUSE:
        paused = engine.pause(engine.at_earliest(moment))
        turn.session.routine = paused
        name = engine.stretch_at(paused).name
        return ask(turn, Speech().say(turn.say("paused", name=name)), "paused_reprompt")
    prefix = None
    if command is Command.NEXT:
        state = engine.next(moment)
        prefix = _acted_on(turn, moment, "acted_next") if moment.where is Where.INTERRUPTED else None
    elif command is Command.SKIP:
        state = engine.skip(moment)
        prefix = _acted_on(turn, moment, "acted_skip")
    elif command is Command.BACK:
        state, at_first = engine.back(moment)
        prefix = Speech().say(turn.say("first_already")) if at_first else _acted_on(turn, moment, "acted_back")
    elif command is Command.REPEAT:
        state = engine.repeat(moment)
    elif command is Command.START_OVER:
        state = engine.start_over(moment)
    else:
        state = engine.pause(moment)  # continue: from the start of what was cut off
    return play(turn, state, prefix)


def _acted_on(turn: Turn, moment: Moment, key: str) -> Speech | None:
    """ "Skipping child's pose.": which stretch the command took as the current one, so that a wrong
    guess late in a long response is heard, and "go back" undoes it."""
    engine = turn.deps.engine
    state = engine.at_likely(moment)
    if state.position >= len(engine.segments_of(state)):
        return None
    return Speech().say(turn.say(key, name=engine.stretch_at(state).name))


def start_or_continue(turn: Turn, routine_id: str | None, heard: str | None = None) -> Reply:
    """ "start", "let's go", "start the lower back": what they mean depends on where the user is.
    A routine name the skill does not know (``heard``, no ``routine_id``) lists the routines.

    With a routine in progress, naming no routine (or the same one) carries on with it, and naming
    another asks before leaving it; otherwise the routine named, or the user's own, starts. (Said to
    a question, "let's go" is its answer: ``skill.flows.questions``.)
    """
    if heard and routine_id is None:
        return offer_routines(turn, "routine_unknown", heard=heard)
    state = turn.routine
    if state is None or turn.moment is None:
        return start_routine(turn, routine_id or users_routine(turn))
    if routine_id is None or routine_id == state.routine_id:
        return steer(turn, Command.CONTINUE)
    pause_here(turn)
    names = {"current": turn.routine_name(state.routine_id), "routine": turn.routine_name(routine_id)}
    speech = Speech().say(turn.say("ask_switch_routine", **names))
    return ask_question(turn, Question(Pending.SWITCH_ROUTINE, routine_id), speech, **names)


def carry_on(turn: Turn) -> Reply:
    """Carry on the stored routine from its first unfinished side."""
    state = turn.routine if turn.session.routine is not None and turn.moment is not None else None
    state = state or saved_routine(turn)
    if state is None:
        return offer_routines(turn, "no_routine")
    prefix = Speech().say(turn.say("continue_saved", routine=turn.routine_name(state.routine_id)))
    return play(turn, state, prefix)


def pause_here(turn: Turn) -> RoutineState | None:
    """Stop the routine where the user was (a question, a setting, a stop or pain interrupted it):
    mid-response the earliest place they may have been (hearing a few seconds again is harmless,
    missing them is not); after a response that most likely played to its end, that end (they
    heard its closing question)."""
    if turn.moment is None:
        return None
    turn.session.routine = turn.deps.engine.pause(turn.moment)
    return turn.session.routine


def hurts(turn: Turn) -> Reply:
    """Stop now, say not to push into pain; offer the next stretch, or finish after the last one. The
    stretch that hurt is remembered with the day."""
    speech = Speech().say(turn.say("pain"), *(rule.text for rule in turn.deps.catalogue.safety_for(SafetyMoment.AFTER_PAIN)))
    engine = turn.deps.engine
    announced = None  # after a response that played to its end: the stretch it announced, not begun
    if turn.moment is not None:
        if engine.heard_to_the_end(turn.moment):
            announced = engine.at_earliest(turn.moment).state.position
        turn.moment = engine.hurt_at(turn.moment)  # the stretch that hurt, never one not yet begun
    state = pause_here(turn)
    if state is None:
        return close(speech.say(turn.say("goodbye")))
    remember_hurt(turn, engine.stretch_at(state).id)  # asked about before it next time (``growth``)
    if announced is not None and announced < len(engine.segments_of(state)):
        # The stretch that hurt was done: nothing to skip; going on plays the one announced.
        turn.session.routine = state = state.with_(position=announced)
        name = engine.stretch_at(state).name
        return ask_question(turn, Question(Pending.GO_ON_AFTER_PAIN, state.routine_id), speech.say(turn.say("pain_offer_go_on", name=name)))
    left, _ = engine.remaining(state)
    if left <= 1:
        speech.say(turn.say("pain_offer_last"))
        skipped = engine.skip(Moment(state, Where.STOPPED))
        return play(turn, skipped, prefix=speech)
    return ask_question(turn, Question(Pending.SKIP_AFTER_PAIN, state.routine_id), speech.say(turn.say("pain_offer_next")))
