"""The skill as a web service: Alexa POSTs request JSON to ``/``.

flask-ask-sdk cannot be imported on current OpenSSL (its oscrypto dependency
fails), so this is a small Flask view over the skill's own serializer. Bad
requests get a 4xx with a one-line JSON message, never a 500 or a traceback.
With a ``verifier`` every request's Alexa signature is checked first
(``skill.entrypoints.verify``): a failed check is a 400 with its reason logged,
and no skill code runs.

Example:
    >>> import pathlib, tempfile
    >>> app = create_app(Config(data_dir=pathlib.Path(tempfile.mkdtemp())))
    >>> app.test_client().post("/", data="{", content_type="application/json").status_code
    400
"""

from __future__ import annotations

import logging

from ask_sdk_core.exceptions import AskSdkException
from ask_sdk_core.skill import CustomSkill
from ask_sdk_model import RequestEnvelope
from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException

from skill.app import build_skill
from skill.config import Config
from skill.entrypoints.invoke import BadRequest, invoke, parse_request
from skill.entrypoints.verify import SKILL_EVENT_MAX_SKEW_SECONDS, RequestVerifier, VerificationError

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 128 * 1024


def create_app(config: Config, skill: CustomSkill | None = None, verifier: RequestVerifier | None = None) -> Flask:
    """A Flask app serving ``skill`` (built from ``config`` when not given), checking signatures with ``verifier``."""
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
    the_skill = skill or build_skill(config)

    def error(status: int, message: str) -> tuple[Response, int]:
        return jsonify(error=message), status

    @app.get("/health")
    def health() -> Response:
        return jsonify(status="ok")

    @app.post("/")
    def alexa() -> tuple[Response, int] | Response:
        if not request.mimetype or request.mimetype != "application/json":
            return error(415, "send the Alexa request as application/json")
        raw = request.get_data(cache=False)
        if not raw:
            return error(400, "empty body: expected an Alexa request")
        try:
            envelope = parse_request(raw)
        except BadRequest as bad:
            return error(400, str(bad))
        if verifier is not None:
            try:
                _verify(verifier, envelope, raw)
            except VerificationError as failed:
                logger.warning("refused an unverified request: %s", failed.reason)
                return error(400, f"request verification failed: {failed.reason}")
        try:
            return jsonify(invoke(the_skill, envelope))
        except AskSdkException as refused:
            if "verification" in str(refused).lower():
                return error(403, "this endpoint serves a different skill id")
            logger.exception("skill could not handle the request")
            return error(400, "the skill cannot handle this request")

    @app.errorhandler(HTTPException)
    def http_error(exception: HTTPException) -> tuple[Response, int]:
        return error(exception.code or 500, exception.description or exception.name)

    @app.errorhandler(Exception)
    def unexpected(exception: Exception) -> tuple[Response, int]:
        logger.exception("unexpected error")
        return error(500, "internal error")

    return app


def _verify(verifier: RequestVerifier, envelope: RequestEnvelope, raw: bytes) -> None:
    """Alexa's signature over the raw body, its certificate, and the request's age (skill events: 1 h)."""
    stamp = getattr(envelope.request, "timestamp", None)
    timestamp = stamp.isoformat() if stamp is not None else None
    is_event = str(getattr(envelope.request, "object_type", "")).startswith("AlexaSkillEvent.")
    verifier.verify(dict(request.headers.items()), raw, timestamp, max_skew_seconds=SKILL_EVENT_MAX_SKEW_SECONDS if is_event else None)
