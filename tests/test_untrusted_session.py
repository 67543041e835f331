"""Session attributes come back from the client: whatever is in them, a turn answers normally, says
sorry at most once, and nothing of it reaches the store unchecked."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.support.conversation import Alexa, load_event, stored

FULL_BACK = ("full back routine", "full_back")


def with_attributes(name: str, attributes: dict[str, Any]) -> dict[str, Any]:
    event = load_event("intent_request")
    event["request"]["intent"] = {"name": name, "confirmationStatus": "NONE", "slots": {}}
    event["session"]["attributes"] = attributes
    return event


@pytest.mark.parametrize(
    "user",
    [
        {"profile": {"schema": 1}, "version": 0, "told": 5},
        {"profile": {"schema": 1}, "version": 0, "told": "store_unavailable", "store_ok": "yes"},
        {"profile": {"schema": 1}, "version": 0, "extra": ["x"] * 10},
        {"profile": {"schema": 1}, "version": 0, "extra": {"big": "x" * 100_000}},
    ],
)
def test_wrongly_typed_user_fields_do_not_stick(alexa: Alexa, tmp_path: Path, user: Any) -> None:
    alexa.intent("SetHoldTimeIntent", seconds="25")
    first = alexa.send_raw(with_attributes("MyRoutineIntent", {"user": user}))
    assert "something went wrong" not in first.text
    second = alexa.intent("MyRoutineIntent")
    assert "something went wrong" not in second.text and not second.ended
    assert "big" not in json.dumps(stored(tmp_path / "data"))


@pytest.mark.parametrize("user", ["junk", {"profile": [], "version": {}}, {"profile": {"schema": "x"}, "version": 1}])
def test_an_unreadable_session_profile_is_read_again_from_the_store(alexa: Alexa, user: Any) -> None:
    alexa.intent("SetHoldTimeIntent", seconds="25")
    reply = alexa.send_raw(with_attributes("MyRoutineIntent", {"user": user}))
    assert "something went wrong" not in reply.text and "Holds of 25 seconds" in reply.text


@pytest.mark.parametrize(
    "routine_id",
    ["x" * 100_000, "<speak>evil</speak>", "morning_extra", "", 7],
)
def test_a_forged_routine_is_never_stored(alexa: Alexa, tmp_path: Path, routine_id: Any) -> None:
    started = alexa.intent("StartRoutineIntent", routine=FULL_BACK)
    forged = dict(started.attributes)
    forged["routine"] = {**forged["routine"], "routine": routine_id}
    paused = alexa.send_raw(with_attributes("AMAZON.PauseIntent", forged))
    assert "lost track" in paused.text
    progress = stored(tmp_path / "data").get("progress") or {}
    assert progress.get("routine") in (None, "full_back")
    assert len(json.dumps(stored(tmp_path / "data"))) < 4096
    again = alexa.launch()
    assert len(again.ssml) < 1000


def test_session_dates_must_be_iso_dates(tmp_path: Path) -> None:
    from skill.profile import Profile

    profile, reset = Profile.from_attributes({"schema": 1, "session_dates": ["20261129"]})
    assert reset and profile.session_dates == ()


@pytest.mark.parametrize(
    "tampered",
    [
        "<speak>a<!-- hidden --></speak>",
        "<speak><![CDATA[x]]></speak>",
        '<!DOCTYPE speak [<!ENTITY e "x">]><speak>&e;</speak>',
        "<speak>a<p>b</p></speak>",
    ],
)
def test_repeat_says_only_ssml_of_the_shape_the_skill_writes(alexa: Alexa, tampered: str) -> None:
    reply = alexa.send_raw(with_attributes("AMAZON.RepeatIntent", {"last": {"ssml": tampered, "reprompt": None}}))
    assert reply.ssml != tampered and "Which one would you like" in reply.text


def test_control_characters_in_a_slot_value_never_reach_the_ssml(alexa: Alexa) -> None:
    reply = alexa.intent("StartRoutineIntent", routine=("pizza\x07\x1b[31m", None))
    assert "don't have a routine called pizza" in reply.text
    assert not any(ord(c) < 32 for c in reply.ssml)
