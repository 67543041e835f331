"""The Lambda request path, kept in the package so it is tested and shipped with it.

Init does the work: ``init`` (run by ``lambda_function`` at import, in Lambda's init phase) builds the
skill, its store and the store's client, loads the catalogue and every locale's wording, and reads the
store once, so the first request costs about what any later one does. With SnapStart that work is in
the snapshot; ``after_restore`` then gives each restored environment what must not be shared between
them: fresh random state, a new log salt (when none is configured) and a new store client, with its own
credentials and connections. Clocks need nothing more: the store's clock-stamped state (recent
failures) goes with the old store, and every request takes its deadlines afresh.

Example (the environment names no table here: the embedded store, which opens nothing until used):
    >>> reset(); first = init(); init() is first   # init builds once per environment
    True
    >>> after_restore(); skill() is first           # a restored snapshot: built anew
    False
    >>> reset()
"""

from __future__ import annotations

import logging
import os
import random
from importlib import import_module
from typing import Any

from ask_sdk_core.skill import CustomSkill

from skill.app import build_skill
from skill.config import Config
from skill.entrypoints.invoke import invoke, read_event
from skill.persistence.factory import store_for
from skill.persistence.versioned import VersionedStore
from skill.speech.phrases import available_locales, phrases_for

_skill: CustomSkill | None = None
_store: VersionedStore | None = None
_ready = False  # init has run since the skill was last (re)built

# The shape of every request Alexa sends (context.System, a session, a request): reading it once loads
# the request model classes the SDK's deserializer imports on first use.
_SHAPE: dict[str, Any] = {
    "version": "1.0",
    "session": {"new": True, "sessionId": "init", "application": {"applicationId": "init"}, "user": {"userId": "init"}},
    "context": {"System": {"application": {"applicationId": "init"}, "user": {"userId": "init"}, "device": {"deviceId": "init"}}},
    "request": {"type": "LaunchRequest", "requestId": "init", "timestamp": "2025-01-01T00:00:00Z", "locale": "en-US"},
}


def skill() -> CustomSkill:
    """The process-wide skill, built once from the environment."""
    global _skill, _store
    if _skill is None:
        config = Config.from_env(os.environ)
        logging.getLogger().setLevel(config.log_level)
        _store = store_for(config)
        _skill = build_skill(config, store=_store)
    return _skill


def init() -> CustomSkill:
    """Build everything a request needs, now: the skill (catalogue, handlers), every locale's wording
    and the store's client, ready and connected. Only what ordinary requests use."""
    global _ready
    built = skill()
    if not _ready and _store is not None:
        import_module("skill.settings_api")  # every routine asks Alexa for the user's time zone
        for locale in available_locales():
            phrases_for(locale)
        read_event(_SHAPE)
        _store.prepare()
        _ready = True
    return built


def after_restore() -> None:
    """Run in each environment restored from a SnapStart snapshot, before its first request."""
    random.seed()  # from os.urandom: restored environments must not draw the same numbers
    reset()  # the salt, the store, its client and its connections were the snapshot's
    init()


def reset() -> None:
    """Forget the built skill (tests change the environment between cases)."""
    global _skill, _store, _ready
    _skill = None
    _store = None
    _ready = False


def register_snapshot_hooks() -> bool:
    """Have Lambda call ``after_restore`` after restoring a snapshot; False where that is not possible.

    ``snapshot_restore_py`` is part of Lambda's Python runtime (3.12 and later), not a package of ours;
    elsewhere (tests, the web service, a runtime without it) there is no snapshot to restore from.
    """
    try:
        from snapshot_restore_py import register_after_restore
    except ImportError:
        return False
    register_after_restore(after_restore)
    return True


def handle(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return invoke(skill(), read_event(event), context)
