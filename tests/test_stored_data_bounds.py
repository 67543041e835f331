"""What is stored or comes back in the session is checked, bounded and repaired, on SQLite and on DynamoDB Local.

- Corrupt stored progress (a 126-digit position, 100 KB or 300 KB of it) never locks the user out: it is
  dropped on read, the user hears one sentence about it, the session never carries it, and the first
  reply's write removes it from the item.
- A profile coming back in the session attributes is never stored unchecked, and flags there
  (``store_ok``, ``forgotten``) never stop a setting the user hears confirmed from being stored.
"""

from __future__ import annotations

import json
import time
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable, Iterator, NamedTuple

import pytest

from skill.persistence.sqlite_store import SqliteStore
from tests import test_profiles_dynamodb as ddb_rig
from tests.support.conversation import Alexa, Reply, load_event

pytest_plugins = ["tests.support.fixtures_dynamodb"]

# The DynamoDB rig (a skill built as Lambda builds it, its requests to DynamoDB Local counted) and its fixtures.
make_rig = ddb_rig.make_rig
seed = ddb_rig.seed
stored = ddb_rig.stored
said = ddb_rig.said
phrase = ddb_rig.phrase
USER = ddb_rig.USER
SEEDED = ddb_rig.SEEDED
RESET_NOTICE = ddb_rig.RESET_NOTICE
CANT_SAVE = ddb_rig.CANT_SAVE
WENT_WRONG = ddb_rig.WENT_WRONG

MAX_REPLY_CHARS = 40_000  # a whole launch reply with its session attributes: a few KB in practice
JUNK = "<audio src='https://example.invalid/a.mp3'/>" + "x" * 10_000


class Backend(NamedTuple):
    """A skill on one store: a device to talk to it, a way to put an item in, and the item as stored."""

    device: Callable[[], Alexa]
    put: Callable[[dict[str, Any]], None]
    item: Callable[[], "dict[str, Any] | None"]


@pytest.fixture(params=["sqlite", "dynamodb"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    """The same conversation on the embedded SQLite store (through ``lambda_handler``) and on DynamoDB Local."""
    if request.param == "sqlite":
        data = tmp_path / "data"
        sqlite = SqliteStore(data / "users.sqlite3")
        shared = Alexa.for_lambda(data)

        def item_sqlite() -> dict[str, Any] | None:
            """The stored attributes, read straight from the file."""
            attributes, version = sqlite.read(USER)
            return attributes if version else None

        yield Backend(lambda: Alexa(shared.handler), lambda attributes: _put_sqlite(sqlite, attributes), item_sqlite)
        from skill.entrypoints import lambda_entry

        lambda_entry.reset()
        return
    request.getfixturevalue("dynamodb_local")
    table = request.getfixturevalue("table")
    rig = request.getfixturevalue("make_rig")(table, request.getfixturevalue("dynamodb_local").endpoint)
    put = request.getfixturevalue("seed")
    read = request.getfixturevalue("stored")

    def item_dynamodb() -> dict[str, Any] | None:
        """The stored attributes, read with a raw client."""
        found = read()
        return None if found is None else found[0]

    yield Backend(rig.device, lambda attributes: put(attributes), item_dynamodb)


def _put_sqlite(store: SqliteStore, attributes: dict[str, Any]) -> None:
    """Store ``attributes`` as version 1, numbers as JSON numbers (a Decimal as its exact digits)."""
    store.write(USER, json.loads(json.dumps(attributes, default=lambda d: int(d))), 0)


def recent_progress(**changes: Any) -> dict[str, Any]:
    """A routine left paused an hour ago, in the stored format, with ``changes``."""
    return {**ddb_rig.progress_for("morning", 5, int(time.time()) - 3600), **changes}


def size(reply: Reply) -> int:
    """The whole response as sent back to Alexa, in characters of JSON."""
    return len(json.dumps(reply.body))


# -- corrupt stored progress ------------------------------------------------------------------------------------

CORRUPT = {
    "position-1e125": recent_progress(position=Decimal("1E+125")),
    "updated-at-1e125": recent_progress(updated_at=Decimal("1E+125")),
    "100-kb": recent_progress(notes="y" * 100_000),
    "300-kb": recent_progress(notes="y" * 300_000),
    "300-kb-routine-id": recent_progress(routine="z" * 300_000),
}


@pytest.mark.parametrize("progress", CORRUPT.values(), ids=CORRUPT.keys())
def test_corrupt_stored_progress_is_dropped_said_once_and_never_locks_the_user_out(backend: Backend, progress: dict[str, Any]) -> None:
    """The stored settings still play; one sentence says something was reset; replies stay small; the second turn
    and every later one work; the item is repaired by the first reply's write and the next session is clean."""
    backend.put({**ddb_rig.LONG, "progress": progress})
    alexa = backend.device()
    welcome = alexa.launch()
    assert RESET_NOTICE in said(welcome) and WENT_WRONG not in said(welcome)
    assert size(welcome) < MAX_REPLY_CHARS, size(welcome)
    repaired = backend.item()
    assert repaired is not None and "progress" not in repaired, "the corrupt progress is written away at once"
    assert repaired["hold_seconds"] == SEEDED["hold_seconds"], "what was good is kept"
    replies = [
        alexa.intent("SetHoldTimeIntent", seconds="30"),
        alexa.intent("StartRoutineIntent", routine=ddb_rig.FULL_BACK),
        alexa.intent("AMAZON.PauseIntent"),
    ]
    assert phrase("hold_set_up_to", seconds=30) in said(replies[0])
    assert all(size(r) < MAX_REPLY_CHARS and WENT_WRONG not in said(r) for r in replies)
    assert sum(RESET_NOTICE in said(r) for r in [welcome, *replies]) == 1
    after = backend.item()
    assert after is not None and after["hold_seconds"] == 30 and after["progress"]["routine"] == "full_back"
    again = backend.device().launch()
    assert RESET_NOTICE not in said(again) and WENT_WRONG not in said(again)


def test_a_huge_unknown_field_is_dropped_not_carried(backend: Backend) -> None:
    """A field this release does not know is kept as it is only while it is small: 300 KB of it is dropped
    (and said), never copied into the session or the reply."""
    backend.put({**SEEDED, "future_notes": "n" * 300_000})
    alexa = backend.device()
    welcome = alexa.launch()
    assert RESET_NOTICE in said(welcome) and size(welcome) < MAX_REPLY_CHARS
    assert phrase("hold_set_up_to", seconds=30) in said(alexa.intent("SetHoldTimeIntent", seconds="30"))
    item = backend.item()
    assert item is not None and "future_notes" not in item and item["hold_seconds"] == 30


# -- the session's copy of the profile ---------------------------------------------------------------------


def tampered(alexa: Alexa, intent: str, slots: dict[str, str], user: dict[str, Any]) -> Reply:
    """Send ``intent`` in the current session with the session's "user" attribute replaced by ``user``."""
    event = load_event("intent_request")
    event["request"]["intent"] = {
        "name": intent,
        "confirmationStatus": "NONE",
        "slots": {name: {"name": name, "value": value, "confirmationStatus": "NONE"} for name, value in slots.items()},
    }
    event["session"]["attributes"] = {**alexa.attributes, "user": user}
    return alexa.send_raw(event)


SESSION_JUNK = {
    "progress-with-audio": {"progress": recent_progress(notes=JUNK)},
    "progress-routine-audio": {"progress": recent_progress(routine=JUNK)},
    "progress-not-a-routine": {"progress": {"junk": JUNK}},
    "level-audio": {"level": JUNK},
    "sore-leg-audio": {"sore_leg": JUNK},
}


@pytest.mark.parametrize("junk", SESSION_JUNK.values(), ids=SESSION_JUNK.keys())
def test_junk_in_the_session_profile_is_never_stored(backend: Backend, junk: dict[str, Any]) -> None:
    """10 KB with an <audio> tag in the session's copy of the profile: the setting is stored, the junk is not."""
    backend.put(SEEDED)
    alexa = backend.device()
    alexa.launch()
    user = alexa.attributes["user"]
    reply = tampered(alexa, "SetHoldTimeIntent", {"seconds": "30"}, {**user, "profile": {**user["profile"], **junk}})
    assert phrase("hold_set_up_to", seconds=30) in said(reply) and WENT_WRONG not in said(reply)
    item = backend.item()
    assert item is not None and item["hold_seconds"] == 30
    text = json.dumps(item)
    assert "audio" not in text and "xxxxxxxxxx" not in text and len(text) < 2_000, text[:300]
    assert "audio" not in json.dumps(reply.body)


@pytest.mark.parametrize(
    "flags",
    [{"store_ok": False}, {"store_ok": False, "told": ["store_unavailable"]}, {"forgotten": True}],
    ids=["store-not-ok", "store-not-ok-told", "forgotten"],
)
def test_flags_in_the_session_never_stop_a_confirmed_setting_being_stored(backend: Backend, flags: dict[str, Any]) -> None:
    """The client sends the session back: whatever it says about the store, "hold set to 30" is said only once it is stored."""
    backend.put(SEEDED)
    alexa = backend.device()
    alexa.launch()
    reply = tampered(alexa, "SetHoldTimeIntent", {"seconds": "30"}, {**alexa.attributes["user"], **flags})
    assert phrase("hold_set_up_to", seconds=30) in said(reply) and CANT_SAVE not in said(reply)
    item = backend.item()
    assert item is not None and item["hold_seconds"] == 30
    later = alexa.intent("SetRepsIntent", reps="4")
    assert phrase("reps_set_nearest", reps=4) in said(later)
    item = backend.item()
    assert item is not None and item["reps"] == 4


def test_the_session_profile_carries_only_typed_values(backend: Backend) -> None:
    """What the skill puts in the session is its own dump: level, warm-up and sore leg as their words, progress
    in the routine's own shape, nothing else about the store."""
    backend.put({**SEEDED, "level": "beginner", "warm_up": "skip", "sore_leg": "left", "progress": recent_progress()})
    alexa = backend.device()
    alexa.launch()
    user = alexa.attributes["user"]
    assert set(user) <= {"profile", "version", "told", "extra"}
    profile = user["profile"]
    assert (profile["level"], profile["warm_up"], profile["sore_leg"]) == ("beginner", "skip", "left")
    assert set(profile["progress"]) == {"routine", "items", "position", "status", "skipped", "updated_at"}



# -- what is remembered per stretch ------------------------------------------------------------------------

def test_bad_entries_per_stretch_are_dropped_said_once_and_the_good_ones_still_work(backend: Backend) -> None:
    """Each stretch's way to longer holds and its pain are checked entry by entry: a stretch the catalogue lacks, a
    126-digit hold, dates that are none and 300 KB of pain-free days are dropped (said once, written away with the
    first reply); the good entries stay, and the stretch that hurt is still asked about before it."""
    yesterday = time.strftime("%Y-%m-%d", time.gmtime(time.time() - 24 * 3600))
    backend.put({
        **ddb_rig.RETURNING,
        "growth": {
            "single_knee_to_chest": [20, 2, 0, yesterday], "no_such_stretch": [10, 1, 0, ""],
            "lying_hamstring_stretch": [Decimal("1E+125"), 1, 0, ""], "double_knee_to_chest": [15, 1, 0, "z" * 1000],
        },
        "pain": {"double_knee_to_chest": [yesterday, []], "childs_pose": ["yesterday", []], "chin_to_chest": [yesterday, ["y" * 300_000]]},
    })
    alexa = backend.device()
    welcome = alexa.launch()
    assert RESET_NOTICE in said(welcome) and size(welcome) < MAX_REPLY_CHARS
    repaired = backend.item()
    assert repaired is not None
    assert repaired["growth"] == {"single_knee_to_chest": [20, 2, 0, yesterday]}
    assert repaired["pain"] == {"double_knee_to_chest": [yesterday, []]}
    asked = alexa.intent("StartRoutineIntent", routine=ddb_rig.MORNING)
    assert "Next is double knee to chest. It hurt yesterday." in said(asked) and RESET_NOTICE not in said(asked)
    assert size(asked) < MAX_REPLY_CHARS
