"""interaction_models/skill.json (the skill manifest) and scripts/export-skill-package.

The manifest must agree with the models: one model per published locale and no other, example phrases
that the locale's model really understands, and the SKILL_DISABLED event the skill handles.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.support.scripts import load_script

ROOT = Path(__file__).resolve().parent.parent
MODELS = ROOT / "interaction_models"
SPEECH = ROOT / "skill" / "speech" / "locales"
MANIFEST_PATH = MODELS / "skill.json"
PLACEHOLDER = "arn:aws:lambda:us-east-1:123456789012:function:REPLACE_WITH_FunctionArn_OUTPUT"
COUNTRIES = {"en-US": "US", "en-GB": "GB", "en-CA": "CA", "en-AU": "AU", "en-IN": "IN"}



@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(MANIFEST_PATH.read_text(encoding="utf-8"))["manifest"]
    return data


@pytest.fixture(scope="module")
def model_locales() -> set[str]:
    return {p.stem for p in MODELS.glob("*.json") if not p.name.startswith("builtin_phrases.") and p.name != "skill.json"}


def _language_model(locale: str) -> dict[str, Any]:
    model: dict[str, Any] = json.loads((MODELS / f"{locale}.json").read_text(encoding="utf-8"))
    language_model: dict[str, Any] = model["interactionModel"]["languageModel"]
    return language_model


def test_locales_match_the_models(manifest: dict[str, Any], model_locales: set[str]) -> None:
    published = set(manifest["publishingInformation"]["locales"])
    assert published == model_locales
    assert set(manifest["privacyAndCompliance"]["locales"]) == published
    for locale in published:
        assert (SPEECH / f"{locale}.json").is_file(), f"no speech file for {locale}: it would speak en-US wording"


def test_publishing_information(manifest: dict[str, Any]) -> None:
    info = manifest["publishingInformation"]
    assert info["category"] == "HEALTH_AND_FITNESS"
    assert info["isAvailableWorldwide"] is False
    assert sorted(info["distributionCountries"]) == sorted(COUNTRIES[locale] for locale in info["locales"])
    for locale, text in info["locales"].items():
        assert text["name"] == "Back Stretch Coach", locale
        assert 0 < len(text["summary"]) <= 160, locale
        assert 0 < len(text["description"]) <= 4000, locale
        assert text["keywords"] and all(k.strip() == k and k for k in text["keywords"]), locale
        description = text["description"].lower()
        for health_note in ("not medical advice", "stop", "hurts", "doctor"):
            assert health_note in description, (locale, health_note)


def test_endpoint_and_events(manifest: dict[str, Any]) -> None:
    assert manifest["apis"]["custom"]["endpoint"]["uri"] == PLACEHOLDER
    assert manifest["events"]["endpoint"]["uri"] == PLACEHOLDER
    assert {"eventName": "SKILL_DISABLED"} in manifest["events"]["subscriptions"]


def test_reminders_permission_is_declared(manifest: dict[str, Any]) -> None:
    assert manifest["permissions"] == [{"name": "alexa::alerts:reminders:skill:readwrite"}]


def test_declares_name_free_requests(manifest: dict[str, Any], tmp_path: Path) -> None:
    """Alexa sends CanFulfillIntentRequest only to a skill whose manifest lists the interface."""
    assert {"type": "CAN_FULFILL_INTENT_REQUEST"} in manifest["apis"]["custom"]["interfaces"]
    load_script("export_skill_package").export(tmp_path, function_arn=None)
    exported = json.loads((tmp_path / "skill.json").read_text(encoding="utf-8"))["manifest"]
    assert exported["apis"]["custom"]["interfaces"] == manifest["apis"]["custom"]["interfaces"]


def test_privacy_and_compliance(manifest: dict[str, Any]) -> None:
    privacy = manifest["privacyAndCompliance"]
    assert privacy["allowsPurchases"] is False
    assert privacy["usesPersonalInfo"] is False
    assert privacy["isChildDirected"] is False
    assert privacy["isExportCompliant"] is True
    assert privacy["containsAds"] is False
    for locale, urls in privacy["locales"].items():
        assert urls["privacyPolicyUrl"].startswith("https://"), locale


def _slot_values(language_model: dict[str, Any]) -> dict[str, list[str]]:
    """Each custom slot type's values and synonyms, lower-case, the longest first."""
    values: dict[str, list[str]] = {}
    for slot_type in language_model.get("types", []):
        names = []
        for value in slot_type["values"]:
            names += [value["name"]["value"], *value["name"].get("synonyms", [])]
        values[slot_type["name"]] = sorted({n.lower() for n in names}, key=len, reverse=True)
    return values


def _sample_forms(language_model: dict[str, Any]) -> set[str]:
    """Every sample with each {slot} written as its type: "start my {ROUTINE}"."""
    forms = set()
    for intent in language_model["intents"]:
        slot_types = {slot["name"]: slot["type"] for slot in intent.get("slots", [])}
        for sample in intent.get("samples", []):
            forms.add(re.sub(r"\{(\w+)\}", lambda m: "{" + slot_types[m[1]] + "}", sample.lower()))
    return forms


def _utterance_forms(utterance: str, values: dict[str, list[str]]) -> set[str]:
    """The utterance, and the utterance with any one or two custom slot values in it written as their type."""
    forms = {utterance.lower()}
    for _ in range(2):
        for form in list(forms):
            for slot_type, names in values.items():
                for name in names:
                    found = re.search(rf"(?<![a-z']){re.escape(name)}(?![a-z'])", form)
                    if found:
                        forms.add(form[: found.start()] + "{" + slot_type + "}" + form[found.end():])
    return forms


def test_example_phrases_are_samples(manifest: dict[str, Any]) -> None:
    for locale, text in manifest["publishingInformation"]["locales"].items():
        language_model = _language_model(locale)
        invocation = language_model["invocationName"]
        samples, values = _sample_forms(language_model), _slot_values(language_model)
        phrases = text["examplePhrases"]
        assert 1 <= len(phrases) <= 3, locale
        assert len(set(phrases)) == len(phrases), locale
        for phrase in phrases:
            if phrase == f"Alexa, open {invocation}":
                continue
            match = re.fullmatch(rf"Alexa, ask {re.escape(invocation)} to (.+)", phrase)
            assert match, f"{locale}: {phrase!r} is neither 'Alexa, open ...' nor 'Alexa, ask ... to ...'"
            utterance = match[1]
            assert "{" not in utterance, f"{locale}: fill the slot in {phrase!r}"
            assert _utterance_forms(utterance, values) & samples, f"{locale}: {utterance!r} is no sample of the model"


def test_export_writes_the_skill_package(tmp_path: Path, manifest: dict[str, Any], model_locales: set[str]) -> None:
    out = tmp_path / "skill-package"
    stale = out / "interactionModels" / "custom" / "xx-XX.json"
    stale.parent.mkdir(parents=True)
    stale.write_text("{}", encoding="utf-8")
    result = subprocess.run(
        ["bash", str(ROOT / "scripts" / "export-skill-package"), "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    written = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert written == sorted(["skill.json", *(f"interactionModels/custom/{locale}.json" for locale in model_locales)])
    assert json.loads((out / "skill.json").read_text(encoding="utf-8"))["manifest"] == manifest
    for locale in model_locales:
        exported = (out / "interactionModels" / "custom" / f"{locale}.json").read_bytes()
        assert exported == (MODELS / f"{locale}.json").read_bytes()


def test_export_can_set_the_endpoint(tmp_path: Path) -> None:
    export = load_script("export_skill_package")
    arn = "arn:aws:lambda:us-east-1:210987654321:function:back-stretch-coach-SkillFunction-AbC123"
    export.export(tmp_path, function_arn=arn)
    data = json.loads((tmp_path / "skill.json").read_text(encoding="utf-8"))["manifest"]
    assert data["apis"]["custom"]["endpoint"]["uri"] == arn
    assert data["events"]["endpoint"]["uri"] == arn
    with pytest.raises(SystemExit):
        export.export(tmp_path, function_arn="https://example.com/not-a-lambda")


def test_skill_package_is_git_ignored() -> None:
    ignored = (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert {"skill-package/", "build/"} <= {line.strip() for line in ignored}
