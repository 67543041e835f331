"""Opening the skill: ask again the question the last session ended on, carry on an interrupted
routine, offer the user's routine, or welcome a new user."""

from __future__ import annotations

from skill.catalogue.model import SafetyMoment
from skill.flows.progress import saved_routine, stored_question
from skill.flows.replies import ask, ask_question
from skill.flows.routines import users_routine
from skill.flows.turn import ASKED, Pending, Question, Turn
from skill.speech import Reply, Speech


# The first-use advice that belongs before anyone gets on the floor.
SPACE_AND_CLOTHES = "clothes_and_space"


def launch(turn: Turn) -> Reply:
    profile = turn.user.profile
    question = stored_question(turn)
    if question is not None and question.about is not None:  # newer than any stored place: asked after it
        again = ASKED[question.kind].again
        assert again is not None
        name = turn.routine_name(question.about)
        speech = Speech().say(turn.say("welcome_back"), turn.say(again, routine=name))
        return ask_question(turn, question, speech, routine=name)
    saved = saved_routine(turn)
    if saved is not None:
        turn.session.routine = saved
        stretch = turn.deps.engine.stretch_at(saved)
        speech = Speech().say(
            turn.say("welcome_back"),
            turn.say("offer_continue", routine=turn.routine_name(saved.routine_id), stretch=stretch.name),
        )
        return ask_question(turn, Question(Pending.CARRY_ON, saved.routine_id), speech)
    if profile.own_routine or profile.preferred_routine:
        name = turn.routine_name(users_routine(turn))
        speech = Speech().say(turn.say("welcome_back"), turn.say("offer_users_routine", routine=name))
        return ask(turn, speech, "offer_routines_reprompt")
    speech = Speech().say(turn.say("welcome"))
    if not profile.disclaimer_given:
        speech.say(turn.say("disclaimer"))
        speech.say(*(r.text for r in turn.deps.catalogue.safety_for(SafetyMoment.FIRST_USE) if r.id == SPACE_AND_CLOTHES))
        turn.user.change(profile.with_(disclaimer_given=True), {"disclaimer_given"})
    return ask(turn, speech.say(turn.say("offer_routines")), "offer_routines_reprompt")
