"""Which intent a phrasing's words point to, learnt from the interaction model's samples alone.

The chat's matcher (``skill.entrypoints.nlu``) first looks for a sample that fits the text exactly.
People do not speak in samples, though: "this stretch is hurting me" is no sample, yet every word of
it is in the pain samples. Alexa's own language understanding is statistical and generalises from
the samples; this module is the chat's small stand-in for that, used only when no sample fits.

Each word is reduced to a rough stem (``stem``: "hurting", "hurts" and "hurt" are one word), and the
model's samples give, for every stem, the share of each intent's samples that contain it. A stem found
in few intents is strong evidence (weight ``log(intents / intents with the stem)``, like IDF); one found
in every intent says nothing. A text's score for an intent is the weighted share of its stems pointing
there; a word no sample has counts fully against every intent, so a request for something else
("what's the weather like") scores low everywhere. The best intent is taken only with a clear score
and a clear margin over the runner-up.

Example::

    >>> evidence = WordEvidence([
    ...     ("PainIntent", ["this", "hurts"]), ("PainIntent", ["my", "back", "is", "aching"]),
    ...     ("PainIntent", ["it", "is", "too", "painful"]),
    ...     ("SkipIntent", ["skip", "this"]), ("SkipIntent", ["skip", "it"]), ("SkipIntent", ["next", "one"]),
    ... ])
    >>> evidence.best("my back hurts it is aching".split())
    ('PainIntent', 1.0)
    >>> evidence.best("play the radio".split()) is None
    True
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Final, Iterable, Sequence

# A clitic carries grammar, not meaning: "shoulder's" is "shoulder", "doesn't" is "does".
_CLITICS: Final = ("'s", "'re", "'ve", "'m", "'ll", "'d", "n't")
# A guess needs this share of the text's evidence for one intent, and this lead over the next; and in all
# at least this part of the evidence one word of that intent alone gives ("it is" says nothing).
MIN_SHARE: Final = 0.35
MIN_LEAD: Final = 0.15
MIN_WORDS_WORTH: Final = 0.4
# The intent that must never be missed (``best(first=...)``) needs no lead: words of pain next to a
# steering word ("wait, it's hurting") are pain, since taking pain for something else leaves someone
# stretching into it, while the other way round only stops the stretch and gives advice.
MIN_FIRST_SHARE: Final = 0.3


def stem(word: str) -> str:
    """A rough stem, enough to make inflections of a word meet (not a linguist's stem).

    >>> [stem(w) for w in ("hurting", "hurts", "hurt", "throbbing", "throbs", "aches", "aching", "ache")]
    ['hurt', 'hurt', 'hurt', 'throb', 'throb', 'ach', 'ach', 'ach']
    >>> [stem(w) for w in ("shoulder's", "shoulders", "doesn't", "does", "twinged", "twinge", "stretches", "stretching")]
    ['shoulder', 'shoulder', 'doe', 'doe', 'twing', 'twing', 'stretch', 'stretch']
    """
    for clitic in _CLITICS:
        if word.endswith(clitic) and len(word) > len(clitic) + 1:
            word = word[: -len(clitic)]
            break
    if len(word) > 5 and word.endswith("ing"):
        word = word[:-3]
    elif len(word) > 4 and word.endswith("ed"):
        word = word[:-2]
    elif len(word) > 4 and word.endswith("es"):
        word = word[:-2]
    elif len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        word = word[:-1]
    if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "aeiou":
        word = word[:-1]
    if len(word) > 3 and word.endswith("e"):
        word = word[:-1]
    return word


class WordEvidence:
    """Per-intent word statistics from (intent, words) samples, and the intent a text's words point to."""

    def __init__(self, samples: Iterable[tuple[str, Sequence[str]]]) -> None:
        counts: dict[str, int] = defaultdict(int)  # intent -> samples
        containing: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))  # stem -> intent -> samples
        for intent, words in samples:
            counts[intent] += 1
            for word in {stem(w) for w in words}:
                containing[word][intent] += 1
        self._intents: tuple[str, ...] = tuple(counts)
        # The weight a word no sample has: as specific as a word can be, and for no intent.
        self._unknown_weight = math.log(max(len(counts), 2))
        # stem -> (weight, intent -> share of the stem's evidence)
        self._table: dict[str, tuple[float, dict[str, float]]] = {}
        for word, per_intent in containing.items():
            # Shares of the samples that have the word: an intent with more ways of being said has more
            # of them (PainIntent, StartRoutineIntent), as it has more of the phrasings people use.
            total = sum(per_intent.values())
            # A word seen in one or two samples is weaker evidence than one the samples keep using.
            weight = math.log(len(counts) / len(per_intent)) * total / (total + 1)
            self._table[word] = (weight, {intent: n / total for intent, n in per_intent.items()})

    def _evidence(self, words: Sequence[str]) -> dict[str, tuple[float, float]]:
        """Each intent's share of the evidence in ``words`` (0 to 1) and the evidence itself; empty when
        the words say nothing.

        >>> {intent: round(share, 2) for intent, (share, _) in WordEvidence([("A", ["stop"]), ("B", ["go"])])._evidence(["stop", "now"]).items()}
        {'A': 0.33}
        """
        evidence: dict[str, float] = defaultdict(float)
        total = 0.0
        for word in dict.fromkeys(stem(w) for w in words):
            weight, shares = self._table.get(word, (self._unknown_weight, {}))
            total += weight
            for intent, share in shares.items():
                evidence[intent] += weight * share
        if total <= 0:
            return {}
        return {intent: (value / total, value) for intent, value in evidence.items() if value > 0}

    def best(self, words: Sequence[str], first: str | None = None) -> tuple[str, float] | None:
        """The intent ``words`` point to and its share, or None when no intent is clearly ahead.

        ``first`` (pain) is taken whenever it holds a fair share of the evidence, ahead or not.

        >>> evidence = WordEvidence([("A", ["stop"]), ("B", ["go"])])
        >>> evidence.best(["stop", "go"]) is None
        True
        >>> evidence.best(["stop", "go"], first="A")
        ('A', 0.5)
        """
        found = self._evidence(words)
        if first in found:
            share, amount = found[first]
            if share >= MIN_FIRST_SHARE and amount >= MIN_WORDS_WORTH * self._unknown_weight:
                return first, round(share, 3)
        ranked = sorted(found.items(), key=lambda item: item[1][0], reverse=True)
        if not ranked:
            return None
        intent, (share, amount) = ranked[0]
        runner_up = ranked[1][1][0] if len(ranked) > 1 else 0.0
        if share < MIN_SHARE or share - runner_up < MIN_LEAD or amount < MIN_WORDS_WORTH * self._unknown_weight:
            return None
        return intent, round(share, 3)
