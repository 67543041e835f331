"""Tests for skill.entrypoints.nlu, the text matcher behind ``backstretch chat``."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skill.interaction_model import builtin_phrases, interaction_model
from skill.entrypoints.nlu import (
    FALLBACK_INTENT,
    IntentMatch,
    Matcher,
    normalise_text,
    to_iso_duration,
    words_to_number,
)

MODEL_PATH = Path(__file__).resolve().parent.parent / "interaction_models" / "en-US.json"


@cache
def shared_matcher() -> Matcher:
    return Matcher.from_file(MODEL_PATH)


@pytest.fixture
def matcher() -> Matcher:
    return shared_matcher()


# (what the user types, expected intent, expected slot name, expected resolved id or value).
# slot None means "no slot may be filled"; for NUMBER/DURATION slots the last item is the value.
CASES: list[tuple[str, str, str | None, str | None]] = [
    # Starting routines, with and without a routine named.
    ("start my morning back stretches", "StartRoutineIntent", "routine", "morning"),
    ("start my back stretches", "StartRoutineIntent", None, None),
    ("let's do the lower back", "StartRoutineIntent", "routine", "lower_back"),
    ("Let's stretch!", "StartRoutineIntent", None, None),
    ("start", "StartRoutineIntent", None, None),
    ("start my routine", "StartRoutineIntent", None, None),
    ("begin sciatica relief", "StartRoutineIntent", "routine", "sciatica"),
    ("neck and shoulders please", "StartRoutineIntent", "routine", "neck_and_shoulders"),
    ("I want to do my warmup routine", "StartRoutineIntent", "routine", "warm_up"),
    ("start the quick break routine", "StartRoutineIntent", "routine", "back_break"),
    ("start my morning stretches", "StartRoutineIntent", "routine", "morning"),
    ("Alexa, ask back stretch coach to start the whole back", "StartRoutineIntent", "routine",
     "full_back"),
    ("can you start my morning stretches please", "StartRoutineIntent", "routine", "morning"),
    # Lists, navigation inside a routine, information.
    ("what routines are there?", "ListRoutinesIntent", None, None),
    ("what can I do", "ListRoutinesIntent", None, None),
    ("skip this one", "SkipIntent", None, None),
    ("skip", "SkipIntent", None, None),
    ("I can't do this one", "SkipIntent", None, None),
    ("move on to the next stretch", "SkipIntent", None, None),
    ("how many are left", "ProgressIntent", None, None),
    ("Where am I?", "ProgressIntent", None, None),
    ("what does this stretch help with", "StretchInfoIntent", None, None),
    ("what is the cobra good for", "StretchInfoIntent", "stretch", "prone_press_up"),
    ("what does child's pose do", "StretchInfoIntent", "stretch", "childs_pose"),
    # Pain must always be understood.
    ("this hurts", "PainIntent", None, None),
    ("Ouch!", "PainIntent", None, None),
    ("owww", "PainIntent", None, None),
    ("my back hurts", "PainIntent", "where", "back"),
    ("that's painful", "PainIntent", None, None),
    ("Ouch, that hurts!", "PainIntent", None, None),
    # Settings.
    ("set my preferred routine to lower back", "SetPreferredRoutineIntent", "routine",
     "lower_back"),
    ("make full back my default routine", "SetPreferredRoutineIntent", "routine", "full_back"),
    ("I prefer the hamstring routine", "SetPreferredRoutineIntent", "routine", "hamstrings"),
    ("set my hold time to thirty seconds", "SetHoldTimeIntent", "seconds", "30"),
    ("hold each stretch for twenty seconds", "SetHoldTimeIntent", "seconds", "20"),
    ("make my holds thirty seconds", "SetHoldTimeIntent", "seconds", "30"),
    ("set my hold time to 45 seconds", "SetHoldTimeIntent", "seconds", "45"),
    ("hold for a minute", "SetHoldTimeIntent", "duration", "PT1M"),
    ("hold for one and a half minutes", "SetHoldTimeIntent", "duration", "PT1M30S"),
    ("do ten reps", "SetRepsIntent", "reps", "10"),
    ("set my repetitions to twenty-five", "SetRepsIntent", "reps", "25"),
    ("repeat each stretch 3 times", "SetRepsIntent", "reps", "3"),
    ("I'm a beginner", "SetLevelIntent", "level", "beginner"),
    ("make it advanced level", "SetLevelIntent", "level", "standard"),
    ("set my level to newbie", "SetLevelIntent", "level", "beginner"),
    ("what are my settings", "MyRoutineIntent", None, None),
    ("tell me my routine", "MyRoutineIntent", None, None),
    # Editing the custom routine.
    ("add child's pose to my routine", "AddStretchIntent", "stretch", "childs_pose"),
    ("Add childs pose to my routine.", "AddStretchIntent", "stretch", "childs_pose"),
    ("put the knee hug in my routine", "AddStretchIntent", "stretch", "single_knee_to_chest"),
    ("could you add cobra to my routine please", "AddStretchIntent", "stretch", "prone_press_up"),
    ("remove the twist from my routine", "RemoveStretchIntent", "stretch", "knee_twist"),
    ("take hamstring stretch out of my routine", "RemoveStretchIntent", "stretch",
     "lying_hamstring_stretch"),
    ("clear my routine", "ClearRoutineIntent", None, None),
    # History and privacy.
    ("what's my streak", "ProgressStatsIntent", None, None),
    ("how am I doing", "ProgressStatsIntent", None, None),
    ("delete my data", "DeleteDataIntent", None, None),
    ("forget everything about me", "DeleteDataIntent", None, None),
    # Built-ins from the phrase table.
    ("next", "AMAZON.NextIntent", None, None),
    ("Next!", "AMAZON.NextIntent", None, None),
    ("  NEXT  ", "AMAZON.NextIntent", None, None),
    ("Alexa, next please", "AMAZON.NextIntent", None, None),
    ("I'm done", "AMAZON.NextIntent", None, None),
    ("ok next", "AMAZON.NextIntent", None, None),
    ("repeat that", "AMAZON.RepeatIntent", None, None),
    ("say that again", "AMAZON.RepeatIntent", None, None),
    ("go back", "AMAZON.PreviousIntent", None, None),
    ("pause", "AMAZON.PauseIntent", None, None),
    ("take a break", "AMAZON.PauseIntent", None, None),
    ("hold on", "AMAZON.PauseIntent", None, None),
    ("resume", "AMAZON.ResumeIntent", None, None),
    ("continue", "AMAZON.ResumeIntent", None, None),
    ("stop", "AMAZON.StopIntent", None, None),
    ("I'm finished", "AMAZON.StopIntent", None, None),
    ("cancel", "AMAZON.CancelIntent", None, None),
    ("never mind", "AMAZON.CancelIntent", None, None),
    ("help", "AMAZON.HelpIntent", None, None),
    ("start over", "AMAZON.StartOverIntent", None, None),
    ("yes", "AMAZON.YesIntent", None, None),
    ("OK", "AMAZON.YesIntent", None, None),
    ("yes please", "AMAZON.YesIntent", None, None),
    ("please do", "AMAZON.YesIntent", None, None),
    ("no thanks", "AMAZON.NoIntent", None, None),
    ("nope", "AMAZON.NoIntent", None, None),
    ("main menu", "AMAZON.NavigateHomeIntent", None, None),
    # Nothing to match.
    ("blah blah purple monkey", FALLBACK_INTENT, None, None),
    ("", FALLBACK_INTENT, None, None),
    ("   ", FALLBACK_INTENT, None, None),
    ("?!", FALLBACK_INTENT, None, None),
    ("pizza", FALLBACK_INTENT, None, None),
]


@pytest.mark.parametrize(("text", "intent", "slot", "expected"), CASES)
def test_phrasings(
    matcher: Matcher, text: str, intent: str, slot: str | None, expected: str | None
) -> None:
    result = matcher.match(text)
    assert result.intent == intent
    if slot is None:
        assert result.slots == {}
        return
    assert set(result.slots) == {slot}
    found = result.slots[slot]
    assert found.name == slot
    if found.resolved_id is None:  # built-in types: compare the converted value
        assert found.value == expected
    else:
        assert found.resolved_id == expected


def test_unknown_routine_arrives_unresolved(matcher: Matcher) -> None:
    result = matcher.match("set my preferred routine to pizza")
    assert result.intent == "SetPreferredRoutineIntent"
    routine = result.slots["routine"]
    assert routine.value == "pizza"
    assert routine.resolved_id is None
    assert routine.resolved_name is None


def test_synonym_keeps_what_was_said(matcher: Matcher) -> None:
    routine = matcher.match("let's do the low back").slots["routine"]
    assert routine.value == "low back"
    assert routine.resolved_id == "lower_back"
    assert routine.resolved_name == "lower back routine"


def test_full_value_name_preferred(matcher: Matcher) -> None:
    routine = matcher.match("start my morning back stretches").slots["routine"]
    assert (routine.value, routine.resolved_id) == ("morning back stretches", "morning")


def test_leading_article_still_resolves(matcher: Matcher) -> None:
    stretch = matcher.match("tell me about the pelvic tilt").slots["stretch"]
    assert stretch.resolved_id == "pelvic_tilt"


def test_bare_slot_sample_needs_a_known_value(matcher: Matcher) -> None:
    # "{routine} please" must not turn every unknown phrase into StartRoutineIntent.
    assert matcher.match("purple monkey please").intent == FALLBACK_INTENT
    assert matcher.match("sciatica please").slots["routine"].resolved_id == "sciatica"


def test_number_beats_unresolved_routine(matcher: Matcher) -> None:
    result = matcher.match("let's do five reps")
    assert result.intent == "SetRepsIntent"
    assert result.slots["reps"].value == "5"


def test_unconvertible_number_is_passed_through(matcher: Matcher) -> None:
    result = matcher.match("set my repetitions to lots")
    assert result.intent == "SetRepsIntent"
    assert result.slots["reps"].value == "lots"


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("hold for thirty seconds", "PT30S"),
        ("hold for 90 seconds", "PT90S"),
        ("hold for ninety seconds", "PT90S"),
        ("hold for two minutes", "PT2M"),
        ("hold for half a minute", "PT30S"),
        ("hold for a minute and a half", "PT1M30S"),
        ("hold each stretch for a minute", "PT1M"),
    ],
)
def test_duration_values(matcher: Matcher, text: str, value: str) -> None:
    result = matcher.match(text)
    assert result.intent == "SetHoldTimeIntent"
    assert result.slots["duration"].value == value


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("remind me to stretch every day at seven", "07:00"),
        ("Alexa, ask back stretch coach to remind me to stretch every day at seven", "07:00"),
        ("remind me to stretch at seven thirty in the evening", "19:30"),
        ("set a daily reminder at seven thirty pm", "19:30"),
        ("set a daily reminder at seven thirty p.m.", "19:30"),
        ("remind me to stretch every day at half past six", "06:30"),
        ("remind me to stretch at noon", "12:00"),
        ("remind me to stretch every day in the evening", "EV"),
    ],
)
def test_time_values(matcher: Matcher, text: str, value: str) -> None:
    result = matcher.match(text)
    assert result.intent == "SetReminderIntent"
    assert result.slots["time"].value == value


ASKED_THE_TIME = ("SetReminderIntent", "time")


@pytest.mark.parametrize(
    ("text", "value"),
    [("half past six", "06:30"), ("quarter to eight in the evening", "19:45"), ("at seven thirty pm please", "19:30"),
     ("every day at noon", "12:00"), ("remind me to stretch at seven", "07:00")],
)
def test_a_time_alone_answers_only_when_the_time_was_asked_for(matcher: Matcher, text: str, value: str) -> None:
    answer = matcher.match(text, eliciting=ASKED_THE_TIME)
    assert answer.intent == "SetReminderIntent" and answer.slots["time"].value == value
    if not text.startswith("remind"):
        assert matcher.match(text).intent != "SetReminderIntent"


@pytest.mark.parametrize(
    ("text", "intent"), [("what routines are there", "ListRoutinesIntent"), ("this hurts", "PainIntent"), ("stop", "AMAZON.StopIntent")]
)
def test_while_the_time_is_asked_for_other_requests_still_reach_their_intent(matcher: Matcher, text: str, intent: str) -> None:
    assert matcher.match(text, eliciting=ASKED_THE_TIME).intent == intent


@pytest.mark.parametrize(
    ("text", "intent"),
    [("what reminders do I have", "ListRemindersIntent"), ("cancel my stretching reminder", "CancelReminderIntent"),
     ("remind me to stretch every day", "SetReminderIntent"), ("stop reminding me", "CancelReminderIntent")],
)
def test_reminder_phrasings(matcher: Matcher, text: str, intent: str) -> None:
    result = matcher.match(text)
    assert result.intent == intent
    assert result.slots == {}


def test_a_bare_number_that_is_no_hour_is_not_a_time(matcher: Matcher) -> None:
    # An answer to "how many seconds?" (the skill elicits NumberIntent's number), never a reminder time.
    assert matcher.match("thirty", ("NumberIntent", "number")).intent == "NumberIntent"
    assert matcher.match("thirty").intent != "SetReminderIntent"


@pytest.mark.parametrize(
    ("phrase", "number"),
    [("0", 0), ("7", 7), ("thirty", 30), ("twenty five", 25), ("ninety nine", 99),
     ("a hundred", 100), ("one hundred", 100), ("eleven", 11), ("twenty zero", None),
     ("five twenty", None), ("lots", None), ("", None), ("\u00b2", None)],
)
def test_words_to_number(phrase: str, number: int | None) -> None:
    assert words_to_number(phrase) == number


@pytest.mark.parametrize(
    ("phrase", "iso"),
    [("thirty seconds", "PT30S"), ("a minute", "PT1M"), ("one and a half minutes", "PT1M30S"),
     ("90 seconds", "PT90S"), ("two minutes", "PT2M"), ("a minute thirty", "PT1M30S"),
     ("1.5 minutes", "PT1M30S"), ("an hour", "PT1H"), ("thirty", None), ("minutes", None),
     ("a banana", None), ("", None)],
)
def test_to_iso_duration(phrase: str, iso: str | None) -> None:
    assert to_iso_duration(phrase) == iso


def test_normalise_text() -> None:
    assert normalise_text("  Hello,   WORLD! ") == "hello world"
    assert normalise_text("Child\u2019s pose") == "child's pose"
    assert normalise_text("'next'") == "next"
    assert normalise_text("press-up") == "press up"


def test_every_model_sample_matches_its_intent(matcher: Matcher) -> None:
    """Each sample, with its slots filled with a known value, comes back as its own intent."""
    model = json.loads(MODEL_PATH.read_text(encoding="utf-8"))["interactionModel"]["languageModel"]
    example = {t["name"]: t["values"][0]["name"]["value"] for t in model["types"]}
    example.update({"AMAZON.NUMBER": "thirty", "AMAZON.DURATION": "two minutes", "AMAZON.TIME": "seven thirty pm"})
    wrong = []
    for intent in model["intents"]:
        slot_types = {slot["name"]: slot["type"] for slot in intent.get("slots", [])}
        for sample in intent.get("samples", []):
            text = sample
            for name, slot_type in slot_types.items():
                text = text.replace("{" + name + "}", example[slot_type])
            result = matcher.match(text)
            if result.intent != intent["name"]:
                wrong.append((text, intent["name"], result.intent))
    assert not wrong


def test_every_builtin_phrase_matches_its_intent(matcher: Matcher) -> None:
    table_path = MODEL_PATH.with_name("builtin_phrases.en-US.json")
    table: dict[str, list[str]] = json.loads(table_path.read_text(encoding="utf-8"))
    wrong = [
        (phrase, intent, matcher.match(phrase).intent)
        for intent, phrases in table.items()
        for phrase in phrases
        if matcher.match(phrase).intent != intent
    ]
    assert not wrong


def test_from_file_without_phrase_table(tmp_path: Path) -> None:
    model_copy = tmp_path / "en-US.json"
    model_copy.write_text(MODEL_PATH.read_text(encoding="utf-8"), encoding="utf-8")
    bare = Matcher.from_file(model_copy)
    assert bare.match("add cobra to my routine").intent == "AddStretchIntent"
    # "stop" alone is only in the built-in table, which is absent here.
    assert bare.match("stop").intent != "AMAZON.StopIntent"


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_match_never_raises(text: str) -> None:
    result = shared_matcher().match(text)
    assert isinstance(result, IntentMatch)
    assert result.intent


def test_non_string_input_falls_back() -> None:
    assert shared_matcher().match(None).intent == FALLBACK_INTENT  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "intent", "slot_id"),
    [
        ("let's go", "StartRoutineIntent", None),
        ("can we do something for my neck", "StartRoutineIntent", "neck_and_shoulders"),
        ("do the sciatica one", "StartRoutineIntent", "sciatica"),
        ("give me a quick break", "StartRoutineIntent", "back_break"),
        ("what's next", "ProgressIntent", None),
        ("hold on a second", "AMAZON.PauseIntent", None),
        ("that's too hard", "SkipIntent", None),
        ("my lower back is killing me", "PainIntent", None),
        ("do it again", "AMAZON.RepeatIntent", None),
        ("make it easier", "SetLevelIntent", "beginner"),
        ("i'm done for today", "AMAZON.StopIntent", None),
    ],
)
def test_phrasings_found_by_trying_it_like_a_new_user(text: str, intent: str, slot_id: str | None) -> None:
    """Phrasings a first-time user tried that used to fall through to the fallback."""
    match = Matcher.from_file(MODEL_PATH).match(text)
    assert match.intent == intent
    if slot_id is not None:
        assert [s.resolved_id for s in match.slots.values()] == [slot_id]


@pytest.mark.parametrize(
    ("text", "intent", "slot"),
    [
        ("my neck's stiff, let's do the neck and shoulders", "StartRoutineIntent", "neck_and_shoulders"),
        ("I don't want to do this one, skip it", "SkipIntent", None),
        ("hold for 1.5 minutes", "SetHoldTimeIntent", "PT1M30S"),  # a decimal point ends no clause
    ],
)
def test_a_request_after_a_remark_is_found_in_its_clause(matcher: Matcher, text: str, intent: str, slot: str | None) -> None:
    result = matcher.match(text)
    assert result.intent == intent
    assert [s.resolved_id or s.value for s in result.slots.values()] == ([slot] if slot else [])


def test_clauses_that_fit_nothing_still_fall_back(matcher: Matcher) -> None:
    assert matcher.match("blah blah, purple monkey").intent == "AMAZON.FallbackIntent"




@pytest.mark.parametrize(
    ("locale", "sample", "said", "intent"),
    [
        ("en-IN", "it is paining in {where}", "it is paining in my lower back", "PainIntent"),
        ("en-IN", "i am having severe pain", "I am having severe pain", "PainIntent"),
        ("en-IN", "the next one only", "please do the next one only", "AMAZON.NextIntent"),
        ("en-GB", "my back's playing up", "my back's playing up, love", "PainIntent"),
        ("en-GB", "give us a sec", "give us a sec", "AMAZON.PauseIntent"),
        ("en-GB", "what stretching programmes are there", "what stretching programmes are there", "ListRoutinesIntent"),
        ("en-AU", "that's sore as", "strewth, that's sore as mate", "PainIntent"),
        ("en-AU", "hurts like buggery", "hurts like buggery", "PainIntent"),
    ],
)
def test_regional_phrasings_are_in_that_locales_model_and_understood(locale: str, sample: str, said: str, intent: str) -> None:
    """Indian, British and Australian English: the phrasing is a sample of the locale's own model, and the
    locale's matcher (which learns only from that model) routes what a speaker of it says."""
    model = interaction_model(locale)["interactionModel"]["languageModel"]
    samples = [s for i in model["intents"] for s in i.get("samples", [])] + [p for ps in builtin_phrases(locale).values() for p in ps]
    assert any(sample in s for s in samples), sample
    assert Matcher.for_locale(locale).match(said).intent == intent


# Pain said with the pain samples' own words, in orders no sample has.
PAIN_IN_NEW_ORDERS = [
    "hurting me, this stretch is",
    "really hurting now my back",
    "the stretch is hurting my back",
    "pain in my back is getting worse",
    "so much pain in my neck",
    "agony this one is",
    "my neck it's stinging",
    "a sharp pain i am having in my back",
    "throbbing my knee is",
    "sore it is really sore",
    "killing me my back is",
    "getting worse the pain is",
    "in my lower back i felt a twinge",
    "down my leg it's shooting",
    "my hip hurts really badly now",
]


@cache
def samples_only_matcher() -> Matcher:
    return Matcher.from_file(MODEL_PATH, generalise=False)


@pytest.mark.parametrize("text", PAIN_IN_NEW_ORDERS)
def test_pain_in_a_new_word_order_is_understood_from_the_samples_words(matcher: Matcher, text: str) -> None:
    """No sample fits these (the samples alone fall back), yet every word is in the pain samples or is a
    body part: the second stage must hear pain, and find where when it is said."""
    model = json.loads(MODEL_PATH.read_text(encoding="utf-8"))["interactionModel"]["languageModel"]
    pain = next(i for i in model["intents"] if i["name"] == "PainIntent")
    known = {w for s in pain["samples"] for w in normalise_text(s.replace("{where}", "")).split()}
    known |= {w for t in model["types"] if t["name"] == "BODY_PART" for v in t["values"]
              for p in [v["name"]["value"], *v["name"].get("synonyms", [])] for w in normalise_text(p).split()}
    assert not [w for w in normalise_text(text).split() if w not in known]
    assert samples_only_matcher().match(text).intent == FALLBACK_INTENT
    result = matcher.match(text)
    assert result.intent == "PainIntent"
    said = {"back", "neck", "knee", "leg", "hip"} & set(normalise_text(text).split())
    if said:  # the value as said, as Alexa sends it ("my back"), ending in the body part
        assert result.slots["where"].value.split()[-1] in said


@pytest.mark.parametrize(
    "text",
    ["book a taxi to the airport", "switch the radio on", "hurting me purple monkey dishwasher telescope"],
)
def test_the_second_stage_guesses_nothing_from_words_the_samples_do_not_use(matcher: Matcher, text: str) -> None:
    assert matcher.match(text).intent == FALLBACK_INTENT


def test_a_slot_answer_alone_is_not_guessed_into_its_intent(matcher: Matcher) -> None:
    """ "every day at noon" answers "what time each day?": without the question it is no request."""
    assert matcher.match("every day at noon").intent != "SetReminderIntent"
    assert matcher.match("every day at noon", eliciting=("SetReminderIntent", "time")).intent == "SetReminderIntent"


@pytest.mark.parametrize("text", ["hang on my knee is sore", "one sec my back is aching", "pause it is aching", "wait my hip is hurting"])
def test_pain_next_to_a_steering_word_is_pain(matcher: Matcher, text: str) -> None:
    """Words of pain beside "wait", "hang on" or "pause": pain, which must never be missed, comes first."""
    assert matcher.match(text).intent == "PainIntent"
