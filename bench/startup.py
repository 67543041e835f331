"""Lambda start-up beside ask-sdk-core's hello worlds: zip size, cold start, first request after init.

    .venv/bin/python bench/startup.py [--rounds 31]

Writes the sections "Artifact size" and "Start-up" of docs/BENCHMARKS.md (bench/run.py measures
them with everything else; this measures only them and keeps the rest of the file).

Cold start: a fresh interpreter with only the unzipped artifact and a stand-in for the Lambda runtime's
own packages on ``sys.path`` imports ``lambda_function`` and answers a LaunchRequest against DynamoDB
Local; the time runs from starting the process to the end of that first answer. The process then
answers five more LaunchRequests (other users), the warm requests the first one is compared with.
Every process runs with ``-B`` on a folder no earlier run wrote into, as on Lambda, whose code folder
is read-only: whatever bytecode the artifact does not ship is compiled again by every cold start.

Each of the three (hello world, hello world with DynamoDbAdapter, ours) runs from two copies: *as
shipped* (the hello worlds as their docs build them, without bytecode; ours as scripts/build-lambda
builds it, with bytecode) and *the other way* (the hello worlds compiled as ours is; ours with its
bytecode removed). The six run interleaved, round by round, in an order that reverses every round
(ABBA), after two unrecorded rounds that warm DynamoDB Local up.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]

import build_lambda  # noqa: E402  (scripts/build_lambda.py)
import locks  # noqa: E402  (scripts/locks.py)

from tests.support.dynamodb_local import DynamoDBLocal, client, create_table  # noqa: E402
from tests.support.e2e import LOCAL_AWS_ENV as AWS_ENV  # noqa: E402
from tests.support.lambda_runtime import make_runtime_dir  # noqa: E402

BUILD = ROOT / "build" / "bench"
REPORT = ROOT / "docs" / "BENCHMARKS.md"
# The hello worlds' dependencies as `pip install ask-sdk-core` resolves them (requests & co included),
# from the bench lock (requirements/bench.txt: the versions our skill's runtime lock holds, every file
# hashed); boto3 and what only it needs come from the runtime for all three.
RUNTIME_PROVIDED = {"boto3", "botocore", "s3transfer", "jmespath"}
ADAPTER = "ask-sdk-dynamodb-persistence-adapter"
ADAPTER_DEPS = [e.requirement() for e in locks.read(locks.BENCH_LOCK) if e.name not in RUNTIME_PROVIDED]
HELLO_DEPS = [line for line in ADAPTER_DEPS if not line.startswith(ADAPTER + "==")]
HELLOS = {"hello": ("hello world", HELLO_DEPS), "hello_dynamodb": ("hello world + DynamoDbAdapter", ADAPTER_DEPS)}
LABELS = {**{name: label for name, (label, _) in HELLOS.items()}, "ours": "Back Stretch Coach"}
SHIPPED, OTHER = "shipped", "other"
WARM_REQUESTS = 5

CHILD = r"""
import json, sys, time
task_dir, runtime_dir, events = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
sys.path[:0] = [task_dir]
sys.path.append(runtime_dir)
import lambda_function
answered, requests = [], []
for event in events:
    started = time.monotonic()
    reply = lambda_function.lambda_handler(event, None)
    requests.append(time.monotonic() - started)
    answered.append(time.monotonic())
    assert reply["response"]["outputSpeech"]["ssml"], reply
print(json.dumps({"first_answered": answered[0], "requests": requests}))
"""


# -- artifacts -------------------------------------------------------------------------------------


def _installed(name: str, deps: list[str]) -> Path:
    """``deps`` installed for Lambda (python3.13/arm64, hashes checked), kept between runs."""
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
    return cache


def _drop_distributions(folder: Path, keep: set[str]) -> None:
    """Remove every installed distribution not named in ``keep`` (its files, by its RECORD)."""
    for dist_info in sorted(folder.glob("*.dist-info")):
        name = locks.normalise(re.sub(r"-[^-]+\.dist-info$", "", dist_info.name))
        if name in keep:
            continue
        for line in (dist_info / "RECORD").read_text(encoding="utf-8").splitlines():
            path = folder / line.split(",")[0]
            if path.is_file():
                path.unlink()
        shutil.rmtree(dist_info, ignore_errors=True)
    for empty in sorted((p for p in folder.rglob("*") if p.is_dir()), reverse=True):
        if not any(empty.iterdir()):
            empty.rmdir()


def build_hello(name: str, trimmed: bool = False, compiled: bool = False, models: bool = False) -> Path:
    """The hello world's zip, built like ours (locked wheels, one zip writer); ``trimmed``: leaving out
    what ours leaves out (requests & co, dateutil's time-zone tarball); ``compiled``: with bytecode;
    ``models``: ask-sdk-model trimmed to what it reaches, as ours is."""
    _, deps = HELLOS[name]
    variant = name + ("_trimmed" if trimmed else "") + ("_models" if models else "") + ("_compiled" if compiled else "")
    target = BUILD / variant
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    build_lambda.copy_dependencies(_installed(name, deps), target)
    if trimmed:
        keep = set(locks.names(build_lambda.LAMBDA_PACKAGES)) | {ADAPTER}
        _drop_distributions(target, keep)
        for unread in build_lambda.UNREAD_DATA:
            (target / unread).unlink()
    shutil.copy(ROOT / "bench" / name.replace("hello", "hello_world") / "lambda_function.py", target)
    if models:
        build_lambda.trim_models(target)
    if compiled:
        build_lambda.compile_bytecode(target)
    zip_path = BUILD / f"{variant}.zip"
    build_lambda.write_zip(target, zip_path)
    return zip_path


def unzip(zip_path: Path, into: Path, bytecode: bool) -> Path:
    shutil.rmtree(into, ignore_errors=True)
    with zipfile.ZipFile(zip_path) as archive:
        for info in archive.infolist():
            if bytecode or "__pycache__/" not in info.filename:
                archive.extract(info, into)
    return into


# -- runs ------------------------------------------------------------------------------------------


def launch_event(user: str) -> dict[str, Any]:
    event: dict[str, Any] = json.loads((ROOT / "tests" / "events" / "launch_request.json").read_text())
    for holder in (event["session"], event["context"]["System"]):
        holder["user"]["userId"] = user
    return event


def one_start(task_dir: Path, runtime: Path, env: dict[str, str], user: str) -> tuple[float, float, float]:
    """(cold start, first request, median warm request) of one fresh process, in seconds."""
    events = [launch_event(f"{user}-{n}") for n in range(1 + WARM_REQUESTS)]
    started = time.monotonic()  # CLOCK_MONOTONIC: one clock for this process and the child
    result = subprocess.run(
        [sys.executable, "-I", "-S", "-B", "-c", CHILD, str(task_dir), str(runtime), json.dumps(events)],
        env=env, check=True, capture_output=True, text=True, timeout=120,
    )
    report = json.loads(result.stdout.strip().splitlines()[-1])
    first, *warm = report["requests"]
    return report["first_answered"] - started, first, statistics.median(warm)


Runs = dict[tuple[str, str], dict[str, list[float]]]


def measure(rounds: int) -> tuple[dict[str, int], Runs]:
    """Zip sizes, and for each (variant, condition) the cold starts, first and warm requests."""
    BUILD.mkdir(parents=True, exist_ok=True)
    zips = {
        **{name: build_hello(name) for name in HELLOS},
        **{f"{name}_trimmed_compiled": build_hello(name, trimmed=True, compiled=True) for name in HELLOS},
        **{f"{name}_compiled": build_hello(name, compiled=True) for name in HELLOS},
        "hello_trimmed_models_compiled": build_hello("hello", trimmed=True, compiled=True, models=True),
        "ours": build_lambda.build(quiet=True),
    }
    sizes = {name: path.stat().st_size for name, path in zips.items()}
    scratch = Path(tempfile.mkdtemp(prefix="bench-startup-"))
    try:
        dirs = {
            **{(name, SHIPPED): unzip(zips[name], scratch / f"{name}-shipped", bytecode=False) for name in HELLOS},
            **{(name, OTHER): unzip(zips[f"{name}_compiled"], scratch / f"{name}-other", bytecode=True) for name in HELLOS},
            ("ours", SHIPPED): unzip(zips["ours"], scratch / "ours-shipped", bytecode=True),
            ("ours", OTHER): unzip(zips["ours"], scratch / "ours-other", bytecode=False),
        }
        runtime = make_runtime_dir(scratch / "runtime")
        runs: Runs = {key: {"cold": [], "first": [], "warm": []} for key in dirs}
        with DynamoDBLocal() as ddb:
            table = "bench_startup_users"
            create_table(client(ddb.endpoint), table)
            env = {
                **AWS_ENV, "PATH": os.environ.get("PATH", ""), "HOME": str(scratch),
                "BACKSTRETCH_TABLE": table, "BACKSTRETCH_DYNAMODB_ENDPOINT": ddb.endpoint,
                "BENCH_TABLE": table, "BENCH_DYNAMODB_ENDPOINT": ddb.endpoint, "LOG_LEVEL": "WARNING",
            }
            keys = list(dirs)
            for round_number in range(-2, rounds):  # two warm-up rounds, not recorded
                for key in keys if round_number % 2 == 0 else reversed(keys):
                    cold, first, warm = one_start(dirs[key], runtime, env, f"amzn1.ask.account.BENCH{key[0]}{key[1]}{round_number}")
                    if round_number >= 0:
                        for name, value in (("cold", cold), ("first", first), ("warm", warm)):
                            runs[key][name].append(value)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return sizes, runs


# -- the report ------------------------------------------------------------------------------------


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def _ratios(top: list[float], bottom: list[float]) -> str:
    """Median ratio, and the round-by-round ratios' median and range."""
    paired = [a / b for a, b in zip(top, bottom)]
    return (f"**{statistics.median(top) / statistics.median(bottom):.2f}** (round by round: median "
            f"{statistics.median(paired):.2f}, {min(paired):.2f}-{max(paired):.2f})")


def render(command: str, sizes: dict[str, int], runs: Runs, rounds: int) -> str:
    hello = sizes["hello"]
    lines = [
        "## Artifact size",
        "",
        f"Produced by `{command}` ({time.strftime('%Y-%m-%d')}, Python {sys.version.split()[0]}), with the start-up below.",
        "",
        "| artifact | zip bytes | ratio to hello world |",
        "|---|---:|---:|",
    ]
    for name, label in (
        ("hello", "ask-sdk-core hello world, as its docs build it"),
        ("hello_dynamodb", "hello world + DynamoDbAdapter, as its docs build it"),
        ("hello_trimmed_compiled", "hello world, trimmed and compiled as ours is"),
        ("hello_dynamodb_trimmed_compiled", "hello world + DynamoDbAdapter, trimmed and compiled as ours is"),
        ("hello_trimmed_models_compiled", "hello world, trimmed and compiled as ours is, ask-sdk-model too"),
        ("ours", "Back Stretch Coach (scripts/build-lambda)"),
    ):
        lines.append(f"| {label} | {sizes[name]:,} | {sizes[name] / hello:.2f} |")
    lines += [
        "",
        f"**Ours / the hello world trimmed and compiled the same way: {sizes['ours'] / sizes['hello_trimmed_compiled']:.2f}** "
        f"(with DynamoDbAdapter: {sizes['ours'] / sizes['hello_dynamodb_trimmed_compiled']:.2f}); "
        f"against the hello world with its ask-sdk-model trimmed as ours is: {sizes['ours'] / sizes['hello_trimmed_models_compiled']:.2f}.",
        "All are built the same way: locked, hashed wheels for python3.13/arm64, boto3 from the Lambda runtime, one",
        "reproducible zip writer. *As its docs build it* bundles `requests` & co and dateutil's time-zone tarball,",
        "as `pip install ask-sdk-core` does, and no bytecode. *Trimmed and compiled* leaves out what ours leaves out",
        "(requests & co, which only ask-sdk-core's `DefaultApiClient` uses; the tarball, which nothing reads) and",
        "adds unchecked-hash bytecode for python3.13, as scripts/build-lambda does. Ours also leaves out the",
        "ask-sdk-model modules nothing in it reaches (scripts/build_lambda.py `trim_models`); the last hello world",
        "row has that done to it too, to show what the skill's own code and data weigh.",
        "",
        "## Start-up (cold start, first request after init, DynamoDB Local)",
        "",
        "A fresh interpreter (`-I -S -B`) with only the unzipped artifact and the runtime's packages on `sys.path`",
        "imports `lambda_function` and answers a LaunchRequest; both DynamoDB variants read the user's item.",
        "*Cold start* runs from starting the process to the end of that answer. Then five more LaunchRequests",
        "(other users): *warm* is their median. Nothing is written into the unzipped folders, as on Lambda, so",
        "bytecode the zip does not ship is compiled by every cold start. *As shipped*: the hello worlds without",
        "bytecode (as their docs build them), ours with the bytecode scripts/build-lambda puts in. *The other way*:",
        "the hello worlds compiled as ours is, ours with its bytecode taken out.",
        f"All six ran interleaved in one run, {rounds} rounds (ABBA order, after two unrecorded warm-up rounds).",
        "",
        f"| variant | cold start, median of {rounds} | min-max | first request | warm request |",
        "|---|---:|---:|---:|---:|",
    ]
    for condition, condition_label in ((SHIPPED, "as shipped"), (OTHER, "the other way")):
        for name in ("hello", "hello_dynamodb", "ours"):
            run = runs[(name, condition)]
            lines.append(
                f"| {LABELS[name]}, {condition_label} | {_ms(statistics.median(run['cold']))} | "
                f"{_ms(min(run['cold']))}-{_ms(max(run['cold']))} | {_ms(statistics.median(run['first']))} | "
                f"{_ms(statistics.median(run['warm']))} |"
            )
    ours, theirs = runs[("ours", SHIPPED)], runs[("hello_dynamodb", SHIPPED)]
    lines += [
        "",
        f"- Cold start as on Lambda, ours / hello world + DynamoDbAdapter (both as shipped): "
        f"{_ratios(ours['cold'], theirs['cold'])} (goal ≤ 0.70).",
        f"- Both with bytecode (ours as shipped, the hello world compiled): "
        f"{_ratios(ours['cold'], runs[('hello_dynamodb', OTHER)]['cold'])}.",
        f"- Both without bytecode: {_ratios(runs[('ours', OTHER)]['cold'], theirs['cold'])}.",
        f"- Ours, bytecode shipped / not: {_ratios(ours['cold'], runs[('ours', OTHER)]['cold'])}.",
        f"- First request after init / warm request, ours: {_ratios(ours['first'], ours['warm'])} (goal ≤ 2); "
        f"hello world + DynamoDbAdapter: {_ratios(theirs['first'], theirs['warm'])}.",
    ]
    return "\n".join(lines)


_SECTIONS = re.compile(r"\n## Artifact size\n.*?(?=\n## (?!Start-up|Cold start)|\Z)", re.S)


def write(text: str) -> None:
    """Put the two sections into docs/BENCHMARKS.md in place of the older ones (or after the heading)."""
    report = REPORT.read_text(encoding="utf-8") if REPORT.is_file() else "# Benchmarks\n"
    if _SECTIONS.search(report):
        report = _SECTIONS.sub(lambda _: "\n" + text + "\n", report, count=1)
    else:
        report = report.rstrip("\n") + "\n\n" + text + "\n"
    REPORT.write_text(report, encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=31)
    args = parser.parse_args()
    os.environ.update(AWS_ENV)
    sizes, runs = measure(args.rounds)
    text = render(f".venv/bin/python bench/startup.py --rounds {args.rounds}", sizes, runs, args.rounds)
    write(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
