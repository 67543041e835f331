"""Growing with the user and remembering pain, one stretch at a time (``skill.stretch_memory`` keeps both).

A routine plays hands-free through long responses; a question about a stretch ends the response
just before that stretch (``question_before``, called by ``playing.play``) and waits, the routine
paused at the stretch's start. Its answers are in ``skill.flows.questions``. At most one of these
questions comes before any one stretch of a routine (``RoutineState.answered``):

- A stretch that hurt (``remember_hurt``: "this hurts" during it) is asked about before it starts,
  every time a routine reaches it, until it has been done without pain on ``PAIN_FREE_SESSIONS``
  later days: gentler today (``gentler``: a shorter hold and fewer repetitions), or left out.
- A stretch done comfortably on ``OFFER_AFTER`` days is offered ``HOLD_STEP_SECONDS`` more: offered,
  never made; one offer a routine; none while it is remembered as hurting, after a "worse" check-in
  (the counts start again: ``stretch_memory.worse``) or while the doctor advice stands.

Each routine plays a stretch within the range of the article it takes it from (``ranges_in``: the
morning knee hug follows 004's 15-20 s once a side, the lower back routine's follows 003's 10-20 s,
3-5 times). The memory is the stretch's, the numbers are the routine's:

- A day counts (``after_routine``) for a stretch played at its ``usual_hold`` in that routine: the
  hold the user's settings give it there, or their chosen hold clamped to that routine's range; a
  routine whose article gives one figure (the full back routine's 30 s) neither counts nor resets.
  The count is of days at the recorded hold or longer (``stretch_memory.comfortable``).
- An offer is one step within that routine's article range, made where the routine plays the stretch
  at its usual hold and at least the counted one; none where that hold is the range's longest.
- A chosen hold is stored once for the stretch and played in each routine clamped to its range
  (``grown``): 20 s chosen in the morning is 20 s in the lower back routine, 30 s in the full back's.
- Gentler never leaves the routine's range: about half the hold and the repetitions, no less than its
  article's least. Where nothing is gentler (004's once a side at 15 s), it is offered as it is, or
  left out.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, NamedTuple

from skill.catalogue.model import Range, RoutineItem
from skill.engine import PlanItem, RoutineState, Segment, SegmentKind, build_plan
from skill.flows.routines import routine_items
from skill.flows.turn import Pending, Question, Turn
from skill.profile import Profile
from skill.speech import Speech
from skill.stretch_memory import HOLD_STEP_SECONDS, OFFER_AFTER, PAIN_FREE_SESSIONS, Growth, comfortable, hurt, pain_free

MAX_SAID = 3  # stretches "how am I doing" names, at most


class Ask(NamedTuple):
    """A question before the stretch at segment ``at``: what it is, its words, and its reprompt's values."""

    at: int
    question: Question
    speech: Speech
    values: dict[str, Any]


def usual_hold(turn: Turn, routine_id: str, stretch_id: str, profile: Profile | None = None) -> int | None:
    """The hold ``stretch_id`` plays at in ``routine_id`` by the user's settings, raised to a hold they chose
    on the way (clamped to that routine's article range); None where its hold does not grow there: a counted
    move, a fixed timing, or an article that gives one figure (the full back routine's 30 s knee hug).

    A beginner who chose 15 s for the knee hug: 15 s alone or in the lower back routine (003: 10-20 s),
    15 s in the morning routine (004: 15-20 s), None in the full back routine (001: 30 s).
    """
    profile = profile or turn.user.profile
    stretch = turn.deps.catalogue.stretch(stretch_id)
    hold_range = ranges_in(turn, routine_id, stretch_id)[0]
    if stretch.kind != "hold" or not stretch.hold_adjustable or hold_range.min == hold_range.max:
        return None
    hold = _settings_hold(turn, routine_id, stretch_id, profile)
    record = dict(profile.growth).get(stretch_id)
    return max(hold, hold_range.clamp(record.hold)) if record is not None and record.chosen else hold


def _settings_hold(turn: Turn, routine_id: str, stretch_id: str, profile: Profile) -> int:
    return build_plan((_item(turn, routine_id, stretch_id),), turn.deps.catalogue, profile.settings())[0].hold


def _item(turn: Turn, routine_id: str, stretch_id: str) -> RoutineItem:
    """How ``routine_id`` uses ``stretch_id`` (with the ranges of the article it takes it from)."""
    return next((item for item in routine_items(turn, routine_id) if item.stretch_id == stretch_id), RoutineItem(stretch_id))


def ranges_in(turn: Turn, routine_id: str, stretch_id: str) -> tuple[Range, Range]:
    """The hold and repetition ranges ``stretch_id`` plays within in ``routine_id``: those of the article
    that routine takes it from (the morning knee hug: 004's 15-20 s), else the stretch's own."""
    return _item(turn, routine_id, stretch_id).ranges(turn.deps.catalogue.stretch(stretch_id))


def grown(turn: Turn, routine_id: str, items: tuple[PlanItem, ...]) -> tuple[PlanItem, ...]:
    """The plan with the holds the user chose on the way: only where the plan has the hold the settings
    give in this routine, and never past the range of the article the routine takes the stretch from."""
    profile = turn.user.profile
    chosen = {s for s, g in profile.growth if g.chosen}
    if not chosen:
        return items
    result = []
    for item in items:
        usual = usual_hold(turn, routine_id, item.stretch_id, profile) if item.stretch_id in chosen else None
        if usual is not None and item.hold == _settings_hold(turn, routine_id, item.stretch_id, profile):
            item = item._replace(hold=usual)
        result.append(item)
    return tuple(result)


def gentler(turn: Turn, routine_id: str, item: PlanItem) -> PlanItem:
    """``item`` gentler: about half the hold (whole fives from 10 s) and half the repetitions, never below
    the least of the article the routine takes it from; counted moves keep their pace and do fewer."""
    stretch = turn.deps.catalogue.stretch(item.stretch_id)
    hold_range, reps_range = ranges_in(turn, routine_id, item.stretch_id)
    hold = item.hold
    if stretch.kind == "hold":
        half = item.hold // 2
        hold = hold_range.clamp(half // 5 * 5 if half >= 10 else half)
        hold = min(hold, item.hold)
    reps = reps_range.clamp((item.reps + 1) // 2)
    if len(stretch.count_cues) == 2 and reps % 2:
        reps += 1  # one count each way: an even number
    return item._replace(hold=hold, reps=min(reps, item.reps))


def back_to_start(turn: Turn, state: RoutineState, segments: tuple[Segment, ...], position: int) -> int:
    """Where to play from: a routine carried on in the middle of a stretch that hurt (this session's "this
    hurts", then "carry on") goes back to that stretch's start, so that it is asked about before it
    plays again (and a gentler version starts from its first repetition)."""
    if position >= len(segments) or segments[position].kind is SegmentKind.STRETCH:
        return position
    index = segments[position].item_index
    if index in state.answered or state.items[index].stretch_id not in dict(turn.user.profile.pain):
        return position
    return next(at for at, segment in enumerate(segments) if segment.item_index == index)


def question_before(turn: Turn, state: RoutineState, segments: tuple[Segment, ...], position: int, end: int) -> Ask | None:
    """The first question due before a stretch that starts in ``position .. end`` (``end`` too: its
    question then closes the response instead of "next up is ...")."""
    for at in range(position, min(end + 1, len(segments))):
        segment = segments[at]
        if segment.kind is SegmentKind.STRETCH and segment.item_index not in state.answered:
            ask = _about(turn, state, segment.item_index)
            if ask is not None:
                question, speech, values = ask
                return Ask(at, question, speech, values)
    return None


def _about(turn: Turn, state: RoutineState, index: int) -> tuple[Question, Speech, dict[str, Any]] | None:
    item = state.items[index]
    profile = turn.user.profile
    stretch = turn.deps.catalogue.stretch(item.stretch_id)
    pain = dict(profile.pain).get(item.stretch_id)
    if pain is not None:
        values: dict[str, Any] = {"name": stretch.name}
        speech = Speech().say(turn.say("hurt_before", name=stretch.name, when=when(turn, pain.day)))
        gentle = gentler(turn, state.routine_id, item)
        if gentle != item:
            speech.say(turn.say("hurt_before_gentler", gentle=describe(turn, gentle)))
        else:
            speech.say(turn.say("hurt_before_as_is"))
        return Question(Pending.HURT_BEFORE, item.stretch_id), speech, values
    longer = longer_hold(turn, state, index)
    if longer is None:
        return None
    record = dict(profile.growth)[item.stretch_id]
    values = {"name": stretch.name, "seconds": item.hold, "longer": longer}
    # The days counted were at the record's hold or longer: that is what is said to have gone well.
    speech = Speech().say(turn.say("longer_hold", times=record.times, **{**values, "seconds": record.hold}))
    return Question(Pending.LONGER_HOLD, item.stretch_id, longer), speech, values


def longer_hold(turn: Turn, state: RoutineState, index: int) -> int | None:
    """The longer hold to offer before item ``index``, if one is due."""
    profile = turn.user.profile
    if profile.doctor_advised is not None or profile.recent_feelings(1) == ["worse"]:
        return None
    pains = dict(profile.pain)
    if any(state.items[j].stretch_id not in pains for j in state.answered):
        return None  # one offer a routine
    item = state.items[index]
    record = dict(profile.growth).get(item.stretch_id)
    usual = usual_hold(turn, state.routine_id, item.stretch_id, profile)
    if record is None or usual is None or item.hold != usual or record.hold > item.hold or record.times < OFFER_AFTER:
        return None
    longer = ranges_in(turn, state.routine_id, item.stretch_id)[0].clamp(item.hold + HOLD_STEP_SECONDS)
    return longer if longer > item.hold else None


def describe(turn: Turn, item: PlanItem) -> str:
    """ "3 holds of 10 seconds", or "10 movements" for a counted stretch."""
    if turn.deps.catalogue.stretch(item.stretch_id).kind == "count":
        return turn.say("gentler_counts", reps=item.reps)
    return turn.say("gentler_holds", reps=item.reps, seconds=item.hold)


def when(turn: Turn, day: str) -> str:
    """ "today", "yesterday", "3 days ago"."""
    days = (turn.today() - dt.date.fromisoformat(day)).days
    if days <= 0:
        return turn.say("hurt_when_today")
    if days == 1:
        return turn.say("hurt_when_yesterday")
    return turn.say("hurt_when_days", days=days)


def choose_longer(turn: Turn, state: RoutineState, index: int, seconds: int) -> RoutineState:
    """Yes to the longer hold: stored as the user's own from now on, and played from this stretch on."""
    stretch_id, old = state.items[index].stretch_id, state.items[index].hold
    today = turn.today()  # first: it may keep the user's time zone in the profile
    profile = turn.user.profile
    grown_ = dict(profile.growth)
    grown_[stretch_id] = Growth(seconds, 0, True, today.isoformat())  # counted from the next day
    turn.user.change(profile.with_(growth=tuple(sorted(grown_.items()))), {"growth"})
    items = tuple(
        item._replace(hold=seconds) if k >= index and item.stretch_id == stretch_id and item.hold == old else item
        for k, item in enumerate(state.items)
    )
    return state.with_(items=items, answered=state.answered + (index,))


def keep_hold(turn: Turn, state: RoutineState, index: int) -> RoutineState:
    """No to the longer hold: it stays, and the count starts again, so it is not asked again too soon."""
    stretch_id = state.items[index].stretch_id
    profile = turn.user.profile
    grown_ = dict(profile.growth)
    if stretch_id in grown_:
        grown_[stretch_id] = grown_[stretch_id]._replace(times=0)
        turn.user.change(profile.with_(growth=tuple(sorted(grown_.items()))), {"growth"})
    return state.with_(answered=state.answered + (index,))


def remember_hurt(turn: Turn, stretch_id: str) -> None:
    """ "This hurts" during ``stretch_id``: remembered with today's date (stored with the request's other changes)."""
    today = turn.today()  # first: it may keep the user's time zone in the profile
    user = turn.user
    profile = user.profile
    pain, growth = hurt(profile.pain, profile.growth, stretch_id, today)
    user.change(profile.with_(pain=pain, growth=growth), {"pain", "growth"})


def after_routine(turn: Turn, profile: Profile, state: RoutineState, done: list[int]) -> Profile:
    """A routine heard to its end: each stretch done in it at the hold the user's settings (or chosen hold)
    give it in this routine counts one comfortable day at that hold, where this routine's article leaves
    room to grow; a stretch remembered as hurting counts one day without pain."""
    pains = dict(profile.pain)
    hurt_free = {state.items[i].stretch_id for i in done if state.items[i].stretch_id in pains}
    counted: dict[str, int] = {}
    tops: dict[str, int] = {}
    for i in done:
        item = state.items[i]
        if item.stretch_id not in pains and item.hold == usual_hold(turn, state.routine_id, item.stretch_id, profile):
            counted[item.stretch_id] = item.hold
            tops[item.stretch_id] = ranges_in(turn, state.routine_id, item.stretch_id)[0].max
    today = turn.today()
    return profile.with_(growth=comfortable(profile.growth, counted, tops, today), pain=pain_free(profile.pain, hurt_free, today))


def progress_lines(turn: Turn) -> list[str]:
    """ "How am I doing": where the user is on the way to longer holds, and the stretches that hurt."""
    profile, catalogue = turn.user.profile, turn.deps.catalogue
    said: list[str] = []
    on_way = [
        (stretch_id, record) for stretch_id, record in profile.growth
        if record.hold < catalogue.stretch(stretch_id).hold.max and stretch_id not in dict(profile.pain)
    ]
    on_way.sort(key=lambda entry: -entry[1].times)
    if on_way:
        parts = [
            turn.say("stats_growth_part", name=catalogue.stretch(s).name, seconds=r.hold, top=catalogue.stretch(s).hold.max)
            for s, r in on_way[:MAX_SAID]
        ]
        said.append(turn.say("stats_growth", parts=turn.phrases.join(parts)))
        stretch_id, record = on_way[0]
        left = OFFER_AFTER - record.times
        name = catalogue.stretch(stretch_id).name
        if profile.doctor_advised is None:  # no offer while the advice to see someone stands
            said.append(turn.say("stats_growth_due", name=name) if left <= 0 else turn.say("stats_growth_next", name=name, times=left))
    for stretch_id, pain in profile.pain[:MAX_SAID]:
        said.append(turn.say(
            "stats_pain", name=catalogue.stretch(stretch_id).name, when=when(turn, pain.day),
            sessions=PAIN_FREE_SESSIONS - len(pain.free),
        ))
    return said
