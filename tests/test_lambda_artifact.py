"""The Lambda zip works on its own: built by scripts/build-lambda, unzipped, run in a fresh interpreter.

The fresh interpreter sees only what Lambda would: the unzipped artifact first (``/var/task``), then the
packages the Python runtime provides (``/var/runtime``: boto3, botocore, jmespath, s3transfer, urllib3,
dateutil, six), here symlinked from this venv into a folder of their own. Not the whole site-packages:
that would also offer Flask, this repo's ``skill`` (installed editable) and every dependency the zip
might lack, and hide exactly the faults this test is for.

The zip is built for python3.13 on arm64, with its bytecode; the tests run on python3.13 too
(scripts/setup), so the bytecode is the interpreter's own. All bundled packages are pure Python. The first build downloads the pinned wheels (PyPI); later ones use build/.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

from tests.support.e2e import LOCAL_AWS_ENV as AWS_ENV
from tests.support.lambda_runtime import make_runtime_dir
from tests.support.scripts import load_script

pytest_plugins = ["tests.support.fixtures_dynamodb"]

ROOT = Path(__file__).resolve().parent.parent
ZIP_PATH = ROOT / "build" / "back-stretch-coach.zip"
EVENTS = ROOT / "tests" / "events"

def _build() -> str:
    subprocess.run(["bash", str(ROOT / "scripts" / "build-lambda"), "--quiet"], cwd=ROOT, check=True, timeout=900)
    return hashlib.sha256(ZIP_PATH.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def artifact() -> Path:
    _build()
    return ZIP_PATH


@pytest.fixture(scope="module")
def names(artifact: Path) -> list[str]:
    with zipfile.ZipFile(artifact) as archive:
        return archive.namelist()


@pytest.fixture(scope="module")
def task_dir(artifact: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("var_task")
    assert not any(target.iterdir())
    with zipfile.ZipFile(artifact) as archive:
        archive.extractall(target)
    return target


@pytest.fixture(scope="module")
def runtime_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Stand-in for /var/runtime: links to this venv's copies of what the runtime provides."""
    return make_runtime_dir(tmp_path_factory.mktemp("var_runtime") / "runtime")


def test_the_bundled_packages_are_the_runtime_lock(names: list[str], artifact: Path) -> None:
    """Every package in the zip is one that requirements/lambda.in names, at the runtime lock's version."""
    locks = load_script("locks")
    with zipfile.ZipFile(artifact) as archive:
        bundled = {}
        for name in names:
            if name.endswith(".dist-info/METADATA"):
                meta = archive.read(name).decode("utf-8")
                fields = dict(line.split(": ", 1) for line in meta.splitlines()[:3] if ": " in line)
                bundled[locks.normalise(fields["Name"])] = fields["Version"]
    locked = locks.unmarked(locks.read(locks.RUNTIME_LOCK))
    wanted = {name: locked[name].version for name in locks.names(ROOT / "requirements" / "lambda.in")}
    assert bundled == wanted


def test_zip_contents(names: list[str], artifact: Path, record_property: Any) -> None:
    size = artifact.stat().st_size
    record_property("lambda_zip_bytes", size)
    print(f"\nLambda artifact: {artifact.relative_to(ROOT)} {size} bytes ({size / 1e6:.2f} MB), {len(names)} files")

    assert "lambda_function.py" in names
    for needed in ("skill/entrypoints/lambda_entry.py", "skill/entrypoints/invoke.py", "skill/app.py",
                   "skill/speech/locales/en-US.json", "skill/catalogue/stretches.json",
                   "skill/persistence/dynamodb_store.py", "ask_sdk_core/skill.py", "ask_sdk_model/__init__.py"):
        assert needed in names, needed
    tops = {name.split("/")[0] for name in names}
    assert not {"flask", "werkzeug", "jinja2", "tests", "boto3", "botocore"} & {t.lower() for t in tops}, sorted(tops)
    assert not [n for n in names if n.lower().startswith(("flask", "werkzeug"))]
    for left_out in ("nlu.py", "web.py", "cli.py", "chat.py"):
        assert f"skill/entrypoints/{left_out}" not in names
    assert not [n for n in names if n.endswith("/nlu.py") or n == "nlu.py"]
    # Bytecode for the runtime's Python beside every module, and no other.
    tag = f"cpython-{sys.version_info.major}{sys.version_info.minor}"
    sources = {n for n in names if n.endswith(".py")}
    compiled = {n for n in names if n.endswith((".pyc", ".pyo"))}
    assert compiled == {f"{n.rpartition('/')[0]}/__pycache__/{n.rpartition('/')[2][:-3]}.{tag}.pyc".lstrip("/") for n in sources}
    assert "dateutil/zoneinfo/dateutil-zoneinfo.tar.gz" not in names and "dateutil/parser/_parser.py" in names
    assert not [n for n in names if n.startswith("skill/") and not n.endswith((".py", ".pyc", ".json"))]
    # The locale models answer name-free requests whose slot Alexa did not resolve; the chat's table and the manifest stay out.
    models = sorted(n.removeprefix("skill/models/") for n in names if n.startswith("skill/models/") and not n.endswith(".pyc"))
    assert models == ["__init__.py", "en-AU.json", "en-CA.json", "en-GB.json", "en-IN.json", "en-US.json"]
    # Their slot types (values and synonyms) as in the repository; the samples, which nothing on Lambda reads, left out.
    with zipfile.ZipFile(artifact) as archive:
        shipped = json.loads(archive.read("skill/models/en-US.json"))["interactionModel"]["languageModel"]
    source = json.loads((ROOT / "interaction_models" / "en-US.json").read_text(encoding="utf-8"))["interactionModel"]["languageModel"]
    assert shipped["types"] == source["types"]
    assert [i["name"] for i in shipped["intents"]] == [i["name"] for i in source["intents"]]
    assert not any("samples" in i for i in shipped["intents"])

    # Lambda's limits for a directly uploaded zip: 50 MB zipped, 250 MB unzipped.
    with zipfile.ZipFile(artifact) as archive:
        unzipped = sum(info.file_size for info in archive.infolist())
    assert size < 50 * 1024 * 1024
    assert unzipped < 250 * 1024 * 1024


def test_build_is_reproducible(artifact: Path) -> None:
    first = hashlib.sha256(artifact.read_bytes()).hexdigest()
    assert _build() == first
    with zipfile.ZipFile(artifact) as archive:
        infos = archive.infolist()
    assert [i.filename for i in infos] == sorted(i.filename for i in infos)
    assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}


_CHILD = r"""
import importlib, importlib.util, json, os, sys
task_dir, runtime_dir, events = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
sys.path.insert(0, task_dir)   # /var/task first ...
sys.path.append(runtime_dir)   # ... then what the runtime provides

import lambda_function
import skill, ask_sdk_core
report = {
    "skill_file": skill.__file__,
    "ask_sdk_core_file": ask_sdk_core.__file__,
    "lambda_function_file": lambda_function.__file__,
    "flask_importable": importlib.util.find_spec("flask") is not None,
    "replies": [],
}
for event in events:
    report["replies"].append(lambda_function.lambda_handler(event, None))
# Every shipped module imports with only the zip and the runtime: nothing the zip left out is needed.
for root, dirs, files in os.walk(os.path.join(task_dir, "skill")):
    for name in sorted(files):
        if name.endswith(".py"):
            rel = os.path.relpath(os.path.join(root, name), task_dir)[:-3].replace(os.sep, ".")
            importlib.import_module(rel.removesuffix(".__init__"))
# requests is left out of the zip (only ask-sdk-core's DefaultApiClient uses it): prove nothing loaded it.
report["requests_loaded"] = sorted(m for m in sys.modules if m.split(".")[0] in ("requests", "idna", "charset_normalizer", "certifi"))
report["boto3_file"] = __import__("boto3").__file__
print(json.dumps(report))
"""


def _event(name: str) -> dict[str, Any]:
    event: dict[str, Any] = json.loads((EVENTS / f"{name}.json").read_text(encoding="utf-8"))
    return event


def test_handler_runs_from_the_zip_alone(task_dir: Path, runtime_dir: Path, tmp_path: Path) -> None:
    name_free = _event("cfir_no_user")
    name_free["request"]["intent"]["slots"]["routine"]["value"] = "lumbar"  # a synonym only the interaction model has
    events = [_event("launch_request"), _event("start_routine_morning"), name_free]
    env = {
        **AWS_ENV,
        "BACKSTRETCH_DATA_DIR": str(tmp_path / "data"),  # no table: the embedded SQLite store
        "HOME": str(tmp_path),
        # For the record only: -I ignores PYTHONPATH, so the child sets sys.path itself.
        "PYTHONPATH": str(task_dir),
    }
    result = subprocess.run(
        # -I: no PYTHON* variables, no user site, no script dir; -S: not even this venv's site-packages.
        [sys.executable, "-I", "-S", "-c", _CHILD, str(task_dir), str(runtime_dir), json.dumps(events)],
        env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])

    for key in ("skill_file", "ask_sdk_core_file", "lambda_function_file"):
        assert Path(report[key]).resolve().is_relative_to(task_dir.resolve()), (key, report[key])
    assert Path(report["boto3_file"]).parent.parent == runtime_dir
    assert report["flask_importable"] is False
    assert report["requests_loaded"] == []

    launch, start, can_fulfill = (reply["response"] for reply in report["replies"])
    assert can_fulfill == {"canFulfillIntent": {"canFulfill": "YES", "slots": {"routine": {"canUnderstand": "YES", "canFulfill": "YES"}}}}
    assert "Welcome" in launch["outputSpeech"]["ssml"]
    assert launch["shouldEndSession"] is False
    assert "First, single knee to chest" in start["outputSpeech"]["ssml"]
    assert "You finished the morning back stretches" in start["outputSpeech"]["ssml"]
    assert "How does your back feel now" in start["outputSpeech"]["ssml"], "the whole morning routine plays in one response"


_BYTECODE_CHILD = r"""
import importlib, importlib.machinery, json, os, sys
task_dir, runtime_dir, events = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
sys.path.insert(0, task_dir)
sys.path.append(runtime_dir)

compiled = []  # every module whose source was compiled in this process
_source_to_code = importlib.machinery.SourceFileLoader.source_to_code
def source_to_code(self, data, path, *args, **kwargs):
    compiled.append(str(path))
    return _source_to_code(self, data, path, *args, **kwargs)
importlib.machinery.SourceFileLoader.source_to_code = source_to_code

import lambda_function
replies = [lambda_function.lambda_handler(event, None)["response"] for event in events]
for root, dirs, files in os.walk(os.path.join(task_dir, "skill")):
    for name in sorted(files):
        if name.endswith(".py"):
            rel = os.path.relpath(os.path.join(root, name), task_dir)[:-3].replace(os.sep, ".")
            importlib.import_module(rel.removesuffix(".__init__"))
ours = {name: module for name, module in sys.modules.items() if (getattr(module, "__file__", None) or "").startswith(task_dir)}
print(json.dumps({
    "writes_bytecode": not sys.dont_write_bytecode,
    "compiled": compiled,
    "modules": sorted(ours),
    "without_bytecode": sorted(n for n, m in ours.items() if not (m.__cached__ and os.path.isfile(m.__cached__))),
    "replies": replies,
}))
"""


def _files(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*")}


def test_the_shipped_bytecode_is_used_on_a_read_only_copy(artifact: Path, runtime_dir: Path, tmp_path: Path) -> None:
    """As on Lambda: the unzipped package is read-only and nothing in it is compiled, so no cold start compiles."""
    task = tmp_path / "task"
    with zipfile.ZipFile(artifact) as archive:
        archive.extractall(task)
    for path in [task, *task.rglob("*")]:
        path.chmod(0o555 if path.is_dir() else 0o444)
    before = _files(task)
    events = [_event("launch_request"), _event("start_routine_morning")]
    env = {**AWS_ENV, "BACKSTRETCH_DATA_DIR": str(tmp_path / "data"), "HOME": str(tmp_path)}
    try:
        result = subprocess.run(
            # Not -B: an interpreter that found no usable bytecode would compile, and (as root) write it.
            [sys.executable, "-I", "-S", "-c", _BYTECODE_CHILD, str(task), str(runtime_dir), json.dumps(events)],
            env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120,
        )
        assert result.returncode == 0, result.stderr[-4000:]
        report = json.loads(result.stdout.strip().splitlines()[-1])
        assert _files(task) == before, "nothing is written into the package"
    finally:
        for path in [task, *task.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)

    assert report["writes_bytecode"], "the interpreter would have written bytecode had it compiled any"
    assert "lambda_function" in report["modules"] and "ask_sdk_model.request_envelope" in report["modules"]
    assert "skill.persistence.dynamodb_store" in report["modules"] and len(report["modules"]) > 300
    assert report["compiled"] == []
    assert report["without_bytecode"] == []
    launch, start = report["replies"]
    assert "Welcome" in launch["outputSpeech"]["ssml"]
    assert "First, single knee to chest" in start["outputSpeech"]["ssml"]


_INIT_CHILD = r"""
import json, sys
task_dir, runtime_dir, event = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
sys.path.insert(0, task_dir)
sys.path.append(runtime_dir)
import lambda_function
from skill.entrypoints import lambda_entry
client = lambda_entry._store._client
loaded = set(sys.modules)
reply = lambda_function.lambda_handler(event, None)
print(json.dumps({
    "client_at_init": client is not None,
    "same_client": lambda_entry._store._client is client,
    "loaded_by_request": sorted(set(sys.modules) - loaded),
    "reply": reply["response"],
}))
"""


def _dynamodb_env(endpoint: str, table: str, home: Path) -> dict[str, str]:
    return {**AWS_ENV, "BACKSTRETCH_TABLE": table, "BACKSTRETCH_DYNAMODB_ENDPOINT": endpoint, "HOME": str(home), "LOG_LEVEL": "INFO"}


@pytest.mark.parametrize(("name", "said"), [("launch_request", "Welcome"), ("start_routine_morning", "Hold for")])
def test_init_leaves_the_first_request_nothing_to_set_up(
    task_dir: Path, runtime_dir: Path, tmp_path: Path, dynamodb_local: Any, table: str, name: str, said: str
) -> None:
    """Importing the handler builds the skill and the store's client: the first request, a launch or a
    routine (which asks Alexa's Settings API for the time zone: here a closed port, so it falls back),
    loads no module and makes no new client."""
    event = _event(name)
    system = event["context"]["System"]
    system.update(apiEndpoint="http://127.0.0.1:9", apiAccessToken="token")
    system.setdefault("device", {"deviceId": "device"})
    result = subprocess.run(
        [sys.executable, "-I", "-S", "-c", _INIT_CHILD, str(task_dir), str(runtime_dir), json.dumps(event)],
        env=_dynamodb_env(dynamodb_local.endpoint, table, tmp_path), cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["client_at_init"] and report["same_client"]
    assert report["loaded_by_request"] == []
    assert said in report["reply"]["outputSpeech"]["ssml"]


# Lambda's SnapStart hooks module (part of its Python runtime, not on PyPI's path here): it records what
# is registered, and the child runs the hooks as the runtime does after a restore.
_SNAPSHOT_RESTORE_PY = """
after_restore = []
def register_after_restore(func, *args, **kwargs):
    after_restore.append((func, args, kwargs))
    return func
"""

_RESTORE_CHILD = r"""
import io, json, logging, os, random, sys
task_dir, runtime_dir, hooks_dir, event = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
sys.path.insert(0, task_dir)
sys.path.extend([runtime_dir, hooks_dir])
import lambda_function, snapshot_restore_py
from skill.entrypoints import lambda_entry
snapshot_store, snapshot_client = lambda_entry._store, lambda_entry._store._client
snapshot_random = random.getstate()

def environment(restore):
    # One environment started from the snapshot (this process's memory, copied by fork).
    read, write = os.pipe()
    if os.fork() == 0:
        os.close(read)
        random.setstate(snapshot_random)  # Python reseeds a forked child; a restored snapshot is not reseeded
        if restore:
            for func, args, kwargs in snapshot_restore_py.after_restore:
                func(*args, **kwargs)
        lines = io.StringIO()
        logging.getLogger("backstretch.requests").addHandler(logging.StreamHandler(lines))
        reply = lambda_function.lambda_handler(event, None)
        logged = [json.loads(line) for line in lines.getvalue().splitlines()]
        result = {
            "random": random.random(),
            "user_hash": logged[-1]["user"],
            "new_store": lambda_entry._store is not snapshot_store,
            "new_client": lambda_entry._store._client not in (None, snapshot_client),
            "welcome": "Welcome" in reply["response"]["outputSpeech"]["ssml"],
        }
        os.write(write, json.dumps(result).encode())
        os._exit(0)
    os.close(write)
    with os.fdopen(read) as pipe:
        return json.loads(pipe.read())

print(json.dumps({
    "registered": len(snapshot_restore_py.after_restore),
    "restored": [environment(True), environment(True)],
    "not_restored": [environment(False), environment(False)],
}))
"""


def test_environments_restored_from_one_snapshot_share_no_state(
    task_dir: Path, runtime_dir: Path, tmp_path: Path, dynamodb_local: Any, table: str
) -> None:
    """SnapStart: two environments restored from the same snapshot draw different random numbers, hash
    user ids with different salts and use their own store clients; without the hooks they would not."""
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    (hooks / "snapshot_restore_py.py").write_text(_SNAPSHOT_RESTORE_PY, encoding="utf-8")
    env = _dynamodb_env(dynamodb_local.endpoint, table, tmp_path)
    result = subprocess.run(
        [sys.executable, "-I", "-S", "-c", _RESTORE_CHILD, str(task_dir), str(runtime_dir), str(hooks), json.dumps(_event("launch_request"))],
        env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["registered"] == 1
    first, second = report["restored"]
    assert first["random"] != second["random"]
    assert first["user_hash"] != second["user_hash"]  # no salt configured: each environment has its own
    assert all(r["new_store"] and r["new_client"] and r["welcome"] for r in (first, second))
    # The control: environments copied from the snapshot without the hooks share all of it.
    plain, twin = report["not_restored"]
    assert plain["random"] == twin["random"] and plain["user_hash"] == twin["user_hash"]
    assert not plain["new_client"] and plain["welcome"]


# -- the trimmed ask-sdk-model: every request the skill accepts, every response it builds ----------

_ROUND_TRIP_CHILD = r"""
import json, sys
task_dir, events = sys.argv[1], json.loads(sys.argv[2])
sys.path.insert(0, task_dir)  # the unzipped package alone (the embedded store: no boto3 needed)
import lambda_function
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_model import RequestEnvelope, ResponseEnvelope
serializer = DefaultSerializer()
def again(body, kind):
    return serializer.serialize(serializer.deserialize(json.dumps(body), kind))
out = []
for event in events:
    response = lambda_function.lambda_handler(event, None)
    out.append({"request": again(event, RequestEnvelope), "response": response, "response_again": again(response, ResponseEnvelope)})
print(json.dumps({"ask_sdk_model": __import__("ask_sdk_model").__file__, "results": out}, default=str))
"""


def _recorded_conversation(tmp_path: Path) -> list[dict[str, Any]]:
    """The requests of conversations with the skill as installed here, on a screen device and a voice-only
    one: every kind of request and response the skill makes in ordinary use."""
    from tests.support.conversation import Alexa

    events: list[dict[str, Any]] = []

    def recording(handler: Any) -> Any:
        def handle(event: dict[str, Any], context: Any) -> dict[str, Any]:
            events.append(json.loads(json.dumps(event)))
            return handler(event, context)  # type: ignore[no-any-return]
        return handle

    for screen in (True, False):
        alexa = Alexa.for_lambda(tmp_path / f"recorded-{screen}", screen=screen)
        alexa.handler = recording(alexa.handler)
        alexa.launch()
        alexa.intent("SetHoldTimeIntent", seconds="45")
        alexa.intent("SetHoldTimeIntent")  # no number: the skill asks for it (Dialog.ElicitSlot)
        alexa.intent("StartRoutineIntent", routine=("morning back stretches", "morning"))
        alexa.intent("AMAZON.HelpIntent")
        alexa.api_access_token = "token"  # a reminder without the permission: Alexa asks (Connections.SendRequest)
        alexa.intent("SetReminderIntent", time="07:00")
        alexa.intent("AMAZON.YesIntent")  # the consent the skill asks for first
        alexa.intent("AMAZON.StopIntent")
    return events


def _full_model_round_trip(body: dict[str, Any], kind: type) -> Any:
    """``body`` read and written again by the complete ask-sdk-model this venv has."""
    from ask_sdk_core.serialize import DefaultSerializer

    serializer = DefaultSerializer()
    return json.loads(json.dumps(serializer.serialize(serializer.deserialize(json.dumps(body), kind)), default=str))


_ALEXA_SENDS_UNASKED = [  # request types Alexa may send any skill with screens; the skill only answers politely
    {"type": "System.ExceptionEncountered", "requestId": "r1", "timestamp": "2025-01-01T00:00:00Z", "locale": "en-US",
     "error": {"type": "INVALID_RESPONSE", "message": "bad"}, "cause": {"requestId": "r0"}},
    {"type": "Alexa.Presentation.APL.RuntimeError", "requestId": "r2", "timestamp": "2025-01-01T00:00:00Z", "locale": "en-US",
     "token": "t", "errors": [{"type": "LIST_ERROR", "reason": "INVALID_LIST_ID", "message": "no", "listId": "l"}]},
    {"type": "AlexaSkillEvent.SkillDisabled", "requestId": "r3", "timestamp": "2025-01-01T00:00:00Z", "locale": "en-US",
     "eventCreationTime": "2025-01-01T00:00:00Z", "eventPublishingTime": "2025-01-01T00:00:00Z",
     "body": {"userInformationPersistenceStatus": "NOT_PERSISTED"}},
]


def test_the_trimmed_models_read_every_request_and_write_every_response(task_dir: Path, tmp_path: Path) -> None:
    """From the zip alone (its trimmed ask-sdk-model): every request fixture, recorded conversations and
    the requests Alexa sends unasked are read, answered, and read and written exactly as the complete
    ask-sdk-model reads and writes them."""
    events = [json.loads(path.read_text(encoding="utf-8")) for path in sorted(EVENTS.glob("*.json"))]
    events += _recorded_conversation(tmp_path)
    for request in _ALEXA_SENDS_UNASKED:
        event = _event("session_ended_request")
        event["request"] = request
        events.append(event)
    result = subprocess.run(
        [sys.executable, "-I", "-S", "-c", _ROUND_TRIP_CHILD, str(task_dir), json.dumps(events)],
        env={**AWS_ENV, "BACKSTRETCH_DATA_DIR": str(tmp_path / "zip-data"), "HOME": str(tmp_path)},
        cwd=tmp_path, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert Path(report["ask_sdk_model"]).is_relative_to(task_dir)
    from ask_sdk_model import RequestEnvelope, ResponseEnvelope

    kinds: set[str] = set()
    directives: set[str] = set()
    for event, outcome in zip(events, report["results"], strict=True):
        kinds.add(event["request"]["type"])
        assert outcome["request"] == _full_model_round_trip(event, RequestEnvelope), event["request"]["type"]
        assert outcome["response_again"] == _full_model_round_trip(outcome["response"], ResponseEnvelope)
        assert outcome["response_again"] == json.loads(json.dumps(outcome["response"]))
        directives.update(d["type"] for d in outcome["response"].get("response", {}).get("directives", []))
    # What the corpus covers: every request type the skill answers, and every directive it sends.
    assert {"LaunchRequest", "IntentRequest", "SessionEndedRequest", "CanFulfillIntentRequest", "Connections.Response",
            "Alexa.Presentation.APL.UserEvent", "AlexaSkillEvent.SkillDisabled", "System.ExceptionEncountered",
            "Alexa.Presentation.APL.RuntimeError"} <= kinds
    assert {"Alexa.Presentation.APL.RenderDocument", "Dialog.ElicitSlot", "Connections.SendRequest"} <= directives, directives


def test_the_zip_knows_the_time_zones_without_the_systems_database(task_dir: Path, runtime_dir: Path, tmp_path: Path) -> None:
    """The user's own day needs the IANA zones; a runtime image may have no /usr/share/zoneinfo (here: none on
    the search path), so the zip carries them."""
    child = (
        "import sys, zoneinfo; sys.path[:0] = [sys.argv[1], sys.argv[2]]; assert zoneinfo.TZPATH == ()\n"
        "from skill.profile import known_zone\n"
        "from datetime import datetime, timezone\n"
        "print(known_zone('America/Los_Angeles'), datetime(2026, 7, 1, tzinfo=timezone.utc).astimezone(zoneinfo.ZoneInfo('Australia/Sydney')).hour)"
    )
    env = {"PYTHONTZPATH": "", "PYTHONNOUSERSITE": "1", "PATH": "/usr/bin:/bin"}
    result = subprocess.run([sys.executable, "-S", "-c", child, str(task_dir), str(runtime_dir)], env=env, cwd=tmp_path,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == ["True", "10"]
