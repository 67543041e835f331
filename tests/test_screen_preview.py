"""The drawings, the layouts and the manifest's viewports.

What the pages hold is checked in tests/test_screen_renderer.py, on Amazon's APL renderer.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from skill.catalogue import load_catalogue
from skill.catalogue.model import Posture
from skill.screen.drawings import all_drawings, drawing, posture_drawing
from skill.screen.layouts import LAYOUTS, layout_for
from tests.test_screen import assert_valid_avg


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


def test_each_viewport_is_listed_under_the_layout_its_conditions_choose() -> None:
    for layout in LAYOUTS:
        for viewport in layout.viewports:
            assert layout_for(viewport) is layout
        if layout.name != "round":
            assert layout.body_dp >= 32 and layout.title_dp > layout.body_dp, "readable from the floor"


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


@pytest.mark.parametrize("module", ["drawings", "layouts", "document", "preview", "viewhost"])
def test_screen_doctests_pass(module: str) -> None:
    """pytest does not collect doctests (no --doctest-modules), so run them here."""
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(f"skill.screen.{module}"))
    assert result.attempted > 0 and result.failed == 0
