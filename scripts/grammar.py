"""Expand the interaction model's grammar into the sample utterances Alexa is given.

The grammar (``interaction_models/grammar/en-US.json``) describes each intent by templates instead of
a hand-kept list, so that every verb meets every object, filler and courtesy word once, and a new
verb is one edit instead of thirty. A template is words with four kinds of marks:

    (a|b c)   one of the alternatives      [a|b]   optionally one of them
    <name>    one of the fragment's templates (fragments are shared across intents)
    {slot}    a slot, kept as it is for Alexa

Example:
    >>> expand("(start|begin) [my] {routine} [<kind>]", {"kind": ["stretches", "routine"]})  # doctest: +NORMALIZE_WHITESPACE
    ['start my {routine} stretches', 'start my {routine} routine', 'start my {routine}',
     'start {routine} stretches', 'start {routine} routine', 'start {routine}',
     'begin my {routine} stretches', 'begin my {routine} routine', 'begin my {routine}',
     'begin {routine} stretches', 'begin {routine} routine', 'begin {routine}']

``build`` turns the whole grammar into the en-US language model and the chat's table of phrases the
built-in intents understand, and refuses a grammar whose samples break Alexa's rules or land in
two intents (``GrammarError``).

A slot alone ("{time}") is a sample only where the skill has just asked for that slot: an intent's
``slot_samples`` become the slot's own samples (Alexa's slot elicitation utterances), which Alexa
consults only while the skill elicits that slot with ``Dialog.ElicitSlot``; the intent then also
enters the dialog model, delegated to the skill (``SKILL_RESPONSE``), which Dialog directives require.
"""

from __future__ import annotations

import re
from itertools import product
from typing import Any, Mapping, Sequence

# Alexa's rules for a sample: lower-case words, inner apostrophes, periods only in spelled
# abbreviations ("p.m."), {slot} tokens; no digits; at most 200 characters.
_WORD = r"(?:[a-z]+(?:'[a-z]+)*|(?:[a-z]\.)+|\{[A-Za-z_]+\})"
SAMPLE_RULE = re.compile(rf"^{_WORD}(?: {_WORD})*$")
MAX_SAMPLE_CHARS = 200
# Enough for every family the grammar names, small enough that one template cannot run away.
MAX_SAMPLES_PER_INTENT = 2000
_SLOT = re.compile(r"\{([A-Za-z_]+)\}")
_TOKEN = re.compile(r"[()\[\]|]|<\w+>|[^\s()\[\]|<>]+")


class GrammarError(ValueError):
    """The grammar cannot give a valid model: the message names the template or sample."""


def _parse_alternatives(tokens: list[str], pos: int, fragments: Mapping[str, Sequence[str]], close: str | None) -> tuple[list[list[str]], int]:
    """Parse ``a b | c d ...`` up to ``close``; each alternative as the list of word strings it stands for."""
    alternatives: list[list[str]] = []
    current: list[list[str]] = [[""]]  # a sequence of choice lists; joined by product at the end
    while pos < len(tokens):
        token = tokens[pos]
        if token == close:
            break
        if token in (")", "]"):
            raise GrammarError(f"unbalanced {token!r}")
        pos += 1
        if token == "|":
            alternatives.append(_join(current))
            current = [[""]]
        elif token in ("(", "["):
            inner, pos = _parse_alternatives(tokens, pos, fragments, ")" if token == "(" else "]")
            pos += 1  # the closing mark
            choices = [word for alt in inner for word in alt]
            current.append(choices + ([""] if token == "[" else []))
        elif token.startswith("<"):
            name = token[1:-1]
            if name not in fragments:
                raise GrammarError(f"unknown fragment <{name}>")
            current.append([s for template in fragments[name] for s in expand(template, fragments)])
        else:
            current.append([token])
    else:
        if close is not None:
            raise GrammarError(f"missing {close!r}")
    alternatives.append(_join(current))
    return alternatives, pos


def _join(sequence: list[list[str]]) -> list[str]:
    return [" ".join(word for word in words if word) for words in product(*sequence)]


def expand(template: str, fragments: Mapping[str, Sequence[str]] | None = None) -> list[str]:
    """Every sentence ``template`` stands for, in order, without repeats.

    >>> expand("[please] (hang|hold) on [a (sec|second)]")  # doctest: +NORMALIZE_WHITESPACE
    ['please hang on a sec', 'please hang on a second', 'please hang on', 'please hold on a sec',
     'please hold on a second', 'please hold on', 'hang on a sec', 'hang on a second', 'hang on',
     'hold on a sec', 'hold on a second', 'hold on']
    >>> expand("(a|b")  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    ...
    GrammarError: missing ')'
    """
    tokens = _TOKEN.findall(template)
    alternatives, _ = _parse_alternatives(tokens, 0, fragments or {}, None)
    return list(dict.fromkeys(" ".join(s.split()) for alt in alternatives for s in alt if s.strip()))


def intent_samples(intent: Mapping[str, Any], fragments: Mapping[str, Sequence[str]]) -> list[str]:
    """An intent's samples: its templates expanded, in order, without repeats."""
    samples: list[str] = []
    for template in intent.get("templates", []):
        samples.extend(expand(template, fragments))
    return list(dict.fromkeys(samples))


def check_sample(intent: str, sample: str, slots: Mapping[str, str]) -> None:
    """Raise ``GrammarError`` unless ``sample`` obeys Alexa's sample rules and uses declared slots once each."""
    if not SAMPLE_RULE.match(sample) or len(sample) > MAX_SAMPLE_CHARS:
        raise GrammarError(f"{intent}: {sample!r} breaks the sample rules (lower-case words, no digits, <= 200 chars)")
    used = _SLOT.findall(sample)
    if len(used) != len(set(used)) or not set(used) <= set(slots):
        raise GrammarError(f"{intent}: {sample!r} uses an undeclared or repeated slot")


def build(grammar: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The language model and the built-in phrase table the grammar gives.

    Built-in intents (``AMAZON.*``) list under ``understood`` what Alexa already understands for
    them; their templates extend that, and both go to the chat's phrase table.
    """
    fragments: Mapping[str, Sequence[str]] = grammar.get("fragments", {})
    owner: dict[str, str] = {}
    intents: list[dict[str, Any]] = []
    dialog: list[dict[str, Any]] = []
    builtin: dict[str, list[str]] = {}
    for name, spec in grammar["intents"].items():
        slots: dict[str, str] = spec.get("slots", {})
        samples = intent_samples(spec, fragments)
        if len(samples) > MAX_SAMPLES_PER_INTENT:
            raise GrammarError(f"{name}: {len(samples)} samples; more than {MAX_SAMPLES_PER_INTENT}")
        used: set[str] = set()
        for sample in samples:
            check_sample(name, sample, slots)
            if owner.setdefault(sample, name) != name:
                raise GrammarError(f"{sample!r} is a sample of both {owner[sample]} and {name}")
            used.update(_SLOT.findall(sample))
        if used != set(slots):
            raise GrammarError(f"{name}: slots {sorted(set(slots) - used)} are in no sample")
        elicited = _slot_samples(name, spec, fragments)
        intent: dict[str, Any] = {"name": name}
        if slots:
            intent["slots"] = [
                {"name": slot, "type": slot_type, **({"samples": elicited[slot]} if slot in elicited else {})}
                for slot, slot_type in slots.items()
            ]
        intent["samples"] = samples
        intents.append(intent)
        if elicited:
            dialog.append(_dialog_intent(name, slots))
        if name.startswith("AMAZON.") and (samples or spec.get("understood")):
            builtin[name] = list(dict.fromkeys([*spec.get("understood", []), *samples]))
    for name, phrases in builtin.items():
        for phrase in phrases:
            if owner.setdefault(phrase, name) != name:
                raise GrammarError(f"{phrase!r} is understood by {name} and a sample of {owner[phrase]}")
    model: dict[str, Any] = {
        "interactionModel": {
            "languageModel": {
                "invocationName": grammar["invocationName"],
                "intents": intents,
                "types": grammar["types"],
            }
        }
    }
    if dialog:
        model["interactionModel"]["dialog"] = {"delegationStrategy": "SKILL_RESPONSE", "intents": dialog}
    return model, builtin


def _slot_samples(name: str, spec: Mapping[str, Any], fragments: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
    """The intent's slot elicitation samples, slot -> samples; each names its own slot and no other.

    >>> _slot_samples("SetReminderIntent", {"slots": {"time": "AMAZON.TIME"}, "slot_samples": {"time": ["[at] {time}"]}}, {})
    {'time': ['at {time}', '{time}']}
    """
    slots: Mapping[str, str] = spec.get("slots", {})
    found: dict[str, list[str]] = {}
    for slot, templates in spec.get("slot_samples", {}).items():
        if slot not in slots:
            raise GrammarError(f"{name}: slot samples for the undeclared slot {slot!r}")
        samples = list(dict.fromkeys(s for template in templates for s in expand(template, fragments)))
        for sample in samples:
            check_sample(name, sample, slots)
            if _SLOT.findall(sample) != [slot]:
                raise GrammarError(f"{name}: the slot sample {sample!r} must name {{{slot}}} and no other slot")
        found[slot] = samples
    return found


def _dialog_intent(name: str, slots: Mapping[str, str]) -> dict[str, Any]:
    """The dialog model's entry for an intent whose slots the skill elicits itself (nothing required, no prompts)."""
    return {
        "name": name,
        "delegationStrategy": "SKILL_RESPONSE",
        "confirmationRequired": False,
        "prompts": {},
        "slots": [
            {"name": slot, "type": slot_type, "elicitationRequired": False, "confirmationRequired": False, "prompts": {}}
            for slot, slot_type in slots.items()
        ],
    }
