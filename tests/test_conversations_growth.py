"""Whole conversations about growing with the user and remembering pain, one stretch at a time.

Longer holds are offered, never made: after a stretch has been done comfortably several times at a
short hold, the routine stops just before it and asks. A stretch that hurt is asked about before it
starts, the next times a routine reaches it: gentler today, or left out, until two later days have gone
without pain. The skill runs in-process on a fake clock (days pass), on a fresh embedded store.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from skill.catalogue import load_catalogue
from skill.catalogue.model import Source
from tests.support.conversation import Alexa, FakeClock, Reply, headings, stored
from tests.support.stopwatch import fixed_rate_seconds
from tests.test_conversations_questions import FIRST_HOLD, nth_start

CATALOGUE = load_catalogue()
MORNING = ("morning back stretches", "morning")
LOWER_BACK = ("lower back routine", "lower_back")
KNEE = "single_knee_to_chest"  # the first stretch of the morning routine, the second of the lower back routine
DOUBLE = "double_knee_to_chest"  # the morning routine's second


def article(stretch_id: str, number: str) -> Source:
    """The figures article ``number`` ("003") gives a stretch, as read from the article."""
    [source] = [s for s in CATALOGUE.stretch(stretch_id).sources if s.seed.startswith(number + "_")]
    return source


# The morning routine takes the knee hug from 004 ("Hold for 15 - 20 seconds"), the lower back routine
# from 003 (10-20 s, "3 to 5 times"): the same knee, two ranges.
MORNING_KNEE = article(KNEE, "004").hold_seconds or (0, 0)
LOWER_BACK_KNEE = article(KNEE, "003").hold_seconds or (0, 0)
LOWER_BACK_KNEE_REPS = article(KNEE, "003").reps or (0, 0)
DAY = 24 * 3600
OFFER = re.compile(r"Next is single knee to chest\. You've done it (\d+) times at (\d+) seconds\. Shall we try (\d+)\?")
HURT_QUESTION = re.compile(r"Next is (?P<name>[a-z ]+)\. It hurt (?P<when>[a-z0-9 ]+)\. (?P<ask>.*)$")
DATA = "days"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def device(tmp_path: Path, clock: FakeClock) -> Alexa:
    return Alexa.with_clock(tmp_path / DATA, clock)


def profile(tmp_path: Path) -> dict[str, object]:
    return stored(tmp_path / DATA)


def knee_holds(text: str) -> list[int]:
    """The hold times said for single knee to chest in a response (both sides)."""
    part = text.split("Stretch 2 of")[0]
    return [int(n) for n in re.findall(r"Hold for (\d+) seconds\.", part)]


def morning_days(alexa: Alexa, clock: FakeClock, days: int, feeling: str = "better") -> int:
    """The morning routine to its end once a day, answering the check-in with ``feeling``; the hold
    single knee to chest had."""
    holds = []
    for _ in range(days):
        started = alexa.intent("StartRoutineIntent", routine=MORNING)
        assert OFFER.search(started.text) is None and "It hurt" not in started.text, started.text[-300:]
        assert started.text.endswith("better, the same, or worse?")
        holds += knee_holds(started.text)
        alexa.intent("FeelingIntent", feeling=(feeling, feeling))
        clock.now += DAY
    assert len(set(holds)) == 1, "the same hold every day: nothing changes without a yes"
    return holds[0]


def as_beginner(alexa: Alexa, clock: FakeClock, days: int) -> int:
    """A beginner on ``days`` comfortable mornings: single knee to chest's hold (004's least, short of its longest)."""
    alexa.intent("SetLevelIntent", level=("beginner", "beginner"))
    hold = morning_days(alexa, clock, days)
    assert hold == MORNING_KNEE[0] < MORNING_KNEE[1], "the article's least: room to grow within it"
    return hold


def offered(alexa: Alexa, clock: FakeClock) -> tuple[Reply, int, int]:
    """A beginner's five comfortable mornings, then the sixth start: the offer, the hold now and the one offered."""
    hold = as_beginner(alexa, clock, 5)
    asked = alexa.intent("StartRoutineIntent", routine=MORNING)
    found = OFFER.search(asked.text)
    assert found, asked.text[-300:]
    times, now, longer = (int(g) for g in found.groups())
    assert times == 5 and now == hold and hold < longer <= MORNING_KNEE[1], "a longer hold inside the routine's article's range"
    assert asked.text.endswith(found.group(0)) and FIRST_HOLD.search(asked.text) is None, "asked before it starts"
    assert not asked.ended and f"{longer} seconds" in asked.reprompt
    return asked, hold, longer


# -- progression -----------------------------------------------------------------------------------


def test_after_five_comfortable_times_a_longer_hold_is_offered_and_yes_stores_it_before_saying_it(
    device: Alexa, clock: FakeClock, tmp_path: Path
) -> None:
    _, hold, longer = offered(device, clock)
    assert profile(tmp_path)["growth"][KNEE][:2] == [hold, 5], "counted, not yet changed"  # type: ignore[index]
    accepted = device.intent("AMAZON.YesIntent")
    assert profile(tmp_path)["growth"][KNEE][:3] == [longer, 0, 1], "stored when the reply comes back"  # type: ignore[index]
    assert accepted.text.startswith(f"Good: single knee to chest is {longer} seconds from now on.")
    assert knee_holds(accepted.text) == [longer, longer], "both sides at once"
    device.intent("FeelingIntent", feeling=("better", "better"))
    clock.now += DAY
    tomorrow = device.intent("StartRoutineIntent", routine=MORNING)
    assert knee_holds(tomorrow.text) == [longer, longer] and OFFER.search(tomorrow.text) is None


def test_no_to_the_longer_hold_keeps_it_and_does_not_ask_again_the_next_days(device: Alexa, clock: FakeClock, tmp_path: Path) -> None:
    _, hold, _ = offered(device, clock)
    kept = device.intent("AMAZON.NoIntent")
    assert kept.text.startswith(f"Fine: single knee to chest stays at {hold} seconds.")
    assert knee_holds(kept.text) == [hold, hold]
    assert profile(tmp_path)["growth"][KNEE][:3] == [hold, 0, 0]  # type: ignore[index]
    device.intent("FeelingIntent", feeling=("better", "better"))
    clock.now += DAY
    for _ in range(3):
        again = device.intent("StartRoutineIntent", routine=MORNING)
        assert OFFER.search(again.text) is None, "not asked again too soon"
        device.intent("FeelingIntent", feeling=("better", "better"))
        clock.now += DAY


def test_next_at_the_offer_plays_on_at_the_same_hold_and_stores_nothing(device: Alexa, clock: FakeClock, tmp_path: Path) -> None:
    _, hold, _ = offered(device, clock)
    onward = device.intent("AMAZON.NextIntent")
    assert headings(onward.text)[0] == "single knee to chest" and knee_holds(onward.text) == [hold, hold]
    assert profile(tmp_path)["growth"][KNEE][2] == 0, "never made longer without a yes"  # type: ignore[index]


def test_silence_at_the_offer_keeps_the_place_and_asks_again_when_carried_on(device: Alexa, clock: FakeClock) -> None:
    offered(device, clock)
    device.end("EXCEEDED_MAX_REPROMPTS")
    welcome = device.launch()
    assert "carry on" in welcome.text and "single knee to chest" in welcome.text
    carried = device.intent("AMAZON.YesIntent")
    assert OFFER.search(carried.text) and FIRST_HOLD.search(carried.text) is None


def test_a_worse_check_in_holds_the_offer_back(device: Alexa, clock: FakeClock) -> None:
    as_beginner(device, clock, 4)
    morning_days(device, clock, 1, feeling="worse")
    after_worse = device.intent("StartRoutineIntent", routine=MORNING)
    assert OFFER.search(after_worse.text) is None and FIRST_HOLD.search(after_worse.text)


def test_this_hurts_holds_the_offer_back_and_asks_about_the_pain_instead(device: Alexa, clock: FakeClock, tmp_path: Path) -> None:
    as_beginner(device, clock, 4)
    started = device.intent("StartRoutineIntent", routine=MORNING)
    device.intent("PainIntent", at=nth_start(started.ssml, "Hold for", 1) + 5)
    device.intent("AMAZON.NoIntent")  # stop for today
    clock.now += DAY
    asked = device.intent("StartRoutineIntent", routine=MORNING)
    assert OFFER.search(asked.text) is None and "It hurt yesterday." in asked.text
    assert profile(tmp_path)["growth"][KNEE][1] == 0, "the comfortable count starts again"  # type: ignore[index]


def lower_back_day(alexa: Alexa, clock: FakeClock) -> Reply:
    """The lower back routine to its end, a comfortable day; its first response."""
    started = start_lower_back(alexa)
    assert OFFER.search(started.text) is None, started.text[-300:]
    played = started
    while not played.text.endswith("better, the same, or worse?"):
        played = alexa.intent("AMAZON.NextIntent")
    alexa.intent("FeelingIntent", feeling=("better", "better"))
    clock.now += DAY
    return started


def test_a_longer_hold_chosen_in_the_morning_is_the_knee_hugs_in_the_lower_back_routine_too(device: Alexa, clock: FakeClock) -> None:
    _, _, longer = offered(device, clock)
    device.intent("AMAZON.YesIntent")
    device.intent("FeelingIntent", feeling=("better", "better"))
    clock.now += DAY
    lower_back = lower_back_day(device, clock)
    assert LOWER_BACK_KNEE[0] < longer <= LOWER_BACK_KNEE[1], "longer than a beginner's there, inside 003's range"
    assert set(knee_holds_in_lower_back(lower_back.text)) == {longer}


def test_comfortable_days_in_two_routines_count_for_the_same_knee_and_the_offer_keeps_to_the_routines_article(
    device: Alexa, clock: FakeClock
) -> None:
    """A beginner's knee hug is 15 s in the morning (004) and 10 s in the lower back routine (003): every day
    counts at 10 s or longer, and the offer in the lower back routine is a step inside 003's range."""
    device.intent("SetLevelIntent", level=("beginner", "beginner"))
    for day in range(5):
        if day % 2:
            assert morning_days(device, clock, 1) == MORNING_KNEE[0]
        else:
            assert set(knee_holds_in_lower_back(lower_back_day(device, clock).text)) == {LOWER_BACK_KNEE[0]}
    asked = start_lower_back(device)
    found = OFFER.search(asked.text)
    assert found, asked.text[-300:]
    times, now, longer = (int(g) for g in found.groups())
    assert (times, now) == (5, LOWER_BACK_KNEE[0]) and now < longer <= LOWER_BACK_KNEE[1]
    assert headings(asked.text) == ["pelvic tilt"] and asked.text.endswith(found.group(0))


def test_how_am_i_doing_says_where_the_holds_are_on_the_way(device: Alexa, clock: FakeClock) -> None:
    hold = as_beginner(device, clock, 3)
    doing = device.intent("ProgressStatsIntent")
    assert "On the way to longer holds: " in doing.text
    assert f"single knee to chest at {hold} of up to {max(MORNING_KNEE[1], LOWER_BACK_KNEE[1])} seconds" in doing.text
    assert re.search(r"2 more comfortable days and I'll offer [a-z ]+ a longer hold\.", doing.text)


# -- pain memory -----------------------------------------------------------------------------------


def knee_holds_in_lower_back(text: str) -> list[int]:
    """The holds said for single knee to chest (the lower back routine's second stretch) in a response."""
    part = text.split("single knee to chest", 1)[1].split("Stretch 3 of 4")[0]
    return [int(n) for n in re.findall(r"Hold for (\d+) seconds\.", part)]


def start_lower_back(alexa: Alexa) -> Reply:
    """The lower back routine, without its warm-up (asked about the first time only)."""
    started = alexa.intent("StartRoutineIntent", routine=LOWER_BACK)
    if "Shall we warm up first?" in started.text:
        started = alexa.intent("WarmUpChoiceIntent", choice=("skip", "skip"))
    return started


def hurt_in_the_second_stretch(alexa: Alexa, clock: FakeClock, tmp_path: Path) -> list[int]:
    """ "This hurts" during single knee to chest in the lower back routine (its article, 003, gives 10-20 s
    and 3 to 5 times: room for a shorter hold and fewer repetitions), then stop for today; the holds it had."""
    started = start_lower_back(alexa)
    usual = knee_holds_in_lower_back(started.text)
    hurt = alexa.intent("PainIntent", at=nth_start(started.ssml, "Hold for", 1, after="Stretch 2 of") + 18)
    assert "Never push into pain" in hurt.text
    alexa.intent("AMAZON.NoIntent")
    [[day, free]] = [profile(tmp_path)["pain"][KNEE]]  # type: ignore[index]
    assert day == clock_day(clock) and free == [], "remembered with its date"
    clock.now += DAY
    assert len(usual) > 2 * LOWER_BACK_KNEE_REPS[0] and min(usual) > LOWER_BACK_KNEE[0], "room to be gentler"
    return usual


def clock_day(clock: FakeClock) -> str:
    import datetime as dt

    return dt.datetime.fromtimestamp(clock.now, dt.timezone.utc).date().isoformat()


def asked_before_knee(alexa: Alexa) -> Reply:
    """The next day: the routine plays its first stretch and stops just before the one that hurt."""
    reply = start_lower_back(alexa)
    found = HURT_QUESTION.search(reply.text)
    assert found and found.group("name") == "single knee to chest", reply.text[-300:]
    assert headings(reply.text) == ["pelvic tilt"], "the stretch before it played on, hands-free"
    assert "Stretch 2 of 4" not in reply.text and not reply.ended and "leave it out" in reply.reprompt
    return reply


def test_a_stretch_that_hurt_is_asked_about_before_it_and_yes_plays_it_gentler(device: Alexa, clock: FakeClock, tmp_path: Path) -> None:
    before = hurt_in_the_second_stretch(device, clock, tmp_path)
    asked = asked_before_knee(device)
    assert "It hurt yesterday." in asked.text and "gentler today" in asked.text
    gentle = device.intent("AMAZON.YesIntent")
    assert gentle.text.startswith("Gently, then:")
    assert headings(gentle.text)[0] == "single knee to chest"
    holds = knee_holds_in_lower_back(gentle.text)
    assert holds and all(LOWER_BACK_KNEE[0] <= h < max(before) for h in holds), "a shorter hold, inside its article's range"
    assert 2 * LOWER_BACK_KNEE_REPS[0] <= len(holds) < len(before), "fewer repetitions, never fewer than its article's least"
    device.intent("FeelingIntent", feeling=("same", "same"))
    clock.now += DAY
    asked_before_knee(device)
    assert knee_holds_in_lower_back(device.intent("AMAZON.YesIntent").text) == holds, "gentler the same way each day it is asked"


def test_where_its_article_leaves_nothing_gentler_it_is_offered_as_it_is(device: Alexa, clock: FakeClock, tmp_path: Path) -> None:
    """A beginner's morning double knee to chest is 004's least, once: nothing gentler inside the article."""
    device.intent("SetLevelIntent", level=("beginner", "beginner"))
    started = device.intent("StartRoutineIntent", routine=MORNING)
    device.intent("PainIntent", at=nth_start(started.ssml, "Hold for", 1, after="Stretch 2 of") + 5)
    device.intent("AMAZON.NoIntent")
    clock.now += DAY
    asked = device.intent("StartRoutineIntent", routine=MORNING)
    assert "Next is double knee to chest. It hurt yesterday. It can't be made any gentler." in asked.text
    as_it_is = device.intent("AMAZON.YesIntent")
    assert as_it_is.text.startswith("All right: double knee to chest, stopping at once if it hurts.")
    part = as_it_is.text.split("Stretch 3 of 3")[0]
    assert re.findall(r"Hold for (\d+) seconds\.", part) == [str(article(DOUBLE, "004").hold_seconds[0])]  # type: ignore[index]


@pytest.mark.parametrize("wpm", [145, 160, 175, 190, 200])
@pytest.mark.parametrize(("answer", "heard"), [("AMAZON.YesIntent", "Gently, then:"), ("AMAZON.NoIntent", "Leaving out single knee to chest")])
def test_the_pain_question_is_answered_a_second_after_it_ends_whatever_the_voices_speed(
    device: Alexa, clock: FakeClock, tmp_path: Path, wpm: int, answer: str, heard: str
) -> None:
    """The question closes a response of minutes: a voice 10 % faster or slower than 160 words a minute
    has ended it seconds sooner or later, and one a fifth faster (190, 200) sooner than the place the timing
    makes most likely; the answer a second after it, stamped to the whole second, answers it."""
    hurt_in_the_second_stretch(device, clock, tmp_path)
    asked = asked_before_knee(device)
    ended = fixed_rate_seconds(asked.ssml, wpm=wpm)
    assert ended > 60, "long enough for the voice's speed to matter"
    device.sent_at = float(int(device.sent_at))
    replied = device.intent(answer, at=float(int(ended + 1)))
    assert replied.text.startswith(heard), replied.text[:150]


def test_no_leaves_the_stretch_that_hurt_out_today(device: Alexa, clock: FakeClock, tmp_path: Path) -> None:
    hurt_in_the_second_stretch(device, clock, tmp_path)
    asked_before_knee(device)
    left_out = device.intent("AMAZON.NoIntent")
    assert left_out.text.startswith("Leaving out single knee to chest today.")
    assert "single knee to chest" not in headings(left_out.text) and headings(left_out.text)[0] == "lying hamstring stretch"
    finished = left_out
    while not finished.text.endswith("better, the same, or worse?"):
        finished = device.intent("AMAZON.NextIntent")
    device.intent("FeelingIntent", feeling=("same", "same"))
    assert profile(tmp_path)["pain"][KNEE][1] == [], "left out: not a day without pain from it"  # type: ignore[index]


@pytest.mark.parametrize("word", ["AMAZON.NextIntent", "AMAZON.ResumeIntent"], ids=["next", "continue"])
def test_go_on_words_at_the_pain_question_take_the_gentler_way(device: Alexa, clock: FakeClock, tmp_path: Path, word: str) -> None:
    hurt_in_the_second_stretch(device, clock, tmp_path)
    asked_before_knee(device)
    assert device.intent(word).text.startswith("Gently, then:")


def test_skip_at_the_pain_question_leaves_it_out(device: Alexa, clock: FakeClock, tmp_path: Path) -> None:
    hurt_in_the_second_stretch(device, clock, tmp_path)
    asked_before_knee(device)
    skipped = device.intent("SkipIntent")
    assert "single knee to chest" not in headings(skipped.text) and FIRST_HOLD.search(skipped.text)


def test_silence_at_the_pain_question_keeps_the_place_and_asks_again(device: Alexa, clock: FakeClock, tmp_path: Path) -> None:
    hurt_in_the_second_stretch(device, clock, tmp_path)
    asked = asked_before_knee(device)
    assert asked.reprompt
    device.end("EXCEEDED_MAX_REPROMPTS")
    welcome = device.launch()
    assert "single knee to chest" in welcome.text and "carry on" in welcome.text
    again = device.intent("AMAZON.YesIntent")
    assert HURT_QUESTION.search(again.text) and FIRST_HOLD.search(again.text) is None, "asked again before it starts"


def test_two_days_without_pain_bring_the_stretch_back_to_normal(device: Alexa, clock: FakeClock, tmp_path: Path) -> None:
    before = hurt_in_the_second_stretch(device, clock, tmp_path)
    for day in (1, 2):
        asked_before_knee(device)
        played = device.intent("AMAZON.YesIntent")
        while not played.text.endswith("better, the same, or worse?"):
            played = device.intent("AMAZON.NextIntent")
        device.intent("FeelingIntent", feeling=("same", "same"))
        clock.now += DAY
        if day == 1:
            assert len(profile(tmp_path)["pain"][KNEE][1]) == 1  # type: ignore[index]
    assert "pain" not in profile(tmp_path), "forgotten after two days without pain"
    normal = start_lower_back(device)
    assert "It hurt" not in normal.text and "single knee to chest" in headings(normal.text)
    assert knee_holds_in_lower_back(normal.text) == before, "back to its usual holds"


def test_how_am_i_doing_names_the_stretch_that_hurt(device: Alexa, clock: FakeClock, tmp_path: Path) -> None:
    hurt_in_the_second_stretch(device, clock, tmp_path)
    doing = device.intent("ProgressStatsIntent")
    assert "I'll ask before single knee to chest, which hurt yesterday, until it has gone 2 sessions without pain." in doing.text
