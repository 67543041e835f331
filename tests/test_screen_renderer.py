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
from skill.screen.viewhost import Viewhost
from skill.speech import phrases_for
from skill.speech.timeline import Timeline
from tests.support.conversation import Alexa, FakeClock
from tests.test_screen import MORNING, render_directives




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
