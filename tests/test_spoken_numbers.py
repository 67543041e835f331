"""Slot values for numbers and durations, as Alexa sends them and as words."""

from __future__ import annotations

import pytest

from skill.spoken_numbers import duration_seconds, whole_number


@pytest.mark.parametrize(("said", "number"), [("30", 30), ("five", 5), ("Twenty-Five", 25), ("ninety", 90), ("?", None), ("", None), (None, None), ("lots", None), ("3.5", None)])
def test_whole_number(said: str | None, number: int | None) -> None:
    assert whole_number(said) == number


@pytest.mark.parametrize(
    ("said", "seconds"),
    [("PT30S", 30), ("PT1M", 60), ("PT1M30S", 90), ("PT90S", 90), ("thirty seconds", 30), ("a minute and a half", 90), ("PT", None), ("P1D", None), ("soon", None), (None, None)],
)
def test_duration_seconds(said: str | None, seconds: int | None) -> None:
    assert duration_seconds(said) == seconds
