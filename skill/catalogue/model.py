"""Typed, validated view of ``stretches.json`` and ``routines.json``.

The files are parsed once per process (``load_catalogue`` is cached), so a warm
Lambda never re-reads them.

Example:
    >>> catalogue = load_catalogue()
    >>> catalogue.routine("morning").name
    'morning back stretches'
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from enum import Enum
from typing import Any, Literal, NamedTuple

Kind = Literal["hold", "count"]
Sides = Literal["none", "left_right"]


class Posture(str, Enum):
    """Where the body is during a stretch; moving between postures takes time (see the engine)."""

    ON_BACK = "on_back"
    FACE_DOWN = "face_down"
    KNEELING = "kneeling"
    SITTING = "sitting"
    STANDING = "standing"


class CatalogueError(ValueError):
    """The catalogue files break a rule the rest of the skill relies on."""


class Range(NamedTuple):
    """A default with the range the seeds allow."""

    default: int
    min: int
    max: int


class Source(NamedTuple):
    """One seed article a stretch comes from, with the numbers it gives."""

    seed: str
    hold_seconds: tuple[int, int] | None
    reps: tuple[int, int] | None
    note: str


class Stretch(NamedTuple):
    """One stretch or warm-up move.

    ``kind == "hold"``: ``hold`` is seconds per hold, ``reps`` holds per side.
    ``kind == "count"``: ``hold`` is seconds per movement, ``reps`` movements per side.
    """

    id: str
    name: str
    synonyms: tuple[str, ...]
    kind: Kind
    position: str
    posture: Posture
    steps: tuple[str, ...]
    hold: Range
    hold_adjustable: bool
    reps: Range
    sides: Sides
    cue: str
    why: str
    sources: tuple[Source, ...]

    @property
    def side_count(self) -> int:
        return 2 if self.sides == "left_right" else 1


class RoutineItem(NamedTuple):
    """A stretch as a routine uses it, with optional hold/reps overrides."""

    stretch_id: str
    hold: int | None = None
    reps: int | None = None


class Routine(NamedTuple):
    id: str
    name: str
    synonyms: tuple[str, ...]
    description: str
    sources: tuple[str, ...]
    items: tuple[RoutineItem, ...]


class SafetyRule(NamedTuple):
    id: str
    text: str
    sources: tuple[str, ...]


class Catalogue(NamedTuple):
    stretches: dict[str, Stretch]
    routines: dict[str, Routine]
    safety: tuple[SafetyRule, ...]

    def stretch(self, stretch_id: str) -> Stretch:
        return self.stretches[stretch_id]

    def routine(self, routine_id: str) -> Routine:
        return self.routines[routine_id]


def _range(raw: dict[str, Any], where: str) -> Range:
    value = Range(int(raw["default"]), int(raw["min"]), int(raw["max"]))
    if not 0 < value.min <= value.default <= value.max:
        raise CatalogueError(f"{where}: need 0 < min <= default <= max, got {value}")
    return value


def _pair(raw: list[int] | None) -> tuple[int, int] | None:
    return None if raw is None else (int(raw[0]), int(raw[1]))


def _posture(sid: str, raw: Any) -> Posture:
    try:
        return Posture(raw)
    except ValueError as error:
        raise CatalogueError(f"{sid}: unknown posture {raw!r}") from error


def _stretch(raw: dict[str, Any]) -> Stretch:
    sid = raw["id"]
    if raw["kind"] not in ("hold", "count"):
        raise CatalogueError(f"{sid}: unknown kind {raw['kind']!r}")
    if raw["sides"] not in ("none", "left_right"):
        raise CatalogueError(f"{sid}: unknown sides {raw['sides']!r}")
    if not 2 <= len(raw["steps"]) <= 5:
        raise CatalogueError(f"{sid}: needs 2 to 5 steps")
    if not raw["sources"]:
        raise CatalogueError(f"{sid}: every stretch names the seed it comes from")
    return Stretch(
        id=sid,
        name=raw["name"],
        synonyms=tuple(raw["synonyms"]),
        kind=raw["kind"],
        position=raw["position"],
        posture=_posture(sid, raw["posture"]),
        steps=tuple(raw["steps"]),
        hold=_range(raw["hold"], f"{sid}.hold"),
        hold_adjustable=bool(raw["hold"]["adjustable"]),
        reps=_range(raw["reps"], f"{sid}.reps"),
        sides=raw["sides"],
        cue=raw["cue"],
        why=raw["why"],
        sources=tuple(
            Source(s["seed"], _pair(s.get("hold_seconds")), _pair(s.get("reps")), s.get("note", ""))
            for s in raw["sources"]
        ),
    )


def _routine(raw: dict[str, Any], stretches: dict[str, Stretch]) -> Routine:
    items = []
    for entry in raw["stretches"]:
        stretch = stretches.get(entry["id"])
        if stretch is None:
            raise CatalogueError(f"routine {raw['id']}: unknown stretch {entry['id']!r}")
        item = RoutineItem(entry["id"], entry.get("hold"), entry.get("reps"))
        if item.hold is not None and not stretch.hold.min <= item.hold <= stretch.hold.max:
            raise CatalogueError(f"routine {raw['id']}: hold for {stretch.id} outside its range")
        if item.reps is not None and not stretch.reps.min <= item.reps <= stretch.reps.max:
            raise CatalogueError(f"routine {raw['id']}: reps for {stretch.id} outside its range")
        items.append(item)
    if not items:
        raise CatalogueError(f"routine {raw['id']} has no stretches")
    return Routine(
        id=raw["id"],
        name=raw["name"],
        synonyms=tuple(raw["synonyms"]),
        description=raw["description"],
        sources=tuple(raw["sources"]),
        items=tuple(items),
    )


def parse_catalogue(stretches_doc: dict[str, Any], routines_doc: dict[str, Any]) -> Catalogue:
    """Build and validate a catalogue from the two parsed JSON documents."""
    stretches: dict[str, Stretch] = {}
    for raw in stretches_doc["stretches"]:
        stretch = _stretch(raw)
        if stretch.id in stretches:
            raise CatalogueError(f"duplicate stretch id {stretch.id}")
        stretches[stretch.id] = stretch
    routines: dict[str, Routine] = {}
    for raw in routines_doc["routines"]:
        routine = _routine(raw, stretches)
        if routine.id in routines:
            raise CatalogueError(f"duplicate routine id {routine.id}")
        routines[routine.id] = routine
    safety = tuple(
        SafetyRule(r["id"], r["text"], tuple(r["sources"])) for r in stretches_doc["safety"]
    )
    return Catalogue(stretches=stretches, routines=routines, safety=safety)


@lru_cache(maxsize=1)
def load_catalogue() -> Catalogue:
    """Load the packaged catalogue once per process."""
    folder = resources.files("skill.catalogue")
    stretches_doc = json.loads(folder.joinpath("stretches.json").read_text(encoding="utf-8"))
    routines_doc = json.loads(folder.joinpath("routines.json").read_text(encoding="utf-8"))
    return parse_catalogue(stretches_doc, routines_doc)
