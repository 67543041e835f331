"""Profiles on DynamoDB Local: whole conversations through the skill, with the table read back raw.

Every test gets a fresh table on one shared DynamoDB Local (``tests.support.fixtures_dynamodb``);
fault tests that stop the server run their own. The skill reaches DynamoDB Local through a
``CountingRelay``: a loopback HTTP relay that counts every request DynamoDB Local receives, by
operation (GetItem, PutItem, DeleteItem), retries included. That is how the store budget is
held: at most one GetItem per session, at most one PutItem per request, none for a request that
changes nothing (requests for the one item all users share, the voice's speed, are counted apart,
as "GetItem shared" ...: at most one read per process every ten minutes, and rare writes); and every change the user hears confirmed is already in the table when the reply
comes back. Every response is checked by ``assert_valid_response`` (the ``Alexa`` helper does it
on each turn). Nothing reaches past 127.0.0.1.
"""

from __future__ import annotations

import datetime as dt
import html
import http.client
import json
import re
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable, Iterator
from urllib.parse import urlsplit

import pytest
from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.client import BaseClient
from botocore.exceptions import ClientError

from skill.app import build_skill
from skill.catalogue import load_catalogue
from skill.catalogue.model import Range
from skill.config import Config
from skill.engine import Settings, build_plan
from skill.entrypoints import lambda_entry
from skill.entrypoints.invoke import invoke, read_event
from skill.flows.voice import VOICE_KEY
from skill.persistence.dynamodb_store import DynamoDbStore
from skill.speech import phrases_for
from tests.support.checks import assert_valid_response
from tests.support.conversation import Alexa, Reply, load_event
from tests.support.dynamodb_local import DynamoDBLocal, client
from tests.support.e2e import free_loopback_port, post, serve
from tests.support.stopwatch import fixed_rate_seconds, seconds_between

pytest_plugins = ["tests.support.fixtures_dynamodb"]

USER = "amzn1.ask.account.TESTUSER"
APP_ID = "amzn1.ask.skill.00000000-0000-0000-0000-00000000test"
MORNING = ("morning back stretches", "morning")
FULL_BACK = ("full back routine", "full_back")
LOWER_BACK = ("lower back", "lower_back")
NECK = ("neck and shoulder stretches", "neck_and_shoulders")
CHILDS_POSE = ("child's pose", "childs_pose")
CATALOGUE = load_catalogue()
PHRASES = phrases_for("en-US")
DAY = 24 * 3600

SHARED = " shared"  # counted apart: a request for the item all users share (the voice's speed)


def phrase(key: str, **values: Any) -> str:
    """The en-US wording of ``key`` as the user hears it (entities decoded)."""
    return html.unescape(PHRASES.say(key, **values))


CANT_SAVE = phrase("store_unavailable")
RESET_NOTICE = phrase("profile_reset")
DISCLAIMER = phrase("disclaimer")
HINT = phrase("navigation_hint")
WENT_WRONG = phrase("error")
KEPT_PLACE = phrase("goodbye_saved")
APPLIES_NEXT = phrase("setting_applies_next")
RANGE_HOLD = phrase("ask_hold_seconds", low=10, high=90)  # out of range: the range is asked for
RANGE_REPS = phrase("ask_reps", low=1, high=10)
HOLD_CUE = re.compile(re.escape(phrase("hold_start", seconds=999)).replace("999", r"(\d+)"))


def _hold_range(routine_id: str, stretch_id: str) -> Range:
    """The hold range ``stretch_id`` plays with in ``routine_id`` (the catalogue's figures from its article)."""
    stretch = CATALOGUE.stretch(stretch_id)
    items = [i for i in CATALOGUE.routine(routine_id).items if i.stretch_id == stretch_id] if routine_id in CATALOGUE.routines else []
    return items[0].ranges(stretch)[0] if items else stretch.hold


def _reps_range(routine_id: str, stretch_id: str) -> Range:
    stretch = CATALOGUE.stretch(stretch_id)
    items = [i for i in CATALOGUE.routine(routine_id).items if i.stretch_id == stretch_id] if routine_id in CATALOGUE.routines else []
    return items[0].ranges(stretch)[1] if items else stretch.reps


def _hold_to_tell_apart(*uses: tuple[str, str]) -> int:
    """A hold time inside the safe range of each (routine, stretch) of ``uses`` and the default of none.

    A reply that plays it can only have taken it from the user's setting: not from a stretch's default, and not
    from the end of a safe range the setting was pulled back into.
    """
    ranges = [_hold_range(*use) for use in uses]
    low, high = max(r.min for r in ranges), min(r.max for r in ranges)
    candidates = [s for s in range(low + 1, high) if all(s != r.default for r in ranges)]
    assert candidates, f"no hold time inside every range of {stretch_ids}"
    return candidates[len(candidates) // 2]


# The first held stretch of the morning routine (what its first response plays); in the full back routine
# it gives back flexion the shortest hold of its range, not its default.
SET_HOLD = _hold_to_tell_apart(("morning", "single_knee_to_chest"))
# The longest hold any stretch of the full back routine allows: a setting above it changes nothing there.
FULL_BACK_LONGEST_HOLD = max(
    _hold_range("full_back", i.stretch_id).max for i in CATALOGUE.routine("full_back").items if CATALOGUE.stretch(i.stretch_id).hold_adjustable
)
# A routine long enough to need several responses: 10 repetitions of each held stretch (where its range allows).
LONG: dict[str, Any] = {"schema": 1, "hold_seconds": SET_HOLD, "reps": 10, "level": "standard", "disclaimer_given": 1, "hint_given": 1}
SEEDED = {"schema": 1, "hold_seconds": SET_HOLD, "level": "standard", "disclaimer_given": 1, "hint_given": 1}
RETURNING = {"schema": 1, "level": "standard", "disclaimer_given": 1, "hint_given": 1}
SCIATICA = ("sciatica relief", "sciatica")
WARM_UP_QUESTION = phrase("ask_warm_up")
SORE_LEG_QUESTION = phrase("ask_sore_leg")
CHECK_IN = phrase("ask_feeling")

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]
ItemReader = Callable[[str], "dict[str, Any] | None"]
Stored = Callable[..., Any]  # () -> (attributes, version), or None when there is no item
_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


# -- helpers -------------------------------------------------------------------------------------------


def said(reply: Reply) -> str:
    """The reply's speech as plain text (tags removed, entities such as &apos; decoded)."""
    return html.unescape(reply.text)


def holds(reply: Reply) -> list[int]:
    """Every "Hold for N seconds" in the reply, in order."""
    return [int(n) for n in HOLD_CUE.findall(said(reply))]


_NAME_OR_HOLD = re.compile(
    "|".join(
        [f"(?P<name>{'|'.join(re.escape(s.name) for s in sorted(CATALOGUE.stretches.values(), key=lambda s: -len(s.name)))})"]
        + [re.escape(phrase("hold_start", seconds=999)).replace("999", r"(?P<seconds>\d+)")]
    )
)
_STRETCH_BY_NAME = {s.name: s.id for s in CATALOGUE.stretches.values()}


def holds_by_stretch(reply: Reply) -> dict[str, set[int]]:
    """The "Hold for N seconds" lengths in the reply, by the stretch last named before each (catalogue ids)."""
    found: dict[str, set[int]] = {}
    current: str | None = None
    for match in _NAME_OR_HOLD.finditer(said(reply)):
        if match.group("name"):
            current = _STRETCH_BY_NAME[match.group("name")]
        else:
            assert current is not None, f"a hold before any stretch is named: {said(reply)[:200]}"
            found.setdefault(current, set()).add(int(match.group("seconds")))
    return found


def within(value: int, low: int, high: int) -> int:
    """``value`` if it lies in low..high, else the nearer end (the safe-range rule)."""
    return low if value < low else high if value > high else value


def safe_hold(stretch_id: str, seconds: int, routine_id: str) -> int:
    """The hold a user's ``seconds`` gives ``stretch_id`` in ``routine_id``: inside its safe range from the catalogue."""
    hold = _hold_range(routine_id, stretch_id)
    return within(seconds, hold.min, hold.max)


def safe_reps(stretch_id: str, reps: int, routine_id: str) -> int:
    """The repetitions a user's ``reps`` give ``stretch_id`` in ``routine_id``: inside its safe range from the catalogue."""
    allowed = _reps_range(routine_id, stretch_id)
    return within(reps, allowed.min, allowed.max)


def check_holds(reply: Reply, seconds: int, routine_id: str) -> dict[str, set[int]]:
    """Every stretch with an adjustable hold in the reply holds the user's ``seconds`` where its safe range allows,
    else the nearest end of that range; and at least one of them plays something its default would not.

    Stretches with a fixed hold (warm-up moves, short relaxed holds) are left out: the setting is not theirs.
    """
    found = {k: v for k, v in holds_by_stretch(reply).items() if CATALOGUE.stretch(k).hold_adjustable}
    assert found, f"no adjustable hold in the reply: {said(reply)[:200]}"
    assert found == {k: {safe_hold(k, seconds, routine_id)} for k in found}, found
    assert any(safe_hold(k, seconds, routine_id) != _hold_range(routine_id, k).default for k in found), (
        f"{found}: the stretches' defaults would sound the same"
    )
    return found


def skip_warm_up(alexa: Alexa, asked: Reply) -> Reply:
    """``asked`` is the warm-up question and nothing else; answer no: the routine starts without it."""
    assert WARM_UP_QUESTION in said(asked) and not holds(asked) and not asked.ended, said(asked)[:200]
    return alexa.intent("AMAZON.NoIntent")


def today_iso() -> str:
    """Today's date as the profile stores dates (UTC, ISO)."""
    return dt.datetime.now(dt.timezone.utc).date().isoformat()


def plain(value: Any) -> Any:
    """DynamoDB's Decimals as ints, recursively (for comparing whole items)."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, Decimal):
        return int(value) if value == int(value) else value
    return value


def count_phrase(replies: list[Reply], text: str) -> int:
    """How many of ``replies`` say ``text``."""
    return sum(text in said(r) for r in replies)


def stretch_names_in_order(text: str) -> list[str]:
    """The catalogue stretches named in ``text``, in the order they are first named."""
    found = {name: text.find(name) for name in (s.name for s in CATALOGUE.stretches.values())}
    return [name for name, at in sorted(found.items(), key=lambda kv: kv[1]) if at >= 0]


def offered_stretch(text: str, routine_name: str) -> str | None:
    """The stretch named in an offer to carry on ``routine_name``, or None when there is no such offer."""
    for stretch in CATALOGUE.stretches.values():
        if phrase("offer_continue", routine=f"the {routine_name}", stretch=stretch.name) in text:
            return stretch.name
    return None


def progress_for(routine_id: str, position: int, updated_at: int, status: str = "paused") -> dict[str, Any]:
    """A stored routine-in-progress in the skill's format, for a catalogue routine with default settings."""
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


# -- counting what DynamoDB Local receives ---------------------------------------------------------------

_UPSTREAM_DOWN = json.dumps({"__type": "com.amazonaws.dynamodb.v20120810#InternalServerError", "message": "upstream down"}).encode()
_HOP_HEADERS = {"host", "connection", "content-length", "transfer-encoding", "keep-alive", "date", "server"}


class CountingRelay:
    """A loopback HTTP relay in front of DynamoDB Local that counts each request it passes on.

    Requests are counted by their ``X-Amz-Target`` operation (``GetItem``, ``PutItem``, ...) the
    moment they arrive, before they are forwarded, so every HTTP attempt counts (a retry too).
    When the server behind it is gone the relay answers 500, as an unhealthy DynamoDB would.
    """

    def __init__(self, upstream: str) -> None:
        """Listen on a free 127.0.0.1 port and forward to ``upstream`` (``http://127.0.0.1:PORT``)."""
        parts = urlsplit(upstream)
        self.upstream = (parts.hostname or "127.0.0.1", parts.port or 80)
        self.received: Counter[str] = Counter()
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, name="counting-relay", daemon=True)
        self.thread.start()

    @property
    def endpoint(self) -> str:
        """Where the skill should send its DynamoDB requests."""
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self) -> None:
        """Stop listening."""
        self.server.shutdown()
        self.server.server_close()

    def _forward(self, path: str, headers: dict[str, str], body: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
        """Pass one request on; 500 when the server behind is unreachable."""
        connection = http.client.HTTPConnection(*self.upstream, timeout=5)
        try:
            connection.request("POST", path, body, headers)
            response = connection.getresponse()
            return response.status, response.getheaders(), response.read()
        except OSError:
            return 500, [("Content-Type", "application/x-amz-json-1.0")], _UPSTREAM_DOWN
        finally:
            connection.close()

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        relay = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802 - the http.server hook's name
                """Count, forward, answer."""
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                operation = (self.headers.get("X-Amz-Target") or "unknown").rpartition(".")[2]
                operation += SHARED if VOICE_KEY.encode() in body else ""
                with relay.lock:
                    relay.received[operation] += 1
                headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_HEADERS}
                status, answer_headers, answer = relay._forward(self.path, headers, body)
                self.send_response(status)
                for name, value in answer_headers:
                    if name.lower() not in _HOP_HEADERS:
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
                """Quiet."""

        return Handler


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
            self.calls[operation + (SHARED if VOICE_KEY in json.dumps(kwargs.get("Key"), default=str) else "")] += 1
            if name in self.failing:
                error = {"Code": "ProvisionedThroughputExceededException", "Message": "injected throttle"}
                raise ClientError({"Error": error, "ResponseMetadata": {"HTTPStatusCode": 400}}, operation)
            return attribute(*args, **kwargs)

        return call


@dataclass
class Rig:
    """A skill on one DynamoDB table and the count of requests its store sent there."""

    handler: Handler
    calls: Counter[str]  # requests by operation (GetItem, PutItem, DeleteItem)
    per_turn: list[dict[str, int]] = field(default_factory=list)

    def device(self, user_id: str = USER) -> Alexa:
        """A simulated Echo of ``user_id`` talking to this skill."""
        return Alexa(self.handler, user_id=user_id)

    @property
    def reads(self) -> int:
        """GetItem requests so far."""
        return self.calls["GetItem"]

    @property
    def writes(self) -> int:
        """PutItem requests so far."""
        return self.calls["PutItem"]

    def reset_counts(self) -> None:
        """Start counting from zero."""
        self.calls.clear()
        self.per_turn.clear()

    def turn(self, send: Callable[[], Reply]) -> tuple[Reply, dict[str, int]]:
        """Send one request; the reply and the requests the store made for it (also kept in ``per_turn``)."""
        before = Counter(self.calls)
        reply = send()
        made = {op: self.calls[op] - before[op] for op in ("GetItem", "PutItem", "DeleteItem")}
        self.per_turn.append(made)
        return reply, made


RigMaker = Callable[..., Rig]


@pytest.fixture
def make_rig() -> Iterator[RigMaker]:
    """``make_rig(table, endpoint, failing=None)``: the skill built as Lambda builds it, counted.

    Without ``failing`` the store talks to ``endpoint`` through a ``CountingRelay`` (what DynamoDB
    receives is counted). With ``failing`` (method names such as ``"put_item"``) those operations are
    throttled in the client instead, and attempted API calls are counted.
    """
    relays: list[CountingRelay] = []

    def make(table: str, endpoint: str, failing: set[str] | None = None) -> Rig:
        """Build one rig."""
        if failing is None:
            relay = CountingRelay(endpoint)
            relays.append(relay)
            skill = build_skill(Config(table=table, dynamodb_endpoint=relay.endpoint, region="us-east-1"))
            calls = relay.received
        else:
            calls = Counter()
            real = DynamoDbStore(table, region="us-east-1", endpoint_url=endpoint).client
            store = DynamoDbStore(table, region="us-east-1", endpoint_url=endpoint, client=FailingClient(real, failing, calls))
            skill = build_skill(Config(table=table, dynamodb_endpoint=endpoint, region="us-east-1"), store=store)

        def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
            """What lambda_handler does: JSON in, the skill, JSON out."""
            return invoke(skill, read_event(event), context)

        return Rig(handler, calls)

    yield make
    for relay in relays:
        relay.close()


@pytest.fixture
def rig(make_rig: RigMaker, table: str, dynamodb_local: DynamoDBLocal) -> Rig:
    """The skill on this test's fresh table, its DynamoDB requests counted."""
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
def stored(raw_item: ItemReader) -> Stored:
    """The user's stored attributes (Decimals as ints) and version, read raw; None when there is no item."""

    def read(user_id: str = USER) -> tuple[dict[str, Any], int] | None:
        """Raw GetItem (straight to DynamoDB Local, not counted), decoded."""
        item = raw_item(user_id)
        if item is None:
            return None
        return plain(_deserializer.deserialize(item["attributes"])), int(item["version"]["N"])

    return read


@pytest.fixture
def relay(dynamodb_local: DynamoDBLocal) -> Iterator[CountingRelay]:
    """A counting relay in front of the shared DynamoDB Local."""
    counting = CountingRelay(dynamodb_local.endpoint)
    yield counting
    counting.close()


@pytest.fixture
def lambda_alexa(table: str, relay: CountingRelay, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Alexa]:
    """A device talking to ``lambda_handler``, with the table and endpoint given the Lambda way: environment variables."""
    monkeypatch.setenv("BACKSTRETCH_TABLE", table)
    monkeypatch.setenv("BACKSTRETCH_DYNAMODB_ENDPOINT", relay.endpoint)
    alexa = Alexa.for_lambda(tmp_path / "data")
    yield alexa
    lambda_entry.reset()


def progress_of(stored: Stored) -> dict[str, Any]:
    """The stored routine-in-progress (the test fails if there is none)."""
    item = stored()
    assert item is not None, "nothing is stored"
    progress = item[0].get("progress")
    assert isinstance(progress, dict), f"no progress stored: {item[0]}"
    return progress


# -- through lambda_handler, configured by environment variables ----------------------------------------------


def test_preferred_routine_set_by_voice_is_stored_at_once_and_played_in_a_later_session(
    lambda_alexa: Alexa, relay: CountingRelay, raw_item: ItemReader, tmp_path: Path
) -> None:
    """"set my preferred routine to lower back" is in the table when confirmed; next session "start my back stretches" plays it."""
    done = lambda_alexa.intent("SetPreferredRoutineIntent", routine=LOWER_BACK)
    assert phrase("preferred_set", routine="the lower back routine") in said(done) and not done.ended
    item = raw_item(USER)
    assert item is not None and item["attributes"]["M"]["preferred_routine"] == {"S": "lower_back"}, "stored before the reply"
    assert relay.received["PutItem"] == 1, "BACKSTRETCH_TABLE and BACKSTRETCH_DYNAMODB_ENDPOINT were used"
    assert not (tmp_path / "data" / "users.sqlite3").exists(), "nothing went to the embedded store"
    lambda_alexa.end("USER_INITIATED")
    writes = relay.received["PutItem"]
    asked = lambda_alexa.intent("StartRoutineIntent")
    assert relay.received["PutItem"] == writes + 1, "asking whether to warm up keeps the question, in one write"
    started = said(skip_warm_up(lambda_alexa, asked))
    assert "lower back routine" in started.lower()
    assert stretch_names_in_order(started)[0] == "pelvic tilt", "the lower back routine's first stretch"


def test_hold_time_30_sets_the_countdown_of_the_next_routine(lambda_alexa: Alexa, stored: Stored) -> None:
    """"set my hold time to 30 seconds": stored at once, confirmed as what the user gets ("up to"); in the next
    routine every hold whose safe range allows it is 30 s by the stopwatch, the others keep the end of their range,
    and the opening lists none of them; next session too."""
    lambda_alexa.launch()
    assert "Done. Holds up to 30 seconds;" in said(lambda_alexa.intent("SetHoldTimeIntent", seconds="30"))
    assert stored()[0]["hold_seconds"] == 30
    for _ in range(2):
        started = lambda_alexa.intent("StartRoutineIntent", routine=NECK)
        assert check_holds(started, 30, "neck_and_shoulders")["chin_to_chest"] == {30}
        assert "For safety" not in said(started) and "stays at" not in said(started)
        # From the first word of the cue to the end of the release word, at a fixed 160 words a minute.
        measured = seconds_between(started.ssml, phrase("hold_start", seconds=30), phrase("release"))
        assert 27 <= measured <= 33, measured
        lambda_alexa.end("USER_INITIATED")


def test_routine_outside_the_model_lists_routines_and_leaves_the_item_alone(lambda_alexa: Alexa, raw_item: ItemReader, relay: CountingRelay) -> None:
    """"set my preferred routine to pizza": the routines are listed, the stored item is untouched, nothing is written."""
    lambda_alexa.intent("SetPreferredRoutineIntent", routine=LOWER_BACK)
    lambda_alexa.intent("AMAZON.StopIntent")
    before, writes = raw_item(USER), relay.received["PutItem"]
    assert before is not None
    for intent in ("SetPreferredRoutineIntent", "StartRoutineIntent"):
        reply = lambda_alexa.intent(intent, routine=("pizza", None))
        assert phrase("routine_unknown", heard="pizza") in said(reply)
        assert "morning back stretches" in said(reply) and "lower back routine" in said(reply)
        assert not reply.ended
    lambda_alexa.intent("AMAZON.StopIntent")
    assert raw_item(USER) == before
    assert relay.received["PutItem"] == writes


# -- every voice setting is stored before it is confirmed ------------------------------------------------------

SETTINGS: list[tuple[str, dict[str, Any], Callable[[dict[str, Any]], bool]]] = [
    ("SetHoldTimeIntent", {"seconds": "30"}, lambda a: a.get("hold_seconds") == 30),
    ("SetHoldTimeIntent", {"duration": "PT1M"}, lambda a: a.get("hold_seconds") == 60),
    ("SetRepsIntent", {"reps": "5"}, lambda a: a.get("reps") == 5),
    ("SetLevelIntent", {"level": ("beginner", "beginner")}, lambda a: a.get("level") == "beginner" and "hold_seconds" not in a),
    ("SetPreferredRoutineIntent", {"routine": LOWER_BACK}, lambda a: a.get("preferred_routine") == "lower_back"),
    ("AddStretchIntent", {"stretch": CHILDS_POSE}, lambda a: a.get("own_routine", [])[-1:] == ["childs_pose"]),
    ("RemoveStretchIntent", {"stretch": ("knee twist", "knee_twist")}, lambda a: "knee_twist" not in a.get("own_routine", ["knee_twist"])),
]
SETTING_IDS = ["hold-30", "hold-PT1M", "reps-5", "beginner", "preferred", "add-stretch", "remove-stretch"]


@pytest.mark.parametrize(("intent", "slots", "landed"), SETTINGS, ids=SETTING_IDS)
@pytest.mark.parametrize("during", [False, True], ids=["idle", "mid-routine"])
def test_a_confirmed_setting_is_in_the_table_when_the_reply_comes_back(
    rig: Rig,
    seed: Callable[..., None],
    stored: Stored,
    intent: str,
    slots: dict[str, Any],
    landed: Callable[[dict[str, Any]], bool],
    during: bool,
) -> None:
    """Read raw right after the confirmation, before any SessionEndedRequest: the new value is there, from one PutItem.

    Mid-routine the same single write also keeps the routine's place, paused.
    """
    seed({**LONG, "hold_seconds": 20})
    alexa = rig.device()
    if during:
        alexa.intent("StartRoutineIntent", routine=FULL_BACK)
    else:
        alexa.launch()
    reply, made = rig.turn(lambda: alexa.intent(intent, **slots))
    assert not reply.ended and CANT_SAVE not in said(reply)
    attributes, _ = stored()
    assert landed(attributes), attributes
    assert made["PutItem"] == 1 and made["GetItem"] == 0, made
    if during:
        assert APPLIES_NEXT in said(reply)
        assert attributes["progress"]["routine"] == "full_back" and attributes["progress"]["status"] == "paused"


@pytest.mark.parametrize("slots", [{"seconds": "95"}, {"seconds": "5"}, {"seconds": "9"}, {"seconds": "91"}, {"duration": "PT2M"}])
def test_hold_out_of_range_says_the_range_and_stores_nothing(rig: Rig, seed: Callable[..., None], stored: Stored, slots: dict[str, Any]) -> None:
    """Holds outside 10-90 s are refused in one sentence; no PutItem, and the stored item keeps its hold and its version."""
    seed(SEEDED)
    alexa = rig.device()
    reply, made = rig.turn(lambda: alexa.intent("SetHoldTimeIntent", **slots))
    assert RANGE_HOLD in said(reply) and not reply.ended
    assert made["PutItem"] == 0
    assert stored() == (SEEDED, 1)
    assert check_holds(alexa.intent("StartRoutineIntent", routine=MORNING), SET_HOLD, "morning")["single_knee_to_chest"] == {SET_HOLD}


def test_hold_out_of_range_for_a_new_user_creates_no_item(rig: Rig, stored: Stored) -> None:
    """A new user who only asks for 95 s holds leaves nothing behind."""
    alexa = rig.device()
    assert RANGE_HOLD in said(alexa.intent("SetHoldTimeIntent", seconds="95"))
    alexa.intent("AMAZON.StopIntent")
    assert stored() is None and rig.writes == 0


def test_reps_6_are_stored_and_played(rig: Rig, stored: Stored) -> None:
    """"do six reps": stored at once, confirmed as "up to" (some stretches allow fewer); six repetitions of each
    held stretch that allows six in a later session, and no list of the others when it starts."""
    alexa = rig.device()
    assert "Done. Up to 6 repetitions of each stretch;" in said(alexa.intent("SetRepsIntent", reps="6"))
    assert stored()[0]["reps"] == 6
    alexa.intent("AMAZON.StopIntent")
    started = said(alexa.intent("StartRoutineIntent", routine=NECK))
    assert phrase("rep_of", rep=6, total=6) in started and phrase("rep_of", rep=1, total=7) not in started
    assert "For safety" not in started


@pytest.mark.parametrize("reps", ["0", "11", "25"])
def test_reps_out_of_range_are_refused(rig: Rig, seed: Callable[..., None], stored: Stored, reps: str) -> None:
    """Reps outside 1-10 are refused and nothing is written."""
    seed({**SEEDED, "reps": 3})
    alexa = rig.device()
    reply, made = rig.turn(lambda: alexa.intent("SetRepsIntent", reps=reps))
    assert RANGE_REPS in said(reply) and made["PutItem"] == 0
    alexa.intent("AMAZON.StopIntent")
    assert stored() == ({**SEEDED, "reps": 3}, 1)


def test_beginner_level_means_10_second_holds_and_standard_restores_the_defaults(rig: Rig, stored: Stored) -> None:
    """"I'm a beginner": every adjustable hold is 10 s where the stretch's article allows (else the article's
    shortest), and the reply says it replaced the 30 s hold time; "standard": the stretches' own holds again. Each
    stored at once."""
    alexa = rig.device()
    alexa.intent("SetHoldTimeIntent", seconds="30")
    beginner = alexa.intent("SetLevelIntent", level=("beginner", "beginner"))
    assert phrase("level_beginner") in said(beginner)
    assert phrase("level_replaces_hold", seconds=30) in said(beginner), "the hold time it replaced is named"
    attributes, _ = stored()
    assert attributes["level"] == "beginner" and "hold_seconds" not in attributes, "the level replaces an explicit hold"
    # 004 gives the morning knee hug 15-20 s: a beginner gets its 15, not 10.
    assert check_holds(alexa.intent("StartRoutineIntent", routine=MORNING), 10, "morning")["single_knee_to_chest"] == {15}
    alexa.intent("AMAZON.StopIntent")
    assert check_holds(alexa.intent("StartRoutineIntent", routine=FULL_BACK), 10, "full_back"), "also in a new session"
    standard = alexa.intent("SetLevelIntent", level=("standard", "standard"))
    assert phrase("level_standard") in said(standard)
    assert phrase("level_replaces_hold", seconds=30) not in said(standard), "no hold time was left to replace"
    assert stored()[0]["level"] == "standard"
    alexa.intent("AMAZON.StopIntent")  # mid-routine, naming another routine would ask before leaving this one
    first_hold = holds(alexa.intent("StartRoutineIntent", routine=MORNING))[0]
    assert first_hold == CATALOGUE.stretch("single_knee_to_chest").hold.default


def test_unknown_level_is_refused(rig: Rig, stored: Stored) -> None:
    """A level outside the model: the two levels are named, nothing stored."""
    alexa = rig.device()
    assert phrase("level_unknown") in said(alexa.intent("SetLevelIntent", level=("expert", None)))
    alexa.intent("AMAZON.StopIntent")
    assert stored() is None


def test_my_routine_says_name_stretches_hold_and_reps_from_the_stored_profile(rig: Rig) -> None:
    """"what is my routine" in a later session: the stored routine and numbers, and a length that grew with them."""
    takes = phrase("my_length", length="@").split("@")[0]  # "It takes "
    alexa = rig.device()
    default = said(alexa.intent("MyRoutineIntent"))
    alexa.intent("SetPreferredRoutineIntent", routine=LOWER_BACK)
    alexa.intent("SetHoldTimeIntent", seconds="30")
    alexa.intent("SetRepsIntent", reps="3")
    alexa.intent("AMAZON.StopIntent")
    reply = said(alexa.intent("MyRoutineIntent"))
    names = [CATALOGUE.stretch(i.stretch_id).name for i in CATALOGUE.routine("lower_back").items]
    assert phrase("my_routine", routine="the lower back routine", stretches=PHRASES.join(names)) in reply
    assert phrase("my_hold", seconds=30) in reply and phrase("my_reps", reps=3) in reply
    assert takes in reply and takes in default
    assert reply.split(takes)[1] != default.split(takes)[1], "the length follows the stored hold and reps"


def test_my_routine_with_defaults_says_usual_hold_and_reps(rig: Rig) -> None:
    """A new user's routine is the default one with the stretches' own numbers."""
    reply = said(rig.device().intent("MyRoutineIntent"))
    assert "lower back routine" in reply
    assert phrase("my_hold_default") in reply and phrase("my_reps_default") in reply


def test_own_routine_add_remove_play_and_clear(rig: Rig, stored: Stored) -> None:
    """Add and remove edit a copy of the user's routine, each stored at once; it is played; clear drops it."""
    alexa = rig.device()
    assert phrase("added", name="child's pose", count=5) in said(alexa.intent("AddStretchIntent", stretch=CHILDS_POSE))
    assert stored()[0]["own_routine"] == ["pelvic_tilt", "single_knee_to_chest", "lying_hamstring_stretch", "knee_twist", "childs_pose"]
    assert phrase("already_in", name="child's pose") in said(alexa.intent("AddStretchIntent", stretch=CHILDS_POSE))
    removed = alexa.intent("RemoveStretchIntent", stretch=("pelvic tilt", "pelvic_tilt"))
    assert phrase("removed", name="pelvic tilt", count=4) in said(removed)
    own = ["single_knee_to_chest", "lying_hamstring_stretch", "knee_twist", "childs_pose"]
    assert stored()[0]["own_routine"] == own
    assert phrase("not_in_routine", name="ear to shoulder") in said(alexa.intent("RemoveStretchIntent", stretch=("ear to shoulder", "ear_to_shoulder")))
    assert phrase("stretch_unknown", heard="pizza") in said(alexa.intent("AddStretchIntent", stretch=("pizza", None)))
    alexa.intent("AMAZON.StopIntent")
    assert stored()[0]["own_routine"] == own

    started = said(alexa.intent("StartRoutineIntent"))
    assert phrase("own_routine_name") in started.lower()
    assert stretch_names_in_order(started) == ["single knee to chest", "lying hamstring stretch", "knee twist", "child's pose"]
    cleared = alexa.intent("ClearRoutineIntent")
    assert phrase("cleared", routine="the lower back routine") in said(cleared)
    assert "own_routine" not in stored()[0]
    alexa.intent("AMAZON.StopIntent")
    lower_back = skip_warm_up(alexa, alexa.intent("StartRoutineIntent"))
    assert stretch_names_in_order(said(lower_back))[0] == "pelvic tilt"


def test_removing_the_last_own_stretch_falls_back_to_the_preferred_routine(rig: Rig, seed: Callable[..., None], stored: Stored) -> None:
    """An own routine emptied one stretch at a time gives way to the preferred routine."""
    seed({**SEEDED, "preferred_routine": "morning", "own_routine": ["childs_pose"]})
    alexa = rig.device()
    reply = alexa.intent("RemoveStretchIntent", stretch=CHILDS_POSE)
    assert phrase("removed_last", name="child's pose", routine="the morning back stretches") in said(reply)
    assert "own_routine" not in stored()[0]


def test_progress_stats_after_a_routine_today_say_one_day(rig: Rig) -> None:
    """"how am I doing" in a later session, after a routine today that ended in silence after the check-in question:
    one day, this week, and the minutes that routine played by the stopwatch."""
    alexa = rig.device()
    assert phrase("stats_none") in said(alexa.intent("ProgressStatsIntent"))
    routine = alexa.intent("StartRoutineIntent", routine=MORNING)
    assert said(routine).endswith(CHECK_IN) and not routine.ended
    alexa.end()
    reply = said(alexa.intent("ProgressStatsIntent"))
    assert phrase("stats_streak_one") in reply
    week = re.search(re.escape(phrase("stats_week", days=1, minutes=999)).replace("999", r"(\d+)"), reply)
    assert week is not None, reply
    # The routine's one response, on the stopwatch's fixed-rate clock (its opening and summary included).
    assert abs(int(week.group(1)) - fixed_rate_seconds(routine.ssml) / 60) <= 1, (week.group(0), fixed_rate_seconds(routine.ssml))


def test_progress_stats_count_stored_days(rig: Rig, seed: Callable[..., None]) -> None:
    """Three days in a row up to yesterday, plus one earlier this week: streak 3, four days this week, and the
    minutes of those four days only."""
    today = dt.datetime.now(dt.timezone.utc).date()
    minutes = {1: 10, 2: 12, 3: 8, 5: 15, 12: 30}
    dates = sorted((today - dt.timedelta(days=n)).isoformat() for n in minutes)
    stretched = sorted([(today - dt.timedelta(days=n)).isoformat(), m] for n, m in minutes.items())
    seed({**SEEDED, "session_dates": dates, "minutes": stretched})
    reply = said(rig.device().intent("ProgressStatsIntent"))
    assert phrase("stats_streak", days=3) in reply and phrase("stats_week", days=4, minutes=10 + 12 + 8 + 15) in reply


def test_delete_my_data_yes_deletes_the_item(rig: Rig, stored: Stored) -> None:
    """"delete my data" asks first; yes removes the item, and ending the session does not bring it back."""
    alexa = rig.device()
    alexa.intent("SetHoldTimeIntent", seconds="30")
    alexa.intent("AMAZON.StopIntent")
    assert stored() is not None
    asked = alexa.intent("DeleteDataIntent")
    assert phrase("delete_confirm") in said(asked) and not asked.ended
    assert stored() is not None, "nothing is deleted before the yes"
    assert phrase("deleted") in said(alexa.intent("AMAZON.YesIntent"))
    assert stored() == ({"_deleted": 1}, 2) and rig.calls["DeleteItem"] == 0, "a tombstone: nothing but the marker"
    alexa.intent("AMAZON.StopIntent")
    assert stored() == ({"_deleted": 1}, 2)
    welcome = said(alexa.launch())
    assert phrase("welcome") in welcome and DISCLAIMER in welcome, "a new user again"


def test_delete_my_data_no_keeps_the_item(rig: Rig, raw_item: ItemReader) -> None:
    """No keeps everything, byte for byte."""
    alexa = rig.device()
    alexa.intent("SetHoldTimeIntent", seconds="30")
    alexa.intent("AMAZON.StopIntent")
    before = raw_item(USER)
    alexa.intent("DeleteDataIntent")
    assert phrase("delete_kept") in said(alexa.intent("AMAZON.NoIntent"))
    alexa.intent("AMAZON.StopIntent")
    assert raw_item(USER) == before


# -- what only the user can say: the warm-up, the sore leg, how the back feels; a long setting is asked first ----------

HAMSTRINGS = ("hamstring and flexibility routine", "hamstrings")
WARM_UP_ALTERNATIVES = ("brisk walk", "bike ride", "jogging on the spot")


def stretch_ids(routine_id: str) -> list[str]:
    """The catalogue stretches of ``routine_id``, in order."""
    return [i.stretch_id for i in CATALOGUE.routine(routine_id).items]


@pytest.mark.parametrize("warm_up", [True, False], ids=["yes", "no"])
def test_the_warm_up_question_is_kept_by_one_put_item_and_its_answer_starts_the_routine(
    rig: Rig, seed: Callable[..., None], stored: Stored, warm_up: bool
) -> None:
    """"start my back stretches" (the lower back routine) first asks whether to warm up: that request keeps the
    question, for a later launch should the session end on it, by one PutItem. Yes: the warm-up moves come first; no:
    one sentence names the alternatives. Either way the routine is stored playing and the question dropped, by one
    PutItem, before the reply."""
    seed(RETURNING)
    alexa = rig.device()
    asked, made = rig.turn(lambda: alexa.intent("StartRoutineIntent"))
    assert WARM_UP_QUESTION in said(asked) and not holds(asked) and not asked.ended
    assert made == {"GetItem": 1, "PutItem": 1, "DeleteItem": 0}, made
    attributes, version = stored()
    assert attributes["question"][:2] == ["warm_up", "lower_back"] and version == 2
    assert {k: v for k, v in attributes.items() if k != "question"} == RETURNING
    started, made = rig.turn(lambda: alexa.intent("AMAZON.YesIntent" if warm_up else "AMAZON.NoIntent"))
    assert made == {"GetItem": 0, "PutItem": 1, "DeleteItem": 0}, made
    text = said(started)
    first = stretch_names_in_order(text)[0]
    expected = (stretch_ids("warm_up") if warm_up else []) + stretch_ids("lower_back")
    assert first == CATALOGUE.stretch(expected[0]).name and holds(started)
    named = [word in text[: text.index(first)] for word in WARM_UP_ALTERNATIVES]
    assert named == [not warm_up] * len(WARM_UP_ALTERNATIVES), "the alternatives are named before the first stretch, when skipped"
    progress = progress_of(stored)
    assert progress["routine"] == "lower_back" and progress["status"] == "playing"
    assert [i[0] for i in progress["items"]] == expected
    assert "question" not in stored()[0]


@pytest.mark.parametrize("choice", ["always", "skip"])
def test_a_warm_up_choice_is_stored_at_once_and_later_routines_follow_it(rig: Rig, seed: Callable[..., None], stored: Stored, choice: str) -> None:
    """"always warm up" / "skip the warm-up": in the table when the reply comes back (one PutItem). In a later session
    neither routine built on the warm-up article asks again: the lower back routine starts with the warm-up moves, or
    without them and with the alternatives named; the hamstring routine too."""
    seed(RETURNING)
    alexa = rig.device()
    alexa.launch()
    reply, made = rig.turn(lambda: alexa.intent("WarmUpChoiceIntent", choice=(choice, choice)))
    assert phrase(f"warm_up_{choice}") in said(reply) and not reply.ended
    assert made == {"GetItem": 0, "PutItem": 1, "DeleteItem": 0}, made
    assert stored()[0]["warm_up"] == choice, "stored before the reply"
    alexa.intent("AMAZON.StopIntent")
    for routine, routine_id in ((None, "lower_back"), (HAMSTRINGS, "hamstrings")):
        started = said(alexa.intent("StartRoutineIntent", routine=routine) if routine else alexa.intent("StartRoutineIntent"))
        assert WARM_UP_QUESTION not in started and HOLD_CUE.search(started), started[:200]
        expected = (stretch_ids("warm_up") if choice == "always" else []) + stretch_ids(routine_id)
        assert stretch_names_in_order(started)[0] == CATALOGUE.stretch(expected[0]).name
        assert progress_of(stored)["routine"] == routine_id and [i[0] for i in progress_of(stored)["items"]] == expected
        assert (WARM_UP_ALTERNATIVES[0] in started) is (choice == "skip")
        alexa.intent("AMAZON.StopIntent")  # mid-routine, naming another routine would ask before leaving this one


def test_the_warm_up_routine_leads_into_the_users_routine_and_both_are_stored_by_one_put_item(
    rig: Rig, seed: Callable[..., None], stored: Stored
) -> None:
    """The warm-up routine on its own ends by offering the user's routine. Yes, one request and one PutItem: the warm-up
    is stored as finished (its stretches counted, its minutes) and the user's routine as playing; it starts without
    asking about a warm-up again or naming other ways to warm up."""
    seed(RETURNING)
    alexa = rig.device()
    warm_up = alexa.intent("StartRoutineIntent", routine=("warm up routine", "warm_up"))
    assert said(warm_up).endswith(phrase("ask_go_on", routine="the lower back routine")) and not warm_up.ended
    started, made = rig.turn(lambda: alexa.intent("AMAZON.YesIntent"))
    assert made == {"GetItem": 0, "PutItem": 1, "DeleteItem": 0}, made
    text = said(started)
    assert WARM_UP_QUESTION not in text and not [w for w in WARM_UP_ALTERNATIVES if w in text], text[:300]
    assert stretch_names_in_order(text)[0] == "pelvic tilt" and holds(started)
    attributes, _ = stored()
    assert attributes["stretch_counts"] == {s: 1 for s in stretch_ids("warm_up")}
    [[day, minutes]] = attributes["minutes"]
    played = fixed_rate_seconds(warm_up.ssml) / 60
    assert day == today_iso() and abs(minutes - played) <= 1, (minutes, played)
    assert attributes["progress"]["routine"] == "lower_back" and [i[0] for i in attributes["progress"]["items"]] == stretch_ids("lower_back")


def test_the_sore_leg_is_asked_once_stored_at_once_and_the_nerve_glide_done_on_that_leg(
    rig: Rig, seed: Callable[..., None], stored: Stored
) -> None:
    """Sciatica relief asks which leg is sore (one PutItem keeps the question for a later launch); "my left leg" is in
    the table with the reply that starts the routine (one PutItem for both), and the nerve glide is done on the left leg only. In a later
    session "my other leg hurts" is stored at once too (one PutItem), and the routine does not ask again: it glides
    the right leg."""
    seed(RETURNING)
    alexa = rig.device()
    asked, made = rig.turn(lambda: alexa.intent("StartRoutineIntent", routine=SCIATICA))
    assert SORE_LEG_QUESTION in said(asked) and not holds(asked) and not asked.ended
    assert made["PutItem"] == 1 and stored()[0]["question"][:2] == ["sore_leg", "sciatica"]
    started, made = rig.turn(lambda: alexa.intent("SoreLegIntent", leg=("left", "left")))
    assert made == {"GetItem": 0, "PutItem": 1, "DeleteItem": 0}, made
    attributes, _ = stored()
    assert attributes["sore_leg"] == "left" and attributes["progress"]["routine"] == "sciatica"
    assert said(started).endswith(CHECK_IN), "the whole routine is in this response"
    glide = said(started).split("sciatic nerve glide", 1)[1]
    assert "left side" in glide and "right side" not in glide, glide[:200]

    alexa.intent("AMAZON.StopIntent")
    other, made = rig.turn(lambda: alexa.intent("OtherLegIntent"))
    assert phrase("sore_leg_right") in said(other) and not other.ended
    assert made == {"GetItem": 1, "PutItem": 1, "DeleteItem": 0}, made
    assert stored()[0]["sore_leg"] == "right"
    again = said(alexa.intent("StartRoutineIntent", routine=SCIATICA))
    assert SORE_LEG_QUESTION not in again, "asked once"
    glide = again.split("sciatic nerve glide", 1)[1]
    assert "right side" in glide and "left side" not in glide, glide[:200]


@pytest.mark.parametrize(("feeling", "heard"), [("better", "better"), ("same", "about the same"), ("worse", "worse")])
def test_finishing_a_routine_and_answering_the_check_in_are_stored_by_one_put_item(
    rig: Rig, seed: Callable[..., None], stored: Stored, feeling: str, heard: str
) -> None:
    """The last response of a routine ends with the check-in question and keeps the session open, with a reprompt.
    Nothing is counted while it may still be playing. The answer is the next request: with its reply, one PutItem has
    stored the answer with today's date, one more finish of each stretch, today's minutes (the routine's length by the
    stopwatch), and no routine in progress."""
    seed(RETURNING)
    alexa = rig.device()
    started, made = rig.turn(lambda: alexa.intent("StartRoutineIntent", routine=MORNING))
    assert made == {"GetItem": 1, "PutItem": 1, "DeleteItem": 0}, made
    assert said(started).endswith(CHECK_IN) and not started.ended and "better, the same, or worse" in started.reprompt
    summary = phrase("finished", routine="the morning back stretches", done=3, length="@").split("@")[0]
    assert summary in said(started).split(CHECK_IN)[0], "the summary comes before the question"
    attributes, _ = stored()
    assert attributes["progress"]["status"] == "playing"
    assert not {"stretch_counts", "minutes", "feelings"} & set(attributes), "not finished until it has been heard"

    answer, made = rig.turn(lambda: alexa.intent("FeelingIntent", feeling=(heard, feeling)))
    assert made == {"GetItem": 0, "PutItem": 1, "DeleteItem": 0}, made
    assert phrase(f"feeling_{feeling}") in said(answer) and answer.ended
    attributes, version = stored()
    assert version == 3, "one write for the start, one for the answer"
    [[day, answered, at]] = attributes["feelings"]
    assert [day, answered] == [today_iso(), feeling] and abs(float(at) - time.time()) < 60, "kept with the moment it was said"
    assert attributes["stretch_counts"] == {s: 1 for s in stretch_ids("morning")}
    assert "progress" not in attributes
    [[day, minutes]] = attributes["minutes"]
    played = fixed_rate_seconds(started.ssml) / 60
    assert day == today_iso() and abs(minutes - played) <= 1, (minutes, played)


def test_a_check_in_answer_in_a_later_session_is_stored_at_once_and_two_worse_bring_the_advice(
    rig: Rig, seed: Callable[..., None], stored: Stored
) -> None:
    """"My back feels worse" with no routine: stored at once (one PutItem), next to yesterday's stored "worse", and the
    second "worse" in a row brings the advice to see a doctor or physiotherapist."""
    yesterday = (dt.datetime.now(dt.timezone.utc).date() - dt.timedelta(days=1)).isoformat()
    seed({**RETURNING, "feelings": [[yesterday, "worse"]]})
    alexa = rig.device()
    alexa.launch()
    reply, made = rig.turn(lambda: alexa.intent("FeelingIntent", feeling=("worse", "worse")))
    assert made == {"GetItem": 0, "PutItem": 1, "DeleteItem": 0}, made
    assert phrase("feeling_worse_twice") in said(reply)
    assert [f[:2] for f in stored()[0]["feelings"]] == [[yesterday, "worse"], [today_iso(), "worse"]]
    assert stored()[0]["doctor_advised"] > 0, "the next session asks whether they have seen one"


LONG_SETTINGS = [
    ("SetRepsIntent", {"reps": "10"}, {}, "reps", 10),
    ("SetHoldTimeIntent", {"seconds": str(FULL_BACK_LONGEST_HOLD)}, {"reps": 10}, "hold_seconds", FULL_BACK_LONGEST_HOLD),
]


@pytest.mark.parametrize(("intent", "slots", "before", "name", "value"), LONG_SETTINGS, ids=["reps-10", "longest-hold-with-10-reps"])
@pytest.mark.parametrize("yes", [True, False], ids=["yes", "no"])
def test_a_setting_that_makes_the_routine_longer_than_half_an_hour_is_stored_only_after_yes(
    rig: Rig,
    seed: Callable[..., None],
    stored: Stored,
    intent: str,
    slots: dict[str, Any],
    before: dict[str, Any],
    name: str,
    value: int,
    yes: bool,
) -> None:
    """The full back routine is the user's: a setting that takes it past half an hour is not stored when asked for.
    The reply says the new length and asks; that request sends no PutItem. Yes stores it with one PutItem before the
    reply; no leaves the item as it was, again with no PutItem."""
    profile = {**RETURNING, "preferred_routine": "full_back", **before}
    seed(profile)
    alexa = rig.device()
    alexa.launch()
    asked, made = rig.turn(lambda: alexa.intent(intent, **slots))
    assert made == {"GetItem": 0, "PutItem": 0, "DeleteItem": 0}, made
    assert stored() == (profile, 1), "nothing is stored before the yes"
    lead, tail = phrase(f"confirm_long_{name}", value=value, routine="the full back routine", length="@").split("@")
    text = said(asked)
    assert lead in text and tail in text and not asked.ended, text
    length = re.search(r"(\d+) minutes", text.split(lead, 1)[1])
    assert length is not None and int(length.group(1)) > 30, text

    answered, made = rig.turn(lambda: alexa.intent("AMAZON.YesIntent" if yes else "AMAZON.NoIntent"))
    assert not answered.ended
    if yes:
        assert made == {"GetItem": 0, "PutItem": 1, "DeleteItem": 0}, made
        assert stored()[0][name] == value, "stored before the reply"
        assert CANT_SAVE not in said(answered)
    else:
        assert made == {"GetItem": 0, "PutItem": 0, "DeleteItem": 0}, made
        assert phrase("setting_unchanged") in said(answered)
        assert stored() == (profile, 1)


def test_a_routine_confirmed_at_over_half_an_hour_plays_that_long_by_the_stopwatch(rig: Rig, seed: Callable[..., None]) -> None:
    """After yes to 10 repetitions, "start my back stretches" plays the full back routine through; the responses,
    timed at a fixed rate, add up to more than half an hour and to the length the question gave, within a tenth."""
    seed({**RETURNING, "preferred_routine": "full_back"})
    alexa = rig.device()
    asked = said(alexa.intent("SetRepsIntent", reps="10"))
    announced = re.search(r"(\d+) minutes", asked)
    assert announced is not None, asked
    alexa.intent("AMAZON.YesIntent")
    reply = alexa.intent("StartRoutineIntent")
    responses = [reply]
    while not said(reply).endswith(CHECK_IN):
        assert len(responses) < 20 and holds(reply) and not reply.ended, said(reply)[-200:]
        reply = alexa.intent("AMAZON.NextIntent")
        responses.append(reply)
    minutes = sum(fixed_rate_seconds(r.ssml) for r in responses) / 60
    print(f"\nannounced {announced.group(0)}; {len(responses)} responses, {minutes:.1f} minutes by the stopwatch")
    assert minutes > 30 and abs(minutes - int(announced.group(1))) <= int(announced.group(1)) / 10, (minutes, announced.group(0))


# -- said once per user: the safety note and the navigation hint ------------------------------------------------


def test_disclaimer_is_said_once_to_a_new_user(rig: Rig, stored: Stored) -> None:
    """First launch gives the safety note and stores that it did; the next session's launch and routine do not say it."""
    alexa = rig.device()
    assert DISCLAIMER in said(alexa.launch())
    assert stored()[0]["disclaimer_given"] == 1, "stored with the reply, not at session end"
    alexa.end()
    assert DISCLAIMER not in said(alexa.launch())
    assert DISCLAIMER not in said(alexa.intent("StartRoutineIntent", routine=MORNING))


def test_disclaimer_comes_with_a_one_shot_first_routine(rig: Rig) -> None:
    """A new user's first words "start my morning back stretches": the safety note leads, once."""
    alexa = rig.device()
    started = said(alexa.intent("StartRoutineIntent", routine=MORNING))
    assert DISCLAIMER in started and started.index(DISCLAIMER) < started.index("single knee to chest")
    alexa.end()
    again = alexa.intent("StartRoutineIntent", routine=MORNING)
    assert holds(again) and DISCLAIMER not in said(again), "not in the next session"


def test_navigation_hint_is_given_once_per_user_and_stored(rig: Rig, seed: Callable[..., None], stored: Stored) -> None:
    """A user who never heard the hint (an item from before it existed) hears it with their next routine, once."""
    seed({k: v for k, v in SEEDED.items() if k != "hint_given"})
    alexa = rig.device()
    first = said(alexa.intent("StartRoutineIntent", routine=MORNING))
    assert first.count(HINT) == 1
    assert stored()[0]["hint_given"] == 1
    for routine in (MORNING, LOWER_BACK):
        alexa.intent("AMAZON.StopIntent")
        started = alexa.intent("StartRoutineIntent", routine=routine)
        if routine is LOWER_BACK:
            started = skip_warm_up(alexa, started)
        assert holds(started) and HINT not in said(started), "not every time"


# -- finished stretches are counted, and familiar ones are introduced briefly ----------------------------------


def test_finished_stretches_are_counted_and_the_fourth_time_their_steps_are_left_out(rig: Rig, seed: Callable[..., None], stored: Stored) -> None:
    """A routine heard to its end adds one to each of its stretches in the table, with one PutItem, as soon as that is
    known: at the next request (the check-in answer), at the session's end (silence), or, when no session end came,
    at the user's next launch, an hour later on another device. From the fourth time a stretch is named with its cue,
    without its steps."""
    seed(RETURNING)
    step = CATALOGUE.stretch("double_knee_to_chest").steps[0]
    morning = [i.stretch_id for i in CATALOGUE.routine("morning").items]

    def launch_an_hour_later(_alexa: Alexa) -> Reply:
        """The stored routine's last response was sent an hour ago (the item is aged, its version kept); launch anew."""
        attributes, version = stored()
        attributes["progress"]["updated_at"] -= 3600
        attributes["progress"]["chunk"][2] -= 3600 * 1000  # [start, end, sent at (epoch ms), ends]
        seed(attributes, version=version)
        welcome = rig.device().launch()
        assert offered_stretch(said(welcome), "morning back stretches") is None, "nothing left to carry on"
        return welcome

    endings: list[Callable[[Alexa], Reply]] = [
        lambda alexa: alexa.intent("FeelingIntent", feeling=("better", "better")),
        lambda alexa: alexa.end(),
        launch_an_hour_later,
    ]
    for finished, ending in enumerate(endings, start=1):
        alexa = rig.device()
        started = alexa.intent("StartRoutineIntent", routine=MORNING)
        assert not started.ended and said(started).endswith(CHECK_IN), f"routine {finished}: it ends with the check-in"
        assert step in said(started), f"routine {finished}: the steps are read"
        before = stored()[0].get("stretch_counts", {})
        assert before == ({s: finished - 1 for s in morning} if finished > 1 else {}), "not counted before it is heard"
        _, made = rig.turn(lambda: ending(alexa))
        assert made["PutItem"] == 1, (finished, made)
        attributes, _ = stored()
        assert attributes["stretch_counts"] == {s: finished for s in morning}
        assert "progress" not in attributes
    alexa = rig.device()
    fourth = said(alexa.intent("StartRoutineIntent", routine=MORNING))
    assert step not in fourth and "double knee to chest" in fourth
    assert CATALOGUE.stretch("double_knee_to_chest").cue in fourth
    goodbye = alexa.intent("AMAZON.StopIntent")
    assert goodbye.ended and KEPT_PLACE not in said(goodbye), "a finished routine leaves no place to keep"
    assert stored()[0]["stretch_counts"]["double_knee_to_chest"] == 4


def test_a_routine_left_unfinished_counts_no_stretch(rig: Rig, seed: Callable[..., None], stored: Stored) -> None:
    """Stopping part way stores the place, not a finish."""
    seed(LONG)
    alexa = rig.device()
    alexa.intent("StartRoutineIntent", routine=FULL_BACK)
    alexa.intent("AMAZON.StopIntent")
    attributes, _ = stored()
    assert "stretch_counts" not in attributes and attributes["progress"]["routine"] == "full_back"


# -- a routine's place: stored when it starts, at a pause, at "this hurts", and at the end of a session ----------------


def test_starting_a_routine_stores_it_playing_with_the_chunk_sent(rig: Rig, seed: Callable[..., None], stored: Stored) -> None:
    """Right after the first response of a routine (one PutItem): status "playing", and which segments were sent, and when."""
    seed(LONG)
    alexa = rig.device()
    before_ms = int(time.time() * 1000)
    started, made = rig.turn(lambda: alexa.intent("StartRoutineIntent", routine=FULL_BACK))
    after_ms = int(time.time() * 1000)
    assert not started.ended and holds(started)
    assert made["PutItem"] == 1, made
    progress = progress_of(stored)
    assert progress["routine"] == "full_back" and progress["status"] == "playing"
    start, end, sent_at, ends, spoken, (length, words) = progress["chunk"]
    assert progress["position"] == start == 0 and end > start
    assert before_ms <= sent_at <= after_ms, "the time it was sent, in epoch milliseconds"
    assert len(ends) == end - start + 1 and ends == sorted(ends)
    assert len(spoken) == len(ends) and spoken == sorted(spoken), "how much of each offset is words"
    assert all(said <= at for said, at in zip(spoken, ends)) and spoken[-1] < ends[-1] / 2, "holds are mostly breaks"
    assert ends[-1] < length and spoken[-1] < words < length, "the whole response, its closing question too"
    assert [i[0] for i in progress["items"]] == [i.stretch_id for i in CATALOGUE.routine("full_back").items]
    # The stored hold and reps, each kept inside the range the routine's article gives (the catalogue's figures).
    assert [i[1:] for i in progress["items"]] == [[safe_hold(i[0], LONG["hold_seconds"], "full_back"), safe_reps(i[0], LONG["reps"], "full_back")] for i in progress["items"]]
    defaults = [
        [r.default for r in i.ranges(CATALOGUE.stretch(i.stretch_id))] for i in CATALOGUE.routine("full_back").items
    ]
    assert [i[1:] for i in progress["items"]] != defaults, "the stored settings were used"


def test_each_response_that_sends_more_of_the_routine_stores_its_chunk(rig: Rig, seed: Callable[..., None], stored: Stored) -> None:
    """"next" at the end of a response: the new chunk is stored with the reply, starting where the last one ended."""
    seed(LONG)
    alexa = rig.device()
    alexa.intent("StartRoutineIntent", routine=FULL_BACK)
    first = progress_of(stored)["chunk"]
    reply, made = rig.turn(lambda: alexa.intent("AMAZON.NextIntent"))
    assert not reply.ended and made["PutItem"] == 1
    progress = progress_of(stored)
    assert progress["status"] == "playing"
    assert progress["chunk"][0] >= first[1], "carries on after what was already sent"
    assert progress["chunk"][2] >= first[2]


@pytest.mark.parametrize("intent", ["AMAZON.PauseIntent", "PainIntent"], ids=["pause", "this-hurts"])
def test_pause_and_this_hurts_are_stored_at_once(rig: Rig, seed: Callable[..., None], stored: Stored, intent: str) -> None:
    """Said during a routine: with the reply, the stored routine is paused (no chunk playing), by one PutItem, and no hold is
    played. "This hurts" must not leave the routine playing."""
    seed(LONG)
    alexa = rig.device()
    alexa.intent("StartRoutineIntent", routine=FULL_BACK)
    assert progress_of(stored)["status"] == "playing"
    reply, made = rig.turn(lambda: alexa.intent(intent))
    assert made["PutItem"] == 1, made
    progress = progress_of(stored)
    assert progress["status"] == "paused" and "chunk" not in progress, progress
    assert progress["routine"] == "full_back" and progress["position"] > 0, "the place is kept, past what was heard"
    assert not holds(reply), "nothing more is played"
    if intent == "PainIntent":
        assert phrase("pain") in said(reply)


def test_this_hurts_then_no_ends_with_the_place_kept(rig: Rig, seed: Callable[..., None], stored: Stored) -> None:
    """"This hurts", then no to the next stretch: the session closes and the paused place stays stored for next time."""
    seed(LONG)
    alexa = rig.device()
    alexa.intent("StartRoutineIntent", routine=FULL_BACK)
    alexa.intent("PainIntent")
    paused = progress_of(stored)
    done = alexa.intent("AMAZON.NoIntent")
    assert done.ended
    assert progress_of(stored) == paused
    assert offered_stretch(said(alexa.launch()), "full back routine") is not None


def test_interrupted_routine_is_offered_and_continued_where_it_stopped(rig: Rig, seed: Callable[..., None], stored: Stored) -> None:
    """The session ends after the second response (silence); the next launch offers the stretch that came next; yes plays it."""
    seed(LONG)
    alexa = rig.device()
    alexa.intent("StartRoutineIntent", routine=FULL_BACK)
    second = said(alexa.intent("AMAZON.NextIntent"))
    alexa.end("EXCEEDED_MAX_REPROMPTS")
    progress = progress_of(stored)
    assert progress["routine"] == "full_back" and progress["status"] == "paused" and "chunk" not in progress
    welcome = said(alexa.launch())
    offered = offered_stretch(welcome, "full back routine")
    assert offered is not None and offered != "back flexion", welcome
    assert offered in second, "a stretch from the response heard last, or announced at its end"
    carried_on = alexa.intent("AMAZON.YesIntent")
    assert phrase("continue_saved", routine="the full back routine") in said(carried_on)
    assert stretch_names_in_order(said(carried_on))[0] == offered
    assert holds(carried_on)


@pytest.mark.parametrize(("age_days", "offered"), [(1, True), (6, True), (8, False), (30, False)])
def test_only_a_recent_interrupted_routine_is_offered(rig: Rig, seed: Callable[..., None], age_days: int, offered: bool) -> None:
    """A stored routine interrupted more than 7 days ago is not offered, at launch or on "next"."""
    seed({**SEEDED, "progress": progress_for("morning", 5, int(time.time()) - age_days * DAY)})
    alexa = rig.device()
    welcome = said(alexa.launch())
    assert (offered_stretch(welcome, "morning back stretches") is not None) is offered
    alexa.intent("AMAZON.StopIntent")
    onward = said(alexa.intent("AMAZON.NextIntent"))
    assert (phrase("continue_saved", routine="the morning back stretches") in onward) is offered
    assert (phrase("no_routine") in onward) is not offered


# -- stored data from elsewhere: migrated, or reset and said once ------------------------------------------------


def test_legacy_item_without_version_or_schema_is_migrated_keeping_progress(rig: Rig, seed: Callable[..., None], stored: Stored) -> None:
    """An item the plain ask-sdk adapter wrote ({"progress": ...}, no version): no reset notice, routine offered, item upgraded."""
    seed({"progress": progress_for("morning", 5, int(time.time()) - 3600)}, version=None)
    alexa = rig.device()
    welcome = said(alexa.launch())
    assert RESET_NOTICE not in welcome and offered_stretch(welcome, "morning back stretches") is not None
    finished = alexa.intent("AMAZON.YesIntent")
    assert holds(finished) and said(finished).endswith(CHECK_IN), "the rest of the routine is played to its end"
    attributes, version = stored()
    assert attributes["schema"] == 1 and version >= 1, "the item now has a schema and a version"
    alexa.end()  # no answer to the check-in: the routine was heard to its end all the same
    attributes, _ = stored()
    assert "progress" not in attributes and attributes["stretch_counts"]["knee_to_chest_pulses"] == 1


def test_progress_from_the_old_block_by_block_design_is_dropped_quietly(rig: Rig, seed: Callable[..., None], stored: Stored) -> None:
    """Progress saved by the previous version (status "active") is not offered and breaks nothing; settings are kept."""
    seed({**SEEDED, "progress": progress_for("morning", 1, int(time.time()) - 3600, status="active")})
    alexa = rig.device()
    welcome = said(alexa.launch())
    assert "carry on" not in welcome and WENT_WRONG not in welcome and RESET_NOTICE not in welcome
    started = alexa.intent("StartRoutineIntent", routine=MORNING)
    assert check_holds(started, SET_HOLD, "morning")["single_knee_to_chest"] == {SET_HOLD}
    assert stored()[0]["hold_seconds"] == SET_HOLD


@pytest.mark.parametrize(
    "attributes",
    [
        {"schema": 1, "hold_seconds": 500, "reps": 3},
        {"schema": 1, "hold_seconds": 45, "level": "expert", "reps": 3},
        {"schema": 1, "own_routine": ["no_such_stretch"], "reps": 3},
        {"schema": 1, "stretch_counts": {"childs_pose": 3, "no_such_stretch": 1}, "reps": 3},
        {"schema": 1, "hint_given": 7, "reps": 3},
        {"schema": "1", "reps": 3},
    ],
    ids=["hold-500", "unknown-level", "unknown-stretch", "unknown-counted-stretch", "hint-7", "string-schema"],
)
def test_bad_stored_settings_are_reset_written_back_at_once_and_said_once(
    rig: Rig, seed: Callable[..., None], stored: Stored, attributes: dict[str, Any]
) -> None:
    """Invalid stored values: one sentence, once per session; the cleaned profile is written with the first reply."""
    seed(attributes)
    alexa = rig.device()
    welcome, made = rig.turn(alexa.launch)
    assert RESET_NOTICE in said(welcome) and made["PutItem"] == 1
    cleaned, version = stored()
    assert version == 2 and cleaned["schema"] == 1
    assert cleaned.get("hold_seconds") in (None, 45) and cleaned.get("level", "standard") in ("standard", "beginner")
    assert "future_field" not in cleaned and cleaned.get("own_routine") is None
    assert cleaned.get("stretch_counts") is None and cleaned["hint_given"] in (0, 1)
    replies = [welcome, alexa.intent("StartRoutineIntent", routine=MORNING), alexa.intent("AMAZON.StopIntent")]
    assert count_phrase(replies, RESET_NOTICE) == 1
    assert RESET_NOTICE not in said(alexa.launch()), "not again next session"


def test_an_item_from_a_newer_release_is_used_not_reset_and_keeps_what_this_release_does_not_know(
    rig: Rig, seed: Callable[..., None], stored: Stored
) -> None:
    """After a rollback, an item a newer release wrote (a higher schema number, a field unknown here): no reset notice,
    the settings this release knows are played, and a change stored by one PutItem keeps the schema number and the
    unknown field."""
    seed({**SEEDED, "schema": 99, "reps": 3, "future_field": "x"})
    alexa = rig.device()
    assert RESET_NOTICE not in said(alexa.launch())
    started = alexa.intent("StartRoutineIntent", routine=MORNING)
    assert check_holds(started, SET_HOLD, "morning")["single_knee_to_chest"] == {SET_HOLD}
    reply, made = rig.turn(lambda: alexa.intent("SetRepsIntent", reps="4"))
    assert phrase("reps_set_nearest", reps=4) in said(reply) and RESET_NOTICE not in said(reply)
    assert made == {"GetItem": 0, "PutItem": 1, "DeleteItem": 0}, made
    attributes, _ = stored()
    assert attributes["reps"] == 4 and attributes["hold_seconds"] == SET_HOLD
    assert attributes["schema"] == 99 and attributes["future_field"] == "x"


def test_stored_progress_with_a_fraction_does_not_break_later_saves(rig: Rig, seed: Callable[..., None], stored: Stored) -> None:
    """Corrupt progress in the item must not make every later save of the session fail."""
    seed({**SEEDED, "progress": {**progress_for("morning", 5, int(time.time())), "updated_at": Decimal("1.5")}})
    alexa = rig.device()
    alexa.launch()
    reply = said(alexa.intent("SetHoldTimeIntent", seconds="30"))
    assert WENT_WRONG not in reply and phrase("hold_set_up_to", seconds=30) in reply and CANT_SAVE not in reply
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
        {"attributes": {"M": {"schema": {"N": "1"}, "stretch_counts": {"M": {"childs_pose": {"N": "2.5"}}}}}, "version": {"N": "1"}},
    ],
    ids=["version-string", "string-set", "count-fraction"],
)
def test_corrupt_item_does_not_break_the_skill(rig: Rig, ddb: BaseClient, table: str, stored: Stored, item: dict[str, Any]) -> None:
    """A hand-edited item (version a string, a string set where a list belongs, a fractional count) must not make the skill
    unusable, and the next write replaces it with something readable."""
    ddb.put_item(TableName=table, Item={"id": {"S": USER}, **item})
    alexa = rig.device()
    assert WENT_WRONG not in said(alexa.launch())
    assert WENT_WRONG not in said(alexa.intent("SetRepsIntent", reps="4"))
    attributes, _ = stored()
    assert attributes["reps"] == 4 and attributes["schema"] == 1


# -- the store budget: 1 GetItem a session, at most 1 PutItem a request, none when nothing changed -------------------

# Every script starts by making the full back routine long (the longest holds its stretches allow, 10 per side)
# so that it takes many responses, and never reaches its end: the session stays open to the end of the script.
# (The user's own routine is the lower back one, so neither setting is long enough to need a confirmation.)
TEN_TURNS: list[tuple[str, dict[str, Any]]] = [
    ("LaunchRequest", {}),
    ("SetHoldTimeIntent", {"seconds": str(FULL_BACK_LONGEST_HOLD)}),
    ("SetRepsIntent", {"reps": "10"}),
    ("StartRoutineIntent", {"routine": FULL_BACK}),
    ("AMAZON.NextIntent", {}),
    ("AMAZON.PauseIntent", {}),
    ("AMAZON.ResumeIntent", {}),
    ("SetHoldTimeIntent", {"seconds": str(SET_HOLD)}),
    ("AMAZON.HelpIntent", {}),
    ("AMAZON.StopIntent", {}),
]

# Start over after the third and fourth stretches have played: "this hurts" must come before the last stretch,
# or it would finish the routine (the place is checked at the end).
TWENTY_FIVE_TURNS: list[tuple[str, dict[str, Any]]] = [
    ("LaunchRequest", {}),
    ("SetHoldTimeIntent", {"seconds": str(FULL_BACK_LONGEST_HOLD)}),
    ("SetRepsIntent", {"reps": "10"}),
    ("MyRoutineIntent", {}),
    ("StartRoutineIntent", {"routine": FULL_BACK}),
    ("SetHoldTimeIntent", {"seconds": str(SET_HOLD)}),
    ("ProgressIntent", {}),
    ("AMAZON.ResumeIntent", {}),
    ("AMAZON.PauseIntent", {}),
    ("AMAZON.ResumeIntent", {}),
    ("SetRepsIntent", {"reps": "3"}),
    ("AMAZON.StartOverIntent", {}),
    ("AMAZON.RepeatIntent", {}),
    ("SetLevelIntent", {"level": ("beginner", "beginner")}),
    ("AMAZON.HelpIntent", {}),
    ("AddStretchIntent", {"stretch": CHILDS_POSE}),
    ("MyRoutineIntent", {}),
    ("PainIntent", {}),
    ("AMAZON.PreviousIntent", {}),
    ("SetPreferredRoutineIntent", {"routine": LOWER_BACK}),
    ("ProgressStatsIntent", {}),
    ("AMAZON.PauseIntent", {}),
    ("AMAZON.ResumeIntent", {}),
    ("AMAZON.PreviousIntent", {}),
    ("AMAZON.StopIntent", {}),
]


def play(rig: Rig, alexa: Alexa, turns: list[tuple[str, dict[str, Any]]]) -> list[Reply]:
    """Say ``turns`` in one session, counting each request's DynamoDB traffic; only the last reply ends the session."""
    replies = []
    for index, (name, slots) in enumerate(turns):
        reply, _ = rig.turn(lambda: alexa.launch() if name == "LaunchRequest" else alexa.intent(name, **slots))
        replies.append(reply)
        assert reply.ended is (index == len(turns) - 1), f"turn {index} ({name}) ended={reply.ended}: {said(reply)[:160]}"
        assert WENT_WRONG not in said(reply) and CANT_SAVE not in said(reply), f"turn {index} ({name}): {said(reply)[:160]}"
    return replies


@pytest.mark.parametrize("turns", [TEN_TURNS, TWENTY_FIVE_TURNS], ids=["10-turns", "25-turns"])
@pytest.mark.parametrize("returning", [False, True], ids=["new-user", "returning-user"])
def test_a_session_reads_once_and_writes_at_most_once_per_request(
    rig: Rig,
    seed: Callable[..., None],
    stored: Stored,
    turns: list[tuple[str, dict[str, Any]]],
    returning: bool,
    record_property: Callable[[str, object], None],
) -> None:
    """However long the session: one GetItem in all (on the first turn), at most one PutItem per request, and every change
    has landed by the end."""
    if returning:
        seed({**SEEDED, "reps": 2})
    play(rig, rig.device(), turns)
    puts = [made["PutItem"] for made in rig.per_turn]
    gets = [made["GetItem"] for made in rig.per_turn]
    totals = {op: rig.calls[op] for op in ("GetItem", "PutItem", "DeleteItem")}
    record_property("dynamodb_requests", totals)
    record_property("put_item_per_turn", puts)
    print(f"\n{len(turns)} turns, {'returning' if returning else 'new'} user: DynamoDB received {totals}; PutItem per turn {puts}")
    assert gets[0] == 1 and sum(gets) == 1, gets
    assert max(puts) <= 1, puts
    assert rig.calls["DeleteItem"] == 0
    assert rig.calls["GetItem" + SHARED] <= 1 and rig.calls["PutItem" + SHARED] == 0, "the shared item: one read, no news"
    attributes, version = stored()
    assert version == (1 if returning else 0) + sum(puts), "every PutItem landed, none conflicted"
    if turns is TEN_TURNS:
        assert attributes["hold_seconds"] == SET_HOLD and attributes["reps"] == 10
    else:
        assert attributes["reps"] == 3 and attributes["level"] == "beginner" and attributes["preferred_routine"] == "lower_back"
        assert "childs_pose" in attributes["own_routine"] and "hold_seconds" not in attributes
    assert attributes["progress"]["routine"] == "full_back" and attributes["progress"]["status"] == "paused", "the place is kept"


def test_the_script_requests_that_change_nothing_write_nothing(rig: Rig, seed: Callable[..., None]) -> None:
    """In the long session, the requests that change nothing stored send no PutItem (checked turn by turn)."""
    seed({**SEEDED, "reps": 2})
    play(rig, rig.device(), TWENTY_FIVE_TURNS)
    by_turn = list(zip((name for name, _ in TWENTY_FIVE_TURNS), (made["PutItem"] for made in rig.per_turn)))
    assert by_turn[3] == ("MyRoutineIntent", 0), by_turn
    # After a setting has paused the routine, asking how long is left, for help, for the routine or for
    # the stats leaves the stored place exactly as it was.
    assert by_turn[6] == ("ProgressIntent", 0) and by_turn[14] == ("AMAZON.HelpIntent", 0), by_turn
    assert by_turn[16] == ("MyRoutineIntent", 0) and by_turn[20] == ("ProgressStatsIntent", 0), by_turn


NO_CHANGE: list[tuple[str, dict[str, Any]]] = [
    ("AMAZON.HelpIntent", {}),
    ("ProgressIntent", {}),
    ("MyRoutineIntent", {}),
    ("ProgressStatsIntent", {}),
    ("ListRoutinesIntent", {}),
    ("StretchInfoIntent", {"stretch": CHILDS_POSE}),
    ("SetHoldTimeIntent", {"seconds": "95"}),
    ("SetRepsIntent", {"reps": "11"}),
    ("SetLevelIntent", {"level": ("expert", None)}),
    ("AddStretchIntent", {"stretch": ("pizza", None)}),
    ("AMAZON.FallbackIntent", {}),
    ("AMAZON.RepeatIntent", {}),
]


@pytest.mark.parametrize(("intent", "slots"), NO_CHANGE, ids=[f"{name}-{i}" for i, (name, _) in enumerate(NO_CHANGE)])
def test_a_request_that_changes_nothing_sends_no_put_item(
    rig: Rig, seed: Callable[..., None], stored: Stored, intent: str, slots: dict[str, Any]
) -> None:
    """Outside a routine, questions and refused settings: no PutItem (and no second GetItem); the item is as it was."""
    seed(SEEDED)
    alexa = rig.device()
    alexa.launch()
    reply, made = rig.turn(lambda: alexa.intent(intent, **slots))
    assert WENT_WRONG not in said(reply) and not reply.ended
    assert made == {"GetItem": 0, "PutItem": 0, "DeleteItem": 0}, made
    assert stored() == (SEEDED, 1)


def test_a_returning_users_launch_and_goodbye_write_nothing(rig: Rig, seed: Callable[..., None], stored: Stored) -> None:
    """Welcome back, then stop or silence: one GetItem, no PutItem."""
    seed(SEEDED)
    alexa = rig.device()
    alexa.launch()
    alexa.intent("AMAZON.StopIntent")
    alexa.launch()
    alexa.end("EXCEEDED_MAX_REPROMPTS")
    assert (rig.reads, rig.writes) == (2, 0), dict(rig.calls)
    assert stored() == (SEEDED, 1)


def test_asking_the_devices_time_zone_costs_no_store_request(rig: Rig) -> None:
    """The same session with and without Alexa's Settings API (a local stand-in answering a zone): the
    same GetItem and PutItem, turn by turn; the zone rides in a write the routine makes anyway."""
    from tests.support.reminders_api import RemindersServer

    play(rig, rig.device(user_id="amzn1.ask.account.WITHOUTZONE"), TEN_TURNS)
    without = [dict(made) for made in rig.per_turn]
    rig.reset_counts()
    with RemindersServer() as settings:
        alexa = rig.device()
        alexa.api_endpoint, alexa.api_access_token = settings.url, settings.access_token
        play(rig, alexa, TEN_TURNS)
        assert len(settings.settings_calls) == 1
    assert [dict(made) for made in rig.per_turn] == without


def test_two_sessions_get_a_budget_each(rig: Rig) -> None:
    """The budget is per session: a second session reads the profile again (once)."""
    alexa = rig.device()
    play(rig, alexa, TEN_TURNS)
    rig.reset_counts()
    play(rig, alexa, TEN_TURNS)
    assert rig.reads == 1 and max(made["PutItem"] for made in rig.per_turn) <= 1


# -- two devices of one user at once ------------------------------------------------------------------------


@pytest.mark.parametrize("existing", [True, False], ids=["existing-item", "new-user"])
def test_two_devices_changing_different_settings_both_land(rig: Rig, seed: Callable[..., None], stored: Stored, existing: bool) -> None:
    """A and B load the same version; A sets the hold, B the reps (B's write conflicts, re-reads, re-applies); both land at once."""
    if existing:
        seed({**SEEDED, "hold_seconds": 20, "reps": 2})
    device_a, device_b = rig.device(), rig.device()
    device_a.launch()
    device_b.launch()
    assert rig.reads == 2
    assert phrase("hold_set_up_to", seconds=30) in said(device_a.intent("SetHoldTimeIntent", seconds="30"))
    reply_b, made_b = rig.turn(lambda: device_b.intent("SetRepsIntent", reps="5"))
    assert phrase("reps_set_up_to", reps=5) in said(reply_b) and CANT_SAVE not in said(reply_b)
    assert made_b == {"GetItem": 1, "PutItem": 2, "DeleteItem": 0}, "B's conflict costs one re-read and one more write"
    attributes, _ = stored()
    assert attributes["hold_seconds"] == 30 and attributes["reps"] == 5, "both stored before either session ends"


def test_two_devices_taking_turns_keep_every_change(rig: Rig, seed: Callable[..., None], stored: Stored) -> None:
    """Changes from two sessions interleaved, each stored at once: later writes conflict and merge; nothing is lost."""
    seed({**SEEDED, "hold_seconds": 20, "reps": 2})
    device_a, device_b = rig.device(), rig.device()
    device_a.launch()
    device_b.launch()
    device_a.intent("SetHoldTimeIntent", seconds="30")
    device_b.intent("SetRepsIntent", reps="5")
    device_a.intent("SetPreferredRoutineIntent", routine=LOWER_BACK)
    device_b.intent("AddStretchIntent", stretch=CHILDS_POSE)
    device_b.intent("AMAZON.StopIntent")
    device_a.intent("AMAZON.StopIntent")
    attributes, _ = stored()
    assert attributes["hold_seconds"] == 30 and attributes["reps"] == 5
    assert attributes["preferred_routine"] == "lower_back"
    assert "childs_pose" in attributes["own_routine"]


def test_a_routine_on_one_device_and_a_setting_on_another_both_land(rig: Rig, seed: Callable[..., None], stored: Stored) -> None:
    """Device A pauses its routine while device B (same user) changes the reps: the paused place and the reps are both stored."""
    seed(LONG)
    device_a, device_b = rig.device(), rig.device()
    device_a.intent("StartRoutineIntent", routine=FULL_BACK)
    device_b.launch()
    device_b.intent("SetRepsIntent", reps="4")
    device_a.intent("AMAZON.PauseIntent")
    attributes, _ = stored()
    assert attributes["reps"] == 4
    assert attributes["progress"]["routine"] == "full_back" and attributes["progress"]["status"] == "paused"


# -- faults: the store is down, slow, throttled, or the session is tampered with -----------------------------------


def test_store_lost_mid_session_the_routine_goes_on_and_the_user_is_told_once(
    make_rig: RigMaker, create_dynamodb_table: Callable[[BaseClient, str], str]
) -> None:
    """DynamoDB Local stops after the routine started: next, pause, continue, a setting and stop all answer; one notice;
    after the first failed write no more are sent."""
    with DynamoDBLocal() as own:
        ddb = client(own.endpoint)
        create_dynamodb_table(ddb, "fault-mid-session")
        ddb.put_item(TableName="fault-mid-session", Item={"id": {"S": USER}, "attributes": _serializer.serialize(LONG), "version": {"N": "1"}})
        rig = make_rig("fault-mid-session", own.endpoint)
        alexa = rig.device()
        started = alexa.intent("StartRoutineIntent", routine=FULL_BACK)
        assert holds(started) and rig.reads == 1 and rig.writes == 1
        own.stop()
        rig.reset_counts()
        replies = [
            alexa.intent("AMAZON.NextIntent"),
            alexa.intent("AMAZON.PauseIntent"),
            alexa.intent("AMAZON.ResumeIntent"),
            alexa.intent("SetHoldTimeIntent", seconds="30"),
            alexa.intent("AMAZON.ResumeIntent"),
            alexa.intent("AMAZON.PauseIntent"),
            alexa.intent("AMAZON.StopIntent"),
        ]
    assert holds(replies[0]) and holds(replies[2]) and holds(replies[4]), "the routine goes on"
    assert phrase("hold_set_up_to", seconds=30) in said(replies[3])
    assert count_phrase([started, *replies], CANT_SAVE) == 1, [said(r)[:80] for r in replies]
    assert CANT_SAVE in said(replies[0]), "said with the first reply that could not be saved"
    assert replies[-1].ended and KEPT_PLACE not in said(replies[-1]), "no claim to have saved"
    assert all(WENT_WRONG not in said(r) for r in replies)
    assert rig.reads == 0, "no read after the first"
    assert rig.writes <= 2, f"one failed write (and at most the store's one retry), then none: {dict(rig.calls)}"


def test_store_down_from_the_start_runs_on_defaults_and_says_so_once(make_rig: RigMaker) -> None:
    """The table's server answers only errors: launch and a routine work with defaults; one notice; no PutItem at all."""
    rig = make_rig("users", f"http://127.0.0.1:{free_loopback_port()}")
    alexa = rig.device()
    began = time.monotonic()
    welcome = alexa.launch()
    assert time.monotonic() - began < 8.0
    assert CANT_SAVE in said(welcome) and phrase("welcome") in said(welcome)
    reads_at_launch = rig.reads
    replies = [
        welcome,
        alexa.intent("SetHoldTimeIntent", seconds=str(SET_HOLD)),
        alexa.intent("SetRepsIntent", reps="10"),
        alexa.intent("StartRoutineIntent", routine=FULL_BACK),
        alexa.intent("AMAZON.PauseIntent"),
        alexa.intent("AMAZON.ResumeIntent"),
        alexa.intent("AMAZON.StopIntent"),
    ]
    assert check_holds(replies[3], SET_HOLD, "full_back"), "the session's own setting is used, though it could not be stored"
    assert holds(replies[5]) and replies[-1].ended and not any(r.ended for r in replies[:-1])
    assert count_phrase(replies, CANT_SAVE) == 1
    assert 1 <= reads_at_launch <= 2 and rig.reads == reads_at_launch, "one GetItem (and the store's one retry), never again"
    assert rig.writes == 0, "after a failed read nothing is written"
    assert all(WENT_WRONG not in said(r) for r in replies)


def test_nothing_listening_for_a_one_shot_routine_still_plays_it(make_rig: RigMaker) -> None:
    """"start my morning back stretches" as the first words, store unreachable: the notice, then the routine, in time."""
    rig = make_rig("users", f"http://127.0.0.1:{free_loopback_port()}", failing=set())
    began = time.monotonic()
    reply = rig.device().intent("StartRoutineIntent", routine=MORNING)
    assert time.monotonic() - began < 8.0
    assert CANT_SAVE in said(reply) and said(reply).index(CANT_SAVE) < said(reply).index("single knee to chest")
    assert holds(reply)


def test_throttled_writes_keep_the_stored_data_and_say_so_once(
    make_rig: RigMaker, table: str, dynamodb_local: DynamoDBLocal, seed: Callable[..., None], stored: Stored
) -> None:
    """PutItem throttled (injected): the stored hold is used, every reply plays, one notice, the item is untouched,
    and after the first failed PutItem no other is tried."""
    seed(LONG)
    rig = make_rig(table, dynamodb_local.endpoint, failing={"put_item"})
    alexa = rig.device()
    replies = [
        alexa.launch(),
        alexa.intent("StartRoutineIntent", routine=FULL_BACK),
        alexa.intent("SetRepsIntent", reps="5"),
        alexa.intent("SetHoldTimeIntent", seconds="30"),
        alexa.intent("AMAZON.ResumeIntent"),
        alexa.intent("AMAZON.PauseIntent"),
        alexa.intent("AMAZON.StopIntent"),
    ]
    assert check_holds(replies[1], SET_HOLD, "full_back"), "the stored hold was read and used"
    assert CANT_SAVE in said(replies[1]), "the routine's first response is the first write"
    assert phrase("reps_set_up_to", reps=5) in said(replies[2])
    assert holds(replies[4])
    assert count_phrase(replies, CANT_SAVE) == 1
    assert rig.calls["PutItem"] == 1 and rig.calls["GetItem"] == 1, dict(rig.calls)
    assert stored() == (LONG, 1), "the item is exactly as it was"


def test_throttled_read_never_overwrites_stored_data_with_defaults(
    make_rig: RigMaker, table: str, dynamodb_local: DynamoDBLocal, seed: Callable[..., None], stored: Stored
) -> None:
    """GetItem throttled (injected), PutItem would work: the session runs on defaults and writes nothing at all."""
    seed(SEEDED)
    rig = make_rig(table, dynamodb_local.endpoint, failing={"get_item"})
    alexa = rig.device()
    replies = [
        alexa.launch(),
        alexa.intent("SetRepsIntent", reps="5"),
        alexa.intent("StartRoutineIntent", routine=MORNING),
        alexa.intent("AMAZON.StopIntent"),
    ]
    assert CANT_SAVE in said(replies[0]) and count_phrase(replies, CANT_SAVE) == 1
    assert holds(replies[2])[0] == CATALOGUE.stretch("single_knee_to_chest").hold.default != SET_HOLD, "defaults: the stored hold could not be read"
    assert rig.calls["GetItem"] == 1 and rig.calls["PutItem"] == 0
    assert stored() == (SEEDED, 1)


@pytest.mark.parametrize(
    "user_attributes",
    [
        "garbage",
        ["profile"],
        {"profile": "garbage", "version": 1},
        {"profile": {"schema": 1, "hold_seconds": 500}, "version": 1},
        {"profile": {"schema": 1, "hold_seconds": 20.5}, "version": 1},
        {"profile": {"schema": 99}, "version": 1},
        {"profile": {"schema": 1, "own_routine": ["drop table"]}, "version": 1},
        {"profile": {"schema": 1, "stretch_counts": {"childs_pose": 1000}}, "version": 1},
        {"profile": {"schema": 1, "hold_seconds": 10}, "version": -1},
        {"profile": {"schema": 1, "hold_seconds": 10}, "version": True},
        {"profile": {"schema": 1, "hold_seconds": 10}, "version": "1"},
        {"profile": {"schema": 1, "hold_seconds": 10}},
        {"version": 1},
        {"profile": {}, "version": 1},
    ],
    ids=[
        "string", "list", "profile-string", "hold-500", "hold-float", "schema-99", "bad-stretch", "count-1000",
        "negative-version", "bool-version", "string-version", "no-version", "no-profile", "empty-profile",
    ],
)
def test_tampered_session_profile_is_read_again_from_the_store(rig: Rig, seed: Callable[..., None], stored: Stored, user_attributes: Any) -> None:
    """A "user" session attribute that is not this release's own is ignored: one GetItem, the stored hold, no crash, and
    the routine's write leaves the stored settings as they were."""
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
    assert WENT_WRONG not in said(reply)
    assert rig.reads == 1
    assert check_holds(reply, SET_HOLD, "morning")["single_knee_to_chest"] == {SET_HOLD}
    assert stored()[0]["hold_seconds"] == SET_HOLD


# -- SkillDisabled: no session, delete on NOT_PERSISTED ---------------------------------------------------------


def send_skill_disabled(rig: Rig, status: str, user_id: str = USER) -> dict[str, Any]:
    """Send the event and check the (speechless) response is a valid Alexa response."""
    body = rig.handler(skill_disabled_event(user_id, status), None)
    assert_valid_response(body)
    assert body["response"] == {}, "skill events get an empty response"
    return body


def test_skill_disabled_not_persisted_deletes_the_item(rig: Rig, seed: Callable[..., None], stored: Stored) -> None:
    """NOT_PERSISTED: the user will come back with a new id, so their data goes now; other users stay."""
    seed(SEEDED)
    seed(SEEDED, user_id="amzn1.ask.account.OTHER")
    send_skill_disabled(rig, "NOT_PERSISTED")
    assert stored() == ({"_deleted": 1}, 2), "a tombstone: nothing but the marker"
    assert stored("amzn1.ask.account.OTHER") == (SEEDED, 1)
    assert rig.calls["DeleteItem"] == 0 and rig.reads == 1 and rig.writes == 1


def test_skill_disabled_persisted_keeps_the_item(rig: Rig, seed: Callable[..., None], stored: Stored) -> None:
    """PERSISTED: the user id stays the same on re-enable; nothing is touched."""
    seed(SEEDED)
    send_skill_disabled(rig, "PERSISTED")
    assert stored() == (SEEDED, 1)
    assert sum(rig.calls.values()) == 0


def test_skill_disabled_for_an_unknown_user_is_answered_and_a_dead_store_makes_alexa_send_it_again(
    rig: Rig, make_rig: RigMaker
) -> None:
    """No item to delete: a valid empty response. Nowhere to delete it from: no response at all, the invocation fails
    (Lambda reports the error), so Alexa delivers the event again."""
    send_skill_disabled(rig, "NOT_PERSISTED", user_id="amzn1.ask.account.NEVER-SEEN")
    dead = make_rig("users", f"http://127.0.0.1:{free_loopback_port()}")
    with pytest.raises(Exception, match="could not delete"):
        dead.handler(skill_disabled_event(USER, "NOT_PERSISTED"), None)
    assert dead.calls["GetItem"] >= 1


# -- over HTTP: backstretch serve --table --dynamodb-endpoint --------------------------------------------------


def test_web_server_on_dynamodb_keeps_the_preferred_routine(tmp_path: Path, table: str, dynamodb_local: DynamoDBLocal, stored: Stored) -> None:
    """``backstretch serve --table T --dynamodb-endpoint E``: set lower back (stored at once), new session, start -> lower back."""
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
        assert phrase("preferred_set", routine="the lower back routine") in said(alexa.intent("SetPreferredRoutineIntent", routine=LOWER_BACK))
        assert stored()[0]["preferred_routine"] == "lower_back"
        alexa.intent("AMAZON.StopIntent")
        started = said(skip_warm_up(alexa, alexa.intent("StartRoutineIntent")))
        assert stretch_names_in_order(started)[0] == "pelvic tilt"
    assert not (tmp_path / "web" / "users.sqlite3").exists()


# -- mid-routine replies that change nothing ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("intent", "slots"),
    [("ProgressStatsIntent", {}), ("MyRoutineIntent", {}), ("SetHoldTimeIntent", {"seconds": "95"}), ("SetRepsIntent", {"reps": "11"})],
    ids=["progress-stats", "my-routine", "hold-95", "reps-11"],
)
def test_mid_routine_answers_that_change_nothing_do_not_say_it_takes_effect_next_time(
    rig: Rig, seed: Callable[..., None], stored: Stored, intent: str, slots: dict[str, Any]
) -> None:
    """A question or a refused setting during a routine is not a setting that "takes effect from your next routine";
    only the routine's place is stored (paused), nothing else changes."""
    seed(LONG)
    alexa = rig.device()
    alexa.intent("StartRoutineIntent", routine=FULL_BACK)
    reply = said(alexa.intent(intent, **slots))
    assert APPLIES_NEXT not in reply
    attributes, _ = stored()
    assert {k: v for k, v in attributes.items() if k not in ("progress", "session_dates")} == LONG
    assert attributes["progress"]["status"] == "paused"


def test_mid_routine_setting_change_says_it_applies_next_time(rig: Rig, seed: Callable[..., None]) -> None:
    """A real change during a routine: confirmed, applies to the next routine, the current one carries on as it was."""
    seed(LONG)
    alexa = rig.device()
    alexa.intent("StartRoutineIntent", routine=NECK)
    reply = alexa.intent("SetHoldTimeIntent", seconds="30")
    assert APPLIES_NEXT in said(reply) and not reply.ended
    resumed = holds_by_stretch(alexa.intent("AMAZON.ResumeIntent"))
    kept = {k: {safe_hold(k, LONG["hold_seconds"], "neck_and_shoulders")} for k in resumed}
    assert resumed and resumed == kept, "the routine in progress keeps its holds"
    assert any(safe_hold(k, 30, "neck_and_shoulders") not in kept[k] for k in resumed), "30 s would sound different"


# -- issue 9: deletion is final; a corrupt version is repaired -------------------------------------------------------


@pytest.mark.parametrize("how", ["delete-my-data", "skill-disabled"])
def test_a_deletion_is_not_undone_by_a_session_open_on_another_device(rig: Rig, seed: Callable[..., None], stored: Stored, how: str) -> None:
    """Device A has the profile loaded; the user deletes their data (on device B, or by disabling the skill); A's next
    change conflicts with the tombstone and is dropped without a word: nothing of the old profile comes back."""
    seed({**SEEDED, "reps": 3, "dates": [today_iso()]})
    device_a = rig.device()
    device_a.launch()
    if how == "delete-my-data":
        device_b = rig.device()
        device_b.intent("DeleteDataIntent")
        assert phrase("deleted") in said(device_b.intent("AMAZON.YesIntent"))
    else:
        send_skill_disabled(rig, "NOT_PERSISTED")
    tombstone = stored()
    assert tombstone is not None and tombstone[0] == {"_deleted": 1}
    reply, made = rig.turn(lambda: device_a.intent("SetRepsIntent", reps="5"))
    assert WENT_WRONG not in said(reply) and CANT_SAVE not in said(reply)
    assert made == {"GetItem": 1, "PutItem": 1, "DeleteItem": 0}, "one conflicting write and its re-read, nothing more"
    assert stored() == tombstone
    device_a.intent("SetHoldTimeIntent", seconds="30")
    device_a.intent("AMAZON.StopIntent")
    assert stored() == tombstone, "nor does the rest of A's session write"
    welcome = said(rig.device().launch())
    assert DISCLAIMER in welcome, "the user comes back as a new user"


@pytest.mark.parametrize("version", [{"N": "-1"}, {"N": "2.5"}, {"S": "7"}, {"N": "0"}], ids=["negative", "fraction", "string", "zero"])
def test_a_corrupt_version_is_repaired_by_the_next_save(rig: Rig, ddb: BaseClient, table: str, stored: Stored, version: dict[str, str]) -> None:
    """Not "can't save" in every session with 5 reads and 4 writes: the data is used, the first change is one PutItem,
    and the item has a whole version again, so the next session saves normally too."""
    ddb.put_item(TableName=table, Item={"id": {"S": USER}, "attributes": _serializer.serialize({**SEEDED, "reps": 3}), "version": version})
    alexa = rig.device()
    launched, made = rig.turn(alexa.launch)
    assert RESET_NOTICE not in said(launched) and made["GetItem"] == 1
    reply, made = rig.turn(lambda: alexa.intent("SetRepsIntent", reps="4"))
    assert CANT_SAVE not in said(reply) and phrase("reps_set_nearest", reps=4) in said(reply)
    assert made == {"GetItem": 0, "PutItem": 1, "DeleteItem": 0}
    attributes, repaired = stored()
    assert attributes["reps"] == 4 and attributes["hold_seconds"] == SET_HOLD and repaired >= 1
    again = rig.device()
    again.launch()
    reply, made = rig.turn(lambda: again.intent("SetRepsIntent", reps="6"))
    assert CANT_SAVE not in said(reply) and made["PutItem"] == 1
    assert stored() == ({**attributes, "reps": 6}, repaired + 1)


def test_a_session_with_a_longer_hold_offered_and_a_stretch_that_hurt_reads_once_and_writes_at_most_once_a_request(
    rig: Rig, seed: Callable[..., None], stored: Stored
) -> None:
    """A beginner at the least of article 004's 15-20 s (the morning routine's knee hug) who has done single knee to
    chest comfortably five times, and whose double knee to chest hurt yesterday: the morning routine asks first about
    the longer hold, then, just before double knee to chest, about the pain. One GetItem in the whole session; each
    request at most one PutItem; the yes to the longer hold is in the table when its reply comes back, and the
    finished routine counts a day without pain."""
    [source] = [s for s in CATALOGUE.stretch("single_knee_to_chest").sources if s.seed.startswith("004_")]
    least = source.hold_seconds[0] if source.hold_seconds else 0
    yesterday = (dt.datetime.now(dt.timezone.utc).date() - dt.timedelta(days=1)).isoformat()
    seed({
        **RETURNING, "level": "beginner",
        "growth": {"single_knee_to_chest": [least, 5, 0, yesterday]}, "pain": {"double_knee_to_chest": [yesterday, []]},
    })
    alexa = rig.device()
    offer, made = rig.turn(lambda: alexa.intent("StartRoutineIntent", routine=MORNING))
    assert f"You've done it 5 times at {least} seconds. Shall we try" in said(offer) and "Hold for" not in said(offer)
    longer = int(re.findall(r"Shall we try (\d+)\?", said(offer))[0])
    accepted, made_yes = rig.turn(lambda: alexa.intent("AMAZON.YesIntent"))
    assert made_yes["PutItem"] == 1 and stored()[0]["growth"]["single_knee_to_chest"] == [longer, 0, 1, today_iso()]
    assert f"Hold for {longer} seconds." in said(accepted) and "Next is double knee to chest. It hurt yesterday." in said(accepted)
    gentle, made_gentle = rig.turn(lambda: alexa.intent("AMAZON.YesIntent"))
    assert "double knee to chest" in said(gentle).split("Stretch 3 of 3")[0] and said(gentle).endswith("better, the same, or worse?")
    answer, made_answer = rig.turn(lambda: alexa.intent("FeelingIntent", feeling=("better", "better")))
    assert answer.ended
    assert rig.reads == 1, rig.per_turn
    assert all(turn["PutItem"] <= 1 and turn["DeleteItem"] == 0 for turn in rig.per_turn), rig.per_turn
    attributes, _ = stored()
    assert attributes["pain"] == {"double_knee_to_chest": [yesterday, [today_iso()]]}, "one day without pain"
    assert attributes["growth"]["single_knee_to_chest"] == [longer, 0, 1, today_iso()], "kept; counted from tomorrow"
