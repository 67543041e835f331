"""Static checks of interaction_models/en-US.json, the model deployed to Alexa.

They catch what the Alexa console would reject or what would quietly route speech to the wrong
intent: undeclared slots, duplicate samples, digits in samples, clashes with built-in phrases.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

MODEL_DIR = Path(__file__).resolve().parent.parent / "interaction_models"
MODEL_PATH = MODEL_DIR / "en-US.json"
BUILTIN_PATH = MODEL_DIR / "builtin_phrases.en-US.json"

BUILT_IN_INTENTS = [
    "AMAZON.HelpIntent", "AMAZON.StopIntent", "AMAZON.CancelIntent", "AMAZON.FallbackIntent",
    "AMAZON.NavigateHomeIntent", "AMAZON.NextIntent", "AMAZON.PreviousIntent",
    "AMAZON.RepeatIntent", "AMAZON.StartOverIntent", "AMAZON.PauseIntent", "AMAZON.ResumeIntent",
    "AMAZON.YesIntent", "AMAZON.NoIntent",
]

# Intent -> declared slots (name -> type) and samples the code and the docs rely on.
CUSTOM_INTENTS: dict[str, tuple[dict[str, str], list[str]]] = {
    "StartRoutineIntent": (
        {"routine": "ROUTINE"},
        ["start my back stretches", "let's do the {routine}", "begin {routine}", "{routine} please",
         "i want to do my {routine} routine", "start my stretches", "let's stretch",
         "start my routine", "start"],
    ),
    "ListRoutinesIntent": ({}, ["what routines are there", "what can i do", "list the routines"]),
    "SkipIntent": (
        {},
        ["skip", "skip this one", "skip this stretch", "i can't do this one",
         "move on to the next stretch"],
    ),
    "ProgressIntent": ({}, ["how many are left", "how much longer", "how long is left", "where am i"]),
    "StretchInfoIntent": (
        {"stretch": "STRETCH"},
        ["what does this stretch help with", "why am i doing this", "what is {stretch} good for",
         "what does {stretch} do"],
    ),
    "PainIntent": (
        {"where": "BODY_PART"},
        ["this hurts", "ouch", "it hurts", "that's painful", "my {where} hurts", "i feel pain", "owww", "my {where} is sore",
         "it is paining", "that's too much", "ow ow ow", "i felt something", "that's not right"],
    ),
    "FullStepsIntent": ({}, ["tell me the full steps", "how do i do this one", "explain this stretch"]),
    "FeelingIntent": ({"feeling": "FEELING"}, ["my back feels {feeling}", "it feels {feeling}"]),
    "SoreLegIntent": ({"leg": "LEG"}, ["my {leg} leg", "my {leg} leg hurts", "the {leg} one"]),
    "OtherLegIntent": ({}, ["my other leg hurts", "the other leg"]),
    "WarmUpChoiceIntent": ({"choice": "WARM_UP_CHOICE"}, ["{choice} warm up", "{choice} the warm up"]),
    "SetPreferredRoutineIntent": (
        {"routine": "ROUTINE"},
        ["set my preferred routine to {routine}", "make {routine} my default routine",
         "i prefer the {routine}"],
    ),
    "SetHoldTimeIntent": (
        {"seconds": "AMAZON.NUMBER", "duration": "AMAZON.DURATION"},
        ["set my hold time to {seconds} seconds", "hold each stretch for {seconds} seconds",
         "make my holds {seconds} seconds", "hold for {duration}"],
    ),
    "SetRepsIntent": (
        {"reps": "AMAZON.NUMBER"},
        ["do {reps} reps", "set my repetitions to {reps}", "repeat each stretch {reps} times"],
    ),
    "ChangeHoldIntent": (
        {"change": "CHANGE", "seconds": "AMAZON.NUMBER"},
        ["{change} holds", "{change} {seconds} seconds", "make the holds {change}"],
    ),
    "ChangeRepsIntent": ({"change": "CHANGE", "reps": "AMAZON.NUMBER"}, ["{change} reps", "{reps} {change} reps"]),
    "NumberIntent": ({"number": "AMAZON.NUMBER"}, ["make it {number}", "let's say {number}"]),
    "PaceIntent": ({"pace": "PACE"}, ["{pace}", "go {pace}", "slow it down"]),
    "SetLevelIntent": (
        {"level": "LEVEL"},
        ["i'm a {level}", "set my level to {level}", "make it {level} level"],
    ),
    "MyRoutineIntent": ({}, ["what is my routine", "what are my settings", "tell me my routine"]),
    "AddStretchIntent": (
        {"stretch": "STRETCH"}, ["add {stretch} to my routine", "put {stretch} in my routine"]
    ),
    "RemoveStretchIntent": (
        {"stretch": "STRETCH"},
        ["remove {stretch} from my routine", "take {stretch} out of my routine",
         "remove the {stretch} from my routine"],
    ),
    "ClearRoutineIntent": ({}, ["clear my routine", "reset my routine", "empty my routine"]),
    "ProgressStatsIntent": (
        {},
        ["how am i doing", "how many days in a row have i stretched", "what's my streak",
         "how many sessions this week"],
    ),
    "DeleteDataIntent": (
        {}, ["delete my data", "forget everything about me", "erase my settings"]
    ),
    "SetReminderIntent": (
        {"time": "AMAZON.TIME"},
        ["remind me to stretch every day at {time}", "remind me to stretch every day"],
    ),
    "ListRemindersIntent": ({}, ["what reminders do i have", "do i have a stretching reminder"]),
    "CancelReminderIntent": ({}, ["cancel my stretching reminder", "stop reminding me"]),
}

ROUTINE_IDS = [
    "morning", "lower_back", "warm_up", "neck_and_shoulders", "sciatica", "hamstrings",
    "full_back", "back_break",
]
STRETCH_IDS = [
    "prone_press_up", "single_knee_to_chest", "kneeling_back_stretch", "sciatic_nerve_glide",
    "back_flexion", "childs_pose", "chin_to_chest", "ear_to_shoulder", "ankle_pumps",
    "heel_slides", "abdominal_contraction", "pelvic_tilt", "lying_hamstring_stretch",
    "knee_twist", "double_knee_to_chest", "knee_to_chest_pulses", "step_hamstring_stretch",
    "standing_forward_bend", "lying_rest",
]
LEVEL_IDS = ["beginner", "standard"]

# Lower-case words, apostrophes, periods only inside abbreviations ("p.m."), {slot} tokens.
_WORD = r"(?:[a-z]+(?:'[a-z]+)*|(?:[a-z]\.)+|\{[A-Za-z_]+\})"
SAMPLE_RE = re.compile(rf"^{_WORD}(?: {_WORD})*$")
SLOT_RE = re.compile(r"\{([A-Za-z_]+)\}")


@pytest.fixture(scope="module")
def language_model() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    language_model: dict[str, Any] = data["interactionModel"]["languageModel"]
    return language_model


@pytest.fixture(scope="module")
def intents(language_model: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {intent["name"]: intent for intent in language_model["intents"]}


@pytest.fixture(scope="module")
def types(language_model: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {slot_type["name"]: slot_type for slot_type in language_model["types"]}


@pytest.fixture(scope="module")
def builtin_phrases() -> dict[str, list[str]]:
    data: dict[str, list[str]] = json.loads(BUILTIN_PATH.read_text(encoding="utf-8"))
    return data


def all_samples(intents: dict[str, dict[str, Any]]) -> list[tuple[str, str]]:
    return [(name, s) for name, intent in intents.items() for s in intent.get("samples", [])]


def test_invocation_name(language_model: dict[str, Any]) -> None:
    name: str = language_model["invocationName"]
    assert name == name.lower() == name.strip()
    words = name.split()
    assert len(words) >= 2
    assert not {"ask", "open", "alexa", "launch", "start", "tell", "amazon", "echo"} & set(words)
    assert re.fullmatch(r"[a-z ]+", name)


def test_intent_names_unique(language_model: dict[str, Any]) -> None:
    names = [intent["name"] for intent in language_model["intents"]]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("name", BUILT_IN_INTENTS)
def test_built_in_intent_present(intents: dict[str, dict[str, Any]], name: str) -> None:
    assert name in intents
    assert not intents[name].get("slots")


def test_fallback_and_home_have_no_samples(intents: dict[str, dict[str, Any]]) -> None:
    # Alexa rejects samples on FallbackIntent; NavigateHome is left as Alexa ships it.
    assert not intents["AMAZON.FallbackIntent"].get("samples")
    assert not intents["AMAZON.NavigateHomeIntent"].get("samples")


def test_only_expected_intents(intents: dict[str, dict[str, Any]]) -> None:
    assert set(intents) == set(BUILT_IN_INTENTS) | set(CUSTOM_INTENTS)


@pytest.mark.parametrize("name", sorted(CUSTOM_INTENTS))
def test_custom_intent_slots_and_samples(intents: dict[str, dict[str, Any]], name: str) -> None:
    expected_slots, required_samples = CUSTOM_INTENTS[name]
    intent = intents[name]
    declared = {slot["name"]: slot["type"] for slot in intent.get("slots", [])}
    assert declared == expected_slots
    samples = intent["samples"]
    assert len(samples) >= 8
    missing = [s for s in required_samples if s not in samples]
    assert not missing


def test_start_routine_samples(intents: dict[str, dict[str, Any]], types: dict[str, Any]) -> None:
    samples = intents["StartRoutineIntent"]["samples"]
    assert len(samples) >= 25
    assert "start my back stretches" in samples
    assert "let's do the {routine}" in samples
    # "start my morning back stretches" must reach the skill *with* routine=morning, so it is
    # covered by "start my {routine}" plus the value name, not by a literal sample (a literal
    # sample would win and arrive without the slot).
    assert "start my {routine}" in samples
    assert "start my morning back stretches" not in samples
    morning = next(v for v in types["ROUTINE"]["values"] if v["id"] == "morning")
    assert "morning back stretches" in [morning["name"]["value"], *morning["name"]["synonyms"]]
    slotless = [s for s in samples if "{" not in s]
    assert len(slotless) >= 10


def test_samples_unique_across_model(intents: dict[str, dict[str, Any]]) -> None:
    seen: dict[str, str] = {}
    duplicates = []
    for intent, sample in all_samples(intents):
        if sample in seen:
            duplicates.append((sample, seen[sample], intent))
        seen[sample] = intent
    assert not duplicates


def test_sample_format(intents: dict[str, dict[str, Any]]) -> None:
    bad = [s for _, s in all_samples(intents) if not SAMPLE_RE.match(s) or len(s) > 200]
    assert not bad
    assert not [s for _, s in all_samples(intents) if re.search(r"\d", s)]


def test_sample_slots_declared(
    intents: dict[str, dict[str, Any]], types: dict[str, dict[str, Any]]
) -> None:
    for name, intent in intents.items():
        declared = {slot["name"]: slot["type"] for slot in intent.get("slots", [])}
        used: set[str] = set()
        for sample in intent.get("samples", []):
            slots = SLOT_RE.findall(sample)
            assert len(slots) == len(set(slots)), sample
            assert set(slots) <= set(declared), (name, sample)
            used |= set(slots)
        # A declared slot that no sample uses can never be filled.
        assert used == set(declared), name
        for slot_type in declared.values():
            assert slot_type.startswith("AMAZON.") or slot_type in types, slot_type


def test_custom_samples_avoid_built_in_phrases(
    intents: dict[str, dict[str, Any]], builtin_phrases: dict[str, list[str]]
) -> None:
    built_in = {p for phrases in builtin_phrases.values() for p in phrases}
    clashes = [
        (name, s) for name, s in all_samples(intents)
        if not name.startswith("AMAZON.") and s in built_in
    ]
    assert not clashes


def test_built_in_samples_agree_with_phrase_table(
    intents: dict[str, dict[str, Any]], builtin_phrases: dict[str, list[str]]
) -> None:
    # Samples added to AMAZON.* intents extend what Alexa understands; the chat's table must
    # send the same phrases to the same intent.
    assert set(builtin_phrases) <= set(BUILT_IN_INTENTS)
    for name in BUILT_IN_INTENTS:
        for sample in intents[name].get("samples", []):
            assert sample in builtin_phrases.get(name, []), (name, sample)


def test_builtin_phrase_table_unambiguous(builtin_phrases: dict[str, list[str]]) -> None:
    phrases = [p for ps in builtin_phrases.values() for p in ps]
    assert len(phrases) == len(set(phrases))
    assert "continue" in builtin_phrases["AMAZON.ResumeIntent"]
    assert "resume" in builtin_phrases["AMAZON.ResumeIntent"]
    assert "ok" in builtin_phrases["AMAZON.YesIntent"]


@pytest.mark.parametrize(
    ("type_name", "ids"),
    [("ROUTINE", ROUTINE_IDS), ("STRETCH", STRETCH_IDS), ("LEVEL", LEVEL_IDS), ("FEELING", ["better", "same", "worse"]),
     ("LEG", ["left", "right", "both"]), ("WARM_UP_CHOICE", ["always", "skip"])],
)
def test_slot_type_values(types: dict[str, dict[str, Any]], type_name: str, ids: list[str]) -> None:
    values = types[type_name]["values"]
    assert [v["id"] for v in values] == ids
    phrases: list[str] = []
    for value in values:
        phrases.append(value["name"]["value"])
        phrases.extend(value["name"].get("synonyms", []))
    # One phrase naming two values would make entity resolution ambiguous.
    assert len(phrases) == len(set(phrases)), [p for p in phrases if phrases.count(p) > 1]
    bad = [p for p in phrases if not SAMPLE_RE.match(p) or "{" in p or re.search(r"\d", p)]
    assert not bad


def test_expected_synonyms(types: dict[str, dict[str, Any]]) -> None:
    def lookup(type_name: str) -> dict[str, str]:
        return {
            phrase: value["id"]
            for value in types[type_name]["values"]
            for phrase in [value["name"]["value"], *value["name"]["synonyms"]]
        }

    routines, stretches, levels = lookup("ROUTINE"), lookup("STRETCH"), lookup("LEVEL")
    for phrase, value_id in {
        "morning": "morning", "lower back": "lower_back", "low back": "lower_back",
        "warmup": "warm_up", "neck": "neck_and_shoulders", "sciatica relief": "sciatica",
        "flexibility": "hamstrings", "whole back": "full_back", "quick break": "back_break",
    }.items():
        assert routines[phrase] == value_id
    for phrase, value_id in {
        "child's pose": "childs_pose", "press up": "prone_press_up", "cobra": "prone_press_up",
        "knee hug": "single_knee_to_chest", "twist": "knee_twist",
        "hamstring stretch": "lying_hamstring_stretch", "neck stretch": "chin_to_chest",
    }.items():
        assert stretches[phrase] == value_id
    for phrase in ["novice", "newbie", "starter"]:
        assert levels[phrase] == "beginner"
    for phrase in ["normal", "regular", "intermediate", "advanced"]:
        assert levels[phrase] == "standard"


def test_a_time_alone_is_a_sample_only_while_the_skill_elicits_it(language_model: dict[str, Any], intents: dict[str, dict[str, Any]]) -> None:
    """A bare time would catch whatever else people say ("play some music"): it answers only "what time
    each day?", as the time slot's own sample, which Alexa consults while the skill elicits that slot."""
    bare = [(name, s) for name, s in all_samples(intents) if s in ("{time}", "at {time}", "{seconds}", "{duration}")]
    assert not bare
    time_slot = next(slot for slot in intents["SetReminderIntent"]["slots"] if slot["name"] == "time")
    assert {"{time}", "at {time}"} <= set(time_slot["samples"])
    assert all(SLOT_RE.findall(sample) == ["time"] for sample in time_slot["samples"])
    model = json.loads(MODEL_PATH.read_text(encoding="utf-8"))["interactionModel"]
    assert model["languageModel"] == language_model
    dialog = {intent["name"]: intent for intent in model["dialog"]["intents"]}
    assert dialog["SetReminderIntent"]["delegationStrategy"] == "SKILL_RESPONSE"
    assert [slot["name"] for slot in dialog["SetReminderIntent"]["slots"]] == ["time"]


@pytest.mark.parametrize(("name", "slot"), [("NumberIntent", "number"), ("FeelingIntent", "feeling"), ("SoreLegIntent", "leg"), ("SetReminderIntent", "time")])
def test_a_slot_alone_is_heard_only_when_the_skill_asks_for_it(intents: dict[str, dict[str, Any]], name: str, slot: str) -> None:
    """A bare answer ("twenty", "better", "left", "half past six") is one of the slot's own samples, which Alexa
    consults only while the skill elicits that slot; as an intent sample it would catch whatever else is said."""
    assert "{" + slot + "}" not in intents[name]["samples"]
    [declared] = [s for s in intents[name]["slots"] if s["name"] == slot]
    assert "{" + slot + "}" in declared["samples"]
    model = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    dialog = {i["name"]: i for i in model["interactionModel"]["dialog"]["intents"]}
    assert slot in {s["name"] for s in dialog[name]["slots"]}

