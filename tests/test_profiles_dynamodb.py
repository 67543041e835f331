"""Profiles on DynamoDB Local: whole conversations through the skill, with the table read back raw.

Every test gets a fresh table on one shared DynamoDB Local (``tests.support.fixtures_dynamodb``);
fault tests that stop the server run their own. Every response is checked by
``assert_valid_response`` (the ``Alexa`` helper does it on each turn). Nothing reaches past
127.0.0.1.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import time
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest
from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.client import BaseClient
from botocore.exceptions import ClientError

from skill.app import build_skill
from skill.catalogue import load_catalogue
from skill.config import Config
from skill.engine import Settings, build_plan, plan_seconds
from skill.engine.plan import speaking_seconds
from skill.entrypoints import lambda_entry
from skill.entrypoints.invoke import invoke, read_event
from skill.persistence.dynamodb_store import DynamoDbStore
from skill.speech import Composer, phrases_for
from tests.support.checks import assert_valid_response
from tests.support.conversation import Alexa, Reply, load_event
from tests.support.dynamodb_local import DynamoDBLocal, client
from tests.support.e2e import free_loopback_port, post, serve

pytest_plugins = ["tests.support.fixtures_dynamodb"]

USER = "amzn1.ask.account.TESTUSER"
APP_ID = "amzn1.ask.skill.00000000-0000-0000-0000-00000000test"
MORNING = ("morning back stretches", "morning")
FULL_BACK = ("full back routine", "full_back")
LOWER_BACK = ("lower back", "lower_back")
CATALOGUE = load_catalogue()
PHRASES = phrases_for("en-US")
CANT_SAVE = "I can't save your progress right now"
RESET_NOTICE = "couldn't be read, so I've reset them"
NEVER_BOUNCE = "never bounce"
RANGE_HOLD = "Hold time can be from 10 to 90 seconds, so I haven't changed anything."
RANGE_REPS = "Repetitions can be from 1 to 10, so I haven't changed anything."
DAY = 24 * 3600

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]
ItemReader = Callable[[str], "dict[str, Any] | None"]
_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


# -- helpers -------------------------------------------------------------------------------------------


def said(reply: Reply) -> str:
    """The reply's speech as plain text (tags removed, entities such as &apos; decoded)."""
    return html.unescape(reply.text)


def holds(reply: Reply) -> list[int]:
    """Every "Hold for N seconds" in the reply, in order."""
    return [int(n) for n in re.findall(r"Hold for (\d+) seconds", reply.text)]


def first_hold(reply: Reply, seconds: int) -> tuple[int, float]:
    """For the first countdown of ``seconds``: total break ms, and the estimated seconds to speak its cues."""
    start = reply.ssml.index(f"Hold for {seconds} seconds.") + len(f"Hold for {seconds} seconds.")
    countdown = reply.ssml[start : reply.ssml.index("And release.", start)]
    breaks = sum(int(ms) for ms in re.findall(r'<break time="(\d+)ms"/>', countdown))
    cues = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", countdown)).strip()
    return breaks, speaking_seconds(cues)


def plain(value: Any) -> Any:
    """DynamoDB's Decimals as ints, recursively (for comparing whole items)."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, Decimal):
        return int(value) if value == int(value) else value
    return value


def count_phrase(replies: list[Reply], phrase: str) -> int:
    """How many of ``replies`` say ``phrase``."""
    return sum(phrase in said(r) for r in replies)


def progress_for(routine_id: str, position: int, updated_at: int, status: str = "active") -> dict[str, Any]:
    """A stored routine-in-progress as the skill writes it, for a catalogue routine with default settings."""
    items = build_plan(CATALOGUE.routine(routine_id).items, CATALOGUE, Settings())
    return {
        "routine": routine_id,
        "items": [[i.stretch_id, i.hold, i.reps] for i in items],
        "position": position,
        "status": status,
        "skipped": [],
        "updated_at": updated_at,
    }


def skill_disabled_event(user_id: str, status: str) -> dict[str, Any]:
    """An AlexaSkillEvent.SkillDisabled request: no session, the user in context, the status in body."""
    now = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {
        "version": "1.0",
        "context": {
            "System": {
                "application": {"applicationId": APP_ID},
                "user": {"userId": user_id},
                "apiEndpoint": "https://api.amazonalexa.com",
            }
        },
        "request": {
            "type": "AlexaSkillEvent.SkillDisabled",
            "requestId": "amzn1.echo-api.request.skill-disabled-1",
            "timestamp": now,
            "eventCreationTime": now,
            "eventPublishingTime": now,
            "body": {"userInformationPersistenceStatus": status},
        },
    }


class FailingClient:
    """A real botocore DynamoDB client whose chosen operations fail the way a throttled table does."""

    # DynamoDB Local never throttles, so the throttle is injected here: the named operations raise
    # botocore's ClientError with code ProvisionedThroughputExceededException (what botocore raises once
    # its own retries give up) without sending anything. Every other call goes to DynamoDB Local.
    # ``calls`` counts attempted API calls by operation name (GetItem, PutItem, ...), failed ones included.

    def __init__(self, real: BaseClient, failing: set[str], calls: Counter[str]) -> None:
        """Wrap ``real``; ``failing`` holds method names such as ``"put_item"``."""
        self.real = real
        self.failing = failing
        self.calls = calls

    def __getattr__(self, name: str) -> Any:
        """Delegate; API methods are counted, and fail when listed in ``failing``."""
        attribute = getattr(self.real, name)
        operation = self.real.meta.method_to_api_mapping.get(name)
        if operation is None:
            return attribute

        def call(*args: Any, **kwargs: Any) -> Any:
            """Count the call; raise the throttle, or pass it on."""
            self.calls[operation] += 1
            if name in self.failing:
                error = {"Code": "ProvisionedThroughputExceededException", "Message": "injected throttle"}
                raise ClientError({"Error": error, "ResponseMetadata": {"HTTPStatusCode": 400}}, operation)
            return attribute(*args, **kwargs)

        return call


@dataclass
class Rig:
    """A skill on one DynamoDB table, the store it uses, and counts of the store's DynamoDB requests."""

    handler: Handler
    store: DynamoDbStore
    calls: Counter[str]  # API calls by operation (GetItem, PutItem, DeleteItem)
    http: Counter[str]  # HTTP attempts by operation (retries included)

    def device(self, user_id: str = USER) -> Alexa:
        """A simulated Echo of ``user_id`` talking to this skill."""
        return Alexa(self.handler, user_id=user_id)

    @property
    def reads(self) -> int:
        """GetItem calls so far."""
        return self.calls["GetItem"]

    @property
    def writes(self) -> int:
        """PutItem calls so far."""
        return self.calls["PutItem"]

    def reset_counts(self) -> None:
        """Start counting from zero."""
        self.calls.clear()
        self.http.clear()


def make_rig(table: str, endpoint: str, failing: set[str] | None = None) -> Rig:
    """Build the skill as Lambda would (``build_skill(Config(...))``); ``failing`` injects throttled operations."""
    config = Config(table=table, dynamodb_endpoint=endpoint, region="us-east-1")
    calls: Counter[str] = Counter()
    http: Counter[str] = Counter()
    if failing is None:
        skill = build_skill(config)
        store = skill.persistence_adapter
        assert isinstance(store, DynamoDbStore) and store.table == table and store.endpoint_url == endpoint
        store.client.meta.events.register("before-call.dynamodb.*", lambda model, **_: calls.update([model.name]))
    else:
        real = DynamoDbStore(table, region="us-east-1", endpoint_url=endpoint).client
        store = DynamoDbStore(table, region="us-east-1", endpoint_url=endpoint, client=FailingClient(real, failing, calls))
        skill = build_skill(config, store=store)
    store.client.meta.events.register("before-send.dynamodb.*", lambda event_name, **_: http.update([event_name.rsplit(".", 1)[-1]]))

    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        """What lambda_handler does: JSON in, the skill, JSON out."""
        return invoke(skill, read_event(event), context)

    return Rig(handler, store, calls, http)


@pytest.fixture
def rig(table: str, dynamodb_local: DynamoDBLocal) -> Rig:
    """The skill on this test's fresh table."""
    return make_rig(table, dynamodb_local.endpoint)


@pytest.fixture
def seed(ddb: BaseClient, table: str) -> Callable[..., None]:
    """Write a user's item directly: ``seed(attributes, user_id=USER, version=1)`` (version None: no version attribute)."""

    def put(attributes: dict[str, Any], user_id: str = USER, version: int | None = 1) -> None:
        """Put the item as the store would (or, with version None, as ask-sdk's plain adapter would)."""
        item = {"id": {"S": user_id}, "attributes": _serializer.serialize(attributes)}
        if version is not None:
            item["version"] = {"N": str(version)}
        ddb.put_item(TableName=table, Item=item)

    return put


@pytest.fixture
def stored(raw_item: ItemReader) -> Callable[..., "tuple[dict[str, Any], int] | None"]:
    """The user's stored attributes (Decimals as ints) and version, read raw; None when there is no item."""

    def read(user_id: str = USER) -> tuple[dict[str, Any], int] | None:
        """Raw GetItem, decoded."""
        item = raw_item(user_id)
        if item is None:
            return None
        return plain(_deserializer.deserialize(item["attributes"])), int(item["version"]["N"])

    return read


@pytest.fixture
def lambda_alexa(table: str, dynamodb_local: DynamoDBLocal, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Alexa]:
    """A device talking to ``lambda_handler``, with the table and endpoint given the Lambda way: environment variables."""
    monkeypatch.setenv("BACKSTRETCH_TABLE", table)
    monkeypatch.setenv("BACKSTRETCH_DYNAMODB_ENDPOINT", dynamodb_local.endpoint)
    alexa = Alexa.for_lambda(tmp_path / "data")
    yield alexa
    lambda_entry.reset()


SEEDED = {"schema": 1, "hold_seconds": 45, "level": "standard", "disclaimer_given": 1}


# -- the done-when flow, through lambda_handler ------------------------------------------------------


def test_preferred_routine_set_by_voice_is_played_in_a_later_session(
    lambda_alexa: Alexa, table: str, dynamodb_local: DynamoDBLocal, raw_item: ItemReader, tmp_path: Path
) -> None:
    """"set my preferred routine to lower back", session ends, new session, "start my back stretches" -> lower back."""
    done = lambda_alexa.intent("SetPreferredRoutineIntent", routine=LOWER_BACK)
    assert "lower back routine is now your routine" in said(done) and not done.ended
    store = lambda_entry.skill().persistence_adapter
    assert isinstance(store, DynamoDbStore), "BACKSTRETCH_TABLE is read when the skill is built"
    assert (store.table, store.endpoint_url) == (table, dynamodb_local.endpoint)
    assert not (tmp_path / "data" / "users.sqlite3").exists(), "nothing went to the embedded store"
    lambda_alexa.end("USER_INITIATED")
    started = lambda_alexa.intent("StartRoutineIntent")
    assert "Let's do lower back routine" in said(started)
    assert "Stretch 1 of 4: pelvic tilt." in said(started)
    item = raw_item(USER)
    assert item is not None and item["attributes"]["M"]["preferred_routine"] == {"S": "lower_back"}


def test_hold_time_30_sets_the_countdown_of_the_next_routine(lambda_alexa: Alexa, stored: Callable[..., Any]) -> None:
    """"set my hold time to 30 seconds": the next routine counts 30 s (breaks plus spoken cues), also next session."""
    lambda_alexa.launch()
    assert "I'll count 30 seconds for each hold" in said(lambda_alexa.intent("SetHoldTimeIntent", seconds="30"))
    for session in range(2):
        started = lambda_alexa.intent("StartRoutineIntent", routine=MORNING)
        assert "Hold for 30 seconds." in said(started)
        assert set(holds(started)) == {30}
        breaks, cues = first_hold(started, 30)
        # Measured: 25 875 ms of breaks plus "20 seconds left ... 1." spoken at 160 wpm (4.1 s) = 30.0 s.
        assert 25_000 <= breaks < 30_000, breaks
        assert abs(breaks / 1000 + cues - 30) <= 1.0, (breaks, cues)
        lambda_alexa.intent("AMAZON.StopIntent")
    assert stored()[0]["hold_seconds"] == 30


def test_routine_outside_the_model_lists_routines_and_leaves_the_item_alone(lambda_alexa: Alexa, raw_item: ItemReader) -> None:
    """"set my preferred routine to pizza": the routines are listed, the stored item is untouched."""
    lambda_alexa.intent("SetPreferredRoutineIntent", routine=LOWER_BACK)
    lambda_alexa.intent("AMAZON.StopIntent")
    before = raw_item(USER)
    assert before is not None
    for intent in ("SetPreferredRoutineIntent", "StartRoutineIntent"):
        reply = lambda_alexa.intent(intent, routine=("pizza", None))
        assert "don't have a routine called pizza" in said(reply)
        assert "I have 8 routines: morning back stretches, lower back routine" in said(reply)
        assert "Which one would you like?" in said(reply) and not reply.ended
    lambda_alexa.intent("AMAZON.StopIntent")
    assert raw_item(USER) == before


# -- every voice setting ---------------------------------------------------------------------------------


def test_hold_as_a_duration_pt1m_is_60_seconds(rig: Rig, stored: Callable[..., Any]) -> None:
    """AMAZON.DURATION "PT1M" sets 60 s holds."""
    alexa = rig.device()
    assert "I'll count 60 seconds for each hold" in said(alexa.intent("SetHoldTimeIntent", duration="PT1M"))
    assert set(holds(alexa.intent("StartRoutineIntent", routine=MORNING))) == {60}
    alexa.intent("AMAZON.StopIntent")
    assert stored()[0]["hold_seconds"] == 60


@pytest.mark.parametrize("slots", [{"seconds": "95"}, {"seconds": "5"}, {"seconds": "9"}, {"seconds": "91"}, {"duration": "PT2M"}])
def test_hold_out_of_range_says_the_range_and_stores_nothing(rig: Rig, seed: Callable[..., None], stored: Callable[..., Any], slots: dict[str, str]) -> None:
    """Holds outside 10-90 s are refused in one sentence; the stored item keeps its 45 s and its version."""
    seed(SEEDED)
    alexa = rig.device()
    reply = alexa.intent("SetHoldTimeIntent", **slots)
    assert RANGE_HOLD in said(reply) and not reply.ended
    assert set(holds(alexa.intent("StartRoutineIntent", routine=MORNING))) == {45}
    alexa.intent("AMAZON.StopIntent")
    attributes, _ = stored()
    assert attributes["hold_seconds"] == 45


def test_hold_out_of_range_for_a_new_user_creates_no_item(rig: Rig, stored: Callable[..., Any]) -> None:
    """A new user who only asks for 95 s holds leaves nothing behind."""
    alexa = rig.device()
    assert RANGE_HOLD in said(alexa.intent("SetHoldTimeIntent", seconds="95"))
    alexa.intent("AMAZON.StopIntent")
    assert stored() is None


def test_reps_5_are_stored_and_played(rig: Rig, stored: Callable[..., Any]) -> None:
    """"do five reps": five repetitions of each held stretch, kept for later sessions."""
    alexa = rig.device()
    assert "5 repetitions of each stretch from now on" in said(alexa.intent("SetRepsIntent", reps="5"))
    alexa.intent("AMAZON.StopIntent")
    assert stored()[0]["reps"] == 5
    started = alexa.intent("StartRoutineIntent", routine=MORNING)
    assert "Repetition 1 of 5." in said(started)


@pytest.mark.parametrize("reps", ["0", "11", "25"])
def test_reps_out_of_range_are_refused(rig: Rig, seed: Callable[..., None], stored: Callable[..., Any], reps: str) -> None:
    """Reps outside 1-10 are refused and nothing is stored."""
    seed({**SEEDED, "reps": 3})
    alexa = rig.device()
    assert RANGE_REPS in said(alexa.intent("SetRepsIntent", reps=reps))
    alexa.intent("AMAZON.StopIntent")
    assert stored()[0]["reps"] == 3


def test_beginner_level_means_10_second_holds_and_standard_restores_the_defaults(rig: Rig, stored: Callable[..., Any]) -> None:
    """"I'm a beginner": every adjustable hold is 10 s; "standard": the stretches' own holds again."""
    alexa = rig.device()
    alexa.intent("SetHoldTimeIntent", seconds="30")
    beginner = alexa.intent("SetLevelIntent", level=("beginner", "beginner"))
    assert "beginner level, so each hold lasts 10 seconds" in said(beginner)
    assert set(holds(alexa.intent("StartRoutineIntent", routine=MORNING))) == {10}, "the level replaces an explicit hold"
    alexa.intent("AMAZON.StopIntent")
    attributes, _ = stored()
    assert attributes["level"] == "beginner" and "hold_seconds" not in attributes
    assert set(holds(alexa.intent("StartRoutineIntent", routine=FULL_BACK))) == {10}, "also in a new session"
    alexa.intent("AMAZON.StopIntent")
    standard = alexa.intent("SetLevelIntent", level=("standard", "standard"))
    assert "standard level, so each stretch uses its usual hold time" in said(standard)
    assert holds(alexa.intent("StartRoutineIntent", routine=MORNING))[0] == 20
    alexa.intent("AMAZON.StopIntent")
    assert stored()[0]["level"] == "standard"


def test_unknown_level_is_refused(rig: Rig, stored: Callable[..., Any]) -> None:
    """A level outside the model: the two levels are named, nothing stored."""
    alexa = rig.device()
    assert "I know two levels: beginner and standard" in said(alexa.intent("SetLevelIntent", level=("expert", None)))
    alexa.intent("AMAZON.StopIntent")
    assert stored() is None


def test_my_routine_says_name_stretches_hold_reps_and_length(rig: Rig) -> None:
    """"what is my routine": everything about the routine the user would get, from the stored profile."""
    alexa = rig.device()
    alexa.intent("SetPreferredRoutineIntent", routine=LOWER_BACK)
    alexa.intent("SetHoldTimeIntent", seconds="30")
    alexa.intent("SetRepsIntent", reps="3")
    alexa.intent("AMAZON.StopIntent")
    reply = said(alexa.intent("MyRoutineIntent"))
    assert "Your routine is lower back routine: pelvic tilt, single knee to chest, lying hamstring stretch and knee twist." in reply
    assert "Holds of 30 seconds." in reply and "3 repetitions each." in reply
    seconds = plan_seconds(build_plan(CATALOGUE.routine("lower_back").items, CATALOGUE, Settings(30, 3)), CATALOGUE)
    assert f"It takes {Composer(PHRASES).length(seconds)}." in reply


def test_my_routine_with_defaults_says_usual_hold_and_reps(rig: Rig) -> None:
    """A new user's routine is the default one with the stretches' own numbers."""
    reply = said(rig.device().intent("MyRoutineIntent"))
    assert "Your routine is lower back routine" in reply
    assert "Each stretch uses its usual hold time." in reply and "Each stretch uses its usual number of repetitions." in reply


def test_own_routine_add_remove_play_and_clear(rig: Rig, stored: Callable[..., Any]) -> None:
    """Add and remove edit a copy of the user's routine; "start my back stretches" then plays it; clear drops it."""
    alexa = rig.device()
    added = alexa.intent("AddStretchIntent", stretch=("child's pose", "childs_pose"))
    assert "Added child's pose to your routine. It now has 5 stretches." in said(added)
    assert "is already in your routine" in said(alexa.intent("AddStretchIntent", stretch=("child's pose", "childs_pose")))
    removed = alexa.intent("RemoveStretchIntent", stretch=("pelvic tilt", "pelvic_tilt"))
    assert "Removed pelvic tilt. Your routine now has 4 stretches." in said(removed)
    assert "isn't in your routine" in said(alexa.intent("RemoveStretchIntent", stretch=("ear to shoulder", "ear_to_shoulder")))
    assert "don't know a stretch called pizza" in said(alexa.intent("AddStretchIntent", stretch=("pizza", None)))
    alexa.intent("AMAZON.StopIntent")
    own = ["single_knee_to_chest", "lying_hamstring_stretch", "knee_twist", "childs_pose"]
    assert stored()[0]["own_routine"] == own

    started = alexa.intent("StartRoutineIntent")
    assert "Let's do your own routine. That's 4 stretches" in said(started)
    assert "Stretch 1 of 4: single knee to chest." in said(started)
    cleared = alexa.intent("ClearRoutineIntent")
    assert "Your own routine is cleared, so I'll use lower back routine." in said(cleared)
    assert "Say next" in said(cleared) and not cleared.ended, "mid-routine the routine carries on"
    alexa.intent("AMAZON.StopIntent")
    assert "own_routine" not in stored()[0]
    assert "Let's do lower back routine" in said(alexa.intent("StartRoutineIntent"))


def test_removing_the_last_own_stretch_falls_back_to_the_preferred_routine(rig: Rig, seed: Callable[..., None], stored: Callable[..., Any]) -> None:
    """An own routine emptied one stretch at a time gives way to the preferred routine."""
    seed({**SEEDED, "preferred_routine": "morning", "own_routine": ["childs_pose"]})
    alexa = rig.device()
    reply = alexa.intent("RemoveStretchIntent", stretch=("child's pose", "childs_pose"))
    assert "Your own routine is empty now, so I'll use morning back stretches." in said(reply)
    alexa.intent("AMAZON.StopIntent")
    assert "own_routine" not in stored()[0]


def test_progress_stats_after_a_routine_today_say_one_day(rig: Rig) -> None:
    """"how am I doing" in a later session, after starting a routine today: one day, this week."""
    alexa = rig.device()
    assert "haven't stretched with me in the last week" in said(alexa.intent("ProgressStatsIntent"))
    alexa.intent("StartRoutineIntent", routine=MORNING)
    alexa.intent("AMAZON.StopIntent")
    reply = said(alexa.intent("ProgressStatsIntent"))
    assert "You've stretched today or yesterday" in reply
    assert "That's one day with a session this week." in reply


def test_progress_stats_count_stored_days(rig: Rig, seed: Callable[..., None]) -> None:
    """Three days in a row up to yesterday, plus one earlier this week: streak 3, four days this week."""
    today = dt.datetime.now(dt.timezone.utc).date()
    dates = sorted((today - dt.timedelta(days=n)).isoformat() for n in (1, 2, 3, 5, 12))
    seed({**SEEDED, "session_dates": dates})
    reply = said(rig.device().intent("ProgressStatsIntent"))
    assert "You've stretched 3 days in a row." in reply
    assert "That's 4 days with a session this week." in reply


def test_delete_my_data_yes_deletes_the_item(rig: Rig, stored: Callable[..., Any]) -> None:
    """"delete my data" asks first; yes removes the item, and ending the session does not bring it back."""
    alexa = rig.device()
    alexa.intent("SetHoldTimeIntent", seconds="30")
    alexa.intent("AMAZON.StopIntent")
    assert stored() is not None
    asked = alexa.intent("DeleteDataIntent")
    assert "Are you sure?" in said(asked) and not asked.ended
    assert stored() is not None, "nothing is deleted before the yes"
    assert "I've deleted everything I kept about you" in said(alexa.intent("AMAZON.YesIntent"))
    assert stored() is None
    alexa.intent("AMAZON.StopIntent")
    assert stored() is None
    welcome = said(alexa.launch())
    assert "Welcome to Back Stretch Coach" in welcome and NEVER_BOUNCE in welcome, "a new user again"


def test_delete_my_data_no_keeps_the_item(rig: Rig, raw_item: ItemReader) -> None:
    """No keeps everything, byte for byte."""
    alexa = rig.device()
    alexa.intent("SetHoldTimeIntent", seconds="30")
    alexa.intent("AMAZON.StopIntent")
    before = raw_item(USER)
    alexa.intent("DeleteDataIntent")
    assert "I've kept everything" in said(alexa.intent("AMAZON.NoIntent"))
    alexa.intent("AMAZON.StopIntent")
    assert raw_item(USER) == before


def test_disclaimer_is_said_once_to_a_new_user(rig: Rig, stored: Callable[..., Any]) -> None:
    """First launch says "never bounce"; the next session's launch and routine do not."""
    alexa = rig.device()
    assert NEVER_BOUNCE in said(alexa.launch())
    alexa.end()
    assert stored()[0]["disclaimer_given"] == 1
    assert NEVER_BOUNCE not in said(alexa.launch())
    assert NEVER_BOUNCE not in said(alexa.intent("StartRoutineIntent", routine=MORNING))


def test_disclaimer_comes_with_a_one_shot_first_routine(rig: Rig) -> None:
    """A new user's first words "start my morning back stretches": the disclaimer leads, once."""
    alexa = rig.device()
    started = said(alexa.intent("StartRoutineIntent", routine=MORNING))
    assert started.index(NEVER_BOUNCE) < started.index("Let's do morning back stretches")
    alexa.intent("AMAZON.StopIntent")
    assert NEVER_BOUNCE not in said(alexa.intent("StartRoutineIntent", routine=MORNING))


def test_interrupted_routine_is_offered_and_continued_at_the_same_block(rig: Rig, stored: Callable[..., Any]) -> None:
    """Walk away mid-routine; next launch offers to carry on; yes plays the block where it stopped."""
    alexa = rig.device()
    alexa.intent("StartRoutineIntent", routine=MORNING)
    other_side = said(alexa.intent("AMAZON.NextIntent"))
    alexa.end("EXCEEDED_MAX_REPROMPTS")
    attributes, _ = stored()
    assert attributes["progress"]["routine"] == "morning" and attributes["progress"]["position"] == 1
    welcome = said(alexa.launch())
    assert "Last time you stopped during morning back stretches, at single knee to chest." in welcome
    carried_on = said(alexa.intent("AMAZON.YesIntent"))
    assert "Now the other side, your right side." in carried_on
    assert carried_on.split("Now the other side")[1] == other_side.split("Now the other side")[1]


@pytest.mark.parametrize(("age_days", "offered"), [(1, True), (6, True), (8, False), (30, False)])
def test_only_a_recent_interrupted_routine_is_offered(rig: Rig, seed: Callable[..., None], age_days: int, offered: bool) -> None:
    """A stored routine interrupted more than 7 days ago is not offered, at launch or on "next"."""
    seed({**SEEDED, "progress": progress_for("morning", 1, int(time.time()) - age_days * DAY)})
    alexa = rig.device()
    welcome = said(alexa.launch())
    assert ("carry on" in welcome) is offered
    alexa.intent("AMAZON.StopIntent")
    onward = said(alexa.intent("AMAZON.NextIntent"))
    assert ("Let's carry on with morning back stretches" in onward) is offered
    assert ("haven't started a routine" in onward) is not offered


# -- stored data from elsewhere: migrated, or reset and said once ------------------------------------------------


def test_legacy_item_without_version_or_schema_is_migrated_keeping_progress(rig: Rig, seed: Callable[..., None], stored: Callable[..., Any]) -> None:
    """An item the plain ask-sdk adapter wrote ({"progress": ...}, no version): no reset notice, routine offered, item upgraded."""
    seed({"progress": progress_for("morning", 1, int(time.time()) - 3600)}, version=None)
    alexa = rig.device()
    welcome = said(alexa.launch())
    assert RESET_NOTICE not in welcome and "Last time you stopped during morning back stretches" in welcome
    alexa.intent("AMAZON.YesIntent")
    alexa.intent("AMAZON.StopIntent")
    attributes, version = stored()
    assert attributes["schema"] == 1 and attributes["progress"]["routine"] == "morning" and version == 1


@pytest.mark.parametrize(
    "attributes",
    [
        {"schema": 1, "hold_seconds": 500, "reps": 3},
        {"schema": 1, "hold_seconds": 45, "level": "expert", "reps": 3},
        {"schema": 1, "own_routine": ["no_such_stretch"], "reps": 3},
        {"schema": 99, "reps": 3, "future_field": "x"},
    ],
    ids=["hold-500", "unknown-level", "unknown-stretch", "schema-99"],
)
def test_bad_stored_settings_are_reset_and_said_once(rig: Rig, seed: Callable[..., None], stored: Callable[..., Any], attributes: dict[str, Any]) -> None:
    """Invalid stored values: one sentence, once per session; the cleaned profile is written back at the end."""
    seed(attributes)
    alexa = rig.device()
    replies = [alexa.launch(), alexa.intent("StartRoutineIntent", routine=MORNING), alexa.intent("AMAZON.NextIntent"), alexa.intent("AMAZON.StopIntent")]
    assert count_phrase(replies, RESET_NOTICE) == 1 and RESET_NOTICE in said(replies[0])
    cleaned, version = stored()
    assert version == 2 and cleaned["schema"] == 1
    assert cleaned.get("hold_seconds") in (None, 45) and cleaned.get("level", "standard") in ("standard", "beginner")
    assert "future_field" not in cleaned and cleaned.get("own_routine") is None
    assert RESET_NOTICE not in said(alexa.launch()), "not again next session"


def test_stored_progress_with_a_fraction_does_not_break_later_saves(rig: Rig, seed: Callable[..., None], stored: Callable[..., Any]) -> None:
    """Corrupt progress in the item must not make every later save of the session fail."""
    seed({**SEEDED, "progress": {**progress_for("morning", 1, int(time.time())), "updated_at": Decimal("1.5")}})
    alexa = rig.device()
    alexa.launch()
    reply = said(alexa.intent("SetHoldTimeIntent", seconds="30"))
    assert "went wrong" not in reply and "I'll count 30 seconds" in reply
    alexa.intent("AMAZON.StopIntent")
    assert stored()[0]["hold_seconds"] == 30


def test_item_whose_attributes_are_not_a_map_is_reset_and_said(rig: Rig, ddb: BaseClient, table: str) -> None:
    """A hand-edited item (attributes a string): defaults, and the user hears the reset sentence."""
    ddb.put_item(TableName=table, Item={"id": {"S": USER}, "attributes": {"S": "garbage"}, "version": {"N": "3"}})
    assert RESET_NOTICE in said(rig.device().launch())


@pytest.mark.parametrize(
    "item",
    [
        {"attributes": {"M": {"schema": {"N": "1"}, "hold_seconds": {"N": "45"}}}, "version": {"S": "x"}},
        {"attributes": {"M": {"schema": {"N": "1"}, "own_routine": {"SS": ["childs_pose"]}}}, "version": {"N": "1"}},
    ],
    ids=["version-string", "string-set"],
)
def test_corrupt_item_does_not_break_the_skill(rig: Rig, ddb: BaseClient, table: str, item: dict[str, Any]) -> None:
    """A hand-edited item (version a string, a string set where a list belongs) must not make the skill unusable."""
    ddb.put_item(TableName=table, Item={"id": {"S": USER}, **item})
    alexa = rig.device()
    assert "went wrong" not in said(alexa.launch())
    assert "went wrong" not in said(alexa.intent("StartRoutineIntent", routine=MORNING))


# -- request budget: 1 GetItem and 2 PutItem per session ----------------------------------------------------------

TEN_TURNS: list[tuple[str, dict[str, Any]]] = [
    ("LaunchRequest", {}),
    ("StartRoutineIntent", {"routine": FULL_BACK}),
    *[("AMAZON.NextIntent", {})] * 5,
    ("SetHoldTimeIntent", {"seconds": "30"}),
    ("AMAZON.PauseIntent", {}),
    ("AMAZON.StopIntent", {}),
]

TWENTY_FIVE_TURNS: list[tuple[str, dict[str, Any]]] = [
    ("LaunchRequest", {}),
    ("StartRoutineIntent", {"routine": FULL_BACK}),
    ("AMAZON.NextIntent", {}),
    ("SetHoldTimeIntent", {"seconds": "30"}),
    ("AMAZON.NextIntent", {}),
    ("AMAZON.PauseIntent", {}),
    ("AMAZON.ResumeIntent", {}),
    ("SetRepsIntent", {"reps": "3"}),
    ("AMAZON.NextIntent", {}),
    ("ProgressIntent", {}),
    ("SetLevelIntent", {"level": ("beginner", "beginner")}),
    ("AMAZON.NextIntent", {}),
    ("AMAZON.PauseIntent", {}),
    ("AMAZON.ResumeIntent", {}),
    ("AddStretchIntent", {"stretch": ("child's pose", "childs_pose")}),
    ("MyRoutineIntent", {}),
    ("AMAZON.PreviousIntent", {}),
    ("AMAZON.RepeatIntent", {}),
    ("SkipIntent", {}),
    ("AMAZON.HelpIntent", {}),
    ("SetPreferredRoutineIntent", {"routine": LOWER_BACK}),
    ("ProgressStatsIntent", {}),
    ("AMAZON.PauseIntent", {}),
    ("AMAZON.ResumeIntent", {}),
    ("AMAZON.StopIntent", {}),
]


def play(alexa: Alexa, turns: list[tuple[str, dict[str, Any]]]) -> list[Reply]:
    """Say ``turns`` in one session; every reply but the last keeps the session open."""
    replies = []
    for index, (name, slots) in enumerate(turns):
        reply = alexa.launch() if name == "LaunchRequest" else alexa.intent(name, **slots)
        replies.append(reply)
        assert reply.ended is (index == len(turns) - 1), f"turn {index} ({name}) ended={reply.ended}: {said(reply)[:120]}"
    return replies


@pytest.mark.parametrize("turns", [TEN_TURNS, TWENTY_FIVE_TURNS], ids=["10-turns", "25-turns"])
@pytest.mark.parametrize("returning", [False, True], ids=["new-user", "returning-user"])
def test_a_session_makes_at_most_one_read_and_two_writes(
    rig: Rig, seed: Callable[..., None], stored: Callable[..., Any], turns: list[tuple[str, dict[str, Any]]], returning: bool, record_property: Callable[[str, object], None]
) -> None:
    """However long the session and however many settings change: GetItem <= 1 and PutItem <= 2, and every change lands."""
    # The 10-turn script uses the full back routine: the 3-stretch morning routine finishes (and ends the
    # session) on the fourth "next", so "morning, next x5" cannot be one session.
    if returning:
        seed({**SEEDED, "reps": 2})
    play(rig.device(), turns)
    counts = {op: rig.calls[op] for op in ("GetItem", "PutItem", "DeleteItem")}
    record_property("dynamodb_calls", counts)
    record_property("dynamodb_http", dict(rig.http))
    print(f"\n{len(turns)} turns, {'returning' if returning else 'new'} user: API calls {counts}, HTTP {dict(rig.http)}")
    assert rig.reads <= 1 and rig.writes <= 2, counts
    assert rig.http["GetItem"] <= 1 and rig.http["PutItem"] <= 2, dict(rig.http)
    assert rig.calls["DeleteItem"] == 0
    attributes, _ = stored()
    if turns is TEN_TURNS:
        assert attributes["hold_seconds"] == 30
    else:
        assert attributes["reps"] == 3 and attributes["level"] == "beginner" and attributes["preferred_routine"] == "lower_back"
        assert "childs_pose" in attributes["own_routine"]
    assert attributes["progress"]["routine"] == "full_back", "the place in the routine is kept"


def test_only_the_first_turn_that_needs_the_profile_reads_it(rig: Rig) -> None:
    """Turn by turn: one GetItem on the first turn, none after (the profile rides in session attributes)."""
    alexa = rig.device()
    per_turn = []
    for name, slots in TWENTY_FIVE_TURNS:
        before = rig.reads
        alexa.launch() if name == "LaunchRequest" else alexa.intent(name, **slots)
        per_turn.append(rig.reads - before)
    assert per_turn[0] == 1 and sum(per_turn[1:]) == 0, per_turn


def test_two_sessions_get_a_budget_each(rig: Rig) -> None:
    """The budget is per session: a second session reads the profile again (once)."""
    alexa = rig.device()
    play(alexa, TEN_TURNS)
    rig.reset_counts()
    play(alexa, TEN_TURNS)
    assert rig.reads == 1 and rig.writes <= 2


# -- two devices of one user at once ------------------------------------------------------------------------


@pytest.mark.parametrize("existing", [True, False], ids=["existing-item", "new-user"])
def test_two_devices_changing_different_settings_both_land(rig: Rig, seed: Callable[..., None], stored: Callable[..., Any], existing: bool) -> None:
    """A and B load the same version; A sets the hold, B the reps (B's write conflicts, re-reads, re-applies); both land."""
    if existing:
        seed({**SEEDED, "hold_seconds": 20, "reps": 2})
    device_a, device_b = rig.device(), rig.device()
    device_a.launch()
    device_b.launch()
    assert rig.reads == 2
    assert "30 seconds" in said(device_a.intent("SetHoldTimeIntent", seconds="30"))
    reply_b = device_b.intent("SetRepsIntent", reps="5")
    assert "5 repetitions" in said(reply_b) and CANT_SAVE not in said(reply_b)
    assert rig.reads == 3, "B's conflict costs one re-read"
    device_a.intent("AMAZON.StopIntent")
    device_b.intent("AMAZON.StopIntent")
    attributes, _ = stored()
    assert attributes["hold_seconds"] == 30 and attributes["reps"] == 5


def test_two_devices_with_deferred_changes_flushed_at_the_end_both_land(rig: Rig, seed: Callable[..., None], stored: Callable[..., Any]) -> None:
    """Each device writes its first change at once and the rest at session end; the later flushes conflict and merge."""
    seed({**SEEDED, "hold_seconds": 20, "reps": 2})
    device_a, device_b = rig.device(), rig.device()
    device_a.launch()
    device_b.launch()
    device_a.intent("SetHoldTimeIntent", seconds="30")
    device_b.intent("SetRepsIntent", reps="5")
    device_a.intent("SetPreferredRoutineIntent", routine=LOWER_BACK)
    device_b.intent("AddStretchIntent", stretch=("child's pose", "childs_pose"))
    device_b.intent("AMAZON.StopIntent")
    device_a.intent("AMAZON.StopIntent")
    attributes, _ = stored()
    assert attributes["hold_seconds"] == 30 and attributes["reps"] == 5
    assert attributes["preferred_routine"] == "lower_back"
    assert "childs_pose" in attributes["own_routine"]


# -- faults: the store is down, slow, throttled, or the session is tampered with -----------------------------------


def test_store_lost_mid_session_the_routine_goes_on_and_the_user_is_told_once(create_dynamodb_table: Callable[[BaseClient, str], str]) -> None:
    """DynamoDB Local stops after the profile is loaded: next, pause, resume, a setting and stop all answer; one notice."""
    with DynamoDBLocal() as own:
        create_dynamodb_table(client(own.endpoint), "fault-mid-session")
        rig = make_rig("fault-mid-session", own.endpoint)
        alexa = rig.device()
        started = alexa.intent("StartRoutineIntent", routine=FULL_BACK)
        assert "Stretch 1 of 5" in said(started) and rig.reads == 1
        own.stop()
        replies = [
            alexa.intent("AMAZON.NextIntent"),
            alexa.intent("AMAZON.PauseIntent"),
            alexa.intent("AMAZON.ResumeIntent"),
            alexa.intent("AMAZON.NextIntent"),
            alexa.intent("SetHoldTimeIntent", seconds="30"),
            alexa.intent("AMAZON.NextIntent"),
            alexa.intent("AMAZON.PauseIntent"),
            alexa.intent("AMAZON.StopIntent"),
        ]
    assert "Stretch 2 of 5" in said(replies[0])
    assert "Paused at single knee to chest" in said(replies[1])
    assert "single knee to chest" in said(replies[2]) and "Now the other side" in said(replies[3])
    assert "Stretch 3 of 5: child's pose." in said(replies[5])
    assert count_phrase([started, *replies], CANT_SAVE) == 1, [said(r)[:80] for r in replies]
    assert replies[-1].ended and "kept your place" not in said(replies[-1]), "no claim to have saved"
    assert all("went wrong" not in said(r) for r in replies)


def test_store_down_from_the_start_runs_on_defaults_and_says_so_once() -> None:
    """Nothing listening at the endpoint: launch and a routine work with defaults; one notice in the whole session."""
    rig = make_rig("users", f"http://127.0.0.1:{free_loopback_port()}")
    alexa = rig.device()
    began = time.monotonic()
    welcome = alexa.launch()
    assert time.monotonic() - began < 8.0
    assert CANT_SAVE in said(welcome) and "Welcome to Back Stretch Coach" in said(welcome)
    replies = [
        welcome,
        alexa.intent("StartRoutineIntent", routine=MORNING),
        alexa.intent("AMAZON.NextIntent"),
        alexa.intent("SetHoldTimeIntent", seconds="30"),
        alexa.intent("AMAZON.PauseIntent"),
        alexa.intent("AMAZON.ResumeIntent"),
        alexa.intent("AMAZON.StopIntent"),
    ]
    assert holds(replies[1])[0] == 20, "the stretch's own default hold"
    assert "Now the other side" in said(replies[2])
    assert count_phrase(replies, CANT_SAVE) == 1
    assert rig.reads == 1 and rig.writes == 0, "after a failed read nothing is written (nor read again)"
    assert all("went wrong" not in said(r) for r in replies)


def test_store_down_for_a_one_shot_routine_still_plays_it() -> None:
    """"start my morning back stretches" as the first words, store down: the notice, then the routine."""
    rig = make_rig("users", f"http://127.0.0.1:{free_loopback_port()}")
    reply = said(rig.device().intent("StartRoutineIntent", routine=MORNING))
    assert reply.index(CANT_SAVE) < reply.index("Let's do morning back stretches")
    assert "Stretch 1 of 3: single knee to chest." in reply


def test_throttled_writes_keep_the_stored_data_and_say_so_once(table: str, dynamodb_local: DynamoDBLocal, seed: Callable[..., None], stored: Callable[..., Any]) -> None:
    """PutItem throttled (injected): the stored 45 s hold is used, every reply plays, one notice, the item is untouched."""
    seed(SEEDED)
    rig = make_rig(table, dynamodb_local.endpoint, failing={"put_item"})
    alexa = rig.device()
    replies = [
        alexa.launch(),
        alexa.intent("StartRoutineIntent", routine=MORNING),
        alexa.intent("SetRepsIntent", reps="5"),
        alexa.intent("AMAZON.NextIntent"),
        alexa.intent("AMAZON.PauseIntent"),
        alexa.intent("AMAZON.StopIntent"),
    ]
    assert holds(replies[1])[0] == 45, "the stored hold was read and used"
    assert CANT_SAVE in said(replies[2]) and "5 repetitions" in said(replies[2])
    assert "Now the other side" in said(replies[3])
    assert count_phrase(replies, CANT_SAVE) == 1
    assert stored() == (SEEDED, 1), "the item is exactly as it was"


def test_throttled_read_never_overwrites_stored_data_with_defaults(table: str, dynamodb_local: DynamoDBLocal, seed: Callable[..., None], stored: Callable[..., Any]) -> None:
    """GetItem throttled (injected), PutItem would work: the session runs on defaults and writes nothing at all."""
    seed(SEEDED)
    rig = make_rig(table, dynamodb_local.endpoint, failing={"get_item"})
    alexa = rig.device()
    replies = [
        alexa.launch(),
        alexa.intent("SetRepsIntent", reps="5"),
        alexa.intent("StartRoutineIntent", routine=MORNING),
        alexa.intent("AMAZON.PauseIntent"),
        alexa.intent("AMAZON.StopIntent"),
    ]
    assert CANT_SAVE in said(replies[0]) and count_phrase(replies, CANT_SAVE) == 1
    assert holds(replies[2])[0] == 20, "defaults, since the stored 45 s could not be read"
    assert rig.calls["GetItem"] == 1 and rig.calls["PutItem"] == 0
    assert stored() == (SEEDED, 1)


def test_throttled_writes_are_not_retried_on_every_turn(table: str, dynamodb_local: DynamoDBLocal, seed: Callable[..., None]) -> None:
    """Once a write has failed, the session sends no more than the budget's 2 PutItem requests in all."""
    seed(SEEDED)
    rig = make_rig(table, dynamodb_local.endpoint, failing={"put_item"})
    alexa = rig.device()
    alexa.launch()
    alexa.intent("SetRepsIntent", reps="5")
    alexa.intent("SetHoldTimeIntent", seconds="30")
    alexa.intent("SetPreferredRoutineIntent", routine=LOWER_BACK)
    alexa.intent("StartRoutineIntent", routine=MORNING)
    alexa.intent("AMAZON.PauseIntent")
    alexa.intent("AMAZON.ResumeIntent")
    alexa.intent("AMAZON.PauseIntent")
    alexa.intent("AMAZON.StopIntent")
    assert rig.calls["PutItem"] <= 2, dict(rig.calls)


@pytest.mark.parametrize(
    "user_attributes",
    [
        "garbage",
        ["profile"],
        {"profile": "garbage", "version": 1, "writes": 0},
        {"profile": {"schema": 1, "hold_seconds": 500}, "version": 1, "writes": 0},
        {"profile": {"schema": 1, "hold_seconds": 20.5}, "version": 1, "writes": 0},
        {"profile": {"schema": 99}, "version": 1, "writes": 0},
        {"profile": {"schema": 1, "own_routine": ["drop table"]}, "version": 1, "writes": 0},
        {"profile": {"schema": 1, "hold_seconds": 10}, "version": -1, "writes": 0},
        {"profile": {"schema": 1, "hold_seconds": 10}, "version": True, "writes": 0},
        {"profile": {"schema": 1, "hold_seconds": 10}, "version": 1, "writes": "0"},
        {"profile": {"schema": 1, "hold_seconds": 10}, "version": 1},
    ],
    ids=["string", "list", "profile-string", "hold-500", "hold-float", "schema-99", "bad-stretch", "negative-version", "bool-version", "string-writes", "no-writes"],
)
def test_tampered_session_profile_is_read_again_from_the_store(rig: Rig, seed: Callable[..., None], user_attributes: Any) -> None:
    """A "user" session attribute that does not validate is ignored: one GetItem, the stored 45 s hold, no crash."""
    seed(SEEDED)
    alexa = rig.device()
    alexa.launch()
    rig.reset_counts()
    event = load_event("intent_request")
    event["request"]["intent"] = {
        "name": "StartRoutineIntent",
        "confirmationStatus": "NONE",
        "slots": {"routine": {"name": "routine", "value": "morning", "confirmationStatus": "NONE"}},
    }
    event["session"]["attributes"] = {**alexa.attributes, "user": user_attributes}
    reply = alexa.send_raw(event)
    assert "went wrong" not in said(reply) and not reply.ended
    assert rig.reads == 1
    assert holds(reply)[0] == 45


# -- SkillDisabled: no session, delete on NOT_PERSISTED ---------------------------------------------------------


def send_skill_disabled(rig: Rig, status: str, user_id: str = USER) -> dict[str, Any]:
    """Send the event and check the (speechless) response is a valid Alexa response."""
    body = rig.handler(skill_disabled_event(user_id, status), None)
    assert_valid_response(body)
    assert body["response"] == {}, "skill events get an empty response"
    return body


def test_skill_disabled_not_persisted_deletes_the_item(rig: Rig, seed: Callable[..., None], stored: Callable[..., Any]) -> None:
    """NOT_PERSISTED: the user will come back with a new id, so their data goes now; other users stay."""
    seed(SEEDED)
    seed(SEEDED, user_id="amzn1.ask.account.OTHER")
    send_skill_disabled(rig, "NOT_PERSISTED")
    assert stored() is None
    assert stored("amzn1.ask.account.OTHER") == (SEEDED, 1)
    assert rig.calls["DeleteItem"] == 1 and rig.reads == 0 and rig.writes == 0


def test_skill_disabled_persisted_keeps_the_item(rig: Rig, seed: Callable[..., None], stored: Callable[..., Any]) -> None:
    """PERSISTED: the user id stays the same on re-enable; nothing is touched."""
    seed(SEEDED)
    send_skill_disabled(rig, "PERSISTED")
    assert stored() == (SEEDED, 1)
    assert sum(rig.calls.values()) == 0


def test_skill_disabled_for_an_unknown_user_or_a_dead_store_is_still_answered(rig: Rig) -> None:
    """No item to delete, or nowhere to delete it from: a valid empty response either way."""
    send_skill_disabled(rig, "NOT_PERSISTED", user_id="amzn1.ask.account.NEVER-SEEN")
    dead = make_rig("users", f"http://127.0.0.1:{free_loopback_port()}")
    send_skill_disabled(dead, "NOT_PERSISTED")


# -- over HTTP: backstretch serve --table --dynamodb-endpoint --------------------------------------------------


def test_web_server_on_dynamodb_keeps_the_preferred_routine(tmp_path: Path, table: str, dynamodb_local: DynamoDBLocal, stored: Callable[..., Any]) -> None:
    """``backstretch serve --table T --dynamodb-endpoint E``: launch, set lower back, new session, start -> lower back."""
    with serve(tmp_path / "web", extra_args=["--table", table, "--dynamodb-endpoint", dynamodb_local.endpoint]) as url:
        status, body = post(url, json.dumps(load_event("launch_request")).encode())
        assert status == 200
        assert_valid_response(body)

        def over_http(event: dict[str, Any], context: Any) -> dict[str, Any]:
            """Deliver one request to the web server, as Alexa would."""
            got_status, got_body = post(url, json.dumps(event).encode())
            assert got_status == 200, got_body
            return got_body

        alexa = Alexa(over_http)
        assert "lower back routine is now your routine" in said(alexa.intent("SetPreferredRoutineIntent", routine=LOWER_BACK))
        alexa.intent("AMAZON.StopIntent")
        started = alexa.intent("StartRoutineIntent")
        assert "Let's do lower back routine" in said(started) and "Stretch 1 of 4: pelvic tilt." in said(started)
    assert stored()[0]["preferred_routine"] == "lower_back"
    assert not (tmp_path / "web" / "users.sqlite3").exists()


# -- mid-routine replies that change nothing ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("intent", "slots"),
    [("ProgressStatsIntent", {}), ("MyRoutineIntent", {}), ("SetHoldTimeIntent", {"seconds": "95"}), ("SetRepsIntent", {"reps": "11"})],
    ids=["progress-stats", "my-routine", "hold-95", "reps-11"],
)
def test_mid_routine_answers_that_change_nothing_do_not_say_it_takes_effect_next_time(rig: Rig, intent: str, slots: dict[str, str]) -> None:
    """Asking a question or a refused setting during a routine is not a setting that "takes effect from your next routine"."""
    alexa = rig.device()
    alexa.intent("StartRoutineIntent", routine=MORNING)
    reply = said(alexa.intent(intent, **slots))
    assert "takes effect from your next routine" not in reply


def test_mid_routine_setting_change_says_it_applies_next_time(rig: Rig) -> None:
    """A real change during a routine: confirmed, applies to the next routine, the current one carries on."""
    alexa = rig.device()
    alexa.intent("StartRoutineIntent", routine=MORNING)
    reply = alexa.intent("SetHoldTimeIntent", seconds="30")
    assert "takes effect from your next routine" in said(reply) and not reply.ended
    assert holds(alexa.intent("AMAZON.NextIntent")) == [20], "the routine in progress keeps its holds"
