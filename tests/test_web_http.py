"""The Flask web service over real HTTP: ``backstretch serve --no-verify`` in a subprocess on 127.0.0.1."""

from __future__ import annotations

import datetime
import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Iterator

import pytest

from tests.support.checks import assert_valid_response
from tests.support.conversation import load_event
from tests.support.e2e import local_env, post, serve


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serve(tmp_path_factory.mktemp("web")) as url:
        yield url


def test_launch_over_http_is_a_valid_alexa_response(server: str) -> None:
    status, body = post(server, json.dumps(load_event("launch_request")).encode())
    assert status == 200
    assert_valid_response(body)
    assert "Welcome to Back Stretch Coach" in body["response"]["outputSpeech"]["ssml"]


@pytest.mark.parametrize(
    ("body", "content_type", "status", "message"),
    [
        (b"{not json", "application/json", 400, "not valid JSON"),
        (b"", "application/json", 400, "empty body"),
        (b'{"request": {}}', "text/plain", 415, "application/json"),
        (b'{"hello": "world"}', "application/json", 400, "not an Alexa request"),
        (b"[1, 2, 3]", "application/json", 400, "not an Alexa request"),
        (b'{"request": {"type": "Alexa.Nonsense.Event"}}', "application/json", 400, "unknown request type"),
        (b"\xff\xfe\x00", "application/json", 400, "not valid JSON"),
    ],
)
def test_bad_requests_get_a_4xx_with_a_short_message(server: str, body: bytes, content_type: str, status: int, message: str) -> None:
    got_status, got_body = post(server, body, content_type)
    assert got_status == status
    assert message in got_body["error"]
    assert "Traceback" not in got_body["error"]


def test_oversized_body_is_refused(server: str) -> None:
    status, body = post(server, b'{"pad": "' + b"x" * 200_000 + b'"}')
    assert status == 413 and body["error"]


def test_get_is_not_allowed_but_health_answers(server: str) -> None:
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(server, timeout=5)
    assert refused.value.code == 405
    with urllib.request.urlopen(server + "health", timeout=5) as response:
        assert json.loads(response.read()) == {"status": "ok"}


def test_wrong_or_missing_skill_id_is_forbidden(tmp_path: Path) -> None:
    event = load_event("launch_request")
    without_application = load_event("launch_request")
    del without_application["context"]["System"]["application"]
    null_system = load_event("launch_request")
    null_system["context"]["System"] = None
    no_context = load_event("launch_request")
    del no_context["context"]
    with serve(tmp_path, env={"BACKSTRETCH_SKILL_ID": "amzn1.ask.skill.the-real-one"}) as url:
        answers = [post(url, json.dumps(e).encode()) for e in (event, without_application, null_system, no_context)]
    for status, body in answers:
        assert status == 403 and "skill id" in body["error"], (status, body)


def _signed_looking(url: str = "https://s3.amazonaws.com/echo.api/echo-api-cert.pem") -> dict[str, str]:
    return {"SignatureCertChainUrl": url, "Signature-256": "c2lnbmF0dXJl"}


def test_serve_without_flags_checks_signatures_and_refuses_what_fails(tmp_path: Path) -> None:
    """Each of these fails before any certificate is fetched, so nothing leaves this machine."""
    event = load_event("launch_request")
    now = datetime.datetime.now(datetime.timezone.utc)
    event["request"]["timestamp"] = now.strftime("%Y-%m-%dT%H:%M:%SZ")
    fresh = json.dumps(event).encode()
    event["request"]["timestamp"] = (now - datetime.timedelta(seconds=600)).strftime("%Y-%m-%dT%H:%M:%SZ")
    stale = json.dumps(event).encode()
    event["request"]["timestamp"] = (now + datetime.timedelta(seconds=600)).strftime("%Y-%m-%dT%H:%M:%SZ")
    future = json.dumps(event).encode()
    with serve(tmp_path, verify=True) as url:
        cases = {
            "unsigned": post(url, fresh, headers={}),
            "bogus url": post(url, fresh, headers=_signed_looking("http://s3.amazonaws.com/echo.api/cert.pem")),
            "other host": post(url, fresh, headers=_signed_looking("https://evil.example/echo.api/cert.pem")),
            "outside echo.api": post(url, fresh, headers=_signed_looking("https://s3.amazonaws.com/echo.api/../evil/cert.pem")),
            "stale": post(url, stale, headers=_signed_looking()),
            "future": post(url, future, headers=_signed_looking()),
        }
    for case, (status, body) in cases.items():
        assert status == 400 and "verification failed" in str(body["error"]), (case, status, body)


@pytest.mark.parametrize("host", ["0.0.0.0", "192.0.2.10", "example.org"])
def test_no_verify_is_refused_off_loopback(tmp_path: Path, host: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "skill.entrypoints.cli", "serve", "--no-verify", "--host", host, "--port", "0",
         "--data-dir", str(tmp_path)],
        env=local_env(), capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 2
    assert "refusing to start" in result.stderr and "loopback" in result.stderr


def _raw_request(body: bytes, content_length: int | None = None) -> bytes:
    length = len(body) if content_length is None else content_length
    return (
        b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        + f"Content-Length: {length}\r\n\r\n".encode()
    )


def _read_until_closed(sock: socket.socket, deadline: float) -> bytes:
    """Everything the server sends until it closes the connection (or the deadline passes)."""
    received = b""
    while time.monotonic() < deadline:
        sock.settimeout(max(0.05, deadline - time.monotonic()))
        try:
            chunk = sock.recv(4096)
        except (socket.timeout, BlockingIOError):
            break
        except ConnectionResetError:
            return received
        if not chunk:
            return received
        received += chunk
    raise AssertionError(f"connection still open at the deadline; got {received!r}")


def test_stalled_uploads_neither_starve_requests_nor_stay_open(tmp_path: Path) -> None:
    """Defect 10: 200 clients send headers promising 1000 bytes, then nothing. One worker, 8 threads."""
    read_timeout = 3.0
    launch = json.dumps(load_event("launch_request")).encode()
    with serve(tmp_path, ["--workers", "1", "--threads", "8", "--read-timeout", str(read_timeout)]) as url:
        port = int(url.rstrip("/").rsplit(":", 1)[1])
        stalled: list[tuple[socket.socket, float]] = []
        try:
            for _ in range(200):
                sock = socket.create_connection(("127.0.0.1", port), timeout=5)
                sock.sendall(_raw_request(b"", content_length=1000) + b'{"partial":')
                stalled.append((sock, time.monotonic()))
            started = time.monotonic()
            status, body = post(url, launch)
            answered_in = time.monotonic() - started
            assert status == 200 and "Welcome" in body["response"]["outputSpeech"]["ssml"]
            assert answered_in < 2.0, f"a normal request took {answered_in:.2f} s behind 200 stalled uploads"

            closed_after: list[float] = []
            for sock, sent_at in stalled:
                answer = _read_until_closed(sock, sent_at + read_timeout + 3.0)
                closed_after.append(time.monotonic() - sent_at)
                assert answer == b"" or answer.startswith(b"HTTP/1.1 408"), answer
        finally:
            for sock, _ in stalled:
                sock.close()
        assert max(closed_after) < read_timeout + 3.0
        assert min(closed_after) > read_timeout - 0.5, "stalled uploads were dropped before the read timeout"
        # The server is still healthy afterwards.
        assert post(url, launch)[0] == 200


def test_a_request_sent_in_pieces_within_the_read_timeout_is_answered(tmp_path: Path) -> None:
    launch = json.dumps(load_event("launch_request")).encode()
    with serve(tmp_path, ["--read-timeout", "3"]) as url:
        port = int(url.rstrip("/").rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            sock.sendall(_raw_request(launch)[:20])
            time.sleep(0.3)
            sock.sendall(_raw_request(launch)[20:] + launch[:10])
            time.sleep(0.3)
            sock.sendall(launch[10:])
            head = sock.recv(65536)
        assert head.startswith(b"HTTP/1.1 200"), head[:200]


def test_serve_runs_under_gunicorn(server: str) -> None:
    with urllib.request.urlopen(server + "health", timeout=5) as response:
        assert response.headers["Server"].startswith("gunicorn")


def _oversized_head() -> bytes:
    """A request head past 64 KB in well-formed header lines, with no blank line to end it."""
    lines = b"".join(b"X-Pad-%d: %s\r\n" % (n, b"a" * 2000) for n in range(34))
    return b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n" + lines


def test_unfinished_oversized_heads_are_refused_and_do_not_slow_requests(tmp_path: Path) -> None:
    """32 clients keep sending 68 KB heads that never end, reconnecting as soon as they are dropped.

    One worker with 8 threads and a 10 s read timeout: a head that reached a request thread would
    hold it for 10 s, and 8 of them would keep a normal request waiting.
    """
    import threading

    launch = json.dumps(load_event("launch_request")).encode()
    head = _oversized_head()
    assert len(head) > 64 * 1024
    with serve(tmp_path, ["--workers", "1", "--threads", "8", "--read-timeout", "10"]) as url:
        port = int(url.rstrip("/").rsplit(":", 1)[1])
        stop = threading.Event()
        answers: list[bytes] = []
        opened = [0]

        def attacker() -> None:
            while not stop.is_set() and opened[0] < 32 * 40:
                opened[0] += 1
                try:
                    with socket.create_connection(("127.0.0.1", port), timeout=2) as sock:
                        try:
                            sock.sendall(head)
                        except OSError:
                            continue  # refused while still sending: the head was dropped
                        try:
                            answers.append(_read_until_closed(sock, time.monotonic() + 12)[:64])
                        except AssertionError:
                            answers.append(b"still open after 12 s")
                except OSError:
                    continue

        attackers = [threading.Thread(target=attacker, daemon=True) for _ in range(32)]
        for thread in attackers:
            thread.start()
        try:
            time.sleep(0.5)
            timings: list[float] = []
            for _ in range(5):
                started = time.monotonic()
                status, body = post(url, launch)
                timings.append(time.monotonic() - started)
                assert status == 200 and "Welcome" in body["response"]["outputSpeech"]["ssml"]
                time.sleep(0.2)
        finally:
            stop.set()
            for thread in attackers:
                thread.join(timeout=15)
        assert max(timings) < 1.0, f"normal requests took {[round(t, 2) for t in timings]} s behind unfinished 68 KB heads"
        assert answers, "no oversized head was ever answered or dropped"
        assert all(a == b"" or a.startswith(b"HTTP/1.1 431") for a in answers), answers[:3]
        assert any(a.startswith(b"HTTP/1.1 431") for a in answers)


def test_a_head_sent_too_slowly_is_answered_408_without_holding_a_thread(tmp_path: Path) -> None:
    """Head lines trickle in and never end: 408 at the read timeout; meanwhile requests are answered."""
    launch = json.dumps(load_event("launch_request")).encode()
    read_timeout = 2.0
    with serve(tmp_path, ["--workers", "1", "--threads", "2", "--read-timeout", str(read_timeout)]) as url:
        port = int(url.rstrip("/").rsplit(":", 1)[1])
        slow = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(6)]
        try:
            for sock in slow:
                sock.sendall(b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            started = time.monotonic()
            assert post(url, launch)[0] == 200
            assert time.monotonic() - started < 1.0
            for sock in slow:
                sock.sendall(b"X-Slow: 1\r\n")
            answers = [_read_until_closed(sock, started + read_timeout + 3.0) for sock in slow]
        finally:
            for sock in slow:
                sock.close()
        assert all(answer.startswith(b"HTTP/1.1 408") for answer in answers), answers


def test_pipelined_requests_are_answered_and_an_unfinished_one_behind_them_holds_no_thread(tmp_path: Path) -> None:
    """Two whole requests and the start of a third in one packet on a kept-alive connection: both are
    answered; the third, never finished, gets a 408, and other clients are served meanwhile."""
    launch = json.dumps(load_event("launch_request")).encode()
    whole = _raw_request(launch) + launch
    read_timeout = 2.0
    with serve(tmp_path, ["--workers", "1", "--threads", "1", "--read-timeout", str(read_timeout)]) as url:
        port = int(url.rstrip("/").rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            sock.sendall(whole + whole + b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            sent_at = time.monotonic()
            time.sleep(0.5)
            started = time.monotonic()
            assert post(url, launch)[0] == 200, "the only request thread is free for another client"
            assert time.monotonic() - started < 1.0
            answer = _read_until_closed(sock, sent_at + read_timeout + 3.0)
    assert answer.count(b"HTTP/1.1 200") == 2, answer[:300]
    assert b"HTTP/1.1 408" in answer.split(b"HTTP/1.1 200")[-1]
