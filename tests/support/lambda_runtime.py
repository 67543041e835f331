"""A stand-in for the Lambda Python runtime's own packages (/var/runtime), for running the artifact here."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

# What the Lambda Python runtime provides on its own path, after the function's code.
RUNTIME_PROVIDED = ("boto3", "botocore", "jmespath", "s3transfer", "urllib3", "dateutil", "six")


def make_runtime_dir(into: Path) -> Path:
    """A folder of links to this venv's copies of what the runtime provides."""
    shutil.rmtree(into, ignore_errors=True)
    into.mkdir(parents=True)
    for name in RUNTIME_PROVIDED:
        spec = importlib.util.find_spec(name)
        if spec is None or spec.origin is None:
            raise RuntimeError(f"{name} is not installed in this venv")
        origin = Path(spec.origin)
        source = origin.parent if origin.name == "__init__.py" else origin
        (into / source.name).symlink_to(source, target_is_directory=source.is_dir())
    return into
