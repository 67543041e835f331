"""Settings say what the user will get, in one sentence, already stored; a routine starts without a list of
exceptions; every step of a stretch with sides names the side, the article's side order is kept, and the first
leg is lowered before the other side starts. Whole conversations through ``lambda_handler``."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from skill.catalogue import load_catalogue
from tests.support.conversation import Alexa, stored, played_through

CATALOGUE = load_catalogue()
MORNING = ("morning back stretches", "morning")
LOWER_BACK = ("lower back routine", "lower_back")
HOLDS = re.compile(r"Hold for (\d+) seconds\.")
# What a step said before sides were named in it.
NO_SIDE = re.compile(r"\bone (?:thigh|heel|leg|shoulder|knee|foot)\b|\bto one side\b|\byour sore leg\b", re.IGNORECASE)


def sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s]




# -- settings --------------------------------------------------------------------------------------


def test_a_long_hold_is_confirmed_as_up_to_stored_first_and_the_routine_starts_without_a_list(alexa: Alexa, tmp_path: Path) -> None:
    reply = alexa.intent("SetHoldTimeIntent", seconds="60")
    assert sentences(reply.text) == ["Done.", "Holds up to 60 seconds; stretches with a shorter safe hold keep theirs."]
    assert stored(tmp_path / "data")["hold_seconds"] == 60, "what is confirmed is stored"
    started = alexa.intent("StartRoutineIntent", routine=MORNING)
    assert "safety," not in started.text.lower() and "stays at" not in started.text
    holds = [int(n) for n in HOLDS.findall(started.text)]
    assert holds and max(holds) <= 60 and min(holds) < 60, "up to 60, and shorter safe holds keep theirs"
    # 004 gives its morning stretches 15-20 s.
    assert max(h for h in holds if h >= 10) == 20


def test_a_short_hold_and_few_or_many_repetitions_say_what_the_user_gets(alexa: Alexa, tmp_path: Path) -> None:
    short = alexa.intent("SetHoldTimeIntent", seconds="10")
    assert sentences(short.text) == ["Done.", "Holds of 10 seconds where that is safe; other stretches keep their nearest safe hold."]
    few = alexa.intent("SetRepsIntent", reps="1")
    assert sentences(few.text) == ["Done.", "1 repetition of each stretch, or a stretch's fewest safe ones if that is more."]
    assert stored(tmp_path / "data")["reps"] == 1
    many = alexa.intent("SetRepsIntent", reps="6")
    assert sentences(many.text) == ["Done.", "Up to 6 repetitions of each stretch; stretches with fewer safe ones keep theirs."]
    assert stored(tmp_path / "data")["reps"] == 6 and stored(tmp_path / "data")["hold_seconds"] == 10
    said = played_through(alexa, "lower_back")
    # 003's knee hug: 3 to 5 times a side; 6 is more than it gives, so 5.
    assert "Repetition 5 of 5." in said and "of 6." not in said
    assert "safety," not in said.lower()


def test_a_beginner_hears_no_safety_list_and_gets_each_articles_beginner_hold(alexa: Alexa, tmp_path: Path) -> None:
    reply = alexa.intent("SetLevelIntent", level=("beginner", "beginner"))
    assert "safety" not in reply.text.lower() and len(sentences(reply.text)) <= 2
    assert stored(tmp_path / "data")["level"] == "beginner"
    morning = played_through(alexa, "morning")
    assert "safety," not in morning.lower()
    knee = morning[morning.index("single knee to chest") : morning.index("double knee to chest")]
    assert set(HOLDS.findall(knee)) == {"15"}, "004 starts its knee hug at 15 s"
    lower = played_through(alexa, "lower_back")
    knee = lower[lower.index("single knee to chest") : lower.index("lying hamstring stretch")]
    assert set(HOLDS.findall(knee)) == {"10"}, "003: a beginner holds 10 s at first"


# -- sides -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("routine_id", sorted(CATALOGUE.routines))
def test_no_step_leaves_the_side_unnamed(alexa: Alexa, routine_id: str) -> None:
    said = played_through(alexa, routine_id)
    assert not NO_SIDE.search(said), NO_SIDE.search(said)


def test_the_morning_knee_hug_names_the_left_leg_and_lowers_it_before_the_right(alexa: Alexa) -> None:
    said = played_through(alexa, "morning")
    left = said.index("Hold the back of your left thigh with both hands.")
    lowered = said.index("Lower your left foot back to the floor.")
    right = said.index("Now single knee to chest on your right side.")
    assert said.index("single knee to chest, left side.") < left < lowered < right


def test_the_step_hamstring_starts_on_the_right_as_its_article_does(alexa: Alexa) -> None:
    said = played_through(alexa, "hamstrings")
    heading = said.index("step hamstring stretch, right side.")
    step = said.index("Rest your right heel on the step with that leg straight.")
    down = said.index("Straighten up, and take your right foot down.")
    left = said.index("Now step hamstring stretch on your left side.")
    assert heading < step < down < left


def test_both_sore_legs_glide_left_then_right_with_the_left_lowered_between(alexa: Alexa) -> None:
    alexa.intent("SoreLegIntent", leg=("both", "both"))
    said = played_through(alexa, "sciatica")
    glide = said[said.index("sciatic nerve glide") :]
    assert glide.index("Lift your left leg") < glide.index("Lower your left leg to the floor.") < glide.index("on your right side.")


def test_the_neck_turns_back_to_the_middle_between_sides(alexa: Alexa) -> None:
    said = played_through(alexa, "neck_and_shoulders")
    tilt = said.index("Slowly tilt your head toward your left shoulder.")
    assert tilt < said.index("Slowly lift your head back to the middle.") < said.index("Now ear to shoulder on your right side.")
