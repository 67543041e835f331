"""``backstretch serve`` on gunicorn, with limits a server on the internet needs.

gthread workers with bounded connections, backlog and request sizes; each request is read whole
without holding a thread, and a client that has not sent it all within the read timeout gets a 408.
A request head longer than ``MAX_REQUEST_HEAD`` gets a 431 as soon as it passes the limit, finished
or not, so no request thread ever reads a head. The worker subclasses gunicorn 27's ``ThreadWorker``
(pinned in pyproject.toml).

Example:
    >>> request_state(b"POST / HTTP/1.1\\r\\nContent-Length: 2\\r\\n\\r\\n{}", max_body=1024)
    <RequestState.COMPLETE: 'complete'>
    >>> request_state(b"POST / HTTP/1.1\\r\\nX-Pad: " + b"a" * MAX_REQUEST_HEAD, max_body=1024)
    <RequestState.HEAD_TOO_LARGE: 'head too large'>
"""

from __future__ import annotations

import socket
import struct
import time
from enum import Enum
from functools import partial
from typing import Any

# The longest request head (request line and header fields, up to the blank line) the server reads.
# Alexa's heads are about 1 KB; gunicorn's own field limits would allow 400 KB, read by a thread.
MAX_REQUEST_HEAD = 64 * 1024

HEAD_TOO_LARGE_ANSWER = b"HTTP/1.1 431 Request Header Fields Too Large\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
TIMEOUT_ANSWER = b"HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"


class RequestState(Enum):
    """How far the bytes received so far on a connection get: not yet a request, one, or refused."""

    INCOMPLETE = "incomplete"
    COMPLETE = "complete"  # a whole request, or more body than the server will accept anyway
    HEAD_TOO_LARGE = "head too large"


def request_state(data: bytes, max_body: int) -> RequestState:
    """Whether ``data`` holds a whole HTTP/1.x request; a head over ``MAX_REQUEST_HEAD`` never does."""
    end = data.find(b"\r\n\r\n", 0, MAX_REQUEST_HEAD + 4)
    if end < 0:
        return RequestState.HEAD_TOO_LARGE if len(data) >= MAX_REQUEST_HEAD + 4 else RequestState.INCOMPLETE
    body = len(data) - end - 4
    length = 0
    for line in data[:end].split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"transfer-encoding":
            whole = body > max_body or data.endswith(b"0\r\n\r\n")
            return RequestState.COMPLETE if whole else RequestState.INCOMPLETE
        if name == b"content-length":
            try:
                length = int(value.strip())
            except ValueError:
                return RequestState.COMPLETE  # malformed: let gunicorn's parser refuse it
    return RequestState.COMPLETE if body >= min(length, max_body + 1) else RequestState.INCOMPLETE


def _set_socket_timeouts(sock: socket.socket, seconds: float) -> None:
    """Kernel-level receive/send timeouts: a blocking read or write that stalls this long fails."""
    whole = int(seconds)
    packed = struct.pack("ll", whole, int((seconds - whole) * 1_000_000))
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, packed)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, packed)


def _buffering_worker(read_timeout: float, max_body: int) -> type:
    """gunicorn's gthread worker, except that each request is read whole in the worker's event loop
    (non-blocking) before a thread takes it, with a deadline of ``read_timeout`` seconds.

    Plain gthread hands a connection to a thread as soon as it has sent its first byte, and that
    thread then blocks reading the rest: a few stalled uploads tie up every thread. Here stalled
    clients cost a socket each (capped by ``worker_connections``) and are dropped at the deadline;
    a head that outgrows ``MAX_REQUEST_HEAD`` is answered 431 at once. Bytes a client sent ahead
    on a kept-alive connection (pipelining) are buffered the same way, never read by a thread.
    """
    from gunicorn.workers.gthread import ThreadWorker

    class BufferingThreadWorker(ThreadWorker):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.buffering: dict[Any, float] = {}

        def enqueue_req(self, conn: Any) -> None:
            if self.cfg.is_ssl or getattr(conn, "prebuffer", None) is not None:
                super().enqueue_req(conn)
                return
            ahead = conn.parser.unreader.take_buffered() if conn.initialized and conn.parser is not None else b""
            conn.sock.setblocking(False)
            conn.prebuffer = bytearray(ahead)
            if ahead and self._settle(conn):
                return
            self.buffering[conn] = time.monotonic() + read_timeout
            self.poller.register(conn.sock, 1, partial(self._readable, conn))  # 1 == selectors.EVENT_READ

        def _settle(self, conn: Any) -> bool:
            """Hand a whole request to a thread, or refuse an oversized head; False while incomplete."""
            state = request_state(bytes(conn.prebuffer), max_body)
            if state is RequestState.INCOMPLETE:
                return False
            self._stop_buffering(conn)
            if state is RequestState.HEAD_TOO_LARGE:
                self._close(conn, HEAD_TOO_LARGE_ANSWER)
            else:
                conn.data_ready = True
                super().enqueue_req(conn)
            return True

        def _readable(self, conn: Any, _sock: Any) -> None:
            try:
                data = conn.sock.recv(65536)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                data = b""
            if not data:
                self._stop_buffering(conn)
                self._close(conn, None)
                return
            conn.prebuffer += data
            self._settle(conn)

        def _stop_buffering(self, conn: Any) -> None:
            self.buffering.pop(conn, None)
            try:
                self.poller.unregister(conn.sock)
            except (OSError, KeyError, ValueError):
                pass

        def _close(self, conn: Any, answer: bytes | None) -> None:
            if answer is not None:
                try:
                    conn.sock.send(answer)  # non-blocking: a short answer fits the socket buffer, or is lost
                except OSError:
                    pass
            self.nr_conns -= 1
            conn.close()

        def murder_pending(self) -> None:
            super().murder_pending()
            now = time.monotonic()
            for conn in [c for c, deadline in self.buffering.items() if deadline <= now]:
                self._stop_buffering(conn)
                self._close(conn, TIMEOUT_ANSWER if conn.prebuffer else None)

        def handle(self, conn: Any) -> Any:
            prebuffer = getattr(conn, "prebuffer", None)
            conn.prebuffer = None
            if prebuffer is not None:
                conn.sock.setblocking(True)
                _set_socket_timeouts(conn.sock, read_timeout)  # whatever is still read or written blocking
                conn.init()
                conn.parser.unreader.unread(bytes(prebuffer))
            return super().handle(conn)

    return BufferingThreadWorker


def run(app: Any, settings: dict[str, Any]) -> None:
    """Serve the WSGI ``app`` with gunicorn configured from ``settings`` (see ``options``); blocks."""
    from gunicorn.app.base import BaseApplication

    class Server(BaseApplication):
        def load_config(self) -> None:
            for key, value in settings.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            return app

    Server().run()


def options(
    host: str, port: int, workers: int, threads: int, max_connections: int, read_timeout: float, max_body: int
) -> dict[str, Any]:
    """The gunicorn settings ``serve`` runs with."""
    host = f"[{host}]" if ":" in host and not host.startswith("[") else host
    options: dict[str, Any] = {
        "bind": [f"{host}:{port}"],
        "worker_class": _buffering_worker(read_timeout, max_body),
        "workers": workers,
        "threads": threads,
        "worker_connections": max_connections,
        "backlog": 64,
        "timeout": 30,
        "graceful_timeout": 10,
        "keepalive": 5,
        "limit_request_line": 8190,
        "limit_request_fields": 50,
        "limit_request_field_size": 8190,
        "accesslog": None,
        "proc_name": "backstretch",
        "control_socket_disable": True,
    }
    return options
