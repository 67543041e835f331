"""Whole conversations about the place and the questions: a relaunch picks a routine up at the
repetition it stopped in, and every question the skill asks is one conversation (the words that
answer it, its reprompt, what silence does to it).

Requests go through ``lambda_handler`` (or the in-process skill on a fake clock, for interruptions at
exact times), built from the fixtures in tests/events.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from tests.support.conversation import Alexa, FakeClock, Reply, headings, load_event, stored
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
    """Interrupt the left side of single knee to chest two thirds into its third hold, then leave ``how``.

    Five minutes into the response the skill, not knowing the voice yet, takes the earliest place the
    user may have been (a voice 15 % slower than its model over two minutes of words: some 17 s back),
    so the request comes late enough in the hold for that place to be inside it."""
    started = start_full_back(alexa)
    third = nth_start(started.ssml, "Hold for 30 seconds.", 3, after="Stretch 2 of 5:") + 20
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


@pytest.mark.parametrize("how", ["pause", "stop", "exit"])
def test_a_relaunch_resumes_at_the_repetition_with_a_short_cue(clocked: Alexa, how: str) -> None:
    leave_during_third_repetition(clocked, how)
    welcome = clocked.launch()
    assert "single knee to chest" in welcome.text and "carry on" in welcome.text
    carried = clocked.intent("AMAZON.YesIntent")
    assert carried.text.startswith(
        "Let's carry on with the full back routine. Move slowly, and never bounce. Stop if it hurts. Back to single knee to chest, left side. Get back into position. Repetition 3 of 5. Hold for 30 seconds."
    ), carried.text[:200]
    left_side = carried.text.split(RIGHT_SIDE_CUE)[0]
    assert left_side.count("Repetition 3 of 5.") == 1, "the repetition is named once, by its hold"
    assert left_side.count("Hold for 30 seconds.") == 3, "repetitions 3, 4 and 5 of the left side, no more"
    assert "Stretch 2 of 5" not in carried.text, "the steps are not read again"
    assert headings(carried.text)[0] != "back flexion"
    assert carried.text.count("Hold for 30 seconds.") >= 3 + 5, "then the right side in full"


@pytest.mark.parametrize(("answer", "first_words"), [("AMAZON.YesIntent", "Gently, then:"), ("AMAZON.NoIntent", "Leaving out single knee to chest today.")])
def test_a_relaunch_after_this_hurts_asks_about_that_stretch_before_it_plays_again(clocked: Alexa, answer: str, first_words: str) -> None:
    """The stretch that hurt is where the place was kept: carrying on asks first, gentler (from its first
    repetition) or left out, never straight back into the repetition that hurt."""
    leave_during_third_repetition(clocked, "pain")
    welcome = clocked.launch()
    assert "single knee to chest" in welcome.text and "carry on" in welcome.text
    carried = clocked.intent("AMAZON.YesIntent")
    assert carried.text.startswith("Let's carry on with the full back routine.")
    assert "Next is single knee to chest. It hurt earlier today." in carried.text and carried.text.endswith("or no to leave it out.")
    assert "Hold for" not in carried.text and "Repetition" not in carried.text and not carried.ended
    onward = clocked.intent(answer)
    assert onward.text.startswith(first_words), onward.text[:200]
    if answer == "AMAZON.YesIntent":
        left_side = onward.text.split(RIGHT_SIDE_CUE)[0]
        assert headings(onward.text)[0] == "single knee to chest" and "Back to" not in onward.text, "from its start"
        assert 1 <= left_side.count("Hold for") < 5, "fewer repetitions than the 5 that hurt"
    else:
        assert "single knee to chest" not in headings(onward.text) and headings(onward.text)[0] == "child's pose"


# -- every question: its go-on words, its reprompt, its silence -------------------------------------

MORNING = ("morning back stretches", "morning")
LOWER_BACK = ("lower back routine", "lower_back")
SCIATICA = ("sciatica relief", "sciatica")
WARM_UP = ("warm up routine", "warm_up")
NO_ROUTINE = "No routine is playing right now"
FIRST_HOLD = re.compile(r"Hold for \d+ seconds\.|\d+ slow movements with me\.")
DATA = "data"  # the embedded store's folder under tmp_path (the ``alexa`` fixture)

# The go-on words and the intent each one is in the en-US model (the test below checks it).
GO_ON_WORDS = {
    "next": "AMAZON.NextIntent",
    "go on": "AMAZON.NextIntent",
    "ready": "AMAZON.NextIntent",
    "continue": "AMAZON.ResumeIntent",
    "let's go": "StartRoutineIntent",
}


def pain_in_the_first_hold(alexa: Alexa) -> Reply:
    started = start_full_back(alexa)
    return alexa.intent("PainIntent", at=nth_start(started.ssml, "Hold for 30 seconds.", 1) + 15)


def stopped_then_launched(alexa: Alexa) -> Reply:
    start_full_back(alexa)
    alexa.intent("AMAZON.StopIntent")
    return alexa.launch()


def hold_set_then_delete(alexa: Alexa) -> Reply:
    alexa.intent("SetHoldTimeIntent", seconds="40")
    return alexa.intent("DeleteDataIntent")


def long_reps_for_the_full_back(alexa: Alexa) -> Reply:
    alexa.intent("SetPreferredRoutineIntent", routine=FULL_BACK)
    return alexa.intent("SetRepsIntent", reps="10")


def mid_routine_another_named(alexa: Alexa) -> Reply:
    start_full_back(alexa)
    return alexa.intent("StartRoutineIntent", routine=MORNING)


def check_in_then_next(alexa: Alexa) -> Reply:
    alexa.intent("StartRoutineIntent", routine=MORNING)
    return alexa.intent("AMAZON.NextIntent")


def told_to_see_a_doctor_then_launched(alexa: Alexa) -> Reply:
    for _ in range(2):
        alexa.intent("StartRoutineIntent", routine=MORNING)
        alexa.intent("FeelingIntent", feeling=("worse", "worse"))
    return alexa.launch()


def not_yet_seen_a_doctor(alexa: Alexa) -> Reply:
    told_to_see_a_doctor_then_launched(alexa)
    return alexa.intent("AMAZON.NoIntent")


def hurt_then_started_again(alexa: Alexa) -> Reply:
    pain_in_the_first_hold(alexa)
    alexa.intent("AMAZON.NoIntent")  # stop for today
    return alexa.intent("StartRoutineIntent", routine=FULL_BACK)


def five_comfortable_mornings_then_a_sixth(alexa: Alexa) -> Reply:
    """A beginner whose single knee to chest went well on each of the last five mornings, at the least of the
    15-20 s article 004 gives it there (stored as it would be)."""
    import os

    from skill.catalogue import load_catalogue
    from skill.persistence.sqlite_store import SqliteStore

    [source] = [s for s in load_catalogue().stretch("single_knee_to_chest").sources if s.seed.startswith("004_")]
    least = source.hold_seconds[0] if source.hold_seconds else 0
    yesterday = time.strftime("%Y-%m-%d", time.gmtime(time.time() - 24 * 3600))
    profile = {"schema": 1, "level": "beginner", "disclaimer_given": 1, "hint_given": 1, "growth": {"single_knee_to_chest": [least, 5, 0, yesterday]}}
    SqliteStore(Path(os.environ["BACKSTRETCH_DATA_DIR"]) / "users.sqlite3").write(alexa.user_id, profile, 0)
    return alexa.intent("StartRoutineIntent", routine=MORNING)


def pain_after_a_response_played_to_its_end(alexa: Alexa) -> Reply:
    start_full_back(alexa)
    return alexa.intent("PainIntent")


# Every kind of question the skill asks: how a user gets to it, and what the question says.
ASKING = {
    "carry_on": (stopped_then_launched, "Would you like to carry on from there?"),
    "skip_after_pain": (pain_in_the_first_hold, "Would you like to skip to the next stretch?"),
    "go_on_after_pain": (pain_after_a_response_played_to_its_end, "Would you like to go on to"),
    "delete_data": (hold_set_then_delete, "Are you sure?"),
    "warm_up": (lambda alexa: alexa.intent("StartRoutineIntent", routine=LOWER_BACK), "Shall we warm up first?"),
    "sore_leg": (lambda alexa: alexa.intent("StartRoutineIntent", routine=SCIATICA), "Which leg is sore"),
    "confirm_setting": (long_reps_for_the_full_back, "Shall I keep that?"),
    "feeling": (lambda alexa: alexa.intent("StartRoutineIntent", routine=MORNING), "How does your back feel now"),
    "go_on": (lambda alexa: alexa.intent("StartRoutineIntent", routine=WARM_UP), "Shall we go on with the lower back routine?"),
    "switch_routine": (mid_routine_another_named, "start the morning back stretches instead?"),
    "hold_seconds": (lambda alexa: alexa.intent("SetHoldTimeIntent"), "How many seconds should each hold be"),
    "reps": (lambda alexa: alexa.intent("SetRepsIntent"), "How many repetitions of each stretch"),
    "another_routine": (check_in_then_next, "Would you like another one?"),
    "reminder_time": (lambda alexa: alexa.intent("SetReminderIntent"), "What time each day"),
    "reminder_consent": (lambda alexa: alexa.intent("SetReminderIntent", time="19:00"), "Shall I set it?"),
    "seen_doctor": (told_to_see_a_doctor_then_launched, "Have you seen one since?"),
    "gentle_routine": (not_yet_seen_a_doctor, "Shall we do that, or stop for today?"),
    "hurt_before": (hurt_then_started_again, "Shall we do it gentler today"),
    "longer_hold": (five_comfortable_mornings_then_a_sixth, "Shall we try"),
}


def ask(alexa: Alexa, kind: str) -> Reply:
    reach, question = ASKING[kind]
    asked = reach(alexa)
    assert question in asked.text, asked.text[-300:]
    assert not asked.ended
    return asked


def test_every_kind_of_question_is_walked() -> None:
    from skill.flows.turn import Pending

    assert sorted(ASKING) == sorted(p.value for p in Pending), "a question the conversations below do not reach"


def test_the_go_on_words_are_those_intents_in_the_model() -> None:
    import json

    root = Path(__file__).resolve().parent.parent / "interaction_models"
    model = json.loads((root / "en-US.json").read_text(encoding="utf-8"))["interactionModel"]["languageModel"]
    samples = {i["name"]: set(i.get("samples", [])) for i in model["intents"]}
    for name, phrases in json.loads((root / "builtin_phrases.en-US.json").read_text(encoding="utf-8")).items():
        samples.setdefault(name, set()).update(phrases)
    for word, intent in GO_ON_WORDS.items():
        assert word in samples[intent], (word, intent)


@pytest.mark.parametrize("kind", sorted(ASKING))
def test_every_question_has_a_reprompt(alexa: Alexa, kind: str) -> None:
    asked = ask(alexa, kind)
    assert asked.reprompt, f"silence after {kind!r} would hear nothing"


def go_on(alexa: Alexa, word: str) -> Reply:
    return alexa.intent(GO_ON_WORDS[word])


def check_go_on(kind: str, reply: Reply, data_dir: Path) -> None:
    """What the go-on words do to each kind of question: yes, except where that would be wrong."""
    text = reply.text
    if kind == "carry_on":
        assert text.startswith("Let's carry on with the full back routine.")
    elif kind == "skip_after_pain":
        assert headings(text)[0] == "single knee to chest" and "back flexion" not in headings(text)
    elif kind == "go_on_after_pain":  # the stretch that hurt was done: on to the one announced, nothing skipped
        assert re.match(r"Stretch \d of 5: ", text) and "Skipping" not in text
    elif kind == "delete_data":  # never a delete without a plain yes
        assert "Say yes to delete everything" in text
        assert stored(data_dir)["hold_seconds"] == 40
    elif kind == "warm_up":
        assert "We'll warm up first." in text and FIRST_HOLD.search(text)
    elif kind == "sore_leg":
        assert "left, right, or both" in text
    elif kind == "confirm_setting":
        assert stored(data_dir)["reps"] == 10
    elif kind in ("feeling", "another_routine"):  # the routine is over: never played again
        assert FIRST_HOLD.search(text) is None
        assert ("Would you like another one?" if kind == "feeling" else "Which one would you like?") in text
    elif kind == "go_on":
        assert headings(text)[0] == "pelvic tilt" and FIRST_HOLD.search(text)
    elif kind == "switch_routine":  # carries on with the routine playing
        assert re.match(r"Stretch \d of 5: ", text) and "morning" not in text
    elif kind == "hold_seconds":
        assert "How many seconds should each hold be" in text
    elif kind == "reps":
        assert "How many repetitions of each stretch" in text
    elif kind == "reminder_time":
        assert "What time each day" in text
    elif kind == "reminder_consent":  # no consent to a reminder: the question again
        assert "A reminder every day at 7 p.m., to do your back stretches. Shall I set it?" in text
    elif kind == "seen_doctor":  # no answer to whether they have: asked again
        assert "Have you seen one since?" in text and FIRST_HOLD.search(text) is None
    elif kind == "gentle_routine":
        assert headings(text)[0] == "ankle pumps" and FIRST_HOLD.search(text)
    elif kind == "hurt_before":  # on the safe way: gentler
        assert text.startswith("Gently, then:") and headings(text)[0] == "back flexion" and FIRST_HOLD.search(text)
    elif kind == "longer_hold":  # on at the same hold: never longer without a yes
        assert headings(text)[0] == "single knee to chest" and FIRST_HOLD.search(text)
        assert stored(data_dir)["growth"]["single_knee_to_chest"][2] == 0
    else:
        raise AssertionError(f"no expectation for {kind!r}")


@pytest.mark.parametrize("word", sorted(GO_ON_WORDS))
@pytest.mark.parametrize("kind", sorted(ASKING))
def test_the_go_on_words_answer_every_question(alexa: Alexa, tmp_path: Path, kind: str, word: str) -> None:
    ask(alexa, kind)
    reply = go_on(alexa, word)
    assert NO_ROUTINE not in reply.text, f"{word!r} to {kind!r} is a dead end"
    check_go_on(kind, reply, tmp_path / DATA)


@pytest.mark.parametrize("word", ["next", "continue"])
def test_next_after_the_check_in_offers_another_routine_or_goodbye(alexa: Alexa, word: str) -> None:
    finished = alexa.intent("StartRoutineIntent", routine=MORNING)
    assert "You finished the morning back stretches" in finished.text
    offered = go_on(alexa, word)
    assert offered.text == "That's today's routine done. Would you like another one?"
    assert not offered.ended and offered.reprompt
    listed = alexa.intent("AMAZON.YesIntent")
    assert "Which one would you like?" in listed.text and FIRST_HOLD.search(listed.text) is None
    alexa.intent("StartRoutineIntent", routine=MORNING)
    go_on(alexa, word)
    bye = alexa.intent("AMAZON.NoIntent")
    assert bye.ended and "Goodbye" in bye.text


SILENT_AT = {
    "warm_up": ("You were about to start the lower back routine.", "Shall we warm up first?"),
    "sore_leg": ("You were about to start the sciatica relief.", "Which leg is sore: left, right, or both?"),
}


@pytest.mark.parametrize("ended", ["with SessionEndedRequest", "without SessionEndedRequest"])
@pytest.mark.parametrize("kind", sorted(SILENT_AT))
def test_silence_at_a_question_before_a_routine_keeps_it_for_the_next_launch(alexa: Alexa, kind: str, ended: str) -> None:
    ask(alexa, kind)
    if ended == "with SessionEndedRequest":
        assert alexa.end("EXCEEDED_MAX_REPROMPTS").response.get("outputSpeech") is None
    else:
        alexa.session_id = None  # the device gave up; no request said so
    welcome = alexa.launch()
    lead, question = SILENT_AT[kind]
    assert lead in welcome.text and welcome.text.endswith(question), welcome.text
    assert "Welcome to Back Stretch Coach" not in welcome.text, "not greeted as a new user"
    assert welcome.reprompt and not welcome.ended
    if kind == "warm_up":
        started = alexa.intent("AMAZON.YesIntent")
        assert "We'll warm up first." in started.text
    else:
        started = alexa.intent("SoreLegIntent", leg=("left", "left"))
        assert "The sciatica relief" in started.text
    assert FIRST_HOLD.search(started.text)
    alexa.intent("AMAZON.StopIntent")
    assert "You were about to start" not in alexa.launch().text, "an answered question is not asked again"


def test_a_question_kept_past_the_session_is_dropped_by_any_other_request(alexa: Alexa) -> None:
    ask(alexa, "warm_up")
    alexa.end("EXCEEDED_MAX_REPROMPTS")
    alexa.intent("SetRepsIntent", reps="3")  # a one-shot request in a new session
    alexa.intent("AMAZON.StopIntent")
    assert "You were about to start" not in alexa.launch().text


# -- asking anything mid-routine never loses the place ---------------------------------------------


def answer_number(alexa: Alexa) -> None:
    alexa.intent("SetHoldTimeIntent")
    alexa.intent("NumberIntent", number="25")


def delete_then_no(alexa: Alexa) -> None:
    alexa.intent("DeleteDataIntent")
    alexa.intent("AMAZON.NoIntent")


def help_then_nothing(alexa: Alexa) -> None:
    alexa.intent("AMAZON.HelpIntent")


def reminder_then_no(alexa: Alexa) -> None:
    alexa.intent("SetReminderIntent")
    alexa.intent("AMAZON.NoIntent")


def reminder_time_then_no(alexa: Alexa) -> None:
    alexa.intent("SetReminderIntent", time="19:00")
    alexa.intent("AMAZON.NoIntent")


def leg_asked_then_silence(alexa: Alexa) -> None:
    alexa.intent("OtherLegIntent")
    alexa.end("EXCEEDED_MAX_REPROMPTS")
    alexa.launch()


ASIDES = {f.__name__: f for f in (answer_number, delete_then_no, help_then_nothing, reminder_then_no, reminder_time_then_no, leg_asked_then_silence)}


@pytest.mark.parametrize("aside", sorted(ASIDES))
def test_a_question_mid_routine_keeps_the_place(clocked: Alexa, aside: str) -> None:
    started = start_full_back(clocked)
    second_hold = nth_start(started.ssml, "Hold for 30 seconds.", 2) + 15
    paused = clocked.intent("AMAZON.PauseIntent", at=second_hold)
    assert "Paused at back flexion" in paused.text
    ASIDES[aside](clocked)
    resumed = clocked.intent("AMAZON.ResumeIntent")
    assert "Back to back flexion. Get back into position. Repetition 2 of 5. Hold for 30 seconds." in resumed.text, resumed.text[:200]


MID_ROUTINE_QUESTIONS = {
    "hold_seconds": ("SetHoldTimeIntent", "How many seconds", {}),
    "reps": ("SetRepsIntent", "How many repetitions", {}),
    "reminder_time": ("SetReminderIntent", "What time each day", {}),
    "reminder_consent": ("SetReminderIntent", "Shall I set it?", {"time": "19:00"}),
    "sore_leg": ("OtherLegIntent", "Which leg is sore", {}),
    "delete_data": ("DeleteDataIntent", "Are you sure?", {}),
}


@pytest.mark.parametrize("word", ["continue", "go on"])
@pytest.mark.parametrize("kind", sorted(MID_ROUTINE_QUESTIONS))
def test_go_on_words_to_a_question_mid_routine_never_loop(clocked: Alexa, tmp_path: Path, kind: str, word: str) -> None:
    """A question the go-on words do not say yes to, asked in the middle of a routine: they carry on with it."""
    started = start_full_back(clocked)
    clocked.intent("AMAZON.PauseIntent", at=nth_start(started.ssml, "Hold for 30 seconds.", 2) + 15)
    intent, question, slots = MID_ROUTINE_QUESTIONS[kind]
    assert question in clocked.intent(intent, **slots).text
    resumed = go_on(clocked, word)
    assert resumed.text.startswith("Back to back flexion. Get back into position. Repetition 2 of 5."), resumed.text[:200]
    assert stored(tmp_path / "clocked")["hold_seconds"] == 30, "nothing changed, nothing deleted"


# -- faults these conversations catch ---------------------------------------------------------------


def test_yes_after_this_hurts_goes_to_the_next_stretch_never_on_with_the_one_that_hurt(alexa: Alexa) -> None:
    asked = ask(alexa, "skip_after_pain")
    assert "Never push into pain" in asked.text
    onward = alexa.intent("AMAZON.YesIntent")
    assert "back flexion" not in headings(onward.text), "the stretch that hurt is not carried on with"
    assert onward.text.startswith("Skipping back flexion.")  # said, so that "go back" can undo it
    assert headings(onward.text)[0] == "single knee to chest"


def test_yes_to_how_many_seconds_asks_for_seconds_and_a_number_sets_the_hold(alexa: Alexa, tmp_path: Path) -> None:
    alexa.intent("SetRepsIntent", reps="4")
    ask(alexa, "hold_seconds")
    again = alexa.intent("AMAZON.YesIntent")
    assert "How many seconds should each hold be" in again.text and "repetitions" not in again.text
    alexa.intent("NumberIntent", number="25")
    profile = stored(tmp_path / DATA)
    assert profile["hold_seconds"] == 25 and profile["reps"] == 4


def test_lets_go_answers_which_leg_is_sore(alexa: Alexa, tmp_path: Path) -> None:
    ask(alexa, "sore_leg")
    reply = alexa.intent("StartRoutineIntent")  # "let's go"
    assert reply.text == "Just say left, right, or both."
    assert "warm up" not in reply.text and not reply.ended
    started = alexa.intent("SoreLegIntent", leg=("right", "right"))
    assert "The sciatica relief" in started.text and stored(tmp_path / DATA)["sore_leg"] == "right"


@pytest.mark.parametrize("question", [["warm_up", ["lower_back"], None], ["confirm_setting", {"reps": 1}, 3], ["go_on", "nowhere", None], "warm_up"])
def test_a_tampered_question_in_the_session_is_dropped(alexa: Alexa, tmp_path: Path, question: object) -> None:
    ask(alexa, "warm_up")
    event = load_event("intent_request")
    event["request"]["intent"] = {"name": "AMAZON.YesIntent", "confirmationStatus": "NONE", "slots": {}}
    event["session"]["attributes"] = {**alexa.attributes, "question": question}
    reply = alexa.send_raw(event)
    assert "Sorry" not in reply.text and not reply.ended
    assert "Shall we warm up first?" in reply.text, "yes with no question asks what the user came for"
    assert "reps" not in stored(tmp_path / DATA)


def test_this_hurts_after_a_response_played_to_its_end_goes_on_to_the_stretch_it_announced(clocked: Alexa) -> None:
    """The stretch that hurt was done: yes goes on to the announced one, and nothing is counted skipped."""
    started = start_full_back(clocked)
    announced = re.search(r"Next up is stretch \d of 5, ([a-z' ]+)\.", started.text)
    assert announced, started.text[-300:]
    name = announced.group(1)
    hurt = clocked.intent("PainIntent")
    assert "Never push into pain" in hurt.text and f"go on to {name}?" in hurt.text, hurt.text
    went_on = clocked.intent("AMAZON.YesIntent")
    assert "Skipping" not in went_on.text, went_on.text[:200]
    assert headings(went_on.text)[0] == name, went_on.text[:200]
    reply = went_on
    for _ in range(10):
        if "You finished" in reply.text:
            break
        reply = clocked.intent("AMAZON.NextIntent")
    assert "You finished the full back routine: 5 stretches" in reply.text, reply.text[-400:]
    assert "skipped" not in reply.text
