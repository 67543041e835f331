"""Whole conversations typed the way people talk, through the chat's matcher and the real skill:
context decides what "let's go" means, relative settings, questions for missing or out-of-range
numbers, and the everyday phrasings that used to fall through."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from skill.entrypoints.chat import CHAT_USER_ID, ChatSession
from skill.catalogue import load_catalogue
from tests.support.conversation import headings, stored

CATALOGUE = load_catalogue()


def chat(data_dir: Path, *lines: str) -> tuple[ChatSession, list[str]]:
    session = ChatSession.local(data_dir)
    return session, [session.say(line).text for line in lines]


def user(data_dir: Path) -> dict:
    return stored(data_dir, CHAT_USER_ID)


# Long holds and five repetitions make the full back routine take several responses, so the user is
# "mid-routine" between them: each ends announcing the next stretch.
MID_ROUTINE = ("hold each stretch for ninety seconds", "do five reps", "start the full back routine")


@pytest.mark.parametrize("go_on", ["let's go", "okay", "ready", "go on", "okay let's go", "let's do it"])
def test_mid_routine_go_words_carry_on_with_the_same_routine(tmp_path: Path, go_on: str) -> None:
    session, said = chat(tmp_path, *MID_ROUTINE)
    assert "Next up is stretch 3 of 5, child's pose." in said[-1]
    after = session.say(go_on).text
    assert after.startswith("Stretch 3 of 5: child's pose."), after[:120]
    assert "lower back" not in after.lower()


@pytest.mark.parametrize("go", ["let's go", "okay", "let's do it"])
def test_outside_a_routine_go_words_start_the_users_routine(tmp_path: Path, go: str) -> None:
    _, said = chat(tmp_path, "make neck and shoulders my default routine", "stop")
    session = ChatSession.local(tmp_path)
    session.say("launch")
    started = session.say(go).text
    assert "The neck and shoulder stretches" in started and "[hold" in started


def test_naming_another_routine_mid_routine_asks_first_and_no_carries_on(tmp_path: Path) -> None:
    session, _ = chat(tmp_path, *MID_ROUTINE)
    asked = session.say("let's do the neck and shoulders").text
    assert "middle of the full back routine" in asked and "neck and shoulder stretches instead?" in asked
    kept = session.say("no").text
    assert kept.startswith("Stretch 3 of 5: child's pose."), kept[:120]


def test_naming_another_routine_mid_routine_and_saying_yes_switches(tmp_path: Path) -> None:
    session, _ = chat(tmp_path, *MID_ROUTINE)
    session.say("start my neck stretches")
    switched = session.say("yes").text
    assert "The neck and shoulder stretches" in switched and "child's pose" not in switched.split("[hold")[0]


def test_naming_the_same_routine_mid_routine_just_carries_on(tmp_path: Path) -> None:
    session, _ = chat(tmp_path, *MID_ROUTINE)
    assert session.say("start the whole back routine").text.startswith("Stretch 3 of 5: child's pose.")


def test_longer_and_shorter_holds_move_ten_seconds_within_the_range_and_are_stored(tmp_path: Path) -> None:
    session, said = chat(tmp_path, "set my hold time to thirty seconds", "longer holds")
    assert "40 seconds" in said[-1] and "10 seconds longer than before" in said[-1] and user(tmp_path)["hold_seconds"] == 40
    assert "30 seconds" in session.say("shorter holds").text and user(tmp_path)["hold_seconds"] == 30
    assert "50 seconds" in session.say("add twenty seconds").text and user(tmp_path)["hold_seconds"] == 50
    assert "45 seconds" in session.say("take off five seconds").text and user(tmp_path)["hold_seconds"] == 45


def test_longer_holds_at_the_longest_says_so_and_changes_nothing(tmp_path: Path) -> None:
    session, said = chat(tmp_path, "hold for ninety seconds", "add ten seconds")
    assert "already 90 seconds, the longest" in said[-1]
    assert user(tmp_path)["hold_seconds"] == 90
    session.say("hold for ten seconds")
    assert "the shortest" in session.say("shorter holds").text and user(tmp_path)["hold_seconds"] == 10


def test_longer_holds_with_nothing_set_start_from_the_hold_the_user_gets_today(tmp_path: Path) -> None:
    session, said = chat(tmp_path, "set my preferred routine to the morning stretches", "start my stretches")
    # Timed holds, not the few seconds of each count in a counted set (a hold time starts at ten).
    heard = [int(n) for n in re.findall(r"\[hold (\d+) s", said[-1]) if int(n) >= 10]
    usual = Counter(heard).most_common(1)[0][0]
    session.say("stop")
    session.say("longer holds")
    assert user(tmp_path)["hold_seconds"] == usual + 10


def test_more_and_fewer_reps(tmp_path: Path) -> None:
    session, said = chat(tmp_path, "do three reps", "more reps")
    assert "4 repetitions" in said[-1] and "1 more than before" in said[-1] and user(tmp_path)["reps"] == 4
    assert "2 fewer than before" in session.say("two fewer reps").text
    assert user(tmp_path)["reps"] == 2
    session.say("do one rep")
    assert "the fewest" in session.say("fewer reps").text and user(tmp_path)["reps"] == 1


def test_a_hold_time_without_a_number_is_asked_for_and_a_bare_number_answers(tmp_path: Path) -> None:
    session, said = chat(tmp_path, "change my hold time")
    assert said[-1].endswith("How many seconds should each hold be, from 10 to 90?")
    assert "hold_seconds" not in user(tmp_path)
    assert "20 seconds" in session.say("twenty").text and user(tmp_path)["hold_seconds"] == 20


def test_an_out_of_range_hold_says_the_range_asks_again_and_keeps_the_old_value(tmp_path: Path) -> None:
    session, said = chat(tmp_path, "hold each stretch for forty seconds", "hold for five seconds")
    assert "can't set 5 seconds" in said[-1] and said[-1].endswith("from 10 to 90?")
    assert user(tmp_path)["hold_seconds"] == 40, "nothing is lost while asking"
    assert "can't set 100 seconds" in session.say("a hundred").text, "a second wrong answer is asked again"
    assert "30 seconds" in session.say("um thirty please").text
    assert user(tmp_path)["hold_seconds"] == 30


def test_reps_out_of_range_ask_for_a_number_and_yes_asks_for_the_number_itself(tmp_path: Path) -> None:
    session, said = chat(tmp_path, "do twenty repetitions")
    assert "can't set 20 repetitions" in said[-1] and said[-1].endswith("from 1 to 10?")
    again = session.say("yes").text
    assert again == "How many repetitions of each stretch, from 1 to 10?" and "reps" not in user(tmp_path)
    assert "6 repetitions" in session.say("six").text and user(tmp_path)["reps"] == 6


def test_a_bare_number_with_no_question_changes_nothing(tmp_path: Path) -> None:
    # Nothing asked for a number, so Alexa does not take "twenty" as one (a slot alone is heard only
    # while the skill elicits it): it is not understood, and no setting changes.
    _, said = chat(tmp_path, "twenty")
    assert "Sorry" in said[-1]
    assert "hold_seconds" not in user(tmp_path) and "reps" not in user(tmp_path)


def test_slower_mid_routine_stops_where_the_user_is_and_says_how_to_go_on(tmp_path: Path) -> None:
    session, _ = chat(tmp_path, *MID_ROUTINE)
    slower = session.say("you're going too fast").text
    assert "Take all the time you need" in slower and "continue" in slower
    assert user(tmp_path)["progress"]["status"] == "paused"
    assert session.say("okay I'm ready again").text.startswith("Stretch 3 of 5")


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("say that again", "Back to single knee to chest, right side."),  # the last side heard, from its start
        ("what was that", "Back to single knee to chest, right side."),
        ("hang on", "Paused"),
        ("from the top", "First, "),
        ("which routine am I doing", "to go"),
    ],
)
def test_everyday_steering_words_mid_routine(tmp_path: Path, line: str, expected: str) -> None:
    session, _ = chat(tmp_path, *MID_ROUTINE)
    assert expected in session.say(line).text


def test_switching_the_usual_routine_and_forgetting_everything(tmp_path: Path) -> None:
    session, said = chat(tmp_path, "switch my routine to the neck and shoulders")
    assert user(tmp_path)["preferred_routine"] == "neck_and_shoulders"
    session.say("from now on use the sciatica routine")
    assert user(tmp_path)["preferred_routine"] == "sciatica"
    asked = session.say("forget everything about me").text
    assert "?" in asked
    session.say("yes")
    assert "preferred_routine" not in user(tmp_path)


def test_lets_go_to_warm_up_first_warms_up_for_the_routine_that_asked(tmp_path: Path) -> None:
    session, said = chat(tmp_path, "start the hamstring routine")
    assert said[-1].endswith("Shall we warm up first?")
    started = session.say("let's go").text
    warm_up_first = CATALOGUE.stretch(CATALOGUE.routine("warm_up").items[0].stretch_id).name
    assert headings(started)[0] == warm_up_first, "the warm-up, as offered"
    assert "lower back" not in started.lower(), "not the user's own routine"
    assert user(tmp_path)["progress"]["routine"] == "hamstrings"


def test_words_that_are_no_pace_are_not_taken_for_slower(tmp_path: Path) -> None:
    session, _ = chat(tmp_path, *MID_ROUTINE)
    reply = session.say("count me in").text
    assert "Take all the time you need" not in reply


def test_the_change_never_goes_against_what_was_asked(tmp_path: Path) -> None:
    # The back break's stretches hold for less than the shortest hold time that can be set.
    session, said = chat(tmp_path, "make the back break my default routine", "what's my routine")
    shorter = session.say("shorter holds").text
    assert "the shortest I can set" in shorter and "hold_seconds" not in user(tmp_path)


def test_right_now_is_a_filler(tmp_path: Path) -> None:
    _, said = chat(tmp_path, "set my preferred routine to the morning stretches", "start my stretches right now")
    assert "The morning back stretches" in said[-1] and "[hold" in said[-1]


# Pain as people say it, none of it in the held-out file: each must stop the stretch, whatever the wording.
PAIN_SAID = [
    "ow ow", "ouch that really hurts", "argh", "my knee is killing me", "my hip is proper sore",
    "that's way too much", "it's pulling too much", "this one is paining me", "I felt something go",
    "that's not right", "stop stop that's hurting", "my lower back's gone into spasm", "I've got pins and needles",
    "I've tweaked my neck", "there's a stabbing pain in my hip", "something feels off", "oof that's painful",
    "my leg is burning", "it is paining in my neck", "I'm getting a twinge down my leg",
]


@pytest.mark.parametrize("line", PAIN_SAID)
def test_pain_said_twenty_ways_mid_routine_stops_the_stretch_and_keeps_the_place(tmp_path: Path, line: str) -> None:
    session, _ = chat(tmp_path, *MID_ROUTINE)
    said = session.say(line).text
    assert "Stop that stretch now and relax" in said, (line, said[:160])
    assert user(tmp_path)["progress"]["status"] != "done"


# Pain and "stop" in one breath: pain comes first, so the user hears why to stop and how to go on.
PAIN_AND_STOP = ["I have pain in my back, please stop", "it hurts stop", "stop it hurts", "ouch stop", "stop I'm in pain"]


@pytest.mark.parametrize("line", PAIN_AND_STOP)
def test_pain_said_with_stop_gets_the_pain_advice_and_keeps_the_place(tmp_path: Path, line: str) -> None:
    session, _ = chat(tmp_path, *MID_ROUTINE)
    said = session.say(line).text
    assert "Never push into pain" in said and "doctor" in said, (line, said[:200])
    assert user(tmp_path)["progress"]["status"] == "paused"


@pytest.mark.parametrize("line", ["blah blah purple monkey", "turn off the kitchen lights", "er hmm"])
def test_mid_routine_words_not_understood_stop_keep_the_place_and_say_how_to_report_pain_first(tmp_path: Path, line: str) -> None:
    session, _ = chat(tmp_path, *MID_ROUTINE)
    said = session.say(line).text
    assert "this hurts" in said and "continue" in said and said.index("this hurts") < said.index("continue"), said
    assert user(tmp_path)["progress"]["status"] == "paused"
    assert session.say("continue").text.startswith("Stretch 3 of 5")
