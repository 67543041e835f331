"""Whole conversations about the place and the questions: a relaunch picks a routine up at the
repetition it stopped in, and every question the skill asks is one conversation (the words that
answer it, its reprompt, what silence does to it).

Requests go through ``lambda_handler`` (or the in-process skill on a fake clock, for interruptions at
exact times), built from the fixtures in tests/events.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.conversation import Alexa, FakeClock, Reply, headings
from tests.support.stopwatch import fixed_rate_timeline

FULL_BACK = ("full back routine", "full_back")


@pytest.fixture
def clocked(tmp_path: Path) -> Alexa:
    """A device and skill sharing one fake clock, on a fresh embedded store."""
    return Alexa.with_clock(tmp_path / "clocked", FakeClock())


def nth_start(ssml: str, words: str, n: int, after: str | None = None) -> float:
    """When the ``n``-th (from 1) ``words`` start in a response, counting from ``after`` (fixed-rate renderer)."""
    tokens = [t for t in fixed_rate_timeline(ssml) if t.kind == "word"]
    texts = [t.text for t in tokens]

    def found(phrase: str, start: int) -> list[int]:
        wanted = phrase.split()
        return [i for i in range(start, len(texts) - len(wanted) + 1) if texts[i : i + len(wanted)] == wanted]

    start = found(after, 0)[0] if after else 0
    return tokens[found(words, start)[n - 1]].start


def start_full_back(alexa: Alexa) -> Reply:
    """The full back routine with 5 repetitions of 30-second holds: several responses long."""
    alexa.intent("SetHoldTimeIntent", seconds="30")
    alexa.intent("SetRepsIntent", reps="5")
    alexa.intent("AMAZON.StopIntent")
    return alexa.intent("StartRoutineIntent", routine=FULL_BACK)


# -- the place, to the repetition ------------------------------------------------------------------

LEFT_SIDE = "single knee to chest, left side"
RIGHT_SIDE_CUE = "Now single knee to chest on your right side."


def leave_during_third_repetition(alexa: Alexa, how: str) -> None:
    """Interrupt the left side of single knee to chest in the middle of its third hold, then leave ``how``."""
    started = start_full_back(alexa)
    third = nth_start(started.ssml, "Hold for 30 seconds.", 3, after="Stretch 2 of 5:") + 15
    if how == "pause":
        paused = alexa.intent("AMAZON.PauseIntent", at=third)
        assert "Paused at single knee to chest" in paused.text
        alexa.end("EXCEEDED_MAX_REPROMPTS")
    elif how == "stop":
        assert alexa.intent("AMAZON.StopIntent", at=third).ended
    elif how == "pain":
        assert "Never push into pain" in alexa.intent("PainIntent", at=third).text
        alexa.end("EXCEEDED_MAX_REPROMPTS")
    else:  # "exit" said during the hold: the session ends there
        alexa.end("USER_INITIATED", at=third)


@pytest.mark.parametrize("how", ["pause", "stop", "pain", "exit"])
def test_a_relaunch_resumes_at_the_repetition_with_a_short_cue(clocked: Alexa, how: str) -> None:
    leave_during_third_repetition(clocked, how)
    welcome = clocked.launch()
    assert "single knee to chest" in welcome.text and "carry on" in welcome.text
    carried = clocked.intent("AMAZON.YesIntent")
    assert carried.text.startswith(
        "Let's carry on with full back routine. Back to single knee to chest, left side. Repetition 3 of 5. Get back into position."
    ), carried.text[:200]
    left_side = carried.text.split(RIGHT_SIDE_CUE)[0]
    assert left_side.count("Hold for 30 seconds.") == 3, "repetitions 3, 4 and 5 of the left side, no more"
    assert "Stretch 2 of 5" not in carried.text, "the steps are not read again"
    assert headings(carried.text)[0] != "back flexion"
    assert carried.text.count("Hold for 30 seconds.") >= 3 + 5, "then the right side in full"
