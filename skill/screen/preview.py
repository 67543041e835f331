"""A preview of the screens for the team: screenshots from Amazon's own APL renderer.

``backstretch preview --out DIR`` draws every stretch's page with apl-viewhost-web in headless
Chromium (``skill.screen.viewhost``) at every viewport the skill declares, half-way through the
stretch's first hold (the bar half full), and writes them as PNG files with an ``index.html``
showing them side by side. It needs the test tools (``scripts/setup --test``). There is no
home-made HTML imitation any more: what the preview shows is what the renderer draws.

Example:
    >>> [shot_name("small", 960, 480, "cat_cow"), shot_name("round", 480, 480, "cat_cow")]
    ['small-960x480-cat_cow.png', 'round-480x480-cat_cow.png']
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from skill.catalogue import load_catalogue
from skill.engine.plan import PlanItem
from skill.screen.document import chunk_showing, routine_document
from skill.screen.layouts import LAYOUTS
from skill.screen.viewhost import Viewhost
from skill.speech.phrases import phrases_for
from skill.speech.timeline import Timeline

HOLD_SECONDS = 10


def shot_name(layout: str, width: int, height: int, stretch_id: str) -> str:
    return f"{layout}-{width}x{height}-{stretch_id}.png"


def write_preview(out: Path, locale: str = "en-US", stretch_ids: tuple[str, ...] = ()) -> list[Path]:
    """Write the screenshots and ``index.html`` into ``out`` (created if missing); returns the files written.

    ``stretch_ids`` limits the preview to those stretches (all of them when empty).
    """
    catalogue, phrases = load_catalogue(), phrases_for(locale)
    chosen = stretch_ids or tuple(catalogue.stretches)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    rows = []
    with Viewhost() as viewhost:
        for stretch_id in chosen:
            timeline = Timeline((PlanItem(stretch_id, HOLD_SECONDS, 1),), catalogue, phrases)
            ends = timeline.ends_ms(0, len(timeline), 1.0)
            showing = chunk_showing(timeline, 0, ends, phrases)
            document, datasources = routine_document(showing, phrases, ends[-1])
            hold = next((cue for cue in showing.cues if cue.hold_ms), None)
            at = (hold.at_ms + hold.hold_ms // 2,) if hold else ()
            cells = []
            for layout in LAYOUTS:
                for viewport in layout.viewports:
                    path = out / shot_name(layout.name, viewport.width, viewport.height, stretch_id)
                    rendered = viewhost.render(document, datasources, viewport, samples=at, screenshot=path)
                    written.append(path)
                    problems = "".join(f"<li>{escape(error)}</li>" for error in rendered.errors)
                    cells.append(f'<td><img src="{path.name}" width="{viewport.width // 2}" alt="{escape(viewport.label)}">'
                                 f"<br>{escape(viewport.label)}{f'<ul>{problems}</ul>' if problems else ''}</td>")
            rows.append(f"<tr><th>{escape(catalogue.stretches[stretch_id].name)}</th>{''.join(cells)}</tr>")
    index = out / "index.html"
    index.write_text(
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Back Stretch Coach on a screen</title></head>'
        f'<body style="background:#2a2a2a;color:#fff;font-family:sans-serif"><table>{"".join(rows)}</table></body></html>\n',
        encoding="utf-8",
    )
    return [index, *written]
