"""``backstretch chat``: typed text matched against the real interaction model, speech shown as text."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

from skill.entrypoints.chat import ChatSession, ssml_to_text
from skill.speech import phrases_for
from tests.support.e2e import local_env

CHAT = [sys.executable, "-m", "skill.entrypoints.cli", "chat"]


def test_scripted_chat_plays_the_morning_routine_through(tmp_path: Path) -> None:
    result = subprocess.run(
        [*CHAT, "--data-dir", str(tmp_path), "start my morning back stretches", "how many are left"],
        env=local_env(), capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, result.stderr
    turns = result.stdout.split("You: ")[1:]
    assert len(turns) == 2
    assert "First, single knee to chest, left side." in turns[0]
    assert turns[0].count("[hold 20 s: 10… 5, 4, 3, 2, 1]") == 3
    assert "You finished the morning back stretches" in turns[0] and "How does your back feel now" in turns[0]
    assert "<break" not in result.stdout and "&apos;" not in result.stdout
    assert "No routine is playing right now" in turns[1], "the routine ended with its last response"


def test_scripted_chat_with_long_holds_answers_next_between_responses(tmp_path: Path) -> None:
    result = subprocess.run(
        [*CHAT, "--data-dir", str(tmp_path), "set my hold time to ninety seconds", "do five reps",
         "start the full back routine", "how many are left", "next"],
        env=local_env(), capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, result.stderr
    turns = result.stdout.split("You: ")[1:]
    assert "Next up is stretch 3 of 5, child's pose." in turns[2]
    assert "3 stretches to go, counting this one" in turns[3], "the chat's clock lets the response play to its end"
    assert "Stretch 3 of 5: child's pose." in turns[4]


def test_chat_keeps_the_place_between_runs(tmp_path: Path) -> None:
    first = ChatSession.local(tmp_path)
    first.say("set my hold time to ninety seconds")
    first.say("do five reps")
    first.say("start the full back routine")
    assert first.say("exit").ended
    again = ChatSession.local(tmp_path)
    welcome = again.say("launch")
    assert "carry on" in welcome.text and "child's pose" in welcome.text
    assert "Let's carry on with the full back routine. Move slowly, and never bounce. Stop if it hurts. Stretch 3 of 5: child's pose" in again.say("yes").text


def test_chat_resolves_slots_like_alexa(tmp_path: Path) -> None:
    chat = ChatSession.local(tmp_path)
    unknown = chat.say("set my preferred routine to pizza")
    assert "don't have a routine called pizza" in unknown.text
    hold = chat.say("make my holds thirty seconds")
    assert "30 seconds" in hold.text
    started = chat.say("let's do the neck and shoulder stretches")
    assert "[hold 30 s: 20… 10… 5, 4, 3, 2, 1]" in started.text


def test_chat_shows_where_alexa_would_ask_for_the_reminders_permission(tmp_path: Path) -> None:
    chat = ChatSession.local(tmp_path)
    question = chat.say("remind me to stretch")
    assert "What time each day" in question.text and not question.ended
    consent = chat.say("half past six in the evening")
    assert "A reminder every day at 6:30 p.m., to do your back stretches. Shall I set it?" in consent.text
    asked = chat.say("yes")
    assert "ask for your permission to set reminders" in asked.text
    assert "no permission to use your reminders" in chat.say("what reminders do I have").text


def test_counted_sets_and_repetitions_read_cleanly() -> None:
    phrases = phrases_for("en-US")
    ssml = (
        "<speak>Ready. 10 slow movements with me. Ready.<break time=\"2000ms\"/>1.<break time=\"1625ms\"/>2."
        "<break time=\"1625ms\"/>And rest. Repetition 2 of 3. Hold for 5 seconds.<break time=\"1000ms\"/>4."
        "<break time=\"625ms\"/>Release. Next up is child&apos;s pose.</speak>"
    )
    assert ssml_to_text(ssml, phrases) == "Ready. [count 10: 1… 10] Repetition 2 of 3. [hold 5 s: 4] Next up is child's pose."


def test_interactive_chat_in_a_terminal(tmp_path: Path) -> None:
    """A person typing at a real terminal: launch greeting, two turns, Ctrl-D to quit."""
    controller, terminal = pty.openpty()
    process = subprocess.Popen(
        [*CHAT, "--data-dir", str(tmp_path)], stdin=terminal, stdout=terminal, stderr=terminal, env=local_env(), close_fds=True
    )
    os.close(terminal)
    output = b""

    def read_until(marker: bytes, timeout: float = 30) -> None:
        nonlocal output
        deadline = time.monotonic() + timeout
        while marker not in output and time.monotonic() < deadline:
            ready, _, _ = select.select([controller], [], [], 0.5)
            if ready:
                output += os.read(controller, 65536)
        assert marker in output, output.decode(errors="replace")[-2000:]

    try:
        read_until(b"You: ")
        assert b"Welcome to Back Stretch Coach" in output
        os.write(controller, b"what routines are there\n")
        read_until(b"Which one would you like?")
        os.write(controller, b"stop\n")
        read_until(b"The session has ended")
        os.write(controller, b"\x04")
        assert process.wait(timeout=30) == 0
    finally:
        process.kill()
        os.close(controller)
