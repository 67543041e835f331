"""The user's profile for one session, with a hard budget on store traffic.

Budget: at most one read and two writes per session, however long it runs.
- The profile is read once, on first use, and then carried in session attributes.
- The first change the user asks for (a setting, a pause) is written at once.
- Later changes are marked dirty and written once when the session ends (stop,
  finish, or Alexa's SessionEndedRequest).
Writes are conditional on the version read; on a conflict (another device wrote
meanwhile) the fresh item is re-read and only this session's changed fields are
applied on top, a bounded number of times.

When the store is down, the skill runs on defaults, says so once, and never
writes: stored data is never overwritten with defaults.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from skill.catalogue import Catalogue
from skill.persistence.versioned import StoreUnavailable, VersionConflict, VersionedStore
from skill.profile import FIELDS, Profile

logger = logging.getLogger(__name__)

MAX_CONFLICT_RETRIES = 3
SESSION_KEY = "user"


class UserData:
    """Lazily loaded profile plus the bookkeeping that enforces the store budget."""

    def __init__(self, store: VersionedStore, user_id: str | None, catalogue: Catalogue) -> None:
        self.store = store
        self.user_id = user_id
        self.catalogue = catalogue
        self._profile: Profile | None = None
        self.version = 0
        self.store_ok = True
        self.writes = 0
        self.dirty: set[str] = set()
        self.notices: list[str] = []  # phrase keys to say once, at the start of the next reply
        self.told: set[str] = set()

    # -- session attributes -----------------------------------------------------------

    def load_session(self, data: Any) -> None:
        """Restore from session attributes; anything malformed makes us read the store again."""
        if not isinstance(data, dict):
            return
        profile, reset = self._parse(data.get("profile"))
        counters = [data.get(k) for k in ("version", "writes")]
        if reset or not all(isinstance(c, int) and not isinstance(c, bool) and c >= 0 for c in counters):
            logger.warning("session profile was malformed; reading the store again")
            return
        self._profile = profile
        self.version, self.writes = counters  # type: ignore[assignment]
        self.store_ok = data.get("store_ok") is not False
        self.dirty = {f for f in data.get("dirty", []) if f in FIELDS}
        self.told = {t for t in data.get("told", []) if isinstance(t, str)}

    def _parse(self, raw: Any) -> tuple[Profile, bool]:
        """Stored or session data to a profile, dropping routines and stretches the catalogue lacks."""
        return Profile.from_attributes(raw, self.catalogue.routines.keys(), self.catalogue.stretches.keys())

    def dump_session(self) -> dict[str, Any] | None:
        if self._profile is None:
            return None
        return {
            "profile": self._profile.to_attributes(),
            "version": self.version,
            "writes": self.writes,
            "store_ok": self.store_ok,
            "dirty": sorted(self.dirty),
            "told": sorted(self.told),
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
            raw, self.version = self.store.read(self.user_id)
        except StoreUnavailable as error:
            logger.error("store unavailable on read: %s", error)
            self.store_ok = False
            self._notice("store_unavailable")
            return Profile()
        profile, reset = self._parse(raw)
        if reset:
            self._notice("profile_reset")
            self.dirty |= set(FIELDS)  # write the cleaned profile back with the next write
        return profile

    # -- writing ----------------------------------------------------------------------------

    def change(self, profile: Profile, fields: set[str], write_now: bool = False) -> bool:
        """Keep ``profile`` (with ``fields`` changed); write now if asked and the budget allows.

        Returns False only when a write was due and the store failed.
        """
        self._profile = profile
        self.dirty |= fields
        if write_now and self.writes == 0:
            return self._write()
        return True

    def flush(self) -> bool:
        """The session is ending: write whatever is still dirty."""
        if not self.dirty or self._profile is None:
            return True
        return self._write()

    def _write(self) -> bool:
        if self.user_id is None or self._profile is None:
            return True
        if not self.store_ok:
            return False
        mine = self._profile.to_attributes()
        attributes, version = mine, self.version
        for _ in range(MAX_CONFLICT_RETRIES + 1):
            try:
                self.version = self.store.write(self.user_id, attributes, version)
                self.writes += 1
                self._profile, _ = Profile.from_attributes(attributes)
                self.dirty.clear()
                return True
            except VersionConflict:
                try:
                    fresh, version = self.store.read(self.user_id)
                except StoreUnavailable:
                    break
                attributes = {k: v for k, v in fresh.items() if k not in self.dirty and not k.startswith("_")}
                attributes.update({k: v for k, v in mine.items() if k in self.dirty or k == "schema"})
            except StoreUnavailable as error:
                logger.error("store unavailable on write: %s", error)
                break
        # Stop writing for this session: keeps the request budget, and the user was told once.
        self.store_ok = False
        self._notice("store_unavailable")
        return False

    def delete(self) -> bool:
        """Forget everything stored about the user."""
        if self.user_id is None:
            return True
        try:
            self.store.remove(self.user_id)
        except StoreUnavailable as error:
            logger.error("could not delete user data: %s", error)
            self._notice("store_unavailable")
            return False
        self._profile, self.version, self.dirty = Profile(), 0, set()
        return True

    def _notice(self, key: str) -> None:
        if key not in self.told and key not in self.notices:
            self.notices.append(key)

    def take_notices(self) -> list[str]:
        notices, self.notices = self.notices, []
        self.told |= set(notices)
        return notices

    def today(self, now: float) -> dt.date:
        return dt.datetime.fromtimestamp(now, dt.timezone.utc).date()
