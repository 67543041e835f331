"""Speech tests: Alexa-safe SSML, countdown shape, lengths in words, and a routine's timeline.

Times are read with ``tests.support.stopwatch`` (a fixed 160 words a minute on paper), never
with the skill's own rate model; ``test_speech_timing_espeak`` checks the same speech by ear.
The limit proof renders every catalogue routine (and one of every stretch) with holds of 10-90 s
and 1-10 repetitions asked for (each stretch keeps to its own range), segment by segment and
response by response.
"""

from __future__ import annotations

import re
import string
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path
from typing import Any, Iterator

import pytest

from skill.catalogue import load_catalogue
from skill.catalogue.model import RoutineItem, SafetyMoment
from skill.engine import PlanItem, SegmentKind, Settings, build_plan
from skill.flows.playing import CLOSING_RESERVE_CHARS
from skill.speech import Composer, Speech, SpeechLimitError, phrases_for
from skill.speech.countdown import counted_set, hold_countdown
from skill.speech.phrases import available_locales, fill
from skill.speech.rate import speaking_seconds, ssml_seconds
from skill.speech.ssml import Pause, Text, Timed
from skill.speech.timeline import RESPONSE_BUDGET_CHARS, Timeline, speech_chars
from tests.support.stopwatch import Token, fixed_rate_timeline, gap_between

ROOT = Path(__file__).resolve().parents[1]
SKILL_DIR = ROOT / "skill"
CATALOGUE = load_catalogue()
PHRASES = phrases_for("en-US")
COMPOSER = Composer(PHRASES)

# Alexa's limits, as the platform documents them (not the skill's constants).
ALEXA_MAX_SSML_CHARS = 8000  # a response's SSML must be shorter than this
ALEXA_MAX_BREAK_MS = 10_000

EVERY_STRETCH = tuple(RoutineItem(stretch_id) for stretch_id in sorted(CATALOGUE.stretches))
ROUTINES: dict[str, tuple[RoutineItem, ...]] = {
    **{routine_id: tuple(routine.items) for routine_id, routine in sorted(CATALOGUE.routines.items())},
    "every_stretch": EVERY_STRETCH,
}
BREAK = re.compile(r'<break time="(\d+)ms"/>')
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def _timeline(items: tuple[RoutineItem, ...], settings: Settings = Settings(), familiar: frozenset[str] = frozenset()) -> Timeline:
    return Timeline(build_plan(items, CATALOGUE, settings), CATALOGUE, PHRASES, familiar)


def _assert_alexa_safe(ssml: str) -> None:
    """Well-formed ``<speak>``, under 8000 characters, breaks of 1..10000 whole ms, none first, none adjacent."""
    assert len(ssml) < ALEXA_MAX_SSML_CHARS, f"{len(ssml)} characters"
    assert ET.fromstring(ssml).tag == "speak"
    breaks = [int(ms) for ms in BREAK.findall(ssml)]
    assert ssml.count("<break") == len(breaks), "a break not written as whole milliseconds"
    assert all(0 < ms <= ALEXA_MAX_BREAK_MS for ms in breaks), max(breaks)
    assert not ssml.startswith("<speak><break"), "the speech starts with a break"
    adjacent = re.search(r'<break[^>]*/>\s*<break', ssml)
    assert adjacent is None, f"two breaks side by side: {adjacent.group(0) if adjacent else ''}"


def _words(speech: Speech) -> str:
    return " ".join(p.text for p in speech.flat() if isinstance(p, Text))


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
    assert '<break time="10000ms"/>' in Speech([Text("a"), Pause(ALEXA_MAX_BREAK_MS), Text("b")]).ssml()


@pytest.mark.parametrize("ms", [ALEXA_MAX_BREAK_MS + 1, 30_000, 0, -5])
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
    """SSML of 7999 characters renders; 8000 raises SpeechLimitError, escapes counted."""
    wrapper = len("<speak></speak>")
    assert len(Speech([Text("a" * (ALEXA_MAX_SSML_CHARS - 1 - wrapper))]).ssml()) == ALEXA_MAX_SSML_CHARS - 1
    with pytest.raises(SpeechLimitError):
        Speech([Text("a" * (ALEXA_MAX_SSML_CHARS - wrapper))]).ssml()
    with pytest.raises(SpeechLimitError):  # 2000 "&" become 10000 characters
        Speech([Text("&" * 2000)]).ssml()


# -- the rate model -------------------------------------------------------------------------------


def test_speaking_time_grows_with_every_letter() -> None:
    """One more letter, one more word or one more sentence never takes less time to say."""
    words = [speaking_seconds("Stretch " + "a" * n + ".") for n in range(1, 30)]
    assert all(b > a for a, b in zip(words, words[1:]))
    sentence = "Lie on your back with both knees bent and your feet flat on the floor."
    longer = [speaking_seconds(" ".join(sentence.split()[:n]) + ".") for n in range(1, len(sentence.split()) + 1)]
    assert all(b > a for a, b in zip(longer, longer[1:]))
    assert speaking_seconds("Rest. Breathe.") > speaking_seconds("Rest.")
    assert speaking_seconds("") == 0.0 and speaking_seconds("   ") == 0.0


def test_numbers_take_the_time_of_their_words() -> None:
    """Digits are timed as spoken: "90" (ninety) is longer than "9", "1000" longer than "100"."""
    assert speaking_seconds("Hold for 90 seconds.") > speaking_seconds("Hold for 9 seconds.")
    assert speaking_seconds("1000.") > speaking_seconds("100.") > speaking_seconds("10.")
    assert speaking_seconds("77.") > speaking_seconds("7.")


def test_ssml_seconds_counts_each_break_in_full() -> None:
    """A longer break adds exactly its extra length; ten-second breaks are counted as ten seconds."""

    def ssml(ms: int) -> str:
        return f'<speak>One.<break time="{ms}ms"/>Two.</speak>'

    assert ssml_seconds(ssml(3500)) - ssml_seconds(ssml(1000)) == pytest.approx(2.5, abs=1e-9)
    three = '<speak>a<break time="10000ms"/>b<break time="10000ms"/>c<break time="10000ms"/>d</speak>'
    assert 30.0 < ssml_seconds(three) <= 30.0 + sum(speaking_seconds(word) for word in "abcd") + 0.001
    assert ssml_seconds("<speak>Release.</speak>") == pytest.approx(speaking_seconds("Release."))


# -- countdowns -------------------------------------------------------------------------------------

SECONDS_LEFT = re.compile(r"^(\d+) seconds left\.$")
COUNT = re.compile(r"^(\d+)\.$")


def _spoken_numbers(timed: Timed) -> list[int]:
    """The seconds-left numbers a hold says between its opening and "Release.", in order.

    Breathing and coaching cues carry no number; anything else with a digit fails the test.
    """
    numbers = []
    for part in timed.parts[1:-1]:
        if isinstance(part, Pause):
            continue
        match = SECONDS_LEFT.match(part.text) or COUNT.match(part.text)
        if match:
            numbers.append(int(match.group(1)))
        else:
            assert not any(c.isdigit() for c in part.text), part.text
    return numbers


@pytest.mark.parametrize("seconds", range(1, 181))
def test_hold_countdown_shape(seconds: int) -> None:
    """Every hold 1..180 s opens with "Hold for N seconds.", ends with "Release.", counts down, and renders safely."""
    timed = hold_countdown(seconds, PHRASES)
    texts = [p.text for p in timed.parts if isinstance(p, Text)]
    assert texts[0] == f"Hold for {seconds} seconds."
    assert texts[-1] == "Release." and texts.count("Release.") == 1
    numbers = _spoken_numbers(timed)
    assert numbers == sorted(set(numbers), reverse=True), "the count goes down, each number once"
    for number in numbers:
        assert 0 < number < seconds
        assert number <= 5 or number % 10 == 0, f"a cue at {number} s left"
    if seconds >= 8:
        assert numbers[-5:] == [5, 4, 3, 2, 1]
    if seconds >= 15:
        assert 10 in numbers
    assert timed.label.startswith(f"hold {seconds} s")
    _assert_alexa_safe(Speech([timed]).ssml())


def test_hold_labels() -> None:
    """The chat label shows what is said: tallies, then the final count."""
    assert hold_countdown(20, PHRASES).label == "hold 20 s: 10… 5, 4, 3, 2, 1"
    assert hold_countdown(45, PHRASES).label == "hold 45 s: 40… 30… 20… 10… 5, 4, 3, 2, 1"
    assert hold_countdown(5, PHRASES).label.startswith("hold 5 s: ")
    assert hold_countdown(5, PHRASES).label.endswith("2, 1")


def test_long_holds_say_seconds_left_and_breathe() -> None:
    """A 30 s hold says "20 seconds left" then "10 seconds left"; a 90 s hold has breathing cues between tallies."""
    ssml = Speech([hold_countdown(30, PHRASES)]).ssml()
    assert ssml.index("20 seconds left") < ssml.index("10 seconds left") < ssml.index("Release.")
    long_hold = hold_countdown(90, PHRASES)
    spoken = [p.text for p in long_hold.parts if isinstance(p, Text)]
    breathing = [t for t in spoken if not any(c.isdigit() for c in t) and t != "Release."]
    assert len(breathing) >= 3
    assert "60 seconds left." in spoken and "30 seconds left." in spoken


def test_short_hold_is_still_a_countdown() -> None:
    """A 5 s hold says its opening, at least one number and "Release.", with breaks between them."""
    timed = hold_countdown(5, PHRASES)
    assert _spoken_numbers(timed), "no count at all"
    assert any(isinstance(p, Pause) for p in timed.parts)
    _assert_alexa_safe(Speech([timed]).ssml())


def test_coaching_is_said_early_when_there_is_room() -> None:
    """The stretch's cue comes right after the opening of a 20 s hold; a 5 s hold leaves a long cue out."""
    cue = "Breathe normally and let your lower back relax."
    spoken = [p.text for p in hold_countdown(20, PHRASES, coaching=cue).parts if isinstance(p, Text)]
    assert spoken[:2] == ["Hold for 20 seconds.", cue]
    short = hold_countdown(5, PHRASES, coaching=cue)
    assert cue not in [p.text for p in short.parts if isinstance(p, Text)]
    _assert_alexa_safe(Speech([short]).ssml())


def test_hold_ends_on_the_paper_stopwatch() -> None:
    """At a fixed 160 words a minute a hold lasts within 15 % of its length (espeak-ng checks it to 10 %)."""
    for seconds in (5, 10, 20, 30, 45, 60, 90):
        ssml = Speech([hold_countdown(seconds, PHRASES)]).ssml()
        words = [t for t in fixed_rate_timeline(ssml) if t.kind == "word"]
        measured = words[-1].end - words[0].start
        assert abs(measured - seconds) <= 0.15 * seconds, (seconds, measured)


@pytest.mark.parametrize("tempo", range(1, 11))
@pytest.mark.parametrize("count", [1, 5, 10, 15, 20])
def test_counted_set_counts_every_movement(count: int, tempo: int) -> None:
    """A counted set says its opening, 1..count in order, then the rest word, and renders safely."""
    timed = counted_set(count, tempo, PHRASES)
    texts = [p.text for p in timed.parts if isinstance(p, Text)]
    assert texts[0] == PHRASES.say("count_start", count=count)
    assert texts[1:-1] == [f"{n}." for n in range(1, count + 1)]
    assert texts[-1] == PHRASES.say("count_done")
    _assert_alexa_safe(Speech([timed]).ssml())


COUNTED = sorted(s.id for s in CATALOGUE.stretches.values() if s.kind == "count")


def test_counted_set_says_the_movement_with_each_count() -> None:
    """Ankle pumps: "1, toes up." then "2, toes down.", in turn, up to the last count, then the rest word."""
    pumps = CATALOGUE.stretch("ankle_pumps")
    assert pumps.count_cues == ("toes up", "toes down")
    timed = counted_set(pumps.reps.default, pumps.hold.default, PHRASES, pumps.count_cues)
    texts = [p.text for p in timed.parts if isinstance(p, Text)]
    assert texts[1:4] == ["1, toes up.", "2, toes down.", "3, toes up."]
    assert len(texts) == pumps.reps.default + 2
    assert texts[pumps.reps.default] == f"{pumps.reps.default}, toes down."
    assert texts[-1] == PHRASES.say("count_done")


@pytest.mark.parametrize("stretch_id", COUNTED)
def test_every_counted_stretch_names_each_movement(stretch_id: str) -> None:
    """At every tempo and the fewest and most counts its range allows: each count has its number and its cue, in turn."""
    stretch = CATALOGUE.stretch(stretch_id)
    assert 1 <= len(stretch.count_cues) <= 2
    for tempo in range(stretch.hold.min, stretch.hold.max + 1):
        for count in (stretch.reps.min, stretch.reps.max):
            timed = counted_set(count, tempo, PHRASES, stretch.count_cues)
            texts = [p.text for p in timed.parts if isinstance(p, Text)]
            assert texts[0] == PHRASES.say("count_start", count=count)
            assert texts[-1] == PHRASES.say("count_done")
            said = texts[1:-1]
            assert len(said) == count, (tempo, count, said)
            for number, text in enumerate(said, start=1):
                cue = stretch.count_cues[(number - 1) % len(stretch.count_cues)]
                assert text.startswith(f"{number},") and cue in text, (number, text)
            _assert_alexa_safe(Speech([timed]).ssml())


@pytest.mark.parametrize("stretch_id", COUNTED)
def test_counted_set_with_cues_keeps_one_count_per_tempo_on_paper(stretch_id: str) -> None:
    """At a fixed 160 words a minute, each count (number and cue) starts one tempo after the one before, within 15 %,
    and from "1," to the rest word is count x tempo within 10 %, at every tempo and count the stretch allows."""
    stretch = CATALOGUE.stretch(stretch_id)
    rest_words = len(PHRASES.say("count_done").split())
    for tempo in range(stretch.hold.min, stretch.hold.max + 1):
        for count in (stretch.reps.min, stretch.reps.max):
            ssml = Speech([counted_set(count, tempo, PHRASES, stretch.count_cues)]).ssml()
            words = [t for t in fixed_rate_timeline(ssml) if t.kind == "word"]
            numbers = [t for t in words if re.fullmatch(r"\d+,", t.text)]
            assert [t.text for t in numbers] == [f"{n}," for n in range(1, count + 1)]
            starts = [t.start for t in numbers] + [words[-rest_words].start]
            for earlier, later in zip(starts, starts[1:]):
                assert later - earlier == pytest.approx(tempo, rel=0.15), (tempo, count, starts)
            assert starts[-1] - starts[0] == pytest.approx(count * tempo, rel=0.10), (tempo, count)


def test_counted_set_keeps_its_tempo_on_paper() -> None:
    """From "1." to the rest word is count x tempo at a fixed rate, within a second."""
    for count, tempo in ((10, 2), (10, 3), (6, 4), (5, 10)):
        ssml = Speech([counted_set(count, tempo, PHRASES)]).ssml()
        words = [t for t in fixed_rate_timeline(ssml) if t.kind == "word"]
        one = next(t for t in words if t.text == "1.")
        rest_word = len(PHRASES.say("count_done").split())
        assert words[-rest_word].start - one.start == pytest.approx(count * tempo, abs=1.0), (count, tempo)


# -- lengths in words ---------------------------------------------------------------------------------

LENGTH = re.compile(
    r"^about (?:(?P<a_minute>a minute)|(?P<minutes>\d+)(?P<half> and a half)? minutes?)?"
    r"(?: and )?(?:(?P<seconds>\d+) seconds)?$"
)


def _parse_length(phrase: str) -> float:
    """Seconds meant by "about 5 and a half minutes", "about a minute and 20 seconds", "about 40 seconds"."""
    match = LENGTH.match(phrase)
    assert match is not None and phrase != "about ", phrase
    seconds = 60.0 if match["a_minute"] else 0.0
    if match["minutes"]:
        seconds += 60.0 * int(match["minutes"]) + (30.0 if match["half"] else 0.0)
    if match["seconds"]:
        seconds += int(match["seconds"])
    return seconds


@pytest.mark.parametrize(
    "seconds, words",
    [
        (40, "about 40 seconds"),
        (62, "about a minute"),
        (75, "about a minute and 20 seconds"),
        (132, "about 2 minutes and 10 seconds"),
        (330, "about 5 and a half minutes"),
        (600, "about 10 minutes"),
        (1500, "about 25 minutes"),
    ],
)
def test_length_wording(seconds: float, words: str) -> None:
    """Durations are said the way people say them."""
    assert COMPOSER.length(seconds) == words
    assert _parse_length(words) == pytest.approx(seconds, rel=0.1)


def test_spoken_length_is_within_a_tenth() -> None:
    """From one minute to an hour, "about ..." is within 10 % of the length it stands for."""
    worst = 0.0
    for seconds in range(60, 3601):
        said = _parse_length(COMPOSER.length(seconds))
        worst = max(worst, abs(said - seconds) / seconds)
    assert worst <= 0.10, f"worst error {worst:.1%}"


# -- a routine's timeline -------------------------------------------------------------------------


def _longest_lead(routine_id: str, timeline: Timeline) -> Speech:
    """The longest words a response can open with: lost track, every safety sentence said before the first hold,
    intro, the longer warm-up note and the steering hint."""
    name = CATALOGUE.routines[routine_id].name if routine_id in CATALOGUE.routines else PHRASES.say("own_routine_name")
    safety = [PHRASES.say("disclaimer")] + [rule.text for rule in CATALOGUE.safety_for(SafetyMoment.EVERY_SESSION)]
    warm_up_notes = [[PHRASES.say("warming_up_first")], [rule.text for rule in CATALOGUE.safety_for(SafetyMoment.WARM_UP_SKIPPED)]]
    notes = max(warm_up_notes, key=lambda texts: len(" ".join(texts)))
    opening = COMPOSER.opening(name, len(timeline.items), timeline.seconds(), safety, notes, hint=True)
    return Speech().say(PHRASES.say("lost_track")).add(*opening.parts)


def _closing(timeline: Timeline, end: int) -> Speech:
    """What follows the timeline's words: the next question, or the summary with skips."""
    if end >= len(timeline):
        items = len(timeline.items)
        return COMPOSER.summary(PHRASES.say("own_routine_name"), items, items, timeline.seconds())
    upcoming = timeline.segments[end]
    question = COMPOSER.next_question(
        upcoming.item_index + 1,
        len(timeline.items),
        timeline.stretch(upcoming.item_index),
        same_stretch=upcoming.item_index == timeline.segments[end - 1].item_index,
    )
    return question.speech


def _chunks(timeline: Timeline, lead: Speech) -> Iterator[tuple[int, int]]:
    """The responses that play ``timeline`` from its start, each opening with ``lead``."""
    budget = RESPONSE_BUDGET_CHARS - CLOSING_RESERVE_CHARS - speech_chars(lead)
    position = 0
    while position < len(timeline):
        end = timeline.chunk_end(position, budget)
        assert position < end <= len(timeline)
        yield position, end
        position = end


def _assert_routine_within_limits(routine_id: str, settings: Settings) -> None:
    timeline = _timeline(ROUTINES[routine_id], settings)
    for rendered in timeline.rendered:
        # A segment may begin with a break (getting into position): it always follows words.
        _assert_alexa_safe(Speech([Text("Go."), *rendered.speech.parts]).ssml())
    # The whole routine in one piece: no break first and no two breaks touching across any boundary.
    flat = [p for p in timeline.speech(0, len(timeline)).flat() if isinstance(p, Pause) or p.text.strip()]
    assert isinstance(flat[0], Text)
    assert not any(isinstance(a, Pause) and isinstance(b, Pause) for a, b in zip(flat, flat[1:]))
    assert all(0 < p.ms <= ALEXA_MAX_BREAK_MS for p in flat if isinstance(p, Pause))
    lead = _longest_lead(routine_id, timeline)
    covered = 0
    for start, end in _chunks(timeline, lead):
        assert start == covered
        _assert_alexa_safe(timeline.speech(start, end).ssml())
        _assert_alexa_safe(Speech(lead.parts + timeline.speech(start, end).parts + _closing(timeline, end).parts).ssml())
        covered = end
    assert covered == len(timeline)


HOLDS = range(10, 91, 5)


def _reps_for(hold: int) -> tuple[int, ...]:
    """1 and 10 repetitions at every hold, and one count between them that changes with the hold (2..9)."""
    return (1, 2 + (hold // 5) % 8, 10)


@pytest.mark.parametrize("routine_id", sorted(ROUTINES))
def test_every_response_fits_the_platform_limits(routine_id: str) -> None:
    """Every segment and every response, at holds 10..90 s x reps 1..10, is valid SSML within Alexa's limits.

    Each response carries the longest opening and closing words too; breaks never touch, even across
    segment boundaries. Every hold is tried with 1 and 10 repetitions and one count in between.
    """
    assert {r for hold in HOLDS for r in _reps_for(hold)} == set(range(1, 11))
    for hold in HOLDS:
        for reps in _reps_for(hold):
            _assert_routine_within_limits(routine_id, Settings(hold_seconds=hold, reps=reps))


@pytest.mark.parametrize("routine_id", sorted(ROUTINES))
def test_defaults_fit_the_platform_limits(routine_id: str) -> None:
    """The routine's own holds and repetitions fit as well."""
    _assert_routine_within_limits(routine_id, Settings())


@pytest.mark.parametrize("settings", [Settings(), Settings(hold_seconds=90, reps=5)], ids=["defaults", "hold90-reps5"])
@pytest.mark.parametrize("routine_id", sorted(CATALOGUE.routines))
def test_responses_end_only_between_stretches(routine_id: str, settings: Settings) -> None:
    """No response stops between the sides or repetitions of a stretch: each ends where a stretch ends."""
    timeline = _timeline(ROUTINES[routine_id], settings)
    ends = [end for _, end in _chunks(timeline, _longest_lead(routine_id, timeline))]
    for end in ends[:-1]:
        assert timeline.segments[end].kind is SegmentKind.STRETCH, (end, timeline.segments[end - 1], timeline.segments[end])
    assert ends[-1] == len(timeline)


def _ssml_chars(speech: Speech) -> int:
    """Characters of ``speech`` inside ``<speak>``."""
    return len(speech.ssml()) - len("<speak></speak>")


def _cuts(timeline: Timeline, budget: int) -> list[tuple[int, int]]:
    """The responses that play ``timeline`` from its start within ``budget`` characters each."""
    cuts, position = [], 0
    while position < len(timeline):
        end = timeline.chunk_end(position, budget)
        assert position < end <= len(timeline)
        cuts.append((position, end))
        position = end
    return cuts


def _biggest_sided_stretch() -> Timeline:
    """The two-sided held stretch with the most words at the top of its ranges, alone."""
    sided = [s for s in CATALOGUE.stretches.values() if s.kind == "hold" and s.side_count == 2 and s.reps.max > 1]
    timelines = [Timeline((PlanItem(s.id, s.hold.max, s.reps.max),), CATALOGUE, PHRASES) for s in sided]
    return max(timelines, key=lambda t: _ssml_chars(t.speech(0, len(t))))


def test_a_stretch_too_big_for_one_response_is_cut_at_a_side() -> None:
    """A two-sided stretch that does not fit a response goes as far as where its second side starts, then the rest.

    Within their ranges no single stretch outgrows a real response any more, so the response is made smaller.
    """
    timeline = _biggest_sided_stretch()
    whole = _ssml_chars(timeline.speech(0, len(timeline)))
    (switch,) = [i for i, s in enumerate(timeline.segments) if s.kind is SegmentKind.SIDE]
    assert _ssml_chars(timeline.speech(0, switch)) < whole - 1
    cuts = _cuts(timeline, whole - 1)
    assert cuts == [(0, switch), (switch, len(timeline))]
    for start, end in cuts:
        assert _ssml_chars(timeline.speech(start, end)) <= whole - 1


def test_a_side_too_big_for_one_response_is_cut_at_a_repetition() -> None:
    """With less room than one side, responses end where a rest between repetitions (or the other side) starts."""
    timeline = _biggest_sided_stretch()
    (switch,) = [i for i, s in enumerate(timeline.segments) if s.kind is SegmentKind.SIDE]
    budget = _ssml_chars(timeline.speech(0, switch)) // 2
    cuts = _cuts(timeline, budget)
    assert len(cuts) >= 4
    assert timeline.segments[cuts[0][1]].kind is SegmentKind.REST
    for start, end in cuts:
        assert _ssml_chars(timeline.speech(start, end)) <= budget
        if end < len(timeline):
            assert timeline.segments[end].kind in (SegmentKind.REST, SegmentKind.SIDE), timeline.segments[end]
    assert switch in {end for _, end in cuts}, "the second side starts a response"


def test_a_routine_fits_whole_stretches_when_the_budget_allows() -> None:
    """With room for two stretches but not three, a response carries exactly the first two."""
    items = (PlanItem("double_knee_to_chest", 20, 1), PlanItem("childs_pose", 30, 1), PlanItem("double_knee_to_chest", 20, 1))
    timeline = Timeline(items, CATALOGUE, PHRASES)
    second_end = max(i for i, s in enumerate(timeline.segments) if s.item_index == 1) + 1
    room = (_ssml_chars(timeline.speech(0, second_end)) + _ssml_chars(timeline.speech(0, len(timeline)))) // 2
    assert [end for _, end in _cuts(timeline, room)] == [second_end, len(timeline)]


# -- silences the body needs (measured at a fixed rate) ---------------------------------------------


def _plan_ssml(*items: PlanItem) -> str:
    timeline = Timeline(items, CATALOGUE, PHRASES)
    return timeline.speech(0, len(timeline)).ssml()


def test_rest_between_repetitions() -> None:
    """From the end of "Release." to the next repetition's first word is at least 4.5 s, for each rest."""
    ssml = _plan_ssml(PlanItem("double_knee_to_chest", 20, 3))
    assert gap_between(ssml, "Release.", "Repetition 2 of 3.") >= 4.5
    words = [t for t in fixed_rate_timeline(ssml) if t.kind == "word"]
    releases = [t for t in words if t.text == "Release."]
    reps = [t for t in words if t.text == "Repetition"]
    assert len(releases) == 3 and len(reps) == 2
    for release, rep in zip(releases, reps):
        assert rep.start - release.end >= 4.5, f"rest of {rep.start - release.end:.2f} s"


def test_switching_sides_gives_time() -> None:
    """Between the sides: at least 4 s from "Release." to the next "Hold for", and 4 s of silence after the side is named."""
    ssml = _plan_ssml(PlanItem("single_knee_to_chest", 20, 1))
    assert gap_between(ssml, "Release.", "Hold for") >= 4.0
    assert gap_between(ssml, "right side.", "Hold for") >= 4.0


def _silence_between(ssml: str, before: str, after: str) -> float:
    """Seconds of breaks between the end of ``before``'s words and the start of the next ``after``."""
    tokens = fixed_rate_timeline(ssml)
    words = [t for t in tokens if t.kind == "word"]

    def find(text: str, since: float) -> tuple[Token, Token]:
        wanted = text.split()
        for i in range(len(words) - len(wanted) + 1):
            if words[i].start >= since and [w.text for w in words[i : i + len(wanted)]] == wanted:
                return words[i], words[i + len(wanted) - 1]
        raise AssertionError(f"{text!r} not found")

    _, end = find(before, 0.0)
    start, _ = find(after, end.end)
    return sum(t.end - t.start for t in tokens if t.kind == "break" and end.end <= t.start and t.end <= start.start)


def _settle_silence(first: str, second: str) -> float:
    """Silence between the end of ``second``'s steps and its first hold, when it follows ``first``."""
    ssml = _plan_ssml(PlanItem(first, 20, 1), PlanItem(second, 20, 1))
    last_step = CATALOGUE.stretch(second).steps[-1]
    return _silence_between(ssml, last_step, "Hold for")


def test_floor_to_standing_gives_ten_seconds() -> None:
    """Up from the floor to a step (and down again): at least 10 s of silence between the steps and the hold."""
    assert CATALOGUE.stretch("lying_hamstring_stretch").posture.value == "on_back"
    assert CATALOGUE.stretch("step_hamstring_stretch").posture.value == "standing"
    timeline = _timeline(ROUTINES["hamstrings"])
    ssml = timeline.speech(0, len(timeline)).ssml()
    assert _silence_between(ssml, CATALOGUE.stretch("step_hamstring_stretch").steps[-1], "Hold for") >= 10.0
    assert _settle_silence("standing_forward_bend", "childs_pose") >= 10.0


def test_bigger_moves_get_more_time() -> None:
    """Staying put < rolling over or kneeling up < getting up from the floor; staying put still gets 3 s."""
    same = _settle_silence("single_knee_to_chest", "double_knee_to_chest")
    floor_change = _settle_silence("single_knee_to_chest", "childs_pose")
    standing = _settle_silence("single_knee_to_chest", "standing_forward_bend")
    assert 3.0 <= same < floor_change < standing, (same, floor_change, standing)


# -- what a response says ---------------------------------------------------------------------------


def _sentences(text: str) -> list[str]:
    return [s for s in SENTENCE_END.split(text.strip()) if s]


def _response_sentences(timeline: Timeline, start: int, end: int, lead: Speech, closing: Speech) -> list[tuple[str, str]]:
    """(sentence, owner) of each sentence said outside timed parts, where owner names what says it.

    Per-repetition words (the rest between repetitions, "Repetition 2 of 3.") are left out: like
    a countdown's numbers, they come back by design. Position sentences are owned by their stretch.
    """
    said: list[tuple[str, str]] = []
    for speech, owner in ((lead, "opening"), (closing, "closing")):
        said += [(s, owner) for p in speech.parts if isinstance(p, Text) for s in _sentences(p.text)]
    for rendered in timeline.rendered[start:end]:
        segment = rendered.segment
        if segment.kind in (SegmentKind.REST, SegmentKind.HOLD, SegmentKind.COUNT):
            continue  # per-repetition words; holds and counted sets are timed parts
        owner = f"stretch {segment.item_index}"
        said += [(s, owner) for p in rendered.speech.parts if isinstance(p, Text) for s in _sentences(p.text)]
    return said


def _position_sentences(timeline: Timeline) -> set[str]:
    return {PHRASES.say("same_position")} | {timeline.stretch(i).position for i in range(len(timeline.items))}


@pytest.mark.parametrize("routine_id", sorted(CATALOGUE.routines))
def test_no_sentence_said_twice_in_a_response(routine_id: str) -> None:
    """In each response at default settings, no sentence of 4+ words is said twice.

    The one exception: a later stretch may say where to lie or sit again ("Stay in the same
    position.", or its position after a different one), since each stretch starts from a position.
    """
    timeline = _timeline(ROUTINES[routine_id])
    lead = _longest_lead(routine_id, timeline)
    for start, end in _chunks(timeline, lead):
        said = _response_sentences(timeline, start, end, lead, _closing(timeline, end))
        counts = Counter(sentence for sentence, _ in said if len(sentence.split()) >= 4)
        twice = {s: n for s, n in counts.items() if n > 1}
        positions = _position_sentences(timeline)
        for sentence in twice:
            owners = [owner for s, owner in said if s == sentence]
            assert sentence in positions and len(set(owners)) == len(owners), f"said {twice[sentence]} times: {sentence!r}"
        all_words = _words(Speech(lead.parts + timeline.speech(start, end).parts))
        for sentence in _sentences(_words(lead)):
            assert all_words.count(sentence) == 1, f"said more than once: {sentence!r}"


def test_sentence_check_sees_a_repeat() -> None:
    """The check above would catch a step said twice: the same stretch twice in one response repeats its steps."""
    timeline = Timeline((PlanItem("childs_pose", 20, 1), PlanItem("childs_pose", 20, 1)), CATALOGUE, PHRASES)
    said = _response_sentences(timeline, 0, len(timeline), Speech(), Speech())
    counts = Counter(s for s, _ in said if len(s.split()) >= 4)
    assert any(n > 1 and s not in _position_sentences(timeline) for s, n in counts.items())


def _introduction(timeline: Timeline, item_index: int) -> str:
    rendered = next(r for r in timeline.rendered if r.segment.item_index == item_index and r.segment.kind is SegmentKind.STRETCH)
    return _words(rendered.speech)


def _has_sides(items: tuple[RoutineItem, ...]) -> bool:
    return any(CATALOGUE.stretch(item.stretch_id).sides == "left_right" for item in items)


@pytest.mark.parametrize("routine_id", sorted(r for r, items in ROUTINES.items() if _has_sides(items)))
def test_side_is_named_before_the_steps(routine_id: str) -> None:
    """A two-sided stretch names the side it starts on before its position and steps, and its steps name that side."""
    timeline = _timeline(ROUTINES[routine_id])
    sided = [i for i in range(len(timeline.items)) if timeline.stretch(i).sides == "left_right"]
    assert sided
    for index in sided:
        stretch = timeline.stretch(index)
        first_side = next(s.side_index for s in timeline.segments if s.item_index == index)
        side = PHRASES.say(("side_left", "side_right")[first_side])
        words = _introduction(timeline, index)
        first_step = words.index(stretch.steps[0].split("{one}")[0])
        assert re.search(rf"\b{side}\b", words[:first_step]), f"{stretch.id}: side not named before the steps: {words!r}"
        assert stretch.name in words[:first_step]
        if "{one}" in " ".join(stretch.steps):
            assert re.search(rf"\byour {side}\b", words[first_step:]), f"{stretch.id}: the steps do not name the side"


def test_familiar_stretch_is_introduced_briefly() -> None:
    """A stretch the user knows is introduced by name (and side) without its steps, and without its
    position when the stretch before leaves the user in it."""
    items = (RoutineItem("pelvic_tilt"), RoutineItem("single_knee_to_chest"), RoutineItem("childs_pose"))
    full = _timeline(items)
    short = _timeline(items, familiar=frozenset({"single_knee_to_chest"}))
    stretch = CATALOGUE.stretch("single_knee_to_chest")
    brief = _introduction(short, 1)
    assert stretch.name in brief and PHRASES.say("side_left") in brief
    assert not any(step in brief for step in stretch.steps)
    assert stretch.position not in brief
    assert short.seconds() < full.seconds()
    assert _introduction(short, 2) == _introduction(full, 2)


def test_a_familiar_stretch_still_says_a_change_of_position() -> None:
    """Known by heart, a stretch after one done in another position (or first) still says where to be."""
    items = (RoutineItem("prone_press_up"), RoutineItem("single_knee_to_chest"))
    both = frozenset({"prone_press_up", "single_knee_to_chest"})
    short = _timeline(items, familiar=both)
    assert "face down" in _introduction(short, 0)
    after_face_down = _introduction(short, 1)
    assert "on your back" in after_face_down and not any(step in after_face_down for step in CATALOGUE.stretch("single_knee_to_chest").steps)


def _texts(speech: Speech) -> list[str]:
    return [p.text for p in speech.flat() if isinstance(p, Text)]


def test_caution_is_said_after_the_steps() -> None:
    """The prone press-up's warning about pain spreading down the leg comes right after its last step, before the hold."""
    press = CATALOGUE.stretch("prone_press_up")
    assert press.caution is not None and "down your leg" in press.caution
    timeline = Timeline((PlanItem(press.id, press.hold.default, press.reps.default),), CATALOGUE, PHRASES)
    intro = _texts(timeline.rendered[0].speech)
    assert intro[-2:] == [press.steps[-1], press.caution]
    words = _words(timeline.speech(0, len(timeline)))
    assert words.index(press.caution) < words.index(PHRASES.say("hold_start", seconds=press.hold.default))
    assert words.count(press.caution) == 1


@pytest.mark.parametrize("stretch_id", sorted(CATALOGUE.stretches))
def test_every_stretch_says_its_caution_last_in_its_introduction(stretch_id: str) -> None:
    """A stretch with a caution ends its introduction with it, after the steps (briefly introduced too); one without
    a caution ends with its last step."""
    stretch = CATALOGUE.stretch(stretch_id)
    item = PlanItem(stretch_id, stretch.hold.default, stretch.reps.default)
    full = _texts(Timeline((item,), CATALOGUE, PHRASES).rendered[0].speech)
    brief = _texts(Timeline((item,), CATALOGUE, PHRASES, frozenset({stretch_id})).rendered[0].speech)
    if stretch.caution:
        assert full[-2:] == [stretch.steps[-1], stretch.caution]
        assert brief[-1] == stretch.caution and stretch.steps[-1] not in brief
    else:
        assert full[-1] == stretch.steps[-1]
        assert all(text not in brief for text in stretch.steps)


def test_a_caution_shared_by_stretches_in_a_row_is_said_once() -> None:
    """Two neck stretches in a row with the same caution say it once; with another stretch between them, each says it."""
    chin, ear = CATALOGUE.stretch("chin_to_chest"), CATALOGUE.stretch("ear_to_shoulder")
    assert chin.caution is not None and chin.caution == ear.caution
    in_a_row = Timeline((PlanItem(chin.id, 20, 5), PlanItem(ear.id, 20, 5)), CATALOGUE, PHRASES)
    assert _words(in_a_row.speech(0, len(in_a_row))).count(chin.caution) == 1
    apart = Timeline((PlanItem(chin.id, 20, 5), PlanItem("double_knee_to_chest", 20, 1), PlanItem(ear.id, 20, 5)), CATALOGUE, PHRASES)
    assert _words(apart.speech(0, len(apart))).count(chin.caution) == 2


@pytest.mark.parametrize("side", [0, 1])
def test_one_side_item_names_only_that_side(side: int) -> None:
    """The nerve glide on one leg: its introduction names that side, the other side is never mentioned, no side switch."""
    glide = CATALOGUE.stretch("sciatic_nerve_glide")
    named, other = PHRASES.say(("side_left", "side_right")[side]), PHRASES.say(("side_left", "side_right")[1 - side])
    items = (PlanItem("prone_press_up", 10, 3), PlanItem(glide.id, glide.hold.default, glide.reps.default, side))
    timeline = Timeline(items, CATALOGUE, PHRASES)
    glide_segments = [r for r in timeline.rendered if r.segment.item_index == 1]
    intro = _words(glide_segments[0].speech)
    heading = intro[: intro.index(glide.position)]
    assert glide.name in heading and re.search(rf"\b{named} side\b", heading), heading
    assert not re.search(rf"\b{other}\b", _words(timeline.speech(0, len(timeline))))
    assert [r.segment.kind for r in glide_segments] == [SegmentKind.STRETCH, SegmentKind.SETTLE, SegmentKind.COUNT]
    counts = [p for r in glide_segments for p in _texts(r.speech) if re.match(r"^\d+,", p)]
    assert len(counts) == glide.reps.default
    both = Timeline(items[:1] + (PlanItem(glide.id, glide.hold.default, glide.reps.default),), CATALOGUE, PHRASES)
    assert timeline.seconds() < both.seconds()


# -- phrase keys ----------------------------------------------------------------------------------------


def _skill_source() -> str:
    return "\n".join(path.read_text(encoding="utf-8") for path in sorted(SKILL_DIR.rglob("*.py")))


SAY_CALL = re.compile(r'\.say\(\s*"([A-Za-z0-9_]+)"')
QUOTED = re.compile(r'"([a-z][a-z0-9_]*)"')
# Keys built from pieces, with a piece of source that must still exist in skill/ (so the list cannot go stale).
COMPOSED_KEYS: dict[str, str] = {
    "length_minute_seconds": 'key + "_seconds"',
    "length_minutes_seconds": 'key + "_seconds"',
    "stretch_heading_side": '"_side"',
    "stretch_heading_first_side": '"_side"',
    "hold_set_up_to": '"hold_set_{',
    "hold_set_at_least": '"hold_set_{',
    "hold_set_nearest": '"hold_set_{',
    "reps_set_up_to": '"reps_set_{',
    "reps_set_at_least": '"reps_set_{',
    "reps_set_nearest": '"reps_set_{',
    "level_beginner": '"level_{',
    "level_standard": '"level_{',
    "confirm_long_hold_seconds": '"confirm_long_{',
    "confirm_long_reps": '"confirm_long_{',
    "feeling_better": '"feeling_{',
    "feeling_same": '"feeling_{',
    "feeling_worse": '"feeling_{',
    "sore_leg_left": '"sore_leg_{',
    "sore_leg_right": '"sore_leg_{',
    "sore_leg_both": '"sore_leg_{',
    "card_level_beginner": '"card_level_{',
    "card_level_standard": '"card_level_{',
    "card_sore_leg_left": '"card_sore_leg_{',
    "card_sore_leg_right": '"card_sore_leg_{',
    "card_sore_leg_both": '"card_sore_leg_{',
    "trend_better": '"trend_{name}"',
    "trend_same": '"trend_{name}"',
    "trend_worse": '"trend_{name}"',
    "trend_better_once": '"trend_{name}_once"',
    "trend_same_once": '"trend_{name}_once"',
    "trend_worse_once": '"trend_{name}_once"',
    "warm_up_always": '"warm_up_{',
    "warm_up_skip": '"warm_up_{',
    "feeling_word_better": '"feeling_word_{',
    "feeling_word_same": '"feeling_word_{',
    "feeling_word_worse": '"feeling_word_{',
}


def test_every_phrase_key_said_exists() -> None:
    """Every key the code passes to ``say("...")`` is defined in en-US.json."""
    keys = set(SAY_CALL.findall(_skill_source()))
    assert {"hold_start", "release", "count_number", "rest_between_reps", "switch_side"} <= keys
    assert sorted(keys - set(PHRASES.table)) == []


def test_every_locale_key_is_used() -> None:
    """Each en-US.json key appears in skill/ as a string, or is built from pieces that still exist there."""
    source = _skill_source()
    quoted = set(QUOTED.findall(source))
    for key, evidence in COMPOSED_KEYS.items():
        assert key in PHRASES.table, key
        assert evidence in source, f"{key} is listed as built from pieces but {evidence!r} is no longer in skill/"
    unused = sorted(k for k in PHRASES.table if k not in quoted and k not in COMPOSED_KEYS)
    assert unused == [], f"keys in en-US.json that nothing says: {unused}"


def _fill(template: str) -> str:
    """Fill every ``{field}`` with a value that needs escaping, so escaping is exercised too."""
    fields = {name for _, name, _, _ in string.Formatter().parse(template) if name}
    return fill(template, **{name: 'R&D <"x">' for name in fields})


@pytest.mark.parametrize("locale", available_locales())
def test_every_phrase_renders_as_xml(locale: str) -> None:
    """Each phrase of each locale (every variant, plain and with awkward values) renders to SSML that parses back."""
    phrases = phrases_for(locale)
    assert phrases.locale == locale
    for key, value in sorted(phrases.table.items()):
        for template in [value] if isinstance(value, str) else value:
            assert isinstance(template, str), key
            fields = {name for _, name, _, _ in string.Formatter().parse(template) if name}
            for text in (fill(template, **{name: "x" for name in fields}), _fill(template)):
                assert ET.fromstring(Speech().say(text).ssml()).text == text.strip()


def test_catalogue_text_renders_as_xml() -> None:
    """Every name, step, cue, caution, count cue, explanation and safety rule from the catalogue renders to well-formed SSML."""
    texts = [r.name for r in CATALOGUE.routines.values()] + [rule.text for rule in CATALOGUE.safety]
    for s in CATALOGUE.stretches.values():
        texts += [s.name, s.position, s.cue, s.why, *s.steps, *s.count_cues, *([s.caution] if s.caution else [])]
    for text in texts:
        assert ET.fromstring(Speech().say(text).ssml()).text == text.strip()


@pytest.mark.parametrize("odd", ["\ufffe", "\uffff", "\ud800", "\x07", "\x1b"])
def test_a_character_xml_does_not_allow_never_reaches_the_ssml(odd: str) -> None:
    """A slot value said back may carry anything; the SSML still parses as XML."""
    ssml = Speech([Text(f"Sorry, I don't have a routine called piz{odd}za.")]).ssml()
    assert odd not in ssml
    assert ET.fromstring(ssml).text == "Sorry, I don't have a routine called piz za."
