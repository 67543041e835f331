"""Deleting a user's data on DynamoDB Local: on "delete my data" and on the SkillDisabled event.

A deletion the store could not do is never answered as done: the event fails (Lambda reports the error,
the web service answers 500) so that Alexa delivers it again, and delivering it again, or twice, is safe.
A call that timed out but landed is seen to have landed. A SkillDisabled body of the wrong shape is
answered without speech and deletes nothing.
"""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

from skill.app import build_skill
from skill.config import Config
from skill.entrypoints.invoke import invoke, read_event
from tests import test_profiles_dynamodb as ddb_rig
from tests.support.checks import assert_valid_response
from tests.support.conversation import Alexa
from tests.support.dynamodb_local import DynamoDBLocal
from tests.support.e2e import post, serve

pytest_plugins = ["tests.support.fixtures_dynamodb"]

make_rig = ddb_rig.make_rig
seed = ddb_rig.seed
stored = ddb_rig.stored
said = ddb_rig.said
phrase = ddb_rig.phrase
USER = ddb_rig.USER
SEEDED = ddb_rig.SEEDED
TOMBSTONE = {"_deleted": 1}
THROTTLED = json.dumps(
    {"__type": "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException", "message": "throttled"}
).encode()


class FaultyRelay(ddb_rig.CountingRelay):
    """The counting relay, with two faults it can be told to make on PutItem:

    - ``throttle``: answer 400 ProvisionedThroughputExceededException without passing the request on;
    - ``late_seconds``: pass the request on (the write lands at once) and hold the answer this long;
    - ``land_after_seconds``: hold the request this long before passing it on (the write lands late).
    """

    def __init__(self, upstream: str) -> None:
        """Relay to ``upstream``, making no fault until told."""
        super().__init__(upstream)
        self.throttle = False
        self.late_seconds = 0.0
        self.land_after_seconds = 0.0

    def _forward(self, path: str, headers: dict[str, str], body: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
        """Forward, or make the fault asked for."""
        put = headers.get("X-Amz-Target", "").endswith(".PutItem")
        if put and self.throttle:
            return 400, [("Content-Type", "application/x-amz-json-1.0")], THROTTLED
        if put and self.land_after_seconds:
            time.sleep(self.land_after_seconds)
        answer = super()._forward(path, headers, body)
        if put and self.late_seconds:
            time.sleep(self.late_seconds)
        return answer


@pytest.fixture
def faulty(dynamodb_local: DynamoDBLocal) -> Iterator[FaultyRelay]:
    """A faulty relay in front of the shared DynamoDB Local."""
    relay = FaultyRelay(dynamodb_local.endpoint)
    yield relay
    relay.close()


def skill_on(table: str, relay: FaultyRelay) -> Callable[[dict[str, Any], Any], dict[str, Any]]:
    """What lambda_handler does, for a skill whose DynamoDB requests go through ``relay``."""
    skill = build_skill(Config(table=table, dynamodb_endpoint=relay.endpoint, region="us-east-1"))
    return lambda event, context: invoke(skill, read_event(event), context)


def disabled(status: Any = "NOT_PERSISTED") -> dict[str, Any]:
    """A SkillDisabled event for ``USER`` whose body is ``{"userInformationPersistenceStatus": status}``."""
    return ddb_rig.skill_disabled_event(USER, status)


# -- SkillDisabled while the store fails ------------------------------------------------------------------------


@pytest.mark.parametrize("failing", [{"put_item"}, {"get_item"}], ids=["write-throttled", "read-throttled"])
def test_skill_disabled_on_a_throttled_table_fails_the_invocation_and_a_later_delivery_deletes(
    make_rig: ddb_rig.RigMaker, table: str, dynamodb_local: DynamoDBLocal, seed: Callable[..., None], stored: ddb_rig.Stored,
    failing: set[str],
) -> None:
    """Throttled: no response at all (Lambda reports the error, so Alexa delivers the event again) and the data stays
    as it was; delivered again once the table answers, the data goes; delivered a third time, nothing more is written."""
    seed(SEEDED)
    throttled = make_rig(table, dynamodb_local.endpoint, failing=failing)
    with pytest.raises(Exception, match="could not delete"):
        throttled.handler(disabled(), None)
    assert stored() == (SEEDED, 1)
    healthy = make_rig(table, dynamodb_local.endpoint)
    ddb_rig.send_skill_disabled(healthy, "NOT_PERSISTED")
    assert stored() == (TOMBSTONE, 2)
    healthy.reset_counts()
    ddb_rig.send_skill_disabled(healthy, "NOT_PERSISTED")
    assert stored() == (TOMBSTONE, 2) and healthy.writes == 0 and healthy.reads == 1


def test_skill_disabled_over_http_answers_500_while_the_table_throttles_then_200_once_deleted(
    tmp_path: Path, table: str, faulty: FaultyRelay, seed: Callable[..., None], stored: ddb_rig.Stored
) -> None:
    """``backstretch serve`` on DynamoDB: while PutItem is throttled the event gets a 500 (Alexa delivers it again) and
    the data stays; once the table answers, the same event gets 200 with an empty response and the item is a tombstone;
    the same event again is 200 and writes nothing."""
    seed(SEEDED)
    event = json.dumps(disabled()).encode()
    with serve(tmp_path / "web", extra_args=["--table", table, "--dynamodb-endpoint", faulty.endpoint]) as url:
        faulty.throttle = True
        status, body = post(url, event)
        assert status == 500, body
        assert stored() == (SEEDED, 1)
        faulty.throttle = False
        status, body = post(url, event)
        assert status == 200 and body["response"] == {}, body
        assert_valid_response(body)
        assert stored() == (TOMBSTONE, 2)
        puts = faulty.received["PutItem"]
        status, body = post(url, event)
        assert status == 200 and body["response"] == {}
        assert stored() == (TOMBSTONE, 2) and faulty.received["PutItem"] == puts


# -- a write that times out but lands ---------------------------------------------------------------------------


def test_delete_my_data_whose_write_times_out_but_lands_is_told_as_done(
    table: str, faulty: FaultyRelay, seed: Callable[..., None], stored: ddb_rig.Stored
) -> None:
    """The tombstone is written but every PutItem answer comes after the client gave up: the item is read again, the
    tombstone is there, and the user hears that their data is deleted, in time for Alexa."""
    seed(SEEDED)
    alexa = Alexa(skill_on(table, faulty))
    alexa.launch()
    alexa.intent("DeleteDataIntent")
    faulty.late_seconds = 2.6  # past the store's 2 s read timeout, on every attempt
    began = time.monotonic()
    reply = alexa.intent("AMAZON.YesIntent")
    took = time.monotonic() - began
    assert phrase("deleted") in said(reply) and phrase("delete_failed") not in said(reply), said(reply)
    assert took < 8.0, took
    found = stored()
    assert found is not None and found[0] == TOMBSTONE


def eventually(check: Callable[[], bool], seconds: float = 15.0) -> bool:
    """Whether ``check`` holds within ``seconds`` (asked every 0.2 s)."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if check():
            return True
        time.sleep(0.2)
    return check()


def test_delete_my_data_whose_write_lands_only_after_the_reply_is_told_as_unconfirmed_not_failed(
    table: str, faulty: FaultyRelay, seed: Callable[..., None], stored: ddb_rig.Stored
) -> None:
    """Every PutItem reaches the table only after the client gave up and the item was read again: the user hears that
    the deletion could not be confirmed (not that it failed), in time; the tombstone lands afterwards."""
    seed(SEEDED)
    alexa = Alexa(skill_on(table, faulty))
    alexa.launch()
    alexa.intent("DeleteDataIntent")
    faulty.land_after_seconds = 6.0
    began = time.monotonic()
    reply = alexa.intent("AMAZON.YesIntent")
    took = time.monotonic() - began
    assert phrase("delete_unconfirmed") in said(reply), said(reply)
    assert phrase("delete_failed") not in said(reply) and phrase("deleted") not in said(reply)
    assert took < 8.0, took
    assert eventually(lambda: (stored() or ({}, 0))[0] == TOMBSTONE), stored()


def test_skill_disabled_whose_write_lands_late_is_delivered_again_and_then_answered(
    table: str, faulty: FaultyRelay, seed: Callable[..., None], stored: ddb_rig.Stored
) -> None:
    """Unconfirmed on SkillDisabled: the invocation fails (Alexa delivers the event again); the redelivery finds the
    tombstone that landed meanwhile and is answered without writing again."""
    seed(SEEDED)
    handler = skill_on(table, faulty)
    faulty.land_after_seconds = 6.0
    with pytest.raises(Exception, match="could not delete"):
        handler(disabled(), None)
    assert eventually(lambda: (stored() or ({}, 0))[0] == TOMBSTONE), stored()
    landed = stored()
    faulty.land_after_seconds = 0.0
    puts = faulty.received["PutItem"]
    body = handler(disabled(), None)
    assert body["response"] == {} and stored() == landed and faulty.received["PutItem"] == puts


def test_skill_disabled_whose_write_times_out_but_lands_is_answered(
    table: str, faulty: FaultyRelay, seed: Callable[..., None], stored: ddb_rig.Stored
) -> None:
    """The same on SkillDisabled: the landed tombstone is seen, so the event is answered (not delivered again)."""
    seed(SEEDED)
    faulty.late_seconds = 2.6
    body = skill_on(table, faulty)(disabled(), None)
    assert_valid_response(body)
    assert body["response"] == {}
    found = stored()
    assert found is not None and found[0] == TOMBSTONE


def test_deletions_running_at_once_leave_one_tombstone(
    table: str, faulty: FaultyRelay, seed: Callable[..., None], stored: ddb_rig.Stored
) -> None:
    """Alexa delivering the event again while the first delivery is still at work: both answered, one tombstone."""
    seed(SEEDED)
    handler = skill_on(table, faulty)
    bodies: list[dict[str, Any]] = []
    threads = [threading.Thread(target=lambda: bodies.append(handler(disabled(), None))) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert len(bodies) == 2 and all(b["response"] == {} for b in bodies)
    found = stored()
    assert found is not None and found[0] == TOMBSTONE


# -- a SkillDisabled body of the wrong shape ----------------------------------------------------------------------


@pytest.mark.parametrize("body", ["NOT_PERSISTED", ["NOT_PERSISTED"], 7, True, None, {"userInformationPersistenceStatus": 7}])
def test_a_skill_disabled_body_of_the_wrong_shape_is_answered_without_speech_and_deletes_nothing(
    make_rig: ddb_rig.RigMaker, table: str, dynamodb_local: DynamoDBLocal, seed: Callable[..., None], stored: ddb_rig.Stored,
    body: Any,
) -> None:
    """A string, a list, a number, a boolean or no body: a valid empty response, no apology, the item untouched."""
    seed(SEEDED)
    rig = make_rig(table, dynamodb_local.endpoint)
    event = disabled()
    event["request"]["body"] = body
    answer = rig.handler(event, None)
    assert_valid_response(answer)
    assert answer["response"] == {}, answer
    assert stored() == (SEEDED, 1) and rig.writes == 0
