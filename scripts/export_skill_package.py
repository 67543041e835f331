"""Write the ASK CLI v2 skill package from interaction_models/.

  <out>/skill.json                                  the manifest (interaction_models/skill.json)
  <out>/interactionModels/custom/<locale>.json      one per interaction_models/<locale>.json

``builtin_phrases.*.json`` (a test aid) and the manifest itself are not models and are skipped. The
default output folder, ``skill-package/``, is git-ignored: it is a build product, made fresh each time
(stale model files in it are removed). ``--function-arn`` replaces the manifest's placeholder endpoint
with the stack's ``FunctionArn`` output, for ``ask deploy``.

Usage: scripts/export-skill-package [--out DIR] [--function-arn ARN]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
MODELS = ROOT / "interaction_models"
MANIFEST = MODELS / "skill.json"
DEFAULT_OUT = ROOT / "skill-package"
PLACEHOLDER_ENDPOINT = "arn:aws:lambda:us-east-1:123456789012:function:REPLACE_WITH_FunctionArn_OUTPUT"
LOCALE_FILE = re.compile(r"^[a-z]{2}-[A-Z]{2}\.json$")
FUNCTION_ARN = re.compile(r"^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]+(:[A-Za-z0-9_$-]+)?$")


def model_files(models: Path = MODELS) -> dict[str, Path]:
    """``locale -> path`` for every interaction model (``en-US.json`` and the like)."""
    return {p.stem: p for p in sorted(models.glob("*.json")) if LOCALE_FILE.match(p.name)}


def manifest(function_arn: str | None = None) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(MANIFEST.read_text(encoding="utf-8"))
    if function_arn:
        if not FUNCTION_ARN.match(function_arn):
            raise SystemExit(f"export-skill-package: not a Lambda function ARN: {function_arn!r}")
        data["manifest"]["apis"]["custom"]["endpoint"]["uri"] = function_arn
        data["manifest"]["events"]["endpoint"]["uri"] = function_arn
    return data


def export(out: Path = DEFAULT_OUT, function_arn: str | None = None) -> list[Path]:
    """Write the package into ``out``; return the files written."""
    custom = out / "interactionModels" / "custom"
    custom.mkdir(parents=True, exist_ok=True)
    models = model_files()
    for old in custom.glob("*.json"):
        if old.stem not in models:
            old.unlink()
    written = [out / "skill.json"]
    written[0].write_text(json.dumps(manifest(function_arn), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    for locale, path in models.items():
        json.loads(path.read_text(encoding="utf-8"))  # refuse to export broken JSON
        target = custom / f"{locale}.json"
        target.write_bytes(path.read_bytes())
        written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder (default: skill-package/)")
    parser.add_argument("--function-arn", help="the stack's FunctionArn output, to replace the placeholder endpoint")
    args = parser.parse_args(argv)
    for path in export(args.out, args.function_arn):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
