"""The speech stopwatch itself (tests/support/stopwatch.py): espeak-ng timing, silence detection, fixed-rate clock."""

from __future__ import annotations

import doctest
import time
import wave
from array import array
from pathlib import Path

import pytest

from tests.support import stopwatch
from tests.support.stopwatch import (
    ESPEAK_WPM,
    Audio,
    Token,
    espeak_path,
    fixed_rate_seconds,
    fixed_rate_timeline,
    gap_between,
    gaps,
    render,
    seconds_between,
    spoken_span,
)

RATE = 22050
SAMPLE = 1 / RATE
LOUD = 3000  # a square wave of +-3000: every sample is sound
QUIET = 50  # +-50: under the threshold, so silence


def _silence(seconds: float, level: int = 0) -> array[int]:
    count = round(seconds * RATE)
    return (array("h", [level, -level]) * (count // 2 + 1))[:count]


def _tone(seconds: float) -> array[int]:
    return _silence(seconds, LOUD)


def _write(path: Path, samples: array[int], channels: int = 1, width: int = 2) -> Path:
    with wave.open(str(path), "wb") as writer:
        writer.setnchannels(channels)
        writer.setsampwidth(width)
        writer.setframerate(RATE)
        writer.writeframes(samples.tobytes() if width == 2 else bytes(len(samples)))
    return path


def _flat(spans: list[tuple[float, float]]) -> list[float]:
    return [time for span in spans for time in span]


# --- the module's own rules ---------------------------------------------------------------------


def test_rate_is_a_test_constant_and_the_oracle_shares_nothing_with_the_skill() -> None:
    assert ESPEAK_WPM == 160
    source = Path(stopwatch.__file__).read_text(encoding="utf-8")
    assert "from skill" not in source and "import skill" not in source


def test_doctests_pass() -> None:
    """pytest does not collect doctests (no --doctest-modules), so run them here."""
    result = doctest.testmod(stopwatch)
    assert result.attempted >= 5
    assert result.failed == 0


def test_missing_espeak_fails_with_a_pointer_to_the_setup_script(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(pytest.fail.Exception, match=r"scripts/setup --test"):
        espeak_path()


def test_espeak_is_found() -> None:
    assert Path(espeak_path()).name == "espeak-ng"


# --- silence detection on audio with known numbers ------------------------------------------------


def test_sound_span_and_gaps_of_synthetic_audio_are_exact_to_the_sample(tmp_path: Path) -> None:
    """0.5 s quiet, 1 s sound, 0.25 s quiet, 0.5 s sound, 0.4 s quiet, 0.1 s sound, 0.3 s quiet."""
    samples = (
        _silence(0.5, QUIET)
        + _tone(1.0)
        + _silence(0.25)
        + _tone(0.5)
        + _silence(0.4, QUIET)
        + _tone(0.1)
        + _silence(0.3)
    )
    audio = Audio.read(_write(tmp_path / "known.wav", samples))
    assert audio.rate == RATE
    assert audio.seconds == pytest.approx(3.05, abs=SAMPLE)
    start, end = audio.sound_span()
    assert start == pytest.approx(0.5, abs=SAMPLE)
    assert end == pytest.approx(2.75, abs=SAMPLE)
    assert _flat(gaps(audio)) == pytest.approx([2.25, 2.65], abs=SAMPLE)
    assert _flat(gaps(audio, min_gap=0.2)) == pytest.approx([1.5, 1.75, 2.25, 2.65], abs=SAMPLE)
    assert gaps(audio, min_gap=0.5) == []


def test_one_loud_sample_at_either_end_counts(tmp_path: Path) -> None:
    samples = _silence(0.3) + array("h", [-150]) + _silence(0.3) + array("h", [150]) + _silence(0.3)
    audio = Audio.read(_write(tmp_path / "clicks.wav", samples))
    start, end = audio.sound_span()
    assert round(start * RATE) == round(0.3 * RATE)
    assert round(end * RATE) == round(0.6 * RATE) + 2
    assert _flat(audio.gaps(min_gap=0.25)) == pytest.approx([start + SAMPLE, end - SAMPLE], abs=SAMPLE / 10)


def test_silent_audio_has_no_span(tmp_path: Path) -> None:
    audio = Audio.read(_write(tmp_path / "silent.wav", _silence(1.0, QUIET)))
    with pytest.raises(ValueError, match="silent"):
        audio.sound_span()
    assert gaps(audio) == []


def test_only_mono_16_bit_audio_is_read(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="mono 16-bit"):
        Audio.read(_write(tmp_path / "stereo.wav", _tone(0.1), channels=2))
    with pytest.raises(ValueError, match="mono 16-bit"):
        Audio.read(_write(tmp_path / "8bit.wav", _tone(0.1), width=1))


def test_gaps_refuse_a_minimum_too_short_to_find() -> None:
    with pytest.raises(ValueError, match="min_gap"):
        gaps(Audio(_tone(0.1), RATE), min_gap=0.01)


def test_ten_minutes_are_measured_well_under_a_second() -> None:
    """A hold-like recording: 1.5 s of sound every 10 s, for 10 minutes (13 million samples)."""
    block = _tone(1.5) + _silence(8.5)
    audio = Audio(block * 60, RATE)
    began = time.process_time()  # CPU time: other processes on the machine do not count
    start, end = audio.sound_span()
    found = gaps(audio)
    elapsed = time.process_time() - began
    assert (start, end) == pytest.approx((0.0, 591.5), abs=SAMPLE)
    assert len(found) == 59
    assert elapsed < 1.0, f"measuring 10 minutes took {elapsed:.2f} s"


# --- espeak-ng ------------------------------------------------------------------------------------


def test_render_leaves_out_leading_and_trailing_silence(tmp_path: Path) -> None:
    audio = render("<speak>One.</speak>", tmp_path / "one.wav")
    start, end = audio.sound_span()
    assert 0.1 < end - start < 0.8
    assert end - start < audio.seconds - 0.2  # espeak-ng pads the end with silence
    assert spoken_span("<speak>One.</speak>", tmp_path) == pytest.approx(end - start, abs=1e-9)


def test_a_ten_second_break_adds_ten_seconds_to_the_spoken_span(tmp_path: Path) -> None:
    short = spoken_span('<speak>One.<break time="1ms"/>Two.</speak>', tmp_path)
    long = spoken_span('<speak>One.<break time="10000ms"/>Two.</speak>', tmp_path)
    assert long - short == pytest.approx(10.0, abs=0.5)


def test_gaps_find_the_break_between_two_words(tmp_path: Path) -> None:
    audio = render('<speak>One.<break time="2000ms"/>Two.<break time="1000ms"/>Three.</speak>', tmp_path / "g.wav")
    found = gaps(audio)
    assert len(found) == 2, found
    (first_start, first_end), (second_start, second_end) = found
    assert first_end - first_start == pytest.approx(2.0, abs=0.15)
    assert second_end - second_start == pytest.approx(1.0, abs=0.15)
    start, end = audio.sound_span()
    assert start < first_start < first_end < second_start < second_end < end


def test_spoken_span_grows_with_the_words(tmp_path: Path) -> None:
    one = spoken_span("<speak>Release.</speak>", tmp_path)
    four = spoken_span("<speak>Hold for 20 seconds.</speak>", tmp_path)
    assert 2 * one < four < 4 * 0.6


# --- the fixed-rate clock -------------------------------------------------------------------------


def test_fixed_rate_timeline_gives_exact_numbers() -> None:
    assert fixed_rate_timeline('<speak>a b<break time="1000ms"/>c</speak>') == [
        Token("word", "a", 0.0, 0.375),
        Token("word", "b", 0.375, 0.75),
        Token("break", "1000ms", 0.75, 1.75),
        Token("word", "c", 1.75, 2.125),
    ]
    assert fixed_rate_seconds('<speak>a b<break time="1000ms"/>c</speak>') == 2.125
    assert fixed_rate_seconds('<speak>a b<break time="1000ms"/>c</speak>', wpm=120) == 2.5
    assert fixed_rate_seconds("<speak></speak>") == 0.0


def test_fixed_rate_timeline_unescapes_and_keeps_punctuation() -> None:
    words = [token.text for token in fixed_rate_timeline("<speak>Knees &amp; hips.\n  Don&apos;t  rush.</speak>")]
    assert words == ["Knees", "&", "hips.", "Don't", "rush."]


def test_fixed_rate_timeline_rejects_what_it_does_not_understand() -> None:
    for ssml in (
        "<speak>a & b</speak>",
        "<speak>a <prosody rate='slow'>b</prosody></speak>",
        '<speak>a<break time="1.5s"/>b</speak>',
        '<speak>a<break strength="strong"/>b</speak>',
        "<p>a</p>",
    ):
        with pytest.raises(ValueError):
            fixed_rate_timeline(ssml)
    assert fixed_rate_seconds('<speak>a<break time="2s"/></speak>') == 2.375


HOLDS = (
    '<speak>Hold for 5 seconds.<break time="3125ms"/>Release.<break time="2000ms"/>'
    'Hold for 5 seconds.<break time="3125ms"/>Release.</speak>'
)


def test_seconds_between_times_from_a_start_to_the_next_end() -> None:
    assert seconds_between(HOLDS, "Hold for 5 seconds.", "Release.") == 5.0
    assert seconds_between(HOLDS, "Hold for", "Release.") == 5.0
    assert seconds_between(HOLDS, "Release.", "Release.") == 7.375  # the next one, not itself
    assert seconds_between(HOLDS, "Hold", "Release.", wpm=120) == 5.125 + 0.5


def test_gap_between_times_from_an_end_to_the_next_start() -> None:
    assert gap_between(HOLDS, "Release.", "Hold for") == 2.0
    assert gap_between(HOLDS, "seconds.", "Release.") == 3.125


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("Relax.", "Release."),  # start missing
        ("Hold for", "Relax."),  # end missing
        ("Hold for", "Release"),  # punctuation is part of the word
        ("hold for", "Release."),  # so is case
        ("Release. Hold", "Release. Hold"),  # no second occurrence after the first
        ("", "Release."),
    ],
)
def test_seconds_between_raises_when_a_text_is_not_found(start: str, end: str) -> None:
    with pytest.raises(ValueError):
        seconds_between(HOLDS, start, end)
    with pytest.raises(ValueError):
        gap_between(HOLDS, start, end)
