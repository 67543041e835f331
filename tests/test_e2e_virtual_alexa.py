"""End to end: utterances resolved by virtual-alexa from the real interaction model, sent over HTTP
to ``backstretch serve --no-verify``; every response checked by ssml-check-core (Amazon rules) and
by ask-sdk-model."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Iterator

import pytest

from tests.support.checks import assert_valid_response
from tests.support.e2e import drive, serve

ROOT = Path(__file__).resolve().parents[1]
MODEL = ROOT / "interaction_models" / "en-US.json"
OUT_OF_DOMAIN: list[str] = json.loads((ROOT / "tests" / "data" / "heldout_utterances.json").read_text(encoding="utf-8"))["out_of_domain"]


def speech(turn: dict[str, Any]) -> str:
    ssml = ((turn.get("response") or {}).get("response", {}).get("outputSpeech") or {}).get("ssml", "")
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", ssml)).strip()


def intent_of(turn: dict[str, Any]) -> str | None:
    request = turn["request"]["request"]
    return request.get("intent", {}).get("name") or request["type"]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serve(tmp_path_factory.mktemp("e2e")) as url:
        yield url


def run(server: str, turns: list[Any], name: str = "conversation", user: str = "amzn1.ask.account.E2E") -> list[dict[str, Any]]:
    result = drive(server, [{"name": name, "userId": user, "turns": turns}], MODEL)
    conversation = result[0]
    for turn in conversation["turns"]:
        assert turn["error"] is None, (turn["turn"], turn["error"])
        assert turn["httpStatus"] == 200
        assert turn["ssmlErrors"] == [], (turn["turn"], turn["ssmlErrors"])
        assert_valid_response(turn["response"])
    return conversation["turns"]


AFTER_IT_PLAYED = {"afterMs": 3_600_000}  # the user answers once the response has played to its end
LONG_HOLDS = ["set my hold time to ninety seconds", "do five reps", "start the full back routine"]


def test_every_routine_finishes_in_at_most_three_utterances(server: str) -> None:
    """Each catalogue routine, started the way a person says it, its question answered, "next" when asked."""
    from skill.catalogue import load_catalogue

    catalogue = load_catalogue()
    first_answers = {"lower_back": "no", "hamstrings": "no", "sciatica": "my left leg"}
    conversations = [
        {
            "name": routine.id,
            "userId": f"amzn1.ask.account.E2E-{routine.id}",
            "turns": [f"start the {routine.name}"]
            + ([first_answers[routine.id]] if routine.id in first_answers else [])
            + [{"utter": "next", **AFTER_IT_PLAYED}] * 2,
        }
        for routine in catalogue.routines.values()
    ]
    for conversation in drive(server, conversations, MODEL):
        turns = conversation["turns"]
        for turn in turns:
            assert turn["error"] is None and turn["ssmlErrors"] == [], (conversation["name"], turn)
            assert_valid_response(turn["response"])
        assert intent_of(turns[0]) == "StartRoutineIntent"
        finished_at = next(i for i, t in enumerate(turns) if "Well done. You finished" in speech(t))
        assert finished_at <= 2, f"{conversation['name']}: not finished after {finished_at + 1} utterances"
        assert "How does your back feel now" in speech(turns[finished_at]) or "Shall we go on" in speech(turns[finished_at])


def test_long_holds_over_http(server: str) -> None:
    turns = run(
        server,
        [
            "launch",
            *LONG_HOLDS,
            {"utter": "how many are left", **AFTER_IT_PLAYED},
            "next",
            {"utter": "pause", "afterMs": 30_000},
            "resume",
            "blah blah purple monkey",
            "stop",
        ],
        name="long holds",
        user="amzn1.ask.account.E2E-LONG",
    )
    said = [speech(t) for t in turns]
    assert "Welcome" in said[0]
    assert "First, back flexion." in said[3] and "Next up is stretch 4 of 5, chin to chest" in said[3]
    ssml = turns[3]["response"]["response"]["outputSpeech"]["ssml"]
    assert max(int(ms) for ms in re.findall(r'time="(\d+)ms"', ssml)) <= 10_000
    assert intent_of(turns[4]) == "ProgressIntent" and "2 stretches to go" in said[4]
    assert intent_of(turns[5]) == "AMAZON.NextIntent" and "Stretch 4 of 5: chin to chest" in said[5]
    assert "You finished the full back routine" in said[5], "the rest fits in one response"
    # Half a minute into that response, chin to chest is playing.
    assert intent_of(turns[6]) == "AMAZON.PauseIntent" and "Paused at chin to chest" in said[6]
    assert "chin to chest" in said[7] and "Hold for 30 seconds." in said[7]
    fallback = turns[8]
    assert intent_of(fallback) == "AMAZON.FallbackIntent"
    assert "Sorry, I didn't catch that" in said[8] and "this hurts" in said[8]
    assert fallback["response"]["response"]["shouldEndSession"] is False
    assert turns[9]["response"]["response"]["shouldEndSession"] is True and "kept your place" in said[9]


@pytest.mark.parametrize(
    ("utterance", "intent"),
    [
        ("start my back stretches", "StartRoutineIntent"),
        ("what routines are there", "ListRoutinesIntent"),
        ("skip this one", "SkipIntent"),
        ("how many are left", "ProgressIntent"),
        ("what does this stretch help with", "StretchInfoIntent"),
        ("tell me the full steps", "FullStepsIntent"),
        ("this hurts", "PainIntent"),
        ("go back", "AMAZON.PreviousIntent"),
        ("what reminders do i have", "ListRemindersIntent"),
        ("cancel my stretching reminder", "CancelReminderIntent"),
        ("remind me to stretch", "SetReminderIntent"),
    ],
)
def test_people_phrasings_reach_the_right_intent(server: str, utterance: str, intent: str) -> None:
    turns = run(server, [*LONG_HOLDS, utterance, "stop"], name=utterance, user=f"amzn1.ask.account.E2E-{intent}")
    assert intent_of(turns[3]) == intent
    assert turns[3]["response"]["response"]["shouldEndSession"] is False


def test_settings_by_voice_over_http(server: str) -> None:
    """Settings phrased as people say them; virtual-alexa passes number words through, Alexa digits."""
    turns = run(
        server,
        [
            "set my preferred routine to lower back",
            "make my holds thirty seconds",
            "do five reps",
            "i'm a beginner",
            "add child's pose to my routine",
            "what is my routine",
            "start my back stretches",
        ],
        name="settings",
        user="amzn1.ask.account.E2E-SETTINGS",
    )
    said = [speech(t) for t in turns]
    assert "Your routine is now the lower back routine" in said[0]
    assert "30 seconds" in said[1]
    assert "5 repetitions" in said[2]
    assert "beginner" in said[3]
    assert "Added child's pose" in said[4]
    assert "child's pose" in said[5] and "5 repetitions each" in said[5]
    assert "Your own routine, about" in said[6] and "Hold for 10 seconds." in said[6]


def test_what_is_not_for_this_skill_falls_back_and_changes_nothing_stored(tmp_path: Path) -> None:
    """Things people say to Alexa that are not for this skill (written blind): at least 90 % reach
    AMAZON.FallbackIntent, and whatever they reach, the user's stored settings stay as they were."""
    from tests.support.conversation import stored

    user = "amzn1.ask.account.E2E-OUT-OF-DOMAIN"
    with serve(tmp_path) as url:
        drive(url, [{"name": "settings", "userId": user, "turns": ["launch", "do five reps", "make my holds twenty seconds"]}], MODEL)
        before = stored(tmp_path, user)
        assert before["reps"] == 5 and before["hold_seconds"] == 20
        conversation = drive(url, [{"name": "out of domain", "userId": user, "turns": ["launch", *OUT_OF_DOMAIN]}], MODEL)[0]
        after = stored(tmp_path, user)
    turns = conversation["turns"][1:]
    assert len(turns) == len(OUT_OF_DOMAIN) >= 60
    landed = [(t["turn"], intent_of(t)) for t in turns if intent_of(t) != "AMAZON.FallbackIntent"]
    assert len(landed) <= len(OUT_OF_DOMAIN) // 10, landed
    assert {k: v for k, v in after.items() if k != "progress"} == {k: v for k, v in before.items() if k != "progress"}


def test_a_time_alone_answers_what_time_each_day_through_slot_elicitation(server: str) -> None:
    """ "What time each day?" elicits the time slot; only then does a bare time reach SetReminderIntent."""
    turns = run(server, ["remind me to stretch", "half past six in the evening"], name="time", user="amzn1.ask.account.E2E-TIME")
    directives = turns[0]["response"]["response"].get("directives") or []
    assert [d["slotToElicit"] for d in directives if d["type"] == "Dialog.ElicitSlot"] == ["time"]
    assert turns[1]["resolution"] == "elicited:SetReminderIntent.time"
    assert turns[1]["request"]["request"]["intent"]["slots"]["time"]["value"] == "half past six in the evening"
    alone = run(server, ["launch", "half past six in the evening"], name="time alone", user="amzn1.ask.account.E2E-TIME-ALONE")
    assert intent_of(alone[1]) == "AMAZON.FallbackIntent"
