"""The card the Alexa app shows after a routine: what was done, the user's settings, and the words
that start it again (many users look there afterwards). Plain text, a Simple card: it reads the
same on every app and stays far inside Alexa's limits.

Example:
    >>> from skill.profile import Profile, Leg
    >>> from skill.speech import phrases_for
    >>> settings_words(phrases_for("en-US"), Profile(hold_seconds=30, reps=3, sore_leg=Leg.LEFT))
    'holds of 30 seconds, 3 repetitions, standard level, left leg sore'
"""

from __future__ import annotations

from skill.engine.state import OWN_ROUTINE
from skill.flows.turn import Turn
from skill.profile import Profile, WarmUp
from skill.speech import Card, Phrases


def settings_words(phrases: Phrases, profile: Profile) -> str:
    """The user's settings in a few words each: hold, repetitions, level, sore leg, warm-up."""
    words = [
        phrases.say("card_hold", seconds=profile.hold_seconds) if profile.hold_seconds else phrases.say("card_hold_default"),
        phrases.say("card_reps", reps=profile.reps) if profile.reps else phrases.say("card_reps_default"),
        phrases.say(f"card_level_{profile.level.value}"),
    ]
    if profile.sore_leg is not None:
        words.append(phrases.say(f"card_sore_leg_{profile.sore_leg.value}"))
    if profile.warm_up is not None:
        words.append(phrases.say("card_warm_up" if profile.warm_up is WarmUp.ALWAYS else "card_no_warm_up"))
    return ", ".join(words)


def routine_card(turn: Turn, routine_id: str, done: int, skipped: int, seconds: float) -> Card:
    """The card for a routine heard to its end."""
    name = turn.routine_name(routine_id)
    lines = [turn.say("card_done", routine=name, stretches=done, length=turn.composer.length(seconds))]
    if skipped:
        lines.append(turn.say("card_skipped", stretches=skipped))
    lines.append(turn.say("card_settings", settings=settings_words(turn.phrases, turn.user.profile)))
    lines.append(turn.say("card_again_own") if routine_id == OWN_ROUTINE else turn.say("card_again", routine=name))
    return Card(turn.say("card_title", routine=name), "\n".join(lines))
