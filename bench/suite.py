"""How long the README's test command takes once set up: ``scripts/test`` timed as a whole.

    .venv/bin/python bench/suite.py [--runs 2]

Runs ``scripts/test`` once to set up (not timed), then ``--runs`` more times, each as a whole process,
and writes the wall time and the CPU time of the run (the processes it waited for included) with
the slowest tests of the last run, as the section "Test suite time" of docs/BENCHMARKS.md (bench/run.py
keeps that section when it writes the rest). The suite's goal is at most 4 minutes of wall time here.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REPORT = ROOT / "docs" / "BENCHMARKS.md"
HEADING = "## Test suite time"
GOAL_SECONDS = 240


def timed_run(extra: list[str]) -> tuple[float, float, str]:
    """(wall seconds, CPU seconds of every process it ran, output) of one ``scripts/test``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(["scripts/test", "-q", "-p", "no:cacheprovider", *extra], cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        sys.exit(done.stdout[-3000:] + done.stderr[-3000:])
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done.stdout


def slowest(output: str, count: int) -> list[tuple[float, str]]:
    """The ``--durations`` lines of pytest's output: (seconds, phase and test)."""
    found = re.findall(r"^([\d.]+)s (call|setup|teardown)\s+(\S+)$", output, re.M)
    return [(float(seconds), f"{phase} {test}") for seconds, phase, test in found][:count]


def section(walls: list[float], cpus: list[float], output: str) -> str:
    summary = re.findall(r"^=*\s*(\d+ passed.*?) in [\d.]+s", output, re.M)
    lines = [
        HEADING,
        "",
        f"`scripts/test` after setup (ruff, mypy, then pytest), timed as a whole: "
        f"`.venv/bin/python bench/suite.py --runs {len(walls)}` "
        f"({datetime.date.today()}, {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}).",
        "",
        "| runs | wall, median | min | max | CPU, median | goal |",
        "|---:|---:|---:|---:|---:|---:|",
        f"| {len(walls)} | {statistics.median(walls):.0f} s | {min(walls):.0f} s | {max(walls):.0f} s "
        f"| {statistics.median(cpus):.0f} s | ≤ {GOAL_SECONDS} s |",
        "",
        f"Last run: {summary[-1] if summary else 'see the output'}. Its slowest tests (why each is worth its time: README, Tests):",
        "",
        "| seconds | test |",
        "|---:|---|",
        *(f"| {seconds:.1f} | `{test}` |" for seconds, test in slowest(output, 12)),
        "",
    ]
    return "\n".join(lines)


_SECTION = re.compile(rf"\n{re.escape(HEADING)}\n.*?(?=\n## |\Z)", re.S)


def existing() -> str:
    """The section as docs/BENCHMARKS.md has it now, or ""."""
    found = _SECTION.search(REPORT.read_text(encoding="utf-8")) if REPORT.exists() else None
    return found[0].strip("\n") + "\n" if found else ""


def write(text: str) -> None:
    """Put the section into docs/BENCHMARKS.md, in place of an older one."""
    report = REPORT.read_text(encoding="utf-8") if REPORT.exists() else "# Benchmarks\n"
    REPORT.write_text(_SECTION.sub("", report).rstrip("\n") + "\n\n" + text, encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    timed_run(["--co"])  # set up (installs nothing when the locks are in place) and collect once
    walls, cpus, output = [], [], ""
    for _ in range(args.runs):
        wall, cpu, output = timed_run(["--durations=12"])
        walls.append(wall)
        cpus.append(cpu)
        print(f"scripts/test: {wall:.0f} s wall, {cpu:.0f} s CPU", flush=True)
    text = section(walls, cpus, output)
    write(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
