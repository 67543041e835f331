"""The shapes of a reply outside the routine's own playing: keep listening, ask a question, or close."""

from __future__ import annotations

from typing import Any

from skill.flows.turn import ASKED, Question, Turn
from skill.speech import Reply, Speech


def ask(turn: Turn, speech: Speech, reprompt_key: str, **values: Any) -> Reply:
    """Say ``speech`` and keep listening, reprompting with the phrase ``reprompt_key`` (filled with ``values``)."""
    return Reply(speech, Speech().say(turn.say(reprompt_key, **values)))


def ask_question(turn: Turn, question: Question, speech: Speech, **values: Any) -> Reply:
    """Ask ``question`` (``speech`` ends with it) and wait for its answer (``skill.flows.questions``);
    silence hears the question's own reprompt (``ASKED``), filled with ``values``."""
    turn.session.question = question
    return ask(turn, speech, ASKED[question.kind].reprompt, **values)


def close(speech: Speech) -> Reply:
    """Say ``speech`` and end the session."""
    return Reply(speech, None, end_session=True)
