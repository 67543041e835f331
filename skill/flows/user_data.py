"""The user's profile for one session, and the one path by which it reaches the store.

- The profile is read once, on first use, and then carried in session attributes:
  at most one read per session.
- Every change is kept in the profile and marked dirty; ``commit`` writes what is
  dirty once, before the reply is returned: a change the user hears confirmed is
  already stored, and no request writes more than once or at all when nothing changed.
- Writes go through ``VersionedStore.update``: conditional on the version read, and
  on a conflict (another device wrote meanwhile) the fresh item is re-read and only
  this session's changed fields are applied on top.

When the store is down, the skill runs on defaults, says so once, and never writes:
stored data is never overwritten with defaults. After a failure with the user's item the process
leaves that item alone for a short while (``VersionedStore.resting``); nothing in the session
attributes (which come back from the client) can stop a write: only this session's own dump
of the profile is trusted there, and only after it passes the same checks as stored data. All store calls of one request share
one deadline (``REQUEST_DEADLINE_SECONDS`` from the request's start): past it the
request gives up like on a down store, well inside Alexa's ~8 s.

Deletion is final: after "delete my data" (or SkillDisabled) the item is a tombstone.
A session that read the profile before that and then meets the tombstone on a
conflict drops its changes, then and on every later write of the session (each meets
the tombstone again: the user asked to be forgotten); a session that read the
tombstone itself is a new user and writes over it.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from enum import Enum
from typing import Any

from skill.catalogue import Catalogue
from skill.persistence.versioned import Attributes, StoreUnavailable, StoreUnsure, VersionConflict, VersionedStore, is_tombstone
from skill.profile import FIELDS, SCHEMA_VERSION, Profile, local_date

logger = logging.getLogger(__name__)

SESSION_KEY = "user"
# The once-only notices, by phrase key.
NOTICES = ("store_unavailable", "profile_reset")
# A newer schema's unknown fields, carried through the session: never more than this much JSON.
MAX_EXTRA_CHARS = 4096
REQUEST_DEADLINE_SECONDS = 6.0  # every store call of a request starts within this; Alexa waits ~8 s


class Deletion(Enum):
    """How a deletion went: done (seen done), failed (certainly not done), or unconfirmed (a call went
    unanswered and the item did not show it done yet: it may still land)."""

    DONE = "done"
    FAILED = "failed"
    UNCONFIRMED = "unconfirmed"


class _Forgotten(Exception):
    """The fresh item is a tombstone this session did not read: the user was deleted since."""


class UserData:
    """Lazily loaded profile plus the bookkeeping that enforces the store budget."""

    def __init__(self, store: VersionedStore, user_id: str | None, catalogue: Catalogue) -> None:
        self.store = store
        self.user_id = user_id
        self.catalogue = catalogue
        self._profile: Profile | None = None
        self.version = 0
        self.store_ok = True
        self.dirty: set[str] = set()
        self.notices: list[str] = []  # phrase keys to say once, at the start of the next reply
        self.told: set[str] = set()
        # Stored attributes this release does not know (a newer schema's), written back untouched.
        self.extra: dict[str, Any] = {}
        # UserData is made per request: one deadline for all its store calls.
        self.deadline = time.monotonic() + REQUEST_DEADLINE_SECONDS
        # The user was deleted (elsewhere) after this session read the profile: it writes nothing more.
        self.forgotten = False

    # -- session attributes -----------------------------------------------------------

    def load_session(self, data: Any) -> None:
        """Restore from session attributes; anything malformed makes us read the store again."""
        if not isinstance(data, dict):
            return
        profile, reset = self._parse(data.get("profile"))
        version = data.get("version")
        if reset or not isinstance(version, int) or isinstance(version, bool) or version < 0 or (
            (data.get("profile") or {}).get("schema") != SCHEMA_VERSION  # only this release's own dump is trusted
        ):
            logger.warning("session profile was malformed; reading the store again")
            return
        self._profile, self.version = profile, version
        # Whether the store works is this process's knowledge, never the client's (see the module doc).
        self.store_ok = self.user_id is None or not self.store.resting(self.user_id)
        told = data.get("told")
        self.told = {t for t in told if t in NOTICES} if isinstance(told, list) else set()
        self.extra = _kept_aside(data.get("extra")) or {}

    def _parse(self, raw: Any) -> tuple[Profile, bool]:
        """Stored or session data to a profile, dropping routines and stretches the catalogue lacks."""
        return Profile.from_attributes(raw, self.catalogue.routines.keys(), self.catalogue.stretches.keys(), self.catalogue)

    def dump_session(self) -> dict[str, Any] | None:
        if self._profile is None:
            return None
        return {
            "profile": self._profile.to_attributes(),
            "version": self.version,
            "told": sorted(self.told),
            **({"extra": self.extra} if self.extra else {}),
        }

    # -- reading ----------------------------------------------------------------------------

    @property
    def loaded(self) -> bool:
        return self._profile is not None

    @property
    def profile(self) -> Profile:
        if self._profile is None:
            self._profile = self._read()
        return self._profile

    def _read(self) -> Profile:
        if self.user_id is None:
            return Profile()
        try:
            if self.store.resting(self.user_id):
                raise StoreUnavailable("the store failed with this item moments ago; resting it")
            if time.monotonic() > self.deadline:
                raise StoreUnavailable("out of time for the store before reading")
            raw, self.version = self.store.read(self.user_id)
        except StoreUnavailable as error:
            logger.error("store unavailable on read: %s", error)
            self.store.note_failure(self.user_id)
            self.store_ok = False
            self._notice("store_unavailable")
            return Profile()
        profile, reset = self._parse(raw)
        unknown = _unknown(raw)
        self.extra = _kept_aside(unknown) or {}
        if unknown and not self.extra:  # too big or not plain data: dropped, like a bad field
            logger.warning("dropping %d unknown stored fields that cannot be kept", len(unknown))
            reset = True
            self.dirty |= set(unknown) - {"schema"}
        if isinstance(raw, dict) and raw.get("progress") is not None and profile.progress is None:
            self.dirty.add("progress")  # dropped (quietly, if it is an old design's): the next write removes it
        if reset:
            self._notice("profile_reset")
            self.dirty |= set(FIELDS)  # write the cleaned profile back with the next write
        return profile

    # -- writing ----------------------------------------------------------------------------

    def change(self, profile: Profile, fields: set[str]) -> None:
        """Keep ``profile`` with ``fields`` changed; ``commit`` stores them."""
        self._profile = profile
        self.dirty |= fields

    def commit(self) -> bool:
        """Write the changed fields now, once. False when a write was due and failed."""
        if not self.dirty or self._profile is None or self.user_id is None:
            return True
        if self.forgotten:
            self.dirty.clear()
            return True
        if not self.store_ok or self.store.resting(self.user_id):
            self.store_ok = False
            self._notice("store_unavailable")
            return False
        mine, dirty = {**self._profile.to_attributes(), **self.extra}, set(self.dirty)

        def apply(fresh: Attributes) -> Attributes:
            # ``mine`` is never a tombstone: a tombstone here is a fresh read after a conflict, so the
            # deletion came after this session's read. (One the session read itself became ``mine``.)
            if is_tombstone(fresh):
                raise _Forgotten
            # Keys starting "_" are the store's own markers (an unreadable item), never data to keep.
            merged = {k: v for k, v in fresh.items() if k not in dirty and not k.startswith("_")}
            merged.update({k: v for k, v in mine.items() if k in dirty})
            merged["schema"] = max(_schema(fresh), _schema(mine))  # never write a newer schema down
            return merged

        try:
            written, self.version = self.store.update(self.user_id, apply, known=(mine, self.version), deadline=self.deadline)
        except _Forgotten:
            logger.info("the user's data was deleted since this session read it; dropping the session's changes")
            self.forgotten = True
            self._profile, self.extra = Profile(), {}
            self.dirty.clear()
            return True
        except (StoreUnavailable, VersionConflict) as error:
            logger.error("could not store the profile: %s", error)
            # Stop writing for a while: the user was told once, and stored data stays as it was.
            if isinstance(error, StoreUnavailable):
                self.store.note_failure(self.user_id)
            self.store_ok = False
            self._notice("store_unavailable")
            return False
        self._profile, _ = self._parse(written)
        self.extra = _unknown(written)
        self.dirty.clear()
        return True

    def delete(self) -> Deletion:
        """Forget everything stored about the user.

        Tried even while the store rests (the user asked, or Alexa sent the event). A call that
        failed (a timeout, say) may still have landed: the item is read again, and a tombstone there
        counts as done. Deleting twice is the same as once.
        """
        if self.user_id is None:
            return Deletion.DONE
        known = self.version if self._profile is not None and self.store_ok else None
        try:
            version = self.store.remove(self.user_id, known_version=known, deadline=self.deadline)
        except (StoreUnavailable, VersionConflict) as error:
            landed = self._tombstone_version()
            if landed is None:
                logger.error("could not delete user data: %s", error)
                self._notice("store_unavailable")
                return Deletion.UNCONFIRMED if isinstance(error, StoreUnsure) else Deletion.FAILED
            logger.warning("deleting the user's data failed (%s), but their item is a tombstone: done", error)
            version = landed
        self._profile, self.version, self.dirty, self.extra = Profile(), version, set(), {}
        self.forgotten = False  # this session did the deleting: what it stores from now on is a new user's
        return Deletion.DONE

    def _tombstone_version(self) -> int | None:
        """The version of the user's item if it is a tombstone now, else (or when it cannot be read) None."""
        if self.user_id is None or time.monotonic() > self.deadline:
            return None
        try:
            attributes, version = self.store.read(self.user_id)
        except StoreUnavailable:
            return None
        return version if is_tombstone(attributes) else None

    def _notice(self, key: str) -> None:
        if key not in self.told and key not in self.notices:
            self.notices.append(key)

    def take_notices(self) -> list[str]:
        notices, self.notices = self.notices, []
        self.told |= set(notices)
        return notices

    def today(self, now: float) -> dt.date:
        """The user's date at epoch second ``now``, in their stored time zone (UTC when none is known)."""
        return local_date(now, self.profile.time_zone)


def _schema(attributes: Attributes) -> int:
    value = attributes.get("schema", SCHEMA_VERSION)
    return value if isinstance(value, int) and not isinstance(value, bool) else SCHEMA_VERSION


def _kept_aside(unknown: Any) -> Attributes | None:
    """Fields this release does not know, if they can be carried and written back as they are:
    a map of plain data (strings, whole numbers, lists, maps) under ``MAX_EXTRA_CHARS`` of JSON."""
    if not isinstance(unknown, dict) or not all(isinstance(k, str) and k not in FIELDS and not k.startswith("_") for k in unknown):
        return None
    try:
        size = len(json.dumps(unknown, allow_nan=False))
    except (TypeError, ValueError, RecursionError):  # a float that is not finite, or a Decimal fraction
        return None
    return unknown if size <= MAX_EXTRA_CHARS else None


def _unknown(attributes: Attributes) -> Attributes:
    """What a stored item holds that this release does not know: a newer schema's fields (and number)."""
    return {
        k: v for k, v in attributes.items()
        if k not in FIELDS and not k.startswith("_") and (k != "schema" or v != SCHEMA_VERSION)
    }
