"""Generate the interaction models and the other English locales. Re-run it after changing a source.

Sources (edited by hand)                      Generated
  interaction_models/grammar/en-US.json         interaction_models/en-US.json and builtin_phrases.en-US.json
                                                (templates expanded by scripts/grammar.py), then, for
                                                en-GB, en-CA, en-AU, en-IN:
                                                interaction_models/<locale>.json
                                                interaction_models/builtin_phrases.<locale>.json
  skill/speech/locales/en-US.json               skill/speech/locales/<locale>.json

Only light, safe regional changes: whole-word spelling substitutions ("favorite" -> "favourite",
"program" -> "programme" outside Canada, ...) applied to what people say and hear (samples, slot values
and synonyms, speech templates), never to names, ids, keys or {placeholders}. The invocation name stays.
A substitution that would make two samples the same is an error, so the models stay unambiguous.

Usage:
  scripts/make_locales.py          write the generated files
  scripts/make_locales.py --check  exit 1 if any generated file is missing or out of date
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import re
import sys
from pathlib import Path
from types import ModuleType
from typing import Any, Callable

ROOT = Path(__file__).resolve().parent.parent
MODELS = ROOT / "interaction_models"
SPEECH = ROOT / "skill" / "speech" / "locales"
GRAMMAR = MODELS / "grammar"
SOURCE_LOCALE = "en-US"

# Spelling shared by British, Australian, Indian and Canadian English.
COMMONWEALTH = {
    "favorite": "favourite",
    "favorites": "favourites",
    "color": "colour",
    "colors": "colours",
    "behavior": "behaviour",
    "honor": "honour",
    "neighbor": "neighbour",
    "flavor": "flavour",
    "humor": "humour",
    "center": "centre",
    "centers": "centres",
    "liter": "litre",
    "liters": "litres",
    "fiber": "fibre",
    "gray": "grey",
    "canceled": "cancelled",
    "canceling": "cancelling",
    "traveled": "travelled",
    "traveling": "travelling",
    "catalog": "catalogue",
}
# Canada keeps the American forms of these.
BRITISH = {
    "program": "programme",
    "programs": "programmes",
    "math": "maths",
}
SUBSTITUTIONS: dict[str, dict[str, str]] = {
    "en-GB": {**COMMONWEALTH, **BRITISH, "mom": "mum"},
    "en-AU": {**COMMONWEALTH, **BRITISH, "mom": "mum"},
    "en-IN": {**COMMONWEALTH, **BRITISH},
    "en-CA": dict(COMMONWEALTH),
}
LOCALES = sorted(SUBSTITUTIONS)

_PLACEHOLDER = re.compile(r"(\{[^{}]*\})")


def regionalise(text: str, words: dict[str, str]) -> str:
    """``text`` with whole words replaced (keeping a capital first letter), placeholders untouched."""
    if not words:
        return text
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, sorted(words, key=len, reverse=True))) + r")\b", re.IGNORECASE)

    def swap(match: re.Match[str]) -> str:
        found = match[0]
        new = words[found.lower()]
        if found.isupper() and len(found) > 1:
            return new.upper()
        return new[0].upper() + new[1:] if found[0].isupper() else new

    return "".join(
        part if _PLACEHOLDER.fullmatch(part) else pattern.sub(swap, part) for part in _PLACEHOLDER.split(text)
    )


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def interaction_model(source: dict[str, Any], locale: str) -> dict[str, Any]:
    """The en-US model with regional wording in samples, slot samples, values and synonyms, and prompts."""
    words = SUBSTITUTIONS[locale]
    say: Callable[[str], str] = lambda text: regionalise(text, words)  # noqa: E731
    model = json.loads(json.dumps(source))  # a deep copy
    language = model["interactionModel"]["languageModel"]
    owner: dict[str, str] = {}
    for intent in language.get("intents", []):
        samples = [say(s) for s in intent.get("samples", [])]
        for sample in samples:
            key = sample.lower()
            if owner.get(key, intent["name"]) != intent["name"]:
                raise SystemExit(
                    f"make_locales: {locale}: sample {sample!r} would belong to {owner[key]} and {intent['name']}"
                )
            owner[key] = intent["name"]
        if "samples" in intent:
            intent["samples"] = _unique(samples)
        for slot in intent.get("slots", []):
            if "samples" in slot:
                slot["samples"] = _unique([say(s) for s in slot["samples"]])
    for slot_type in language.get("types", []):
        for value in slot_type.get("values", []):
            name = value["name"]
            name["value"] = say(name["value"])
            if "synonyms" in name:
                name["synonyms"] = [s for s in _unique([say(s) for s in name["synonyms"]]) if s != name["value"]]
    for prompt in model["interactionModel"].get("prompts", []):
        for variation in prompt.get("variations", []):
            variation["value"] = say(variation["value"])
    return model


def builtin_phrases(source: dict[str, list[str]], locale: str) -> dict[str, list[str]]:
    words = SUBSTITUTIONS[locale]
    return {intent: _unique([regionalise(p, words) for p in phrases]) for intent, phrases in source.items()}


def speech(source: Any, locale: str) -> Any:
    """Every string value regionalised; keys, structure and {placeholders} kept."""
    words = SUBSTITUTIONS[locale]
    if isinstance(source, str):
        return regionalise(source, words)
    if isinstance(source, list):
        return [speech(item, locale) for item in source]
    if isinstance(source, dict):
        return {key: speech(value, locale) for key, value in source.items()}
    return source


def _read(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _dump(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _grammar_module() -> ModuleType:
    """scripts/grammar.py, loaded by path so this file runs both as a script and from the tests."""
    spec = importlib.util.spec_from_file_location("grammar", Path(__file__).with_name("grammar.py"))
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("grammar", module)
    spec.loader.exec_module(module)
    return module


def generate() -> dict[Path, str]:
    """Every generated file's path and content."""
    grammar = _grammar_module()
    try:
        model, phrases = grammar.build(_read(GRAMMAR / f"{SOURCE_LOCALE}.json"))
    except grammar.GrammarError as error:
        raise SystemExit(f"make_locales: {error}") from error
    wording = _read(SPEECH / f"{SOURCE_LOCALE}.json")
    files: dict[Path, str] = {
        MODELS / f"{SOURCE_LOCALE}.json": _dump(model),
        MODELS / f"builtin_phrases.{SOURCE_LOCALE}.json": _dump(phrases),
    }
    for locale in LOCALES:
        files[MODELS / f"{locale}.json"] = _dump(interaction_model(model, locale))
        files[MODELS / f"builtin_phrases.{locale}.json"] = _dump(builtin_phrases(phrases, locale))
        files[SPEECH / f"{locale}.json"] = _dump(speech(wording, locale))
    return files


def stale() -> list[Path]:
    """Generated files that are missing or differ from what the en-US sources give now."""
    return [
        path for path, text in generate().items() if not path.is_file() or path.read_text(encoding="utf-8") != text
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only report files that are missing or out of date")
    args = parser.parse_args(argv)
    if args.check:
        out_of_date = stale()
        for path in out_of_date:
            print(f"out of date: {path.relative_to(ROOT)}", file=sys.stderr)
        if out_of_date:
            print("run scripts/make_locales.py", file=sys.stderr)
        return 1 if out_of_date else 0
    for path, text in generate().items():
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
