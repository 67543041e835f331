"""``backstretch serve`` on gunicorn, with limits a server on the internet needs.

gthread workers with bounded connections, backlog and request sizes; each request is read whole
without holding a thread, and a client that has not sent it all within the read timeout gets a 408.
The worker subclasses gunicorn 27's ``ThreadWorker`` (pinned in pyproject.toml).
"""

from __future__ import annotations

import socket
import struct
import time
from functools import partial
from typing import Any

# A request head longer than this is handed on as it is: gunicorn's own limits refuse it.
MAX_REQUEST_HEAD = 64 * 1024


def _request_is_complete(data: bytes, max_body: int) -> bool:
    """True once ``data`` holds a whole HTTP/1.x request (or more than the server will accept anyway)."""
    end = data.find(b"\r\n\r\n")
    if end < 0:
        return len(data) > MAX_REQUEST_HEAD
    body = len(data) - end - 4
    length = 0
    for line in data[:end].split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"transfer-encoding":
            return body > max_body or data.endswith(b"0\r\n\r\n")
        if name == b"content-length":
            try:
                length = int(value.strip())
            except ValueError:
                return True  # malformed: let gunicorn's parser refuse it
    return body >= min(length, max_body + 1)


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
    clients cost a socket each (capped by ``worker_connections``) and are dropped at the deadline.
    """
    from gunicorn.workers.gthread import ThreadWorker

    class BufferingThreadWorker(ThreadWorker):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.buffering: dict[Any, float] = {}

        def enqueue_req(self, conn: Any) -> None:
            leftover = conn.initialized and conn.parser is not None and conn.parser.unreader.buf.getvalue()
            if self.cfg.is_ssl or leftover or getattr(conn, "prebuffer", None) is not None:
                super().enqueue_req(conn)
                return
            conn.sock.setblocking(False)
            conn.prebuffer = bytearray()
            self.buffering[conn] = time.monotonic() + read_timeout
            self.poller.register(conn.sock, 1, partial(self._readable, conn))  # 1 == selectors.EVENT_READ

        def _readable(self, conn: Any, _sock: Any) -> None:
            try:
                data = conn.sock.recv(65536)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                data = b""
            if not data:
                self._drop(conn, answer=False)
                return
            conn.prebuffer += data
            if _request_is_complete(bytes(conn.prebuffer), max_body):
                self.poller.unregister(conn.sock)
                del self.buffering[conn]
                conn.data_ready = True
                super().enqueue_req(conn)

        def _drop(self, conn: Any, answer: bool) -> None:
            self.buffering.pop(conn, None)
            try:
                self.poller.unregister(conn.sock)
            except (OSError, KeyError, ValueError):
                pass
            if answer:
                try:
                    conn.sock.send(b"HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n")
                except OSError:
                    pass
            self.nr_conns -= 1
            conn.close()

        def murder_pending(self) -> None:
            super().murder_pending()
            now = time.monotonic()
            for conn in [c for c, deadline in self.buffering.items() if deadline <= now]:
                self._drop(conn, answer=bool(conn.prebuffer))

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
