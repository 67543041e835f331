"""Wording rules, each checked over every routine at the settings that bring the fault out."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from skill.catalogue import load_catalogue
from skill.engine import Settings
from skill.engine import build_plan
from skill.speech.phrases import phrases_for
from skill.speech.ssml import Text
from skill.speech.timeline import Timeline
from tests.support.conversation import Alexa, FakeClock, played_through

CATALOGUE = load_catalogue()
PHRASES = phrases_for("en-US")
ROUTINES = sorted(CATALOGUE.routines)
# Words that tell the user to come out of a hold.
RELEASE_WORDS = re.compile(r"\b(?:release|let go|relax)\b", re.IGNORECASE)


def spoken(routine_id: str, settings: Settings = Settings()) -> str:
    timeline = Timeline(build_plan(CATALOGUE.routine(routine_id).items, CATALOGUE, settings), CATALOGUE, PHRASES)
    return " ".join(part.text for rendered in timeline.rendered for part in rendered.speech.flat() if isinstance(part, Text))


@pytest.mark.parametrize("routine_id", ROUTINES)
def test_each_hold_ends_with_one_release_word(routine_id: str) -> None:
    text = spoken(routine_id, Settings(reps=5))
    holds = re.split(r"Hold for \d+ seconds\.", text)[1:]
    assert holds, routine_id
    for hold in holds:
        release_to_next = hold[hold.index("Release.") :] if "Release." in hold else ""
        # What follows the hold's end until the next hold: rest, the next repetition, or the next stretch.
        between = re.split(r"(?:First, |Stretch \d+ of \d+: |Now )", release_to_next)[0]
        assert len(RELEASE_WORDS.findall(between)) == 1, between


# -- in whole conversations ---------------------------------------------------------------------------

ONE_WITH_PLURAL = re.compile(r"\b1 (?:stretches|repetitions|days|routines|times|minutes|movements|seconds)\b")


@pytest.mark.parametrize("routine_id", ROUTINES)
def test_one_of_anything_is_said_in_the_singular(tmp_path: Path, routine_id: str) -> None:
    alexa = Alexa.with_clock(tmp_path / "data", FakeClock())
    said = [alexa.intent("SetRepsIntent", reps="1").text, alexa.intent("MyRoutineIntent").text]
    said.append(played_through(alexa, routine_id))
    said.append(alexa.intent("FeelingIntent", feeling=("better", "better")).text)
    said.append(alexa.intent("ProgressStatsIntent").text)
    said.append(alexa.intent("AddStretchIntent", stretch=("child's pose", "childs_pose")).text)  # to the usual routine's
    for item in CATALOGUE.routine("lower_back").items:
        said.append(alexa.intent("RemoveStretchIntent", stretch=(item.stretch_id, item.stretch_id)).text)
    said.append(played_through(alexa, None))
    text = " ".join(said)
    assert "1 repetition of each stretch" in text and "Your routine now has 1 stretch." in text
    assert "your own routine: 1 stretch in" in text
    assert not ONE_WITH_PLURAL.findall(text), ONE_WITH_PLURAL.findall(text)


@pytest.mark.parametrize("routine_id", ROUTINES)
def test_a_routine_named_in_a_sentence_has_its_article(tmp_path: Path, routine_id: str) -> None:
    alexa = Alexa.with_clock(tmp_path / "data", FakeClock())
    name = CATALOGUE.routine(routine_id).name
    text = played_through(alexa, routine_id)
    assert f"You finished the {name}:" in text
    bare = re.compile(rf"\b(?:finished|with|during|start|for) {re.escape(name)}\b")
    assert not bare.findall(text)


@pytest.mark.parametrize("routine_id", ROUTINES)
def test_the_last_word_fits_the_position_the_routine_ends_in(tmp_path: Path, routine_id: str) -> None:
    alexa = Alexa.with_clock(tmp_path / "data", FakeClock())
    closing = played_through(alexa, routine_id).split("You finished")[-1]
    last = CATALOGUE.stretch(CATALOGUE.routine(routine_id).items[-1].stretch_id)
    on_the_floor = last.posture not in ("sitting", "standing")
    assert ("before you get up" in closing) is on_the_floor, (last.posture, closing)
    if not on_the_floor:
        assert "a moment" in closing
