"""The project's own pictures of each posture and stretch, as APL vector graphics (AVG 1.2).

Every picture is a side view of a stick figure on a 400 x 240 canvas, drawn with thick
round strokes so that it reads from the floor two metres away: the body in white, what
moves in the stretch in yellow (with an arrow for the direction), the floor, a chair or a
step in grey. A stretch's picture is its posture's picture with the moving limbs changed,
so the two always look alike. No image files and no URLs: the graphics travel inside the
APL document.

Example:
    >>> graphic = drawing("single_knee_to_chest")
    >>> graphic["type"], graphic["version"], graphic["width"], graphic["height"]
    ('AVG', '1.2', 400, 240)
    >>> sorted({item["type"] for item in graphic["items"]})
    ['path']
"""

from __future__ import annotations

import math
from enum import Enum
from typing import Any, NamedTuple

WIDTH = 400
HEIGHT = 240
FLOOR_Y = 220
LIMB_WIDTH = 12
HEAD_RADIUS = 17
ARROW_WIDTH = 7
ARROW_HEAD = 16

Point = tuple[float, float]


class Tone(str, Enum):
    """Colours on a near-black screen: high contrast for the body and what moves."""

    BODY = "#FFFFFF"
    MOVE = "#FFD400"
    PROP = "#9A9A9A"


class Limb(NamedTuple):
    """A polyline of the figure (or a prop) through ``points``."""

    points: tuple[Point, ...]
    tone: Tone = Tone.BODY


class Head(NamedTuple):
    centre: Point
    tone: Tone = Tone.BODY


class Arrow(NamedTuple):
    """Which way to move: a line through ``points`` with a head at the last one."""

    points: tuple[Point, ...]


Mark = Limb | Head | Arrow


def _limb(*points: Point, tone: Tone = Tone.BODY) -> Limb:
    return Limb(tuple(points), tone)


def _move(*points: Point) -> Limb:
    return Limb(tuple(points), Tone.MOVE)


FLOOR = _limb((10, FLOOR_Y + 4), (390, FLOOR_Y + 4), tone=Tone.PROP)
CHAIR = (
    _limb((150, 150), (150, 70), tone=Tone.PROP),
    _limb((150, 150), (235, 150), tone=Tone.PROP),
    _limb((155, 150), (155, FLOOR_Y), tone=Tone.PROP),
    _limb((230, 150), (230, FLOOR_Y), tone=Tone.PROP),
)

# Lying on the back, knees bent and feet flat (the start of most floor stretches).
ON_BACK_TRUNK = (Head((52, 196)), _limb((78, 203), (200, 203)), _limb((92, 203), (150, 208)))
BENT_LEG = _limb((200, 203), (250, 150), (300, 208))
STRAIGHT_LEG = _limb((200, 203), (360, 206))

POSTURES: dict[str, tuple[Mark, ...]] = {
    "on_back": (FLOOR, *ON_BACK_TRUNK, BENT_LEG),
    "face_down": (
        FLOOR, Head((52, 194)), _limb((78, 204), (210, 206), (360, 208)), _limb((100, 204), (112, 212), (70, 213)),
    ),
    "kneeling": (
        FLOOR, Head((88, 104)), _limb((112, 120), (250, 120)), _limb((120, 120), (120, FLOOR_Y)),
        _limb((250, 120), (250, FLOOR_Y), (340, FLOOR_Y)),
    ),
    "sitting": (
        FLOOR, *CHAIR, Head((190, 42)), _limb((190, 66), (190, 142)), _limb((190, 142), (270, 142), (270, FLOOR_Y)),
        _limb((190, 80), (235, 135)),
    ),
    "standing": (
        FLOOR, Head((200, 30)), _limb((200, 54), (200, 132)), _limb((185, FLOOR_Y), (200, 132), (215, FLOOR_Y)),
        _limb((178, 132), (200, 74), (222, 132)),
    ),
}

# Each stretch: its posture, with what moves in yellow and an arrow for the direction.
STRETCHES: dict[str, tuple[Mark, ...]] = {
    "prone_press_up": (
        FLOOR, Head((82, 122)), _move((110, 150), (215, 204)), _limb((215, 204), (360, 208)),
        _limb((112, 152), (112, 208), (70, 212)), Arrow(((40, 200), (40, 130))),
    ),
    "single_knee_to_chest": (
        FLOOR, *ON_BACK_TRUNK, BENT_LEG, _move((200, 203), (168, 140), (214, 150)),
        _limb((94, 203), (168, 146)), Arrow(((250, 96), (196, 104))),
    ),
    "kneeling_back_stretch": (
        FLOOR, Head((92, 132)), _move((122, 146), (292, 168)), _limb((122, 146), (75, FLOOR_Y)),
        _limb((292, 168), (245, FLOOR_Y), (340, FLOOR_Y)), Arrow(((240, 96), (318, 122))),
    ),
    "sciatic_nerve_glide": (
        FLOOR, *ON_BACK_TRUNK, STRAIGHT_LEG, _move((200, 203), (214, 122), (282, 92)),
        _limb((94, 203), (206, 152)), Arrow(((300, 140), (306, 82))),
    ),
    "back_flexion": (
        FLOOR, Head((74, 168)), _limb((98, 184), (200, 203)), _move((200, 203), (162, 132), (222, 138)),
        _limb((104, 186), (162, 140)), Arrow(((246, 104), (176, 92))),
    ),
    "childs_pose": (
        FLOOR, Head((134, 200)), _move((164, 196), (292, 168)), _move((164, 200), (50, FLOOR_Y - 6)),
        _limb((292, 168), (245, FLOOR_Y), (340, FLOOR_Y)), Arrow(((130, 150), (52, 150))),
    ),
    "chin_to_chest": (
        FLOOR, *CHAIR, Head((214, 62)), _move((190, 70), (206, 76)), _limb((190, 70), (190, 142)),
        _limb((190, 142), (270, 142), (270, FLOOR_Y)), _limb((190, 82), (235, 135)), Arrow(((250, 26), (256, 84))),
    ),
    "ear_to_shoulder": (
        # Seen from the front: the head leans towards one shoulder.
        FLOOR, _limb((120, 150), (280, 150), tone=Tone.PROP), Head((228, 52)), _limb((150, 84), (250, 84)),
        _limb((200, 84), (200, 150)), _limb((150, 84), (140, 150)), _limb((250, 84), (260, 150)),
        _move((200, 84), (214, 68)), _limb((170, 150), (170, FLOOR_Y)), _limb((230, 150), (230, FLOOR_Y)),
        Arrow(((262, 26), (282, 70))),
    ),
    "ankle_pumps": (
        FLOOR, *ON_BACK_TRUNK, STRAIGHT_LEG, _move((360, 206), (366, 168)), Arrow(((384, 150), (390, 196))),
    ),
    "heel_slides": (
        FLOOR, *ON_BACK_TRUNK, STRAIGHT_LEG, _move((200, 203), (262, 162), (320, 208)), Arrow(((340, 170), (280, 120))),
    ),
    "abdominal_contraction": (
        FLOOR, Head((52, 196)), _limb((78, 203), (120, 203)), _move((120, 203), (180, 203)), _limb((180, 203), (200, 203)),
        _limb((92, 203), (150, 208)), BENT_LEG, Arrow(((150, 130), (150, 186))),
    ),
    "pelvic_tilt": (
        FLOOR, Head((52, 196)), _limb((78, 203), (172, 203)), _move((172, 203), (212, 200)), _limb((92, 203), (150, 208)),
        _limb((212, 200), (256, 150), (300, 208)), Arrow(((226, 140), (196, 184))),
    ),
    "lying_hamstring_stretch": (
        FLOOR, *ON_BACK_TRUNK, BENT_LEG, _move((200, 203), (214, 52)), _limb((94, 203), (206, 128)),
        Arrow(((262, 84), (226, 48))),
    ),
    "knee_twist": (
        FLOOR, *ON_BACK_TRUNK, _move((200, 203), (262, 186), (312, 210)), _limb((200, 203), (250, 150), (300, 208)),
        Arrow(((262, 124), (286, 176))),
    ),
    "double_knee_to_chest": (
        FLOOR, *ON_BACK_TRUNK, _move((200, 203), (166, 138), (222, 146)), _move((206, 203), (180, 140), (236, 150)),
        _limb((94, 203), (170, 146)), Arrow(((262, 100), (200, 104))),
    ),
    "knee_to_chest_pulses": (
        FLOOR, *ON_BACK_TRUNK, _move((200, 203), (166, 138), (222, 146)), _move((206, 203), (180, 140), (236, 150)),
        _limb((94, 203), (170, 146)), Arrow(((232, 96), (196, 100))), Arrow(((196, 76), (232, 72))),
    ),
    "step_hamstring_stretch": (
        FLOOR, _limb((270, 184), (360, 184), (360, FLOOR_Y), tone=Tone.PROP), Head((246, 40)),
        _limb((196, 132), (232, 62)), _limb((196, 132), (190, FLOOR_Y)), _move((196, 132), (300, 176)),
        _limb((226, 76), (262, 136)), Arrow(((270, 24), (300, 60))),
    ),
    "standing_forward_bend": (
        FLOOR, Head((116, 150)), _move((200, 112), (140, 132)), _limb((192, FLOOR_Y), (200, 112), (208, FLOOR_Y)),
        _limb((150, 130), (146, 200)), Arrow(((150, 60), (108, 110))),
    ),
    "lying_rest": (FLOOR, *ON_BACK_TRUNK, _move((200, 203), (360, 206)), _move((206, 203), (362, 198))),
}


def _number(value: float) -> str:
    """A coordinate as short as it can be written (``12`` rather than ``12.0``)."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _polyline(points: tuple[Point, ...]) -> str:
    """SVG/AVG path data through ``points``.

    >>> _polyline(((0, 0), (10, 5.5)))
    'M0,0 L10,5.5'
    """
    head, *rest = points
    return " ".join([f"M{_number(head[0])},{_number(head[1])}"] + [f"L{_number(x)},{_number(y)}" for x, y in rest])


def _circle(centre: Point, radius: float) -> str:
    """A full circle as two arcs (AVG has no circle item)."""
    x, y = centre
    r = _number(radius)
    return f"M{_number(x - radius)},{_number(y)} A{r},{r} 0 1,0 {_number(x + radius)},{_number(y)} A{r},{r} 0 1,0 {_number(x - radius)},{_number(y)} Z"


def _arrow_head(points: tuple[Point, ...]) -> str:
    """Two short strokes back from the last point, 30 degrees either side of the line."""
    (x0, y0), (x1, y1) = points[-2], points[-1]
    angle = math.atan2(y1 - y0, x1 - x0)
    wings = [
        (x1 - ARROW_HEAD * math.cos(angle + turn), y1 - ARROW_HEAD * math.sin(angle + turn))
        for turn in (math.pi / 6, -math.pi / 6)
    ]
    return _polyline((wings[0], (x1, y1), wings[1]))


def _stroke(path_data: str, tone: Tone, width: float) -> dict[str, Any]:
    return {
        "type": "path",
        "pathData": path_data,
        "stroke": tone.value,
        "strokeWidth": width,
        "strokeLineCap": "round",
        "strokeLineJoin": "round",
    }


def _items(marks: tuple[Mark, ...]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for mark in marks:
        if isinstance(mark, Head):
            items.append({"type": "path", "pathData": _circle(mark.centre, HEAD_RADIUS), "fill": mark.tone.value})
        elif isinstance(mark, Arrow):
            items.append(_stroke(_polyline(mark.points), Tone.MOVE, ARROW_WIDTH))
            items.append(_stroke(_arrow_head(mark.points), Tone.MOVE, ARROW_WIDTH))
        else:
            items.append(_stroke(_polyline(mark.points), mark.tone, LIMB_WIDTH))
    return items


def _graphic(description: str, marks: tuple[Mark, ...]) -> dict[str, Any]:
    return {
        "type": "AVG",
        "version": "1.2",
        "description": description,
        "width": WIDTH,
        "height": HEIGHT,
        "viewportWidth": WIDTH,
        "viewportHeight": HEIGHT,
        "items": _items(marks),
    }


def drawing(stretch_id: str) -> dict[str, Any]:
    """The AVG picture of a stretch (raises ``KeyError`` for one without a picture)."""
    return _graphic(stretch_id.replace("_", " "), STRETCHES[stretch_id])


def posture_drawing(posture: str) -> dict[str, Any]:
    """The AVG picture of a posture (``skill.catalogue.model.Posture`` values)."""
    return _graphic(posture.replace("_", " "), POSTURES[posture])


def all_drawings() -> dict[str, dict[str, Any]]:
    """Every picture by name: ``posture_<posture>`` and each stretch id.

    >>> names = all_drawings()
    >>> "posture_kneeling" in names and "childs_pose" in names
    True
    """
    pictures = {f"posture_{name}": posture_drawing(name) for name in POSTURES}
    pictures.update({name: drawing(name) for name in STRETCHES})
    return pictures
