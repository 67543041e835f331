"""AWS Lambda entry point: ``lambda_handler`` serves Alexa requests.

The skill (handlers, catalogue, DynamoDB store) is built on the first request and
kept for the life of the execution environment; nothing is built at import.
"""

from __future__ import annotations

from typing import Any

from skill.entrypoints.lambda_entry import handle


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Answer one Alexa request event."""
    return handle(event, context)
