"""The Lambda request path, kept in the package so it is tested and shipped with it."""

from __future__ import annotations

import logging
import os
from typing import Any

from ask_sdk_core.skill import CustomSkill

from skill.app import build_skill
from skill.config import Config
from skill.entrypoints.invoke import invoke, read_event

_skill: CustomSkill | None = None


def skill() -> CustomSkill:
    """The process-wide skill, built once from the environment."""
    global _skill
    if _skill is None:
        config = Config.from_env(os.environ)
        logging.getLogger().setLevel(config.log_level)
        _skill = build_skill(config)
    return _skill


def reset() -> None:
    """Forget the built skill (tests change the environment between cases)."""
    global _skill
    _skill = None


def handle(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return invoke(skill(), read_event(event), context)
