"""AWS Lambda entry point: ``lambda_handler`` serves Alexa requests.

Importing this module is Lambda's init: it builds the skill (handlers, catalogue, wording) and the
DynamoDB store's client and connects it, so the first request does not wait for that, and a SnapStart
snapshot holds it; a restored snapshot refreshes what environments must not share (see
skill/entrypoints/lambda_entry.py).
"""

from __future__ import annotations

from typing import Any

from skill.entrypoints.lambda_entry import handle, init, register_snapshot_hooks

register_snapshot_hooks()
init()


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Answer one Alexa request event."""
    return handle(event, context)
