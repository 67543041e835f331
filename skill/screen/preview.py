"""A preview of the screens for the team: HTML pages that approximate the APL layouts.

``backstretch preview --out DIR`` writes one page per viewport (each stretch as it shows on
that screen, its picture converted from AVG to SVG and inlined), a ``drawings`` folder with
every picture as an SVG file, and ``index.html`` linking them. Sizes come from
``skill.screen.layouts``, the table the APL document uses; a CSS pixel stands for a dp.

Example:
    >>> import tempfile, pathlib
    >>> written = write_preview(pathlib.Path(tempfile.mkdtemp()))
    >>> sorted(p.name for p in written if p.suffix == ".html")[:3]
    ['index.html', 'large-1280x800.html', 'large-1920x1080.html']
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from skill.catalogue import load_catalogue
from skill.catalogue.model import Stretch
from skill.screen.drawings import all_drawings, drawing
from skill.screen.layouts import ACCENT, BACKGROUND, LAYOUTS, TEXT, TRACK, Layout, Viewport
from skill.screen.svg import to_svg
from skill.speech.phrases import Phrases, phrases_for
from skill.speech.timeline import steps_on_side

STYLE = f"""
body {{ background: #2a2a2a; color: {TEXT}; font-family: sans-serif; margin: 24px; }}
.screen {{ background: {BACKGROUND}; box-sizing: border-box; display: flex; flex-direction: column;
  overflow: hidden; margin: 0 0 32px 0; position: relative; }}
.screen.round {{ border-radius: 50%; align-items: center; text-align: center; }}
.counter {{ color: {ACCENT}; }}
.name {{ font-weight: bold; white-space: nowrap; overflow: hidden; }}
.body {{ display: flex; flex: 1 1 auto; min-height: 0; }}
.round .body {{ flex-direction: column; align-items: center; }}
.picture svg {{ width: 100%; height: 100%; display: block; }}
.steps {{ flex: 1 1 auto; overflow: hidden; }}
.track {{ background: {TRACK}; width: 100%; flex: none; }}
.bar {{ background: {ACCENT}; height: 100%; width: 40%; border-radius: inherit; }}
.buttons {{ display: flex; justify-content: space-around; width: 100%; flex: none; }}
.button {{ border: 3px solid {ACCENT}; display: flex; align-items: center; justify-content: center; box-sizing: border-box; }}
.gallery figure {{ display: inline-block; margin: 8px; background: {BACKGROUND}; }}
.gallery figcaption {{ padding: 4px; }}
a {{ color: {ACCENT}; }}
"""


def page_name(layout: Layout, viewport: Viewport) -> str:
    return f"{layout.name}-{viewport.width}x{viewport.height}.html"


def _screen(stretch: Stretch, number: int, total: int, layout: Layout, viewport: Viewport, phrases: Phrases) -> str:
    """One stretch's page, as the APL layout draws it on ``viewport``."""
    round_screen = layout.name == "round"
    counter = phrases.say("screen_counter", number=number, total=total)
    steps = ""
    if layout.show_steps:
        lines = "<br>".join(escape(line) for line in (stretch.position, *steps_on_side(phrases, stretch, None)))
        steps = f'<div class="steps" style="font-size:{layout.body_dp}px;padding-left:{layout.padding}px">{lines}</div>'
    buttons = "".join(
        f'<div class="button" style="width:{layout.button_width}px;height:{layout.button_height}px;'
        f'font-size:{layout.body_dp}px;border-radius:{layout.button_height // 4}px">{escape(phrases.say(key))}</div>'
        for key in ("screen_pause", "screen_next")
    )
    svg = to_svg(drawing(stretch.id))
    return (
        f'<section class="screen{" round" if round_screen else ""}" data-stretch="{stretch.id}" '
        f'style="width:{viewport.width}px;height:{viewport.height}px;padding:{layout.padding}px">'
        f'<div class="counter" style="font-size:{layout.body_dp}px">{escape(counter)}</div>'
        f'<div class="name" style="font-size:{layout.title_dp}px">{escape(stretch.name[:1].upper() + stretch.name[1:])}</div>'
        f'<div class="body" style="padding-top:{layout.padding // 2}px">'
        f'<div class="picture" data-drawing="{stretch.id}" style="width:{layout.picture_width}px;height:{layout.picture_height}px;flex:none">{svg}</div>'
        f"{steps}</div>"
        f'<div class="track" style="height:{layout.bar_height}px;border-radius:{layout.bar_height // 2}px;margin-top:{layout.bar_height}px"><div class="bar"></div></div>'
        f'<div class="buttons" style="padding-top:{layout.bar_height}px">{buttons}</div>'
        "</section>"
    )


def _html(title: str, body: str) -> str:
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
        f"<style>{STYLE}</style></head><body><h1>{escape(title)}</h1>{body}</body></html>\n"
    )


def write_preview(out: Path, locale: str = "en-US") -> list[Path]:
    """Write the preview into ``out`` (created if missing); returns the files written."""
    catalogue = load_catalogue()
    phrases = phrases_for(locale)
    stretches = list(catalogue.stretches.values())
    out.mkdir(parents=True, exist_ok=True)
    (out / "drawings").mkdir(exist_ok=True)
    written: list[Path] = []
    for name, graphic in all_drawings().items():
        path = out / "drawings" / f"{name}.svg"
        path.write_text(to_svg(graphic) + "\n", encoding="utf-8")
        written.append(path)
    links = []
    for layout in LAYOUTS:
        for viewport in layout.viewports:
            screens = "".join(
                _screen(stretch, number, len(stretches), layout, viewport, phrases)
                for number, stretch in enumerate(stretches, start=1)
            )
            path = out / page_name(layout, viewport)
            path.write_text(_html(f"{viewport.label}: the {layout.name} layout", screens), encoding="utf-8")
            written.append(path)
            links.append(f'<li><a href="{path.name}">{escape(viewport.label)}</a> ({layout.name} layout)</li>')
    gallery = "".join(
        f'<figure><a href="drawings/{name}.svg">{to_svg(graphic)}</a><figcaption>{escape(name)}</figcaption></figure>'
        for name, graphic in all_drawings().items()
    )
    index = out / "index.html"
    index.write_text(_html("Back Stretch Coach on a screen", f"<ul>{''.join(links)}</ul><div class=\"gallery\">{gallery}</div>"), encoding="utf-8")
    return [index, *written]
