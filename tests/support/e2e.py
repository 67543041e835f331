"""End-to-end helpers: drive scripted Alexa conversations and run the skill's web server locally.

``drive()`` runs ``tests/e2e/drive.js`` (virtual-alexa + ssml-check-core under Node) against a
skill URL on loopback and returns the recorded conversations; see the comment block at the top of
drive.js for the spec, the output format and how virtual-alexa turns words into intents.
``serve()`` starts ``backstretch serve --no-verify`` on a free loopback port for the duration of a
``with`` block.

Every process started here gets :data:`LOCAL_AWS_ENV` (region, dummy credentials, no
instance-metadata lookups) and only ever talks to 127.0.0.1.

What ssml-check-core 0.3.9 (``check(ssml, {platform: "amazon", locale})``) catches:

* XML that does not parse ("Can't parse SSML"): unclosed or crossed tags, a bare ``<``, text or a
  second element outside the root, a missing root; an unescaped ``&`` gets its own type
  ("Invalid & character");
* a root that is not ``<speak>`` (also the empty string);
* tags that are not SSML/Alexa tags (e.g. ``<foo>``, Google-only ``<par>``);
* attribute names and values per tag: ``<break time>`` above 10 s / 10000 ms or not ``Ns``/``Nms``,
  ``<break strength>``, ``<prosody rate>`` below 20 %, ``pitch``, ``volume``, ``<audio>`` without
  ``src``, ``amazon:emotion``/``amazon:domain`` against the locale;
* more than five ``<audio>`` tags.

What it does NOT catch (check these in the skill's own tests if they matter):

* the 8000-character ``outputSpeech`` limit and the 120 KB response limit;
* two ``<break>`` tags side by side, breaks inside ``<prosody>``, decimal seconds (``2.5s`` passes;
  ``10.9s`` passes because it reads the whole seconds only);
* undefined XML entities such as ``&nbsp;`` (accepted), a nested ``<speak>``;
* unknown ``say-as interpret-as`` values on Amazon (an operator bug makes every value pass);
* ``<audio src>`` that is not https, audio durations (240 s / 90 s);
* anything about the response outside the SSML strings.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

PROJECT_ROOT: Path = Path(__file__).resolve().parents[2]
"""The repository root (the directory holding package.json and node_modules)."""

DRIVER: Path = PROJECT_ROOT / "tests" / "e2e" / "drive.js"

LOCAL_AWS_ENV: dict[str, str] = {
    "AWS_REGION": "us-east-1",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_ACCESS_KEY_ID": "dummy",
    "AWS_SECRET_ACCESS_KEY": "dummy",
    "AWS_EC2_METADATA_DISABLED": "true",
}
"""Environment every locally started process must have: nothing may look for real AWS."""

_DROPPED_ENV: tuple[str, ...] = ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN")


class DriverError(RuntimeError):
    """drive.js could not run, failed, or printed something that is not its JSON document."""


class ServerStartError(RuntimeError):
    """The skill's web server exited or did not answer in time."""


def local_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """Return a copy of ``os.environ`` with :data:`LOCAL_AWS_ENV` applied, then ``extra``.

    Real-credential variables (profile, session token) are removed so nothing mixes a dummy key
    with a real token; loopback is excluded from any proxy configuration.
    """
    env = {k: v for k, v in os.environ.items() if k not in _DROPPED_ENV}
    env.update(LOCAL_AWS_ENV)
    no_proxy = ",".join(filter(None, [env.get("NO_PROXY", ""), "127.0.0.1,localhost"]))
    env["NO_PROXY"] = env["no_proxy"] = no_proxy
    if extra:
        env.update(extra)
    return env


def node_modules_dir() -> Path:
    """Return the project's node_modules directory, or raise if the npm tools are not installed."""
    path = PROJECT_ROOT / "node_modules"
    if not (path / "virtual-alexa").is_dir():
        raise RuntimeError(
            f"{path} is missing or incomplete (no virtual-alexa): run scripts/setup first "
            "(it installs the npm test tools from package.json)"
        )
    return path


def require_executable(name: str, purpose: str) -> str:
    """Return the full path of ``name`` on PATH, or raise with a message saying what needs it."""
    found = shutil.which(name)
    if found is None:
        raise RuntimeError(f"'{name}' is not on PATH; it is required for {purpose}. Install it (see scripts/setup).")
    return found


def free_loopback_port() -> int:
    """Return a TCP port that is free on 127.0.0.1 right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def port_answers(port: int, host: str = "127.0.0.1", timeout: float = 0.5) -> bool:
    """Return True if a TCP connection to ``host:port`` succeeds."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def drive(
    url: str,
    conversations: list[dict[str, Any]],
    model: Path,
    locale: str = "en-US",
    *,
    application_id: str | None = None,
    on_invalid_response: str = "continue",
    request_timeout: float = 15.0,
    timeout: float = 180.0,
) -> list[dict[str, Any]]:
    """Play ``conversations`` against the skill at ``url`` and return what drive.js recorded.

    Args:
        url: The skill endpoint on loopback, e.g. ``http://127.0.0.1:5000/``.
        conversations: ``[{"name": ..., "userId": optional, "turns": [...]}]`` (see drive.js).
            Turns are passed to drive.js unchanged, so object turns may carry the request timestamp
            options: ``{"utter": "pause", "afterMs": 90000}`` (previous response's arrival time +
            90 s), ``{"intent": ..., "timestamp": "2026-11-29T17:46:41Z"}`` (verbatim) or
            ``"timestamp": None`` (field removed).
        model: Path of the interaction model JSON used to turn utterances into intents.
        locale: Request locale; also the locale the SSML is checked against.
        application_id: Skill id to put in the requests (default: a random id per conversation).
        on_invalid_response: ``"continue"`` or ``"end-session"`` (send SessionEndedRequest ERROR
            after a failed response, like a device).
        request_timeout: Seconds each HTTP request may take.
        timeout: Seconds the whole run may take before drive.js is killed.

    Returns:
        One dict per conversation: ``{"name", "userId", "error", "turns": [{"turn", "resolution",
        "request", "httpStatus", "response", "ssmlErrors", "error", "sessionOpenAfter"}]}``; a turn
        with ``afterMs`` also has ``"previousResponseAt"`` (ISO time the timestamp was based on).

    Raises:
        RuntimeError: node or node_modules is missing.
        DriverError: drive.js rejected the spec, crashed, timed out or printed no JSON.
    """
    node = require_executable("node", "the end-to-end driver (tests/e2e/drive.js)")
    node_modules_dir()
    model_path = Path(model).resolve()
    spec: dict[str, Any] = {
        "url": url,
        "model": str(model_path),
        "locale": locale,
        "onInvalidResponse": on_invalid_response,
        "timeoutMs": int(request_timeout * 1000),
        "conversations": conversations,
    }
    if application_id is not None:
        spec["applicationId"] = application_id
    try:
        proc = subprocess.run(
            [node, str(DRIVER)],
            input=json.dumps(spec),
            capture_output=True,
            text=True,
            encoding="utf-8",
            cwd=PROJECT_ROOT,
            env=local_env({"AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE": "1"}),
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise DriverError(f"drive.js did not finish within {timeout} s; stderr:\n{_text(exc.stderr)}") from exc
    if proc.returncode != 0:
        raise DriverError(f"drive.js exited with status {proc.returncode}; stderr:\n{proc.stderr}")
    try:
        document = json.loads(proc.stdout)
    except json.JSONDecodeError as exc:
        raise DriverError(
            f"drive.js printed no valid JSON ({exc}); stdout starts:\n{proc.stdout[:2000]}\nstderr:\n{proc.stderr}"
        ) from exc
    result: list[dict[str, Any]] = document["conversations"]
    return result


def _text(data: str | bytes | None) -> str:
    """Decode captured process output that may be bytes, str or None."""
    if data is None:
        return ""
    if isinstance(data, bytes):
        return data.decode("utf-8", "replace")
    return data


def _tail(path: Path, limit: int = 6000) -> str:
    """Return the last ``limit`` characters of a log file ('' if it cannot be read)."""
    try:
        return path.read_text("utf-8", "replace")[-limit:]
    except OSError:
        return ""


def _server_command(port: int, data_dir: Path, extra_args: Sequence[str], verify: bool = False) -> list[str]:
    """Build the ``backstretch serve`` command line, using the venv script when it exists."""
    script = Path(sys.executable).parent / "backstretch"
    base = [str(script)] if script.exists() else [sys.executable, "-m", "skill.entrypoints.cli"]
    return [
        *base,
        "serve",
        *([] if verify else ["--no-verify"]),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--data-dir",
        str(data_dir),
        *extra_args,
    ]


def _stop(proc: subprocess.Popen[bytes], grace: float) -> None:
    """Terminate ``proc`` (SIGTERM), then kill it if it has not exited after ``grace`` seconds."""
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=grace)


@contextmanager
def serve(
    tmp_path: Path,
    extra_args: Sequence[str] = (),
    env: Mapping[str, str] | None = None,
    *,
    verify: bool = False,
    startup_timeout: float = 30.0,
    stop_timeout: float = 10.0,
) -> Iterator[str]:
    """Run ``backstretch serve --no-verify`` (``verify=True``: with its signature checks) on a free
    loopback port; yield its base URL.

    The server gets ``--data-dir tmp_path`` and ``BACKSTRETCH_DATA_DIR=tmp_path`` plus
    :data:`LOCAL_AWS_ENV` and ``env``. Its stdout/stderr go to a log file outside ``tmp_path``; if
    it exits before the port answers, or the port does not answer within ``startup_timeout``,
    :class:`ServerStartError` carries the log. If the ``with`` body raises, the log tail is written
    to ``sys.stderr`` (pytest shows it with the failure). Afterwards the process is terminated, and
    killed if it has not exited within ``stop_timeout`` seconds.

    Args:
        tmp_path: Data directory for the server (pytest's ``tmp_path``).
        extra_args: More command-line arguments for ``backstretch serve``.
        env: Extra environment variables (applied last).
        startup_timeout: Seconds to wait for the port to answer.
        stop_timeout: Seconds to wait after SIGTERM (and after SIGKILL).

    Yields:
        ``http://127.0.0.1:PORT/``
    """
    data_dir = Path(tmp_path)
    data_dir.mkdir(parents=True, exist_ok=True)
    port = free_loopback_port()
    command = _server_command(port, data_dir, extra_args, verify)
    full_env = local_env({"BACKSTRETCH_DATA_DIR": str(data_dir), "PYTHONUNBUFFERED": "1"})
    if env:
        full_env.update(env)
    log_dir = Path(tempfile.mkdtemp(prefix="backstretch-serve-"))
    log_path = log_dir / "server.log"
    started = ok = False
    try:
        with log_path.open("wb") as log:
            proc = subprocess.Popen(
                command,
                cwd=PROJECT_ROOT,
                env=full_env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            try:
                _wait_until_answering(proc, port, startup_timeout, command, log_path)
                started = True
                yield f"http://127.0.0.1:{port}/"
                ok = True
            finally:
                _stop(proc, stop_timeout)
    finally:
        if started and not ok:
            sys.stderr.write(f"--- backstretch serve output ({log_path}) ---\n{_tail(log_path)}\n")
        else:
            shutil.rmtree(log_dir, ignore_errors=True)


def _wait_until_answering(
    proc: subprocess.Popen[bytes], port: int, timeout: float, command: Sequence[str], log_path: Path
) -> None:
    """Poll 127.0.0.1:``port`` until it accepts connections; raise if ``proc`` dies or time runs out."""
    deadline = time.monotonic() + timeout
    while not port_answers(port):
        if proc.poll() is not None:
            raise ServerStartError(
                f"{' '.join(command)} exited with status {proc.returncode} before port {port} answered; "
                f"output:\n{_tail(log_path)}"
            )
        if time.monotonic() > deadline:
            raise ServerStartError(
                f"{' '.join(command)} did not answer on 127.0.0.1:{port} within {timeout} s; "
                f"output:\n{_tail(log_path)}"
            )
        time.sleep(0.05)


def post(
    url: str, body: bytes, content_type: str = "application/json", headers: Mapping[str, str] | None = None
) -> tuple[int, dict[str, Any]]:
    """POST ``body`` (with ``headers``) and return the status and the JSON answer (also for 4xx/5xx)."""
    import urllib.error
    import urllib.request

    request = urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": content_type, **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())

