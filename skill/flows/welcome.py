"""Opening the skill (ask again the question the last session ended on, carry on an interrupted
routine, offer the user's routine, or welcome a new user) and leaving it."""

from __future__ import annotations

from skill.engine import Status
from skill.flows.doctor import ask_seen_doctor, needs_asking
from skill.flows.playing import finish_if_heard
from skill.flows.start import first_tip
from skill.flows.progress import keep_progress, saved_routine, stored_question
from skill.flows.replies import ask, ask_question, close
from skill.flows.steer import pause_here
from skill.flows.routines import users_routine
from skill.flows.turn import ASKED, Pending, Question, Turn
from skill.flows.user_data import Deletion
from skill.speech import Reply, Speech


def launch(turn: Turn, greeting: str = "welcome_back") -> Reply:
    """``greeting``: the phrase that opens a returning user's welcome."""
    profile = turn.user.profile
    if needs_asking(turn):  # told to see a doctor last time: that comes first
        return ask_seen_doctor(turn, None, turn.say("welcome_back"))
    question = stored_question(turn)
    if question is not None and question.about is not None:  # newer than any stored place: asked after it
        again = ASKED[question.kind].again
        assert again is not None
        name = turn.routine_name(question.about)
        speech = Speech().say(turn.say(greeting), turn.say(again, routine=name))
        return ask_question(turn, question, speech, routine=name)
    saved = saved_routine(turn)
    if saved is not None:
        turn.session.routine = saved
        stretch = turn.deps.engine.stretch_at(saved)
        speech = Speech().say(
            turn.say(greeting),
            turn.say("offer_continue", routine=turn.routine_name(saved.routine_id), stretch=stretch.name),
        )
        return ask_question(turn, Question(Pending.CARRY_ON, saved.routine_id), speech)
    if profile.own_routine or profile.preferred_routine:
        name = turn.routine_name(users_routine(turn))
        speech = Speech().say(turn.say(greeting), turn.say("offer_users_routine", routine=name))
        return ask(turn, speech, "offer_routines_reprompt")
    speech = Speech().say(turn.say("welcome"))
    if not profile.disclaimer_given:
        speech.say(turn.say("disclaimer"), *first_tip(turn))
        turn.user.change(profile.with_(disclaimer_given=True), {"disclaimer_given"})
    return ask(turn, speech.say(turn.say("offer_routines")), "offer_routines_reprompt")


def stop(turn: Turn) -> Reply:
    """ "stop", "cancel", "go home": goodbye, saying the place in an unfinished routine is kept (unless
    the store could not keep it)."""
    finish_if_heard(turn)  # heard to its end, it is done: nothing to keep
    state = pause_here(turn)
    keep_progress(turn)  # the place goes into the profile before the routine leaves the session
    turn.session.routine = None
    goodbye = close(Speech().say(turn.say("goodbye")))
    if state is None or state.status is Status.FINISHED:
        return goodbye
    return Reply(Speech().say(turn.say("goodbye_saved")), end_session=True, if_not_stored=goodbye.speech)


class DeliverAgain(Exception):
    """A skill event that could not be processed: the entry point answers with an error, not a
    response, so that Alexa delivers the event again (deleting is idempotent)."""


def disabled(turn: Turn, kept_by_alexa: bool) -> None:
    """The user disabled the skill; unless Alexa keeps their data for a comeback, it is deleted.

    A deletion the store could not do raises ``DeliverAgain``: answering as if it were done
    would lose the only request to delete the data.
    """
    if not kept_by_alexa and turn.user.delete() is not Deletion.DONE:
        raise DeliverAgain("could not delete the user's data on SkillDisabled")
