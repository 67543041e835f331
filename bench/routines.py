"""The routine table: every catalogue routine played through as a user would, measured by the stopwatch.

For each routine, at default settings and at 90-second holds × 5 repetitions:

- utterances: what the user says to get to the end (the start, an answer where the skill asks whether
  to warm up or which leg is sore, then "next" only when a response asks);
- responses: how many responses that takes, and the largest one's SSML in characters;
- rendered minutes: every response rendered by espeak-ng at 160 words a minute and timed, against the
  length the routine's opening announces ("about 6 minutes"), as a ratio;
- speech before the first hold, for a new and for a returning user: from the response's first word to
  the first word of the first hold's cue, both as talk alone (the silences left for moving into
  position taken out) and in all.

Nothing here uses the skill's own speaking-rate model: times come from espeak-ng's audio.

    .venv/bin/python bench/routines.py        (bench/run.py includes it in docs/BENCHMARKS.md)
"""

from __future__ import annotations

import re
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT)]

from tests.support.conversation import Alexa, FakeClock, answer_questions  # noqa: E402
from tests.support.stopwatch import before_first_hold, render  # noqa: E402

LONG = {"hold": "90", "reps": "5"}


@dataclass(frozen=True)
class Row:
    routine: str
    settings: str
    utterances: int
    responses: int
    largest_ssml: int
    rendered_seconds: float
    announced_seconds: float
    first_hold_new: tuple[float, float]  # (talk, all) seconds
    first_hold_returning: tuple[float, float]


def announced_seconds(text: str) -> float:
    """The length the opening says, back to seconds: "about 4 and a half minutes" -> 270."""
    match = re.search(r"about (a minute|(\d+)( and a half)? minutes?|(\d+) seconds)(?: and (\d+) seconds)?", text)
    if match is None:
        raise ValueError(f"no length in {text[:200]!r}")
    whole, minutes, half, seconds, extra = match.groups()
    total = 60.0 if whole == "a minute" else float(minutes) * 60 if minutes else float(seconds)
    return total + (30 if half else 0) + (float(extra) if extra else 0)


def play_through(routine_id: str, name: str, settings: dict[str, str], scratch: Path) -> Row:
    clock = FakeClock()
    alexa = Alexa.with_clock(scratch / f"{routine_id}-{len(settings)}", clock)
    if settings:
        alexa.intent("SetHoldTimeIntent", seconds=settings["hold"])
        if "Shall I keep that?" in alexa.history[-1].text:
            alexa.intent("AMAZON.YesIntent")
        alexa.intent("SetRepsIntent", reps=settings["reps"])
        if "Shall I keep that?" in alexa.history[-1].text:
            alexa.intent("AMAZON.YesIntent")
        alexa.intent("AMAZON.StopIntent")
    first, answers = answer_questions(alexa, alexa.intent("StartRoutineIntent", routine=(name, routine_id)))
    responses = [first]
    while "You finished" not in responses[-1].text:
        responses.append(alexa.intent("AMAZON.NextIntent"))
    alexa.intent("FeelingIntent", feeling=("better", "better")) if "How does your back feel" in responses[-1].text else alexa.end()
    returning, _ = answer_questions(alexa, alexa.intent("StartRoutineIntent", routine=(name, routine_id)))
    rendered = sum(render(r.ssml, scratch / "all.wav").seconds for r in responses)
    return Row(
        routine=name,
        settings="90 s × 5" if settings else "default",
        utterances=len(responses) + answers,
        responses=len(responses),
        largest_ssml=max(len(r.ssml) for r in responses),
        rendered_seconds=rendered,
        announced_seconds=announced_seconds(first.text),
        first_hold_new=before_first_hold(first.ssml, scratch),
        first_hold_returning=before_first_hold(returning.ssml, scratch),
    )


def routine_table() -> list[Row]:
    from skill.catalogue import load_catalogue

    scratch = Path(tempfile.mkdtemp(prefix="bench-routines-"))
    rows = []
    for settings in ({}, LONG):
        for routine in load_catalogue().routines.values():
            rows.append(play_through(routine.id, routine.name, settings, scratch))
    return rows


def render_table(rows: list[Row]) -> list[str]:
    lines = [
        "| routine | settings | utterances | responses | largest SSML | rendered | announced | announced / rendered "
        "| before 1st hold, new: talk (all) | returning: talk (all) |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        new, back = row.first_hold_new, row.first_hold_returning
        lines.append(
            f"| {row.routine} | {row.settings} | {row.utterances} | {row.responses} | {row.largest_ssml:,} "
            f"| {row.rendered_seconds / 60:.1f} min | {row.announced_seconds / 60:.1f} min "
            f"| {row.announced_seconds / row.rendered_seconds:.2f} | {new[0]:.1f} s ({new[1]:.1f} s) "
            f"| {back[0]:.1f} s ({back[1]:.1f} s) |"
        )
    return lines


if __name__ == "__main__":
    print("\n".join(render_table(routine_table())))
