"""The screen layouts: one per kind of viewport, chosen on the device by an APL ``when``.

The APL document and the HTML preview both read their sizes from here, so what the team
looks at in a browser is what an Echo Show draws. Sizes are in dp. Type is big because the
user lies on the floor about two metres away: body text at least 32 dp on every landscape
screen, titles bigger; white and yellow on near-black.

Example:
    >>> [layout.name for layout in LAYOUTS]
    ['round', 'tv', 'large', 'small']
    >>> [layout_for(viewport).name for layout in LAYOUTS for viewport in layout.viewports]
    ['round', 'tv', 'large', 'large', 'small', 'small']
"""

from __future__ import annotations

from typing import NamedTuple

BACKGROUND = "#101010"
TEXT = "#FFFFFF"
ACCENT = "#FFD400"
TRACK = "#3A3A3A"
# The most characters of a stretch's steps on one page: what the smallest landscape screen shows
# whole; longer steps go on two pages, turned while they are read (``document.chunk_showing``).
STEPS_PER_PAGE = 130


class Viewport(NamedTuple):
    """A screen the layout is made for: its size in dp, shape and mode (as ``context.Viewport`` reports them)."""

    label: str
    width: int
    height: int
    shape: str = "RECTANGLE"
    mode: str = "HUB"


class Layout(NamedTuple):
    name: str
    when: str  # APL condition; the first layout whose condition holds is drawn (the last has none)
    title_dp: int
    body_dp: int
    picture_width: int
    picture_height: int
    padding: int
    show_steps: bool  # the steps beside the picture (no room on a round screen)
    button_width: int
    button_height: int
    bar_height: int
    viewports: tuple[Viewport, ...]


LAYOUTS: tuple[Layout, ...] = (
    Layout(
        "round", "${viewport.shape == 'round'}", 32, 28, 240, 144, 48, False, 120, 52, 14,
        (Viewport("Echo Spot", 480, 480, "ROUND"),),
    ),
    Layout(
        # A 1920 x 1080 television is a 960 x 540 dp viewport; its edges may be lost to overscan.
        "tv", "${viewport.mode == 'tv'}", 48, 32, 360, 216, 40, True, 192, 56, 16,
        (Viewport("TV, 1920 x 1080 pixels", 960, 540, mode="TV"),),
    ),
    Layout(
        "large", "${viewport.width >= 1280}", 64, 40, 600, 360, 48, True, 264, 88, 20,
        (Viewport("Echo Show 10, 1280 x 800", 1280, 800), Viewport("Echo Show 15, 1920 x 1080", 1920, 1080)),
    ),
    Layout(
        "small", "", 40, 32, 280, 168, 24, True, 192, 64, 16,
        (Viewport("Echo Show 5, 960 x 480", 960, 480), Viewport("Echo Show 8, 1024 x 600", 1024, 600)),
    ),
)


def layout_for(viewport: Viewport) -> Layout:
    """The layout the document's ``when`` conditions choose for ``viewport`` (mirrors them, for the preview)."""
    if viewport.shape == "ROUND":
        return LAYOUTS[0]
    if viewport.mode == "TV":
        return LAYOUTS[1]
    return LAYOUTS[2] if viewport.width >= 1280 else LAYOUTS[3]
