"""Robustness benches: a bounded loopback load run against DynamoDB Local, and a long fuzz run.

Load: ``backstretch serve --no-verify`` on 127.0.0.1 with the DynamoDB store on DynamoDB Local;
USERS simulated users, each in its own thread, hold one whole conversation (launch, a hold time,
repetitions, the morning routine, the check-in). Per-request latency (p50, p99), throughput, and at
the end every user's stored item is read back: each setting and the check-in must be there.

Fuzz: tests/test_fuzz.py with ``BACKSTRETCH_FUZZ_EXAMPLES`` cases per test (envelopes through
``lambda_handler`` and the web app: a valid response or a clean refusal, never a 5xx).

    .venv/bin/python bench/load.py [--users 60] [--fuzz 10000]   (bench/run.py includes both)
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT)]

from tests.support.dynamodb_local import DynamoDBLocal, client, create_table  # noqa: E402
from tests.support.e2e import LOCAL_AWS_ENV, post, serve  # noqa: E402

os.environ.update(LOCAL_AWS_ENV)
TABLE = "load_users"


@dataclass(frozen=True)
class LoadResult:
    users: int
    requests: int
    seconds: float
    latencies: list[float]
    errors: list[str]
    lost: list[str]


@dataclass(frozen=True)
class FuzzResult:
    examples: int
    seconds: float
    passed: bool
    summary: str


def event(
    kind: str, user: str, session: str, new: bool, intent: dict[str, Any] | None = None,
    attributes: dict[str, Any] | None = None, skill: str = "amzn1.ask.skill.load", ahead_seconds: int = 3600,
) -> bytes:
    """A request as Alexa sends it, stamped ``ahead_seconds`` from now (by default after any reply has played)."""
    request: dict[str, Any] = {
        "type": kind,
        "requestId": f"amzn1.echo-api.request.{uuid.uuid4()}",
        "timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + ahead_seconds)),
        "locale": "en-US",
    }
    if intent is not None:
        request["intent"] = intent
    system = {"application": {"applicationId": skill}, "user": {"userId": user}}
    return json.dumps({
        "version": "1.0",
        "session": {"new": new, "sessionId": session, **system, "attributes": attributes or {}},
        "context": {"System": system},
        "request": request,
    }).encode()


def intent_with(name: str, **slots: str) -> dict[str, Any]:
    return {"name": name, "confirmationStatus": "NONE", "slots": {k: {"name": k, "value": v} for k, v in slots.items()}}


def _conversation(url: str, user: str, latencies: list[float], errors: list[str], lock: threading.Lock) -> None:
    session = f"amzn1.echo-api.session.{uuid.uuid4()}"
    attributes: dict[str, Any] = {}
    turns = [
        ("LaunchRequest", None),
        ("IntentRequest", intent_with("SetHoldTimeIntent", seconds="25")),
        ("IntentRequest", intent_with("SetRepsIntent", reps="2")),
        ("IntentRequest", intent_with("StartRoutineIntent", routine="morning")),
        ("IntentRequest", intent_with("FeelingIntent", feeling="better")),
    ]
    for number, (kind, intent) in enumerate(turns):
        started = time.perf_counter()
        status, answer = post(url, event(kind, user, session, number == 0, intent, attributes))
        took = time.perf_counter() - started
        with lock:
            latencies.append(took)
            if status != 200:
                errors.append(f"{user} turn {number}: HTTP {status} {answer}")
        attributes = answer.get("sessionAttributes") or {}


def load_run(users: int) -> LoadResult:
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    with DynamoDBLocal() as ddb:
        dynamodb = client(ddb.endpoint)
        create_table(dynamodb, TABLE)
        names = [f"amzn1.ask.account.LOAD{n:04d}" for n in range(users)]
        with serve(Path(tempfile.mkdtemp()), ["--table", TABLE, "--dynamodb-endpoint", ddb.endpoint]) as url:
            threads = [threading.Thread(target=_conversation, args=(url, name, latencies, errors, lock)) for name in names]
            started = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=120)
            seconds = time.perf_counter() - started
        lost = []
        for name in names:
            item = dynamodb.get_item(TableName=TABLE, Key={"id": {"S": name}}, ConsistentRead=True).get("Item", {})
            text = json.dumps(item)
            if not all(part in text for part in ('"hold_seconds"', '"25"', '"reps"', '"better"', '"stretch_counts"')):
                lost.append(name)
    return LoadResult(users, len(latencies), seconds, latencies, errors, lost)


def fuzz_run(examples: int) -> FuzzResult:
    env = {**os.environ, "BACKSTRETCH_FUZZ_EXAMPLES": str(examples)}
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_fuzz.py"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=1800,
    )
    summary = (result.stdout.strip().splitlines() or ["no output"])[-1]
    return FuzzResult(examples, time.perf_counter() - started, result.returncode == 0, summary)


def render(load: LoadResult, fuzz: FuzzResult) -> list[str]:
    ordered = sorted(load.latencies)
    p99 = ordered[min(len(ordered) - 1, int(round(0.99 * (len(ordered) - 1))))] if ordered else 0.0
    return [
        f"- load: {load.users} users at once, {load.requests} requests in {load.seconds:.1f} s "
        f"({load.requests / load.seconds:.0f} requests/s); latency p50 {statistics.median(ordered) * 1000:.0f} ms, "
        f"p99 {p99 * 1000:.0f} ms; errors {len(load.errors)}; users whose stored settings or check-in are missing: "
        f"{len(load.lost)}",
        f"- fuzz: {fuzz.examples} cases per fuzz test in {fuzz.seconds:.0f} s: {'passed' if fuzz.passed else 'FAILED'} "
        f"({fuzz.summary})",
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=60)
    parser.add_argument("--fuzz", type=int, default=10_000)
    args = parser.parse_args()
    print("\n".join(render(load_run(args.users), fuzz_run(args.fuzz))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
