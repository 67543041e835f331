"""Less talk before moving: from the first word of the response that starts a routine to the first word
of its first hold, rendered by espeak-ng at a fixed 160 words a minute (the silences given to move into
position left out, and so is the silence that ends the lead-in): at most 28 s for a returning user and
41 s for a first-time user, who also hears the doctor note, how to steer and one preparation tip. Both
include the stretch's own breathing cue, said just before a first hold too short to carry it."""

from __future__ import annotations

from pathlib import Path

import pytest

from skill.catalogue import load_catalogue
from tests.support.conversation import Alexa, FakeClock, Reply, answer_questions
from tests.support.stopwatch import before_first_hold

RETURNING_LIMIT = 28.0
NEW_USER_LIMIT = 41.0


def started(alexa: Alexa, routine_id: str) -> Reply:
    """Start a routine, answering a question before it as a user following the articles would."""
    reply = alexa.intent("StartRoutineIntent", routine=(load_catalogue().routine(routine_id).name, routine_id))
    return answer_questions(alexa, reply)[0]


@pytest.mark.parametrize("routine_id", sorted(load_catalogue().routines))
def test_talk_before_the_first_hold(tmp_path: Path, routine_id: str) -> None:
    alexa = Alexa.with_clock(tmp_path / "data", FakeClock())
    new_talk, _ = before_first_hold(started(alexa, routine_id).ssml, tmp_path)
    alexa.end()
    returning = started(alexa, routine_id)
    assert "Stop if it hurts." in returning.text, "the safety reminder comes every session"
    returning_talk, _ = before_first_hold(returning.ssml, tmp_path)
    assert new_talk <= NEW_USER_LIMIT, f"a first-time user hears {new_talk:.1f} s of talk first"
    assert returning_talk <= RETURNING_LIMIT, f"a returning user hears {returning_talk:.1f} s of talk first"
    assert returning_talk < new_talk


@pytest.mark.parametrize("routine_id", sorted(load_catalogue().routines))
def test_the_longest_settings_add_no_talk_before_the_first_hold(tmp_path: Path, routine_id: str) -> None:
    """With 90-second holds and 10 repetitions a returning user hears no more before the first hold than the
    limit: the settings were explained when they were set, so the routine lists no stretch that keeps its own."""
    alexa = Alexa.with_clock(tmp_path / "data", FakeClock())
    alexa.intent("SetHoldTimeIntent", seconds="90")
    asked = alexa.intent("SetRepsIntent", reps="10")
    if "Shall I keep that?" in asked.text:
        alexa.intent("AMAZON.YesIntent")
    started(alexa, routine_id)
    alexa.end()
    returning = started(alexa, routine_id)
    talk, _ = before_first_hold(returning.ssml, tmp_path)
    assert talk <= RETURNING_LIMIT, f"a returning user with the longest settings hears {talk:.1f} s of talk first"
