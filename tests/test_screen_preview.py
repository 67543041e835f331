"""The drawings and the screen preview: AVG pictures, their SVG conversion, and the HTML pages in Chromium.

``backstretch preview --out DIR`` is run for real; each page is then opened in headless Chromium
(network off) with a measuring script added, which writes where every screen, picture frame and
drawing ended up into the page as JSON; ``--dump-dom`` brings it back.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from skill.catalogue import load_catalogue
from skill.catalogue.model import Posture
from skill.entrypoints.cli import main
from skill.screen.drawings import all_drawings, drawing, posture_drawing
from skill.screen.layouts import LAYOUTS, layout_for
from skill.screen.svg import UnknownItem, to_svg
from tests.test_screen import assert_valid_avg

CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
MEASURE = """
<script>
const box = e => { const b = e.getBoundingClientRect(); return [b.left, b.top, b.right, b.bottom]; };
const found = [...document.querySelectorAll("section.screen")].map(screen => {
  const frame = screen.querySelector(".picture"), svg = frame.querySelector("svg"), g = svg.getBBox();
  const painted = [...svg.querySelectorAll("path")].filter(p => {
    const s = getComputedStyle(p); return s.stroke !== "none" || s.fill !== "none"; }).length;
  return {stretch: screen.dataset.stretch, screen: box(screen), frame: box(frame), svg: box(svg),
          content: [g.x, g.y, g.x + g.width, g.y + g.height], painted,
          viewBox: svg.getAttribute("viewBox").split(" ").map(Number),
          name: box(screen.querySelector(".name")), buttons: box(screen.querySelector(".buttons")),
          button: [...screen.querySelectorAll(".button")].map(box)};
});
const out = document.createElement("pre"); out.id = "measure"; out.textContent = JSON.stringify(found);
document.body.appendChild(out);
</script>
"""


def test_every_stretch_and_posture_has_its_own_valid_drawing() -> None:
    catalogue = load_catalogue()
    pictures = all_drawings()
    assert set(catalogue.stretches) | {f"posture_{p.value}" for p in Posture} == set(pictures)
    for name, picture in pictures.items():
        assert_valid_avg(picture, name)
    for stretch in catalogue.stretches.values():
        own, base = drawing(stretch.id), posture_drawing(stretch.posture.value)
        assert own["items"] != base["items"], f"{stretch.id} is drawn like its bare posture"
        assert any(item.get("stroke") == "#FFD400" for item in own["items"]), f"{stretch.id}: nothing drawn as moving"
    drawn = [json.dumps(p["items"]) for p in pictures.values()]
    assert len(set(drawn)) == len(drawn), "two pictures are the same"


def test_svg_keeps_what_avg_draws() -> None:
    avg = {
        "type": "AVG", "version": "1.2", "width": 100, "height": 50, "viewportWidth": 200, "viewportHeight": 100,
        "items": [
            {"type": "group", "opacity": 0.5, "items": [{"type": "path", "pathData": "M0,0 L5,5", "stroke": "#FFD400", "strokeWidth": 4, "strokeLineCap": "round"}]},
            {"type": "path", "pathData": "M1,1 L2,2 Z", "fill": "#FFFFFF"},
            {"type": "text", "text": "a < b", "x": 3, "y": 4, "fill": "#FFFFFF", "textAnchor": "middle"},
        ],
    }
    svg = to_svg(avg)
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg" width="100" height="50" viewBox="0 0 200 100">')
    assert '<g opacity="0.5"><path d="M0,0 L5,5" fill="none" stroke="#FFD400" stroke-width="4" stroke-linecap="round"/></g>' in svg
    assert '<path d="M1,1 L2,2 Z" fill="#FFFFFF"/>' in svg, "a filled path stays filled, without a stroke"
    assert '<text fill="#FFFFFF" x="3" y="4" text-anchor="middle">a &lt; b</text>' in svg
    with pytest.raises(UnknownItem):
        to_svg({**avg, "items": [{"type": "circle"}]})


def test_each_viewport_is_listed_under_the_layout_its_conditions_choose() -> None:
    for layout in LAYOUTS:
        for viewport in layout.viewports:
            assert layout_for(viewport) is layout
        if layout.name != "round":
            assert layout.body_dp >= 32 and layout.title_dp > layout.body_dp, "readable from the floor"


def _measure(page: Path, work: Path) -> list[dict[str, Any]]:
    chromium = shutil.which("chromium")
    assert chromium, "Chromium is missing: scripts/setup --test installs it (Debian packages chromium, chromium-driver)"
    measured = work / f"measured-{page.name}"
    measured.write_text(page.read_text(encoding="utf-8").replace("</body>", MEASURE + "</body>"), encoding="utf-8")
    result = subprocess.run(
        [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={work / 'profile'}", "--dump-dom", measured.as_uri()],
        capture_output=True, text=True, timeout=120, check=True,
    )
    match = re.search(r'<pre id="measure">(.*?)</pre>', result.stdout, re.DOTALL)
    assert match, f"the measuring script did not run: {result.stderr[-500:]}"
    found: list[dict[str, Any]] = json.loads(html.unescape(match.group(1)))
    return found


def _inside(inner: list[float], outer: list[float], slack: float = 1.0) -> bool:
    return inner[0] >= outer[0] - slack and inner[1] >= outer[1] - slack and inner[2] <= outer[2] + slack and inner[3] <= outer[3] + slack


@pytest.fixture(scope="module")
def preview(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("preview")
    assert main(["preview", "--out", str(out)]) == 0
    return out


def test_preview_index_links_every_page_and_drawing(preview: Path) -> None:
    index = (preview / "index.html").read_text(encoding="utf-8")
    pages = sorted(p.name for p in preview.glob("*.html") if p.name != "index.html")
    assert len(pages) == sum(len(layout.viewports) for layout in LAYOUTS) == 6
    assert all(f'href="{page}"' in index for page in pages)
    svgs = sorted(p.stem for p in (preview / "drawings").glob("*.svg"))
    assert svgs == sorted(all_drawings()) and index.count("<svg") == len(svgs)


@pytest.mark.parametrize("layout_name", [layout.name for layout in LAYOUTS])
def test_preview_pages_draw_every_picture_inside_its_frame(preview: Path, tmp_path: Path, layout_name: str) -> None:
    layout = next(layout for layout in LAYOUTS if layout.name == layout_name)
    stretches = set(load_catalogue().stretches)
    for viewport in layout.viewports:
        found = _measure(preview / f"{layout.name}-{viewport.width}x{viewport.height}.html", tmp_path)
        assert {f["stretch"] for f in found} == stretches and len(found) == len(stretches)
        for f in found:
            where = f"{f['stretch']} on {viewport.label}"
            screen = f["screen"]
            assert screen[2] - screen[0] == viewport.width and screen[3] - screen[1] == viewport.height, where
            assert _inside(f["svg"], f["frame"]) and _inside(f["frame"], screen), f"{where}: picture out of its frame"
            x0, y0, x1, y1 = f["content"]
            _, _, width, height = f["viewBox"]
            assert x0 >= 0 and y0 >= 0 and x1 <= width and y1 <= height, f"{where}: drawing runs off its canvas"
            # getBBox leaves strokes out, so a figure lying flat is low: judge by width and area.
            assert (x1 - x0) > width / 3 and (x1 - x0) * (y1 - y0) > width * height / 20, f"{where}: drawing (nearly) blank"
            assert f["painted"] >= 4, f"{where}: too few strokes drawn"
            assert _inside(f["buttons"], screen) and _inside(f["name"], screen), f"{where}: title or buttons cut off"
            if layout.name == "round":  # the picture's frame must sit inside the circle
                cx, cy, radius = (screen[0] + screen[2]) / 2, (screen[1] + screen[3]) / 2, viewport.width / 2
                for x0, y0, x1, y1 in [f["frame"], *f["button"]]:
                    corners = [(x, y) for x in (x0, x1) for y in (y0, y1)]
                    assert all((x - cx) ** 2 + (y - cy) ** 2 <= radius**2 for x, y in corners), f"{where}: off the round screen"


def test_the_manifest_offers_the_screens_the_layouts_are_made_for() -> None:
    manifest = json.loads((Path(__file__).resolve().parents[1] / "interaction_models" / "skill.json").read_text(encoding="utf-8"))
    [apl] = [i for i in manifest["manifest"]["apis"]["custom"]["interfaces"] if i["type"] == "ALEXA_PRESENTATION_APL"]
    for layout in LAYOUTS:
        for viewport in layout.viewports:
            assert any(
                v["mode"] == viewport.mode and v["shape"] == viewport.shape
                and v["minWidth"] <= viewport.width <= v["maxWidth"] and v["minHeight"] <= viewport.height <= v["maxHeight"]
                for v in apl["supportedViewports"]
            ), f"{viewport.label} is not a viewport the manifest declares"


@pytest.mark.parametrize("module", ["drawings", "svg", "layouts", "document", "preview"])
def test_screen_doctests_pass(module: str) -> None:
    """pytest does not collect doctests (no --doctest-modules), so run them here."""
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(f"skill.screen.{module}"))
    assert result.attempted > 0 and result.failed == 0
