"""Settings that change how a routine plays: hold time, repetitions, level, warm-up, sore leg.

The rule between level and hold time: the level sets the hold (beginner: 10 seconds;
standard: each stretch's own), and an explicit hold time overrides it until the next
level change. Whichever changes the other is said in the confirmation. Each stretch
still keeps its own safe range; a setting that would make the user's routine longer
than ``LONG_ROUTINE_SECONDS`` is confirmed with its length before it is stored.
"""

from __future__ import annotations

from skill.catalogue.model import SafetyMoment
from skill.engine import build_plan
from skill.flows.replies import ask
from skill.flows.routines import routine_items, users_routine
from skill.flows.start import start_routine
from skill.flows.steer import pause_here
from skill.flows.turn import Pending, Turn
from skill.profile import BEGINNER_HOLD_SECONDS, Profile
from skill.speech import Reply, Speech

LONG_ROUTINE_SECONDS = 30 * 60


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
    routine_id = routine_id or users_routine(turn)
    plan = build_plan(routine_items(turn, routine_id), turn.deps.catalogue, profile.settings())
    return turn.deps.timeline(plan, profile.familiar()).seconds()


def change_setting(turn: Turn, field: str, value: int, confirmed: bool = False) -> Reply:
    """Store hold time or repetitions; a routine over half an hour is confirmed first."""
    profile = turn.user.profile
    changed = profile.with_(**{field: value})
    seconds = routine_seconds(turn, changed)
    if seconds > LONG_ROUTINE_SECONDS and not confirmed:
        turn.session.pending = Pending.CONFIRM_SETTING
        turn.session.pending_setting = (field, value)
        routine = turn.routine_name(users_routine(turn))
        speech = Speech().say(turn.say(f"confirm_long_{field}", value=value, routine=routine, length=turn.composer.length(seconds)))
        return ask(turn, speech, "confirm_long_reprompt")
    turn.user.change(changed, {field})
    if field == "reps":
        return confirm(turn, turn.say("reps_set" if value > 1 else "reps_set_one", reps=value), turn.say("ranges_apply"), changed=True)
    texts = [turn.say("hold_set", seconds=value)]
    if profile.hold_seconds is None and profile.level == "beginner":
        texts.append(turn.say("hold_replaces_beginner", seconds=BEGINNER_HOLD_SECONDS))
    return confirm(turn, *texts, turn.say("ranges_apply"), changed=True)


def confirm_pending_setting(turn: Turn) -> Reply:
    """Yes to "that makes your routine 45 minutes: keep it?"."""
    setting = turn.session.pending_setting
    if setting is None:
        return confirm(turn, turn.say("nothing_to_confirm"))
    return change_setting(turn, setting[0], setting[1], confirmed=True)


def decline_pending_setting(turn: Turn) -> Reply:
    return confirm(turn, turn.say("setting_unchanged"))


def set_level(turn: Turn, level: str) -> Reply:
    """A level replaces an explicit hold time, and says so."""
    profile = turn.user.profile
    turn.user.change(profile.with_(level=level, hold_seconds=None), {"level", "hold_seconds"})
    texts = [turn.say(f"level_{level}")]
    if profile.hold_seconds is not None:
        texts.append(turn.say("level_replaces_hold", seconds=profile.hold_seconds))
    return confirm(turn, *texts, changed=True)


def set_warm_up(turn: Turn, choice: str) -> Reply:
    """ "always warm up" / "skip the warm-up": for the routines whose article says to warm up first."""
    turn.user.change(turn.user.profile.with_(warm_up=choice), {"warm_up"})
    if turn.asked is Pending.WARM_UP and turn.session.pending_routine:  # the answer to "warm up first?"
        return start_routine(turn, turn.session.pending_routine, warm_up=choice == "always")
    texts = [turn.say(f"warm_up_{choice}")]
    if choice == "skip":
        texts.extend(rule.text for rule in turn.deps.catalogue.safety_for(SafetyMoment.WARM_UP_SKIPPED))
    return confirm(turn, *texts, changed=True)


def set_sore_leg(turn: Turn, leg: str) -> Reply:
    """Which leg a stretch done on the affected side uses; starts the routine that asked, if one did."""
    turn.user.change(turn.user.profile.with_(sore_leg=leg), {"sore_leg"})
    if turn.asked is Pending.SORE_LEG and turn.session.pending_routine:
        return start_routine(turn, turn.session.pending_routine)
    return confirm(turn, turn.say(f"sore_leg_{leg}"), changed=True)


def other_leg(turn: Turn) -> Reply:
    """ "my other leg hurts": left becomes right and right becomes left; otherwise ask which."""
    current = turn.user.profile.sore_leg
    if current in ("left", "right"):
        return set_sore_leg(turn, "right" if current == "left" else "left")
    turn.session.pending = Pending.SORE_LEG
    return ask(turn, Speech().say(turn.say("ask_sore_leg")), "ask_sore_leg")
