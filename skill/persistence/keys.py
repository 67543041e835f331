"""How a request maps to the key of the user's stored item."""

from __future__ import annotations

from ask_sdk_model import RequestEnvelope


class NoUserError(ValueError):
    """The request names no user, so there is nothing to load or store."""


def user_key(request_envelope: RequestEnvelope) -> str:
    """The Alexa user id: stable per account and skill enablement."""
    try:
        user_id = request_envelope.context.system.user.user_id
    except AttributeError as error:
        raise NoUserError("request has no context.System.user") from error
    if not user_id:
        raise NoUserError("request has an empty user id")
    return user_id
