"""Safety and the articles' advice in whole conversations: safe ranges over settings, warming up first,
safety every session, the sore leg for sciatica, the check-in after a routine, settings that explain
themselves."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from skill.catalogue import load_catalogue
from skill.catalogue.model import SafetyMoment
from tests.support.conversation import Alexa, FakeClock, answer_questions, headings, load_event, stored
from tests.support.stopwatch import FIRST_HOLD

CATALOGUE = load_catalogue()
LOWER_BACK = ("lower back routine", "lower_back")
SCIATICA = ("sciatica relief", "sciatica")
FULL_BACK = ("full back routine", "full_back")
MORNING = ("morning back stretches", "morning")


def before_first_hold(text: str) -> str:
    found = FIRST_HOLD.search(text)
    assert found, "no hold in the response"
    return text[: found.start()]


def rule_texts(moment: SafetyMoment) -> list[str]:
    return [rule.text for rule in CATALOGUE.safety_for(moment)]


def test_a_long_hold_and_many_reps_keep_each_stretch_in_its_articles_figures_without_a_list(alexa: Alexa, tmp_path: Path) -> None:
    alexa.intent("SetPreferredRoutineIntent", routine=MORNING)
    alexa.intent("SetHoldTimeIntent", seconds="90")
    alexa.intent("SetRepsIntent", reps="10")
    started = alexa.intent("StartRoutineIntent", routine=FULL_BACK)
    opening = before_first_hold(started.text)
    assert "For safety," not in opening and "stays at" not in opening, "the confirmation said it; the start lists nothing"
    holds = [int(n) for n in re.findall(r"Hold for (\d+) seconds\.", started.text)]
    articles = {"001_cf36837309c9b0c8.txt", "002_d78420415971c283.txt"}  # the full back routine's
    highest = max(
        src.hold_seconds[1]
        for i in CATALOGUE.routine("full_back").items
        for src in CATALOGUE.stretch(i.stretch_id).sources
        if src.seed in articles and src.hold_seconds
    )
    assert holds and max(holds) <= highest == 30


def test_a_setting_that_makes_the_routine_longer_than_half_an_hour_is_confirmed_first(alexa: Alexa, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    alexa.intent("SetPreferredRoutineIntent", routine=FULL_BACK)
    asked = alexa.intent("SetRepsIntent", reps="10")
    assert re.search(r"With 10 repetitions, the full back routine would take about \d+ minutes\. Shall I keep that\?", asked.text)
    assert "reps" not in stored(data_dir), "nothing is stored before the yes"
    kept = alexa.intent("AMAZON.YesIntent")
    assert "10 repetitions" in kept.text and stored(data_dir)["reps"] == 10
    alexa.intent("SetHoldTimeIntent", seconds="30")
    declined = alexa.intent("AMAZON.NoIntent")
    assert "left it as it was" in declined.text and "hold_seconds" not in stored(data_dir)


def test_a_first_time_user_hears_about_warming_up_before_the_first_hold(alexa: Alexa) -> None:
    asked = alexa.intent("StartRoutineIntent", routine=LOWER_BACK)
    assert "warm-up" in asked.text and "Hold for" not in asked.text and not asked.ended
    skipped = alexa.intent("AMAZON.NoIntent")
    opening = before_first_hold(skipped.text)
    alternatives = rule_texts(SafetyMoment.WARM_UP_SKIPPED)
    assert alternatives and all(text in opening for text in alternatives)
    assert "brisk walk" in opening
    assert headings(skipped.text)[0] == "pelvic tilt"


def test_yes_to_the_warm_up_plays_it_first_and_always_warm_up_is_stored(alexa: Alexa, tmp_path: Path) -> None:
    alexa.intent("StartRoutineIntent", routine=LOWER_BACK)
    warmed = alexa.intent("AMAZON.YesIntent")
    assert headings(warmed.text)[:3] == ["ankle pumps", "heel slides", "abdominal contraction"]
    alexa.intent("AMAZON.StopIntent")
    chosen = alexa.intent("WarmUpChoiceIntent", choice=("always", "always"))
    assert "always start with the warm-up" in chosen.text and stored(tmp_path / "data")["warm_up"] == "always"
    again = alexa.intent("StartRoutineIntent", routine=LOWER_BACK)
    assert "Shall we warm up first?" not in again.text and headings(again.text)[0] == "ankle pumps"


def test_the_warm_up_routine_leads_into_the_users_routine(alexa: Alexa) -> None:
    alexa.intent("SetPreferredRoutineIntent", routine=MORNING)
    warm = alexa.intent("StartRoutineIntent", routine=("warm up routine", "warm_up"))
    while "You finished" not in warm.text:
        warm = alexa.intent("AMAZON.NextIntent")
    assert warm.text.rstrip().endswith("Shall we go on with the morning back stretches?") and not warm.ended
    onward = alexa.intent("AMAZON.YesIntent")
    assert headings(onward.text)[0] == "single knee to chest"


def test_never_bounce_and_stop_if_it_hurts_come_before_the_first_hold_of_every_session(alexa: Alexa) -> None:
    every_session = rule_texts(SafetyMoment.EVERY_SESSION)
    assert len(every_session) == 2
    for _ in range(3):
        reply = alexa.intent("StartRoutineIntent", routine=MORNING)
        assert all(text in before_first_hold(reply.text) for text in every_session)
        alexa.intent("AMAZON.StopIntent")  # a new session next time
    first_time_only = "ask your doctor"
    assert first_time_only not in alexa.history[-2].text


def test_sciatica_asks_for_the_sore_leg_once_and_glides_only_that_leg(alexa: Alexa, tmp_path: Path) -> None:
    asked = alexa.intent("StartRoutineIntent", routine=SCIATICA)
    assert "Which leg is sore: left, right, or both?" in asked.text
    started = alexa.intent("SoreLegIntent", leg=("my left leg", "left"))
    reply = started
    while "You finished" not in reply.text:
        reply = alexa.intent("AMAZON.NextIntent")
    text = " ".join(r.text for r in alexa.history[alexa.history.index(started):])
    glide = text[text.index("sciatic nerve glide") :]
    assert "left side" in glide.split(".")[0] and "sciatic nerve glide on your right side" not in text
    assert stored(tmp_path / "data")["sore_leg"] == "left"
    alexa.end()
    again = alexa.intent("StartRoutineIntent", routine=SCIATICA)
    assert "Which leg is sore" not in again.text
    alexa.intent("AMAZON.StopIntent")
    switched = alexa.intent("OtherLegIntent")
    assert "right leg" in switched.text and stored(tmp_path / "data")["sore_leg"] == "right"


def test_the_check_in_is_stored_and_two_worse_answers_bring_the_doctor_advice(tmp_path: Path) -> None:
    clock = FakeClock()
    alexa = Alexa.with_clock(tmp_path / "days", clock)
    advice = rule_texts(SafetyMoment.AFTER_PAIN)
    for answer, expect_advice in (("better", False), ("worse", False), ("worse", True)):
        alexa.intent("StartRoutineIntent", routine=MORNING)
        reply = alexa.intent("FeelingIntent", feeling=(answer, answer))
        assert all(a in reply.text for a in advice) is expect_advice, reply.text
        assert ("physiotherapist" in reply.text) is expect_advice
        clock.now += 24 * 3600  # the next day
    clock.now -= 24 * 3600
    feelings = stored(tmp_path / "days")["feelings"]
    assert [f[1] for f in feelings] == ["better", "worse", "worse"] and len({f[0] for f in feelings}) == 3
    doing = alexa.intent("ProgressStatsIntent")
    assert "3 days in a row" in doing.text and re.search(r"This week: 3 days with a session, \d+ minutes in all", doing.text)
    assert "After your last 3 routines, your back felt better once and worse 2 times." in doing.text


def test_every_check_in_is_kept_with_its_time_and_the_trend_uses_them_all(tmp_path: Path) -> None:
    clock = FakeClock()
    alexa = Alexa.with_clock(tmp_path / "data", clock)
    for answer in ("worse", "better"):
        alexa.intent("StartRoutineIntent", routine=MORNING)
        alexa.intent("FeelingIntent", feeling=(answer, answer))
    feelings = stored(tmp_path / "data")["feelings"]
    assert [f[1] for f in feelings] == ["worse", "better"] and feelings[0][0] == feelings[1][0], "two on one day"
    assert feelings[0][2] < feelings[1][2] <= clock.now, "each with the moment it was said"
    doing = alexa.intent("ProgressStatsIntent")
    assert "After your last 2 routines, your back felt better once and worse once." in doing.text


def test_two_worse_answers_on_one_day_bring_the_doctor_advice(alexa: Alexa) -> None:
    alexa.intent("StartRoutineIntent", routine=MORNING)
    first = alexa.intent("FeelingIntent", feeling=("worse", "worse"))
    assert "physiotherapist" not in first.text
    alexa.intent("StartRoutineIntent", routine=MORNING)
    second = alexa.intent("FeelingIntent", feeling=("worse", "worse"))
    assert "twice in a row" in second.text and all(a in second.text for a in rule_texts(SafetyMoment.AFTER_PAIN))


def _told_to_see_a_doctor(alexa: Alexa, data_dir: Path) -> None:
    alexa.intent("SetPreferredRoutineIntent", routine=MORNING)
    for _ in range(2):
        alexa.intent("StartRoutineIntent", routine=MORNING)
        told = alexa.intent("FeelingIntent", feeling=("worse", "worse"))
    assert "see a doctor or physiotherapist before you stretch again" in told.text and told.ended
    assert stored(data_dir)["doctor_advised"] > 0


DOCTOR_QUESTION = "Have you seen one since?"


def test_after_the_doctor_advice_the_next_session_asks_first_and_yes_goes_on_as_usual(alexa: Alexa, tmp_path: Path) -> None:
    _told_to_see_a_doctor(alexa, tmp_path / "data")
    opened = alexa.launch()
    assert DOCTOR_QUESTION in opened.text and not opened.ended and "Hold for" not in opened.text
    assert "yes or no" in opened.reprompt
    usual = alexa.intent("AMAZON.YesIntent")
    assert "Follow their advice" in usual.text and "morning back stretches" in usual.text and "Hold for" not in usual.text
    assert "doctor_advised" not in stored(tmp_path / "data")
    started = alexa.intent("StartRoutineIntent", routine=MORNING)
    assert headings(started.text)[0] == "single knee to chest"
    alexa.intent("AMAZON.StopIntent")
    assert DOCTOR_QUESTION not in alexa.launch().text, "asked once they have"


def test_not_yet_seen_a_doctor_offers_the_gentlest_routine_instead_of_the_one_asked_for(alexa: Alexa, tmp_path: Path) -> None:
    _told_to_see_a_doctor(alexa, tmp_path / "data")
    asked = alexa.intent("StartRoutineIntent", routine=FULL_BACK)  # one-shot: the question still comes first
    assert DOCTOR_QUESTION in asked.text and "Hold for" not in asked.text
    offered = alexa.intent("AMAZON.NoIntent")
    assert "warm up routine" in offered.text and "stop for today?" in offered.text and "Hold for" not in offered.text
    gentle = alexa.intent("AMAZON.YesIntent")
    assert headings(gentle.text) == ["ankle pumps", "heel slides", "abdominal contraction"]
    assert "Shall we go on" not in gentle.text and gentle.text.endswith("better, the same, or worse?")
    assert stored(tmp_path / "data")["doctor_advised"] > 0, "still to see one"


def test_not_yet_seen_a_doctor_and_no_to_the_gentlest_routine_stops_for_today(alexa: Alexa, tmp_path: Path) -> None:
    _told_to_see_a_doctor(alexa, tmp_path / "data")
    alexa.launch()
    alexa.intent("AMAZON.NoIntent")
    rest = alexa.intent("AMAZON.NoIntent")
    assert rest.ended and "Rest your back today" in rest.text and "Hold for" not in rest.text
    again = alexa.launch()
    assert DOCTOR_QUESTION in again.text, "asked again next time"


def test_silence_or_no_after_the_check_in_is_fine(alexa: Alexa) -> None:
    alexa.intent("StartRoutineIntent", routine=MORNING)
    bye = alexa.intent("AMAZON.NoIntent")
    assert bye.ended and "Goodbye" in bye.text


def test_level_and_hold_time_say_when_one_replaces_the_other(alexa: Alexa) -> None:
    alexa.intent("SetHoldTimeIntent", seconds="25")
    beginner = alexa.intent("SetLevelIntent", level=("beginner", "beginner"))
    assert "replaces your 25-second hold time" in beginner.text
    held = alexa.intent("SetHoldTimeIntent", seconds="20")
    assert "replaces the beginner's 10 seconds" in held.text


def test_pain_brings_the_doctor_advice(alexa: Alexa) -> None:
    alexa.intent("SetHoldTimeIntent", seconds="30")
    alexa.intent("SetRepsIntent", reps="5")
    alexa.intent("AMAZON.StopIntent")
    alexa.intent("StartRoutineIntent", routine=FULL_BACK)
    hurt = alexa.intent("PainIntent", at=60)
    assert all(text in hurt.text for text in rule_texts(SafetyMoment.AFTER_PAIN))


def test_skip_the_warm_up_answers_the_warm_up_question_and_is_stored(alexa: Alexa, tmp_path: Path) -> None:
    alexa.intent("StartRoutineIntent", routine=LOWER_BACK)
    started = alexa.intent("WarmUpChoiceIntent", choice=("skip", "skip"))
    assert headings(started.text)[0] == "pelvic tilt" and "brisk walk" in before_first_hold(started.text)
    assert stored(tmp_path / "data")["warm_up"] == "skip"


def test_the_summary_does_not_say_goodbye_before_its_question(alexa: Alexa) -> None:
    reply = alexa.intent("StartRoutineIntent", routine=MORNING)
    assert "Goodbye" not in reply.text and reply.text.endswith("better, the same, or worse?")


EVERY_SESSION_LINE = "Move slowly, and never bounce. Stop if it hurts."


def _stopped_mid_routine(alexa: Alexa) -> None:
    """A routine long enough for several responses, stopped after its first: its place is kept."""
    alexa.intent("SetHoldTimeIntent", seconds="30")
    alexa.intent("SetRepsIntent", reps="5")
    alexa.intent("AMAZON.StopIntent")
    first = alexa.intent("StartRoutineIntent", routine=FULL_BACK)
    assert not first.ended and "You finished" not in first.text
    stopped = alexa.intent("AMAZON.StopIntent")
    assert stopped.ended


@pytest.mark.parametrize("answer", ["AMAZON.YesIntent", "AMAZON.ResumeIntent"], ids=["yes", "continue or carry on"])
def test_a_resumed_routine_says_the_safety_line_before_its_first_hold(alexa: Alexa, answer: str) -> None:
    _stopped_mid_routine(alexa)
    offered = alexa.launch()
    assert "carry on" in offered.text and "Hold for" not in offered.text
    resumed = alexa.intent(answer)
    assert EVERY_SESSION_LINE in before_first_hold(resumed.text), resumed.text[:300]
    later = alexa.intent("AMAZON.NextIntent")
    assert EVERY_SESSION_LINE not in later.text, "once a session"


def test_a_one_shot_start_says_the_safety_line_before_its_first_hold(alexa: Alexa) -> None:
    alexa.intent("SetPreferredRoutineIntent", routine=MORNING)
    alexa.intent("AMAZON.StopIntent")
    started = alexa.intent("StartRoutineIntent")  # "ask back stretch coach to start my back stretches"
    assert EVERY_SESSION_LINE in before_first_hold(started.text)


def test_a_name_free_start_says_the_safety_line_before_its_first_hold(alexa: Alexa) -> None:
    verdict = alexa.handler(load_event("cfir_start_morning"), None)
    assert verdict["response"]["canFulfillIntent"]["canFulfill"] == "YES"
    started = alexa.intent("StartRoutineIntent", routine=MORNING)
    assert EVERY_SESSION_LINE in before_first_hold(started.text)


def test_warming_up_first_says_the_safety_line_before_the_warm_ups_first_movement(alexa: Alexa) -> None:
    alexa.launch()
    asked = alexa.intent("StartRoutineIntent", routine=LOWER_BACK)
    assert "warm up first?" in asked.text
    warmed = alexa.intent("AMAZON.YesIntent")
    assert headings(warmed.text)[0] == "ankle pumps"
    assert EVERY_SESSION_LINE in before_first_hold(warmed.text)


def test_the_preparation_tips_come_before_the_first_routines_one_a_day_and_never_after_them(tmp_path: Path) -> None:
    tips = rule_texts(SafetyMoment.FIRST_USE)
    assert len(tips) == 3 and "clothes" in tips[0] and any("force" in tip for tip in tips)
    clock = FakeClock()
    alexa = Alexa.with_clock(tmp_path / "days", clock)
    for day in range(4):
        started = alexa.intent("StartRoutineIntent", routine=MORNING)
        opening, closing = before_first_hold(started.text), started.text[started.text.index("You finished") :]
        assert [tip for tip in tips if tip in opening] == tips[day : day + 1], opening
        assert not any(tip in closing for tip in tips)
        alexa.intent("AMAZON.StopIntent")
        again = alexa.intent("StartRoutineIntent", routine=MORNING)
        assert not any(tip in again.text for tip in tips), "one a day"
        alexa.intent("AMAZON.StopIntent")
        clock.now += 24 * 3600


def _whole_routine(alexa: Alexa, routine: tuple[str, str]) -> str:
    """Everything said from the start of ``routine`` to its summary, answering what comes before it."""
    reply, _ = answer_questions(alexa, alexa.intent("StartRoutineIntent", routine=routine))
    said = [reply.text]
    while "You finished" not in said[-1]:
        said.append(alexa.intent("AMAZON.NextIntent").text)
    return " ".join(said)


def _first_hold_of(text: str, name: str) -> str:
    """From the stretch's heading to the end of its first hold."""
    start = re.search(rf"(?:First, |Stretch \d+ of \d+: ){re.escape(name)}\b", text)
    assert start, name
    return text[start.start() : text.index("Release.", start.end()) + len("Release.")]


def test_the_abdominal_contraction_says_never_to_hold_your_breath_in_its_first_short_hold(alexa: Alexa) -> None:
    text = _whole_routine(alexa, ("warm up routine", "warm_up"))
    first = _first_hold_of(text, "abdominal contraction")
    assert "Hold for 5 seconds." in first and "hold your breath" in first, first


@pytest.mark.parametrize(("routine", "name"), [(SCIATICA, "prone press up"), (MORNING, "relaxed knee hugs")])
def test_short_holds_get_a_breathing_cue_in_their_first_hold(alexa: Alexa, routine: tuple[str, str], name: str) -> None:
    alexa.intent("SoreLegIntent", leg=("left", "left"))
    stretch = next(s for s in CATALOGUE.stretches.values() if s.name == name)
    first = _first_hold_of(_whole_routine(alexa, routine), stretch.name)
    assert "breathe" in first.lower() and stretch.cue in first, first


def test_a_short_introduction_still_says_to_turn_onto_your_back_after_the_face_down_press_up(alexa: Alexa) -> None:
    for _ in range(3):
        _whole_routine(alexa, SCIATICA)
        alexa.intent("AMAZON.StopIntent")
    text = _whole_routine(alexa, SCIATICA)
    press_up = _first_hold_of(text, "prone press up")
    knee = _first_hold_of(text, "single knee to chest")
    steps = CATALOGUE.stretch("single_knee_to_chest").steps
    assert not any(step in knee for step in steps), "known by heart: the short introduction"
    assert "face down" in press_up.lower()
    introduction = knee[: knee.index("Hold for")]
    assert "on your back" in introduction, introduction
