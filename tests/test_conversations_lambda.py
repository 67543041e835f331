"""Whole conversations through ``lambda_handler``, from the request fixtures in tests/events.

Every response is checked by ``assert_valid_response`` (ask-sdk-model round trip, SSML
well-formed, < 8000 characters, breaks <= 10 s and never adjacent).
"""

from __future__ import annotations

import re

import pytest

from skill.catalogue import load_catalogue
from skill.engine import RoutineEngine, Settings, blocks
from tests.support.conversation import Alexa, load_event

MORNING = ("morning back stretches", "morning")


def first_heading(text: str) -> str:
    found = re.search(r"Stretch \d+ of \d+: [^.]+\.", text)
    return found.group(0) if found else ""


def test_launch_then_help_keeps_session_open(alexa: Alexa) -> None:
    welcome = alexa.launch()
    assert "Welcome to Back Stretch Coach" in welcome.text
    assert not welcome.ended and welcome.reprompt
    help_reply = alexa.intent("AMAZON.HelpIntent")
    assert "start my back stretches" in help_reply.text
    assert not help_reply.ended


def test_start_morning_reads_steps_and_counts_down_the_hold(alexa: Alexa) -> None:
    reply = alexa.intent("StartRoutineIntent", routine=MORNING)
    assert "Let's do morning back stretches" in reply.text
    assert "Stretch 1 of 3: single knee to chest." in reply.text
    assert "Lie on your back" in reply.text
    assert "Hold for 20 seconds." in reply.text and "And release." in reply.text
    assert "Say next" in reply.text and not reply.ended
    # The countdown's breaks plus its spoken cues make 20 s; the breaks alone are most of it.
    hold_ssml = reply.ssml[reply.ssml.index("Hold for 20 seconds.") : reply.ssml.index("And release.")]
    hold_breaks = sum(int(ms) for ms in re.findall(r'<break time="(\d+)ms"/>', hold_ssml))
    assert 16_000 <= hold_breaks < 20_000


def test_next_repeat_back_pause_resume_fallback_stop(alexa: Alexa) -> None:
    alexa.launch()
    first = alexa.intent("StartRoutineIntent", routine=MORNING)
    assert "your left side" in first.text or "Start with your left side" in first.text
    second = alexa.intent("AMAZON.NextIntent")
    assert "other side" in second.text and "right" in second.text
    again = alexa.intent("AMAZON.RepeatIntent")
    assert again.text == second.text, "repeat plays the same block, not the next one"
    back = alexa.intent("AMAZON.PreviousIntent")
    assert first_heading(back.text) == "Stretch 1 of 3: single knee to chest."
    assert "Start with your left side" in back.text
    paused = alexa.intent("AMAZON.PauseIntent")
    assert "Paused at single knee to chest" in paused.text and not paused.ended
    resumed = alexa.intent("AMAZON.ResumeIntent")
    assert first_heading(resumed.text) == "Stretch 1 of 3: single knee to chest."
    nonsense = alexa.intent("AMAZON.FallbackIntent")
    assert "didn't catch that" in nonsense.text and not nonsense.ended
    still_there = alexa.intent("AMAZON.NextIntent")
    assert "other side" in still_there.text, "fallback must not lose the routine"
    bye = alexa.intent("AMAZON.StopIntent")
    assert bye.ended and "kept your place" in bye.text


@pytest.mark.parametrize("routine_id", sorted(load_catalogue().routines))
def test_every_routine_walks_to_the_end_within_limits(alexa: Alexa, routine_id: str) -> None:
    catalogue = load_catalogue()
    routine = catalogue.routine(routine_id)
    expected_turns = len(blocks(RoutineEngine(catalogue).start(routine_id, Settings(), 0).state.items, catalogue))
    reply = alexa.intent("StartRoutineIntent", routine=(routine.name, routine_id))
    turns = 1
    while not reply.ended:
        reply = alexa.intent("AMAZON.NextIntent")
        turns += 1
        assert turns <= expected_turns + 1
    assert turns == expected_turns + 1  # every block, then the summary
    assert "Well done" in reply.text and routine.name in reply.text
    headings = [first_heading(r.text) for r in alexa.history if first_heading(r.text)]
    assert len(headings) == len(routine.items)


def test_start_without_routine_plays_the_default_and_unknown_routine_lists_them(alexa: Alexa) -> None:
    unknown = alexa.intent("StartRoutineIntent", routine=("pizza", None))
    assert "don't have a routine called pizza" in unknown.text
    assert "morning back stretches" in unknown.text and not unknown.ended
    default = alexa.intent("StartRoutineIntent")
    assert "Stretch 1 of" in default.text


def test_skip_how_many_left_why_and_pain(alexa: Alexa) -> None:
    alexa.intent("StartRoutineIntent", routine=MORNING)
    left = alexa.intent("ProgressIntent")
    assert "2 more stretches after this one" in left.text
    why = alexa.intent("StretchInfoIntent")
    assert "single knee to chest" in why.text and not why.ended
    named = alexa.intent("StretchInfoIntent", stretch=("child's pose", "childs_pose"))
    assert "child's pose" in named.text.lower() or "child&apos;s pose" in named.ssml.lower()
    skipped = alexa.intent("SkipIntent")
    assert first_heading(skipped.text) == "Stretch 2 of 3: double knee to chest."
    hurt = alexa.intent("PainIntent")
    assert "Never push into pain" in hurt.text and "doctor" in hurt.text
    assert "skip to the next stretch" in hurt.text and not hurt.ended
    onward = alexa.intent("AMAZON.YesIntent")
    assert first_heading(onward.text) == "Stretch 3 of 3: knee to chest pulses."


def test_pain_then_no_ends_gently(alexa: Alexa) -> None:
    alexa.intent("StartRoutineIntent", routine=MORNING)
    alexa.intent("PainIntent")
    bye = alexa.intent("AMAZON.NoIntent")
    assert bye.ended and "Rest now" in bye.text


def test_interrupted_routine_is_offered_next_launch(alexa: Alexa) -> None:
    alexa.intent("StartRoutineIntent", routine=MORNING)
    alexa.intent("AMAZON.NextIntent")
    alexa.end("EXCEEDED_MAX_REPROMPTS")
    welcome = alexa.launch()
    assert "carry on" in welcome.text and "single knee to chest" in welcome.text
    carried_on = alexa.intent("AMAZON.YesIntent")
    assert "other side" in carried_on.text, "continues at the block where the user stopped"


def test_declining_to_continue_offers_routines(alexa: Alexa) -> None:
    alexa.intent("StartRoutineIntent", routine=MORNING)
    alexa.intent("AMAZON.StopIntent")
    alexa.launch()
    declined = alexa.intent("AMAZON.NoIntent")
    assert "Which one would you like" in declined.text and not declined.ended


def test_finished_routine_is_not_offered_again(alexa: Alexa) -> None:
    reply = alexa.intent("StartRoutineIntent", routine=("neck and shoulder stretches", "neck_and_shoulders"))
    while not reply.ended:
        reply = alexa.intent("AMAZON.NextIntent")
    assert "Welcome to Back Stretch Coach" in alexa.launch().text


def test_navigation_without_a_routine_explains(alexa: Alexa) -> None:
    for intent in ("AMAZON.NextIntent", "AMAZON.PreviousIntent", "AMAZON.PauseIntent", "SkipIntent", "ProgressIntent"):
        reply = alexa.intent(intent)
        assert "haven't started a routine" in reply.text and not reply.ended


def test_unknown_intent_gets_fallback_not_an_error(alexa: Alexa) -> None:
    reply = alexa.intent("SomethingNewIntent")
    assert "didn't catch that" in reply.text and not reply.ended


def test_tampered_session_state_is_dropped_with_one_sentence(alexa: Alexa) -> None:
    alexa.intent("StartRoutineIntent", routine=MORNING)
    event = load_event("intent_request")
    event["request"]["intent"]["name"] = "AMAZON.NextIntent"
    event["session"]["attributes"] = {"routine": {"routine": "morning", "items": [["drop table", 20, 1]], "position": 99, "status": "active"}}
    reply = alexa.send_raw(event)
    assert "lost track" in reply.text and not reply.ended


def test_session_ended_gets_empty_response(alexa: Alexa) -> None:
    alexa.intent("StartRoutineIntent", routine=MORNING)
    ended = alexa.end("USER_INITIATED")
    assert ended.response == {}


def test_one_shot_fixture_starts_the_morning_routine(alexa: Alexa) -> None:
    """"Alexa, ask back stretch coach to start my morning back stretches": a new session's first request."""
    reply = alexa.send_raw(load_event("start_routine_morning"))
    assert "Stretch 1 of 3: single knee to chest." in reply.text and not reply.ended


def test_one_json_log_line_per_request_without_the_user_id(alexa: Alexa, caplog: pytest.LogCaptureFixture) -> None:
    import json

    caplog.set_level("INFO", logger="backstretch.requests")
    alexa.launch()
    alexa.intent("StartRoutineIntent", routine=MORNING)
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "backstretch.requests"]
    assert [line["request_type"] for line in lines] == ["LaunchRequest", "IntentRequest"]
    assert lines[1]["intent"] == "StartRoutineIntent" and lines[1]["locale"] == "en-US"
    assert all(line["outcome"] == "ok" and line["latency_ms"] >= 0 for line in lines)
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
