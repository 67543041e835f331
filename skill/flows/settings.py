"""Settings that change how a routine plays: hold time, repetitions, level, warm-up, sore leg.

The rule between level and hold time: the level sets the hold (beginner: 10 seconds, or a
stretch's shortest hold when its article starts higher; standard: each stretch's own), and an
explicit hold time overrides it until the next level change. Whichever changes the other is
said in the confirmation. A new hold time or level also replaces the holds chosen stretch by
stretch on the way (``skill.flows.growth``). Each stretch keeps the range its article gives, and
the confirmation says so in one sentence ("Holds up to 60 seconds; ..."); a routine never lists
them when it starts; a setting that would make the user's routine longer
than ``LONG_ROUTINE_SECONDS`` is confirmed with its length before it is stored.
"""

from __future__ import annotations

from typing import NamedTuple

from skill.catalogue.model import Catalogue, RoutineItem, SafetyMoment, Stretch
from skill.flows.replies import ask, ask_question
from skill.flows.routines import users_plan, users_routine
from skill.flows.start import start_routine
from skill.flows.describe import not_understood
from skill.flows.steer import pause_here
from skill.flows.turn import SETTING_RANGES, Pending, Question, Turn
from skill.profile import BEGINNER_HOLD_SECONDS, Leg, Level, Profile, WarmUp
from skill.speech import Reply, Speech

LONG_ROUTINE_SECONDS = 30 * 60
HOLD_STEP_SECONDS = 10  # "longer holds" with no number
REPS_STEP = 1  # "more reps" with no number


def confirm(turn: Turn, *texts: str, changed: bool = False) -> Reply:
    """Say ``texts`` and keep listening; mid-routine, the routine waits (and a change applies next time)."""
    speech = Speech().say(*texts)
    if pause_here(turn) is not None:
        if changed:
            speech.say(turn.say("setting_applies_next"))
        speech.say(turn.say("carry_on"))
    return ask(turn, speech, "reprompt_routine" if turn.routine else "help_reprompt")


def routine_seconds(turn: Turn, profile: Profile, routine_id: str | None = None) -> float:
    """How long the user's routine (or ``routine_id``) plays with ``profile``'s settings."""
    return turn.deps.timeline(users_plan(turn, routine_id, profile), profile.familiar()).seconds()


def change_setting(turn: Turn, field: str, value: int, confirmed: bool = False, change: str | None = None) -> Reply:
    """Store hold time or repetitions; a routine over half an hour is confirmed first.

    ``change`` is said after the confirmation ("10 seconds longer than before.").
    """
    profile = turn.user.profile
    changed = profile.with_(**{field: value})
    seconds = routine_seconds(turn, changed)
    if seconds > LONG_ROUTINE_SECONDS and not confirmed:
        routine = turn.routine_name(users_routine(turn))
        speech = Speech().say(turn.say(f"confirm_long_{field}", value=value, routine=routine, length=turn.composer.length(seconds)))
        return ask_question(turn, Question(Pending.CONFIRM_SETTING, field, value), speech)
    if field == "hold_seconds" and value != profile.hold_seconds:  # replaces the holds chosen on the way (``growth``)
        changed = changed.with_(growth=())
    turn.user.change(changed, {field, "growth"})
    extra = [change] if change else []
    if field == "reps":
        return confirm(turn, turn.say(f"reps_set_{reach(turn.deps.catalogue, field, value)}", reps=value), *extra, changed=True)
    texts = [turn.say(f"hold_set_{reach(turn.deps.catalogue, field, value)}", seconds=value), *extra]
    if profile.hold_seconds is None and profile.level is Level.BEGINNER:
        texts.append(turn.say("hold_replaces_beginner", seconds=BEGINNER_HOLD_SECONDS))
    return confirm(turn, *texts, changed=True)


def reach(catalogue: Catalogue, field: str, value: int) -> str:
    """How a hold time or repetition count meets the ranges of the stretches it applies to, alone or in
    any routine: "up_to" (some stop short of it), "at_least" (some start above it), else "nearest".
    The confirmation says which, so that the user hears what they will get.

    >>> from skill.catalogue import load_catalogue
    >>> catalogue = load_catalogue()
    >>> reach(catalogue, "hold_seconds", 60), reach(catalogue, "hold_seconds", 5), reach(catalogue, "reps", 3)
    ('up_to', 'at_least', 'nearest')
    """
    ranges = [
        item.ranges(stretch)[0 if field == "hold_seconds" else 1]
        for item, stretch in _uses(catalogue)
        if stretch.hold_adjustable and (field == "hold_seconds" or stretch.kind == "hold")
    ]
    above, below = any(r.max < value for r in ranges), any(r.min > value for r in ranges)
    return "up_to" if above and not below else "at_least" if below and not above else "nearest"


def _uses(catalogue: Catalogue) -> list[tuple[RoutineItem, Stretch]]:
    """Every way a stretch is played: alone (or in a user's own routine) and in each catalogue routine."""
    alone = [(RoutineItem(stretch.id), stretch) for stretch in catalogue.stretches.values()]
    return alone + [(item, catalogue.stretch(item.stretch_id)) for r in catalogue.routines.values() for item in r.items]


class _Number(NamedTuple):
    """A number setting's question, its step for "more"/"less", and what is said at its ends (range: ``SETTING_RANGES``)."""

    kind: Pending
    outside_key: str
    question_key: str
    plan_field: str  # the PlanItem field it sets
    step: int
    top_key: str
    bottom_key: str
    up_key: str  # "10 seconds longer than before."
    down_key: str


NUMBERS = {
    "hold_seconds": _Number(
        Pending.HOLD_SECONDS, "hold_outside_range", "ask_hold_seconds",
        "hold", HOLD_STEP_SECONDS, "hold_at_longest", "hold_at_shortest", "hold_longer_by", "hold_shorter_by",
    ),
    "reps": _Number(
        Pending.REPS, "reps_outside_range", "ask_reps",
        "reps", REPS_STEP, "reps_at_most", "reps_at_least", "reps_more_by", "reps_fewer_by",
    ),
}


def set_number(turn: Turn, field: str, value: int | None, heard: bool = False) -> Reply:
    """Hold time or repetitions from the user; none, or one out of range, is asked for with the microphone open.

    ``heard`` says a value was said but not understood as a number. Nothing is stored until one in range is heard.
    """
    question = NUMBERS[field]
    low, high = SETTING_RANGES[field]
    if value is not None and low <= value <= high:
        return change_setting(turn, field, value)
    speech = Speech()
    if value is not None:
        speech.say(turn.say(question.outside_key, value=value, low=low, high=high))
    elif heard:
        speech.say(turn.say("number_not_understood"))
    speech.say(turn.say(question.question_key, low=low, high=high))
    return ask_question(turn, Question(question.kind), speech, low=low, high=high)


def answer_number(turn: Turn, number: int | None) -> Reply:
    """A bare number ("twenty"): the answer to the question asked, else a word on how to use it."""
    if turn.was_asked(Pending.HOLD_SECONDS):
        return set_number(turn, "hold_seconds", number, heard=number is None)
    if turn.was_asked(Pending.REPS):
        return set_number(turn, "reps", number, heard=number is None)
    if number is None:
        return confirm(turn, turn.say("number_not_understood"))
    return confirm(turn, turn.say("number_without_question", number=number))


def _usual(values: list[int]) -> int:
    """The value most stretches of a routine use (the smaller one on a tie).

    >>> _usual([30, 20, 30, 5]), _usual([10, 20])
    (30, 10)
    """
    return min(values, key=lambda v: (-values.count(v), v))


def adjust(turn: Turn, field: str, up: bool | None, by: int | None) -> Reply:
    """ "longer holds", "take off five seconds", "two more reps": from what the user gets today, within the range.

    Today's value is the user's own setting, else the one most stretches of their routine use. Without
    a direction (``up`` None) the number itself is asked for.
    """
    if up is None:
        return set_number(turn, field, None)
    number = NUMBERS[field]
    profile = turn.user.profile
    current = getattr(profile.settings(), field)
    if current is None:
        current = _usual([getattr(item, number.plan_field) for item in users_plan(turn)])
    step = by if by is not None and by > 0 else number.step
    low, high = SETTING_RANGES[field]
    start = min(max(current, low), high)  # a routine's own value may lie outside what can be set
    wanted = min(max(start + step if up else start - step, low), high)
    if (wanted <= current) if up else (wanted >= current):
        return confirm(turn, turn.say(number.top_key if up else number.bottom_key, value=current))
    said = turn.say(number.up_key if up else number.down_key, by=abs(wanted - current))
    return change_setting(turn, field, wanted, change=said)


def pace(turn: Turn, slower: bool | None) -> Reply:
    """ "slower" / "too fast": a routine stops where it is and waits; the user hears what makes it gentler or shorter.
    Words that are no pace (``None``) are not understood, never taken for "slower"."""
    if slower is None:
        return not_understood(turn)
    return confirm(turn, turn.say("pace_slower" if slower else "pace_faster"))


def confirm_pending_setting(turn: Turn) -> Reply:
    """Yes to "that makes your routine 45 minutes: keep it?"."""
    asked = turn.asked
    if asked is None or asked.about is None or asked.value is None:
        return confirm(turn, turn.say("nothing_to_confirm"))
    return change_setting(turn, asked.about, asked.value, confirmed=True)


def decline_pending_setting(turn: Turn) -> Reply:
    return confirm(turn, turn.say("setting_unchanged"))


def set_level(turn: Turn, level: str | None) -> Reply:
    """A level replaces an explicit hold time, and says so (``None``: a level the skill does not have)."""
    if level is None:
        return confirm(turn, turn.say("level_unknown"))
    profile = turn.user.profile
    moved = profile.level is not Level(level) or profile.hold_seconds is not None  # the way to longer holds starts again
    changed = profile.with_(level=Level(level), hold_seconds=None, growth=() if moved else profile.growth)
    turn.user.change(changed, {"level", "hold_seconds", "growth"})
    texts = [turn.say(f"level_{level}")]
    if profile.hold_seconds is not None:
        texts.append(turn.say("level_replaces_hold", seconds=profile.hold_seconds))
    return confirm(turn, *texts, changed=True)


def set_warm_up(turn: Turn, choice: str | None) -> Reply:
    """ "always warm up" / "skip the warm-up": for the routines whose article says to warm up first."""
    if choice is None:
        return confirm(turn, turn.say("warm_up_unknown"))
    turn.user.change(turn.user.profile.with_(warm_up=WarmUp(choice)), {"warm_up"})
    if turn.was_asked(Pending.WARM_UP) and turn.about:  # the answer to "warm up first?"
        return start_routine(turn, turn.about, warm_up=WarmUp(choice) is WarmUp.ALWAYS)
    texts = [turn.say(f"warm_up_{choice}")]
    if WarmUp(choice) is WarmUp.SKIP:
        texts.extend(rule.text for rule in turn.deps.catalogue.safety_for(SafetyMoment.WARM_UP_SKIPPED))
    return confirm(turn, *texts, changed=True)


def set_sore_leg(turn: Turn, leg: str | None) -> Reply:
    """Which leg a stretch done on the affected side uses; starts the routine that asked, if one did.
    A leg that is none of left, right or both (``None``) is asked for again."""
    if leg is None:
        return ask_which_leg(turn)
    turn.user.change(turn.user.profile.with_(sore_leg=Leg(leg)), {"sore_leg"})
    if turn.was_asked(Pending.SORE_LEG) and turn.about:
        return start_routine(turn, turn.about)
    return confirm(turn, turn.say(f"sore_leg_{leg}"), changed=True)


def other_leg(turn: Turn) -> Reply:
    """ "my other leg hurts": left becomes right and right becomes left; otherwise ask which."""
    current = turn.user.profile.sore_leg
    if current in (Leg.LEFT, Leg.RIGHT):
        return set_sore_leg(turn, (Leg.RIGHT if current is Leg.LEFT else Leg.LEFT).value)
    return ask_which_leg(turn, "ask_sore_leg")


def ask_which_leg(turn: Turn, key: str = "ask_sore_leg_words") -> Reply:
    """ "Which leg is sore?" (``key``: the plain question, or the one that names the answers), answered by ``set_sore_leg``."""
    return ask_question(turn, Question(Pending.SORE_LEG, turn.about), Speech().say(turn.say(key)))
