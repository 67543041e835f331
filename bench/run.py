"""Measure the skill against ask-sdk-core's hello worlds, side by side in one run, and write
docs/BENCHMARKS.md.

    .venv/bin/python bench/run.py [--rounds 31] [--turns 10]

What it measures (this machine is noisy, so every comparison is a ratio taken in the same run,
with the variants interleaved round by round):

1. Artifact size and start-up (bench/startup.py, which also runs alone): our Lambda zip against the
   hello worlds' (as their docs build them, and trimmed and compiled as ours is); cold start as on
   Lambda (read-only code, no bytecode written) with and without shipped bytecode, and the first
   request after init against warm ones, each beside the hello worlds in the same interleaved run.
2. Warm per-request latency of a whole conversation (in one process, DynamoDB store), and the
   DynamoDB requests that conversation makes.
3. The routine table (bench/routines.py): every routine played through at default settings and at
   90 s × 5 reps, timed by espeak-ng.
4. Robustness (bench/load.py): a bounded loopback load run of the web service on DynamoDB Local, with
   every simulated user's stored data checked, and a long fuzz run of tests/test_fuzz.py.

Nothing leaves 127.0.0.1: DynamoDB Local runs on a loopback port; dummy credentials and region.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "scripts"), str(ROOT / "bench")]

from load import fuzz_run, load_run  # noqa: E402  (bench/load.py)
from load import render as render_robustness  # noqa: E402
from routines import render_table, routine_table  # noqa: E402  (bench/routines.py)
import startup  # noqa: E402  (bench/startup.py)
import suite  # noqa: E402  (bench/suite.py)

from tests.support.dynamodb_local import DynamoDBLocal, client, create_table  # noqa: E402
from tests.support.e2e import LOCAL_AWS_ENV as AWS_ENV  # noqa: E402

os.environ.update(AWS_ENV)


def warm_conversation(endpoint: str, table: str, turns: int) -> tuple[list[float], dict[str, int]]:
    """Per-request latency of one session through lambda_handler, and its DynamoDB requests."""
    from skill.app import build_skill
    from skill.config import Config
    from skill.entrypoints.invoke import invoke, read_event
    from skill.persistence.dynamodb_store import DynamoDbStore
    from tests.support.conversation import Alexa

    store = DynamoDbStore(table, region="us-east-1", endpoint_url=endpoint)
    calls: dict[str, int] = {}
    store.client.meta.events.register(
        "before-call.dynamodb.*", lambda model, **_: calls.__setitem__(model.name, calls.get(model.name, 0) + 1)
    )
    skill = build_skill(Config(table=table, dynamodb_endpoint=endpoint, region="us-east-1"), store=store)
    latencies: list[float] = []

    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        started = time.perf_counter()
        body = invoke(skill, read_event(event))
        latencies.append(time.perf_counter() - started)
        return body

    alexa = Alexa(handler, user_id="amzn1.ask.account.BENCHWARM")
    alexa.launch()
    alexa.intent("SetHoldTimeIntent", seconds="90")
    alexa.intent("SetRepsIntent", reps="5")
    alexa.intent("StartRoutineIntent", routine=("full back routine", "full_back"))
    alexa.intent("ProgressIntent")
    for _ in range(turns - 8):
        alexa.intent("AMAZON.NextIntent")
    alexa.intent("AMAZON.PauseIntent", at=30)
    alexa.intent("AMAZON.ResumeIntent")
    alexa.intent("AMAZON.StopIntent")
    assert len(alexa.history) == turns and not any(r.ended for r in alexa.history[:-1]), "one session"
    return latencies, calls


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=31)
    parser.add_argument("--turns", type=int, default=10)
    parser.add_argument("--users", type=int, default=60)
    parser.add_argument("--fuzz", type=int, default=10_000)
    args = parser.parse_args()
    sizes, runs = startup.measure(args.rounds)
    with DynamoDBLocal() as ddb:
        table = "bench_users"
        create_table(client(ddb.endpoint), table)
        latencies, calls = warm_conversation(ddb.endpoint, table, args.turns)
    rows = routine_table()
    robustness = render_robustness(load_run(args.users), fuzz_run(args.fuzz))
    report = render(args, sizes, runs, latencies, calls, rows, robustness)
    (ROOT / "docs").mkdir(exist_ok=True)
    suite_time = suite.existing()  # bench/suite.py's section: kept, not measured here
    (ROOT / "docs" / "BENCHMARKS.md").write_text(report)
    if suite_time:
        suite.write(suite_time)
    print(report)
    return 0


def render(args: argparse.Namespace, sizes: dict[str, int], runs: startup.Runs,
           latencies: list[float], calls: dict[str, int], rows: list[Any], robustness: list[str]) -> str:
    def ms(seconds: float) -> str:
        return f"{seconds * 1000:.0f} ms"

    command = f".venv/bin/python bench/run.py --rounds {args.rounds} --turns {args.turns} --users {args.users} --fuzz {args.fuzz}"
    lines = [
        "# Benchmarks",
        "",
        f"Produced by `{command}` "
        f"({time.strftime('%Y-%m-%d')}, {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}).",
        "The machine is noisy, so compare the ratios, which come from one run with the variants interleaved.",
        "",
        startup.render(command, sizes, runs, args.rounds),
        "",
        "## Warm requests and DynamoDB round trips (one session)",
        "",
        f"A {args.turns}-turn session (launch, hold 90 s, 5 reps, start the full back routine, how many are left,",
        f"next × {args.turns - 8}, pause in the middle of a response, continue, stop) through the skill,",
        "in one process with the DynamoDB store on DynamoDB Local:",
        "",
        f"- per-request latency: median {ms(statistics.median(latencies))}, max {ms(max(latencies))}",
        f"- DynamoDB requests: {', '.join(f'{k} {v}' for k, v in sorted(calls.items())) or 'none'} "
        "(budget: at most 1 GetItem per session, at most 1 PutItem per request and none when nothing changed)",
        "",
        "## The routines, played through",
        "",
        "Produced by the same command (`bench/routines.py` alone prints just this table). Every catalogue routine,",
        "started as a user would, with \"next\" said only when a response asks for it; every response rendered",
        "by espeak-ng at 160 words a minute and timed. *Announced* is the length the routine's opening says.",
        "*Before 1st hold* runs from the first word of the response to the first word of the first hold's cue:",
        "*talk* leaves out the silences given for moving into position, *all* keeps them. A new user also",
        "hears the doctor note and how to steer; every user hears \"never bounce, stop if it hurts\" once a session.",
        "With 90 s × 5 set, each stretch keeps its own safe range and the opening names them.",
        "",
        *render_table(rows),
        "",
        "## Robustness",
        "",
        "`bench/load.py` (also on its own): the web service (`backstretch serve --no-verify`, loopback only) on",
        "DynamoDB Local, every simulated user holding a whole conversation at once (launch, hold time, reps,",
        "the morning routine, the check-in); afterwards every user's item is read back. Then tests/test_fuzz.py",
        "with the number of cases below per fuzz test.",
        "",
        *robustness,
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
