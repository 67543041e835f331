"""The daily reminder, in whole conversations through ``lambda_handler``.

Alexa's Reminders and Settings APIs are played by ``tests.support.reminders_api.RemindersServer`` on
127.0.0.1, reached through the request's ``apiEndpoint`` exactly as the real ones would be. The permission
question is Alexa's own: the skill sends ``Connections.SendRequest`` (AskFor) and the test plays
Alexa's ``Connections.Response``.
"""

from __future__ import annotations

import datetime
import doctest
import json
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any, Iterator

import pytest

from tests.support.conversation import PROJECT_ROOT, Alexa, FakeClock, Reply, stored
from tests.support.reminders_api import RemindersServer

SCOPE = "alexa::alerts:reminders:skill:readwrite"


@pytest.fixture
def server() -> Iterator[RemindersServer]:
    with RemindersServer() as running:
        yield running


def device(alexa: Alexa, server: RemindersServer, consented: bool = True) -> Alexa:
    """Point the device's requests at the stand-in API; ``consented``: the user granted the permission."""
    alexa.api_endpoint = server.url
    alexa.api_access_token = server.access_token
    alexa.consent_token = "consent-token" if consented else None
    return alexa


def ask_for(reply: Reply) -> dict[str, Any]:
    """The AskFor directive of a reply (and nothing else said)."""
    directives = reply.response.get("directives") or []
    assert len(directives) == 1, directives
    assert "outputSpeech" not in reply.response
    directive: dict[str, Any] = directives[0]
    return directive


def agree(alexa: Alexa, time: str) -> Reply:
    """Ask for a daily reminder at ``time`` and say yes to the skill's question about it."""
    question = alexa.intent("SetReminderIntent", time=time)
    assert "Shall I set it?" in question.text and not question.ended, question.text
    return alexa.intent("AMAZON.YesIntent")


def kept_all(before: dict[str, Any], after: dict[str, Any]) -> bool:
    """Nothing stored was lost or changed; the device's time zone, asked on the way, may have been added."""
    return {k: v for k, v in after.items() if k != "time_zone"} == before and after.get("time_zone") in (None, "America/Los_Angeles")


def rules(server: RemindersServer) -> list[list[str]]:
    return [r["trigger"]["recurrence"]["recurrenceRules"] for r in server.reminders.values()]


def test_without_permission_alexa_is_asked_and_accepting_creates_the_reminder(alexa: Alexa, server: RemindersServer) -> None:
    device(alexa, server, consented=False)
    question = alexa.intent("SetReminderIntent", time="07:00")
    assert "A reminder every day at 7 a.m., to do your back stretches. Shall I set it?" in question.text
    assert "Shall I set a daily stretching reminder at 7 a.m.?" in question.reprompt
    directive = ask_for(alexa.intent("AMAZON.YesIntent"))
    assert directive["type"] == "Connections.SendRequest"
    assert directive["name"] == "AskFor"
    assert directive["payload"] == {
        "@type": "AskForPermissionsConsentRequest",
        "@version": "2",
        "permissionScopes": [{"permissionScope": SCOPE, "consentLevel": "ACCOUNT"}],
    }
    assert directive["token"]
    assert server.calls == []  # nothing tried without consent

    alexa.consent_token = "consent-token"  # the user said yes to Alexa
    done = alexa.permission_answer("ACCEPTED", directive["token"])
    assert "Every day at 7 a.m." in done.text
    assert "cancel my stretching reminder" in done.text
    assert rules(server) == [["FREQ=DAILY;BYHOUR=7;BYMINUTE=0;BYSECOND=0"]]
    reminder = next(iter(server.reminders.values()))
    assert reminder["trigger"]["type"] == "SCHEDULED_ABSOLUTE"
    assert reminder["trigger"]["scheduledTime"].endswith("T07:00:00.000")
    assert reminder["pushNotification"] == {"status": "ENABLED"}
    assert reminder["trigger"]["timeZoneId"] == "America/Los_Angeles"
    [content] = reminder["alertInfo"]["spokenInfo"]["content"]
    assert content["locale"] == "en-US"
    assert "Alexa, ask back stretch coach to start my back stretches" in content["text"]


@pytest.mark.parametrize(("status", "words"), [("DENIED", "Without your permission"), ("NOT_ANSWERED", "I didn't set a reminder")])
def test_no_consent_gets_a_sentence_and_no_reminder(alexa: Alexa, server: RemindersServer, status: str, words: str) -> None:
    device(alexa, server, consented=False)
    directive = ask_for(agree(alexa, "07:00"))
    reply = alexa.permission_answer(status, directive["token"])
    assert words in reply.text
    assert server.reminders == {}


def test_a_forged_token_sets_nothing(alexa: Alexa, server: RemindersServer) -> None:
    device(alexa, server)
    reply = alexa.permission_answer("ACCEPTED", "daily-reminder@31:99")
    assert "What time each day" in reply.text
    assert server.reminders == {}


def test_with_permission_it_sets_lists_and_cancels(alexa: Alexa, server: RemindersServer) -> None:
    device(alexa, server)
    evening = agree(alexa, "19:30")
    assert "Every day at 7:30 p.m." in evening.text
    assert rules(server) == [["FREQ=DAILY;BYHOUR=19;BYMINUTE=30;BYSECOND=0"]]

    one = alexa.intent("ListRemindersIntent")
    assert "You have a daily stretching reminder at 7:30 p.m. To stop it, say: cancel my stretching reminder." in one.text
    agree(alexa, "06:15")
    both = alexa.intent("ListRemindersIntent")
    assert "You have 2 daily stretching reminders: at 6:15 a.m. and 7:30 p.m. To stop them, say" in both.text
    assert "To stop it" not in both.text
    assert ".." not in one.text + both.text

    cancelled = alexa.intent("CancelReminderIntent")
    assert "Your 2 stretching reminders are cancelled." in cancelled.text
    assert server.reminders == {}
    assert "You have no stretching reminder." in alexa.intent("ListRemindersIntent").text
    assert "no stretching reminder to cancel" in alexa.intent("CancelReminderIntent").text


def test_cancelling_one_reminder_names_its_time(alexa: Alexa, server: RemindersServer) -> None:
    device(alexa, server)
    agree(alexa, "12:00")
    assert "at noon" in alexa.intent("ListRemindersIntent").text
    assert "Your daily stretching reminder at noon is cancelled." in alexa.intent("CancelReminderIntent").text
    assert server.reminders == {}


def test_reminders_that_are_off_are_not_listed(alexa: Alexa, server: RemindersServer) -> None:
    device(alexa, server)
    agree(alexa, "07:00")
    for reminder in server.reminders.values():
        reminder["status"] = "COMPLETED"
    assert "You have no stretching reminder." in alexa.intent("ListRemindersIntent").text


def test_a_missing_time_is_asked_and_a_bare_time_answers(alexa: Alexa, server: RemindersServer) -> None:
    device(alexa, server)
    question = alexa.intent("SetReminderIntent")
    assert "What time each day" in question.text
    assert not question.ended and "What time each day" in question.reprompt
    assert server.calls == []
    assert "Shall I set it?" in alexa.intent("SetReminderIntent", time="06:30").text
    answered = alexa.intent("AMAZON.YesIntent")
    assert "Every day at 6:30 a.m." in answered.text
    assert rules(server) == [["FREQ=DAILY;BYHOUR=6;BYMINUTE=30;BYSECOND=0"]]


def test_a_bare_number_answers_what_time_each_day_as_the_hour(alexa: Alexa, server: RemindersServer) -> None:
    device(alexa, server)
    alexa.intent("SetReminderIntent")
    asked = alexa.intent("NumberIntent", number="7")  # "seven" is a number as much as a time
    assert "A reminder every day at 7 a.m." in asked.text and server.calls == []
    answered = alexa.intent("AMAZON.YesIntent")
    assert "Every day at 7 a.m." in answered.text
    assert rules(server) == [["FREQ=DAILY;BYHOUR=7;BYMINUTE=0;BYSECOND=0"]]


def test_a_bare_number_with_no_time_asked_is_not_a_reminder(alexa: Alexa, server: RemindersServer) -> None:
    device(alexa, server)
    reply = alexa.intent("NumberIntent", number="7")
    assert server.calls == [] and "hold for 7 seconds" in reply.text


def test_a_part_of_the_day_is_not_a_time(alexa: Alexa, server: RemindersServer) -> None:
    device(alexa, server)
    reply = alexa.intent("SetReminderIntent", time="EV")  # what Alexa sends for "in the evening"
    assert "I need a time of day" in reply.text and "What time each day" in reply.text
    assert server.reminders == {}
    assert "All right, no reminder." in alexa.intent("AMAZON.NoIntent").text


def test_words_that_are_no_time_are_not_understood(alexa: Alexa, server: RemindersServer) -> None:
    device(alexa, server)
    reply = alexa.intent("SetReminderIntent", time="blah blah purple monkey")
    assert "Sorry, I didn't catch that" in reply.text and not reply.ended
    question = alexa.intent("SetReminderIntent")
    assert "What time each day" in question.text
    again = alexa.intent("SetReminderIntent", time="purple monkey")  # said as the answer: ask once more
    assert "I need a time of day" in again.text and "What time each day" in again.text
    assert server.calls == []


def test_yes_to_the_time_question_asks_it_again(alexa: Alexa, server: RemindersServer) -> None:
    device(alexa, server)
    alexa.intent("SetReminderIntent")
    assert "What time each day" in alexa.intent("AMAZON.YesIntent").text


def test_list_and_cancel_without_permission_say_so(alexa: Alexa, server: RemindersServer) -> None:
    device(alexa, server, consented=False)
    for intent in ("ListRemindersIntent", "CancelReminderIntent"):
        assert "no permission to use your reminders" in alexa.intent(intent).text
    assert server.calls == []


def test_a_refused_token_asks_for_the_permission_again(alexa: Alexa, server: RemindersServer) -> None:
    device(alexa, server)
    alexa.api_access_token = "withdrawn"  # consent token still in the request, but the API answers 401
    directive = ask_for(agree(alexa, "07:00"))
    assert directive["name"] == "AskFor"
    assert server.calls == [("POST", "/v1/alerts/reminders")]
    assert "no permission to use your reminders" in alexa.intent("ListRemindersIntent").text


@pytest.mark.parametrize(
    ("status", "words"),
    [(429, "busy right now"), (500, "not working right now"), (503, "not working right now"), (400, "turned that request down")],
)
def test_api_errors_are_said_and_lose_nothing(alexa: Alexa, server: RemindersServer, status: int, words: str, tmp_path: Path) -> None:
    device(alexa, server)
    alexa.intent("SetHoldTimeIntent", seconds="30")
    before = stored(tmp_path / "data")
    server.fail_with = status
    for reply in (agree(alexa, "07:00"), alexa.intent("ListRemindersIntent"), alexa.intent("CancelReminderIntent")):
        assert words in reply.text, reply.text
        assert not reply.ended
    assert kept_all(before, stored(tmp_path / "data"))
    assert server.reminders == {}


def test_the_reminder_limit_is_said(alexa: Alexa, server: RemindersServer) -> None:
    device(alexa, server)
    server.limit = 0
    reply = agree(alexa, "07:00")
    assert "as many reminders as Alexa allows" in reply.text
    assert server.reminders == {}


def test_a_slow_api_is_given_up_on_in_time(alexa: Alexa, server: RemindersServer, tmp_path: Path) -> None:
    device(alexa, server)
    alexa.intent("SetHoldTimeIntent", seconds="30")
    before = stored(tmp_path / "data")
    server.delay = 4.5
    alexa.intent("SetReminderIntent", time="07:00")
    started = time.monotonic()
    reply = alexa.intent("AMAZON.YesIntent")
    took = time.monotonic() - started
    assert "did not answer in time" in reply.text
    assert 2.5 < took < 4.4, took  # the client's own timeout, not the server's delay, ended the wait
    assert kept_all(before, stored(tmp_path / "data"))


def test_an_unreachable_api_is_said(alexa: Alexa, server: RemindersServer) -> None:
    device(alexa, server)
    alexa.api_endpoint = "http://127.0.0.1:9"  # discard port: nothing listens
    assert "not working right now" in alexa.intent("ListRemindersIntent").text


def test_a_request_during_a_routine_pauses_it_and_keeps_its_place(alexa: Alexa, server: RemindersServer, tmp_path: Path) -> None:
    device(alexa, server)
    alexa.launch()
    alexa.intent("StartRoutineIntent", routine=("morning back stretches", "morning"))
    assert stored(tmp_path / "data")["progress"]["status"] == "playing"
    reply = alexa.intent("ListRemindersIntent", at=40)
    assert "no stretching reminder" in reply.text and "Say continue to carry on." in reply.text
    progress = stored(tmp_path / "data")["progress"]
    assert progress["status"] == "paused" and progress["position"] > 0
    assert "Back to single knee to chest" in alexa.intent("AMAZON.ResumeIntent").text


def test_deleting_a_reminder_that_is_already_gone_counts_as_deleted(server: RemindersServer) -> None:
    from skill.reminders_api import RemindersClient, daily_reminder

    client = RemindersClient(server.url, server.access_token)
    token = client.create(daily_reminder(8, 0, "en-GB", "Stretch.", datetime.datetime(2026, 12, 1, 6, 0), "Europe/London"))
    assert [r.time for r in client.active()] == [(8, 0)]
    client.delete(token)
    client.delete(token)  # the server answers 404 now
    assert server.reminders == {}
    assert server.calls[-2:] == [("DELETE", f"/v1/alerts/reminders/{token}")] * 2


def test_a_proxy_in_the_environment_is_not_used(alexa: Alexa, server: RemindersServer, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("http_proxy", "HTTP_PROXY"):
        monkeypatch.setenv(name, "http://127.0.0.1:9")  # nothing listens there: a proxied call would fail
    monkeypatch.delenv("no_proxy", raising=False)
    monkeypatch.delenv("NO_PROXY", raising=False)
    device(alexa, server)
    assert "You have no stretching reminder." in alexa.intent("ListRemindersIntent").text
    assert server.calls == [("GET", "/v1/alerts/reminders")]


def test_the_reminder_modules_doctests_pass() -> None:
    import skill.flows.reminders
    import skill.reminders_api
    import skill.spoken_numbers

    for module in (skill.reminders_api, skill.flows.reminders, skill.spoken_numbers):
        result = doctest.testmod(module)
        assert result.attempted > 0 and result.failed == 0, module.__name__


_PROBE = textwrap.dedent(
    """
    import json, pathlib, sys
    sys.path.insert(0, {root!r})
    from tests.support.conversation import Alexa
    watched = ("skill.flows.reminders", "skill.reminders_api", "skill.settings_api", "urllib.request", "http.client", "requests")
    alexa = Alexa.for_lambda(pathlib.Path({data!r}))
    alexa.api_endpoint, alexa.api_access_token, alexa.consent_token = {url!r}, {token!r}, "consent"
    alexa.launch()
    alexa.intent("StartRoutineIntent", routine=("morning back stretches", "morning"))
    ordinary = [name for name in watched if name in sys.modules]
    alexa.intent("ListRemindersIntent")
    reminder = [name for name in watched if name in sys.modules]
    print(json.dumps({{"ordinary": ordinary, "reminder": reminder}}))
    """
)


def test_ordinary_requests_do_not_load_the_reminder_path(tmp_path: Path, server: RemindersServer) -> None:
    """A launch and a routine load no reminder module (only the time zone's client, to know the user's
    day, once); a reminder request does."""
    env = {"AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "dummy",
           "AWS_SECRET_ACCESS_KEY": "dummy", "AWS_EC2_METADATA_DISABLED": "true", "PATH": "/usr/bin:/bin"}
    probe = _PROBE.format(root=str(PROJECT_ROOT), data=str(tmp_path / "data"), url=server.url, token=server.access_token)
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, timeout=120, check=True)
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["ordinary"] == ["skill.settings_api", "urllib.request", "http.client"]
    assert found["reminder"] == ["skill.flows.reminders", "skill.reminders_api", "skill.settings_api", "urllib.request", "http.client"]
    assert server.settings_calls == ["amzn1.ask.device.TESTDEVICE"]  # the routine asked the device's zone, once
    assert server.calls == [("GET", "/v1/alerts/reminders")]  # the reminder request really went to the API


def test_seven_heard_as_a_time_answers_how_many_repetitions(alexa: Alexa, server: RemindersServer) -> None:
    device(alexa, server)
    alexa.intent("SetRepsIntent")  # "change my reps": "How many repetitions of each stretch, from 1 to 10?"
    reply = alexa.intent("SetReminderIntent", time="07:00")
    assert "7 repetitions" in reply.text and server.calls == []


def test_a_number_that_is_no_hour_is_said_to_be_unclear(alexa: Alexa, server: RemindersServer) -> None:
    device(alexa, server)
    alexa.intent("SetReminderIntent")
    reply = alexa.intent("NumberIntent", number="45")
    assert "What time each day" in reply.text and server.calls == []
    assert reply.text != alexa.history[-2].text, "it says it did not get the time, not only the question again"


# -- consent each time, on the user's own day --------------------------------------------------------

MORNING = ("morning back stretches", "morning")


def at(utc: str) -> FakeClock:
    """A clock standing at ``utc`` ("2026-12-08T02:30:00")."""
    return FakeClock(datetime.datetime.fromisoformat(utc).replace(tzinfo=datetime.timezone.utc).timestamp())


def test_a_time_heard_out_of_context_sets_nothing_without_a_yes(alexa: Alexa, server: RemindersServer) -> None:
    device(alexa, server)
    asked = alexa.intent("SetReminderIntent", time="19:00")
    assert asked.text == "A reminder every day at 7 p.m., to do your back stretches. Shall I set it?"
    assert "All right, no reminder." in alexa.intent("AMAZON.NoIntent").text
    alexa.intent("SetReminderIntent", time="19:00")
    alexa.intent("ProgressStatsIntent")  # something else instead of an answer: the question is gone
    alexa.intent("AMAZON.StopIntent")
    assert server.calls == [] and server.reminders == {}


@pytest.mark.parametrize(
    ("utc", "zone", "asked", "first"),
    [
        ("2026-12-08T02:30:00", "America/Los_Angeles", "19:00", "2026-12-07T19:00:00.000"),  # 18:30 there: this evening
        ("2026-12-08T04:00:00", "America/Los_Angeles", "19:00", "2026-12-08T19:00:00.000"),  # 20:00 there: tomorrow
        ("2026-12-08T02:30:00", "Europe/London", "07:00", "2026-12-08T07:00:00.000"),
        ("2026-12-07T20:30:00", "Australia/Sydney", "08:15", "2026-12-08T08:15:00.000"),  # 07:30 on the 8th there
    ],
)
def test_the_first_reminder_is_on_the_users_local_day_with_the_zone_sent(
    tmp_path: Path, server: RemindersServer, utc: str, zone: str, asked: str, first: str
) -> None:
    alexa = device(Alexa.with_clock(tmp_path / "zoned", at(utc)), server)
    server.time_zone = zone
    assert "Every day at" in agree(alexa, asked).text
    [reminder] = server.reminders.values()
    trigger = reminder["trigger"]
    assert trigger["scheduledTime"] == first and trigger["recurrence"]["startDateTime"] == first
    assert trigger["timeZoneId"] == zone
    assert server.settings_calls == ["amzn1.ask.device.TESTDEVICE"]


def test_without_the_devices_zone_the_reminder_leaves_the_zone_to_alexa(tmp_path: Path, server: RemindersServer) -> None:
    alexa = device(Alexa.with_clock(tmp_path / "zoned", at("2026-12-08T02:30:00")), server)
    server.settings_fail_with = 500
    assert "Every day at 7 p.m." in agree(alexa, "19:00").text
    [reminder] = server.reminders.values()
    assert "timeZoneId" not in reminder["trigger"]  # Alexa then uses the device's own
    assert reminder["trigger"]["scheduledTime"] == "2026-12-08T19:00:00.000"  # the day is UTC's


def test_asking_for_the_permission_mid_routine_keeps_its_place(alexa: Alexa, server: RemindersServer, tmp_path: Path) -> None:
    device(alexa, server, consented=False)
    alexa.launch()
    alexa.intent("StartRoutineIntent", routine=MORNING)
    asked = alexa.intent("SetReminderIntent", time="19:00", at=40)
    assert "Shall I set it?" in asked.text and not asked.ended
    directive = ask_for(alexa.intent("AMAZON.YesIntent"))
    progress = stored(tmp_path / "data")["progress"]
    assert progress["status"] == "paused" and progress["position"] > 0
    alexa.consent_token = "consent-token"
    done = alexa.permission_answer("ACCEPTED", directive["token"])
    assert "Every day at 7 p.m." in done.text and "Say continue to carry on." in done.text
    assert not done.ended
    assert "Back to single knee to chest" in alexa.intent("AMAZON.ResumeIntent").text


def test_a_denied_permission_mid_routine_still_carries_on(alexa: Alexa, server: RemindersServer) -> None:
    device(alexa, server, consented=False)
    alexa.launch()
    alexa.intent("StartRoutineIntent", routine=MORNING)
    alexa.intent("SetReminderIntent", time="19:00", at=40)
    directive = ask_for(alexa.intent("AMAZON.YesIntent"))
    denied = alexa.permission_answer("DENIED", directive["token"])
    assert "Without your permission" in denied.text and "Say continue to carry on." in denied.text and not denied.ended
    assert "Back to single knee to chest" in alexa.intent("AMAZON.ResumeIntent").text
    assert server.reminders == {}


def test_a_device_that_cannot_ask_by_voice_gets_the_permission_card(alexa: Alexa, server: RemindersServer) -> None:
    device(alexa, server, consented=False)
    directive = ask_for(agree(alexa, "07:00"))
    reply = alexa.permission_answer("NOT_ANSWERED", directive["token"], code="400")
    assert reply.response["card"] == {"type": "AskForPermissionsConsent", "permissions": [SCOPE]}
    assert "I've sent a card to the Alexa app" in reply.text and not reply.ended
    assert server.reminders == {}


# -- the user's own day: streaks, this week, check-ins ------------------------------------------------


def test_an_evening_session_in_america_counts_for_that_day(tmp_path: Path, server: RemindersServer) -> None:
    clock = at("2026-12-08T03:30:00")  # 19:30 on the 7th in Los Angeles
    alexa = device(Alexa.with_clock(tmp_path / "days", clock), server)
    alexa.intent("StartRoutineIntent", routine=MORNING)
    alexa.intent("FeelingIntent", feeling=("better", "better"))
    item = stored(tmp_path / "days")
    assert item["time_zone"] == "America/Los_Angeles"
    assert item["session_dates"] == ["2026-12-07"]
    assert [m[0] for m in item["minutes"]] == ["2026-12-07"] and [f[0] for f in item["feelings"]] == ["2026-12-07"]
    clock.now += 24 * 3600  # the next evening there
    alexa.intent("StartRoutineIntent", routine=MORNING)
    doing = alexa.intent("ProgressStatsIntent")
    assert "2 days in a row" in doing.text and "This week: 2 days with a session" in doing.text
    assert stored(tmp_path / "days")["session_dates"] == ["2026-12-07", "2026-12-08"]


def test_the_zone_is_asked_once_a_session(tmp_path: Path, server: RemindersServer) -> None:
    alexa = device(Alexa.with_clock(tmp_path / "days", at("2026-12-08T03:30:00")), server)
    alexa.intent("StartRoutineIntent", routine=MORNING)
    alexa.intent("ProgressStatsIntent")
    agree(alexa, "19:00")
    assert len(server.settings_calls) == 1
    alexa.intent("AMAZON.StopIntent")
    alexa.intent("ProgressStatsIntent")  # a new session asks again: the user may have moved
    assert len(server.settings_calls) == 2


@pytest.mark.parametrize("failure", [401, 403, 500, "wrong token", "timeout"])
def test_a_failing_settings_api_falls_back_on_the_stored_zone_and_the_routine_plays(
    tmp_path: Path, server: RemindersServer, failure: int | str
) -> None:
    clock = at("2026-12-08T03:30:00")  # 19:30 on the 7th in Los Angeles
    alexa = device(Alexa.with_clock(tmp_path / "days", clock), server)
    alexa.intent("StartRoutineIntent", routine=MORNING)
    alexa.intent("AMAZON.StopIntent")
    clock.now += 24 * 3600
    if failure == "timeout":
        server.settings_delay = 3.0
    elif failure == "wrong token":
        alexa.api_access_token = "expired"
    else:
        server.settings_fail_with = int(failure)
    started = time.monotonic()
    reply = alexa.intent("StartRoutineIntent", routine=MORNING)
    assert time.monotonic() - started < 2.9, "the skill stopped waiting for the zone well inside Alexa's 8 s"
    assert "You finished the morning back stretches" in reply.text
    item = stored(tmp_path / "days")
    assert item["session_dates"] == ["2026-12-07", "2026-12-08"] and item["time_zone"] == "America/Los_Angeles"


def test_a_failing_settings_api_with_no_zone_stored_counts_the_utc_day(tmp_path: Path, server: RemindersServer) -> None:
    alexa = device(Alexa.with_clock(tmp_path / "days", at("2026-12-08T03:30:00")), server)
    server.settings_fail_with = 500
    assert "You finished" in alexa.intent("StartRoutineIntent", routine=MORNING).text
    item = stored(tmp_path / "days")
    assert item["session_dates"] == ["2026-12-08"] and "time_zone" not in item


def test_a_zone_the_settings_api_makes_up_is_not_kept(tmp_path: Path, server: RemindersServer) -> None:
    alexa = device(Alexa.with_clock(tmp_path / "days", at("2026-12-08T03:30:00")), server)
    server.time_zone = "../../etc/passwd"
    assert "You finished" in alexa.intent("StartRoutineIntent", routine=MORNING).text
    assert "time_zone" not in stored(tmp_path / "days")


# -- the card in the Alexa app after a routine ----------------------------------------------------------


def test_the_routine_that_ends_sends_a_card_with_what_was_done_the_settings_and_how_to_start_again(alexa: Alexa) -> None:
    alexa.intent("SetHoldTimeIntent", seconds="25")
    alexa.intent("AMAZON.StopIntent")
    finished = alexa.intent("StartRoutineIntent", routine=MORNING)
    assert "You finished the morning back stretches" in finished.text
    card = finished.response["card"]
    assert card["type"] == "Simple" and card["title"] == "Done: the morning back stretches"
    lines = card["content"].split("\n")
    assert lines[0].startswith("You did the morning back stretches: 3 stretches, about ")
    assert lines[1].startswith("Your settings: holds of 25 seconds, ")
    phrase = lines[-1].removeprefix("To do it again, say: Alexa, ask back stretch coach to ").rstrip(".")
    assert phrase == "start the morning back stretches"
    model = json.loads((PROJECT_ROOT / "interaction_models" / "en-US.json").read_text())["interactionModel"]["languageModel"]
    assert model["invocationName"] == "back stretch coach"
    samples = next(i["samples"] for i in model["intents"] if i["name"] == "StartRoutineIntent")
    names = {v["name"]["value"] for t in model["types"] for v in t["values"]}
    assert any(phrase == s.replace("{routine}", name) for s in samples for name in names), "the card's words start it"
    bye = alexa.intent("FeelingIntent", feeling=("better", "better"))
    assert "card" not in bye.response, "one card a routine"


def test_a_routine_still_playing_sends_no_card(alexa: Alexa) -> None:
    alexa.intent("SetHoldTimeIntent", seconds="90")
    alexa.intent("SetRepsIntent", reps="5")
    alexa.intent("AMAZON.StopIntent")
    first = alexa.intent("StartRoutineIntent", routine=("full back routine", "full_back"))
    assert "Say next" in first.text and "card" not in first.response
