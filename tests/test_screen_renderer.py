"""The screens on Amazon's own tools: apl-suggester, and apl-viewhost-web 1.4.0 in headless Chromium.

Every document the skill sends is validated; the hold bar is watched on the renderer while the
document's own commands play on the page's clock, moved on by the test (``skill.screen.viewhost``).
One browser serves the whole file.
"""

from __future__ import annotations

from typing import Any, Iterator

import pytest

from skill.catalogue import load_catalogue
from skill.engine.plan import PlanItem
from skill.screen.document import chunk_showing, routine_document
from skill.screen.layouts import LAYOUTS, Viewport
from skill.screen.viewhost import Box, Viewhost
from skill.speech import phrases_for
from skill.speech.timeline import Timeline
from tests.support.conversation import Alexa, FakeClock
from tests.test_screen import MORNING, render_directives

VIEWPORTS = [viewport for layout in LAYOUTS for viewport in layout.viewports]
SLACK = 1.0



@pytest.fixture(scope="module")
def viewhost() -> Iterator[Viewhost]:
    with Viewhost() as host:
        yield host


@pytest.fixture(scope="module")
def sent(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[str, dict[str, Any]]]:
    """The directives of a conversation on a screen: the title screen, a routine, a pause, help, a resume."""
    show = Alexa.with_clock(tmp_path_factory.mktemp("show"), FakeClock(), screen=True)
    replies = [
        ("launch", show.launch()),
        ("routine", show.intent("StartRoutineIntent", routine=MORNING)),
        ("pause", show.intent("AMAZON.PauseIntent", at=40)),
        ("help", show.intent("AMAZON.HelpIntent")),
        ("resume", show.intent("AMAZON.ResumeIntent")),
    ]
    return [(name, directive) for name, reply in replies for directive in render_directives(reply)]


@pytest.fixture(scope="module")
def every_stretch() -> tuple[dict[str, Any], dict[str, Any]]:
    """One routine document with every stretch of the catalogue, as the skill builds it."""
    catalogue, phrases = load_catalogue(), phrases_for("en-US")
    timeline = Timeline(tuple(PlanItem(stretch_id, 10, 1) for stretch_id in catalogue.stretches), catalogue, phrases)
    ends = timeline.ends_ms(0, len(timeline), 1.0)
    return routine_document(chunk_showing(timeline, 0, ends, phrases), phrases, ends[-1])


def test_every_document_the_skill_sends_passes_apl_suggester(viewhost: Viewhost, sent: list[tuple[str, dict[str, Any]]],
                                                              every_stretch: tuple[dict[str, Any], dict[str, Any]]) -> None:
    documents = [(name, directive["document"]) for name, directive in sent] + [("every stretch", every_stretch[0])]
    assert {name for name, _ in documents} >= {"launch", "routine", "pause", "resume"}
    findings = {name: viewhost.validate(document) for name, document in documents}
    assert findings == {name: [] for name, _ in documents}


def _filled(boxes: list[Box]) -> tuple[float, float]:
    """The yellow part of the track (the bar clipped to it), left and right, and the track's."""
    track = next(b for b in boxes if b.id == "holdTrack")
    bar = next(b for b in boxes if b.id == "holdBar")
    left, right = max(bar.box[0], track.box[0]), min(bar.box[2], track.box[2])
    return (left - track.box[0], max(0.0, right - left) / track.width)


@pytest.mark.parametrize("viewport", [VIEWPORTS[0], VIEWPORTS[-1]], ids=["round", "landscape"])
def test_hold_bar_fills_from_the_left_and_empties_at_the_next_stretch(viewhost: Viewhost, sent: list[tuple[str, dict[str, Any]]],
                                                                      viewport: Viewport) -> None:
    [directive] = [d for name, d in sent if name == "routine"]
    commands = directive["document"]["onMount"][0]["commands"]
    fills = [c for c in commands if c["type"] == "AnimateItem" and c["delay"] > 0 and c["duration"] > 1000]
    first = fills[0]
    turn = next(c for c in commands if c["type"] == "SetPage" and c["delay"] > first["delay"] + first["duration"])
    quarter, half = first["delay"] + first["duration"] // 4, first["delay"] + first["duration"] // 2
    ended, after_turn = first["delay"] + first["duration"] + 100, turn["delay"] + 1000
    rendered = viewhost.render(directive["document"], directive["datasources"], viewport,
                               samples=(first["delay"] - 500, quarter, half, ended, after_turn), watch=("holdBar", "holdTrack"))
    assert rendered.errors == [], "every command is accepted"
    (_, before), (q_left, q), (h_left, h), (_, full), (_, emptied) = (_filled(boxes) for _, boxes in rendered.samples)
    assert before < 0.01, "empty before the first hold"
    assert abs(q_left) <= SLACK and abs(h_left) <= SLACK, "it grows from the track's left end"
    assert abs(q - 0.25) < 0.08 and abs(h - 0.5) < 0.08, (q, h)
    assert full > 0.97
    assert emptied < 0.01, "the next stretch starts under an empty bar"
