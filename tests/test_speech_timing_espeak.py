"""Real-audio check: espeak-ng (the local stand-in voice) plays our hold countdowns for their nominal length.

The countdown's breaks are its length minus the *estimated* speaking time of its cues (160 words a
minute); this synthesizes the SSML at 160 words a minute and measures the audio, so a wrong estimate
or a break espeak-ng drops (adjacent breaks, decimal seconds) shows up as a wrong length.
"""

from __future__ import annotations

import shutil
import subprocess
import wave
from pathlib import Path

import pytest

from skill.engine.plan import WORDS_PER_MINUTE
from skill.speech.countdown import hold_countdown
from skill.speech.phrases import phrases_for
from skill.speech.ssml import Speech, Text

PHRASES = phrases_for("en-US")
TOLERANCE = 0.15  # +-15 % of the nominal hold


@pytest.fixture(scope="module")
def espeak() -> str:
    """Path of espeak-ng; its absence is a broken setup, not a reason to skip."""
    path = shutil.which("espeak-ng")
    if path is None:
        pytest.fail(
            "espeak-ng is not installed: the speech timing test needs it "
            "(apt-get install -y espeak-ng; the project's setup script installs it)",
            pytrace=False,
        )
    return path


def _seconds(espeak: str, ssml: str, wav: Path) -> float:
    """Synthesize ``ssml`` in SSML mode at the skill's words-per-minute rate; return the audio's length."""
    subprocess.run(
        [espeak, "-m", "-s", str(WORDS_PER_MINUTE), "-w", str(wav), ssml],
        check=True,
        capture_output=True,
        timeout=120,
    )
    with wave.open(str(wav), "rb") as audio:
        return audio.getnframes() / audio.getframerate()


def test_espeak_honours_a_ten_second_break(espeak: str, tmp_path: Path) -> None:
    """Sanity check of the tool: a 10000 ms break between two words adds 10 s of audio."""
    words = _seconds(espeak, "<speak>One. Two.</speak>", tmp_path / "words.wav")
    with_break = _seconds(espeak, '<speak>One.<break time="10000ms"/>Two.</speak>', tmp_path / "break.wav")
    assert with_break - words == pytest.approx(10.0, abs=1.0)


@pytest.mark.parametrize("hold", [10, 20, 30, 45])
def test_hold_countdown_audio_lasts_its_length(espeak: str, tmp_path: Path, hold: int) -> None:
    """total audio - "Hold for N seconds." alone - "And release." alone is within 15 % of N seconds."""
    timed = hold_countdown(hold, PHRASES)
    opening, closing = timed.parts[0], timed.parts[-1]
    assert isinstance(opening, Text) and isinstance(closing, Text)
    assert closing.text == PHRASES.say("release")
    total = _seconds(espeak, Speech([timed]).ssml(), tmp_path / "total.wav")
    start = _seconds(espeak, Speech([opening]).ssml(), tmp_path / "opening.wav")
    end = _seconds(espeak, Speech([closing]).ssml(), tmp_path / "closing.wav")
    measured = total - start - end
    assert abs(measured - hold) <= TOLERANCE * hold, (
        f"hold {hold} s measured {measured:.2f} s (total {total:.2f}, opening {start:.2f}, closing {end:.2f})"
    )
