"""Reading the locked, hashed dependency sets in ``requirements/`` (written by ``scripts/lock``).

A lock entry is one requirement with its exact version, an optional environment marker and the
hashes of every file of that version, continued over several lines with backslashes:

    >>> text = '''
    ... # a comment
    ... six==1.17.0 \\\\
    ...     --hash=sha256:aa \\\\
    ...     --hash=sha256:bb
    ...     # via python-dateutil
    ... cffi==2.1.1 ; platform_python_implementation != 'PyPy' \\\\
    ...     --hash=sha256:cc
    ... '''
    >>> six, cffi = parse(text)
    >>> six.version, six.hashes, cffi.marker
    ('1.17.0', ('sha256:aa', 'sha256:bb'), "platform_python_implementation != 'PyPy'")
    >>> print(six.requirement())
    six==1.17.0 --hash=sha256:aa --hash=sha256:bb

A package may be listed twice, with markers that split the versions of Python between two releases;
``pins`` gives the one version of each package that is the same everywhere:

    >>> pins(parse(text + "nx==3.6 ; python_version < '3.12' --hash=sha256:dd\\n"))
    {'six': '1.17.0'}
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import NamedTuple

REQUIREMENTS = Path(__file__).resolve().parent.parent / "requirements"
RUNTIME_LOCK = REQUIREMENTS / "runtime.txt"
TEST_LOCK = REQUIREMENTS / "test.txt"
BENCH_LOCK = REQUIREMENTS / "bench.txt"

_ENTRY = re.compile(r"^([A-Za-z0-9._-]+)==([A-Za-z0-9.+!-]+)\s*(?:;\s*(.*?))?\s*((?:--hash=\S+\s*)+)$")


class Entry(NamedTuple):
    name: str  # normalised as in PEP 503
    version: str
    marker: str | None
    hashes: tuple[str, ...]

    def requirement(self) -> str:
        """The entry as one line pip installs with ``--require-hashes``."""
        marker = f" ; {self.marker}" if self.marker else ""
        return f"{self.name}=={self.version}{marker} " + " ".join(f"--hash={h}" for h in self.hashes)


def normalise(name: str) -> str:
    """``normalise("Python_Dateutil") == "python-dateutil"``."""
    return re.sub(r"[-_.]+", "-", name).lower()


def parse(text: str) -> list[Entry]:
    """Every entry of a lock, in order; a line that is not an exact, hashed pin is refused."""
    entries: list[Entry] = []
    logical = re.sub(r"\\\n", " ", text)
    for line in logical.splitlines():
        line = re.sub(r"(^|\s)#.*$", "", line).strip()  # a comment: "# via ...", never inside a pin
        if not line:
            continue
        match = _ENTRY.fullmatch(line)
        if not match:
            raise ValueError(f"not an exact, hashed pin: {line!r}")
        name = normalise(match[1])
        hashes = tuple(h.removeprefix("--hash=") for h in match[4].split())
        entries.append(Entry(name, match[2], match[3] or None, hashes))
    return entries


def read(path: Path) -> list[Entry]:
    return parse(path.read_text(encoding="utf-8"))


def pins(entries: list[Entry]) -> dict[str, str]:
    """``name -> version`` for the packages installed alike on every platform and Python (no marker)."""
    return {entry.name: entry.version for entry in entries if entry.marker is None}


def unmarked(entries: list[Entry]) -> dict[str, Entry]:
    """The entries without a marker, by name."""
    return {entry.name: entry for entry in entries if entry.marker is None}


def names(path: Path) -> list[str]:
    """The package names listed one a line in a ``.in`` file (comments and blanks skipped)."""
    lines = (line.split("#", 1)[0].strip() for line in path.read_text(encoding="utf-8").splitlines())
    return [normalise(line) for line in lines if line]
