"""The one explicit state object of a routine in progress, and its (de)serialisation.

The state travels in Alexa session attributes and is stored between sessions, so
anything coming back in is untrusted: ``RoutineState.from_dict`` checks every
field against the catalogue and raises ``InvalidState`` rather than letting a
tampered or outdated value reach the engine.

Example:
    >>> from skill.catalogue import load_catalogue
    >>> state = RoutineState("morning", (PlanItem("single_knee_to_chest", 20, 1),), position=0)
    >>> RoutineState.from_dict(state.to_dict(), load_catalogue()) == state
    True
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Literal

from skill.catalogue.model import Catalogue
from skill.engine.plan import HOLD_LIMITS, REPS_LIMITS, PlanItem, blocks

Status = Literal["active", "paused", "finished"]
STATUSES: tuple[Status, ...] = ("active", "paused", "finished")
MAX_ITEMS = 40


class InvalidState(ValueError):
    """Serialized routine state that does not describe a valid routine in progress."""


@dataclass(frozen=True)
class RoutineState:
    """Where a user is in a routine.

    ``position`` indexes ``blocks(items)``: the block most recently played, or the
    one about to be played when ``status`` is ``paused``. ``skipped`` holds the
    item indexes the user skipped, for the closing summary.
    """

    routine_id: str
    items: tuple[PlanItem, ...]
    position: int = 0
    status: Status = "active"
    skipped: tuple[int, ...] = field(default=())
    updated_at: int = 0

    def with_(self, **changes: Any) -> "RoutineState":
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-safe data: strings, integers and lists only (DynamoDB rejects floats)."""
        return {
            "routine": self.routine_id,
            "items": [[i.stretch_id, i.hold, i.reps] for i in self.items],
            "position": self.position,
            "status": self.status,
            "skipped": list(self.skipped),
            "updated_at": self.updated_at,
        }

    @classmethod
    def from_dict(cls, data: Any, catalogue: Catalogue) -> "RoutineState":
        """Validate and rebuild a state; numbers may arrive as ``Decimal`` from DynamoDB."""
        try:
            routine_id = str(data["routine"])
            items = tuple(PlanItem(str(s), _int(h), _int(r)) for s, h, r in data["items"])
            position = _int(data["position"])
            status = data["status"]
            skipped = tuple(_int(i) for i in data.get("skipped", ()))
            updated_at = _int(data.get("updated_at", 0))
        except (KeyError, TypeError, ValueError, OverflowError) as error:  # int(inf) overflows
            raise InvalidState(f"malformed routine state: {error}") from error
        if not items or len(items) > MAX_ITEMS:
            raise InvalidState("routine state has no stretches or too many")
        for item in items:
            if item.stretch_id not in catalogue.stretches:
                raise InvalidState(f"unknown stretch {item.stretch_id!r}")
            stretch = catalogue.stretch(item.stretch_id)
            low, high = HOLD_LIMITS if stretch.hold_adjustable else (stretch.hold.min, stretch.hold.max)
            if not low <= item.hold <= high:
                raise InvalidState(f"hold out of range for {stretch.id}: {item.hold}")
            if not REPS_LIMITS[0] <= item.reps <= REPS_LIMITS[1]:
                raise InvalidState(f"reps out of range: {item.reps}")
        if status not in STATUSES:
            raise InvalidState(f"unknown status {status!r}")
        if not 0 <= position < len(blocks(items, catalogue)):
            raise InvalidState(f"position out of range: {position}")
        if any(not 0 <= i < len(items) for i in skipped) or len(set(skipped)) != len(skipped):
            raise InvalidState("skipped indexes out of range or repeated")
        return cls(routine_id, items, position, status, skipped, updated_at)


def _int(value: Any) -> int:
    """Accept ints and integral Decimals; refuse bools, floats with fractions and strings."""
    if isinstance(value, bool):
        raise ValueError("boolean where a number belongs")
    number = int(value)
    if number != value:
        raise ValueError(f"not a whole number: {value!r}")
    return number
