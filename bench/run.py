"""Measure the skill against ask-sdk-core's hello worlds, side by side in one run, and write
docs/BENCHMARKS.md.

    .venv/bin/python bench/run.py [--rounds 15] [--turns 10]

What it measures (this machine is noisy, so every comparison is a ratio taken in the same run,
with the variants interleaved round by round):

1. Artifact size: our Lambda zip (scripts/build-lambda) against the hello world's and the hello
   world with DynamoDbAdapter's, each built the same way (locked, hashed wheels for python3.13/arm64, the
   runtime's boto3 not bundled, the same reproducible zip writer).
2. Cold start: a fresh interpreter that puts only the unzipped artifact and a stand-in for the Lambda
   runtime's own packages on sys.path, imports ``lambda_function``, and answers one LaunchRequest
   against DynamoDB Local (ours with the DynamoDB store configured). Wall time of the whole process.
3. Warm per-request latency of a whole conversation (in one process, DynamoDB store), and the
   DynamoDB requests that conversation makes.
4. The routine table (bench/routines.py): every routine played through at default settings and at
   90 s × 5 reps, timed by espeak-ng.
5. Robustness (bench/load.py): a bounded loopback load run of the web service on DynamoDB Local, with
   every simulated user's stored data checked, and a long fuzz run of tests/test_fuzz.py.

Nothing leaves 127.0.0.1: DynamoDB Local runs on a loopback port; dummy credentials and region.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "scripts"), str(ROOT / "bench")]

import build_lambda  # noqa: E402  (scripts/build_lambda.py)
import locks  # noqa: E402  (scripts/locks.py)
from load import fuzz_run, load_run  # noqa: E402  (bench/load.py)
from load import render as render_robustness  # noqa: E402
from routines import render_table, routine_table  # noqa: E402  (bench/routines.py)
import suite  # noqa: E402  (bench/suite.py)

from tests.support.dynamodb_local import DynamoDBLocal, client  # noqa: E402
from tests.support.e2e import LOCAL_AWS_ENV as AWS_ENV  # noqa: E402
from tests.support.lambda_runtime import make_runtime_dir  # noqa: E402

os.environ.update(AWS_ENV)

BUILD = ROOT / "build" / "bench"
# The hello worlds' dependencies as `pip install ask-sdk-core` resolves them (requests & co included),
# from the bench lock (requirements/bench.txt: the versions our skill's runtime lock holds, every file
# hashed); boto3 and what only it needs come from the runtime for all three.
RUNTIME_PROVIDED = {"boto3", "botocore", "s3transfer", "jmespath"}
ADAPTER = "ask-sdk-dynamodb-persistence-adapter"
ADAPTER_DEPS = [e.requirement() for e in locks.read(locks.BENCH_LOCK) if e.name not in RUNTIME_PROVIDED]
HELLO_DEPS = [line for line in ADAPTER_DEPS if not line.startswith(ADAPTER + "==")]
VARIANTS = ("hello", "hello_dynamodb", "ours")

CHILD = r"""
import json, sys, time
task_dir, runtime_dir, event = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
sys.path[:0] = [task_dir]
sys.path.append(runtime_dir)
import lambda_function
reply = lambda_function.lambda_handler(event, None)
assert reply["response"]["outputSpeech"]["ssml"], reply
"""


def build_hello(name: str, deps: list[str]) -> Path:
    """Install ``deps`` for Lambda and zip them with the hello world's handler, like our build."""
    target = BUILD / name
    cache = BUILD / f"{name}-deps"
    wanted, notes = "\n".join(deps), cache / build_lambda.LOCKED_REQUIREMENTS
    if not ((cache / ".complete").is_file() and notes.is_file() and notes.read_text() == wanted):
        shutil.rmtree(cache, ignore_errors=True)
        cache.mkdir(parents=True)
        notes.write_text(wanted)
        subprocess.run(
            [sys.executable, "-m", "pip", "install", "--quiet", "--target", str(cache), *build_lambda.PIP_PLATFORM,
             "--no-compile", "--no-deps", "--require-hashes", "--disable-pip-version-check",
             "--requirement", str(notes)],
            check=True,
        )
        (cache / ".complete").write_text("ok\n")
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    build_lambda.copy_dependencies(cache, target)
    shutil.copy(ROOT / "bench" / name.replace("hello", "hello_world") / "lambda_function.py", target)
    zip_path = BUILD / f"{name}.zip"
    build_lambda.write_zip(target, zip_path)
    return zip_path


def unzip(zip_path: Path, into: Path) -> Path:
    import zipfile

    shutil.rmtree(into, ignore_errors=True)
    with zipfile.ZipFile(zip_path) as archive:
        archive.extractall(into)
    return into


def launch_event(user: str) -> dict[str, Any]:
    event = json.loads((ROOT / "tests" / "events" / "launch_request.json").read_text())
    for holder in (event["session"], event["context"]["System"]):
        holder["user"]["userId"] = user
    return event


def cold_starts(dirs: dict[str, Path], runtime: Path, env: dict[str, str], rounds: int) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {v: [] for v in VARIANTS}
    for round_number in range(rounds):
        order = VARIANTS if round_number % 2 == 0 else tuple(reversed(VARIANTS))
        for variant in order:
            event = json.dumps(launch_event(f"amzn1.ask.account.BENCH{round_number}"))
            started = time.perf_counter()
            subprocess.run(
                [sys.executable, "-I", "-S", "-c", CHILD, str(dirs[variant]), str(runtime), event],
                env=env, check=True, capture_output=True, timeout=60,
            )
            times[variant].append(time.perf_counter() - started)
    return times


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
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--turns", type=int, default=10)
    parser.add_argument("--users", type=int, default=60)
    parser.add_argument("--fuzz", type=int, default=10_000)
    args = parser.parse_args()
    BUILD.mkdir(parents=True, exist_ok=True)

    zips = {"hello": build_hello("hello", HELLO_DEPS), "hello_dynamodb": build_hello("hello_dynamodb", ADAPTER_DEPS), "ours": build_lambda.build(quiet=True)}
    sizes = {k: v.stat().st_size for k, v in zips.items()}
    scratch = Path(tempfile.mkdtemp(prefix="bench-"))
    dirs = {k: unzip(v, scratch / k) for k, v in zips.items()}
    runtime = make_runtime_dir(scratch / "runtime")

    with DynamoDBLocal() as ddb:
        table = "bench_users"
        client(ddb.endpoint).create_table(
            TableName=table, BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        )
        env = {
            **AWS_ENV, "PATH": os.environ.get("PATH", ""), "HOME": str(scratch),
            "BACKSTRETCH_TABLE": table, "BACKSTRETCH_DYNAMODB_ENDPOINT": ddb.endpoint,
            "BENCH_TABLE": table, "BENCH_DYNAMODB_ENDPOINT": ddb.endpoint, "LOG_LEVEL": "WARNING",
        }
        cold = cold_starts(dirs, runtime, env, args.rounds)
        latencies, calls = warm_conversation(ddb.endpoint, table, args.turns)
    rows = routine_table()
    robustness = render_robustness(load_run(args.users), fuzz_run(args.fuzz))
    shutil.rmtree(scratch, ignore_errors=True)

    median = {k: statistics.median(v) for k, v in cold.items()}
    report = render(args, sizes, cold, median, latencies, calls, rows, robustness)
    (ROOT / "docs").mkdir(exist_ok=True)
    suite_time = suite.existing()  # bench/suite.py's section: kept, not measured here
    (ROOT / "docs" / "BENCHMARKS.md").write_text(report)
    if suite_time:
        suite.write(suite_time)
    print(report)
    return 0


def render(args: argparse.Namespace, sizes: dict[str, int], cold: dict[str, list[float]], median: dict[str, float],
           latencies: list[float], calls: dict[str, int], rows: list[Any], robustness: list[str]) -> str:
    def ms(seconds: float) -> str:
        return f"{seconds * 1000:.0f} ms"

    lines = [
        "# Benchmarks",
        "",
        f"Produced by `.venv/bin/python bench/run.py --rounds {args.rounds} --turns {args.turns} --users {args.users} --fuzz {args.fuzz}` "
        f"({time.strftime('%Y-%m-%d')}, {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}).",
        "The machine is noisy, so compare the ratios, which come from one run with the variants interleaved.",
        "",
        "## Artifact size",
        "",
        "| artifact | zip bytes | ratio to hello world |",
        "|---|---:|---:|",
    ]
    for name, label in (("hello", "ask-sdk-core hello world"), ("hello_dynamodb", "hello world + DynamoDbAdapter"), ("ours", "Back Stretch Coach")):
        lines.append(f"| {label} | {sizes[name]:,} | {sizes[name] / sizes['hello']:.2f} |")
    lines += [
        "",
        "All three are built the same way: locked, hashed wheels for python3.13/arm64, boto3 from the Lambda runtime,",
        "one reproducible zip writer. Ours leaves out `requests` & co, which only ask-sdk-core's",
        "`DefaultApiClient` uses (see requirements/lambda.in), and dateutil's bundled time-zone database,",
        "which nothing in the skill reads (scripts/build_lambda.py `UNREAD_DATA`); the hello worlds bundle",
        "both, as `pip install ask-sdk-core` does.",
        "",
        "## Cold start (whole process, one LaunchRequest, DynamoDB Local)",
        "",
        "A fresh interpreter with only the unzipped artifact and the runtime's packages on `sys.path` imports",
        "`lambda_function` and answers one LaunchRequest; both DynamoDB variants read the user's item once.",
        "",
        f"| variant | median of {args.rounds} | min | max |",
        "|---|---:|---:|---:|",
    ]
    for name, label in (("hello", "hello world"), ("hello_dynamodb", "hello world + DynamoDbAdapter"), ("ours", "Back Stretch Coach, DynamoDB store")):
        lines.append(f"| {label} | {ms(median[name])} | {ms(min(cold[name]))} | {ms(max(cold[name]))} |")
    paired = [a / b for a, b in zip(cold["ours"], cold["hello_dynamodb"])]
    lines += [
        "",
        f"**Ratio ours / hello world + DynamoDbAdapter: {median['ours'] / median['hello_dynamodb']:.2f}** (budget ≤ 1.00); "
        f"round by round: median {statistics.median(paired):.2f}, min {min(paired):.2f}, max {max(paired):.2f}. "
        f"Ours / plain hello world: {median['ours'] / median['hello']:.2f}.",
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
