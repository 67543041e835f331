"""Refit the speaking-rate constants of ``skill/speech/rate.py`` against espeak-ng at 160 words a minute.

Each kind of text is timed where the skill says it (``skill.speech.rate.TextKind``):

- step sentences (positions, steps, cues, cautions, headings, the hold's and the rest's words) inside a
  run of sentences: the time one adds to ``<speak>Relax. TEXT Relax.</speak>``, less the pause between
  two sentences, which is fitted first from runs of short sentences;
- counted movements ("3, toes up.") and countdown numbers ("4.") between two breaks, as a counted set
  and a hold say them: the time one adds to ``<speak>Go.<break time="3000ms"/>TEXT<break
  time="3000ms"/>Go.</speak>``, less the breaks.

A kind's seconds are ``sentences x onset + letters x seconds per letter`` (numbers counted as spoken
words), plus the pauses at commas and between sentences (kept as they are); each kind's onset and
seconds per letter are a least-squares fit. Times are the lengths of the WAV files espeak-ng writes,
so the silences it adds at the ends cancel out.

    .venv/bin/python scripts/fit_rate.py        (prints the constants to paste into rate.py)
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import wave
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT)]

from skill.catalogue import load_catalogue  # noqa: E402
from skill.speech.phrases import phrases_for  # noqa: E402
from skill.speech.rate import BETWEEN_SENTENCES_SECONDS, COMMA_SECONDS, TextKind, letters, text_kind  # noqa: E402

WPM = 160
RUN = "<speak>Relax. {text} Relax.</speak>"
BETWEEN_BREAKS = '<speak>Go.<break time="3000ms"/>{text}<break time="3000ms"/>Go.</speak>'


def wav_seconds(ssml: str, scratch: Path) -> float:
    wav = scratch / "fit.wav"
    subprocess.run(["espeak-ng", "-m", "-s", str(WPM), "-w", str(wav), ssml], check=True, capture_output=True)
    with wave.open(str(wav), "rb") as reader:
        return reader.getnframes() / reader.getframerate()


def texts() -> dict[TextKind, set[str]]:
    """Every text the skill times, by kind (numbers up to 20 for counts, the holds' own numbers)."""
    catalogue, phrases = load_catalogue(), phrases_for("en-US")
    found: dict[TextKind, set[str]] = {kind: set() for kind in TextKind}
    said: set[str] = {phrases.say("release"), phrases.say("count_done"), phrases.say("take_your_time")}
    said |= {phrases.say("hold_start", seconds=n) for n in (5, 10, 20, 30, 45, 60, 90)}
    said |= {phrases.say("seconds_left", seconds=n) for n in (10, 20, 30, 40, 60, 80)}
    said |= {phrases.say("count_start", count=n) for n in (5, 10, 20)}
    said |= {phrases.say("count_number", number=n) for n in range(1, 21)}
    for key in ("breathe_cue", "rest_between_reps", "same_position"):
        said |= {phrases.say(key, variant=v) for v in range(phrases.variants(key))}
    for index, stretch in enumerate(catalogue.stretches.values()):
        said |= {stretch.position, stretch.cue, *stretch.steps, *([stretch.caution] if stretch.caution else [])}
        said.add(phrases.say("stretch_heading", number=index % 7 + 1, total=7, name=stretch.name))
        said |= {phrases.say("count_number_cue", number=n + 1, cue=cue) for n, cue in enumerate(stretch.count_cues * 3)}
    for text in said:
        found[text_kind(text)].add(text)
    return found


def fit(points: list[tuple[float, float, float]]) -> tuple[float, float]:
    """Least squares ``y = a s + b x`` over points ``(s, x, y)``: (a, b)."""
    ss = sum(s * s for s, _, _ in points)
    sx = sum(s * x for s, x, _ in points)
    xx = sum(x * x for _, x, _ in points)
    sy = sum(s * y for s, _, y in points)
    xy = sum(x * y for _, x, y in points)
    det = ss * xx - sx * sx
    return (sy * xx - sx * xy) / det, (ss * xy - sx * sy) / det


def sentences(text: str) -> int:
    return max(1, sum(1 for word in text.split() if word[-1] in ".!?"))


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        scratch = Path(folder)
        run_base = wav_seconds(RUN.format(text=""), scratch)
        breaks_base = wav_seconds(BETWEEN_BREAKS.format(text="").replace('<break time="3000ms"/><break', "<break"), scratch)
        results: dict[TextKind, tuple[float, float, float]] = {}
        for kind, said in texts().items():
            points: list[tuple[float, float, float]] = []
            for text in sorted(said):
                if kind is TextKind.STEP:  # in a run, a sentence also brings the pause before the next
                    cost = wav_seconds(RUN.format(text=text), scratch) - run_base - BETWEEN_SENTENCES_SECONDS
                else:
                    cost = wav_seconds(BETWEEN_BREAKS.format(text=text), scratch) - breaks_base - 3.0
                n = sentences(text)
                cost -= text.count(",") * COMMA_SECONDS + (n - 1) * BETWEEN_SENTENCES_SECONDS
                points.append((float(n), float(letters(text)), cost))
            onset, per_letter = fit(points)
            worst = max(abs(onset * n + per_letter * x - y) for n, x, y in points)
            results[kind] = (onset, per_letter, worst)
            print(f"# {kind.value:<7} {len(points):3d} texts: onset {onset:.3f} s, {per_letter * 1000:.2f} ms a letter, worst {worst:.2f} s")
        print("RATES = {")
        for kind, (onset, per_letter, _) in results.items():
            print(f"    TextKind.{kind.name}: Rate(onset={onset:.3f}, per_letter={per_letter:.5f}),")
        print("}")


if __name__ == "__main__":
    main()
