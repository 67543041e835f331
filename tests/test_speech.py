"""Speech tests: SSML safety, countdown timing, the 8000-character / 10 s break limit proof, and phrase keys."""

from __future__ import annotations

import re
import string
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import pytest

from skill.catalogue import load_catalogue
from skill.catalogue.model import RoutineItem
from skill.engine import Finished, InvalidState, Paused, Play, Progress, RoutineEngine, RoutineState, Settings, blocks, plan_seconds
from skill.engine.plan import speaking_seconds
from skill.speech import Composer, Reply, Speech, SpeechLimitError, phrases_for
from skill.speech.countdown import counted_set, hold_countdown
from skill.speech.phrases import available_locales
from skill.speech.ssml import MAX_BREAK_MS, MAX_SSML_CHARS, Pause, Text, Timed

ROOT = Path(__file__).resolve().parents[1]
SKILL_DIR = ROOT / "skill"
CATALOGUE = load_catalogue()
ENGINE = RoutineEngine(CATALOGUE)
PHRASES = phrases_for("en-US")
COMPOSER = Composer(PHRASES)
ROUTINE_IDS = sorted(CATALOGUE.routines)
BREAK = re.compile(r'<break time="(\d+)ms"/>')
ASK_KEYS = ("ask_next_side", "ask_next_set", "ask_next_stretch", "ask_finish")


# -- ssml -------------------------------------------------------------------------------------------


def test_text_is_escaped() -> None:
    """& < > are escaped and " is safe in element text: the XML parses back to the exact words."""
    words = 'Tom & Jerry <3 > "quoted"'
    ssml = Speech([Text(words)]).ssml()
    assert "&amp;" in ssml and "&lt;" in ssml and "&gt;" in ssml
    assert "& " not in ssml and "<3" not in ssml
    assert ET.fromstring(ssml).text == words


def test_pause_renders_whole_milliseconds() -> None:
    """A break is written as whole ms (espeak-ng ignores decimal seconds)."""
    ssml = Speech([Text("Hold."), Pause(2500), Text("Done.")]).ssml()
    assert ssml == '<speak>Hold.<break time="2500ms"/>Done.</speak>'


def test_break_of_10_seconds_is_allowed() -> None:
    """Exactly 10000 ms is the platform maximum and renders."""
    assert '<break time="10000ms"/>' in Speech([Text("a"), Pause(MAX_BREAK_MS), Text("b")]).ssml()


@pytest.mark.parametrize("ms", [MAX_BREAK_MS + 1, 30_000, 0, -5])
def test_break_outside_limits_is_refused(ms: int) -> None:
    """A break over 10 s (or not positive) raises SpeechLimitError."""
    with pytest.raises(SpeechLimitError):
        Speech([Text("a"), Pause(ms), Text("b")]).ssml()


@pytest.mark.parametrize(
    "parts",
    [
        [Text("a"), Pause(1000), Pause(1000), Text("b")],
        [Text("a"), Pause(1000), Text("   "), Pause(1000), Text("b")],
        [Text("a"), Pause(1000), Timed("t", (Pause(500), Text("b")))],
    ],
    ids=["side-by-side", "only-blank-text-between", "across-timed-boundary"],
)
def test_adjacent_pauses_are_refused(parts: list[Any]) -> None:
    """Two breaks with no spoken words between them raise SpeechLimitError."""
    with pytest.raises(SpeechLimitError):
        Speech(parts).ssml()


@pytest.mark.parametrize("parts", [[Pause(1000), Text("a")], [Text(" "), Pause(1000), Text("a")]], ids=["first", "after-blank"])
def test_leading_pause_is_refused(parts: list[Any]) -> None:
    """A break before any words raises SpeechLimitError."""
    with pytest.raises(SpeechLimitError):
        Speech(parts).ssml()


def test_speech_of_8000_characters_is_refused() -> None:
    """SSML of 7999 characters renders; 8000 raises SpeechLimitError."""
    wrapper = len("<speak></speak>")
    assert len(Speech([Text("a" * (MAX_SSML_CHARS - 1 - wrapper))]).ssml()) == MAX_SSML_CHARS - 1
    with pytest.raises(SpeechLimitError):
        Speech([Text("a" * (MAX_SSML_CHARS - wrapper))]).ssml()
    with pytest.raises(SpeechLimitError):  # escaping counts: 2000 "&" become 10000 characters
        Speech([Text("&" * 2000)]).ssml()


# -- countdown --------------------------------------------------------------------------------------


def _timed_seconds(timed: Timed, opening: str, closing: str) -> float:
    """Breaks plus estimated speaking time of every cue strictly between ``opening`` and ``closing``."""
    parts = timed.parts
    assert parts[0] == Text(opening)
    assert parts[-1] == Text(closing)
    return sum(p.ms / 1000 if isinstance(p, Pause) else speaking_seconds(p.text) for p in parts[1:-1])


def _assert_break_rules(parts: tuple[Any, ...]) -> None:
    assert not isinstance(parts[0], Pause)
    for before, after in zip(parts, parts[1:]):
        assert not (isinstance(before, Pause) and isinstance(after, Pause)), "two pauses side by side"
    for part in parts:
        if isinstance(part, Pause):
            assert 0 < part.ms <= MAX_BREAK_MS


@pytest.mark.parametrize("seconds", range(1, 181))
def test_hold_countdown_lasts_its_length(seconds: int) -> None:
    """For every hold 1..180 s: breaks + spoken cues between "Hold for N seconds." and "And release." == N +-0.05 s."""
    timed = hold_countdown(seconds, PHRASES)
    opening = PHRASES.say("hold_start", seconds=seconds)
    measured = _timed_seconds(timed, opening, PHRASES.say("release"))
    assert measured == pytest.approx(seconds, abs=0.05)
    _assert_break_rules(timed.parts)
    ssml = Speech([timed]).ssml()
    ET.fromstring(ssml)
    assert all(int(ms) <= MAX_BREAK_MS for ms in BREAK.findall(ssml))


def test_hold_20_label() -> None:
    """The chat label for a 20 s hold shows the tally and the final count."""
    assert hold_countdown(20, PHRASES).label == "hold 20 s: 10… 5, 4, 3, 2, 1"


def test_hold_30_speaks_tallies() -> None:
    """A 30 s hold says "20 seconds left" and "10 seconds left"."""
    ssml = Speech([hold_countdown(30, PHRASES)]).ssml()
    assert "20 seconds left" in ssml
    assert "10 seconds left" in ssml
    assert ssml.index("20 seconds left") < ssml.index("10 seconds left") < ssml.index("And release.")


def test_counted_set_counts_and_lasts() -> None:
    """counted_set(10, 2) says the numbers 1..10 and its breaks + numbers last 10 x 2 = 20 s."""
    timed = counted_set(10, 2, PHRASES)
    middle = [p.text for p in timed.parts[1:-1] if isinstance(p, Text)]
    assert middle == [PHRASES.say("count_number", number=n) for n in range(1, 11)]
    measured = _timed_seconds(timed, PHRASES.say("count_start", count=10), PHRASES.say("count_done"))
    assert measured == pytest.approx(20, abs=0.05)
    _assert_break_rules(timed.parts)


@pytest.mark.parametrize("tempo", range(1, 11))
@pytest.mark.parametrize("count", [1, 5, 10, 15, 20])
def test_counted_set_timing_for_every_tempo(count: int, tempo: int) -> None:
    """Counted sets last count x tempo for every tempo up to 10 s and obey the break rules."""
    timed = counted_set(count, tempo, PHRASES)
    measured = _timed_seconds(timed, PHRASES.say("count_start", count=count), PHRASES.say("count_done"))
    assert measured == pytest.approx(count * tempo, abs=0.05)
    _assert_break_rules(timed.parts)


# -- the limit proof ---------------------------------------------------------------------------------


def _ask_texts() -> set[str]:
    texts = {PHRASES.say(k) for k in ASK_KEYS if k != "ask_next_stretch"}
    texts |= {PHRASES.say("ask_next_stretch", name=s.name) for s in CATALOGUE.stretches.values()}
    return texts


ASK_TEXTS = _ask_texts()


def _assert_reply_within_limits(reply: Reply, play: Play) -> str:
    """The reply renders under 8000 chars, every break <= 10 s, well-formed, ending with the "next" question."""
    ssml = reply.speech.ssml()
    assert len(ssml) < MAX_SSML_CHARS
    breaks = [int(ms) for ms in BREAK.findall(ssml)]
    assert breaks and all(0 < ms <= MAX_BREAK_MS for ms in breaks)
    assert ssml.count("<break") == len(breaks), "every break uses whole milliseconds"
    root = ET.fromstring(ssml)
    assert root.tag == "speak"
    last = [p for p in reply.speech.flat() if isinstance(p, Text) and p.text.strip()][-1].text
    assert last in ASK_TEXTS and "next" in last
    assert ssml.endswith(escape(last) + "</speak>")
    if play.upcoming is None:
        assert last == PHRASES.say("ask_finish")
    elif play.upcoming.item_index != play.block.item_index:
        assert play.upcoming_stretch is not None
        assert last == PHRASES.say("ask_next_stretch", name=play.upcoming_stretch.name)
    assert reply.reprompt is not None
    ET.fromstring(reply.reprompt.ssml())
    assert reply.end_session is False
    return ssml


def _prefix(state: RoutineState, routine_name: str) -> Speech:
    """The longest lead-in a Play can get: the lost-track notice plus the first-in-session intro with help."""
    intro = COMPOSER.routine_intro(routine_name, len(state.items), plan_seconds(state.items, CATALOGUE), with_help=True)
    return Speech().say(PHRASES.say("lost_track")).add(*intro.parts)


def _prove_limits(state: RoutineState, routine_name: str) -> int:
    """Render every block of ``state``'s plan with and without the intro; return the longest SSML."""
    longest = 0
    for position in range(len(blocks(state.items, CATALOGUE))):
        play = ENGINE.repeat(state.with_(position=position), now=1).outcome
        assert isinstance(play, Play)
        for prefix in (None, _prefix(state, routine_name)):
            ssml = _assert_reply_within_limits(COMPOSER.play(play, routine_name, prefix=prefix), play)
            longest = max(longest, len(ssml))
    at_start = ENGINE.previous(state.with_(position=0), now=1).outcome
    assert isinstance(at_start, Play) and at_start.at_start
    _assert_reply_within_limits(COMPOSER.play(at_start, routine_name, prefix=_prefix(state, routine_name)), at_start)
    return longest


@pytest.mark.parametrize("hold", range(10, 91))
@pytest.mark.parametrize("routine_id", ROUTINE_IDS)
def test_every_block_fits_the_platform_limits(routine_id: str, hold: int) -> None:
    """Every routine x block x hold 10..90 x intro on/off renders valid SSML within 8000 chars and 10 s breaks."""
    state = ENGINE.start(routine_id, Settings(hold_seconds=hold), now=0).state
    _prove_limits(state, CATALOGUE.routine(routine_id).name)


@pytest.mark.parametrize("reps", range(1, 11))
@pytest.mark.parametrize("hold", [10, 15, 20, 30, 45, 60, 90])
@pytest.mark.parametrize("routine_id", ROUTINE_IDS)
def test_every_block_fits_with_any_reps(routine_id: str, hold: int, reps: int) -> None:
    """The same proof with the user's repetition count 1..10 at several holds."""
    state = ENGINE.start(routine_id, Settings(hold_seconds=hold, reps=reps), now=0).state
    _prove_limits(state, CATALOGUE.routine(routine_id).name)


@pytest.mark.parametrize(
    "user",
    [Settings(), Settings(hold_seconds=90, reps=10), Settings(hold_seconds=10, reps=10), Settings(hold_seconds=25, reps=10)],
    ids=["defaults", "hold90-reps10", "hold10-reps10", "hold25-reps10"],
)
def test_routine_of_every_stretch_fits(user: Settings) -> None:
    """A user routine with every catalogue stretch renders every block within the limits."""
    items = [RoutineItem(stretch_id) for stretch_id in sorted(CATALOGUE.stretches)]
    step = ENGINE.start_items("own", items, user, now=0)
    assert len(step.state.items) == len(CATALOGUE.stretches)
    longest = _prove_limits(step.state, PHRASES.say("own_routine_name"))
    assert longest < MAX_SSML_CHARS


@pytest.mark.parametrize("routine_id", ROUTINE_IDS)
def test_other_replies_render(routine_id: str) -> None:
    """Paused, progress (at every block) and finished (with skips) replies render as well-formed SSML."""
    name = CATALOGUE.routine(routine_id).name
    step = ENGINE.start(routine_id, Settings(), now=0)
    paused = ENGINE.pause(step.state, now=1).outcome
    assert isinstance(paused, Paused)
    replies = [COMPOSER.paused(paused)]
    step = ENGINE.skip(step.state, now=2)
    while isinstance(step.outcome, Play):
        progress = ENGINE.progress(step.state).outcome
        assert isinstance(progress, Progress)
        replies.append(COMPOSER.progress(progress))
        step = ENGINE.next(step.state, now=3)
    assert isinstance(step.outcome, Finished)
    replies.append(COMPOSER.finished(step.outcome, name))
    for reply in replies:
        ET.fromstring(reply.speech.ssml())
        if reply.reprompt is not None:
            ET.fromstring(reply.reprompt.ssml())


@pytest.mark.parametrize("stretch_id", sorted(CATALOGUE.stretches))
def test_every_state_from_dict_accepts_can_be_spoken(stretch_id: str) -> None:
    """Any one-stretch state that passes validation (hold 1..180, reps 1/7/20) renders every block within limits.

    Regression: at 863f120 from_dict accepted sciatic_nerve_glide with an 11 s tempo and counted_set
    then needed a 10625 ms break between counts (SpeechLimitError).
    """
    accepted = 0
    for hold in range(1, 181):
        for reps in (1, 7, 20):
            data = {"routine": "own", "items": [[stretch_id, hold, reps]], "position": 0, "status": "active"}
            try:
                state = RoutineState.from_dict(data, CATALOGUE)
            except InvalidState:
                continue
            accepted += 1
            for position in range(len(blocks(state.items, CATALOGUE))):
                play = ENGINE.repeat(state.with_(position=position), now=1).outcome
                assert isinstance(play, Play)
                _assert_reply_within_limits(COMPOSER.play(play, "your own routine"), play)
    assert accepted > 0


# -- phrase keys ----------------------------------------------------------------------------------------


def _skill_source() -> str:
    return "\n".join(path.read_text(encoding="utf-8") for path in sorted(SKILL_DIR.rglob("*.py")))


# Literal keys at call sites that take a phrase key: ``phrases.say("k"``, ``p.say("k"``,
# ``self.phrases.say("k"``, ``say("a" if ... else "b")``, ``simple("k", ...)``, ``reprompt_key="k"`` and
# the user-data notices ``_notice("k")`` (said by Conversation.respond). ``session.say("launch")`` in the
# CLI is a user utterance, not a phrase key, so the receiver is part of the pattern.
SAY_CALL = re.compile(r'(?<![\w.])(?:self\.phrases|conversation\.phrases|phrases|p)\.say\(\s*"([A-Za-z0-9_]+)"')
SAY_CONDITIONAL = re.compile(
    r'(?<![\w.])(?:self\.phrases|conversation\.phrases|phrases|p)\.say\(\s*"[A-Za-z0-9_]+"\s+if\s+[^()]*?\s+else\s+"([A-Za-z0-9_]+)"'
)
# Conversation.ask(handler_input, speech, <reprompt key expression>): the keys in its last argument.
ASK_CALL = re.compile(r'\.ask\(handler_input, (.*)\)$', re.M)
REPROMPT_KEY = re.compile(r'reprompt_key\s*=\s*"([A-Za-z0-9_]+)"')
NOTICE_CALL = re.compile(r'_notice\(\s*"([A-Za-z0-9_]+)"')

# Keys the code picks through a variable, so the call patterns above cannot see them. Each entry gives
# where it is used and a piece of source that must still exist in skill/ (so the list cannot go stale).
DYNAMIC_KEYS: dict[str, tuple[str, str]] = {
    "side_left": ("speech/compose.py SIDE_KEYS, indexed by the block's side", '"side_left"'),
    "side_right": ("speech/compose.py SIDE_KEYS, indexed by the block's side", '"side_right"'),
    "routine_intro": ("speech/compose.py routine_intro: key = ... if stretch_count > 1", '"routine_intro"'),
    "routine_intro_one": ("speech/compose.py routine_intro: ... else key", '"routine_intro_one"'),
    "finished_skipped_it": ("speech/compose.py finished: say(\"..._it\" if one skipped else ...)", '"finished_skipped_it"'),
    "finished_skipped_them": ("speech/compose.py finished: say(... else \"..._them\")", '"finished_skipped_them"'),
    "list_join": ("speech/phrases.py Phrases.join calls self.say", 'self.say("list_join"'),
    "lost_track": ("handlers/context.py respond: notices list", '"lost_track"'),
    "pain_stop": ("handlers/conversation.py NoHandler: key = ... if pending", '"pain_stop"'),
    "goodbye_saved": ("handlers/conversation.py StopHandler: key after saving", '"goodbye_saved"'),
    "continue_declined": ("lead key passed to handlers/routine.py offer_routines(*lead_keys)", '"continue_declined"'),
    "routine_unknown": ("lead key passed to handlers/routine.py offer_routines(*lead_keys)", '"routine_unknown"'),
    "no_routine": ("lead key passed to handlers/routine.py offer_routines(*lead_keys)", '"no_routine"'),
    "level_beginner": ("handlers/preferences.py: f-string key level_<resolved id>", '"level_{'),
    "level_standard": ("handlers/preferences.py: f-string key level_<resolved id>", '"level_{'),
    "stretch_missing": ("handlers/preferences.py: key = ... if slot.empty", '"stretch_missing"'),
    "stretch_unknown": ("handlers/preferences.py: ... else key", '"stretch_unknown"'),
    "deleted": ("handlers/preferences.py: key = ... if delete() succeeded", '"deleted"'),
    "delete_failed": ("handlers/preferences.py: ... else key", '"delete_failed"'),
    "already_in": ("handlers/preferences.py AddStretchHandler.refusal returns the key", 'return "already_in"'),
    "routine_full": ("handlers/preferences.py AddStretchHandler.refusal returns the key", '"routine_full"'),
    "not_in_routine": ("handlers/preferences.py RemoveStretchHandler.refusal returns the key", '"not_in_routine"'),
}

# Keys in en-US.json that no code path says. Empty: "resuming", "yes_no_nothing_asked" and "home" were
# found unused at 863f120 and removed from the locale file.
UNUSED_KEYS: set[str] = set()


def _direct_keys() -> set[str]:
    source = _skill_source()
    keys = set(SAY_CALL.findall(source)) | set(SAY_CONDITIONAL.findall(source))
    keys |= set(REPROMPT_KEY.findall(source)) | set(NOTICE_CALL.findall(source))
    for arguments in ASK_CALL.findall(source):
        keys |= set(re.findall(r'"([A-Za-z0-9_]+)"', arguments.rsplit(", ", 1)[-1]))
    return keys


def test_phrase_key_regex_finds_calls() -> None:
    """The key scanner sees a representative sample of calls (so an empty scan cannot pass silently)."""
    keys = _direct_keys()
    assert {"hold_start", "release", "ask_finish", "welcome", "pain", "count_number", "why_ask", "offer_continue_reprompt"} <= keys
    assert "launch" not in keys


def test_every_phrase_key_used_in_code_exists() -> None:
    """Every literal key the code says is defined in en-US.json."""
    missing = sorted(_direct_keys() - set(PHRASES.table))
    assert not missing, f"keys used in skill/ but missing from en-US.json: {missing}"


def test_dynamic_key_allow_list_is_real() -> None:
    """Every allow-listed dynamic key exists in en-US.json and its evidence still appears in skill/."""
    source = _skill_source()
    for key, (where, evidence) in DYNAMIC_KEYS.items():
        assert key in PHRASES.table, key
        assert evidence in source, f"{key} is allow-listed ({where}) but {evidence!r} is no longer in skill/"


@pytest.mark.parametrize(
    "key",
    [
        pytest.param(
            key,
            marks=pytest.mark.xfail(
                strict=True,
                reason=f"skill/speech/locales/en-US.json defines {key!r} but nothing in skill/ says it",
            ),
        )
        if key in UNUSED_KEYS
        else key
        for key in sorted(PHRASES.table)
    ],
)
def test_every_locale_key_is_used(key: str) -> None:
    """Each en-US.json key is said by the code, directly or through a listed dynamic path."""
    assert key in _direct_keys() or key in DYNAMIC_KEYS, f"{key!r} is never used"


def _fill(template: str) -> str:
    """Fill every ``{field}`` with a value that needs escaping, so escaping is exercised too."""
    fields = {name for _, name, _, _ in string.Formatter().parse(template) if name}
    return template.format(**{name: 'R&D <"x">' for name in fields})


@pytest.mark.parametrize("locale", available_locales())
def test_every_phrase_renders_as_xml(locale: str) -> None:
    """Each phrase of each locale (every variant, filled with awkward values) renders to SSML that parses and keeps its words."""
    phrases = phrases_for(locale)
    assert phrases.locale == locale
    for key, value in sorted(phrases.table.items()):
        for template in [value] if isinstance(value, str) else value:
            assert isinstance(template, str), key
            _assert_phrase_renders(template)


def _assert_phrase_renders(template: str) -> None:
    """The template filled with plain and with awkward values renders to SSML that parses back to it."""
    fields = {name for _, name, _, _ in string.Formatter().parse(template) if name}
    for text in (template.format(**{name: "x" for name in fields}), _fill(template)):
        ssml = Speech().say(text).ssml()
        assert ET.fromstring(ssml).text == text.strip()


def test_catalogue_text_renders_as_xml() -> None:
    """Every name, step, cue and explanation from the catalogue renders to well-formed SSML."""
    texts = [r.name for r in CATALOGUE.routines.values()]
    for s in CATALOGUE.stretches.values():
        texts += [s.name, s.position, s.cue, s.why, *s.steps]
    for text in texts:
        assert ET.fromstring(Speech().say(text).ssml()).text == text.strip()
