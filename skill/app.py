"""Building the skill object every entry point (Lambda, Flask, chat) serves.

Example:
    >>> from skill.persistence.sqlite_store import SqliteStore
    >>> import pathlib, tempfile
    >>> skill = build_skill(Config(), store=SqliteStore(pathlib.Path(tempfile.mkdtemp()) / "u.db"))
    >>> type(skill).__name__
    'CustomSkill'
"""

from __future__ import annotations

import time
from typing import Callable

from ask_sdk_core.skill import CustomSkill
from ask_sdk_core.skill_builder import CustomSkillBuilder

from skill.catalogue import load_catalogue
from skill.config import Config
from skill.flows.spoken_names import SpokenNames
from skill.handlers import conversation, name_free, preferences, reminders, routine, touch
from skill.handlers.dispatch import Dispatch
from skill.handlers.interceptors import (
    ApologiseOnError,
    LoadTurnInterceptor,
    LogRequestInterceptor,
    SaveTurnInterceptor,
    StartTimerInterceptor,
)
from skill.persistence.factory import store_for
from skill.persistence.versioned import VersionedStore


def build_skill(config: Config, store: VersionedStore | None = None, clock: Callable[[], float] = time.time) -> CustomSkill:
    """The whole skill: the dispatcher and its tables, interceptors, error handler and store."""
    store = store or store_for(config)
    builder = CustomSkillBuilder()  # the store is used directly (skill.flows.user_data), not as SDK attributes
    builder.skill_id = config.skill_id  # type: ignore[assignment]  # the SDK annotates it as None
    catalogue = load_catalogue()
    names = SpokenNames(catalogue)  # one way of naming routines and stretches, for name-free answers and the handlers
    # First Alexa's name-free question (every other request would act on its intent), then everything else.
    builder.add_request_handler(name_free.CanFulfillHandler(names))
    operations = {  # by intent name, and by request type for other requests
        **conversation.OPERATIONS,
        **routine.operations(names),
        **preferences.OPERATIONS,
        **reminders.OPERATIONS,
        **conversation.REQUESTS,
        **reminders.REQUESTS,
        **touch.REQUESTS,
    }
    builder.add_request_handler(Dispatch(operations, reminders.ANSWERS))
    builder.add_global_request_interceptor(StartTimerInterceptor())
    builder.add_global_request_interceptor(LoadTurnInterceptor(catalogue, store, clock))
    builder.add_global_response_interceptor(SaveTurnInterceptor())
    builder.add_global_response_interceptor(LogRequestInterceptor(config.log_salt))
    builder.add_exception_handler(ApologiseOnError(config.log_salt))
    return builder.create()
