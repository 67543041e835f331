"""How the back feels after a routine, and "how am I doing": days in a row, sessions, minutes, trend."""

from __future__ import annotations

from skill.catalogue.model import SafetyMoment
from skill.flows.growth import progress_lines
from skill.flows.replies import ask, ask_question, close
from skill.flows.settings import confirm
from skill.flows.turn import Pending, Question, Turn
from skill.speech import Reply, Speech
from skill.stretch_memory import worse

# How many recent answers the trend looks at.
TREND_ANSWERS = 5


def feeling(turn: Turn, answer: str | None) -> Reply:
    """Keep the answer (better, same, worse) with its time; two "worse" in a row bring the advice to see someone.
    Words that are none of them (``None``) ask for one of them."""
    if answer is None:
        return ask_feeling_again(turn)
    today = turn.today()  # first: it may keep the user's time zone in the profile
    user, now = turn.user, turn.now_ms() // 1000
    profile = user.profile.record_feeling(today, answer, now)
    if answer == "worse":  # no longer hold is offered straight after it: the comfortable counts start again
        profile = profile.with_(growth=worse(profile.growth))
    speech = Speech().say(turn.say(f"feeling_{answer}"))
    if profile.worse_twice():
        speech.say(turn.say("feeling_worse_twice"))
        speech.say(*(rule.text for rule in turn.deps.catalogue.safety_for(SafetyMoment.AFTER_PAIN)))
        profile = profile.with_(doctor_advised=now)  # the next session asks whether they have (``doctor``)
    user.change(profile, {"feelings", "doctor_advised", "growth"})
    if turn.was_asked(Pending.FEELING) or turn.routine is None:
        return close(speech.say(turn.say("goodbye")))
    return ask(turn, speech.say(turn.say("carry_on")), "reprompt_routine")


def skip_feeling(turn: Turn) -> Reply:
    """ "skip" or "no" to the check-in: fine."""
    return close(Speech().say(turn.say("goodbye")))


def ask_feeling_again(turn: Turn) -> Reply:
    """ "yes" to "how does your back feel", or words that are no feeling: ask for the word."""
    return ask_question(turn, Question(Pending.FEELING, turn.about), Speech().say(turn.say("ask_feeling_words")))


def offer_another(turn: Turn) -> Reply:
    """ "next" or "continue" to the check-in: the routine is over, so what comes next is another one, or goodbye."""
    return ask_question(turn, Question(Pending.ANOTHER_ROUTINE, turn.about), Speech().say(turn.say("ask_another_routine")))


def report(turn: Turn) -> Reply:
    """ "how am I doing": the figures, then the routine (if one is playing) waits."""
    return confirm(turn, *stats(turn))


def stats(turn: Turn) -> list[str]:
    """Days in a row, sessions and minutes this week, how the back has felt lately, and the way to longer holds."""
    profile = turn.user.profile
    today = turn.today()
    streak, week = profile.streak(today), profile.sessions_this_week(today)
    minutes = profile.minutes_this_week(today)
    if week == 0:
        return [turn.say("stats_none"), *progress_lines(turn)]
    said = [
        turn.say("stats_streak_one" if streak <= 1 else "stats_streak", days=streak),
        turn.say("stats_week" if minutes else "stats_week_no_minutes", days=week, minutes=minutes),
    ]
    recent = profile.recent_feelings(TREND_ANSWERS)  # every answer, several a day too
    if recent:
        counts = [(name, recent.count(name)) for name in ("better", "same", "worse") if recent.count(name)]
        if len(recent) == 1:
            said.append(turn.say("trend_one", feeling=turn.say(f"feeling_word_{recent[0]}")))
        else:
            parts = [turn.say(f"trend_{name}", times=count) if count > 1 else turn.say(f"trend_{name}_once") for name, count in counts]
            said.append(turn.say("trend", answers=len(recent), parts=turn.phrases.join(parts)))
    return said + progress_lines(turn)  # on the way to longer holds, and what hurt

