"""The two shapes of a reply outside the routine's own playing: keep listening, or close."""

from __future__ import annotations

from typing import Any

from skill.flows.turn import Turn
from skill.speech import Reply, Speech


def ask(turn: Turn, speech: Speech, reprompt_key: str, **values: Any) -> Reply:
    """Say ``speech`` and keep listening, reprompting with the phrase ``reprompt_key`` (filled with ``values``)."""
    return Reply(speech, Speech().say(turn.say(reprompt_key, **values)))


def close(speech: Speech) -> Reply:
    """Say ``speech`` and end the session."""
    return Reply(speech, None, end_session=True)
