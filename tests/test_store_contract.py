"""One contract for every ``VersionedStore``: SQLite (a temp file) and DynamoDB (a fresh table on DynamoDB Local).

Whatever runs the skill, a user's item behaves the same: read of a missing user is
``({}, 0)``, writes are conditional on the version, and ``update`` survives a racing
second device; given what the caller read earlier (``known``) it writes without
reading first. Requests are keyed by ``context.System.user.userId``. DynamoDB-only
checks (item shape, lazy client, bounded time when the endpoint is dead) follow the
contract.
"""

from __future__ import annotations

import json
import random
import socket
import sqlite3
import time
from contextlib import closing
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable

import pytest
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_model import RequestEnvelope
from botocore.client import BaseClient

from skill.app import build_skill
from skill.config import Config
from skill.entrypoints.invoke import invoke, read_event
from skill.engine import Voice
from skill.flows.voice import VOICE_KEY, VoiceBook
from skill.persistence.dynamodb_store import MAX_ATTEMPTS, DynamoDbStore
from skill.persistence.factory import store_for
from skill.persistence.keys import NoUserError, user_key
from skill.persistence.sqlite_store import SqliteStore
from skill.persistence.versioned import (
    MAX_UPDATE_ATTEMPTS,
    Attributes,
    StoreUnavailable,
    VersionConflict,
    VersionedStore,
    is_tombstone,
)
from skill.catalogue import load_catalogue
from skill.flows.user_data import Deletion, UserData
from skill.engine import PlanItem, RoutineState
from skill.profile import Level, Profile
from tests.support.conversation import Alexa, load_event
from tests.support.dynamodb_local import DynamoDBLocal
from tests.support.e2e import free_loopback_port

pytest_plugins = ["tests.support.fixtures_dynamodb"]

USER = "amzn1.ask.account.CONTRACT"
OTHER = "amzn1.ask.account.SOMEONE-ELSE"
CATALOGUE = load_catalogue()
DEAD_STORE_BOUND_SECONDS = 8.0  # Alexa waits about 8 s for the whole response

StoreFactory = Callable[[], VersionedStore]
ItemReader = Callable[[str], "dict[str, Any] | None"]


@pytest.fixture(params=["sqlite", "dynamodb"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, StoreFactory]:
    """The store kind and a factory for stores on the same data (each call is another "device")."""
    if request.param == "sqlite":
        path = tmp_path / "store" / "users.sqlite3"
        return "sqlite", lambda: SqliteStore(path)
    table: str = request.getfixturevalue("table")
    endpoint = request.getfixturevalue("dynamodb_local").endpoint
    return "dynamodb", lambda: DynamoDbStore(table, region="us-east-1", endpoint_url=endpoint)


@pytest.fixture
def store(backend: tuple[str, StoreFactory]) -> VersionedStore:
    """The store under test."""
    return backend[1]()


@pytest.fixture
def second_device(backend: tuple[str, StoreFactory]) -> VersionedStore:
    """Another store object on the same data, like a second Echo of the same user."""
    return backend[1]()


def envelope_for(user_id: str | None) -> RequestEnvelope:
    """A LaunchRequest envelope for ``user_id`` (None: no context.System.user at all)."""
    event = load_event("launch_request")
    if user_id is None:
        del event["context"]["System"]["user"]
    else:
        event["context"]["System"]["user"]["userId"] = user_id
        event["session"]["user"]["userId"] = user_id
    envelope: RequestEnvelope = DefaultSerializer().deserialize(json.dumps(event), RequestEnvelope)
    return envelope


class RacingStore(VersionedStore):
    """Wraps a store; before each of its first ``races`` writes, a second device writes ``their_change``."""

    def __init__(self, inner: VersionedStore, second: VersionedStore, their_change: Callable[[Attributes], Attributes], races: int = 1) -> None:
        """Race ``races`` times with ``second`` applying ``their_change``."""
        self.inner, self.second, self.their_change, self.races_left = inner, second, their_change, races
        self.reads = 0
        self.writes = 0

    def read(self, key: str) -> tuple[Attributes, int]:
        """Count and delegate."""
        self.reads += 1
        return self.inner.read(key)

    def write(self, key: str, attributes: Attributes, expected_version: int) -> int:
        """Let the other device land first (while races remain), then delegate."""
        if self.races_left > 0:
            self.races_left -= 1
            current, version = self.second.read(key)
            self.second.write(key, self.their_change(dict(current)), version)
        self.writes += 1
        return self.inner.write(key, attributes, expected_version)

    # remove: VersionedStore's own (a tombstone through ``update``), so its read and write are counted here.


# -- the contract ---------------------------------------------------------------------------------


def test_read_of_a_missing_user_is_empty_at_version_0(store: VersionedStore) -> None:
    """No item: no attributes, version 0."""
    assert store.read(USER) == ({}, 0)


def test_first_write_expects_version_0_and_makes_version_1(store: VersionedStore) -> None:
    """Creating the item."""
    assert store.write(USER, {"hold_seconds": 30}, 0) == 1
    assert store.read(USER) == ({"hold_seconds": 30}, 1)


def test_a_second_create_conflicts_and_keeps_the_first(store: VersionedStore, second_device: VersionedStore) -> None:
    """Two devices both creating the item: the second one is told, the first one's data stays."""
    store.write(USER, {"hold_seconds": 30}, 0)
    with pytest.raises(VersionConflict):
        second_device.write(USER, {"reps": 5}, 0)
    assert store.read(USER) == ({"hold_seconds": 30}, 1)


def test_write_with_the_current_version_increments_it(store: VersionedStore) -> None:
    """Version 1 -> 2 -> 3, each write replacing the attributes."""
    store.write(USER, {"hold_seconds": 30}, 0)
    assert store.write(USER, {"hold_seconds": 45, "reps": 2}, 1) == 2
    assert store.write(USER, {"reps": 3}, 2) == 3
    assert store.read(USER) == ({"reps": 3}, 3)


@pytest.mark.parametrize("stale", [0, 1, 3, 7])
def test_a_stale_or_future_version_conflicts_and_leaves_data_unchanged(store: VersionedStore, stale: int) -> None:
    """Anything but the stored version is refused, and nothing is written."""
    store.write(USER, {"hold_seconds": 30}, 0)
    store.write(USER, {"hold_seconds": 45}, 1)
    with pytest.raises(VersionConflict):
        store.write(USER, {"hold_seconds": 10}, stale)
    assert store.read(USER) == ({"hold_seconds": 45}, 2)


def test_write_to_a_missing_item_with_a_version_conflicts(store: VersionedStore) -> None:
    """A device that read version 2 of an item since deleted does not recreate it."""
    with pytest.raises(VersionConflict):
        store.write(USER, {"hold_seconds": 30}, 2)
    assert store.read(USER) == ({}, 0)


def test_remove_leaves_a_tombstone_and_a_new_item_is_written_over_it(store: VersionedStore) -> None:
    """After removal the user reads as a tombstone (no data, a higher version), and may be created again on top of it."""
    store.write(USER, {"hold_seconds": 30}, 0)
    assert store.remove(USER) == 2
    assert store.read(USER) == ({"_deleted": 1}, 2)
    with pytest.raises(VersionConflict):
        store.write(USER, {"reps": 2}, 1)
    assert store.write(USER, {"reps": 2}, 2) == 3


def test_removing_a_missing_user_is_fine(store: VersionedStore) -> None:
    """No error when there is nothing to delete, twice: a tombstone (a session elsewhere may be about to create the
    item), written once: removing again finds it and writes nothing."""
    assert store.remove(USER) == 1
    assert store.remove(USER) == 1
    assert store.read(USER) == ({"_deleted": 1}, 1)


def test_users_are_independent(store: VersionedStore) -> None:
    """One user's writes and removal never touch another's item."""
    store.write(USER, {"hold_seconds": 30}, 0)
    store.write(OTHER, {"reps": 4}, 0)
    store.remove(USER)
    assert store.read(OTHER) == ({"reps": 4}, 1)


def test_nested_values_round_trip(store: VersionedStore) -> None:
    """Strings, ints, lists and maps (a whole profile, routine progress and stretch counts included) come back equal."""
    profile = Profile(
        preferred_routine="lower_back",
        hold_seconds=30,
        reps=5,
        level=Level.BEGINNER,
        own_routine=("childs_pose", "pelvic_tilt"),
        progress=RoutineState("morning", (PlanItem("single_knee_to_chest", 20, 1),), position=2, updated_at=1_795_000_000),
        session_dates=("2026-11-20", "2026-11-21"),
        disclaimer_given=True,
        hint_given=True,
        stretch_counts=(("childs_pose", 3), ("pelvic_tilt", 100)),
    )
    store.write(USER, profile.to_attributes(), 0)
    attributes, version = store.read(USER)
    assert version == 1
    assert attributes == profile.to_attributes()
    assert Profile.from_attributes(attributes) == (profile, False)


def test_numbers_come_back_as_ints_usable_by_profile(store: VersionedStore) -> None:
    """Whole numbers read back are ints (DynamoDB's N too, nested ones included), and Profile takes them as they are."""
    store.write(
        USER,
        {
            "schema": 1,
            "hold_seconds": 30,
            "reps": 5,
            "disclaimer_given": 1,
            "hint_given": 1,
            "stretch_counts": {"childs_pose": 4},
            "progress": RoutineState("morning", (PlanItem("single_knee_to_chest", 20, 1),), position=2, updated_at=1_795_000_000).to_dict(),
        },
        0,
    )
    attributes, version = store.read(USER)
    assert type(version) is int
    assert attributes["hold_seconds"] == 30 and attributes["reps"] == 5
    assert all(type(attributes[k]) is int for k in ("schema", "hold_seconds", "reps", "disclaimer_given", "hint_given"))
    assert [type(v) for v in attributes["progress"]["items"][0]] == [str, int, int]
    assert type(attributes["stretch_counts"]["childs_pose"]) is int
    profile, reset = Profile.from_attributes(attributes)
    assert not reset
    assert type(profile.hold_seconds) is int and profile.hold_seconds == 30
    assert type(profile.reps) is int and profile.reps == 5
    assert profile.disclaimer_given is True and profile.hint_given is True
    assert profile.stretch_counts == (("childs_pose", 4),) and type(profile.stretch_counts[0][1]) is int


# -- update(): read, change, conditional write, retry ------------------------------------------------


def test_update_creates_a_missing_item(store: VersionedStore) -> None:
    """update() on a new user writes version 1 with the change applied to {}, and says so."""
    assert store.update(USER, lambda a: {**a, "hold_seconds": 30}) == ({"hold_seconds": 30}, 1)
    assert store.read(USER) == ({"hold_seconds": 30}, 1)


def test_update_returns_what_it_wrote_and_the_new_version(store: VersionedStore) -> None:
    """The change is applied to the stored attributes; the result is exactly what a read gives back."""
    store.write(USER, {"hold_seconds": 20, "reps": 3}, 0)
    store.write(USER, {"hold_seconds": 25, "reps": 3}, 1)
    written = store.update(USER, lambda a: {**a, "reps": 4})
    assert written == ({"hold_seconds": 25, "reps": 4}, 3)
    assert store.read(USER) == written


def test_update_re_reads_and_re_applies_after_a_racing_device(store: VersionedStore, second_device: VersionedStore) -> None:
    """Device A changes the hold while device B changes reps in between A's read and write: both land."""
    store.write(USER, {"hold_seconds": 20, "reps": 3}, 0)
    racing = RacingStore(store, second_device, lambda a: {**a, "reps": 5})
    result = racing.update(USER, lambda a: {**a, "hold_seconds": 30})
    assert result == ({"hold_seconds": 30, "reps": 5}, 3)
    assert store.read(USER) == ({"hold_seconds": 30, "reps": 5}, 3)
    assert (racing.reads, racing.writes) == (2, 2), "one conflict: read, write (conflict), re-read, write"


def test_update_races_on_create_too(store: VersionedStore, second_device: VersionedStore) -> None:
    """Both devices creating the item for a new user: both changes land."""
    racing = RacingStore(store, second_device, lambda a: {**a, "reps": 5})
    assert racing.update(USER, lambda a: {**a, "hold_seconds": 30}) == ({"hold_seconds": 30, "reps": 5}, 2)
    assert store.read(USER) == ({"hold_seconds": 30, "reps": 5}, 2)


def test_update_gives_up_after_a_bounded_number_of_conflicts(store: VersionedStore, second_device: VersionedStore) -> None:
    """A device that loses every race stops after MAX_UPDATE_ATTEMPTS and raises VersionConflict."""
    store.write(USER, {"count": 0}, 0)
    racing = RacingStore(store, second_device, lambda a: {**a, "count": int(a["count"]) + 1}, races=100)
    with pytest.raises(VersionConflict):
        racing.update(USER, lambda a: {**a, "mine": 1})
    assert racing.reads == racing.writes == MAX_UPDATE_ATTEMPTS
    attributes, version = store.read(USER)
    assert attributes == {"count": MAX_UPDATE_ATTEMPTS} and version == 1 + MAX_UPDATE_ATTEMPTS


def test_update_succeeds_when_the_race_stops_before_the_last_attempt(store: VersionedStore, second_device: VersionedStore) -> None:
    """Three lost races then a win: the fourth attempt lands on top of all three."""
    store.write(USER, {"count": 0}, 0)
    racing = RacingStore(store, second_device, lambda a: {**a, "count": int(a["count"]) + 1}, races=MAX_UPDATE_ATTEMPTS - 1)
    written = racing.update(USER, lambda a: {**a, "mine": 1})
    assert written == ({"count": MAX_UPDATE_ATTEMPTS - 1, "mine": 1}, 1 + MAX_UPDATE_ATTEMPTS)


# -- update() on top of what the caller already read (``known``) ---------------------------------------


def test_update_with_known_data_writes_once_and_reads_nothing(store: VersionedStore) -> None:
    """Nobody wrote since the caller's read: exactly 0 reads and 1 write, the change applied to the known data."""
    store.write(USER, {"hold_seconds": 20, "reps": 3}, 0)
    known = store.read(USER)
    counting = RacingStore(store, store, lambda a: a, races=0)
    written = counting.update(USER, lambda a: {**a, "hold_seconds": 30}, known=known)
    assert (counting.reads, counting.writes) == (0, 1)
    assert written == ({"hold_seconds": 30, "reps": 3}, 2)
    assert store.read(USER) == written


def test_update_with_known_data_builds_on_it_not_on_a_fresh_read(store: VersionedStore) -> None:
    """The first attempt changes the attributes it is given (here not what is stored) and writes them as they are."""
    store.write(USER, {"hold_seconds": 20, "reps": 3}, 0)
    written = store.update(USER, lambda a: {**a, "hold_seconds": 30}, known=({"reps": 4}, 1))
    assert written == ({"reps": 4, "hold_seconds": 30}, 2)
    assert store.read(USER) == written


def test_update_with_known_data_for_a_new_user_creates_the_item_without_reading(store: VersionedStore) -> None:
    """A new user read as ({}, 0): the create is the only request."""
    counting = RacingStore(store, store, lambda a: a, races=0)
    assert counting.update(USER, lambda a: {**a, "reps": 2}, known=({}, 0)) == ({"reps": 2}, 1)
    assert (counting.reads, counting.writes) == (0, 1)
    assert store.read(USER) == ({"reps": 2}, 1)


@pytest.mark.parametrize("existing", [True, False], ids=["existing-item", "new-user"])
def test_update_with_known_data_after_a_racing_device_re_reads_and_re_applies(
    store: VersionedStore, second_device: VersionedStore, existing: bool
) -> None:
    """Another device writes between the caller's read and its write: a conflict, then one re-read and a
    second write with the change applied again on top of the other device's data. Both changes land."""
    if existing:
        store.write(USER, {"hold_seconds": 20, "reps": 3}, 0)
    known = store.read(USER)
    racing = RacingStore(store, second_device, lambda a: {**a, "reps": 5})
    written = racing.update(USER, lambda a: {**a, "hold_seconds": 30}, known=known)
    assert (racing.reads, racing.writes) == (1, 2), "write (conflict), re-read, write"
    assert written[0] == {"hold_seconds": 30, "reps": 5}
    assert store.read(USER) == written
    assert written[1] == known[1] + 2, "the other device's write, then this one"


def test_update_with_stale_known_data_conflicts_and_lands_on_the_fresh_item(store: VersionedStore, second_device: VersionedStore) -> None:
    """Known data already out of date (another device wrote before this update began): nothing of it is
    kept but the change; one re-read, two writes."""
    store.write(USER, {"hold_seconds": 20, "reps": 3}, 0)
    known = store.read(USER)
    second_device.write(USER, {"hold_seconds": 20, "reps": 5, "level": "beginner"}, 1)
    counting = RacingStore(store, second_device, lambda a: a, races=0)
    written = counting.update(USER, lambda a: {**a, "hold_seconds": 30}, known=known)
    assert (counting.reads, counting.writes) == (1, 2)
    assert written == ({"hold_seconds": 30, "reps": 5, "level": "beginner"}, 3)
    assert store.read(USER) == written


def test_update_with_known_data_still_gives_up_after_a_bounded_number_of_conflicts(
    store: VersionedStore, second_device: VersionedStore
) -> None:
    """Losing every race: MAX_UPDATE_ATTEMPTS writes in all, one read fewer (the first attempt read nothing)."""
    store.write(USER, {"count": 0}, 0)
    known = store.read(USER)
    racing = RacingStore(store, second_device, lambda a: {**a, "count": int(a["count"]) + 1}, races=100)
    with pytest.raises(VersionConflict):
        racing.update(USER, lambda a: {**a, "mine": 1}, known=known)
    assert racing.writes == MAX_UPDATE_ATTEMPTS and racing.reads == MAX_UPDATE_ATTEMPTS - 1
    assert store.read(USER) == ({"count": MAX_UPDATE_ATTEMPTS}, 1 + MAX_UPDATE_ATTEMPTS)


# -- requests map to items by user id -------------------------------------------------------------------


def test_requests_are_keyed_by_the_user_id_in_the_envelope() -> None:
    """context.System.user.userId is the item's key."""
    assert user_key(envelope_for(USER)) == USER
    assert user_key(envelope_for(OTHER)) == OTHER


@pytest.mark.parametrize("user_id", [None, ""])
def test_a_request_without_a_user_raises_no_user_error(user_id: str | None) -> None:
    """A request that names no user cannot be mapped to an item."""
    with pytest.raises(NoUserError):
        user_key(envelope_for(user_id))


def test_an_unreadable_item_reads_as_a_corrupt_marker_not_an_exception(backend: tuple[str, StoreFactory], store: VersionedStore, request: pytest.FixtureRequest) -> None:
    """Garbage in the store (not a map / not JSON) comes back as {"_corrupt": ...} with its version."""
    kind, _ = backend
    if kind == "sqlite":
        assert isinstance(store, SqliteStore)
        store.read(USER)  # creates the table
        with closing(sqlite3.connect(store.path)) as connection, connection:
            connection.execute("INSERT INTO users (id, attributes, version) VALUES (?, ?, ?)", (USER, "{not json", 4))
    else:
        ddb: BaseClient = request.getfixturevalue("ddb")
        table: str = request.getfixturevalue("table")
        ddb.put_item(TableName=table, Item={"id": {"S": USER}, "attributes": {"S": "{not json"}, "version": {"N": "4"}})
    attributes, version = store.read(USER)
    assert version == 4
    assert set(attributes) == {"_corrupt"} and "not json" in attributes["_corrupt"]
    assert store.write(USER, {"hold_seconds": 30}, 4) == 5, "a good write replaces the garbage"


# -- the skill's one path to the store ---------------------------------------------------------------------


class PathCheckingStore(SqliteStore):
    """A SQLite store that records every write, and whether it came through ``update``."""

    def __init__(self, path: Path) -> None:
        """A store at ``path``; nothing recorded yet."""
        super().__init__(path)
        self.updating = False
        self.writes = 0
        self.stray_writes = 0

    def update(
        self, key: str, change: Callable[[Attributes], Attributes], known: tuple[Attributes, int] | None = None, deadline: float | None = None
    ) -> tuple[Attributes, int]:
        """Note that writes from here on are update's own."""
        self.updating = True
        try:
            return super().update(key, change, known, deadline)
        finally:
            self.updating = False

    def write(self, key: str, attributes: Attributes, expected_version: int) -> int:
        """Count the write (and any outside ``update``), then store it."""
        self.writes += 1
        self.stray_writes += not self.updating
        return super().write(key, attributes, expected_version)


def test_the_skill_writes_only_through_update_and_never_through_sdk_attributes(tmp_path: Path) -> None:
    """Settings, a routine, a pause and a stop are all stored, every write by ``update``; the SDK has no adapter of its own."""
    store = PathCheckingStore(tmp_path / "users.sqlite3")
    skill = build_skill(Config(data_dir=tmp_path), store=store)
    assert skill.persistence_adapter is None, "ask-sdk's persistent attributes are not a second way in"
    alexa = Alexa(lambda event, context: invoke(skill, read_event(event), context), user_id=USER)
    alexa.launch()
    alexa.intent("SetHoldTimeIntent", seconds="90")
    alexa.intent("SetRepsIntent", reps="10")
    alexa.intent("StartRoutineIntent", routine=("full back routine", "full_back"))
    alexa.intent("AMAZON.PauseIntent")
    alexa.intent("AMAZON.StopIntent")
    attributes, _ = store.read(USER)
    assert attributes["hold_seconds"] == 90 and attributes["progress"]["routine"] == "full_back"
    assert store.writes >= 3 and store.stray_writes == 0, (store.writes, store.stray_writes)


# -- UserData: the profile's one path to the store -------------------------------------------------------


class DownStore(VersionedStore):
    """A store that refuses everything, like an unreachable table; it counts the attempts."""

    def __init__(self, fail_reads: bool = True, inner: VersionedStore | None = None) -> None:
        """Refuse writes; refuse reads too unless ``fail_reads`` is False (then ``inner`` answers them)."""
        self.fail_reads, self.inner = fail_reads, inner
        self.reads = self.writes = 0

    def read(self, key: str) -> tuple[Attributes, int]:
        """Count; refuse, or delegate."""
        self.reads += 1
        if self.fail_reads or self.inner is None:
            raise StoreUnavailable("down")
        return self.inner.read(key)

    def write(self, key: str, attributes: Attributes, expected_version: int) -> int:
        """Count and refuse."""
        self.writes += 1
        raise StoreUnavailable("down")

    def remove(self, key: str, known_version: int | None = None, deadline: float | None = None) -> int:
        """Refuse."""
        raise StoreUnavailable("down")


def sqlite_at(tmp_path: Path) -> SqliteStore:
    """A fresh embedded store."""
    return SqliteStore(tmp_path / "users.sqlite3")


def counted(store: VersionedStore) -> RacingStore:
    """``store`` with its reads and writes counted, nobody racing."""
    return RacingStore(store, store, lambda a: a, races=0)


def next_request(user: UserData) -> UserData:
    """The same user's data in the next request of the session (carried in session attributes)."""
    again = UserData(user.store, user.user_id, CATALOGUE)
    again.load_session(json.loads(json.dumps(user.dump_session())))
    return again


def test_user_data_reads_once_and_writes_nothing_when_nothing_changed(tmp_path: Path) -> None:
    """The profile is read on first use only; a commit with no change sends nothing, in this request or the next."""
    store = sqlite_at(tmp_path)
    store.write(USER, {"schema": 1, "hold_seconds": 45}, 0)
    counting = counted(store)
    user = UserData(counting, USER, CATALOGUE)
    assert user.profile.hold_seconds == 45 and user.profile.hold_seconds == 45
    assert user.commit() is True
    later = next_request(user)
    assert later.profile.hold_seconds == 45 and later.commit() is True
    assert (counting.reads, counting.writes) == (1, 0)


def test_user_data_commit_writes_a_change_once_without_reading_again(tmp_path: Path) -> None:
    """A change is one write (on top of what was read, no second read), and the next request's change another."""
    store = sqlite_at(tmp_path)
    store.write(USER, {"schema": 1, "hold_seconds": 45, "reps": 2}, 0)
    counting = counted(store)
    user = UserData(counting, USER, CATALOGUE)
    user.change(user.profile.with_(reps=5), {"reps"})
    assert user.commit() is True
    assert (counting.reads, counting.writes) == (1, 1)
    assert user.commit() is True and counting.writes == 1, "nothing left to write"
    later = next_request(user)
    later.change(later.profile.with_(level=Level.BEGINNER), {"level"})
    assert later.commit() is True
    assert (counting.reads, counting.writes) == (1, 2)
    attributes, version = store.read(USER)
    assert version == 3
    assert Profile.from_attributes(attributes)[0] == Profile(hold_seconds=45, reps=5, level=Level.BEGINNER)


def test_user_data_keeps_another_devices_change_to_a_different_field(tmp_path: Path) -> None:
    """Another device stores reps after this session read the profile: this session's hold lands beside it."""
    store = sqlite_at(tmp_path)
    store.write(USER, {"schema": 1, "hold_seconds": 20, "reps": 2, "level": "standard"}, 0)
    racing = RacingStore(sqlite_at(tmp_path), sqlite_at(tmp_path), lambda a: {**a, "reps": 5})
    user = UserData(racing, USER, CATALOGUE)
    user.change(user.profile.with_(hold_seconds=30), {"hold_seconds"})
    assert user.commit() is True
    assert (racing.reads, racing.writes) == (2, 2), "the first read, then one conflict: re-read and write again"
    profile, _ = Profile.from_attributes(store.read(USER)[0])
    assert (profile.hold_seconds, profile.reps) == (30, 5)
    assert user.profile == profile, "the session goes on with what was stored"
    later = next_request(user)
    later.change(later.profile.with_(level=Level.BEGINNER), {"level"})
    assert later.commit() is True and racing.writes == 3, "the version after the merge is carried: no further conflict"


def test_user_data_a_removed_field_stays_removed_after_a_conflict(tmp_path: Path) -> None:
    """Choosing a level drops an explicit hold; re-applied on top of another device's write, the hold is still gone."""
    store = sqlite_at(tmp_path)
    store.write(USER, {"schema": 1, "hold_seconds": 30, "level": "standard"}, 0)
    racing = RacingStore(sqlite_at(tmp_path), sqlite_at(tmp_path), lambda a: {**a, "reps": 4})
    user = UserData(racing, USER, CATALOGUE)
    user.change(user.profile.with_(level=Level.BEGINNER, hold_seconds=None), {"level", "hold_seconds"})
    assert user.commit() is True
    attributes, _ = store.read(USER)
    assert "hold_seconds" not in attributes and attributes["level"] == "beginner" and attributes["reps"] == 4


def test_user_data_never_writes_the_stores_corrupt_marker_back(tmp_path: Path) -> None:
    """After a conflict the fresh item is an unreadable one ({"_corrupt": ...}): the marker is not stored as data."""
    store = sqlite_at(tmp_path)
    store.write(USER, {"schema": 1, "reps": 2}, 0)
    racing = RacingStore(sqlite_at(tmp_path), sqlite_at(tmp_path), lambda a: {"_corrupt": "{not json"})
    user = UserData(racing, USER, CATALOGUE)
    user.change(user.profile.with_(hold_seconds=30), {"hold_seconds"})
    assert user.commit() is True
    attributes, _ = store.read(USER)
    assert "_corrupt" not in attributes and attributes["hold_seconds"] == 30
    assert Profile.from_attributes(attributes, CATALOGUE.routines, CATALOGUE.stretches) == (Profile(hold_seconds=30), False)


def test_user_data_on_a_store_that_cannot_be_read_runs_on_defaults_and_never_writes() -> None:
    """The read fails: defaults, one notice, no write however much changes (stored data is never replaced by defaults)."""
    down = DownStore()
    user = UserData(down, USER, CATALOGUE)
    assert user.profile == Profile()
    user.change(user.profile.with_(hold_seconds=30), {"hold_seconds"})
    assert user.commit() is False
    assert user.take_notices() == ["store_unavailable"]  # said with this reply, before the session is kept
    later = next_request(user)
    later.change(later.profile.with_(reps=3), {"reps"})
    assert later.commit() is False
    assert (down.reads, down.writes) == (1, 0)
    assert later.take_notices() == []


class FailingFor(VersionedStore):
    """A working store whose writes for one user fail, like a throttled hot key; it counts those attempts."""

    def __init__(self, inner: VersionedStore, failing_key: str) -> None:
        """Delegate to ``inner``; refuse writes of ``failing_key``."""
        self.inner, self.failing_key, self.failed_writes = inner, failing_key, 0

    def read(self, key: str) -> tuple[Attributes, int]:
        """Delegate."""
        return self.inner.read(key)

    def write(self, key: str, attributes: Attributes, expected_version: int) -> int:
        """Refuse the failing user's writes; delegate the others'."""
        if key == self.failing_key:
            self.failed_writes += 1
            raise StoreUnavailable("throttled")
        return self.inner.write(key, attributes, expected_version)


def test_a_failed_write_rests_that_users_item_only(tmp_path: Path) -> None:
    """After one user's write fails, that user's later requests leave the item alone (told once); another user of the
    same store stores normally."""
    store = FailingFor(sqlite_at(tmp_path), USER)
    user = UserData(store, USER, CATALOGUE)
    user.change(user.profile.with_(reps=5), {"reps"})
    assert user.commit() is False and user.take_notices() == ["store_unavailable"]
    later = next_request(user)
    later.change(later.profile.with_(reps=6), {"reps"})
    assert later.commit() is False and later.take_notices() == [] and store.failed_writes == 1
    other = UserData(store, OTHER, CATALOGUE)
    other.change(other.profile.with_(reps=4), {"reps"})
    assert other.commit() is True and store.read(OTHER)[0]["reps"] == 4


def test_user_data_stops_writing_after_a_failed_write_and_says_so_once(tmp_path: Path) -> None:
    """The read works and the write fails: one attempt, one notice; later changes in the session are not tried."""
    store = sqlite_at(tmp_path)
    store.write(USER, {"schema": 1, "hold_seconds": 45}, 0)
    down = DownStore(fail_reads=False, inner=store)
    user = UserData(down, USER, CATALOGUE)
    user.change(user.profile.with_(reps=5), {"reps"})
    assert user.commit() is False
    assert user.take_notices() == ["store_unavailable"]
    later = next_request(user)
    later.change(later.profile.with_(reps=6), {"reps"})
    assert later.commit() is False
    assert later.take_notices() == []
    assert (down.reads, down.writes) == (1, 1)
    assert store.read(USER) == ({"schema": 1, "hold_seconds": 45}, 1)


def test_user_data_writes_a_cleaned_profile_back_after_a_reset(tmp_path: Path) -> None:
    """Stored data that had to be reset is replaced by the cleaned profile at the first commit, and said once."""
    store = sqlite_at(tmp_path)
    store.write(USER, {"schema": 1, "hold_seconds": 500, "reps": 3, "stretch_counts": {"childs_pose": 3}}, 0)
    user = UserData(store, USER, CATALOGUE)
    assert (user.profile.hold_seconds, user.profile.reps) == (None, 3)
    assert user.take_notices() == ["profile_reset"]
    assert user.commit() is True
    attributes, version = store.read(USER)
    assert version == 2 and Profile.from_attributes(attributes, CATALOGUE.routines, CATALOGUE.stretches) == (
        Profile(reps=3, stretch_counts=(("childs_pose", 3),)),
        False,
    )


# -- DynamoDB only ---------------------------------------------------------------------------------------


def dynamodb_store(table: str, dynamodb_local: DynamoDBLocal) -> DynamoDbStore:
    """A DynamoDbStore on the shared DynamoDB Local."""
    return DynamoDbStore(table, region="us-east-1", endpoint_url=dynamodb_local.endpoint)


def test_dynamodb_item_shape_is_id_attributes_version(table: str, raw_item: ItemReader, dynamodb_local: DynamoDBLocal) -> None:
    """The ask-sdk adapter's shape (key ``id``, map ``attributes``) plus a number ``version``."""
    store = dynamodb_store(table, dynamodb_local)
    store.write(USER, {"hold_seconds": 30, "own_routine": ["childs_pose"], "level": "beginner"}, 0)
    item = raw_item(USER)
    assert item is not None and set(item) == {"id", "attributes", "version"}
    assert item["id"] == {"S": USER}
    assert item["version"] == {"N": "1"}
    assert item["attributes"] == {
        "M": {"hold_seconds": {"N": "30"}, "own_routine": {"L": [{"S": "childs_pose"}]}, "level": {"S": "beginner"}}
    }


def test_dynamodb_reads_fractions_as_decimal_never_float(table: str, ddb: BaseClient, dynamodb_local: DynamoDBLocal) -> None:
    """A stored number with a fraction comes back as an exact Decimal (never a float, which DynamoDB cannot take back)."""
    ddb.put_item(TableName=table, Item={"id": {"S": USER}, "attributes": {"M": {"hold_seconds": {"N": "30.5"}}}, "version": {"N": "1"}})
    attributes, _ = dynamodb_store(table, dynamodb_local).read(USER)
    assert attributes["hold_seconds"] == Decimal("30.5") and type(attributes["hold_seconds"]) is Decimal
    profile, reset = Profile.from_attributes(attributes)
    assert profile.hold_seconds is None and reset


def test_dynamodb_reads_and_upgrades_an_item_written_without_a_version(
    table: str, ddb: BaseClient, raw_item: ItemReader, dynamodb_local: DynamoDBLocal
) -> None:
    """An item from ask-sdk's plain DynamoDbAdapter (no ``version``) reads as version 0 and accepts a create."""
    ddb.put_item(TableName=table, Item={"id": {"S": USER}, "attributes": {"M": {"progress": {"M": {"position": {"N": "2"}}}}}})
    store = dynamodb_store(table, dynamodb_local)
    assert store.read(USER) == ({"progress": {"position": 2}}, 0)
    assert store.write(USER, {"schema": 1}, 0) == 1
    item = raw_item(USER)
    assert item is not None and item["version"] == {"N": "1"}


def test_dynamodb_missing_table_is_store_unavailable(dynamodb_local: DynamoDBLocal) -> None:
    """A ClientError other than a failed condition (here ResourceNotFound) is StoreUnavailable, not a conflict."""
    store = dynamodb_store("no-such-table", dynamodb_local)
    for call in (lambda: store.read(USER), lambda: store.write(USER, {}, 0), lambda: store.remove(USER)):
        with pytest.raises(StoreUnavailable):
            call()


def test_dynamodb_store_builds_no_client_until_first_use(table: str, dynamodb_local: DynamoDBLocal, monkeypatch: pytest.MonkeyPatch) -> None:
    """Constructing the store, or the whole skill on a table, creates no botocore client (cold start, no AWS lookups)."""
    from botocore.session import Session

    def refuse(*args: Any, **kwargs: Any) -> Any:
        """Fail the test: no client may be made yet."""
        raise AssertionError("a botocore client was created before the first store request")

    monkeypatch.setattr(Session, "create_client", refuse)
    config = Config(table=table, dynamodb_endpoint=dynamodb_local.endpoint, region="us-east-1")
    build_skill(config)
    store = store_for(config)
    assert isinstance(store, DynamoDbStore) and (store.table, store.endpoint_url) == (table, dynamodb_local.endpoint)
    assert store._client is None
    monkeypatch.undo()
    assert store.read(USER) == ({}, 0)
    assert store._client is not None


@dataclass
class DeadStoreCall:
    """What one store call against an unusable endpoint did."""

    error: BaseException | None
    seconds: float
    http_attempts: int


def call_dead_store(endpoint: str, operation: str) -> DeadStoreCall:
    """Run one store operation against ``endpoint``, timing it and counting HTTP attempts."""
    store = DynamoDbStore("users", region="us-east-1", endpoint_url=endpoint)
    attempts = 0

    def count(**kwargs: Any) -> None:
        """One more HTTP attempt."""
        nonlocal attempts
        attempts += 1

    store.client.meta.events.register("before-send.dynamodb.*", count)
    calls: dict[str, Callable[[], Any]] = {
        "read": lambda: store.read(USER),
        "write": lambda: store.write(USER, {"hold_seconds": 30}, 0),
        "remove": lambda: store.remove(USER),
    }
    began = time.monotonic()
    error: BaseException | None = None
    try:
        calls[operation]()
    except BaseException as raised:  # noqa: BLE001 - the test inspects it
        error = raised
    return DeadStoreCall(error, time.monotonic() - began, attempts)


@pytest.fixture(scope="module")
def dead_store_calls() -> dict[str, DeadStoreCall]:
    """Each operation against a closed port, and a read against a port that accepts but never answers."""
    results = {op: call_dead_store(f"http://127.0.0.1:{free_loopback_port()}", op) for op in ("read", "write", "remove")}
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(32)
        results["hung read"] = call_dead_store(f"http://127.0.0.1:{silent.getsockname()[1]}", "read")
    return results


@pytest.mark.parametrize("case", ["read", "write", "remove", "hung read"])
def test_dynamodb_dead_endpoint_is_store_unavailable_within_the_bound(dead_store_calls: dict[str, DeadStoreCall], case: str) -> None:
    """Closed port (refused) or hung endpoint (read timeout): StoreUnavailable, not a botocore error, in < 8 s."""
    result = dead_store_calls[case]
    assert isinstance(result.error, StoreUnavailable), repr(result.error)
    assert result.seconds < DEAD_STORE_BOUND_SECONDS, f"{case} took {result.seconds:.1f} s"


@pytest.mark.parametrize("case", ["read", "hung read"])
def test_dynamodb_dead_endpoint_gets_one_retry_only(dead_store_calls: dict[str, DeadStoreCall], case: str) -> None:
    """As the store documents: one attempt plus one retry (MAX_ATTEMPTS = 2 HTTP requests)."""
    assert dead_store_calls[case].http_attempts == MAX_ATTEMPTS


def test_sqlite_takes_a_burst_of_parallel_users_without_failing(tmp_path: Path) -> None:
    """300 users writing at once through one store (as the threaded web service does): none fails."""
    import threading

    from skill.persistence.sqlite_store import SqliteStore

    store = SqliteStore(tmp_path / "burst.sqlite3")
    failures: list[BaseException] = []

    def user(number: int) -> None:
        try:
            key = f"amzn1.ask.account.BURST{number}"
            attributes, version = store.read(key)
            store.update(key, lambda a: {**a, "hold_seconds": 30}, known=(attributes, version))
        except BaseException as error:  # noqa: BLE001 - the test collects every failure
            failures.append(error)

    threads = [threading.Thread(target=user, args=(n,)) for n in range(300)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert failures == []
    assert all(store.read(f"amzn1.ask.account.BURST{n}")[0] == {"hold_seconds": 30} for n in range(300))


def test_sqlite_64_users_for_seconds_lose_no_confirmed_setting(tmp_path: Path) -> None:
    """64 users, each on its own thread, change a setting every few milliseconds for 4 s; a second device
    changes another setting for every fourth user. Two store objects on one file stand for the web service's
    two worker processes, and a user's two devices use different ones. No write fails, and every user's item
    holds the last value each device was told was stored."""
    import threading

    workers = [SqliteStore(tmp_path / "load.sqlite3"), SqliteStore(tmp_path / "load.sqlite3")]
    failures: list[str] = []
    confirmed: dict[tuple[str, str], int] = {}
    lock = threading.Lock()
    stop_at = time.monotonic() + 4.0

    def device(key: str, field: str, seed: int) -> None:
        pick = random.Random(seed)
        store = workers[seed % 2]
        while time.monotonic() < stop_at:
            value = pick.randrange(1, 10_000)
            try:
                store.update(key, lambda a: {**a, field: value})
            except Exception as error:  # noqa: BLE001 - the test collects every failure
                with lock:
                    failures.append(f"{key} {field}: {type(error).__name__}: {error}")
                continue
            with lock:
                confirmed[(key, field)] = value
            time.sleep(pick.uniform(0.0, 0.02))

    users = [f"amzn1.ask.account.LOAD{n:02d}" for n in range(64)]
    devices = [(user, "hold_seconds", n) for n, user in enumerate(users)]
    devices += [(user, "reps", 1001 + n) for n, user in enumerate(users) if n % 4 == 0]
    threads = [threading.Thread(target=device, args=spec) for spec in devices]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert failures == [], f"{len(failures)} failed writes, e.g. {failures[:3]}"
    assert len(confirmed) == len(devices)
    lost = [(key, field, value) for (key, field), value in confirmed.items() if workers[0].read(key)[0].get(field) != value]
    assert lost == []


def test_sqlite_keeps_one_connection_per_thread_in_wal_mode(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Reads and writes on a thread reuse that thread's connection; each thread has its own; the file is in WAL mode."""
    import threading

    opened: list[int] = []
    real_connect = sqlite3.connect

    def counting_connect(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        opened.append(threading.get_ident())
        return real_connect(*args, **kwargs)

    monkeypatch.setattr(sqlite3, "connect", counting_connect)
    store = SqliteStore(tmp_path / "users.sqlite3")
    for n in range(50):
        store.update(USER, lambda a: {**a, "reps": n})
        store.read(USER)
    assert len(opened) == 1

    def elsewhere() -> None:
        for _ in range(20):
            store.read(USER)

    threads = [threading.Thread(target=elsewhere) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(opened) == 4
    with closing(real_connect(store.path)) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_newer_schemas_data_survives_a_change_made_by_this_release(tmp_path: Path) -> None:
    """After a rollback, items written by the newer release keep their schema and unknown fields."""
    store = sqlite_at(tmp_path)
    store.write(USER, {"schema": 2, "hold_seconds": 25, "reps": 3, "reminder_time": "07:00", "voice": {"speed": 1}}, 0)
    counting = counted(store)
    user = UserData(counting, USER, CATALOGUE)
    assert user.profile.hold_seconds == 25 and user.notices == [], "nothing reset, nothing to apologise for"
    later = next_request(user)
    later.change(later.profile.with_(reps=5), {"reps"})
    assert later.commit() is True
    attributes, _ = store.read(USER)
    assert attributes["schema"] == 2 and attributes["reminder_time"] == "07:00" and attributes["voice"] == {"speed": 1}
    assert attributes["hold_seconds"] == 25 and attributes["reps"] == 5
    assert (counting.reads, counting.writes) == (1, 1)


# -- issue 9: deletion is final (tombstone), a bad version is repaired, one deadline per request ---------------------


def test_a_tombstone_holds_only_the_marker_and_reads_as_an_empty_profile(backend: tuple[str, StoreFactory], store: VersionedStore, request: pytest.FixtureRequest) -> None:
    """After remove the item keeps nothing of the user (key, marker, version); the profile read from it is a new user's."""
    store.write(USER, {"schema": 1, "hold_seconds": 30, "progress": {"routine": "morning"}}, 0)
    store.remove(USER)
    attributes, version = store.read(USER)
    assert is_tombstone(attributes) and attributes == {"_deleted": 1} and version == 2
    assert Profile.from_attributes(attributes, CATALOGUE.routines, CATALOGUE.stretches) == (Profile(), False)
    if backend[0] == "dynamodb":
        item = request.getfixturevalue("raw_item")(USER)
        assert item == {"id": {"S": USER}, "attributes": {"M": {"_deleted": {"N": "1"}}}, "version": {"N": "2"}}


def test_a_write_from_before_the_removal_conflicts_and_the_re_read_is_the_tombstone(store: VersionedStore, second_device: VersionedStore) -> None:
    """A device that read before the removal cannot write blind: its conditional write conflicts."""
    store.write(USER, {"hold_seconds": 30}, 0)
    attributes, version = store.read(USER)
    second_device.remove(USER)
    with pytest.raises(VersionConflict):
        store.write(USER, {**attributes, "reps": 3}, version)
    assert is_tombstone(store.read(USER)[0])


def test_remove_with_the_known_version_writes_once_without_reading(tmp_path: Path) -> None:
    """UserData passes the version it holds: the tombstone is one write, no read."""
    store = sqlite_at(tmp_path)
    store.write(USER, {"schema": 1, "reps": 2}, 0)
    counting = counted(store)
    assert counting.remove(USER, known_version=1) == 2
    assert (counting.reads, counting.writes) == (0, 1)


def test_deletion_is_not_undone_by_a_session_that_read_before_it(tmp_path: Path) -> None:
    """Device A read the profile; the user deletes their data on device B; A's later change conflicts, meets the
    tombstone, and is dropped silently: nothing of A's profile comes back, in this request or later ones (each
    meets the tombstone again: nothing in the session, which the client sends back, decides that)."""
    store = sqlite_at(tmp_path)
    store.write(USER, {"schema": 1, "hold_seconds": 45, "reps": 3, "dates": ["2026-11-01"]}, 0)
    counting = counted(store)
    device_a = UserData(counting, USER, CATALOGUE)
    assert device_a.profile.hold_seconds == 45
    device_b = UserData(store, USER, CATALOGUE)
    assert device_b.delete() is Deletion.DONE
    assert store.read(USER) == ({"_deleted": 1}, 2)
    device_a.change(device_a.profile.with_(reps=5), {"reps"})
    assert device_a.commit() is True, "nothing for the user to hear: they asked to be forgotten"
    assert device_a.take_notices() == []
    assert store.read(USER) == ({"_deleted": 1}, 2), "the tombstone stands"
    assert device_a.profile == Profile()
    later = next_request(device_a)
    later.change(later.profile.with_(hold_seconds=30), {"hold_seconds"})
    assert later.commit() is True
    assert store.read(USER) == ({"_deleted": 1}, 2), "nor does the rest of that session write"
    assert counting.writes == 2 and counting.reads == 3, "one conflicting write and its re-read per request"


def test_a_new_session_after_the_deletion_writes_over_the_tombstone(tmp_path: Path) -> None:
    """The user comes back (a session that read the tombstone itself): a new user, stored normally, no reset notice."""
    store = sqlite_at(tmp_path)
    store.write(USER, {"schema": 1, "hold_seconds": 45}, 0)
    store.remove(USER)
    counting = counted(store)
    user = UserData(counting, USER, CATALOGUE)
    assert user.profile == Profile() and user.notices == []
    user.change(user.profile.with_(reps=4), {"reps"})
    assert user.commit() is True
    attributes, version = store.read(USER)
    assert version == 3 and "_deleted" not in attributes and attributes["reps"] == 4 and "hold_seconds" not in attributes
    assert (counting.reads, counting.writes) == (1, 1)


def test_the_deleting_session_itself_may_store_again_over_its_tombstone(tmp_path: Path) -> None:
    """Delete, then a new setting in the same session: stored over the tombstone with one write (its version is known)."""
    store = sqlite_at(tmp_path)
    store.write(USER, {"schema": 1, "hold_seconds": 45}, 0)
    counting = counted(store)
    user = UserData(counting, USER, CATALOGUE)
    assert user.profile.hold_seconds == 45
    assert user.delete() is Deletion.DONE
    later = next_request(user)
    later.change(later.profile.with_(reps=4), {"reps"})
    assert later.commit() is True
    attributes, version = store.read(USER)
    assert version == 3 and attributes["reps"] == 4 and "hold_seconds" not in attributes
    assert (counting.reads, counting.writes) == (1, 2)


def put_raw(backend: tuple[str, StoreFactory], store: VersionedStore, request: pytest.FixtureRequest, attributes: Attributes, version: Any) -> None:
    """Store an item the way a hand edit would: ``version`` as given (a DynamoDB attribute value, or an SQLite value)."""
    if backend[0] == "sqlite":
        assert isinstance(store, SqliteStore)
        store.read(USER)  # creates the table
        with closing(sqlite3.connect(store.path)) as connection, connection:
            connection.execute("INSERT INTO users (id, attributes, version) VALUES (?, ?, ?)", (USER, json.dumps(attributes), version))
    else:
        ddb: BaseClient = request.getfixturevalue("ddb")
        table: str = request.getfixturevalue("table")
        item: dict[str, Any] = {"id": {"S": USER}, "attributes": {"M": {"schema": {"N": "1"}, "hold_seconds": {"N": "45"}}}}
        assert attributes == {"schema": 1, "hold_seconds": 45}
        if version is not None:
            item["version"] = version
        ddb.put_item(TableName=table, Item=item)


# (SQLite value, DynamoDB attribute value) of a corrupt version, and what read reports for it.
BAD_VERSIONS = {
    "string": ("x", {"S": "x"}, 0),
    "negative": (-3, {"N": "-3"}, 0),
    "zero": (0, {"N": "0"}, 0),
    "fraction": (1.5, {"N": "1.5"}, 2),
    "huge": (10**18, {"N": "1" + "0" * 30}, 0),
}


@pytest.mark.parametrize("case", list(BAD_VERSIONS))
def test_a_corrupt_version_is_reported_as_a_safe_number_and_the_next_write_repairs_it(
    backend: tuple[str, StoreFactory], store: VersionedStore, second_device: VersionedStore, request: pytest.FixtureRequest, case: str
) -> None:
    """The data still reads; the version reads as a number the next write conditions on; that write lands and
    leaves a clean version; a second device that read the same bad version conflicts instead of overwriting."""
    sqlite_value, dynamodb_value, reported = BAD_VERSIONS[case]
    put_raw(backend, store, request, {"schema": 1, "hold_seconds": 45}, sqlite_value if backend[0] == "sqlite" else dynamodb_value)
    attributes, version = store.read(USER)
    assert (attributes, version) == ({"schema": 1, "hold_seconds": 45}, reported)
    assert second_device.read(USER) == (attributes, version)
    for other in (version + 1, version + 5):
        with pytest.raises(VersionConflict):
            second_device.write(USER, {"reps": 9}, other)
    assert store.write(USER, {**attributes, "reps": 4}, version) == reported + 1
    with pytest.raises(VersionConflict):
        second_device.write(USER, {**attributes, "reps": 9}, version)
    assert store.read(USER) == ({"schema": 1, "hold_seconds": 45, "reps": 4}, reported + 1)
    assert store.write(USER, {"reps": 5}, reported + 1) == reported + 2, "and it goes on like any item"


def test_a_missing_version_beside_data_is_repaired_too(backend: tuple[str, StoreFactory], store: VersionedStore, request: pytest.FixtureRequest) -> None:
    """DynamoDB: no version attribute at all (SQLite's column cannot be empty): reads as 0, the next write sets 1."""
    if backend[0] == "sqlite":
        pytest.skip("the SQLite column is NOT NULL")
    put_raw(backend, store, request, {"schema": 1, "hold_seconds": 45}, None)
    assert store.read(USER) == ({"schema": 1, "hold_seconds": 45}, 0)
    assert store.write(USER, {"reps": 4}, 0) == 1


@pytest.mark.parametrize("case", ["string", "negative", "fraction"])
def test_user_data_on_a_corrupt_version_saves_with_one_read_and_one_write(
    backend: tuple[str, StoreFactory], store: VersionedStore, request: pytest.FixtureRequest, case: str
) -> None:
    """Not "can't save" every session: the first change is stored (1 read, 1 write) and the version is whole again."""
    sqlite_value, dynamodb_value, reported = BAD_VERSIONS[case]
    put_raw(backend, store, request, {"schema": 1, "hold_seconds": 45}, sqlite_value if backend[0] == "sqlite" else dynamodb_value)
    counting = counted(store)
    user = UserData(counting, USER, CATALOGUE)
    assert user.profile.hold_seconds == 45, "the data is kept"
    user.change(user.profile.with_(reps=4), {"reps"})
    assert user.commit() is True and user.take_notices() == []
    assert (counting.reads, counting.writes) == (1, 1)
    attributes, version = store.read(USER)
    assert (attributes["hold_seconds"], attributes["reps"], version) == (45, 4, reported + 1)


def test_update_past_its_deadline_makes_no_store_call(tmp_path: Path) -> None:
    """A deadline already gone: StoreUnavailable before anything is read or written."""
    counting = counted(sqlite_at(tmp_path))
    with pytest.raises(StoreUnavailable):
        counting.update(USER, lambda a: {**a, "reps": 3}, deadline=time.monotonic() - 0.01)
    with pytest.raises(StoreUnavailable):
        counting.update(USER, lambda a: {**a, "reps": 3}, known=({}, 0), deadline=time.monotonic() - 0.01)
    assert (counting.reads, counting.writes) == (0, 0)


class SlowRacingStore(RacingStore):
    """A racing store whose every read and write of this device takes ``delay`` seconds (the other device is quick)."""

    def __init__(self, inner: VersionedStore, second: VersionedStore, delay: float) -> None:
        """Race on every write."""
        super().__init__(inner, second, lambda a: {**a, "level": "beginner", "reps": (a.get("reps") or 0) + 1}, races=99)
        self.delay = delay

    def read(self, key: str) -> tuple[Attributes, int]:
        """Slowly."""
        time.sleep(self.delay)
        return super().read(key)

    def write(self, key: str, attributes: Attributes, expected_version: int) -> int:
        """Slowly (the other device lands meanwhile)."""
        time.sleep(self.delay)
        return super().write(key, attributes, expected_version)


def test_a_slow_store_and_conflicts_give_up_by_the_request_deadline(tmp_path: Path) -> None:
    """Each call takes 1.5 s and every write conflicts: the request stops at ~6 s (not 12), the user hears "can't save",
    and what the other device stored is not overwritten."""
    from skill.flows.user_data import REQUEST_DEADLINE_SECONDS

    store = sqlite_at(tmp_path)
    store.write(USER, {"schema": 1, "hold_seconds": 45, "reps": 1}, 0)
    slow = SlowRacingStore(sqlite_at(tmp_path), sqlite_at(tmp_path), delay=1.5)
    began = time.monotonic()
    user = UserData(slow, USER, CATALOGUE)
    user.change(user.profile.with_(hold_seconds=30), {"hold_seconds"})
    assert user.commit() is False
    took = time.monotonic() - began
    assert REQUEST_DEADLINE_SECONDS <= 6.0
    assert took <= REQUEST_DEADLINE_SECONDS + 0.5, f"took {took:.1f} s"
    assert user.take_notices() == ["store_unavailable"]
    attributes, _ = store.read(USER)
    assert attributes["hold_seconds"] == 45 and attributes["level"] == "beginner", "the other device's data stands, ours is not written"
    assert slow.writes == 2, "two conflicting writes, then no third attempt"


def test_an_oversized_item_is_refused_and_nothing_is_stored(store: VersionedStore) -> None:
    """A hard cap on the stored item: whatever gets past validation, a huge item never reaches the store."""
    from skill.persistence.versioned import MAX_ITEM_CHARS

    store.write(USER, {"schema": 1, "hold_seconds": 25}, 0)
    attributes, version = store.read(USER)
    with pytest.raises(StoreUnavailable):
        store.update(USER, lambda a: {**a, "own_routine": ["x" * 100] * (MAX_ITEM_CHARS // 50)}, known=(attributes, version))
    assert store.read(USER) == (attributes, version)


def test_the_shared_voice_item_is_learnt_in_one_process_and_read_in_another(backend: tuple[str, StoreFactory]) -> None:
    """Thirty answers bounding a voice 8 % slower than the model: the estimate is stored in a few writes at most,
    beside the users' items, and a second process reading the store locates with it (a narrower range); a
    locale nobody answered in keeps the default voice."""
    make = backend[1]
    rng = random.Random(8)
    learner = VoiceBook(make(), clock=lambda: 0.0)
    for _ in range(30):
        learner.hear("en-GB", 1.08 + rng.uniform(0.0, 0.04))
    elsewhere = VoiceBook(make(), clock=lambda: 0.0)
    voice = elsewhere.voice("en-GB")
    assert 1.08 <= voice.scale <= 1.09 and voice.spread < Voice().spread, voice
    assert elsewhere.voice("en-US") == Voice()
    attributes, version = make().read(VOICE_KEY)
    assert set(attributes) == {"en-GB"} and 1 <= version <= 3, (attributes, version)
    assert make().read(USER) == ({}, 0)
