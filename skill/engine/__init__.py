"""The routine engine: plain Python, no ASK. A routine in progress is one ``RoutineState``."""

from skill.engine.plan import Block, PlanItem, Settings, blocks, build_plan, plan_seconds
from skill.engine.routine import Finished, Outcome, Paused, Play, Progress, RoutineEngine, Step
from skill.engine.state import InvalidState, RoutineState

__all__ = [
    "Block", "Finished", "InvalidState", "Outcome", "Paused", "PlanItem", "Play", "Progress",
    "RoutineEngine", "RoutineState", "Settings", "Step", "blocks", "build_plan", "plan_seconds",
]
