"""The grammar that generates the interaction model: its templates expand as written, and a grammar
that would give Alexa a bad model (a sample in two intents, digits, undeclared or unused slots,
runaway templates) is refused before any file is written."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from tests.support.scripts import load_script

ROOT = Path(__file__).resolve().parent.parent
GRAMMAR_PATH = ROOT / "interaction_models" / "grammar" / "en-US.json"


grammar = load_script("grammar")


@pytest.fixture
def source() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(GRAMMAR_PATH.read_text(encoding="utf-8"))
    return data


def test_the_committed_model_is_what_the_grammar_gives(source: dict[str, Any]) -> None:
    model, builtin = grammar.build(source)
    assert json.loads((ROOT / "interaction_models" / "en-US.json").read_text(encoding="utf-8")) == model
    assert json.loads((ROOT / "interaction_models" / "builtin_phrases.en-US.json").read_text(encoding="utf-8")) == builtin


def test_no_sample_is_in_two_intents_and_every_sample_obeys_the_rules(source: dict[str, Any]) -> None:
    model, _ = grammar.build(source)
    intents = model["interactionModel"]["languageModel"]["intents"]
    owners: dict[str, str] = {}
    for intent in intents:
        for sample in intent["samples"]:
            assert owners.setdefault(sample, intent["name"]) == intent["name"], sample
            assert grammar.SAMPLE_RULE.match(sample) and len(sample) <= 200 and not any(c.isdigit() for c in sample)


def test_templates_cross_verbs_objects_and_courtesy(source: dict[str, Any]) -> None:
    model, _ = grammar.build(source)
    samples = {i["name"]: set(i["samples"]) for i in model["interactionModel"]["languageModel"]["intents"]}
    for sample in ["walk me through my {routine}", "can you start the {routine} routine", "please begin my {routine} stretches",
                   "i want to play the {routine}"]:
        assert sample in samples["StartRoutineIntent"], sample
    assert {"{change} holds", "{change} hold time", "{change} {seconds} seconds off the holds"} <= samples["ChangeHoldIntent"]
    assert "from the top" in samples["AMAZON.StartOverIntent"] and "hang on a second" in samples["AMAZON.PauseIntent"]


def test_the_model_stays_well_inside_alexas_size(source: dict[str, Any]) -> None:
    model, _ = grammar.build(source)
    assert len(json.dumps(model)) < 1_000_000
    assert all(len(i["samples"]) <= grammar.MAX_SAMPLES_PER_INTENT for i in model["interactionModel"]["languageModel"]["intents"])


def _with(source: dict[str, Any], intent: str, template: str, slots: dict[str, str] | None = None) -> dict[str, Any]:
    changed = copy.deepcopy(source)
    spec = changed["intents"].setdefault(intent, {"templates": []})
    spec["templates"].append(template)
    if slots:
        spec["slots"] = {**spec.get("slots", {}), **slots}
    return changed


@pytest.mark.parametrize(
    ("intent", "template", "slots", "complaint"),
    [
        ("SkipIntent", "(please|) hang on", None, "both"),  # already a PauseIntent sample
        ("SkipIntent", "skip (this|that", None, "missing"),
        ("SkipIntent", "skip <nowhere>", None, "unknown fragment"),
        ("SkipIntent", "skip number 2", None, "rules"),
        ("SkipIntent", "skip {stretch}", None, "undeclared"),
        ("TestIntent", "just this", {"stretch": "STRETCH"}, "in no sample"),
        ("SkipIntent", " ".join(["(a|b|c|d)"] * 7), None, "more than"),
        ("SkipIntent", "skip this " + "very " * 50 + "long one", None, "rules"),
    ],
)
def test_a_bad_grammar_is_refused(source: dict[str, Any], intent: str, template: str, slots: dict[str, str] | None, complaint: str) -> None:
    with pytest.raises(grammar.GrammarError, match=complaint):
        grammar.build(_with(source, intent, template, slots))


def test_a_phrase_alexa_understands_for_a_built_in_cannot_be_a_custom_sample(source: dict[str, Any]) -> None:
    with pytest.raises(grammar.GrammarError, match="understood"):
        grammar.build(_with(source, "SkipIntent", "never mind"))  # AMAZON.CancelIntent understands it


def test_make_locales_generates_the_models_from_the_grammar(tmp_path: Path, source: dict[str, Any]) -> None:
    make_locales = load_script("make_locales")
    files = make_locales.generate()
    assert ROOT / "interaction_models" / "en-US.json" in files and ROOT / "interaction_models" / "en-GB.json" in files
    assert not make_locales.stale(), "run scripts/make_locales.py"
