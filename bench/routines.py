"""The routine table: every catalogue routine played through as a user would, measured by the stopwatch.

For each routine, at default settings and at 90-second holds × 5 repetitions:

- utterances: what the user says to get to the end (the start, an answer where the skill asks whether
  to warm up or which leg is sore, then "next" only when a response asks);
- responses: how many responses that takes, and the largest one's SSML in characters;
- rendered minutes: every response rendered by espeak-ng at 160 words a minute and timed, against the
  length the routine's opening announces ("about 6 minutes"), as a ratio;
- speech before the first hold, for a new and for a returning user: from the response's first word to
  the first word of the first hold's cue, both as talk alone (the silences left for moving into
  position taken out) and in all;
- steering at 145, 160 and 175 words a minute: commands (skip, pause, next, repeat, go back, this
  hurts, how many are left, in turn) said every 6.3 s through every response, each response rendered
  by espeak-ng at that rate; the share that acted on a stretch audible within 3 s of when it was said
  (``tests.support.steering``), with a voice the skill has not learnt yet;
- the range at the end of each response: how many seconds of moments a request stamped as the
  response's last segment ends may have been made at (the skill's own figure, before it learns the
  voice).

Nothing here uses the skill's own speaking-rate model for a measurement: times come from espeak-ng's
audio (the range is the skill's own account of its uncertainty, reported as such).

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

from skill.engine import Chunk  # noqa: E402
from skill.engine.routine import range_ms  # noqa: E402
from tests.support.conversation import Alexa, FakeClock, Reply, answer_questions  # noqa: E402
from tests.support.steering import Device, listen, on_target, run_all  # noqa: E402
from tests.support.stopwatch import before_first_hold, render  # noqa: E402

LONG = {"hold": "90", "reps": "5"}
RATES = (145, 160, 175)


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
    steering: tuple[tuple[int, int], ...]  # (on target, commands) at each of RATES
    range_at_end: tuple[float, ...]  # seconds, for each response


def steering(snapshots: list[tuple[Device, Reply]]) -> tuple[tuple[tuple[int, int], ...], tuple[float, ...]]:
    """Commands through every response at each rate (on target, of how many), and each response's range at its end."""
    scores = []
    for wpm in RATES:
        hits = total = 0
        for index, (device, reply) in enumerate(snapshots):
            heard = listen(reply, wpm)
            outcomes = run_all(device, heard, seed=wpm * 100 + index)
            hits, total = hits + sum(on_target(heard, o) for o in outcomes), total + len(outcomes)
        scores.append((hits, total))
    ranges = []
    for _, reply in snapshots:
        start, end, sent_at, ends, spoken, *_ = reply.attributes["routine"]["chunk"]
        chunk = Chunk(start, end, sent_at, tuple(ends), tuple(spoken))
        ranges.append(range_ms(chunk, len(ends) - 1) / 1000)
    return tuple(scores), tuple(ranges)


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
    snapshots = [(Device.after(alexa, clock), first)]
    while "You finished" not in responses[-1].text:
        responses.append(alexa.intent("AMAZON.NextIntent"))
        snapshots.append((Device.after(alexa, clock), responses[-1]))
    alexa.intent("FeelingIntent", feeling=("better", "better")) if "How does your back feel" in responses[-1].text else alexa.end()
    returning, _ = answer_questions(alexa, alexa.intent("StartRoutineIntent", routine=(name, routine_id)))
    rendered = sum(render(r.ssml, scratch / "all.wav").seconds for r in responses)
    steered, ranges = steering(snapshots)  # last: the commands leave the conversation anywhere
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
        steering=steered,
        range_at_end=ranges,
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
        "| before 1st hold, new: talk (all) | returning: talk (all) | steering at 145 / 160 / 175 wpm "
        "| range at each response's end |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        new, back = row.first_hold_new, row.first_hold_returning
        lines.append(
            f"| {row.routine} | {row.settings} | {row.utterances} | {row.responses} | {row.largest_ssml:,} "
            f"| {row.rendered_seconds / 60:.1f} min | {row.announced_seconds / 60:.1f} min "
            f"| {row.announced_seconds / row.rendered_seconds:.2f} | {new[0]:.1f} s ({new[1]:.1f} s) "
            f"| {back[0]:.1f} s ({back[1]:.1f} s) "
            f"| {' / '.join(f'{hits / total:.0%}' for hits, total in row.steering)} "
            f"| {', '.join(f'{width:.0f} s' for width in row.range_at_end)} |"
        )
    return lines


if __name__ == "__main__":
    print("\n".join(render_table(routine_table())))
