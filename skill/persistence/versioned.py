"""Versioned, conditional writes shared by every store.

Each stored item carries a version. ``read`` returns the attributes and the
version; ``write`` stores only if the version is still the one read, else raises
``VersionConflict``. ``update`` is the one way the skill changes data: apply a
change to what was read, write conditionally, and on a conflict re-read and
re-apply (a bounded number of times), so two devices changing different settings
at once both land. The skill uses these methods directly, not ask-sdk's
persistent attributes.

Deletion is final: ``remove`` does not delete the item but replaces it with a
tombstone (attributes ``{"_deleted": 1}`` and nothing else, at a higher version),
so a session that read the data earlier conflicts on its next write and, seeing the
tombstone, can tell the user asked to be forgotten (``is_tombstone``).

A version that is not a whole number in ``0..MAX_VERSION`` (hand-edited, corrupt) is
reported by ``read`` as a number the next ``write`` can condition on: 0 for one that is
absent, not a number, negative or too big; the next whole number above a fraction.
That write replaces it with a clean version, so a bad version is repaired, not fatal.
"""

from __future__ import annotations

import abc
import json
import logging
import math
import threading
import time
from decimal import Decimal
from typing import Any, Callable

logger = logging.getLogger(__name__)

MAX_UPDATE_ATTEMPTS = 4
# A user's item is a few hundred bytes to about 1.5 KB; anything past this is refused, never stored
# (DynamoDB's own limit is 400 KB, and every later read would carry it).
MAX_ITEM_CHARS = 16 * 1024
MAX_VERSION = 10**15  # a stored version above this is corrupt (and is reported as 0)
# After a failure with a user's item, this process leaves that item alone for this long (no second
# timeout in every reply of the session, no hammering a throttled table). Kept in the process, not in
# the session: session attributes come back from the client, and a flag there must never stop a write.
RESTING_SECONDS = 20.0
MAX_RESTING = 10_000  # users remembered at once; past it, the oldest are forgotten
DELETED = "_deleted"  # the one attribute of a tombstone

Attributes = dict[str, Any]


class VersionConflict(Exception):
    """Someone else wrote the item since it was read."""


class StoreUnavailable(Exception):
    """The store could not be reached or refused the request (throttling, timeouts)."""


class StoreUnsure(StoreUnavailable):
    """A call was sent and no answer came (a read timeout, a dropped connection): it may have been carried out."""


def is_tombstone(attributes: Attributes) -> bool:
    """True for what ``read`` returns for a removed user's item."""
    return DELETED in attributes


class VersionedStore(abc.ABC):
    """Template for a store keyed by Alexa user id with optimistic concurrency."""

    _failed: dict[str, float] | None = None  # user key -> time.monotonic() of the last failure with their item

    _failed_lock = threading.Lock()  # the web service's request threads share one store

    def note_failure(self, key: str) -> None:
        """A call for ``key`` just failed: leave that item alone for ``RESTING_SECONDS``."""
        with self._failed_lock:
            if self._failed is None:
                self._failed = {}
            if len(self._failed) >= MAX_RESTING:
                for old in sorted(self._failed, key=self._failed.__getitem__)[: MAX_RESTING // 2]:
                    del self._failed[old]
            self._failed[key] = time.monotonic()

    def resting(self, key: str) -> bool:
        """Whether a call for ``key`` failed within the last ``RESTING_SECONDS`` (then sessions leave the item alone)."""
        failed = None if self._failed is None else self._failed.get(key)
        return failed is not None and time.monotonic() - failed < RESTING_SECONDS

    def prepare(self) -> None:
        """Get ready to serve: whatever the first read would otherwise set up (clients, connections).

        Lambda's init calls it, so that cost is paid before a user waits; calling it again starts afresh
        (a restored SnapStart snapshot must not reuse the snapshotted connections). By default nothing.
        """

    # -- what a concrete store provides ---------------------------------------------------

    @abc.abstractmethod
    def read(self, key: str) -> tuple[Attributes, int]:
        """The stored attributes and version (``({}, 0)`` when there is no item)."""

    @abc.abstractmethod
    def write(self, key: str, attributes: Attributes, expected_version: int) -> int:
        """Store ``attributes`` if the version is still ``expected_version``; return the new version."""

    def remove(self, key: str, known_version: int | None = None, deadline: float | None = None) -> int:
        """Forget the user: replace the item by a tombstone (``{"_deleted": 1}``, nothing else); return its version.

        Also for a user with no item (a session elsewhere may be about to create one).
        ``known_version`` is the version the caller read (saves the read when it is current).
        Idempotent: an item read as a tombstone already is not written again.
        """
        known: tuple[Attributes, int] | None = None if known_version is None else ({}, known_version)
        return self.update(key, lambda _: {DELETED: 1}, known=known, deadline=deadline)[1]

    # -- safe read-modify-write ----------------------------------------------------------------

    def update(
        self,
        key: str,
        change: Callable[[Attributes], Attributes],
        known: tuple[Attributes, int] | None = None,
        deadline: float | None = None,
    ) -> tuple[Attributes, int]:
        """Apply ``change`` to the stored attributes and write them, retrying on conflicts.

        ``known`` is what the caller read earlier (attributes, version): the first attempt
        writes on top of it without reading again. ``change`` must be a pure function of the
        attributes it is given: it is re-applied to freshly read data after a conflict; it may
        raise to write nothing (the exception reaches the caller). When it changes nothing in
        freshly read data, nothing is written (what is stored is already what was wanted).
        ``deadline`` (``time.monotonic()`` seconds): no store call starts after it, nor an
        attempt that would not fit before it (judged by the previous attempt); then
        ``StoreUnavailable``. Returns what was written and its version.
        """
        last_attempt = 0.0
        for attempt in range(1, MAX_UPDATE_ATTEMPTS + 1):
            began = time.monotonic()
            _check(deadline, began + last_attempt, attempt)
            if known is not None and attempt == 1:
                current, version = known
            else:
                current, version = self.read(key)
                _check(deadline, time.monotonic(), attempt)
            changed = change(dict(current))
            if changed == current and version > 0 and not (known is not None and attempt == 1):
                return current, version
            _check_size(changed)
            try:
                return changed, self.write(key, changed, version)
            except VersionConflict:
                logger.info("version conflict on attempt %d, re-reading", attempt)
            last_attempt = time.monotonic() - began
        raise VersionConflict(f"gave up after {MAX_UPDATE_ATTEMPTS} conflicting writes")


def _check(deadline: float | None, by: float, attempt: int) -> None:
    """Refuse to go on when ``by`` (when the next call would start, or an attempt end) is past ``deadline``."""
    if deadline is not None and by > deadline:
        raise StoreUnavailable(f"out of time for the store on attempt {attempt}")


def clean_version(value: Any) -> int:
    """A stored version as ``read`` reports it (see the module doc): a whole number, repaired when bad."""
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        return 0
    if isinstance(value, float) and not math.isfinite(value):
        return 0
    if isinstance(value, Decimal) and not value.is_finite():
        return 0
    if value <= 0 or value > MAX_VERSION:
        return 0
    return int(math.ceil(value))


def _check_size(attributes: Attributes) -> None:
    size = len(json.dumps(attributes, default=str))
    if size > MAX_ITEM_CHARS:
        raise StoreUnavailable(f"refusing to store an item of {size} characters (the cap is {MAX_ITEM_CHARS})")
