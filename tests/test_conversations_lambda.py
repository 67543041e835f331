"""Whole conversations through ``lambda_handler``, from the request fixtures in tests/events.

Every response is checked by ``assert_valid_response`` (ask-sdk-model round trip, SSML
well-formed, < 8000 characters, breaks <= 10 s and never adjacent). By default each request
is stamped a second after the previous response finished playing; ``at=`` interrupts it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from skill.catalogue import load_catalogue
from tests.support.conversation import Alexa, FakeClock, Reply, answer_questions, headings, load_event, stored
from tests.support.stopwatch import fixed_rate_timeline

MORNING = ("morning back stretches", "morning")
FULL_BACK = ("full back routine", "full_back")
CATALOGUE = load_catalogue()


def starts_at(ssml: str, words: str) -> float:
    """When ``words`` start in a response, by the fixed-rate renderer (not the skill's rate model)."""
    tokens = [t for t in fixed_rate_timeline(ssml) if t.kind == "word"]
    wanted = words.split()
    for index in range(len(tokens) - len(wanted) + 1):
        if [t.text for t in tokens[index : index + len(wanted)]] == wanted:
            return tokens[index].start
    raise AssertionError(f"{words!r} is not in the response")


@pytest.fixture
def clocked(tmp_path: Path) -> tuple[Alexa, FakeClock, Path]:
    """A device and skill sharing one fake clock, on a fresh embedded store."""
    clock = FakeClock()
    data_dir = tmp_path / "clocked"
    return Alexa.with_clock(data_dir, clock), clock, data_dir


def long_holds(alexa: Alexa, hold: str = "90") -> None:
    """Settings that make the full back routine span several responses."""
    alexa.intent("SetHoldTimeIntent", seconds=hold)
    alexa.intent("SetRepsIntent", reps="5")
    alexa.intent("AMAZON.StopIntent")


def start_full_back(alexa: Alexa, hold: str = "90") -> Reply:
    """The full back routine with 5 reps of ``hold`` seconds: several responses long."""
    long_holds(alexa, hold)
    return alexa.intent("StartRoutineIntent", routine=FULL_BACK)


# -- playing through -------------------------------------------------------------------------------


def test_launch_then_help_keeps_session_open(alexa: Alexa) -> None:
    welcome = alexa.launch()
    assert "Welcome to Back Stretch Coach" in welcome.text
    assert not welcome.ended and welcome.reprompt
    help_reply = alexa.intent("AMAZON.HelpIntent")
    assert "start my back stretches" in help_reply.text
    assert not help_reply.ended


def play_to_end(alexa: Alexa, first: Reply, limit: int = 8) -> tuple[Reply, int]:
    """Answer what the skill asks as a user would (warm up: yes; sore leg: left; next when asked)
    until the summary; returns the last reply and how many things the user said after ``first``."""
    reply, said = answer_questions(alexa, first)
    while "You finished" not in reply.text:
        assert said < limit, reply.text[-300:]
        assert "Say next" in reply.text and reply.reprompt, "a response that is not the last asks for next"
        reply = alexa.intent("AMAZON.NextIntent")
        said += 1
    return reply, said


def test_morning_plays_through_in_one_response_and_ends_with_the_summary(alexa: Alexa) -> None:
    reply = alexa.intent("StartRoutineIntent", routine=MORNING)
    assert headings(reply.text) == ["single knee to chest", "double knee to chest", "relaxed knee hugs"]
    assert reply.text.count("Hold for 20 seconds.") == 3, "both sides of the first stretch and the second, unasked"
    assert "Say next" not in reply.text, "nothing asks the user to speak"
    assert "You finished the morning back stretches: 3 stretches" in reply.text
    assert reply.text.rstrip().endswith("How does your back feel now: better, the same, or worse?")
    assert not reply.ended and "better, the same, or worse" in reply.reprompt, "silence hears the question again"
    bye = alexa.intent("FeelingIntent", feeling=("better", "better"))
    assert bye.ended and "Good to hear" in bye.text


@pytest.mark.parametrize("routine_id", sorted(CATALOGUE.routines))
def test_every_routine_finishes_in_at_most_three_utterances(alexa: Alexa, routine_id: str) -> None:
    routine = CATALOGUE.routine(routine_id)
    reply, said = play_to_end(alexa, alexa.intent("StartRoutineIntent", routine=(routine.name, routine_id)))
    assert 1 + said <= 3
    announced = [h for r in alexa.history for h in headings(r.text)]
    warm_up = [CATALOGUE.stretch(i.stretch_id).name for i in CATALOGUE.routine(routine.warm_up).items] if routine.warm_up else []
    assert announced == warm_up + [CATALOGUE.stretch(i.stretch_id).name for i in routine.items]
    assert f"You finished the {routine.name}: {len(warm_up) + len(routine.items)} stretches" in reply.text


def test_long_holds_span_responses_cut_only_between_stretches(alexa: Alexa) -> None:
    long_holds(alexa)
    first = alexa.intent("StartRoutineIntent", routine=FULL_BACK)
    reply, _ = play_to_end(alexa, first)
    responses = alexa.history[alexa.history.index(first):]
    assert len(responses) > 1
    for earlier in responses[:-1]:
        assert re.search(r"Next up is stretch \d of 5, [a-z' ]+\. Say next", earlier.text)
        assert "Whenever you're ready, say next for" in earlier.reprompt
    announced = [h for r in responses for h in headings(r.text)]
    assert announced == ["back flexion", "single knee to chest", "child's pose", "chin to chest", "ear to shoulder"]
    assert "You finished the full back routine: 5 stretches" in reply.text and "skipped" not in reply.text


def test_the_navigation_hint_and_safety_note_come_once_per_user(alexa: Alexa) -> None:
    first = alexa.intent("StartRoutineIntent", routine=MORNING)
    assert "never bounce" in first.text and "To steer, say Alexa" in first.text
    second = alexa.intent("StartRoutineIntent", routine=MORNING)
    assert "To steer, say Alexa" not in second.text and "ask your doctor" not in second.text
    assert "The morning back stretches, about" in second.text
    help_reply = alexa.intent("AMAZON.HelpIntent")
    assert "pause, skip" in help_reply.text or "pause, next, skip" in help_reply.text


def test_a_stretch_finished_three_times_is_introduced_by_name_and_cue(alexa: Alexa) -> None:
    steps = "Hold the back of your left thigh with both hands."
    for _ in range(3):
        assert steps in alexa.intent("StartRoutineIntent", routine=MORNING).text
    familiar = alexa.intent("StartRoutineIntent", routine=MORNING)
    assert steps not in familiar.text and "single knee to chest" in familiar.text
    assert CATALOGUE.stretch("single_knee_to_chest").cue in familiar.text


# -- steering in the middle of a response (fixed times) --------------------------------------------


def test_pause_mid_hold_keeps_that_stretch_and_side_and_is_stored_at_once(clocked: tuple[Alexa, FakeClock, Path]) -> None:
    alexa, _, data_dir = clocked
    started = start_full_back(alexa)
    into_hold = starts_at(started.ssml, "Hold for 30 seconds.") + 40  # well inside the first hold
    paused = alexa.intent("AMAZON.PauseIntent", at=into_hold)
    assert "Paused at back flexion" in paused.text and not paused.ended
    progress = stored(data_dir)["progress"]
    assert progress["status"] == "paused", "a pause is stored before its reply, not at session end"
    resumed = alexa.intent("AMAZON.ResumeIntent")
    assert resumed.text.startswith("Back to back flexion.")
    assert "Hold for 30 seconds." in resumed.text and "stretch 2 of 5" in resumed.text.lower()


def test_skip_while_the_second_stretch_is_explained_skips_it(clocked: tuple[Alexa, FakeClock, Path]) -> None:
    alexa, _, _ = clocked
    started = start_full_back(alexa, hold="20")
    assert not started.ended
    during_second = starts_at(started.ssml, "Stretch 2 of 5:") + 8
    skipped = alexa.intent("SkipIntent", at=during_second)
    assert headings(skipped.text)[0] == "child's pose"
    reply, _ = play_to_end(alexa, skipped)
    assert "You finished the full back routine: 4 stretches" in reply.text and "You skipped one" in reply.text


def test_skip_after_a_response_skips_the_stretch_it_announced(clocked: tuple[Alexa, FakeClock, Path]) -> None:
    alexa, _, _ = clocked
    started = start_full_back(alexa)
    announced = re.search(r"Next up is stretch (\d) of 5, ([a-z' ]+)\.", started.text)
    assert announced
    skipped = alexa.intent("SkipIntent")  # after the response ended
    assert announced.group(2) not in headings(skipped.text)
    assert headings(skipped.text)[0] != announced.group(2)


def test_go_back_mid_stretch_plays_the_one_before(clocked: tuple[Alexa, FakeClock, Path]) -> None:
    alexa, _, _ = clocked
    started = start_full_back(alexa, hold="20")
    during_second = starts_at(started.ssml, "Stretch 2 of 5:") + 15
    back = alexa.intent("AMAZON.PreviousIntent", at=during_second)
    assert headings(back.text)[0] == "back flexion"


def test_repeat_mid_side_plays_that_side_again(clocked: tuple[Alexa, FakeClock, Path]) -> None:
    alexa, _, _ = clocked
    started = start_full_back(alexa, hold="20")
    right_side = starts_at(started.ssml, "Now single knee to chest on your right side.") + 12
    again = alexa.intent("AMAZON.RepeatIntent", at=right_side)
    assert again.text.startswith("Back to single knee to chest, right side.")


def test_how_many_left_mid_response_answers_then_plays_on(clocked: tuple[Alexa, FakeClock, Path]) -> None:
    alexa, _, _ = clocked
    started = start_full_back(alexa)
    left = alexa.intent("ProgressIntent", at=starts_at(started.ssml, "Hold for 30 seconds.") + 20)
    assert left.text.startswith("5 stretches to go, counting this one:")
    assert "Let's carry on." in left.text and "Hold for 30 seconds." in left.text


def test_this_hurts_mid_response_stops_the_routine_and_is_stored(clocked: tuple[Alexa, FakeClock, Path]) -> None:
    alexa, _, data_dir = clocked
    started = start_full_back(alexa)
    hurt = alexa.intent("PainIntent", at=starts_at(started.ssml, "Hold for 30 seconds.") + 30)
    assert "Never push into pain" in hurt.text and "skip to the next stretch" in hurt.text
    assert not hurt.ended
    assert hurt.attributes["routine"]["status"] == "paused", "the routine does not play on after pain"
    assert stored(data_dir)["progress"]["status"] == "paused"
    onward = alexa.intent("AMAZON.YesIntent")
    assert headings(onward.text)[0] == "single knee to chest"


def test_pain_then_no_ends_gently_and_keeps_the_place(alexa: Alexa) -> None:
    started = start_full_back(alexa)
    alexa.intent("PainIntent", at=starts_at(started.ssml, "Hold for 30 seconds.") + 30)
    bye = alexa.intent("AMAZON.NoIntent")
    assert bye.ended and "Rest now" in bye.text
    assert "back flexion" in alexa.launch().text


def test_a_missing_timestamp_counts_as_the_start_of_the_response(clocked: tuple[Alexa, FakeClock, Path]) -> None:
    """Documented fallback: without a timestamp nothing in the response counts as heard."""
    alexa, _, _ = clocked
    start_full_back(alexa)
    event = load_event("intent_request")
    event["request"]["intent"]["name"] = "AMAZON.PauseIntent"
    del event["request"]["timestamp"]
    paused = alexa.send_raw(event)
    assert "Paused at back flexion" in paused.text


# -- the place is never lost -----------------------------------------------------------------------


def test_silence_at_a_response_boundary_then_relaunch_carries_on_from_the_announced_stretch(alexa: Alexa) -> None:
    started = start_full_back(alexa)
    announced = re.search(r"Next up is stretch \d of 5, ([a-z' ]+)\.", started.text)
    assert announced
    alexa.end("EXCEEDED_MAX_REPROMPTS")
    welcome = alexa.launch()
    assert "carry on" in welcome.text and announced.group(1) in welcome.text
    carried = alexa.intent("AMAZON.YesIntent")
    assert carried.text.startswith("Let's carry on with the full back routine.")
    assert headings(carried.text)[0] == announced.group(1)


@pytest.mark.parametrize("answer", ["AMAZON.YesIntent", "AMAZON.NextIntent", "AMAZON.ResumeIntent"])
def test_yes_next_and_continue_all_carry_on(alexa: Alexa, answer: str) -> None:
    start_full_back(alexa)
    alexa.intent("AMAZON.StopIntent")
    alexa.launch()
    carried = alexa.intent(answer)
    assert carried.text.startswith("Let's carry on with the full back routine.")


def test_walking_away_mid_response_resumes_at_the_side_that_was_playing(clocked: tuple[Alexa, FakeClock, Path]) -> None:
    alexa, _, _ = clocked
    started = start_full_back(alexa, hold="20")
    # Well inside the side: an exit keeps the earliest place the timing allows, which is some seconds back.
    right_side = starts_at(started.ssml, "Now single knee to chest on your right side.") + 30
    alexa.end("USER_INITIATED", at=right_side)  # "Alexa, exit" during the right side
    welcome = alexa.launch()
    assert "single knee to chest" in welcome.text
    carried = alexa.intent("AMAZON.YesIntent")
    assert "Back to single knee to chest, right side." in carried.text
    assert "left side" not in carried.text.split("Stretch 3 of 5")[0], "the left side, already done, is not replayed"


def test_declining_to_continue_offers_routines(alexa: Alexa) -> None:
    start_full_back(alexa)
    alexa.intent("AMAZON.StopIntent")
    alexa.launch()
    declined = alexa.intent("AMAZON.NoIntent")
    assert "Which one would you like" in declined.text and not declined.ended
    assert "Welcome to Back Stretch Coach" in alexa.launch().text or "carry on" not in alexa.history[-1].text


def test_finished_routine_is_not_offered_again(alexa: Alexa) -> None:
    alexa.intent("StartRoutineIntent", routine=("neck and shoulder stretches", "neck_and_shoulders"))
    alexa.end()
    assert "carry on" not in alexa.launch().text


# -- the shape of the conversation -----------------------------------------------------------------


def test_navigation_without_a_routine_explains(alexa: Alexa) -> None:
    for intent in ("AMAZON.NextIntent", "AMAZON.PreviousIntent", "AMAZON.PauseIntent", "SkipIntent", "ProgressIntent", "FullStepsIntent"):
        reply = alexa.intent(intent)
        assert "No routine is playing right now" in reply.text and not reply.ended


def test_unknown_intent_gets_fallback_not_an_error(alexa: Alexa) -> None:
    reply = alexa.intent("SomethingNewIntent")
    assert "didn't catch that" in reply.text and not reply.ended


def test_an_error_keeps_the_session_and_the_routine(clocked: tuple[Alexa, FakeClock, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    alexa, _, _ = clocked
    start_full_back(alexa)
    from skill.flows import describe

    def broken(turn: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(describe, "how_long", broken)
    failed = alexa.intent("ProgressIntent")
    assert "something went wrong" in failed.text and not failed.ended and failed.reprompt
    monkeypatch.undo()
    still = alexa.intent("AMAZON.NextIntent")
    assert headings(still.text), "the routine survived the error"


def test_tampered_session_state_is_dropped_with_one_sentence(alexa: Alexa) -> None:
    alexa.intent("StartRoutineIntent", routine=MORNING)
    event = load_event("intent_request")
    event["request"]["intent"]["name"] = "AMAZON.NextIntent"
    event["session"]["attributes"] = {"routine": {"routine": "morning", "items": [["drop table", 20, 1]], "position": 99, "status": "playing"}}
    reply = alexa.send_raw(event)
    assert "lost track" in reply.text and not reply.ended


def test_session_ended_gets_empty_response(alexa: Alexa) -> None:
    start_full_back(alexa)
    ended = alexa.end("USER_INITIATED")
    assert ended.response == {}


def test_one_shot_fixture_starts_the_morning_routine(alexa: Alexa) -> None:
    """"Alexa, ask back stretch coach to start my morning back stretches": a new session's first request."""
    reply = alexa.send_raw(load_event("start_routine_morning"))
    assert headings(reply.text)[0] == "single knee to chest"


def test_one_json_log_line_per_request_without_the_user_id(alexa: Alexa, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("INFO", logger="backstretch.requests")
    alexa.launch()
    alexa.intent("StartRoutineIntent", routine=MORNING)
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "backstretch.requests"]
    assert [line["request_type"] for line in lines] == ["LaunchRequest", "IntentRequest"]
    assert lines[1]["intent"] == "StartRoutineIntent" and lines[1]["locale"] == "en-US"
    assert [line["outcome"] for line in lines] == ["ok", "ok"] and all(line["latency_ms"] >= 0 for line in lines)
    assert all(line["user"] and alexa.user_id not in json.dumps(line) for line in lines)


def test_repeat_never_replays_tampered_speech(alexa: Alexa) -> None:
    """Outside a routine "repeat" says the last reply again, but only if it is well-formed SSML."""
    welcome = alexa.launch()
    again = alexa.intent("AMAZON.RepeatIntent")
    assert again.ssml == welcome.ssml
    event = load_event("intent_request")
    event["request"]["intent"]["name"] = "AMAZON.RepeatIntent"
    for tampered in ("<speak>Fish & chips</speak>", '<speak>Fish<break time="99000ms"/></speak>', '<speak><audio src="x"/>Fish</speak>'):
        event["session"]["attributes"] = {"last": {"ssml": tampered, "reprompt": None}}
        reply = alexa.send_raw(event)
        assert "Fish" not in reply.text and "Which one would you like" in reply.text


def test_lambda_refuses_events_that_are_not_alexa_requests(alexa: Alexa) -> None:
    """Lambda hands over a parsed dict; it gets the same shape checks as the web service's body."""
    from skill.entrypoints.invoke import BadRequest

    for event in ({"hello": "world"}, {"request": {}}, {"request": {"type": "Alexa.Nonsense.Event"}}):
        with pytest.raises(BadRequest):
            alexa.handler(event, None)
