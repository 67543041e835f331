"""Answers that do not move the routine: how long is left, what a stretch is for, its full steps,
which routines there are, help, the last reply again. Said in the middle of a response, a question
stops the speech; the quick ones then play on from where it stopped, the others wait for "continue"."""

from __future__ import annotations

from skill.engine import Where
from skill.engine.segments import item_start
from skill.flows.playing import play, timeline_for
from skill.flows.replies import ask
from skill.flows.start import offer_routines
from skill.flows.steer import Command, pause_here, steer
from skill.flows.turn import Turn
from skill.speech import Reply, Speech


def _answer_then_carry_on(turn: Turn, answer: Speech, play_on: bool = False) -> Reply:
    """Mid-response (or with ``play_on``): the answer, then the routine plays on. Otherwise the answer and "say next"."""
    interrupted = play_on or turn.where is Where.INTERRUPTED
    state = pause_here(turn)
    assert state is not None
    if interrupted:
        return play(turn, state, prefix=answer.say(turn.say("carrying_on")))
    return ask(turn, answer.say(turn.say("carry_on")), "reprompt_routine")


def how_long(turn: Turn) -> Reply:
    """ "how many are left": stretches to go, counting the current one, and the time they take; the
    routine then plays on if anything of the response was still playing, its closing words included
    (it never stops the routine)."""
    if turn.routine is None:
        return offer_routines(turn, "no_routine")
    state = turn.routine
    left, _ = turn.deps.engine.remaining(state)
    seconds = timeline_for(turn, state).seconds(state.position)
    playing = turn.moment is not None and not turn.moment.closing_heard  # asked over the response's closing words
    return _answer_then_carry_on(turn, Speech().say(turn.composer.progress(left, seconds)), play_on=playing)


def stretch_info(turn: Turn, stretch_id: str | None, heard: str | None = None) -> Reply:
    """What a named stretch helps with, or the current one's (``heard``: a name the skill does not know)."""
    if stretch_id is None and heard:
        reprompt = "reprompt_routine" if turn.routine else "offer_routines_reprompt"
        return ask(turn, Speech().say(turn.say("why_unknown_stretch", heard=heard)), reprompt)
    if stretch_id is not None:
        stretch = turn.deps.catalogue.stretch(stretch_id)
    elif turn.routine is not None:
        stretch = turn.deps.engine.stretch_at(turn.routine)
    else:
        return offer_routines(turn, "no_routine")
    answer = Speech().say(turn.say("why", name=stretch.name, why=stretch.why))
    if turn.routine is None:
        return ask(turn, answer.say(turn.say("offer_routines_reprompt")), "offer_routines_reprompt")
    return _answer_then_carry_on(turn, answer)


def full_steps(turn: Turn) -> Reply:
    """ "tell me the full steps": the current stretch again from its start, every step read out."""
    state = pause_here(turn)
    if state is None:
        return offer_routines(turn, "no_routine")
    engine = turn.deps.engine
    stretch = engine.stretch_at(state)
    segs = engine.segments_of(state)
    item = segs[min(state.position, len(segs) - 1)].item_index
    turn.session.full_steps = turn.session.full_steps | {stretch.id}
    return play(turn, state.with_(position=item_start(segs, item)))


def list_routines(turn: Turn) -> Reply:
    """ "which routines are there": the list; a routine playing waits."""
    pause_here(turn)
    return offer_routines(turn)


def repeat(turn: Turn) -> Reply:
    """ "repeat": in a routine, the side that was playing; outside one, the last reply said again."""
    last = turn.session.last_reply
    if turn.routine is not None or not last:
        return steer(turn, Command.REPEAT)
    return Reply(Speech.parse(last.ssml), Speech.parse(last.reprompt) if last.reprompt else None)


def button(turn: Turn, command: Command | None) -> Reply:
    """A button on the screen: the command it names, as if said; any other is not understood."""
    return steer(turn, command) if command is not None else not_understood(turn)


def help_reply(turn: Turn) -> Reply:
    """What the user can say right now; mid-routine the routine waits for "continue"."""
    state = pause_here(turn)
    if state is not None:
        name = turn.deps.engine.stretch_at(state).name
        return ask(turn, Speech().say(turn.say("help_active", name=name), turn.say("carry_on")), "reprompt_routine")
    return ask(turn, Speech().say(turn.say("help_idle")), "offer_routines_reprompt")


def not_understood(turn: Turn) -> Reply:
    if pause_here(turn) is not None:
        return ask(turn, Speech().say(turn.say("fallback_active")), "reprompt_routine")
    return ask(turn, Speech().say(turn.say("fallback_idle")), "offer_routines_reprompt")
