"""Versioned, conditional writes shared by every store.

Each stored item carries a version. ``read`` returns the attributes and the
version; ``write`` stores only if the version is still the one read, else raises
``VersionConflict``. ``update`` is the one way the skill changes data: apply a
change to what was read, write conditionally, and on a conflict re-read and
re-apply (a bounded number of times), so two devices changing different settings
at once both land. The skill uses these methods directly, not ask-sdk's
persistent attributes.
"""

from __future__ import annotations

import abc
import logging
from typing import Any, Callable

logger = logging.getLogger(__name__)

MAX_UPDATE_ATTEMPTS = 4

Attributes = dict[str, Any]


class VersionConflict(Exception):
    """Someone else wrote the item since it was read."""


class StoreUnavailable(Exception):
    """The store could not be reached or refused the request (throttling, timeouts)."""


class VersionedStore(abc.ABC):
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

    # -- safe read-modify-write ----------------------------------------------------------------

    def update(
        self, key: str, change: Callable[[Attributes], Attributes], known: tuple[Attributes, int] | None = None
    ) -> tuple[Attributes, int]:
        """Apply ``change`` to the stored attributes and write them, retrying on conflicts.

        ``known`` is what the caller read earlier (attributes, version): the first attempt
        writes on top of it without reading again. ``change`` must be a pure function of the
        attributes it is given: it is re-applied to freshly read data after a conflict.
        Returns what was written and its version.
        """
        for attempt in range(1, MAX_UPDATE_ATTEMPTS + 1):
            current, version = known if known is not None and attempt == 1 else self.read(key)
            changed = change(dict(current))
            try:
                return changed, self.write(key, changed, version)
            except VersionConflict:
                logger.info("version conflict on attempt %d, re-reading", attempt)
        raise VersionConflict(f"gave up after {MAX_UPDATE_ATTEMPTS} conflicting writes")
