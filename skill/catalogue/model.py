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
SideRule = Literal["affected"]


class SafetyMoment(str, Enum):
    """When a safety rule is said (``SafetyRule.when``); compares equal to its JSON string."""

    EVERY_SESSION = "every_session"  # once per session, before the first hold (two very short rules)
    FIRST_USE = "first_use"  # the first time a user stretches
    AFTER_PAIN = "after_pain"  # after the user says it hurts
    WARM_UP_SKIPPED = "warm_up_skipped"  # a routine that offers a warm-up starts without it
    END_OF_ROUTINE = "end_of_routine"  # at the end of a routine (one at a time, not all at once)
    BACK_BREAK = "back_break"  # with the back break routine


SAFETY_WHEN: tuple[str, ...] = tuple(moment.value for moment in SafetyMoment)
# ``Stretch.side_rule``: "affected" plays only the user's sore side (or both if both are sore).
SIDE_RULES: tuple[str, ...] = ("affected",)
MAX_CUE_WORDS = 3


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

    def clamp(self, value: int) -> int:
        """``value`` kept inside ``[min, max]``."""
        return max(self.min, min(self.max, value))


class Source(NamedTuple):
    """One seed article a stretch comes from, with the numbers it gives.

    ``facts`` are the article's own short phrases that give those numbers ("about 20 seconds",
    "3 to 5 times"), kept so that a test can find them in the article: the figures are read from
    the article, never made up. They are never spoken.
    """

    seed: str
    hold_seconds: tuple[int, int] | None
    reps: tuple[int, int] | None
    note: str
    facts: tuple[str, ...] = ()


class Evidence(NamedTuple):
    """What in an article backs one sentence the skill says: the seed and a short phrase of it (never spoken)."""

    seed: str
    fact: str


class Stretch(NamedTuple):
    """One stretch or warm-up move.

    ``kind == "hold"``: ``hold`` is seconds per hold, ``reps`` holds per side.
    ``kind == "count"``: ``hold`` is seconds per movement, ``reps`` movements per side.

    ``hold`` and ``reps`` ranges lie within the figures of its first source (``limits_note`` says
    where they come from; a routine that follows another source has ranges of its own, see
    ``RoutineItem``); a user's settings are kept inside them.

    ``count_cues`` (counted stretches only, one or two short phrases): count ``n`` (from 1) is
    said with ``count_cues[(n - 1) % len(count_cues)]``. With two cues each count is one
    direction or one side ("toes up", "toes down"; "knees left", "knees right"), so ``reps``
    is even and counts those single movements.

    ``side_rule == "affected"``: a ``left_right`` stretch done on the user's sore side only
    (both sides if both are sore). ``None``: every side in ``sides``.

    ``caution``: one optional sentence of stretch-specific safety advice.

    Sides (``left_right``): a step names the side with ``{one}`` ("Lift {one} leg." says "Lift your
    left leg."; without a side, "one"); ``first_side`` is 0 (left) or 1 (right, where the article
    starts with it); ``side_change`` is said when the first side is done ("Lower {one} leg."),
    before the other side starts.

    ``step_sources``/``why_source``: for each step and for ``why``, the article that says it.
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
    limits_note: str = ""
    count_cues: tuple[str, ...] = ()
    side_rule: SideRule | None = None
    caution: str | None = None
    first_side: int = 0
    side_change: str | None = None
    step_sources: tuple[Evidence, ...] = ()
    why_source: Evidence = Evidence("", "")

    @property
    def side_count(self) -> int:
        return 2 if self.sides == "left_right" else 1

    @property
    def sides_in_order(self) -> tuple[int, ...]:
        """The sides it is done on, the first one first: (0,) without sides, (0, 1) left then right."""
        return (self.first_side, 1 - self.first_side) if self.side_count == 2 else (0,)

    def steps_on(self, one: str) -> tuple[str, ...]:
        """The steps with ``one`` for the side ("your left", or "one" when no side is meant).

        >>> load_catalogue().stretch("lying_hamstring_stretch").steps_on("your left")[0]
        'Lift your left leg and hold that thigh just behind the knee.'
        """
        return tuple(step.replace("{one}", one) for step in self.steps)


class RoutineItem(NamedTuple):
    """A stretch as a routine uses it, with optional hold/reps ranges of its own.

    ``source``: the article this routine takes the stretch from, when it is not the stretch's own
    (``Stretch.hold``/``reps`` follow the stretch's first source); ``hold``/``reps`` are then the
    ranges that article gives. ``note`` says why (every override has one).
    """

    stretch_id: str
    hold: Range | None = None
    reps: Range | None = None
    note: str | None = None
    source: str | None = None

    def ranges(self, stretch: Stretch) -> tuple[Range, Range]:
        """The hold and repetition ranges this item plays within."""
        return self.hold or stretch.hold, self.reps or stretch.reps


class Routine(NamedTuple):
    """A named sequence of stretches.

    ``warm_up``: the id of a routine to offer first (``warm_up_note`` gives the article's reason).
    """

    id: str
    name: str
    synonyms: tuple[str, ...]
    description: str
    sources: tuple[str, ...]
    items: tuple[RoutineItem, ...]
    warm_up: str | None = None
    warm_up_note: str | None = None


class SafetyRule(NamedTuple):
    """One piece of safety advice and when it is said."""

    id: str
    text: str
    sources: tuple[str, ...]
    when: SafetyMoment = SafetyMoment.FIRST_USE


class Catalogue(NamedTuple):
    stretches: dict[str, Stretch]
    routines: dict[str, Routine]
    safety: tuple[SafetyRule, ...]

    def stretch(self, stretch_id: str) -> Stretch:
        return self.stretches[stretch_id]

    def routine(self, routine_id: str) -> Routine:
        return self.routines[routine_id]

    def safety_for(self, when: SafetyMoment | str) -> tuple[SafetyRule, ...]:
        """The safety rules said at ``when``, in catalogue order."""
        return tuple(rule for rule in self.safety if rule.when == when)

    def bounds(self, stretch_id: str) -> tuple[tuple[int, int], tuple[int, int]]:
        """The lowest and highest hold and repetitions a stretch plays with anywhere (alone or in a routine).

        >>> load_catalogue().bounds("single_knee_to_chest")
        ((5, 30), (1, 10))
        """
        stretch = self.stretches[stretch_id]
        ranges = [(stretch.hold, stretch.reps)] + [
            item.ranges(stretch) for routine in self.routines.values() for item in routine.items if item.stretch_id == stretch_id
        ]
        holds, reps = [r[0] for r in ranges], [r[1] for r in ranges]
        return (min(r.min for r in holds), max(r.max for r in holds)), (min(r.min for r in reps), max(r.max for r in reps))


def _range(raw: dict[str, Any], where: str) -> Range:
    value = Range(int(raw["default"]), int(raw["min"]), int(raw["max"]))
    if not 0 < value.min <= value.default <= value.max:
        raise CatalogueError(f"{where}: need 0 < min <= default <= max, got {value}")
    return value


def _pair(raw: list[int] | None) -> tuple[int, int] | None:
    return None if raw is None else (int(raw[0]), int(raw[1]))


def _text(raw: Any, where: str) -> str:
    if not isinstance(raw, str) or not raw.strip():
        raise CatalogueError(f"{where}: needs a non-empty string")
    return raw


def _optional_text(raw: dict[str, Any], key: str, where: str) -> str | None:
    return None if raw.get(key) is None else _text(raw[key], f"{where}.{key}")


def _count_cues(sid: str, raw: dict[str, Any], reps: Range) -> tuple[str, ...]:
    cues = raw.get("count_cues")
    if raw["kind"] == "hold":
        if cues is not None:
            raise CatalogueError(f"{sid}: count_cues belong to counted stretches only")
        return ()
    if not isinstance(cues, list) or not 1 <= len(cues) <= 2:
        raise CatalogueError(f"{sid}: a counted stretch needs one or two count_cues")
    for cue in cues:
        _text(cue, f"{sid}.count_cues")
        if len(cue.split()) > MAX_CUE_WORDS:
            raise CatalogueError(f"{sid}: count cue {cue!r} is longer than {MAX_CUE_WORDS} words")
    if len(cues) == 2 and any(value % 2 for value in reps):
        raise CatalogueError(f"{sid}: with two alternating cues the counts must be even, got {reps}")
    return tuple(cues)


def _side_rule(sid: str, raw: dict[str, Any]) -> SideRule | None:
    rule = raw.get("side_rule")
    if rule is None:
        return None
    if rule not in SIDE_RULES:
        raise CatalogueError(f"{sid}: unknown side_rule {rule!r}")
    if raw["sides"] != "left_right":
        raise CatalogueError(f"{sid}: side_rule needs sides 'left_right'")
    return rule


def _evidence(raw: Any, seeds: tuple[str, ...], where: str) -> Evidence:
    if not isinstance(raw, dict) or raw.get("seed") not in seeds:
        raise CatalogueError(f"{where}: evidence names one of the stretch's own sources")
    return Evidence(raw["seed"], _text(raw.get("fact"), f"{where}.fact"))


def _sides(sid: str, raw: dict[str, Any]) -> tuple[int, str | None]:
    """``first_side`` as an index, and ``side_change``: both only for a stretch done on each side."""
    sided = raw["sides"] == "left_right"
    first = raw.get("first_side", "left")
    if first not in ("left", "right") or (first == "right" and not sided):
        raise CatalogueError(f"{sid}: first_side is left or right, for a stretch done on each side")
    change = _optional_text(raw, "side_change", sid)
    if change is not None and not sided:
        raise CatalogueError(f"{sid}: side_change belongs to a stretch done on each side")
    if not sided and any("{one}" in step for step in raw["steps"]):
        raise CatalogueError(f"{sid}: a step names a side, but the stretch has none")
    return ("left", "right").index(first), change


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
    reps = _range(raw["reps"], f"{sid}.reps")
    seeds = tuple(s["seed"] for s in raw["sources"])
    step_sources = tuple(_evidence(e, seeds, f"{sid}.step_sources") for e in raw.get("step_sources", ()))
    if len(step_sources) != len(raw["steps"]):
        raise CatalogueError(f"{sid}: every step names the article that says it (step_sources)")
    first_side, side_change = _sides(sid, raw)
    hold = _range(raw["hold"], f"{sid}.hold")
    count_cues = _count_cues(sid, raw, reps)
    first = raw["sources"][0]
    per = max(1, len(count_cues))  # with two alternating cues, two counts make one of the article's movements
    for own, key, scale in ((hold, "hold_seconds", 1), (reps, "reps", per)):
        figures = _pair(first.get(key))
        if figures is not None and not figures[0] * scale <= own.min <= own.max <= figures[1] * scale:
            raise CatalogueError(f"{sid}.{key}: {own} outside its first source's {figures}")
    return Stretch(
        id=sid,
        name=raw["name"],
        synonyms=tuple(raw["synonyms"]),
        kind=raw["kind"],
        position=raw["position"],
        posture=_posture(sid, raw["posture"]),
        steps=tuple(raw["steps"]),
        hold=hold,
        hold_adjustable=bool(raw["hold"]["adjustable"]),
        reps=reps,
        sides=raw["sides"],
        cue=raw["cue"],
        why=raw["why"],
        sources=tuple(
            Source(s["seed"], _pair(s.get("hold_seconds")), _pair(s.get("reps")), s.get("note", ""), tuple(s.get("facts", ())))
            for s in raw["sources"]
        ),
        limits_note=_text(raw.get("limits_note"), f"{sid}.limits_note"),
        count_cues=count_cues,
        side_rule=_side_rule(sid, raw),
        caution=_optional_text(raw, "caution", sid),
        first_side=first_side,
        side_change=side_change,
        step_sources=step_sources,
        why_source=_evidence(raw.get("why_source"), seeds, f"{sid}.why_source"),
    )


def _item(entry: dict[str, Any], stretch: Stretch, where: str) -> RoutineItem:
    """A routine's use of a stretch; its own ranges lie within what its article gives, where it gives figures."""
    hold = _range(entry["hold"], f"{where}.hold") if "hold" in entry else None
    reps = _range(entry["reps"], f"{where}.reps") if "reps" in entry else None
    source = entry.get("source")
    item = RoutineItem(stretch.id, hold, reps, _optional_text(entry, "note", where), source)
    if source is not None:
        found = [s for s in stretch.sources if s.seed == source]
        if not found:
            raise CatalogueError(f"{where}: source {source!r} is not one of the stretch's")
        for own, figures in ((hold, found[0].hold_seconds), (reps, found[0].reps)):
            if own is not None and figures is not None and not figures[0] <= own.min <= own.max <= figures[1]:
                raise CatalogueError(f"{where}: {own} outside its article's {figures}")
    if reps is not None and len(stretch.count_cues) == 2 and any(value % 2 for value in reps):
        raise CatalogueError(f"{where}: reps must be even with two alternating cues")
    overrides = hold is not None or reps is not None
    if overrides and item.note is None:
        raise CatalogueError(f"{where}: an override needs a note saying why")
    if item.note is not None and not overrides:
        raise CatalogueError(f"{where}: a note without an override")
    return item


def _routine(raw: dict[str, Any], stretches: dict[str, Stretch]) -> Routine:
    items = []
    for entry in raw["stretches"]:
        stretch = stretches.get(entry["id"])
        if stretch is None:
            raise CatalogueError(f"routine {raw['id']}: unknown stretch {entry['id']!r}")
        items.append(_item(entry, stretch, f"routine {raw['id']}: {stretch.id}"))
    if not items:
        raise CatalogueError(f"routine {raw['id']} has no stretches")
    return Routine(
        id=raw["id"],
        name=raw["name"],
        synonyms=tuple(raw["synonyms"]),
        description=raw["description"],
        sources=tuple(raw["sources"]),
        items=tuple(items),
        warm_up=_optional_text(raw, "warm_up", f"routine {raw['id']}"),
        warm_up_note=_optional_text(raw, "warm_up_note", f"routine {raw['id']}"),
    )


def _check_warm_ups(routines: dict[str, Routine]) -> None:
    for routine in routines.values():
        if routine.warm_up is None:
            if routine.warm_up_note is not None:
                raise CatalogueError(f"routine {routine.id}: warm_up_note without warm_up")
            continue
        target = routines.get(routine.warm_up)
        if target is None:
            raise CatalogueError(f"routine {routine.id}: unknown warm_up routine {routine.warm_up!r}")
        if target.id == routine.id or target.warm_up is not None:
            raise CatalogueError(f"routine {routine.id}: its warm-up {target.id} cannot have a warm-up of its own")
        if routine.warm_up_note is None:
            raise CatalogueError(f"routine {routine.id}: warm_up needs a warm_up_note citing its source")


def _safety_rule(raw: dict[str, Any]) -> SafetyRule:
    rid = raw["id"]
    if raw.get("when") not in SAFETY_WHEN:
        raise CatalogueError(f"safety {rid}: unknown when {raw.get('when')!r}")
    if not raw.get("sources"):
        raise CatalogueError(f"safety {rid}: every rule names the seed it comes from")
    return SafetyRule(rid, _text(raw.get("text"), f"safety {rid}.text"), tuple(raw["sources"]), SafetyMoment(raw["when"]))


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
    _check_warm_ups(routines)
    safety = tuple(_safety_rule(r) for r in stretches_doc["safety"])
    if len({rule.id for rule in safety}) != len(safety):
        raise CatalogueError("duplicate safety rule id")
    return Catalogue(stretches=stretches, routines=routines, safety=safety)


@lru_cache(maxsize=1)
def load_catalogue() -> Catalogue:
    """Load the packaged catalogue once per process."""
    folder = resources.files("skill.catalogue")
    stretches_doc = json.loads(folder.joinpath("stretches.json").read_text(encoding="utf-8"))
    routines_doc = json.loads(folder.joinpath("routines.json").read_text(encoding="utf-8"))
    return parse_catalogue(stretches_doc, routines_doc)
