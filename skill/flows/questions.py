"""The questions the skill asks, and what each answer does to each: one table, one dispatch.

A question is one typed value (``turn.Question``: its kind and what it is about), asked through
``replies.ask_question`` (which gives it its reprompt) and answered here, before any intent's
own flow: yes, no, and the go-on words ("next", "continue", "go on", "ready", "let's go") are
looked up in ``ANSWERS`` for the question waiting. Answers in words of their own ("the left
one", "twenty", "better") reach the flow of their intent, which reads ``turn.asked``.

The go-on words say yes to every yes/no question but two, for a reason: they never delete the
user's data (that takes a plain yes), and "continue" to "stop this routine and start another?"
carries on with the routine playing. To the closing check-in they offer what comes next. To a
question answered in words ("how many seconds?", "which leg?", "what time?") they ask for the
words, or, asked in the middle of a routine, carry on with it, so that no question is a loop. To the
questions before a stretch (``skill.flows.growth``) they take the safe way on: a stretch that hurt
gentler, a longer hold not taken (offered again another time); "skip" there leaves the stretch out,
as it always does.

Example:
    >>> sorted(p.value for p in Pending) == sorted(p.value for p in ANSWERS)
    True
"""

from __future__ import annotations

from enum import Enum
from typing import Callable, NamedTuple

from skill.engine import Moment, RoutineState, SegmentKind, Span, Where
from skill.flows.progress import forget_progress, keep_progress
from skill.flows.replies import ask, ask_question, close
from skill.flows import checkin, doctor, growth, settings, welcome
from skill.flows.playing import play
from skill.flows.routines import users_routine
from skill.flows.start import offer_routines, start_routine
from skill.flows.steer import Command, carry_on, pause_here, steer
from skill.flows.turn import Pending, Question, Turn
from skill.flows.user_data import Deletion
from skill.speech import Reply, Speech

Flow = Callable[[Turn], Reply]


class Said(str, Enum):
    """The answers every question takes."""

    YES = "yes"
    NO = "no"
    GO_ON = "go_on"  # "next", "continue", "go on", "ready", "let's go"


def _decline_carry_on(turn: Turn) -> Reply:
    forget_progress(turn)
    return offer_routines(turn, "continue_declined")


def _skip_after_pain(turn: Turn) -> Reply:
    """On to the next stretch: the one that hurt is left out, never carried on with."""
    return steer(turn, Command.SKIP)


def _go_on_after_pain(turn: Turn) -> Reply:
    """On to the stretch that was announced: the one that hurt was done, so nothing is skipped."""
    return steer(turn, Command.CONTINUE)


def _stop_after_pain(turn: Turn) -> Reply:
    keep_progress(turn)
    turn.session.routine = None
    return close(Speech().say(turn.say("pain_stop")))


def ask_delete(turn: Turn) -> Reply:
    """ "delete my data": asked first, the routine waiting."""
    pause_here(turn)
    return ask_question(turn, Question(Pending.DELETE_DATA), Speech().say(turn.say("delete_confirm")))


def _delete_data(turn: Turn) -> Reply:
    turn.session.routine = None
    key = {Deletion.DONE: "deleted", Deletion.FAILED: "delete_failed", Deletion.UNCONFIRMED: "delete_unconfirmed"}[turn.user.delete()]
    return ask(turn, Speech().say(turn.say(key)), "help_reprompt")


def _keep_data(turn: Turn) -> Reply:
    return ask(turn, Speech().say(turn.say("delete_kept")), "help_reprompt")


def _delete_needs_yes(turn: Turn) -> Reply:
    """Go-on words never delete anything: the question again, with its plain answers."""
    return ask_question(turn, Question(Pending.DELETE_DATA), Speech().say(turn.say("delete_confirm_reprompt")))


def _routine_asked_about(turn: Turn) -> str:
    return turn.about or users_routine(turn)


def _warm_up_first(turn: Turn) -> Reply:
    return start_routine(turn, _routine_asked_about(turn), warm_up=True)


def _no_warm_up(turn: Turn) -> Reply:
    return start_routine(turn, _routine_asked_about(turn), warm_up=False)


def _both_legs(turn: Turn) -> Reply:
    return settings.set_sore_leg(turn, "both")


def _go_on(turn: Turn) -> Reply:
    return start_routine(turn, _routine_asked_about(turn), warm_up=False)


def _stop_here(turn: Turn) -> Reply:
    return close(Speech().say(turn.say("goodbye")))


def _switch_routine(turn: Turn) -> Reply:
    return start_routine(turn, _routine_asked_about(turn))


def _keep_routine(turn: Turn) -> Reply:
    return steer(turn, Command.CONTINUE)


def _hold_yes(turn: Turn) -> Reply:
    """Yes to "how many seconds?": the question again, for the number itself."""
    return settings.set_number(turn, "hold_seconds", None)


def _reps_yes(turn: Turn) -> Reply:
    return settings.set_number(turn, "reps", None)


def _another_routine(turn: Turn) -> Reply:
    return offer_routines(turn)


def ask_reminder_time(turn: Turn, *before: str) -> Reply:
    """ "What time each day?": the next SetReminderIntent (a bare time too) answers it; a routine waits."""
    pause_here(turn)
    return ask_question(turn, Question(Pending.REMINDER_TIME), Speech().say(*before, turn.say("reminder_ask_time")))


def spoken_time(turn: Turn, time: tuple[int, int]) -> str:
    """A time of day as the locale says it: "7 a.m.", "6:30 p.m.", "noon"."""
    hour, minute = time
    if time == (0, 0):
        return turn.say("time_midnight")
    if time == (12, 0):
        return turn.say("time_noon")
    twelve = hour % 12 or 12
    if hour < 12:
        return turn.say("time_am_hour", hour=twelve) if minute == 0 else turn.say("time_am", hour=twelve, minute=f"{minute:02d}")
    return turn.say("time_pm_hour", hour=twelve) if minute == 0 else turn.say("time_pm", hour=twelve, minute=f"{minute:02d}")


def ask_reminder_consent(turn: Turn, time: tuple[int, int]) -> Reply:
    """ "A reminder every day at 7 p.m.: shall I set it?": the user's consent to this reminder, asked
    each time before one is created (its yes: ``skill.handlers.reminders``); a routine waits."""
    pause_here(turn)
    spoken = spoken_time(turn, time)
    question = Question(Pending.REMINDER_CONSENT, None, time[0] * 60 + time[1])
    return ask_question(turn, question, Speech().say(turn.say("reminder_confirm", time=spoken)), time=spoken)


def consent_time(turn: Turn) -> tuple[int, int] | None:
    """The time of day the consent question waiting is about."""
    value = turn.asked.value if turn.was_asked(Pending.REMINDER_CONSENT) and turn.asked is not None else None
    return None if value is None else divmod(value, 60)


def _ask_reminder_consent_again(turn: Turn) -> Reply:
    time = consent_time(turn)
    return ask_reminder_time(turn) if time is None else ask_reminder_consent(turn, time)


def _no_reminder(turn: Turn) -> Reply:
    return settings.confirm(turn, turn.say("reminder_not_set"))


def _doctor_seen(turn: Turn) -> Reply:
    """Yes, they have seen a doctor or physiotherapist: on as usual (the routine that waited, or the welcome)."""
    doctor.seen(turn)
    if turn.about is not None:
        return start_routine(turn, turn.about)
    return welcome.launch(turn, greeting="doctor_seen")


def _doctor_asked_again(turn: Turn) -> Reply:
    """Go-on words are no answer to "have you seen a doctor?": the question again, for yes or no."""
    return doctor.ask_seen_doctor(turn, turn.about)


def _gentlest(turn: Turn) -> Reply:
    return start_routine(turn, doctor.GENTLEST_ROUTINE)


def _rest_today(turn: Turn) -> Reply:
    return close(Speech().say(turn.say("doctor_rest_today")))


def _at_stretch(turn: Turn) -> tuple[RoutineState, int] | None:
    """The routine waiting at the start of the stretch a question before it is about, and that stretch's
    index; None when the answer came before the question can have been heard, or the place moved.

    The question closes a long response: said early for the voice the skill models (words a fifth
    faster end a three-minute response many seconds sooner), an answer is still an answer when the
    timing allows that the whole response was heard (the latest place is its end)."""
    state, moment = turn.routine, turn.moment
    if state is None or moment is None or turn.about is None:
        return None
    if moment.where is Where.INTERRUPTED:
        latest = moment.place.latest
        if latest <= state.position:
            return None
        state = turn.deps.engine.at_likely(Moment(state, Where.INTERRUPTED, Span(latest, latest, latest)))
    segments = turn.deps.engine.segments_of(state)
    if state.position >= len(segments) or segments[state.position].kind is not SegmentKind.STRETCH:
        return None
    index = segments[state.position].item_index
    return (state, index) if state.items[index].stretch_id == turn.about else None


def _stretch_answer(answered: Callable[[Turn, RoutineState, int], Reply], otherwise: Command) -> Flow:
    """An answer to a question before a stretch; said before the question was heard, it steers (``otherwise``)."""

    def flow(turn: Turn) -> Reply:
        place = _at_stretch(turn)
        return steer(turn, otherwise) if place is None else answered(turn, *place)

    return flow


def _gentler_today(turn: Turn, state: RoutineState, index: int) -> Reply:
    """Yes (or go on) to "it hurt: gentler today?": this time only, a shorter hold and fewer repetitions."""
    items = list(state.items)
    gentle = growth.gentler(turn, state.routine_id, items[index])
    name = turn.deps.catalogue.stretch(gentle.stretch_id).name
    said = turn.say("hurt_gentler_ok", gentle=growth.describe(turn, gentle)) if gentle != items[index] else turn.say("hurt_as_is_ok", name=name)
    items[index] = gentle
    return play(turn, state.with_(items=tuple(items), answered=state.answered + (index,)), Speech().say(said))


def _leave_out(turn: Turn, state: RoutineState, index: int) -> Reply:
    """No to "it hurt: gentler today?": left out this time (asked again if the user goes back to it)."""
    name = turn.deps.catalogue.stretch(state.items[index].stretch_id).name
    left_out = turn.deps.engine.skip(Moment(state, Where.STOPPED))
    return play(turn, left_out, Speech().say(turn.say("hurt_left_out", name=name)))


def _longer(turn: Turn, state: RoutineState, index: int) -> Reply:
    """Yes to "shall we try 15?": stored (before it is said), and played from this stretch on."""
    seconds = turn.asked.value if turn.asked is not None and turn.asked.value is not None else state.items[index].hold
    name = turn.deps.catalogue.stretch(state.items[index].stretch_id).name
    chosen = growth.choose_longer(turn, state, index, seconds)
    return play(turn, chosen, Speech().say(turn.say("longer_hold_yes", name=name, longer=seconds)))


def _same_hold(turn: Turn, state: RoutineState, index: int) -> Reply:
    """No: the hold stays, and the offer waits for another run of comfortable times."""
    item = state.items[index]
    name = turn.deps.catalogue.stretch(item.stretch_id).name
    return play(turn, growth.keep_hold(turn, state, index), Speech().say(turn.say("longer_hold_no", name=name, seconds=item.hold)))


def _not_now(turn: Turn, state: RoutineState, index: int) -> Reply:
    """Go-on words to the offer: on at the same hold, nothing stored (offered again next routine)."""
    return play(turn, state.with_(answered=state.answered + (index,)))


def _carry_on_else(flow: Flow) -> Flow:
    """Go-on words to a question they do not say yes to: in the middle of a routine it plays on (the
    question dropped, nothing changed); otherwise ``flow``."""

    def go_on(turn: Turn) -> Reply:
        return steer(turn, Command.CONTINUE) if turn.routine is not None else flow(turn)

    return go_on


class Answers(NamedTuple):
    """What yes, no and the go-on words do to one kind of question."""

    yes: Flow
    no: Flow
    go_on: Flow


ANSWERS: dict[Pending, Answers] = {
    Pending.CARRY_ON: Answers(carry_on, _decline_carry_on, carry_on),
    Pending.SKIP_AFTER_PAIN: Answers(_skip_after_pain, _stop_after_pain, _skip_after_pain),
    Pending.GO_ON_AFTER_PAIN: Answers(_go_on_after_pain, _stop_after_pain, _go_on_after_pain),
    Pending.DELETE_DATA: Answers(_delete_data, _keep_data, _carry_on_else(_delete_needs_yes)),
    Pending.WARM_UP: Answers(_warm_up_first, _no_warm_up, _warm_up_first),
    Pending.SORE_LEG: Answers(settings.ask_which_leg, _both_legs, _carry_on_else(settings.ask_which_leg)),
    Pending.CONFIRM_SETTING: Answers(settings.confirm_pending_setting, settings.decline_pending_setting, settings.confirm_pending_setting),
    Pending.FEELING: Answers(checkin.ask_feeling_again, checkin.skip_feeling, checkin.offer_another),
    Pending.GO_ON: Answers(_go_on, _stop_here, _go_on),
    Pending.SWITCH_ROUTINE: Answers(_switch_routine, _keep_routine, _keep_routine),
    Pending.HOLD_SECONDS: Answers(_hold_yes, settings.decline_pending_setting, _carry_on_else(_hold_yes)),
    Pending.REPS: Answers(_reps_yes, settings.decline_pending_setting, _carry_on_else(_reps_yes)),
    Pending.ANOTHER_ROUTINE: Answers(_another_routine, _stop_here, _another_routine),
    Pending.REMINDER_TIME: Answers(ask_reminder_time, _no_reminder, _carry_on_else(ask_reminder_time)),
    # Yes to a reminder is taken by the reminder handler, which has Alexa's API (``Dispatch.operation``
    # asks the handlers' answer tables first); the go-on words are no consent: the question again.
    Pending.REMINDER_CONSENT: Answers(
        _carry_on_else(_ask_reminder_consent_again), _no_reminder, _carry_on_else(_ask_reminder_consent_again),
    ),
    Pending.SEEN_DOCTOR: Answers(_doctor_seen, doctor.offer_gentlest, _doctor_asked_again),
    Pending.GENTLE_ROUTINE: Answers(_gentlest, _rest_today, _gentlest),
    # Before a stretch, mid-routine: the go-on words take the safe way on (gentler; the same hold).
    Pending.HURT_BEFORE: Answers(
        _stretch_answer(_gentler_today, Command.CONTINUE), _stretch_answer(_leave_out, Command.PAUSE),
        _stretch_answer(_gentler_today, Command.CONTINUE),
    ),
    Pending.LONGER_HOLD: Answers(
        _stretch_answer(_longer, Command.CONTINUE), _stretch_answer(_same_hold, Command.PAUSE),
        _stretch_answer(_not_now, Command.CONTINUE),
    ),
}


def takes(turn: Turn, said: Said) -> bool:
    """Whether ``said`` is for this table: yes and no always; the go-on words when a question waits
    and was heard (said while a routine still plays before its closing question, they steer it)."""
    if said is not Said.GO_ON:
        return True
    return turn.asked is not None and turn.where is not Where.INTERRUPTED


def answer(turn: Turn, said: Said) -> Reply:
    """The answer to the question waiting; with none, yes and no mean "carry on" and "pause" during a
    routine, and outside one, yes starts the user's routine and no says goodbye."""
    if turn.asked is not None:
        answers = ANSWERS[turn.asked.kind]
        return {Said.YES: answers.yes, Said.NO: answers.no, Said.GO_ON: answers.go_on}[said](turn)
    if turn.routine is not None:
        return steer(turn, Command.PAUSE if said is Said.NO else Command.CONTINUE)
    if said is not Said.NO:  # "okay", "let's do it" with nothing asked: what the user came for
        return start_routine(turn, users_routine(turn))
    return close(Speech().say(turn.say("goodbye")))


def silence(turn: Turn) -> None:
    """The session ended without an answer (silence after the reprompt, "exit", or the user left):
    the routine's place is kept, and so is the question (``progress.keep_question`` stores the
    kinds a later launch asks again)."""
    pause_here(turn)
    turn.session.question = turn.asked
