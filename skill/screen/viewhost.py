"""Amazon's own APL tools, for the preview and the tests: the renderer and the validator.

``Viewhost`` runs ``tools/apl/viewhost.mjs`` (Node) once and talks to it a line at a time:
``render`` shows a document with apl-viewhost-web in headless Chromium at one viewport and
returns the renderer's errors, where every component ended up (and, at chosen times, where
the watched ones are while the document's commands play), optionally a screenshot;
``validate`` runs apl-suggester over a document. One browser serves every request, so a
hundred renders cost seconds, not minutes. Needs ``scripts/setup --test`` (npm ci, Chromium);
the Lambda never loads this module.

Example (the box arithmetic the tests use):
    >>> box = Box("title", "Text", (10.0, 20.0, 110.0, 60.0), (100, 80), True, None, "Hi")
    >>> box.width, box.height, box.overflows
    (100.0, 40.0, True)
"""

from __future__ import annotations

import json
import select
import shutil
import subprocess
from pathlib import Path
from types import TracebackType
from typing import Any, NamedTuple

from skill.screen.layouts import Viewport

DRIVER = Path(__file__).resolve().parents[2] / "tools" / "apl" / "viewhost.mjs"
# Text is laid out by the browser, the box by the renderer: half a pixel either way is rounding.
SLACK = 1.0
ANSWER_SECONDS = 45  # a render of minutes of commands takes seconds; far longer means the page is stuck
ATTEMPTS = 3


class ViewhostMissing(RuntimeError):
    """Node, the npm packages or Chromium are not installed (``scripts/setup --test`` installs them)."""


class RenderFailed(RuntimeError):
    """The driver could not render a document (not the renderer's own errors: those are reported)."""


class Box(NamedTuple):
    """A component as the renderer laid it out: ``box`` is left, top, right, bottom on the screen in dp."""

    id: str
    type: str
    box: tuple[float, float, float, float]
    content: tuple[int, int]  # width and height of what it holds (its text, a scroll view's child)
    shown: bool
    page: int | None  # the Pager page it is on
    text: str

    @property
    def width(self) -> float:
        return self.box[2] - self.box[0]

    @property
    def height(self) -> float:
        return self.box[3] - self.box[1]

    @property
    def overflows(self) -> bool:
        """What it holds is taller or wider than the box: cut off, or only seen by scrolling."""
        return self.content[1] > self.height + SLACK or self.content[0] > self.width + SLACK


class Rendered(NamedTuple):
    errors: list[str]
    boxes: list[Box]
    samples: list[tuple[int, list[Box]]]


def _boxes(raw: list[dict[str, Any]]) -> list[Box]:
    return [Box(c["id"], c["type"], tuple(c["box"]), tuple(c["content"]), c["shown"], c["page"], c["text"]) for c in raw]


class Viewhost:
    """One Node process with one Chromium; use it as a context manager."""

    def __init__(self) -> None:
        node = shutil.which("node")
        if node is None or not (DRIVER.parents[2] / "node_modules" / "apl-viewhost-web").is_dir():
            raise ViewhostMissing("Node and the npm packages are needed: run scripts/setup --test")
        self._command = [node, str(DRIVER)]
        self._process = self._start()

    def _start(self) -> subprocess.Popen[str]:
        return subprocess.Popen(self._command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=DRIVER.parents[2])

    def __enter__(self) -> "Viewhost":
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        if self._process.stdin:
            self._process.stdin.close()
        self._process.wait(timeout=60)

    def _ask(self, request: dict[str, Any]) -> dict[str, Any]:
        """One request to the driver. Now and then the headless page stops answering (seen on a loaded
        machine, not understood yet): after ``ANSWER_SECONDS`` the driver is started anew and asked once
        more, so that a stuck browser fails the request instead of hanging the suite."""
        for attempt in range(ATTEMPTS):
            assert self._process.stdin and self._process.stdout
            self._process.stdin.write(json.dumps(request) + "\n")
            self._process.stdin.flush()
            if select.select([self._process.stdout], [], [], ANSWER_SECONDS)[0]:
                break
            self._process.kill()
            self._process.wait(timeout=10)
            self._process = self._start()
        else:
            raise RenderFailed(f"the renderer did not answer within {ANSWER_SECONDS} s, {ATTEMPTS} times")
        line = self._process.stdout.readline()
        if not line:
            raise RenderFailed("the renderer's driver stopped")
        reply: dict[str, Any] = json.loads(line)
        if "failure" in reply:
            raise RenderFailed(reply["failure"])
        return reply

    def validate(self, document: dict[str, Any]) -> list[tuple[str, str, str]]:
        """apl-suggester's findings: (level, JSON path, message) each; none for a clean document."""
        return [(f["level"], f["path"], f["message"]) for f in self._ask({"op": "validate", "document": document})["findings"]]

    def render(
        self,
        document: dict[str, Any],
        datasources: dict[str, Any],
        viewport: Viewport,
        samples: tuple[int, ...] = (),
        watch: tuple[str, ...] = (),
        screenshot: Path | None = None,
        pages: tuple[str, int] | None = None,
    ) -> Rendered:
        """Show ``document`` on ``viewport``; at each of ``samples`` (ms from the start) measure ``watch``.

        ``pages`` (a pager's id and its number of pages): measure every page, turning to each (a
        pager lays out only the pages next to the one showing); the samples come after that.
        """
        reply = self._ask({
            "op": "render",
            "document": document,
            "datasources": datasources,
            "viewport": {"width": viewport.width, "height": viewport.height, "shape": viewport.shape, "mode": viewport.mode},
            "samples": list(samples),
            "watch": list(watch) or None,
            "screenshot": str(screenshot) if screenshot else None,
            "pager": pages[0] if pages else None,
            "pages": pages[1] if pages else 0,
        })
        return Rendered(reply["errors"], _boxes(reply["components"]), [(s["at_ms"], _boxes(s["components"])) for s in reply["samples"]])
