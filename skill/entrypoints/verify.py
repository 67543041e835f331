"""Checks that a request to the web service really comes from Alexa.

Amazon signs every request it sends to a skill hosted as a web service. The
rules (Alexa Skills Kit, "Host a custom skill as a web service"):

* ``SignatureCertChainUrl`` is https, on host ``s3.amazonaws.com`` (any case),
  port 443 if one is given, with a path under ``/echo.api/`` (case-sensitive)
  once ``.`` and ``..`` segments are resolved;
* the certificate chain found there is valid now, chains to a trusted root,
  and its leaf names ``echo-api.amazon.com`` in the Subject Alternative Names;
* ``Signature-256`` is the base64 RSA PKCS#1 v1.5 SHA-256 signature of the raw
  body, made with the leaf's key;
* the request timestamp is within 150 s of now.

Certificates are fetched off the request thread: one fetch per URL at a time
(requests for a URL being fetched wait for that fetch), at most
``MAX_CONCURRENT_FETCHES`` at once, and a URL whose fetch or check failed is
refused without a new fetch for ``FAILURE_TTL_SECONDS``. A request waits for its
certificate at most ``CERT_WAIT_SECONDS`` and is refused when it is not there by
then; a fetch that lands later still fills the cache, for Alexa's next request.

Only the web service uses this module (Lambda requests are authenticated by
AWS), so it depends on nothing else in the skill. ``cryptography`` does the
cryptography; chain building uses its ``x509.verification`` module, which
applies the Web PKI rules (CA flags, path lengths, key usages, name checks).

Example:
    >>> check_cert_url("HTTPS://S3.amazonaws.com:443/echo.api/../echo.api/echo-api-cert.pem")
    >>> check_cert_url("https://s3.amazonaws.com/EcHo.aPi/echo-api-cert.pem")
    Traceback (most recent call last):
    ...
    skill.entrypoints.verify.VerificationError: certificate URL path is not under /echo.api/
"""

from __future__ import annotations

import base64
import binascii
import posixpath
import re
import threading
import time
import warnings
from collections import OrderedDict
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from datetime import datetime, timezone
from typing import Callable, Mapping, Sequence

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509 import verification as x509_verification

CERT_URL_HEADER = "SignatureCertChainUrl"
SIGNATURE_HEADER = "Signature-256"
CERT_HOST = "s3.amazonaws.com"
CERT_PATH_PREFIX = "/echo.api/"
ECHO_API_NAME = "echo-api.amazon.com"
MAX_SKEW_SECONDS = 150
SKILL_EVENT_MAX_SKEW_SECONDS = 3600  # Alexa skill events (AlexaSkillEvent.*) may arrive up to an hour late
FETCH_TIMEOUT_SECONDS = 3.0
FETCH_MAX_BYTES = 64 * 1024
MAX_CHAIN_CERTS = 10
# Alexa waits 8 s for the whole response; the certificate may take this much of it.
CERT_WAIT_SECONDS = 3.0
MAX_CONCURRENT_FETCHES = 4
FAILURE_TTL_SECONDS = 30.0
MAX_REMEMBERED_FAILURES = 1024
SYSTEM_TRUST_STORES = ("/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt", "/etc/ssl/cert.pem")

_ENCODED_SEPARATOR = re.compile(r"%(2e|2f|5c)", re.IGNORECASE)
_PEM_CERT = re.compile(rb"-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----", re.DOTALL)

Fetcher = Callable[[str], bytes]
Clock = Callable[[], datetime]


class VerificationError(ValueError):
    """A request failed verification; ``reason`` says which check, in a few words."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def canonical_cert_url(url: str) -> str:
    """The certificate URL rebuilt from its checked parts (what is fetched and cached).

    Raises ``VerificationError`` unless ``url`` satisfies Amazon's rules.
    """
    if not isinstance(url, str) or not url or any(ch.isspace() or ord(ch) < 0x20 or ch == "\x7f" for ch in url):
        raise VerificationError("certificate URL is malformed")
    try:
        from urllib.parse import urlsplit

        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise VerificationError("certificate URL is malformed") from None
    if parts.scheme.lower() != "https":
        raise VerificationError("certificate URL is not https")
    if parts.username is not None or parts.password is not None:
        raise VerificationError("certificate URL has user information")
    if (parts.hostname or "").lower() != CERT_HOST:
        raise VerificationError("certificate URL host is not s3.amazonaws.com")
    if port is not None and port != 443:
        raise VerificationError("certificate URL port is not 443")
    raw_path = parts.path
    if "\\" in raw_path or _ENCODED_SEPARATOR.search(raw_path):
        raise VerificationError("certificate URL path is not under /echo.api/")
    path = posixpath.normpath(raw_path) if raw_path else ""
    if not path.startswith(CERT_PATH_PREFIX):
        raise VerificationError("certificate URL path is not under /echo.api/")
    query = f"?{parts.query}" if parts.query else ""
    return f"https://{CERT_HOST}{path}{query}"


def check_cert_url(url: str) -> None:
    """Raise ``VerificationError`` unless ``url`` is an acceptable ``SignatureCertChainUrl``."""
    canonical_cert_url(url)


def https_fetch(url: str, *, timeout: float = FETCH_TIMEOUT_SECONDS, max_bytes: int = FETCH_MAX_BYTES) -> bytes:
    """GET ``url`` within about ``timeout`` seconds and ``max_bytes`` bytes; no redirects followed.

    Each connect or read waits at most ``timeout``, and reading stops once ``timeout``
    has passed in all. Any failure is a ``VerificationError``.
    """
    import urllib.error
    import urllib.request

    class _NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: object, **kwargs: object) -> None:
            return None

    deadline = time.monotonic() + timeout
    opener = urllib.request.build_opener(_NoRedirect())
    request = urllib.request.Request(url, headers={"Accept": "application/x-pem-file, */*"})
    try:
        with opener.open(request, timeout=timeout) as response:
            if response.status != 200:
                raise VerificationError(f"certificate fetch answered {response.status}")
            declared = response.headers.get("Content-Length")
            if declared is not None and declared.strip().isdigit() and int(declared) > max_bytes:
                raise VerificationError("certificate chain is too large")
            chunks: list[bytes] = []
            size = 0
            while True:
                chunk = response.read1(16 * 1024)
                if not chunk:
                    break
                size += len(chunk)
                if size > max_bytes:
                    raise VerificationError("certificate chain is too large")
                chunks.append(chunk)
                if time.monotonic() > deadline:
                    raise VerificationError("certificate fetch timed out")
            return b"".join(chunks)
    except VerificationError:
        raise
    except urllib.error.HTTPError as failed:
        raise VerificationError(f"certificate fetch answered {failed.code}") from None
    except TimeoutError:
        raise VerificationError("certificate fetch timed out") from None
    except (OSError, ValueError) as failed:
        if isinstance(getattr(failed, "reason", None), TimeoutError):  # urllib wraps a connect timeout
            raise VerificationError("certificate fetch timed out") from None
        raise VerificationError(f"certificate fetch failed: {type(failed).__name__}") from None


def load_pem_certificates(data: bytes) -> list[x509.Certificate]:
    """Every certificate in a PEM bundle that ``cryptography`` accepts (others are skipped)."""
    certs: list[x509.Certificate] = []
    for block in _PEM_CERT.findall(data):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                certs.append(x509.load_pem_x509_certificate(block))
        except ValueError:
            continue
    return certs


_system_roots: list[x509.Certificate] | None = None
_system_roots_lock = threading.Lock()


def system_trusted_roots() -> list[x509.Certificate]:
    """The operating system's trusted root certificates, read once on first use."""
    global _system_roots
    with _system_roots_lock:
        if _system_roots is None:
            import ssl

            candidates = [*SYSTEM_TRUST_STORES, ssl.get_default_verify_paths().cafile]
            roots: list[x509.Certificate] = []
            for path in candidates:
                if not path:
                    continue
                try:
                    with open(path, "rb") as bundle:
                        roots = load_pem_certificates(bundle.read())
                except OSError:
                    continue
                if roots:
                    break
            _system_roots = roots
        return _system_roots


class CertificateCache:
    """Verified certificate chains by URL, each kept until its first certificate expires.

    Bounded: when full, expired entries go first, then the least recently used.
    Safe to share between threads.
    """

    def __init__(self, max_entries: int = 16) -> None:
        if max_entries < 1:
            raise ValueError("max_entries must be at least 1")
        self.max_entries = max_entries
        self._entries: OrderedDict[str, tuple[datetime, list[x509.Certificate]]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def get(self, url: str, now: datetime) -> list[x509.Certificate] | None:
        """The chain stored for ``url`` if it is still valid at ``now``."""
        with self._lock:
            entry = self._entries.get(url)
            if entry is None:
                return None
            expires, chain = entry
            if now > expires:
                del self._entries[url]
                return None
            self._entries.move_to_end(url)
            return chain

    def put(self, url: str, chain: Sequence[x509.Certificate], now: datetime) -> None:
        """Keep ``chain`` (leaf first) until the earliest ``not_valid_after`` in it."""
        if not chain:
            return
        expires = min(cert.not_valid_after_utc for cert in chain)
        if now > expires:
            return
        with self._lock:
            self._entries[url] = (expires, list(chain))
            self._entries.move_to_end(url)
            for stale in [key for key, (until, _) in self._entries.items() if now > until]:
                del self._entries[stale]
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)


class FailureCache:
    """Certificate URLs whose fetch or check failed lately, with the reason; bounded, thread-safe.

    Example:
        >>> failures = FailureCache(ttl_seconds=30, max_entries=2)
        >>> failures.put("a", "certificate fetch timed out", at=100.0)
        >>> failures.get("a", at=129.0), failures.get("a", at=131.0)
        ('certificate fetch timed out', None)
    """

    def __init__(self, ttl_seconds: float = FAILURE_TTL_SECONDS, max_entries: int = MAX_REMEMBERED_FAILURES) -> None:
        self.ttl_seconds = ttl_seconds
        self.max_entries = max_entries
        self._entries: OrderedDict[str, tuple[float, str]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, url: str, at: float) -> str | None:
        """The reason ``url`` failed, if that was less than ``ttl_seconds`` before ``at``."""
        with self._lock:
            entry = self._entries.get(url)
            if entry is None:
                return None
            until, reason = entry
            if at >= until:
                del self._entries[url]
                return None
            return reason

    def put(self, url: str, reason: str, at: float) -> None:
        """Remember that ``url`` failed at ``at``; the oldest entries go once there are too many."""
        if self.ttl_seconds <= 0:
            return
        with self._lock:
            self._entries[url] = (at + self.ttl_seconds, reason)
            self._entries.move_to_end(url)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)


def _header(headers: Mapping[str, str], name: str) -> str | None:
    wanted = name.lower()
    for key, value in headers.items():
        if isinstance(key, str) and key.lower() == wanted:
            return value if isinstance(value, str) else None
    return None


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)


def parse_timestamp(timestamp: object) -> datetime:
    """An Alexa ``request.timestamp`` (ISO 8601 with a zone, e.g. ``2030-01-01T12:00:00Z``) as UTC."""
    if not isinstance(timestamp, str) or not timestamp or len(timestamp) > 64:
        raise VerificationError("request timestamp is missing")
    try:
        parsed = datetime.fromisoformat(timestamp.strip())
    except ValueError:
        raise VerificationError("request timestamp is not ISO 8601") from None
    if parsed.tzinfo is None:
        raise VerificationError("request timestamp has no time zone")
    return parsed.astimezone(timezone.utc)


class RequestVerifier:
    """Verifies Alexa request signatures; one instance serves many requests (and threads).

    ``fetch`` gets a certificate URL's body (``https_fetch`` in production), ``clock``
    gives the time now. ``trusted_roots`` defaults to the system trust store.
    ``cert_wait_seconds`` is the longest a request waits for its certificate to be
    fetched; ``max_fetches`` how many fetches may run at once; ``failures`` remembers
    URLs that failed lately (``FailureCache(ttl_seconds=0)`` remembers none).
    """

    def __init__(
        self,
        fetch: Fetcher,
        clock: Clock,
        trusted_roots: list[x509.Certificate] | None = None,
        max_skew_seconds: float = MAX_SKEW_SECONDS,
        cache: CertificateCache | None = None,
        *,
        cert_wait_seconds: float = CERT_WAIT_SECONDS,
        max_fetches: int = MAX_CONCURRENT_FETCHES,
        failures: FailureCache | None = None,
    ) -> None:
        if max_fetches < 1:
            raise ValueError("max_fetches must be at least 1")
        self._fetch = fetch
        self._clock = clock
        self._roots = list(trusted_roots) if trusted_roots is not None else None
        self._store: x509_verification.Store | None = None
        self._store_lock = threading.Lock()
        self.max_skew_seconds = max_skew_seconds
        self.cache = cache if cache is not None else CertificateCache()
        self.failures = failures if failures is not None else FailureCache()
        self.cert_wait_seconds = cert_wait_seconds
        self.max_fetches = max_fetches
        self._in_flight: dict[str, Future[list[x509.Certificate]]] = {}
        self._flight_lock = threading.Lock()
        # Made on the first fetch: ``serve`` builds the verifier before gunicorn forks its workers.
        self._pool: ThreadPoolExecutor | None = None

    def verify(
        self,
        headers: Mapping[str, str],
        body: bytes,
        timestamp: str | None,
        *,
        max_skew_seconds: float | None = None,
    ) -> None:
        """Raise ``VerificationError`` unless the request is signed by Alexa and recent.

        ``timestamp`` is the body's ``request.timestamp``; ``max_skew_seconds`` overrides
        the instance's limit for this request (e.g. ``SKILL_EVENT_MAX_SKEW_SECONDS``).
        """
        cert_url = _header(headers, CERT_URL_HEADER)
        signature_b64 = _header(headers, SIGNATURE_HEADER)
        if not cert_url:
            raise VerificationError(f"missing {CERT_URL_HEADER} header")
        if not signature_b64:
            raise VerificationError(f"missing {SIGNATURE_HEADER} header")
        url = canonical_cert_url(cert_url)
        now = _utc(self._clock())

        skew = self.max_skew_seconds if max_skew_seconds is None else max_skew_seconds
        sent = parse_timestamp(timestamp)
        if abs((now - sent).total_seconds()) > skew:
            raise VerificationError("request timestamp is too old" if sent < now else "request timestamp is in the future")

        try:
            signature = base64.b64decode("".join(signature_b64.split()), validate=True)
        except (binascii.Error, ValueError):
            raise VerificationError(f"{SIGNATURE_HEADER} is not base64") from None
        if not signature:
            raise VerificationError(f"missing {SIGNATURE_HEADER} header")

        leaf = self._signing_certificate(url, now)
        key = leaf.public_key()
        if not isinstance(key, rsa.RSAPublicKey):
            raise VerificationError("signing certificate key is not RSA")
        try:
            key.verify(signature, bytes(body), padding.PKCS1v15(), hashes.SHA256())
        except InvalidSignature:
            raise VerificationError("signature does not match the body") from None

    def _signing_certificate(self, url: str, now: datetime) -> x509.Certificate:
        cached = self.cache.get(url, now)
        if cached is not None and cached[0].not_valid_before_utc <= now:
            return cached[0]
        failed = self.failures.get(url, time.monotonic())
        if failed is not None:
            raise VerificationError(failed)
        try:
            return self._fetch_in_background(url).result(timeout=self.cert_wait_seconds)[0]
        except FutureTimeout:
            raise VerificationError("certificate not available in time") from None

    def _fetch_in_background(self, url: str) -> Future[list[x509.Certificate]]:
        """The fetch of ``url`` under way, or a new one when a slot is free (else a refusal)."""
        with self._flight_lock:
            running = self._in_flight.get(url)
            if running is not None:
                return running
            if len(self._in_flight) >= self.max_fetches:
                raise VerificationError("too many certificate fetches at once")
            if self._pool is None:
                self._pool = ThreadPoolExecutor(max_workers=self.max_fetches, thread_name_prefix="certificate-fetch")
            future = self._pool.submit(self._fetch_and_check, url)
            self._in_flight[url] = future
        future.add_done_callback(lambda _: self._landed(url))
        return future

    def _landed(self, url: str) -> None:
        with self._flight_lock:
            self._in_flight.pop(url, None)

    def _fetch_and_check(self, url: str) -> list[x509.Certificate]:
        """Fetch and check the chain at ``url``; cache it, or remember the failure."""
        try:
            chain = self._checked_chain(url)
        except VerificationError as failed:
            self.failures.put(url, failed.reason, time.monotonic())
            raise
        self.cache.put(url, chain, _utc(self._clock()))
        return chain

    def _checked_chain(self, url: str) -> list[x509.Certificate]:
        try:
            pem = self._fetch(url)
        except VerificationError:
            raise
        except Exception as failed:  # an injected fetcher may raise anything
            raise VerificationError(f"certificate fetch failed: {type(failed).__name__}") from None
        certs = load_pem_certificates(pem) if isinstance(pem, bytes) else []
        if not certs:
            raise VerificationError("no certificate at the certificate URL")
        if len(certs) > MAX_CHAIN_CERTS:
            raise VerificationError("certificate chain is too long")
        return self._verify_chain(certs, _utc(self._clock()))

    def _verify_chain(self, certs: list[x509.Certificate], now: datetime) -> list[x509.Certificate]:
        leaf, intermediates = certs[0], certs[1:]
        if now < leaf.not_valid_before_utc:
            raise VerificationError("signing certificate is not yet valid")
        if now > leaf.not_valid_after_utc:
            raise VerificationError("signing certificate has expired")
        try:
            names = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value.get_values_for_type(x509.DNSName)
        except x509.ExtensionNotFound:
            names = []
        if ECHO_API_NAME not in (name.lower() for name in names):
            raise VerificationError(f"signing certificate does not name {ECHO_API_NAME}")
        verifier = (
            x509_verification.PolicyBuilder()
            .store(self._trust_store())
            .time(now)
            .build_server_verifier(x509.DNSName(ECHO_API_NAME))
        )
        try:
            return verifier.verify(leaf, intermediates)
        except x509_verification.VerificationError:
            raise VerificationError("certificate chain is not trusted") from None

    def _trust_store(self) -> x509_verification.Store:
        with self._store_lock:
            if self._store is None:
                roots = self._roots if self._roots is not None else system_trusted_roots()
                if not roots:
                    raise VerificationError("no trusted root certificates")
                self._store = x509_verification.Store(roots)
            return self._store


__all__ = [
    "CertificateCache",
    "FailureCache",
    "RequestVerifier",
    "VerificationError",
    "canonical_cert_url",
    "check_cert_url",
    "https_fetch",
    "load_pem_certificates",
    "parse_timestamp",
    "system_trusted_roots",
]
