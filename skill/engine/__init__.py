"""The routine engine: plain Python, no ASK, no words. A routine in progress is one ``RoutineState``."""

from skill.engine.plan import PlanItem, Settings, build_plan
from skill.engine.routine import Moment, RoutineEngine, Span, Voice, Where
from skill.engine.segments import Segment, SegmentKind, segments
from skill.engine.state import Chunk, InvalidState, RoutineState, Status

__all__ = [
    "Chunk", "InvalidState", "Moment", "PlanItem", "RoutineEngine", "RoutineState", "Segment",
    "SegmentKind", "Settings", "Span", "Status", "Voice", "Where", "build_plan", "segments",
]
