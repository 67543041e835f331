"""Match typed text against the Alexa interaction model, for ``backstretch chat``.

The command-line chat has no Alexa speech service in front of it, so this module stands in for
Alexa's language understanding: it reads the *same* ``interaction_models/<locale>.json`` that is
deployed to Alexa (installed with the package as ``skill.models``, see ``skill.interaction_model``), turns every sample utterance into a regular expression, and returns the intent
and slots that Alexa would most plausibly send. Slot values of custom types are resolved like
Alexa's entity resolution (value names and synonyms); ``AMAZON.NUMBER``, ``AMAZON.DURATION`` and
``AMAZON.TIME`` are converted the way Alexa delivers them ("thirty" -> "30", "a minute" -> "PT1M",
"half past six" -> "06:30", "in the evening" -> "EV").

Built-in intents (``AMAZON.NextIntent`` ...) need no samples in the model because Alexa already
understands them; the matcher therefore also loads ``builtin_phrases.<locale>.json`` from the
model's directory, a table of what those built-ins understand. (Phrases Alexa's built-ins may not
know, such as "i'm done", are also added to the model as samples extending those intents.)

Usage::

    from skill.entrypoints.nlu import Matcher

    matcher = Matcher.for_locale("en-US")
    result = matcher.match("Let's do the lower back, please")
    result.intent                         # 'StartRoutineIntent'
    result.slots["routine"].resolved_id   # 'lower_back'
    matcher.match("hold for a minute and a half").slots["duration"].value   # 'PT1M30S'

Alexa's language understanding is statistical: it also understands phrasings that are no sample
but use the samples' words. When no sample fits, the matcher does the same in a small way
(``skill.entrypoints.word_evidence``): per-intent word statistics learnt from the samples alone, and
an intent only when it is clearly ahead, so that what is not for the skill still falls back::

    matcher.match("this stretch is hurting me").intent     # 'PainIntent' (no sample says it so)
    matcher.match("book a taxi to the airport").intent     # no intent ahead: AMAZON.FallbackIntent

Deliberate choices (keep them in step with builtin_phrases.en-US.json):

* "continue" and "keep going" map to ``AMAZON.ResumeIntent``, not NextIntent: Amazon lists both
  as ResumeIntent utterances, and the chat must send what Alexa would send. The skill's
  ResumeIntent handler therefore has to carry on to the next step when nothing is paused.
* "ok" is ``AMAZON.YesIntent``; "ok next" is NextIntent. "i'm done" is NextIntent (done with this
  stretch); "i'm finished" is StopIntent.
* "skip" belongs to the custom SkipIntent (model samples are consulted before the built-in table).
* ``AMAZON.DURATION`` values keep the units that were spoken, without normalising: "ninety
  seconds" -> "PT90S" (not "PT1M30S"); only fractions carry down, "one and a half minutes" ->
  "PT1M30S". Handlers must accept any ISO-8601 mix of H, M and S.
* ``IntentMatch.slots`` holds only the slots that were filled; an absent key means "not said".
* A slot's own samples (``"{time}"`` under the slot: Alexa's slot elicitation utterances) count only
  while the skill elicits that slot (``Dialog.ElicitSlot``): pass ``eliciting=(intent, slot)``. Then
  they are tried first, as Alexa does; what fits none of them is matched as usual.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Mapping, Sequence

from skill.entrypoints.word_evidence import WordEvidence
from skill.interaction_model import builtin_phrases, interaction_model
from skill.spoken_numbers import to_iso_duration, to_iso_time, words_to_number

FALLBACK_INTENT: Final = "AMAZON.FallbackIntent"
PAIN_INTENT: Final = "PainIntent"  # never missed: it wins the second stage with a fair share of the words

# A slot captures 1-6 words; the text is normalised to single spaces first.
_SLOT_CAPTURE: Final = r"(\S+(?: \S+){0,5})"
_SLOT_TOKEN_RE: Final = re.compile(r"^\{(\w+)\}$")
# Words (letters/digits, inner apostrophes kept: "child's") and decimal numbers ("1.5").
# Everything else - punctuation, hyphens, quotes - becomes a word break.
_TOKEN_RE: Final = re.compile(r"\d+(?:\.\d+)?|[^\W_]+(?:'[^\W_]+)*")

# Where one clause of what was typed ends: commas, semicolons, sentence ends (not a decimal point).
_CLAUSE_BREAK: Final = re.compile(r"[,;!?]|\.(?!\d)")
# Words people put in front of a request that carry no meaning for it; Alexa's language
# understanding ignores them, so the chat does too ("okay so um start the neck one").
# "kindly" is how Indian English says "please", "righto" British and Australian "right"; "but" opens a
# remark ("sorry but this is hurting me").
_LEADING_FILLERS: Final = frozenset(
    {"alexa", "please", "kindly", "hey", "um", "umm", "uh", "er", "erm", "hmm", "mm", "mmm", "so", "well", "oh", "okay", "ok",
     "right", "righto", "alright", "actually", "just", "now", "sorry", "but"}
)
# "can you add cobra" means "add cobra"; samples that keep "can you" still match the text as typed.
_LEADING_REQUESTS: Final = (
    ("can", "you"), ("could", "you"), ("would", "you"), ("will", "you"), ("can", "we"), ("could", "we"),
    ("i", "want", "to"), ("i'd", "like", "to"), ("i", "would", "like", "to"), ("i", "wanna"), ("i", "need", "to"),
)
# Longest first: "right now" before "now". The names people call whoever they talk to ("mate", "love",
# "madam") end a request as "alexa" does.
_TRAILING_FILLERS: Final = (
    ("right", "now"), ("right", "away"), ("thank", "you"), ("for", "me"),
    ("please",), ("thanks",), ("now",), ("then",), ("alexa",), ("okay",), ("ok",), ("mate",), ("love",), ("madam",), ("sir",),
)
_ARTICLES: Final = ("the ", "my ", "a ", "an ", "some ", "our ")
# Courtesy words and articles carry no meaning: a sample made of a slot and these only
# ("{routine} please", "the {leg}") counts as slot-only.
_COURTESY_WORDS: Final = frozenset({"please", "thanks", "thank", "you", "the", "a", "an", "my"})

# How well a slot's words were understood: a known value (or a number) exactly, a known value among
# other words ("the point of the press up": Alexa's model drops carrier words too), or not at all.
_EXACT, _INSIDE, _UNKNOWN = 2, 1, 0


@dataclass(frozen=True)
class SlotMatch:
    """One filled slot, shaped like Alexa's slot plus its entity resolution."""

    name: str
    value: str  # what the user said; NUMBER/DURATION/TIME converted ("30", "PT1M", "07:00")
    resolved_id: str | None  # custom types: the value id on ER_SUCCESS_MATCH, else None
    resolved_name: str | None  # the canonical value name when matched


@dataclass(frozen=True)
class IntentMatch:
    """The intent the text was matched to and the slots that were filled."""

    intent: str
    slots: dict[str, SlotMatch]


@dataclass(frozen=True)
class _Sample:
    """A sample utterance compiled for matching."""

    intent: str
    regex: re.Pattern[str]
    slot_names: tuple[str, ...]  # in capture-group order
    literal_words: int  # words outside slots: more of them means a more specific sample
    slot_only: bool  # nothing but slots and courtesy words


def normalise_text(text: str) -> str:
    """Lower-case, drop punctuation (keeping inner apostrophes and decimals), collapse spaces."""
    text = text.lower().replace("\u2019", "'").replace("\u2018", "'")
    return " ".join(_TOKEN_RE.findall(text))


class Matcher:
    """Matches typed text to an intent using an Alexa interaction model."""

    def __init__(
        self,
        model: Mapping[str, Any],
        builtin_phrases: Mapping[str, Sequence[str]] | None = None,
        *,
        generalise: bool = True,
    ) -> None:
        """``generalise=False`` keeps to the samples (no second stage): what they alone understand."""
        self._generalise = generalise
        language_model: Mapping[str, Any] = model["interactionModel"]["languageModel"]
        self._invocation: tuple[str, ...] = tuple(
            normalise_text(str(language_model.get("invocationName", ""))).split()
        )
        # slot type name -> normalised phrase -> (value id, canonical name)
        self._values: dict[str, dict[str, tuple[str, str]]] = {}
        for slot_type in language_model.get("types", []):
            table: dict[str, tuple[str, str]] = {}
            for value in slot_type.get("values", []):
                name = value["name"]["value"]
                value_id = value.get("id") or name
                for phrase in [name, *value["name"].get("synonyms", [])]:
                    table.setdefault(normalise_text(phrase), (value_id, name))
            self._values[slot_type["name"]] = table

        # intent -> slot name -> slot type
        self._slot_types: dict[str, dict[str, str]] = {}
        # Literal samples: whole-text lookups. Model samples go in first so that they win
        # over the built-in table (e.g. "skip" is SkipIntent, not a built-in).
        self._exact: dict[str, str] = {}
        self._samples: list[_Sample] = []
        # Every sample as written, for the word statistics of the second stage (built on first use).
        self._sample_texts: list[tuple[str, str]] = []
        self._evidence: WordEvidence | None = None
        # (intent, slot) -> that slot's elicitation samples, compiled
        self._elicited: dict[tuple[str, str], list[_Sample]] = {}
        for intent in language_model.get("intents", []):
            intent_name: str = intent["name"]
            self._slot_types[intent_name] = {
                slot["name"]: slot["type"] for slot in intent.get("slots", [])
            }
            for sample in intent.get("samples", []):
                self._add_sample(intent_name, sample)
            for slot in intent.get("slots", []):
                compiled = [self._compile(intent_name, sample) for sample in slot.get("samples", [])]
                self._elicited[(intent_name, slot["name"])] = [c for c in compiled if isinstance(c, _Sample)]
        for intent_name, phrases in (builtin_phrases or {}).items():
            for phrase in phrases:
                self._add_sample(intent_name, phrase)

    @classmethod
    def for_locale(cls, locale: str) -> Matcher:
        """The matcher for the packaged model of ``locale`` and its table of built-in phrases."""
        return cls(interaction_model(locale), builtin_phrases(locale))

    @classmethod
    def from_file(cls, path: Path, *, generalise: bool = True) -> Matcher:
        """Load a model file and the ``builtin_phrases.<locale>.json`` beside it, if any."""
        model = json.loads(path.read_text(encoding="utf-8"))
        builtin_path = path.with_name(f"builtin_phrases.{path.stem}.json")
        builtin: Mapping[str, Sequence[str]] = {}
        if builtin_path.is_file():
            builtin = json.loads(builtin_path.read_text(encoding="utf-8"))
        return cls(model, builtin, generalise=generalise)

    def slot_types(self, intent: str) -> Mapping[str, str]:
        """The slots ``intent`` declares, name -> type, in the model's order (none for an unknown intent)."""
        return self._slot_types.get(intent, {})

    def match(self, text: str, eliciting: tuple[str, str] | None = None) -> IntentMatch:
        """Return the best intent for the text; AMAZON.FallbackIntent when nothing fits.

        ``eliciting`` is the (intent, slot) the skill has just asked for with ``Dialog.ElicitSlot``:
        the slot's own samples are tried first ("half past six" after "what time each day?").

        When the whole text fits no sample, its clauses are tried, the last first: people put the
        request after a remark ("my neck's stiff, let's do the neck and shoulders").
        A whole-text match whose slot only contains a known value among other words ("it's too much,
        it really hurts" read as the feeling "too much it really hurts") gives way to a clause that
        matches exactly, as Alexa does not fill a slot with a whole second sentence.

        When still no sample fits (or only one whose slot holds no value of it), a second stage looks at
        the words alone, in any order: the intent whose samples use them (``WordEvidence``), if one is
        clearly ahead ("this stretch is hurting me" is no sample, but its words are pain's).
        """
        if not isinstance(text, str):
            return IntentMatch(FALLBACK_INTENT, {})
        if eliciting is not None and self._elicited.get(eliciting):
            answer, level = self._best(self._elicited[eliciting], self._variants(text))
            if answer is not None and level == _EXACT:
                return answer
        whole, understood = self._match_whole(text)
        if whole.intent != FALLBACK_INTENT and understood == _EXACT:
            return whole
        clauses = [c for c in _CLAUSE_BREAK.split(text) if normalise_text(c)]
        for clause in reversed(clauses if len(clauses) > 1 else []):
            found, level = self._match_whole(clause)
            if found.intent != FALLBACK_INTENT and (level == _EXACT or whole.intent == FALLBACK_INTENT):
                whole, understood = found, level
                break
        if not self._generalise or (whole.intent != FALLBACK_INTENT and understood > _UNKNOWN):
            return whole
        # No sample fits, or only one whose slot took words that are no value of it ("it stings down my
        # leg" read as SoreLegIntent with the leg "it stings down my"): what do the words point to?
        guess = self._guess(text)
        return guess if guess.intent not in (FALLBACK_INTENT, whole.intent) else whole

    def _guess(self, text: str) -> IntentMatch:
        """The second stage, when no sample fits: the intent the words point to (``WordEvidence``, learnt
        from the samples), with the slot values found among the words; AMAZON.FallbackIntent when no
        intent is clearly ahead ("what's the weather like" has words no sample has)."""
        words = self._strip_fillers(normalise_text(text)).split()
        if self._evidence is None:
            self._evidence = WordEvidence(self._sample_words())
        best = self._evidence.best(words, first=PAIN_INTENT)
        if best is None:
            return IntentMatch(FALLBACK_INTENT, {})
        intent = best[0]
        # What the model declares as the answer to a slot's question ("every day at noon") is no request
        # on its own: Alexa hears it only while the skill elicits that slot.
        for (owner, _), answers in self._elicited.items():
            if owner == intent and self._best(answers, self._variants(text))[1] == _EXACT:
                return IntentMatch(FALLBACK_INTENT, {})
        return IntentMatch(intent, self._slots_among(intent, words))

    def _sample_words(self) -> list[tuple[str, list[str]]]:
        """Each sample's words as the text's words are seen: fillers dropped, slots left out. The values of
        each of an intent's custom slots count as one more sample of it ("back", "neck", "foot" ...)."""
        found: list[tuple[str, list[str]]] = []
        for intent, sample in self._sample_texts:
            tokens = [token if _SLOT_TOKEN_RE.match(token) else normalise_text(token) for token in sample.split()]
            words = self._strip_fillers(" ".join(t for t in tokens if t)).split()
            found.append((intent, [w for w in words if not _SLOT_TOKEN_RE.match(w)]))
        for intent, slots in self._slot_types.items():
            for slot_type in slots.values():
                phrases = self._values.get(slot_type, {})
                if phrases:
                    found.append((intent, [w for phrase in phrases for w in phrase.split()]))
        return found

    def _slots_among(self, intent: str, words: Sequence[str]) -> dict[str, SlotMatch]:
        """The intent's slots whose values are among ``words``: the longest known value (or number,
        duration, time) first, each word in one slot at most."""
        slots: dict[str, SlotMatch] = {}
        used: set[int] = set()
        for slot_name in self._slot_types.get(intent, {}):
            for size in range(min(len(words), 6), 0, -1):
                starts = [s for s in range(len(words) - size + 1) if not used & set(range(s, s + size))]
                hit = next(
                    ((start, slot) for start in starts
                     if (slot := self._fill_slot(intent, slot_name, " ".join(words[start : start + size])))[1] == _EXACT),
                    None,
                )
                if hit is not None:
                    slots[slot_name] = hit[1][0]
                    used.update(range(hit[0], hit[0] + size))
                    break
        return slots

    def _match_whole(self, text: str) -> tuple[IntentMatch, int]:
        """The best intent for the whole of ``text`` (AMAZON.FallbackIntent when no sample fits it) and how
        well its slots were understood (``_EXACT`` for a sample without slots)."""
        plain = normalise_text(text)
        variants = self._variants(text)
        # A whole sample as typed wins ("not now" is a sample; "not" is not), then without fillers.
        for variant in (plain, *variants):
            if variant in self._exact:
                return IntentMatch(self._exact[variant], {}), _EXACT
        found, level = self._best(self._samples, variants)
        return (found, level) if found is not None else (IntentMatch(FALLBACK_INTENT, {}), _UNKNOWN)

    def _variants(self, text: str) -> list[str]:
        """The text without fillers, then as typed: "{routine} please" is a sample, so the trailing
        "please" must be stripped for some samples and kept for others."""
        plain = normalise_text(text)
        return list(dict.fromkeys(v for v in (self._strip_fillers(plain), plain) if v))

    def _best(self, samples: Sequence[_Sample], variants: Sequence[str]) -> tuple[IntentMatch | None, int]:
        """The best of ``samples`` that fits one of ``variants``, and how well its slots were understood."""
        best: tuple[tuple[int, int, int, int], IntentMatch] | None = None
        for variant_rank, variant in enumerate(variants):
            for sample_rank, sample in enumerate(samples):
                found = sample.regex.fullmatch(variant)
                if found is None:
                    continue
                slots: dict[str, SlotMatch] = {}
                understood = _EXACT
                for index, slot_name in enumerate(sample.slot_names, start=1):
                    slot, level = self._fill_slot(sample.intent, slot_name, found.group(index))
                    slots[slot_name] = slot
                    understood = min(understood, level)
                # A sample made only of slots ("{routine} please") would swallow any text;
                # accept it only when the value is one we know, exactly.
                if sample.slot_only and understood < _EXACT:
                    continue
                # Prefer slot values known exactly, then found inside what was said, then more
                # specific samples, then the variant without fillers, then the model's order.
                key = (understood, sample.literal_words, -variant_rank, -sample_rank)
                if best is None or key > best[0]:
                    best = (key, IntentMatch(sample.intent, slots))
        return (best[1], best[0][0]) if best is not None else (None, _UNKNOWN)

    def _add_sample(self, intent: str, sample: str) -> None:
        """Index one sample: literal ones for exact lookup, slotted ones as regexes."""
        self._sample_texts.append((intent, sample))
        compiled = self._compile(intent, sample)
        if isinstance(compiled, _Sample):
            self._samples.append(compiled)
        elif compiled:
            self._exact.setdefault(compiled, intent)

    @staticmethod
    def _compile(intent: str, sample: str) -> _Sample | str:
        """A slotted sample as a regex; a literal one as its normalised words."""
        pieces: list[str] = []
        slot_names: list[str] = []
        literal: list[str] = []
        for token in sample.split():
            slot = _SLOT_TOKEN_RE.match(token)
            if slot:
                slot_names.append(slot.group(1))
                pieces.append(_SLOT_CAPTURE)
            else:
                words = normalise_text(token).split()
                literal.extend(words)
                pieces.extend(re.escape(word) for word in words)
        if not slot_names:
            return " ".join(literal)
        regex = re.compile(" ".join(pieces))
        slot_only = set(literal) <= _COURTESY_WORDS
        return _Sample(intent, regex, tuple(slot_names), len(literal), slot_only)

    def _strip_fillers(self, text: str) -> str:
        """Drop leading "alexa"/"please"/"can you", "ask <invocation> to", trailing "please"."""
        words = text.split()
        changed = True
        while changed and words:
            changed = False
            if words[0] in _LEADING_FILLERS:
                words, changed = words[1:], True
            elif any(tuple(words[: len(r)]) == r and len(words) > len(r) for r in _LEADING_REQUESTS):
                request = next(r for r in _LEADING_REQUESTS if tuple(words[: len(r)]) == r)
                words, changed = words[len(request) :], True
            elif (
                self._invocation
                and words[0] in ("ask", "tell", "open")
                and tuple(words[1 : 1 + len(self._invocation)]) == self._invocation
            ):
                words, changed = words[1 + len(self._invocation) :], True
                if words and words[0] in ("to", "and", "for"):
                    words = words[1:]
            for filler in _TRAILING_FILLERS:
                if len(words) > len(filler) and tuple(words[-len(filler) :]) == filler:
                    words, changed = words[: -len(filler)], True
        return " ".join(words)

    def _fill_slot(self, intent: str, slot_name: str, said: str) -> tuple[SlotMatch, int]:
        """Build the slot Alexa would send, and how well its value was understood (``_EXACT`` ...)."""
        slot_type = self._slot_types.get(intent, {}).get(slot_name)
        if slot_type == "AMAZON.NUMBER":
            number = words_to_number(said)
            if number is None:
                return SlotMatch(slot_name, said, None, None), _UNKNOWN
            return SlotMatch(slot_name, str(number), None, None), _EXACT
        if slot_type == "AMAZON.DURATION":
            duration = to_iso_duration(said)
            if duration is None:
                return SlotMatch(slot_name, said, None, None), _UNKNOWN
            return SlotMatch(slot_name, duration, None, None), _EXACT
        if slot_type == "AMAZON.TIME":
            time_of_day = to_iso_time(said)
            if time_of_day is None:
                return SlotMatch(slot_name, said, None, None), _UNKNOWN
            return SlotMatch(slot_name, time_of_day, None, None), _EXACT
        table = self._values.get(slot_type or "")
        if table is None:  # other AMAZON.* types or an undeclared slot: pass through
            return SlotMatch(slot_name, said, None, None), _UNKNOWN
        candidates = [said] + [said[len(a) :] for a in _ARTICLES if said.startswith(a)]
        for candidate in candidates:
            if candidate in table:
                value_id, name = table[candidate]
                return SlotMatch(slot_name, said, value_id, name), _EXACT
        words = said.split()
        for size in range(len(words) - 1, 0, -1):  # the longest known value among the words
            for start in range(len(words) - size + 1):
                phrase = " ".join(words[start : start + size])
                if phrase in table:
                    value_id, name = table[phrase]
                    return SlotMatch(slot_name, said, value_id, name), _INSIDE
        return SlotMatch(slot_name, said, None, None), _UNKNOWN
