"""Slot values for numbers and durations, as Alexa sends them and as words."""

from __future__ import annotations

import pytest

from skill.spoken_numbers import clock_time, duration_seconds, to_iso_time, whole_number


@pytest.mark.parametrize(("said", "number"), [("30", 30), ("five", 5), ("Twenty-Five", 25), ("ninety", 90), ("?", None), ("", None), (None, None), ("lots", None), ("3.5", None)])
def test_whole_number(said: str | None, number: int | None) -> None:
    assert whole_number(said) == number


@pytest.mark.parametrize(
    ("said", "seconds"),
    [("PT30S", 30), ("PT1M", 60), ("PT1M30S", 90), ("PT90S", 90), ("thirty seconds", 30), ("a minute and a half", 90), ("PT", None), ("P1D", None), ("soon", None), (None, None)],
)
def test_duration_seconds(said: str | None, seconds: int | None) -> None:
    assert duration_seconds(said) == seconds


@pytest.mark.parametrize(
    ("said", "iso"),
    [
        ("seven", "07:00"), ("seven thirty in the evening", "19:30"), ("seven thirty pm", "19:30"),
        ("seven thirty p.m.", "19:30"), ("half past six", "06:30"), ("noon", "12:00"), ("midnight", "00:00"),
        ("a quarter past nine", "09:15"), ("quarter to seven", "06:45"), ("ten past eight", "08:10"),
        ("twenty to ten at night", "21:40"), ("seven oh five", "07:05"), ("seven o'clock in the evening", "19:00"),
        ("twelve pm", "12:00"), ("twelve a.m.", "00:00"), ("eleven at night", "23:00"), ("twenty thirty", "20:30"),
        ("at six forty five", "06:45"), ("7:30", "07:30"), ("in the morning", "MO"), ("afternoon", "AF"),
        ("evening", "EV"), ("at night", "NI"),
        ("twenty five", None), ("fifteen pm", None), ("seven sixty", None), ("half past", None),
        ("banana", None), ("", None), ("thirty five to seven", None),
    ],
)
def test_to_iso_time(said: str, iso: str | None) -> None:
    assert to_iso_time(said) == iso


@pytest.mark.parametrize(
    ("said", "time"),
    [("07:00", (7, 0)), ("19:30", (19, 30)), ("seven thirty pm", (19, 30)), ("MO", None), ("EV", None),
     ("24:00", None), ("12:60", None), (None, None), ("", None)],
)
def test_clock_time(said: str | None, time: tuple[int, int] | None) -> None:
    assert clock_time(said) == time
