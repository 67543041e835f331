"""Versioned, conditional writes shared by every store.

Each stored item carries a version. ``get_attributes`` returns the user's
attributes with the version under ``VERSION_KEY``; ``save_attributes`` writes only
if the stored version is still that one, else raises ``VersionConflict``.
``update`` is the safe way to change data: read, apply a change, write
conditionally, and on a conflict re-read and re-apply (a bounded number of times),
so two devices changing different settings at once both land.
"""

from __future__ import annotations

import abc
import logging
from typing import Any, Callable

from ask_sdk_core.attributes_manager import AbstractPersistenceAdapter
from ask_sdk_model import RequestEnvelope

from skill.persistence.keys import user_key

logger = logging.getLogger(__name__)

VERSION_KEY = "_version"
MAX_UPDATE_ATTEMPTS = 4

Attributes = dict[str, Any]


class VersionConflict(Exception):
    """Someone else wrote the item since it was read."""


class StoreUnavailable(Exception):
    """The store could not be reached or refused the request (throttling, timeouts)."""


class VersionedStore(AbstractPersistenceAdapter, abc.ABC):
    """Template for a store keyed by Alexa user id with optimistic concurrency."""

    # -- what a concrete store provides ---------------------------------------------------

    @abc.abstractmethod
    def read(self, key: str) -> tuple[Attributes, int]:
        """The stored attributes and version (``({}, 0)`` when there is no item)."""

    @abc.abstractmethod
    def write(self, key: str, attributes: Attributes, expected_version: int) -> int:
        """Store ``attributes`` if the version is still ``expected_version``; return the new version."""

    @abc.abstractmethod
    def remove(self, key: str) -> None:
        """Delete the item (no error when it is absent)."""

    # -- AbstractPersistenceAdapter -------------------------------------------------------

    def get_attributes(self, request_envelope: RequestEnvelope) -> Attributes:
        attributes, version = self.read(user_key(request_envelope))
        return {**attributes, VERSION_KEY: version}

    def save_attributes(self, request_envelope: RequestEnvelope, attributes: Attributes) -> None:
        data = {k: v for k, v in attributes.items() if k != VERSION_KEY}
        new_version = self.write(user_key(request_envelope), data, int(attributes.get(VERSION_KEY, 0)))
        attributes[VERSION_KEY] = new_version

    def delete_attributes(self, request_envelope: RequestEnvelope) -> None:
        self.remove(user_key(request_envelope))

    # -- safe read-modify-write ----------------------------------------------------------------

    def update(self, key: str, change: Callable[[Attributes], Attributes]) -> Attributes:
        """Apply ``change`` to the stored attributes and write them, retrying on conflicts.

        ``change`` must be a pure function of the attributes it is given: it is re-applied
        to freshly read data after a conflict.
        """
        for attempt in range(1, MAX_UPDATE_ATTEMPTS + 1):
            current, version = self.read(key)
            changed = change(dict(current))
            try:
                self.write(key, changed, version)
                return changed
            except VersionConflict:
                logger.info("version conflict on attempt %d, re-reading", attempt)
        raise VersionConflict(f"gave up after {MAX_UPDATE_ATTEMPTS} conflicting writes")
