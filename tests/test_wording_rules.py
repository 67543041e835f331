"""Wording rules, each checked over every routine at the settings that bring the fault out."""

from __future__ import annotations

import re

import pytest

from skill.catalogue import load_catalogue
from skill.engine import Settings
from skill.engine import build_plan
from skill.speech.phrases import phrases_for
from skill.speech.ssml import Text
from skill.speech.timeline import Timeline

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
