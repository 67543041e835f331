"""Alexa request verification (skill/entrypoints/verify.py) against a self-made CA.

Every certificate here is made at test time: a root, an intermediate and leaves for
``echo-api.amazon.com``; the verifier gets them from an injected fetcher and reads
the time from an injected clock, so nothing depends on the real date or the network
(``https_fetch`` is exercised only against a server on 127.0.0.1).
"""

from __future__ import annotations

import base64
import json
import doctest
import importlib.util
import http.server
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable, Iterator

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from skill.entrypoints import verify
from tests.support.e2e import post
from skill.entrypoints.verify import (
    SKILL_EVENT_MAX_SKEW_SECONDS,
    CertificateCache,
    FailureCache,
    RequestVerifier,
    VerificationError,
    canonical_cert_url,
    check_cert_url,
    https_fetch,
)

ROOT = Path(__file__).resolve().parents[1]
UTC = timezone.utc
NOW = datetime(2030, 6, 1, 12, 0, 0, tzinfo=UTC)
CERT_URL = "https://s3.amazonaws.com/echo.api/echo-api-cert-13.pem"
BODY = b'{"version":"1.0","request":{"type":"LaunchRequest","timestamp":"2030-06-01T12:00:00Z"}}'

# --------------------------------------------------------------------------- certificates

Key = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn), x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Test PKI")])


def _rsa() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def make_cert(
    cn: str,
    key: Key,
    *,
    issuer: x509.Certificate | None,
    issuer_key: Key,
    not_before: datetime,
    not_after: datetime,
    ca: bool,
    san: list[str | x509.GeneralName] | None = None,
) -> x509.Certificate:
    """A certificate with the extensions the Web PKI rules expect (self-signed when ``issuer`` is None)."""
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(cn))
        .issuer_name(issuer.subject if issuer is not None else _name(cn))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    if issuer is not None:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
            critical=False,
        )
    if ca:
        builder = builder.add_extension(
            x509.KeyUsage(
                digital_signature=True, content_commitment=False, key_encipherment=False, data_encipherment=False,
                key_agreement=False, key_cert_sign=True, crl_sign=True, encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )
    else:
        builder = builder.add_extension(
            x509.KeyUsage(
                digital_signature=True, content_commitment=False, key_encipherment=True, data_encipherment=False,
                key_agreement=False, key_cert_sign=False, crl_sign=False, encipher_only=False, decipher_only=False,
            ),
            critical=True,
        ).add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
    if san is not None:
        builder = builder.add_extension(x509.SubjectAlternativeName([x509.DNSName(n) if isinstance(n, str) else n for n in san]), critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


def pem(*certs: x509.Certificate) -> bytes:
    return b"".join(cert.public_bytes(serialization.Encoding.PEM) for cert in certs)


@dataclass(frozen=True)
class Pki:
    root: x509.Certificate
    root_key: rsa.RSAPrivateKey
    intermediate: x509.Certificate
    intermediate_key: rsa.RSAPrivateKey
    leaf_key: rsa.RSAPrivateKey
    leaf: x509.Certificate
    other_key: rsa.RSAPrivateKey
    other_root: x509.Certificate

    def leaf_cert(self, *, not_before: datetime, not_after: datetime, san: list[str] | None = None) -> x509.Certificate:
        return make_cert(
            "echo-api.amazon.com", self.leaf_key, issuer=self.intermediate, issuer_key=self.intermediate_key,
            not_before=not_before, not_after=not_after, ca=False, san=san if san is not None else ["echo-api.amazon.com"],
        )

    @property
    def chain(self) -> bytes:
        return pem(self.leaf, self.intermediate)


@pytest.fixture(scope="session")
def pki() -> Pki:
    root_key, intermediate_key, leaf_key, other_key = _rsa(), _rsa(), _rsa(), _rsa()
    root = make_cert(
        "Test Root CA", root_key, issuer=None, issuer_key=root_key,
        not_before=datetime(2020, 1, 1, tzinfo=UTC), not_after=datetime(2045, 1, 1, tzinfo=UTC), ca=True,
    )
    intermediate = make_cert(
        "Test Intermediate CA", intermediate_key, issuer=root, issuer_key=root_key,
        not_before=datetime(2020, 1, 1, tzinfo=UTC), not_after=datetime(2040, 1, 1, tzinfo=UTC), ca=True,
    )
    other_root = make_cert(
        "Some Other Root CA", other_key, issuer=None, issuer_key=other_key,
        not_before=datetime(2020, 1, 1, tzinfo=UTC), not_after=datetime(2045, 1, 1, tzinfo=UTC), ca=True,
    )
    partial = Pki(root, root_key, intermediate, intermediate_key, leaf_key, root, other_key, other_root)
    leaf = partial.leaf_cert(not_before=datetime(2030, 1, 1, tzinfo=UTC), not_after=datetime(2030, 12, 31, tzinfo=UTC))
    return Pki(root, root_key, intermediate, intermediate_key, leaf_key, leaf, other_key, other_root)


# --------------------------------------------------------------------------- requests


@dataclass
class Fetcher:
    """Serves PEM bytes by URL and counts the calls."""

    responses: dict[str, bytes]
    calls: list[str] = field(default_factory=list)

    def __call__(self, url: str) -> bytes:
        self.calls.append(url)
        return self.responses[url]


@dataclass
class Clock:
    now: datetime = NOW

    def __call__(self) -> datetime:
        return self.now


def sign(key: rsa.RSAPrivateKey, body: bytes) -> str:
    return base64.b64encode(key.sign(body, padding.PKCS1v15(), hashes.SHA256())).decode()


def headers_for(key: rsa.RSAPrivateKey, body: bytes = BODY, url: str = CERT_URL) -> dict[str, str]:
    return {"SignatureCertChainUrl": url, "Signature-256": sign(key, body)}


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def make_verifier(pki: Pki, chain: bytes | None = None, *, clock: Clock | None = None, roots: list[x509.Certificate] | None = None,
                  url: str = CERT_URL) -> tuple[RequestVerifier, Fetcher, Clock]:
    fetcher = Fetcher({url: pki.chain if chain is None else chain})
    the_clock = clock or Clock()
    return RequestVerifier(fetcher, the_clock, trusted_roots=[pki.root] if roots is None else roots), fetcher, the_clock


def rejected(verifier: RequestVerifier, headers: dict[str, str], body: bytes = BODY, timestamp: str | None = stamp(NOW)) -> str:
    with pytest.raises(VerificationError) as refused:
        verifier.verify(headers, body, timestamp)
    assert refused.value.reason == str(refused.value)
    return refused.value.reason


# --------------------------------------------------------------------------- the signature


def test_a_correctly_signed_request_is_accepted(pki: Pki) -> None:
    verifier, fetcher, _ = make_verifier(pki)
    verifier.verify(headers_for(pki.leaf_key), BODY, stamp(NOW))
    assert fetcher.calls == [CERT_URL]


def test_header_names_are_case_insensitive(pki: Pki) -> None:
    verifier, _, _ = make_verifier(pki)
    verifier.verify({"signaturecertchainurl": CERT_URL, "SIGNATURE-256": sign(pki.leaf_key, BODY)}, BODY, stamp(NOW))


def test_a_tampered_body_is_rejected(pki: Pki) -> None:
    verifier, _, _ = make_verifier(pki)
    tampered = BODY.replace(b"LaunchRequest", b"SessionEndedRequest")
    assert rejected(verifier, headers_for(pki.leaf_key), body=tampered) == "signature does not match the body"
    assert rejected(verifier, headers_for(pki.leaf_key), body=BODY + b" ") == "signature does not match the body"


def test_a_signature_by_another_key_is_rejected(pki: Pki) -> None:
    verifier, _, _ = make_verifier(pki)
    assert rejected(verifier, headers_for(pki.other_key)) == "signature does not match the body"


@pytest.mark.parametrize(
    ("drop", "reason"),
    [("SignatureCertChainUrl", "missing SignatureCertChainUrl header"), ("Signature-256", "missing Signature-256 header")],
)
def test_missing_headers_are_rejected(pki: Pki, drop: str, reason: str) -> None:
    verifier, fetcher, _ = make_verifier(pki)
    headers = headers_for(pki.leaf_key)
    del headers[drop]
    assert rejected(verifier, headers) == reason
    assert rejected(verifier, {}) == "missing SignatureCertChainUrl header"
    assert fetcher.calls == []


@pytest.mark.parametrize("signature", ["", "not base64!", "QUJ", "QUJD\x00"])
def test_an_empty_or_malformed_signature_is_rejected(pki: Pki, signature: str) -> None:
    verifier, _, _ = make_verifier(pki)
    reason = rejected(verifier, {"SignatureCertChainUrl": CERT_URL, "Signature-256": signature})
    assert reason in {"missing Signature-256 header", "Signature-256 is not base64"}


def test_the_old_sha1_signature_header_alone_is_not_enough(pki: Pki) -> None:
    verifier, _, _ = make_verifier(pki)
    headers = {"SignatureCertChainUrl": CERT_URL, "Signature": sign(pki.leaf_key, BODY)}
    assert rejected(verifier, headers) == "missing Signature-256 header"


# --------------------------------------------------------------------------- the certificate URL

ACCEPTED_URLS = [
    "https://s3.amazonaws.com/echo.api/echo-api-cert.pem",
    "HTTPS://s3.amazonaws.com/echo.api/echo-api-cert.pem",
    "https://S3.AMAZONAWS.COM/echo.api/echo-api-cert.pem",
    "https://s3.amazonaws.com:443/echo.api/echo-api-cert.pem",
    "https://s3.amazonaws.com/echo.api/../echo.api/echo-api-cert.pem",
    "https://s3.amazonaws.com/echo.api/./echo-api-cert.pem",
]

REJECTED_URLS = [
    ("http://s3.amazonaws.com/echo.api/echo-api-cert.pem", "not https"),
    ("ftp://s3.amazonaws.com/echo.api/echo-api-cert.pem", "not https"),
    ("https://notamazon.com/echo.api/echo-api-cert.pem", "host"),
    ("https://s3.amazonaws.com.evil.example/echo.api/echo-api-cert.pem", "host"),
    ("https://evil.example/s3.amazonaws.com/echo.api/echo-api-cert.pem", "host"),
    ("https://s3.amazonaws.com@evil.example/echo.api/echo-api-cert.pem", "user information"),
    ("https://user@s3.amazonaws.com/echo.api/echo-api-cert.pem", "user information"),
    ("https:///echo.api/echo-api-cert.pem", "host"),
    ("https://s3.amazonaws.com:444/echo.api/echo-api-cert.pem", "port"),
    ("https://s3.amazonaws.com:563/echo.api/echo-api-cert.pem", "port"),
    ("https://s3.amazonaws.com:notaport/echo.api/echo-api-cert.pem", "malformed"),
    ("https://s3.amazonaws.com/EcHo.aPi/echo-api-cert.pem", "path"),
    ("https://s3.amazonaws.com/ECHO.API/echo-api-cert.pem", "path"),
    ("https://s3.amazonaws.com/invalid.path/echo-api-cert.pem", "path"),
    ("https://s3.amazonaws.com/echo.api/../evil/echo-api-cert.pem", "path"),
    ("https://s3.amazonaws.com/echo.api/%2e%2e/evil/echo-api-cert.pem", "path"),
    ("https://s3.amazonaws.com/echo.api%2f..%2fevil/echo-api-cert.pem", "path"),
    ("https://s3.amazonaws.com/echo.api/..\\evil/echo-api-cert.pem", "path"),
    ("https://s3.amazonaws.com//echo.api/echo-api-cert.pem", "path"),
    ("https://s3.amazonaws.com/echo.api", "path"),
    ("https://s3.amazonaws.com/echo.api/", "path"),
    ("https://s3.amazonaws.com", "path"),
    ("https://s3.amazonaws.com/echo.api/echo-api-cert.pem\n", "malformed"),
    ("https://s3.amazonaws.com/echo.api/echo api.pem", "malformed"),
    ("", "malformed"),
]


@pytest.mark.parametrize("url", ACCEPTED_URLS)
def test_amazons_valid_certificate_url_forms_are_accepted(url: str) -> None:
    check_cert_url(url)
    assert canonical_cert_url(url) == "https://s3.amazonaws.com/echo.api/echo-api-cert.pem"


@pytest.mark.parametrize(("url", "why"), REJECTED_URLS)
def test_bogus_certificate_urls_are_rejected(url: str, why: str) -> None:
    with pytest.raises(VerificationError) as refused:
        check_cert_url(url)
    assert why in refused.value.reason


@pytest.mark.parametrize(("url", "_why"), REJECTED_URLS)
def test_a_bogus_certificate_url_is_never_fetched(pki: Pki, url: str, _why: str) -> None:
    verifier, fetcher, _ = make_verifier(pki)
    rejected(verifier, headers_for(pki.leaf_key, url=url))
    assert fetcher.calls == []


def test_the_verifier_fetches_the_normalised_url(pki: Pki) -> None:
    verifier, fetcher, _ = make_verifier(pki)
    verifier.verify(headers_for(pki.leaf_key, url="HTTPS://S3.amazonaws.com:443/echo.api/../echo.api/echo-api-cert-13.pem"), BODY, stamp(NOW))
    assert fetcher.calls == [CERT_URL]


# --------------------------------------------------------------------------- the certificate chain


def test_an_expired_leaf_is_rejected(pki: Pki) -> None:
    leaf = pki.leaf_cert(not_before=datetime(2029, 1, 1, tzinfo=UTC), not_after=datetime(2030, 6, 1, 11, 59, tzinfo=UTC))
    verifier, _, _ = make_verifier(pki, pem(leaf, pki.intermediate))
    assert rejected(verifier, headers_for(pki.leaf_key)) == "signing certificate has expired"


def test_a_not_yet_valid_leaf_is_rejected(pki: Pki) -> None:
    leaf = pki.leaf_cert(not_before=datetime(2030, 6, 1, 12, 1, tzinfo=UTC), not_after=datetime(2031, 1, 1, tzinfo=UTC))
    verifier, _, _ = make_verifier(pki, pem(leaf, pki.intermediate))
    assert rejected(verifier, headers_for(pki.leaf_key)) == "signing certificate is not yet valid"


@pytest.mark.parametrize(
    "san", [["echo-api.example.com"], ["*.amazon.com"], ["echo-api.amazon.com.evil.example"], ["api.amazon.com"]]
)
def test_a_leaf_for_another_name_is_rejected(pki: Pki, san: list[str]) -> None:
    leaf = pki.leaf_cert(not_before=datetime(2030, 1, 1, tzinfo=UTC), not_after=datetime(2031, 1, 1, tzinfo=UTC), san=san)
    verifier, _, _ = make_verifier(pki, pem(leaf, pki.intermediate))
    assert rejected(verifier, headers_for(pki.leaf_key)) == "signing certificate does not name echo-api.amazon.com"


def test_a_leaf_without_a_san_extension_is_rejected(pki: Pki) -> None:
    # The common name alone does not count.
    leaf = make_cert(
        "echo-api.amazon.com", pki.leaf_key, issuer=pki.intermediate, issuer_key=pki.intermediate_key,
        not_before=datetime(2030, 1, 1, tzinfo=UTC), not_after=datetime(2031, 1, 1, tzinfo=UTC), ca=False, san=None,
    )
    verifier, _, _ = make_verifier(pki, pem(leaf, pki.intermediate))
    assert rejected(verifier, headers_for(pki.leaf_key)) == "signing certificate does not name echo-api.amazon.com"


def test_a_leaf_whose_san_names_no_host_is_rejected(pki: Pki) -> None:
    # The extension is there, but it holds an e-mail address only: no DNS name at all.
    leaf = make_cert(
        "echo-api.amazon.com", pki.leaf_key, issuer=pki.intermediate, issuer_key=pki.intermediate_key,
        not_before=datetime(2030, 1, 1, tzinfo=UTC), not_after=datetime(2031, 1, 1, tzinfo=UTC), ca=False,
        san=[x509.RFC822Name("echo-api@amazon.com")],
    )
    verifier, _, _ = make_verifier(pki, pem(leaf, pki.intermediate))
    assert rejected(verifier, headers_for(pki.leaf_key)) == "signing certificate does not name echo-api.amazon.com"


def test_a_chain_to_an_untrusted_root_is_rejected(pki: Pki) -> None:
    verifier, _, _ = make_verifier(pki, roots=[pki.other_root])
    assert rejected(verifier, headers_for(pki.leaf_key)) == "certificate chain is not trusted"


def test_a_chain_missing_its_intermediate_is_rejected(pki: Pki) -> None:
    verifier, _, _ = make_verifier(pki, pem(pki.leaf))
    assert rejected(verifier, headers_for(pki.leaf_key)) == "certificate chain is not trusted"


def test_a_self_signed_leaf_is_rejected(pki: Pki) -> None:
    leaf = make_cert(
        "echo-api.amazon.com", pki.leaf_key, issuer=None, issuer_key=pki.leaf_key,
        not_before=datetime(2030, 1, 1, tzinfo=UTC), not_after=datetime(2031, 1, 1, tzinfo=UTC), ca=False,
        san=["echo-api.amazon.com"],
    )
    verifier, _, _ = make_verifier(pki, pem(leaf, pki.intermediate))
    assert rejected(verifier, headers_for(pki.leaf_key)) == "certificate chain is not trusted"


def test_a_leaf_certificate_cannot_issue_the_signing_certificate(pki: Pki) -> None:
    """Anyone with an ordinary (non-CA) certificate from a trusted CA must not be able to mint echo-api.amazon.com."""
    imposter_key = _rsa()
    imposter = make_cert(
        "www.example.com", imposter_key, issuer=pki.intermediate, issuer_key=pki.intermediate_key,
        not_before=datetime(2030, 1, 1, tzinfo=UTC), not_after=datetime(2031, 1, 1, tzinfo=UTC), ca=False,
        san=["www.example.com"],
    )
    forged = make_cert(
        "echo-api.amazon.com", pki.leaf_key, issuer=imposter, issuer_key=imposter_key,
        not_before=datetime(2030, 1, 1, tzinfo=UTC), not_after=datetime(2031, 1, 1, tzinfo=UTC), ca=False,
        san=["echo-api.amazon.com"],
    )
    verifier, _, _ = make_verifier(pki, pem(forged, imposter, pki.intermediate))
    assert rejected(verifier, headers_for(pki.leaf_key)) == "certificate chain is not trusted"


def test_an_expired_intermediate_is_rejected(pki: Pki) -> None:
    old_intermediate = make_cert(
        "Test Intermediate CA", pki.intermediate_key, issuer=pki.root, issuer_key=pki.root_key,
        not_before=datetime(2020, 1, 1, tzinfo=UTC), not_after=datetime(2030, 5, 1, tzinfo=UTC), ca=True,
    )
    verifier, _, _ = make_verifier(pki, pem(pki.leaf, old_intermediate))
    assert rejected(verifier, headers_for(pki.leaf_key)) == "certificate chain is not trusted"


def test_the_root_may_be_included_in_the_chain(pki: Pki) -> None:
    verifier, _, _ = make_verifier(pki, pem(pki.leaf, pki.intermediate, pki.root))
    verifier.verify(headers_for(pki.leaf_key), BODY, stamp(NOW))


def test_an_ec_intermediate_may_issue_the_rsa_leaf(pki: Pki) -> None:
    ec_key = ec.generate_private_key(ec.SECP256R1())
    root_key = _rsa()
    root = make_cert(
        "EC Test Root", root_key, issuer=None, issuer_key=root_key,
        not_before=datetime(2020, 1, 1, tzinfo=UTC), not_after=datetime(2045, 1, 1, tzinfo=UTC), ca=True,
    )
    intermediate = make_cert(
        "EC Test Intermediate", ec_key, issuer=root, issuer_key=root_key,
        not_before=datetime(2020, 1, 1, tzinfo=UTC), not_after=datetime(2040, 1, 1, tzinfo=UTC), ca=True,
    )
    leaf = make_cert(
        "echo-api.amazon.com", pki.leaf_key, issuer=intermediate, issuer_key=ec_key,
        not_before=datetime(2030, 1, 1, tzinfo=UTC), not_after=datetime(2031, 1, 1, tzinfo=UTC), ca=False,
        san=["echo-api.amazon.com"],
    )
    verifier, _, _ = make_verifier(pki, pem(leaf, intermediate), roots=[root])
    verifier.verify(headers_for(pki.leaf_key), BODY, stamp(NOW))


@pytest.mark.parametrize("payload", [b"", b"not a certificate", b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"])
def test_a_url_without_certificates_is_rejected(pki: Pki, payload: bytes) -> None:
    verifier, _, _ = make_verifier(pki, payload)
    assert rejected(verifier, headers_for(pki.leaf_key)) == "no certificate at the certificate URL"


def test_a_failing_fetcher_is_a_verification_error(pki: Pki) -> None:
    def broken(url: str) -> bytes:
        raise OSError("network unreachable")

    verifier = RequestVerifier(broken, Clock(), trusted_roots=[pki.root])
    assert rejected(verifier, headers_for(pki.leaf_key)) == "certificate fetch failed: OSError"


def test_no_trusted_roots_fails_closed(pki: Pki) -> None:
    verifier, _, _ = make_verifier(pki, roots=[])
    assert rejected(verifier, headers_for(pki.leaf_key)) == "no trusted root certificates"


def test_the_system_trust_store_loads_when_present() -> None:
    roots = verify.system_trusted_roots()
    if not roots:
        pytest.skip("no system trust store on this machine")
    assert all(isinstance(cert, x509.Certificate) for cert in roots)
    assert verify.system_trusted_roots() is roots  # read once


# --------------------------------------------------------------------------- the timestamp


@pytest.mark.parametrize("offset", [-149, 149, 0, -150, 150])
def test_a_timestamp_within_150_seconds_is_accepted(pki: Pki, offset: int) -> None:
    verifier, _, _ = make_verifier(pki)
    verifier.verify(headers_for(pki.leaf_key), BODY, stamp(NOW + timedelta(seconds=offset)))


@pytest.mark.parametrize(
    ("offset", "reason"), [(-151, "request timestamp is too old"), (151, "request timestamp is in the future"), (-86400, "too old")]
)
def test_stale_and_future_timestamps_are_rejected(pki: Pki, offset: int, reason: str) -> None:
    verifier, _, _ = make_verifier(pki)
    assert reason in rejected(verifier, headers_for(pki.leaf_key), timestamp=stamp(NOW + timedelta(seconds=offset)))


@pytest.mark.parametrize(
    ("timestamp", "reason"),
    [
        (None, "request timestamp is missing"),
        ("", "request timestamp is missing"),
        ("yesterday", "request timestamp is not ISO 8601"),
        ("2030-06-01T12:00:00", "request timestamp has no time zone"),
        ("1" * 100, "request timestamp is missing"),
    ],
)
def test_missing_or_unparseable_timestamps_are_rejected(pki: Pki, timestamp: str | None, reason: str) -> None:
    verifier, _, _ = make_verifier(pki)
    assert rejected(verifier, headers_for(pki.leaf_key), timestamp=timestamp) == reason


def test_a_non_string_timestamp_is_rejected(pki: Pki) -> None:
    verifier, _, _ = make_verifier(pki)
    with pytest.raises(VerificationError, match="missing"):
        verifier.verify(headers_for(pki.leaf_key), BODY, 1234567890)  # type: ignore[arg-type]


@pytest.mark.parametrize("timestamp", ["2030-06-01T12:00:00.123Z", "2030-06-01T14:00:00+02:00", "2030-06-01T12:00:00+00:00"])
def test_timestamp_forms_alexa_may_send_are_accepted(pki: Pki, timestamp: str) -> None:
    verifier, _, _ = make_verifier(pki)
    verifier.verify(headers_for(pki.leaf_key), BODY, timestamp)


def test_skill_events_may_be_given_a_longer_window(pki: Pki) -> None:
    verifier, _, _ = make_verifier(pki)
    late = stamp(NOW - timedelta(minutes=50))
    assert rejected(verifier, headers_for(pki.leaf_key), timestamp=late) == "request timestamp is too old"
    verifier.verify(headers_for(pki.leaf_key), BODY, late, max_skew_seconds=SKILL_EVENT_MAX_SKEW_SECONDS)


# --------------------------------------------------------------------------- the cache


def test_the_chain_is_fetched_once_for_many_requests(pki: Pki) -> None:
    verifier, fetcher, clock = make_verifier(pki)
    verifier.verify(headers_for(pki.leaf_key), BODY, stamp(NOW))
    clock.now = NOW + timedelta(days=30)
    other = BODY.replace(b"LaunchRequest", b"IntentRequest")
    verifier.verify(headers_for(pki.leaf_key, other), other, stamp(clock.now))
    assert fetcher.calls == [CERT_URL]


def test_a_cached_chain_still_needs_a_matching_signature(pki: Pki) -> None:
    verifier, fetcher, _ = make_verifier(pki)
    verifier.verify(headers_for(pki.leaf_key), BODY, stamp(NOW))
    assert rejected(verifier, headers_for(pki.other_key)) == "signature does not match the body"
    assert len(fetcher.calls) == 1


def test_the_chain_is_fetched_again_once_the_leaf_expires(pki: Pki) -> None:
    verifier, fetcher, clock = make_verifier(pki)
    verifier.verify(headers_for(pki.leaf_key), BODY, stamp(NOW))
    # Amazon rotates the certificate at the same URL; the cached one expires at the end of 2030.
    renewed = pki.leaf_cert(not_before=datetime(2030, 12, 1, tzinfo=UTC), not_after=datetime(2031, 12, 1, tzinfo=UTC))
    fetcher.responses[CERT_URL] = pem(renewed, pki.intermediate)
    clock.now = datetime(2030, 12, 30, tzinfo=UTC)
    verifier.verify(headers_for(pki.leaf_key), BODY, stamp(clock.now))
    assert len(fetcher.calls) == 1
    clock.now = pki.leaf.not_valid_after_utc + timedelta(seconds=1)
    verifier.verify(headers_for(pki.leaf_key), BODY, stamp(clock.now))
    assert len(fetcher.calls) == 2
    verifier.verify(headers_for(pki.leaf_key), BODY, stamp(clock.now))
    assert len(fetcher.calls) == 2


def test_a_chain_that_fails_is_not_cached_and_its_url_is_refused_for_a_while(pki: Pki) -> None:
    fetcher = Fetcher({CERT_URL: pki.chain})
    verifier = RequestVerifier(fetcher, Clock(), trusted_roots=[pki.other_root], failures=FailureCache(ttl_seconds=0.5))
    assert rejected(verifier, headers_for(pki.leaf_key)) == "certificate chain is not trusted"
    assert rejected(verifier, headers_for(pki.leaf_key)) == "certificate chain is not trusted"
    assert len(fetcher.calls) == 1
    assert len(verifier.cache) == 0
    time.sleep(0.6)
    rejected(verifier, headers_for(pki.leaf_key))
    assert len(fetcher.calls) == 2


def test_a_failed_fetch_is_remembered_briefly(pki: Pki) -> None:
    calls: list[str] = []

    def broken(url: str) -> bytes:
        calls.append(url)
        raise OSError("network unreachable")

    verifier = RequestVerifier(broken, Clock(), trusted_roots=[pki.root], failures=FailureCache(ttl_seconds=0.5))
    for _ in range(20):
        assert rejected(verifier, headers_for(pki.leaf_key)) == "certificate fetch failed: OSError"
    assert calls == [CERT_URL]
    time.sleep(0.6)
    rejected(verifier, headers_for(pki.leaf_key))
    assert len(calls) == 2


def test_requests_for_a_url_being_fetched_share_that_fetch(pki: Pki) -> None:
    release = threading.Event()
    calls: list[str] = []

    def slow(url: str) -> bytes:
        calls.append(url)
        release.wait(5)
        return pki.chain

    verifier = RequestVerifier(slow, Clock(), trusted_roots=[pki.root])
    errors: list[BaseException] = []

    def run() -> None:
        try:
            verifier.verify(headers_for(pki.leaf_key), BODY, stamp(NOW))
        except BaseException as failed:  # pragma: no cover - reported below
            errors.append(failed)

    threads = [threading.Thread(target=run) for _ in range(8)]
    for thread in threads:
        thread.start()
    time.sleep(0.3)
    release.set()
    for thread in threads:
        thread.join(10)
    assert errors == []
    assert calls == [CERT_URL]


def test_urls_are_cached_separately(pki: Pki) -> None:
    second = "https://s3.amazonaws.com/echo.api/echo-api-cert-14.pem"
    verifier, fetcher, _ = make_verifier(pki)
    fetcher.responses[second] = pki.chain
    for url in (CERT_URL, second, CERT_URL, second):
        verifier.verify(headers_for(pki.leaf_key, url=url), BODY, stamp(NOW))
    assert fetcher.calls == [CERT_URL, second]


def test_the_cache_is_bounded_and_drops_the_least_recently_used(pki: Pki) -> None:
    cache = CertificateCache(max_entries=2)
    chain = [pki.leaf, pki.intermediate, pki.root]
    cache.put("a", chain, NOW)
    cache.put("b", chain, NOW)
    assert cache.get("a", NOW) == chain  # "a" is now the most recently used
    cache.put("c", chain, NOW)
    assert len(cache) == 2
    assert cache.get("b", NOW) is None
    assert cache.get("a", NOW) == chain and cache.get("c", NOW) == chain


def test_the_cache_keeps_a_chain_until_its_first_expiry(pki: Pki) -> None:
    cache = CertificateCache()
    cache.put("a", [pki.leaf, pki.intermediate], NOW)
    assert cache.get("a", pki.leaf.not_valid_after_utc) is not None
    assert cache.get("a", pki.leaf.not_valid_after_utc + timedelta(seconds=1)) is None
    assert len(cache) == 0
    cache.put("expired", [pki.leaf], pki.leaf.not_valid_after_utc + timedelta(days=1))
    assert len(cache) == 0


def test_many_bogus_but_well_formed_urls_do_not_grow_the_cache(pki: Pki) -> None:
    verifier, fetcher, _ = make_verifier(pki)
    for n in range(40):
        url = f"https://s3.amazonaws.com/echo.api/junk-{n}.pem"
        fetcher.responses[url] = pki.chain
        verifier.verify(headers_for(pki.leaf_key, url=url), BODY, stamp(NOW))
    assert len(verifier.cache) == 16


def test_concurrent_requests_are_all_verified(pki: Pki) -> None:
    verifier, _, _ = make_verifier(pki)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            for _ in range(5):
                verifier.verify(headers_for(pki.leaf_key), BODY, stamp(NOW))
        except BaseException as failed:  # pragma: no cover - reported below
            errors.append(failed)

    threads = [threading.Thread(target=run) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


# --------------------------------------------------------------------------- https_fetch


class _Handler(http.server.BaseHTTPRequestHandler):
    """HTTP/1.0: the body ends when the connection closes, unless Content-Length says otherwise."""

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _send(self, status: int, body: bytes, *, length: bool = True, extra: dict[str, str] | None = None) -> None:
        self.send_response(status)
        if length:
            self.send_header("Content-Length", str(len(body)))
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        if self.path == "/ok":
            self._send(200, b"-----BEGIN CERTIFICATE-----\n" + b"A" * 1000 + b"\n-----END CERTIFICATE-----\n")
        elif self.path == "/at-cap":
            self._send(200, b"x" * 64 * 1024, length=False)
        elif self.path == "/big":
            self._send(200, b"x" * 70_000)
        elif self.path == "/big-no-length":
            self._send(200, b"x" * 70_000, length=False)
        elif self.path == "/huge-declared":
            self.send_response(200)
            self.send_header("Content-Length", str(10**9))
            self.end_headers()
            self.wfile.write(b"x" * 1000)
        elif self.path == "/slow":
            time.sleep(1.5)
            self._send(200, b"late")
        elif self.path == "/drip":
            self.send_response(200)
            self.end_headers()
            try:
                for _ in range(30):
                    self.wfile.write(b"x")
                    self.wfile.flush()
                    time.sleep(0.1)
            except OSError:
                pass
        elif self.path == "/redirect":
            self._send(302, b"", extra={"Location": "/ok"})
        else:
            self._send(404, b"no")


@pytest.fixture(scope="module")
def local_server() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(autouse=True)
def _no_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)


def test_https_fetch_returns_a_small_body(local_server: str) -> None:
    assert https_fetch(f"{local_server}/ok").startswith(b"-----BEGIN CERTIFICATE-----")
    assert len(https_fetch(f"{local_server}/at-cap")) == 64 * 1024


@pytest.mark.parametrize("path", ["/big", "/big-no-length", "/huge-declared"])
def test_https_fetch_refuses_bodies_over_the_cap(local_server: str, path: str) -> None:
    with pytest.raises(VerificationError, match="too large"):
        https_fetch(f"{local_server}{path}")


def test_https_fetch_gives_up_on_a_silent_server(local_server: str) -> None:
    started = time.monotonic()
    with pytest.raises(VerificationError, match="timed out"):
        https_fetch(f"{local_server}/slow", timeout=0.5)
    assert time.monotonic() - started < 1.4


def test_https_fetch_has_an_overall_deadline_for_a_dripping_server(local_server: str) -> None:
    started = time.monotonic()
    with pytest.raises(VerificationError, match="timed out"):
        https_fetch(f"{local_server}/drip", timeout=0.5)
    assert time.monotonic() - started < 1.5


@pytest.mark.parametrize(("path", "status"), [("/redirect", "302"), ("/missing", "404")])
def test_https_fetch_follows_no_redirects_and_refuses_errors(local_server: str, path: str, status: str) -> None:
    with pytest.raises(VerificationError, match=status):
        https_fetch(f"{local_server}{path}")


def test_https_fetch_reports_an_unreachable_host() -> None:
    with socket_closed_port() as port, pytest.raises(VerificationError, match="certificate fetch failed"):
        https_fetch(f"http://127.0.0.1:{port}/x", timeout=1)


class socket_closed_port:
    """A port on 127.0.0.1 that nothing listens on (bound, not listening)."""

    def __enter__(self) -> int:
        import socket

        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        return int(self._sock.getsockname()[1])

    def __exit__(self, *exc: object) -> None:
        self._sock.close()


def test_the_verifier_works_with_https_fetch_behind_it(pki: Pki, local_server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """End to end through https_fetch: the verifier fetches the checked https URL, so redirect it to the local server."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _chain_handler(pki.chain))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        local = f"http://127.0.0.1:{server.server_address[1]}"
        seen: list[str] = []

        def fetch(url: str) -> bytes:
            seen.append(url)
            return https_fetch(url.replace("https://s3.amazonaws.com", local))

        verifier = RequestVerifier(fetch, Clock(), trusted_roots=[pki.root])
        verifier.verify(headers_for(pki.leaf_key), BODY, stamp(NOW))
        assert seen == [CERT_URL]
    finally:
        server.shutdown()
        server.server_close()


def _chain_handler(chain: bytes) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            self.send_response(200 if self.path.startswith("/echo.api/") else 404)
            self.send_header("Content-Length", str(len(chain)))
            self.end_headers()
            self.wfile.write(chain)

    return Handler


# --------------------------------------------------------------------------- the module


def test_doctests_pass() -> None:
    """pytest does not collect doctests (no --doctest-modules), so run them here."""
    result = doctest.testmod(verify)
    assert result.attempted > 0 and result.failed == 0


@pytest.mark.parametrize(
    "code",
    [
        # verify.py stands alone and leaves urllib for the first fetch.
        "import sys, skill.entrypoints.verify\n"
        "assert 'skill.app' not in sys.modules, 'verify imports the skill'\n"
        "assert 'urllib.request' not in sys.modules, 'urllib is imported eagerly'\n",
        # Lambda requests are authenticated by AWS: the Lambda path never loads verify.py.
        "import sys, skill.entrypoints.lambda_entry\n"
        "assert 'skill.entrypoints.verify' not in sys.modules, 'the Lambda path imports verify'\n",
    ],
    ids=["standalone", "not-on-lambda"],
)
def test_imports(code: str) -> None:
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr


def test_the_lambda_artifact_leaves_verify_out(monkeypatch: pytest.MonkeyPatch) -> None:
    """The Lambda build ships only modules reachable from the handler; cryptography is not in the zip."""
    monkeypatch.syspath_prepend(str(ROOT / "scripts"))  # build_lambda.py imports locks.py beside it
    spec = importlib.util.spec_from_file_location("_build_lambda_for_verify_test", ROOT / "scripts" / "build_lambda.py")
    assert spec is not None and spec.loader is not None
    build_lambda = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build_lambda)
    modules = build_lambda.skill_modules()
    assert "skill.entrypoints.lambda_entry" in modules
    assert "skill.entrypoints.verify" not in modules


# --------------------------------------------------------------------------- the web service


def _launch_body(moment: datetime) -> bytes:
    event = json.loads((Path(__file__).parent / "events" / "launch_request.json").read_text())
    event["request"]["timestamp"] = stamp(moment)
    return json.dumps(event).encode()


@pytest.fixture
def verified_server(pki: Pki, tmp_path: Path) -> Iterator[str]:
    """``create_app`` with a verifier that trusts the test CA, served over real HTTP on 127.0.0.1."""
    from werkzeug.serving import make_server

    from skill.config import Config
    from skill.entrypoints.web import create_app

    verifier, _, _ = make_verifier(pki)
    server = make_server("127.0.0.1", 0, create_app(Config(data_dir=tmp_path), verifier=verifier))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()


def test_the_web_service_answers_a_signed_request_and_refuses_a_tampered_one(pki: Pki, verified_server: str) -> None:
    body = _launch_body(NOW)
    status, answer = post(verified_server, body, headers=headers_for(pki.leaf_key, body))
    assert status == 200 and "Welcome" in json.dumps(answer)
    tampered = body.replace(b"en-US", b"en-GB")
    assert tampered != body
    status, refusal = post(verified_server, tampered, headers=headers_for(pki.leaf_key, body))
    assert status == 400 and "verification failed" in str(refusal["error"])
    status, refusal = post(verified_server, body, headers=headers_for(pki.other_key, body))
    assert status == 400 and "verification failed" in str(refusal["error"])


# --------------------------------------------------------------------------- a slow certificate host

# Alexa gives up on a response after 8 seconds.
ALEXA_RESPONSE_LIMIT_SECONDS = 8.0


class StallingHost:
    """A certificate host on 127.0.0.1 that holds each request until ``delay`` passes or it is released."""

    def __init__(self, chain: bytes, delay: float) -> None:
        self.chain = chain
        self.delay = delay
        self.release = threading.Event()
        self.hits: list[str] = []
        self.open = 0
        self.most_open = 0
        self._lock = threading.Lock()
        host = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                with host._lock:
                    host.hits.append(self.path)
                    host.open += 1
                    host.most_open = max(host.most_open, host.open)
                try:
                    host.release.wait(host.delay)
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(host.chain)))
                    self.end_headers()
                    self.wfile.write(host.chain)
                except OSError:
                    pass
                finally:
                    with host._lock:
                        host.open -= 1

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def fetch(self, url: str) -> bytes:
        """``https_fetch`` of the checked Amazon URL, sent to this host instead."""
        return https_fetch(url.replace("https://s3.amazonaws.com", self.base))

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def stalling_host(pki: Pki) -> Iterator[StallingHost]:
    host = StallingHost(pki.chain, delay=30.0)
    try:
        yield host
    finally:
        host.close()


def _web_service(verifier: RequestVerifier, data_dir: Path) -> tuple[str, Callable[[], None]]:
    """``create_app`` with ``verifier`` on a threaded server on 127.0.0.1; returns its URL and a stopper."""
    from werkzeug.serving import make_server

    from skill.config import Config
    from skill.entrypoints.web import create_app

    server = make_server("127.0.0.1", 0, create_app(Config(data_dir=data_dir), verifier=verifier), threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}/", server.shutdown


def _timed_posts(url: str, bodies: list[tuple[bytes, dict[str, str]]]) -> list[tuple[int, str, float]]:
    """POST all at once; each answer's status, error text and seconds taken."""
    results: list[tuple[int, str, float]] = [(0, "", 0.0)] * len(bodies)

    def one(index: int, body: bytes, headers: dict[str, str]) -> None:
        started = time.monotonic()
        status, answer = post(url, body, headers=headers)
        results[index] = (status, str(answer.get("error", "")), time.monotonic() - started)

    threads = [threading.Thread(target=one, args=(i, body, headers)) for i, (body, headers) in enumerate(bodies)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


def test_a_stalling_certificate_host_does_not_hold_requests_past_alexas_limit(
    pki: Pki, stalling_host: StallingHost, tmp_path: Path
) -> None:
    """Signed requests whose certificate host never answers are refused in time, with one fetch among them."""
    now = datetime.now(UTC)
    verifier = RequestVerifier(stalling_host.fetch, lambda: now, trusted_roots=[pki.root])
    url, stop = _web_service(verifier, tmp_path)
    try:
        body = _launch_body(now)
        results = _timed_posts(url, [(body, headers_for(pki.leaf_key, body))] * 6)
        again = _timed_posts(url, [(body, headers_for(pki.leaf_key, body))])
    finally:
        stop()
    for status, error, seconds in results + again:
        assert status == 400 and "verification failed" in error, (status, error)
        assert seconds < ALEXA_RESPONSE_LIMIT_SECONDS - 1, f"answered after {seconds:.2f} s"
    assert again[0][2] < 0.5, "a URL that just failed was fetched again"
    assert len(stalling_host.hits) == 1


def test_fetches_are_capped_and_requests_beyond_the_cap_are_refused_at_once(
    pki: Pki, stalling_host: StallingHost, tmp_path: Path
) -> None:
    """Twelve requests naming twelve new certificate URLs on a host that stalls: a few fetches, no pile-up."""
    now = datetime.now(UTC)
    verifier = RequestVerifier(stalling_host.fetch, lambda: now, trusted_roots=[pki.root], cert_wait_seconds=1.5)
    url, stop = _web_service(verifier, tmp_path)
    try:
        body = _launch_body(now)
        requests = [(body, headers_for(pki.leaf_key, body, url=f"https://s3.amazonaws.com/echo.api/cert-{n}.pem")) for n in range(12)]
        results = _timed_posts(url, requests)
    finally:
        stop()
    assert all(status == 400 for status, _, _ in results)
    assert stalling_host.most_open <= 4, f"{stalling_host.most_open} certificate fetches ran at once"
    quick = [seconds for _, error, seconds in results if "too many certificate fetches" in error]
    assert len(quick) >= 12 - 4 and max(quick) < 0.5, results


def test_a_certificate_that_arrives_late_serves_the_next_request(pki: Pki) -> None:
    """The first request is refused when its wait is up; the fetch lands anyway and the retry is verified."""
    host = StallingHost(pki.chain, delay=1.0)
    try:
        verifier = RequestVerifier(host.fetch, Clock(), trusted_roots=[pki.root], cert_wait_seconds=0.3)
        started = time.monotonic()
        assert rejected(verifier, headers_for(pki.leaf_key)) == "certificate not available in time"
        assert time.monotonic() - started < 0.8
        time.sleep(1.2)
        verifier.verify(headers_for(pki.leaf_key), BODY, stamp(NOW))
        assert host.hits == ["/echo.api/echo-api-cert-13.pem"]
    finally:
        host.close()
