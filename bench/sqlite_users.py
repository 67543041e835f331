"""SQLite under load: USERS simulated users talk to ``backstretch serve`` (SQLite store) for SECONDS.

``backstretch serve --no-verify`` on 127.0.0.1 with its default workers and threads and the embedded
SQLite store. Each user, on its own thread, runs short sessions over and over: launch, set a hold
time, set a number of repetitions, each to a new value. A reply that says the setting is done
("Done. ...") counts as confirmed; a reply saying the progress cannot be saved, or any non-200, is a
store failure. At the end the SQLite file is read directly: every user's last confirmed hold time
and repetitions must be stored. Prints failures, lost settings, throughput and latency (p50, p99).

    .venv/bin/python bench/sqlite_users.py [--users 64] [--seconds 60]
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from load import event, intent_with  # noqa: E402  (bench/load.py)
from tests.support.e2e import post, serve  # noqa: E402

# What the skill says when a setting could not be stored (skill/speech/locales/en-US.json, store_unavailable).
CANNOT_SAVE = "can't save"


class Tally:
    """What all users saw, under one lock."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.failures: list[str] = []
        self.confirmed: dict[tuple[str, str], int] = {}


def _user(url: str, user: str, until: float, tally: Tally, seed: int) -> None:
    pick = random.Random(seed)
    while time.monotonic() < until:
        session = f"amzn1.echo-api.session.{uuid.uuid4()}"
        attributes: dict[str, Any] = {}
        hold, reps = pick.randrange(10, 91), pick.randrange(1, 11)
        turns = [
            ("LaunchRequest", None, None),
            ("IntentRequest", intent_with("SetHoldTimeIntent", seconds=str(hold)), ("hold_seconds", hold)),
            ("IntentRequest", intent_with("SetRepsIntent", reps=str(reps)), ("reps", reps)),
        ]
        for number, (kind, intent, setting) in enumerate(turns):
            started = time.perf_counter()
            try:
                status, answer = post(url, event(kind, user, session, number == 0, intent, attributes, skill="amzn1.ask.skill.bench", ahead_seconds=0))
            except OSError as error:
                status, answer = 0, {"error": repr(error)}
            took = time.perf_counter() - started
            speech = json.dumps(answer.get("response", {}).get("outputSpeech", {}))
            with tally.lock:
                tally.latencies.append(took)
                if status != 200 or CANNOT_SAVE in speech:
                    tally.failures.append(f"{user} {kind} {setting}: HTTP {status} {speech[:120] or answer}")
                elif setting is not None and "Done." in speech:
                    tally.confirmed[(user, setting[0])] = setting[1]
            if status != 200:
                break
            attributes = answer.get("sessionAttributes") or {}


def run(users: int, seconds: float) -> dict[str, Any]:
    data_dir = Path(tempfile.mkdtemp(prefix="sqlite-users-"))
    tally = Tally()
    names = [f"amzn1.ask.account.SQLITEBENCH{n:03d}" for n in range(users)]
    with serve(data_dir) as url:
        until = time.monotonic() + seconds
        threads = [threading.Thread(target=_user, args=(url, name, until, tally, n)) for n, name in enumerate(names)]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=seconds + 60)
        elapsed = time.perf_counter() - started
    with sqlite3.connect(data_dir / "users.sqlite3") as connection:
        stored = {key: json.loads(text) for key, text in connection.execute("SELECT id, attributes FROM users")}
    lost = [f"{user} {field}={value}" for (user, field), value in tally.confirmed.items() if stored.get(user, {}).get(field) != value]
    latencies = sorted(tally.latencies)
    return {
        "users": users,
        "seconds": round(elapsed, 1),
        "requests": len(latencies),
        "requests_per_second": round(len(latencies) / elapsed, 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 1) if latencies else None,
        "p99_ms": round(latencies[int(len(latencies) * 0.99) - 1] * 1000, 1) if latencies else None,
        "confirmed_settings": len(tally.confirmed),
        "store_failures": len(tally.failures),
        "lost_settings": len(lost),
        "examples": (tally.failures + lost)[:5],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=64)
    parser.add_argument("--seconds", type=float, default=60.0)
    args = parser.parse_args()
    result = run(args.users, args.seconds)
    print(json.dumps(result, indent=2))
    return 0 if result["store_failures"] == 0 and result["lost_settings"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
