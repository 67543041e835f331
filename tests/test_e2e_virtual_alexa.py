"""End to end: utterances resolved by virtual-alexa from the real interaction model, sent over HTTP
to ``backstretch serve --no-verify``; every response checked by ssml-check-core (Amazon rules) and
by ask-sdk-model."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Iterator

import pytest

from tests.support.checks import assert_valid_response
from tests.support.e2e import drive, serve

MODEL = Path(__file__).resolve().parents[1] / "interaction_models" / "en-US.json"


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


def test_the_done_when_conversation(server: str) -> None:
    turns = run(
        server,
        [
            "launch",
            "help",
            "start my morning back stretches",
            "next",
            "repeat that",
            "go back",
            "pause",
            "resume",
            "blah blah purple monkey",
            "stop",
        ],
    )
    by_turn = {t["turn"]: t for t in turns}
    assert "Welcome" in speech(by_turn["launch"])
    assert intent_of(by_turn["help"]) == "AMAZON.HelpIntent"
    started = by_turn["start my morning back stretches"]
    assert intent_of(started) == "StartRoutineIntent"
    assert "Stretch 1 of 3: single knee to chest" in speech(started)
    ssml = started["response"]["response"]["outputSpeech"]["ssml"]
    hold = ssml[ssml.index("Hold for 20 seconds.") : ssml.index("And release.")]
    assert 16_000 <= sum(int(ms) for ms in re.findall(r'time="(\d+)ms"', hold)) < 20_000
    assert "other side" in speech(by_turn["next"])
    assert speech(by_turn["repeat that"]) == speech(by_turn["next"])
    assert "Stretch 1 of 3" in speech(by_turn["go back"])
    assert intent_of(by_turn["pause"]) == "AMAZON.PauseIntent" and "Paused" in speech(by_turn["pause"])
    assert "Stretch 1 of 3: single knee to chest" in speech(by_turn["resume"])
    fallback = by_turn["blah blah purple monkey"]
    assert intent_of(fallback) == "AMAZON.FallbackIntent"
    assert fallback["response"]["response"]["shouldEndSession"] is False
    assert by_turn["stop"]["response"]["response"]["shouldEndSession"] is True


@pytest.mark.parametrize(
    ("utterance", "intent"),
    [
        ("start my back stretches", "StartRoutineIntent"),
        ("let's do the lower back routine", "StartRoutineIntent"),
        ("what routines are there", "ListRoutinesIntent"),
        ("skip this one", "SkipIntent"),
        ("how many are left", "ProgressIntent"),
        ("what does this stretch help with", "StretchInfoIntent"),
        ("this hurts", "PainIntent"),
    ],
)
def test_people_phrasings_reach_the_right_intent(server: str, utterance: str, intent: str) -> None:
    turns = run(server, ["start my morning back stretches", utterance, "stop"], name=utterance)
    assert intent_of(turns[1]) == intent
    assert turns[1]["response"]["response"]["shouldEndSession"] is False


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
            "stop",
        ],
        name="settings",
        user="amzn1.ask.account.E2E-SETTINGS",
    )
    said = [speech(t) for t in turns]
    assert "lower back routine is now your routine" in said[0]
    assert "30 seconds" in said[1]
    assert "5 repetitions" in said[2]
    assert "beginner" in said[3]
    assert "Added child's pose" in said[4]
    assert "child's pose" in said[5] and "5 repetitions each" in said[5]
    assert "Let's do your own routine" in said[6] and "Hold for 10 seconds." in said[6]

