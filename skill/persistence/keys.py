"""How a request maps to the key of the user's stored item."""

from __future__ import annotations

from ask_sdk_model import RequestEnvelope


class NoUserError(ValueError):
    """The request names no user, so there is nothing to load or store."""


def user_key(request_envelope: RequestEnvelope) -> str:
    """The Alexa user id: stable per account and skill enablement."""
    context = request_envelope.context
    user = context.system.user if context is not None and context.system is not None else None
    user_id = user.user_id if user is not None else None
    if not user_id:
        raise NoUserError("request has an empty user id")
    return user_id
