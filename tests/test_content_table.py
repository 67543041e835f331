"""docs/CONTENT.md is what the code generates from the catalogue: it cannot drift from what the skill plays."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from skill.catalogue import load_catalogue
from skill.entrypoints.content_table import content_table

ROOT = Path(__file__).resolve().parents[1]
COMMITTED = ROOT / "docs" / "CONTENT.md"


def test_the_committed_table_is_the_generated_one() -> None:
    generated = subprocess.run(
        [sys.executable, "-m", "skill.entrypoints.content_table"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    assert generated == COMMITTED.read_text(encoding="utf-8"), (
        "docs/CONTENT.md is stale: python -m skill.entrypoints.content_table > docs/CONTENT.md"
    )


def test_one_row_for_each_stretch_and_each_article_it_follows() -> None:
    catalogue = load_catalogue()
    rows = [line for line in content_table(catalogue).splitlines() if line.startswith("| ") and not line.startswith("| Stretch")]
    names = [row.split(" | ")[0][2:] for row in rows]
    assert set(names) == {s.name for s in catalogue.stretches.values()}
    knee = [row for row in rows if row.startswith("| single knee to chest |")]
    assert {row.split(" | ")[2] for row in knee} == {"003", "004", "000", "001"}, "one row for each article it follows"
