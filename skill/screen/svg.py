"""AVG (Alexa Vector Graphics) to SVG, for looking at the pictures in a browser.

AVG is a subset of SVG: a path's ``pathData`` is SVG path data, a group maps to ``<g>``,
a text to ``<text>``. The differences that matter: AVG paths are neither filled nor
stroked unless told (SVG fills black by default), and property names are camelCase
(``strokeWidth`` for ``stroke-width``).

Example:
    >>> avg = {"type": "AVG", "version": "1.2", "width": 10, "height": 10,
    ...        "items": [{"type": "path", "pathData": "M0,0 L10,10", "stroke": "#FFFFFF", "strokeWidth": 2}]}
    >>> print(to_svg(avg))
    <svg xmlns="http://www.w3.org/2000/svg" width="10" height="10" viewBox="0 0 10 10"><path d="M0,0 L10,10" fill="none" stroke="#FFFFFF" stroke-width="2"/></svg>
"""

from __future__ import annotations

from html import escape
from typing import Any

SVG_NS = "http://www.w3.org/2000/svg"

# AVG path property -> SVG attribute (values carry over as they are).
PATH_ATTRIBUTES = {
    "fillOpacity": "fill-opacity",
    "stroke": "stroke",
    "strokeWidth": "stroke-width",
    "strokeOpacity": "stroke-opacity",
    "strokeLineCap": "stroke-linecap",
    "strokeLineJoin": "stroke-linejoin",
    "strokeMiterLimit": "stroke-miterlimit",
}
TEXT_ATTRIBUTES = {"x": "x", "y": "y", "fontSize": "font-size", "fontWeight": "font-weight", "fontFamily": "font-family"}
TEXT_ANCHOR = {"start": "start", "middle": "middle", "end": "end"}


class UnknownItem(ValueError):
    """An AVG item type the converter does not know (AVG 1.2 has group, path and text)."""


def _attributes(pairs: list[tuple[str, Any]]) -> str:
    return "".join(f' {name}="{escape(str(value))}"' for name, value in pairs)


def _path(item: dict[str, Any]) -> str:
    pairs: list[tuple[str, Any]] = [("d", item["pathData"]), ("fill", item.get("fill", "none"))]
    pairs += [(svg, item[avg]) for avg, svg in PATH_ATTRIBUTES.items() if avg in item]
    return f"<path{_attributes(pairs)}/>"


def _group(item: dict[str, Any]) -> str:
    pairs: list[tuple[str, Any]] = []
    if "transform" in item:
        pairs.append(("transform", item["transform"]))
    if "opacity" in item:
        pairs.append(("opacity", item["opacity"]))
    return f"<g{_attributes(pairs)}>{''.join(_item(child) for child in _children(item))}</g>"


def _text(item: dict[str, Any]) -> str:
    pairs: list[tuple[str, Any]] = [("fill", item.get("fill", "#000000"))]
    pairs += [(svg, item[avg]) for avg, svg in TEXT_ATTRIBUTES.items() if avg in item]
    if "textAnchor" in item:
        pairs.append(("text-anchor", TEXT_ANCHOR[item["textAnchor"]]))
    return f"<text{_attributes(pairs)}>{escape(str(item.get('text', '')))}</text>"


def _children(item: dict[str, Any]) -> list[dict[str, Any]]:
    children = item.get("items", item.get("item", []))
    return children if isinstance(children, list) else [children]


def _item(item: dict[str, Any]) -> str:
    kind = item.get("type")
    if kind == "path":
        return _path(item)
    if kind == "group":
        return _group(item)
    if kind == "text":
        return _text(item)
    raise UnknownItem(f"AVG item type {kind!r}")


def to_svg(avg: dict[str, Any]) -> str:
    """The SVG document drawing the same picture as ``avg``, at the graphic's own size."""
    width, height = avg["width"], avg["height"]
    viewport = (avg.get("viewportWidth", width), avg.get("viewportHeight", height))
    pairs = [("xmlns", SVG_NS), ("width", width), ("height", height), ("viewBox", f"0 0 {viewport[0]} {viewport[1]}")]
    return f"<svg{_attributes(pairs)}>{''.join(_item(item) for item in _children(avg))}</svg>"
