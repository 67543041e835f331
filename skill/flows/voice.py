"""Learning how fast the voice really speaks, from the skill's own traffic.

The rate model (``skill.speech.rate``) was fitted to a stand-in voice; Alexa's voice may be 10 %
faster or slower, which is 20 s by the end of a long response. An answer that follows a response
played to its end ("next", "yes", "better") was said after the response ended, so each one bounds
the voice from above: the response's breaks plus ``scale`` times its modelled words ended before
the answer's wake word. Answers come a human delay after the end, so the bounds scatter above the
truth; the lowest of them (a low quantile of recent ones, so that a stray interruption taken for an
answer does not drag it down) is close to it.

The estimate is kept per locale in one small shared item of the store (``VOICE_KEY``, beside the
users' items; no Alexa user id starts with ``_``), stored as whole numbers (DynamoDB takes no
floats). Each process reads it at most once every ``READ_EVERY_SECONDS``, and writes it at most
once per request, only when its estimate moved by ``MIN_MOVE`` or more. Until it rests on
``CALIBRATED_AFTER`` answers the voice may be 15 % off either way (``Voice()``); after that the
range around a located request narrows to ``CALIBRATED_SPREAD``.

Example:
    >>> import pathlib, tempfile
    >>> from skill.persistence.sqlite_store import SqliteStore
    >>> book = VoiceBook(SqliteStore(pathlib.Path(tempfile.mkdtemp()) / "u.db"), clock=lambda: 0.0)
    >>> for bound in [1.12, 1.105, 1.13, 1.11, 1.121] * 4:
    ...     book.hear("en-US", bound)
    >>> book.voice("en-US")
    Voice(scale=1.105, spread=0.06)
"""

from __future__ import annotations

import logging
from collections import deque
from decimal import Decimal
from typing import Any, Callable

from skill.engine import RoutineState, Status, Voice
from skill.engine.routine import REACTION_MS, REACTION_SPREAD_MS, STAMP_MS
from skill.persistence.versioned import Attributes, StoreUnavailable, VersionConflict, VersionedStore

logger = logging.getLogger(__name__)

VOICE_KEY = "_shared:voice"
READ_EVERY_SECONDS = 600
MIN_MOVE = 0.005  # a change of the estimate worth a write: half a per cent
WINDOW = 40  # recent bounds an estimate rests on
QUANTILE = 0.1
CALIBRATED_AFTER = 20  # answers before the estimate is trusted
CALIBRATED_SPREAD = 0.06  # the voice's own unevenness from one kind of text to another, once its scale is known
MIN_WORDS_MS = 20_000  # shorter responses: a person's delay swamps the voice's speed
PLAUSIBLE = (0.7, 1.6)  # bounds outside this are not answers to a finished response (or are no news)
SCALE_UNITS = 10_000  # stored as whole ten-thousandths
# The intents that answer the question a response ends with: said after it played to its end.
ANSWERS = frozenset({"AMAZON.NextIntent", "AMAZON.YesIntent", "AMAZON.NoIntent", "AMAZON.ResumeIntent", "FeelingIntent"})


def answer_bound(state: RoutineState | None, at_ms: int | None, intent: str | None) -> float | None:
    """The most the voice's scale can be, if this request answers the response that was playing.

    None when it is no answer, when the response was short, or when the bound is implausible (the
    request interrupted the response, or came so late that it says nothing).

    >>> from skill.engine import Chunk, PlanItem
    >>> chunk = Chunk(0, 1, 0, (0, 100_000), (0, 50_000), (110_000, 60_000))
    >>> state = RoutineState("morning", (PlanItem("single_knee_to_chest", 20, 1),), 0, Status.PLAYING, chunk)
    >>> answer_bound(state, 117_000, "AMAZON.NextIntent")  # (117 + 1 - 1.5 - 50) / 60
    1.1083333333333334
    >>> answer_bound(state, 117_000, "AMAZON.PauseIntent") is None
    True
    """
    chunk = state.chunk if state is not None else None
    if intent not in ANSWERS or at_ms is None or chunk is None or state is None or state.status is not Status.PLAYING:
        return None
    if len(chunk.reply_ms) != 2 or chunk.reply_ms[1] < MIN_WORDS_MS:
        return None
    length, words = chunk.reply_ms
    # The answer's wake word came after the response's end and at least the shortest reaction before the
    # timestamp, which is up to a second early.
    ended_by = at_ms + STAMP_MS - (REACTION_MS - REACTION_SPREAD_MS) - chunk.sent_at_ms
    bound = (ended_by - (length - words)) / words
    return bound if PLAUSIBLE[0] <= bound <= PLAUSIBLE[1] else None


class VoiceBook:
    """This process's view of the shared voice item: the estimate per locale, and recent bounds."""

    def __init__(self, store: VersionedStore, clock: Callable[[], float], key: str = VOICE_KEY) -> None:
        self.store = store
        self.clock = clock
        self.key = key
        self._read_at: float | None = None
        self._stored: Attributes = {}
        self._bounds: dict[str, deque[float]] = {}
        self._heard: dict[str, int] = {}  # answers taken here since the item was last read

    def voice(self, locale: str) -> Voice:
        """The voice to locate requests with, for ``locale``."""
        self._refresh()
        if self._answers(locale) < CALIBRATED_AFTER:
            return Voice()
        return Voice(_low(self._window(locale)), CALIBRATED_SPREAD)

    def hear(self, locale: str, bound: float) -> None:
        """Take one answer's bound; store the estimate when it is first trusted, or when it moved
        by ``MIN_MOVE`` since it was stored (one write at most)."""
        self._refresh()
        self._window(locale).append(bound)
        self._heard[locale] = self._heard.get(locale, 0) + 1
        answers = self._answers(locale)
        if answers < CALIBRATED_AFTER:
            return
        scale, stored = _low(self._window(locale)), _scale(self._stored.get(locale))
        if stored is not None and abs(scale - stored) < MIN_MOVE * stored:
            return
        entry = {"scale": int(round(scale * SCALE_UNITS)), "answers": min(answers, 10**6)}
        try:
            written, _ = self.store.update(self.key, lambda fresh: {**fresh, locale: entry})
        except (StoreUnavailable, VersionConflict) as error:
            logger.info("voice estimate not stored: %s", error)
            return
        self._stored, self._heard[locale] = dict(written), 0

    # -- internals ------------------------------------------------------------------------

    def _answers(self, locale: str) -> int:
        stored = _answers(self._stored.get(locale)) if _scale(self._stored.get(locale)) is not None else 0
        return stored + self._heard.get(locale, 0)

    def _window(self, locale: str) -> deque[float]:
        bounds = self._bounds.get(locale)
        if bounds is None:
            # A process starts from the stored estimate, as if it had seen that many answers at it.
            entry = self._stored.get(locale)
            scale = _scale(entry)
            prior = [scale] * min(_answers(entry), WINDOW // 2) if scale is not None else []
            bounds = self._bounds[locale] = deque(prior, maxlen=WINDOW)
        return bounds

    def _refresh(self) -> None:
        now = self.clock()
        if self._read_at is not None and now - self._read_at < READ_EVERY_SECONDS:
            return
        self._read_at = now
        try:
            attributes, _ = self.store.read(self.key)
        except StoreUnavailable as error:
            logger.info("voice estimate not read: %s", error)
            return
        for locale in set(self._bounds) | set(self._heard):
            if attributes.get(locale) != self._stored.get(locale):  # another process stored news: start from it
                self._bounds.pop(locale, None)
                self._heard.pop(locale, None)
        self._stored = dict(attributes)


def _low(bounds: deque[float]) -> float:
    ordered = sorted(bounds)
    return ordered[int(QUANTILE * (len(ordered) - 1))]


def _scale(entry: Any) -> float | None:
    if not isinstance(entry, dict):
        return None
    units = entry.get("scale")  # an int, or a Decimal from DynamoDB
    if isinstance(units, bool) or not isinstance(units, (int, Decimal)):
        return None
    scale = float(units) / SCALE_UNITS
    return scale if PLAUSIBLE[0] <= scale <= PLAUSIBLE[1] else None


def _answers(entry: Any) -> int:
    answers = entry.get("answers") if isinstance(entry, dict) else None
    if isinstance(answers, bool) or answers is None:
        return 0
    try:
        return max(0, min(int(answers), 10**6))
    except (TypeError, ValueError, OverflowError):
        return 0
