"""docs/CONTENT.md: every stretch, the article it follows, that article's figures and what the skill plays.

One row for each way a stretch is played: alone (or in a user's own routine) and in each routine,
rows with the same article and numbers merged. The numbers are the plan the engine builds at the
default settings, at the top of the settings (90 s holds, 10 repetitions), at the bottom (10 s,
1 repetition) and for a beginner, so the table cannot say anything the skill does not do.
Regenerate it with ``python -m skill.entrypoints.content_table > docs/CONTENT.md``; a test fails
when the committed file differs.

Example:
    >>> print(content_table(load_catalogue()).splitlines()[0])
    # What each stretch plays, and where its numbers come from
"""

from __future__ import annotations

from skill.catalogue import Catalogue, RoutineItem, Stretch, load_catalogue
from skill.catalogue.model import Source
from skill.engine import Settings, build_plan
from skill.engine.plan import PlanItem
from skill.profile import Level, Profile

# The settings the columns show, in order: (column heading, the engine settings).
COLUMNS: tuple[tuple[str, Settings], ...] = (
    ("Default", Settings()),
    ("Most (90 s, 10 reps)", Settings(hold_seconds=90, reps=10)),
    ("Least (10 s, 1 rep)", Settings(hold_seconds=10, reps=1)),
    ("Beginner", Profile(level=Level.BEGINNER).settings()),
)
INTRO = """# What each stretch plays, and where its numbers come from

Generated from the catalogue by `python -m skill.entrypoints.content_table > docs/CONTENT.md`
(tests/test_content_table.py fails when this file differs from what the code generates).

One row for each way a stretch is played: on its own (also in a user's own routine) and in each
routine that takes it from another article. *Article* is the seed article the numbers follow; *its
figures* are the hold and repetition figures that article gives, with its own words in quotes
(none: the article gives no figure, and the skill's choice is explained in the catalogue's
`limits_note`). The four columns on the right are what the skill plays: hold × repetitions (a
side, where a stretch has sides), or counted movements with their tempo (where a movement goes
two ways, as toes up and toes down, each way is one count)."""


def _source(item: RoutineItem, stretch: Stretch) -> Source:
    """The article an item follows: its own ``source``, else the stretch's first."""
    seed = item.source or stretch.sources[0].seed
    return next(s for s in stretch.sources if s.seed == seed)


def _figures(source: Source) -> str:
    """The article's figures in short.

    >>> _figures(Source("003.txt", (10, 20), (3, 5), "", ("for about 20 seconds",)))
    'hold 10-20 s; 3-5 times ("for about 20 seconds")'
    """
    def span(pair: tuple[int, int] | None, unit: str) -> str | None:
        if pair is None:
            return None
        low, high = pair
        return f"{low}{unit}" if low == high else f"{low}-{high}{unit}"

    hold, reps = span(source.hold_seconds, " s"), span(source.reps, " times")
    parts = [f"hold {hold}" if hold else "no hold time", reps or "no count"]
    quoted = "; ".join(f'"{fact}"' for fact in source.facts)
    return "; ".join(parts) + (f" ({quoted})" if quoted else "")


def _played(item: PlanItem, stretch: Stretch) -> str:
    """What a plan item plays, in short: "20 s × 5 a side"; counted movements as the article counts them
    (with two alternating cues, two counts are one movement: toes up and down).

    >>> catalogue = load_catalogue()
    >>> _played(PlanItem("single_knee_to_chest", 20, 5), catalogue.stretch("single_knee_to_chest"))
    '20 s × 5 a side'
    >>> _played(PlanItem("ankle_pumps", 2, 20), catalogue.stretch("ankle_pumps"))
    '10 movements (20 counts, 2 s each)'
    """
    sides = ""
    if stretch.side_count == 2:
        sides = " on the sore side" if stretch.side_rule else " a side"
    if stretch.kind == "count":
        per = max(1, len(stretch.count_cues))
        return f"{item.reps // per} movements ({item.reps} counts, {item.hold} s each){sides}"
    return f"{item.hold} s × {item.reps}{sides}"


def _uses(catalogue: Catalogue, stretch: Stretch) -> list[tuple[list[str], RoutineItem]]:
    """Where a stretch is played, merged where the article and the numbers are the same."""
    uses: list[tuple[list[str], RoutineItem]] = [(["on its own"], RoutineItem(stretch.id))]
    for routine in catalogue.routines.values():
        for item in routine.items:
            if item.stretch_id != stretch.id:
                continue
            same = [u for u in uses if _source(u[1], stretch) == _source(item, stretch) and u[1].ranges(stretch) == item.ranges(stretch)]
            if same:
                same[0][0].append(routine.name)
            else:
                uses.append(([routine.name], item))
    return uses


def content_table(catalogue: Catalogue) -> str:
    """The whole of docs/CONTENT.md."""
    heading = ["Stretch", "Played", "Article", "Its figures", *(name for name, _ in COLUMNS)]
    lines = [INTRO, "", "| " + " | ".join(heading) + " |", "|" + "---|" * len(heading)]
    for stretch in catalogue.stretches.values():
        for where, item in _uses(catalogue, stretch):
            source = _source(item, stretch)
            played = [_played(build_plan([item], catalogue, settings)[0], stretch) for _, settings in COLUMNS]
            row = [stretch.name, ", ".join(where), source.seed[:3], _figures(source), *played]
            lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines) + "\n"


def main() -> None:
    print(content_table(load_catalogue()), end="")


if __name__ == "__main__":
    main()
