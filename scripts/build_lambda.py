"""Build the Lambda artifact: ``build/lambda/`` (the template's CodeUri) and ``build/back-stretch-coach.zip``.

What goes in:
  * ``lambda_function.py`` (from ``lambda/``) at the root: the handler is ``lambda_function.lambda_handler``;
  * the ``skill`` package modules that the handler can import, found by following every ``import``
    statement (also those inside functions) from ``lambda_function.py``, plus every ``.json`` data file
    under ``skill/``. So the Flask web service, the chat/CLI and the NLU matcher (and Flask) stay out;
  * the interaction models (``skill.models``, which pyproject.toml maps to ``interaction_models/``), one
    per locale, without their sample utterances: a name-free request whose slot Alexa did not resolve
    is matched against their slot values, and nothing on Lambda reads the samples (the grammar makes
    thousands; they would be most of the zip's growth). The chat's table of built-in phrases and the
    skill manifest stay out;
  * the runtime dependencies named in ``requirements/lambda.in``, at the versions and hashes of the
    runtime lock ``requirements/runtime.txt`` (what the tests run against), installed for Lambda's
    python3.13 on arm64 (wheels only, every hash checked). boto3 is not bundled: the runtime provides it
    (see that file);
  * of ask-sdk-model, only the modules something in the artifact reaches (``trim_models``): the models of
    the requests the skill answers and of the responses it builds, and what the SDK imports. The rest
    (most of the package: Alexa APIs this skill never calls) stays out.

The installed dependencies are kept in ``build/lambda-deps/<hash of the locked requirements and
platform>/`` (and pip's download cache in ``build/pip-cache/``), so only the first build, and the first
after the lock changes, needs the package index.

Every module is compiled for the runtime's Python (``__pycache__/*.cpython-313.pyc``, unchecked-hash
pycs: they name no source timestamp, so the zip's fixed dates and Lambda's read-only ``/var/task`` don't
matter, and the interpreter loads them without reading the source). Without them every cold start would
compile every module it imports, and could not even keep the result. The build therefore runs on the
runtime's Python (scripts/setup makes the venv with it) and refuses another.

The zip is reproducible: entries sorted, fixed timestamps and permissions, bytecode compiled with a
fixed hash seed and the source paths Lambda gives the files (``/var/task/...``).

Usage: scripts/build-lambda [--quiet]
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tomllib
import warnings
import zipfile
from pathlib import Path

import locks  # scripts/locks.py, beside this file

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "build"
OUT_DIR = BUILD / "lambda"
ZIP_PATH = BUILD / "back-stretch-coach.zip"
DEPS_CACHE = BUILD / "lambda-deps"
PIP_CACHE = BUILD / "pip-cache"
LAMBDA_PACKAGES = ROOT / "requirements" / "lambda.in"
HANDLER_SOURCE = ROOT / "lambda" / "lambda_function.py"
PACKAGE = "skill"
MODELS_PACKAGE = "skill.models"
MODEL_FILE = re.compile(r"^[a-z]{2}-[A-Z]{2}\.json$")  # en-US.json, not builtin_phrases.en-US.json or skill.json

# Lambda's runtime: keep in step with template.yaml (Runtime, Architectures).
RUNTIME_PYTHON = (3, 13)
PIP_PLATFORM = ["--platform", "manylinux2014_aarch64", "--only-binary=:all:", "--python-version", "3.13", "--implementation", "cp"]
TASK_ROOT = "/var/task"  # where Lambda unpacks the zip: the source paths compiled into the bytecode

ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # the earliest date a zip can hold: no build time leaks into the artifact
JUNK_DIRS = {"__pycache__"}
LOCKED_REQUIREMENTS = ".requirements.txt"  # what pip installed into a dependency folder, kept beside it
BUILD_NOTES = {".complete", LOCKED_REQUIREMENTS}  # a dependency folder's own notes: not for the zip
SCRIPTS_DIR = "bin"  # pip's console scripts (top level of --target): they point at this machine's python
JUNK_SUFFIXES = (".pyc", ".pyo")


def log(message: str, quiet: bool) -> None:
    if not quiet:
        print(f"build-lambda: {message}", file=sys.stderr)


# -- the skill package: what the handler imports ----------------------------------------------------


def _module_file(module: str) -> Path | None:
    """The source of ``module`` (a ``skill.*`` dotted name) in the repo, or None."""
    base = ROOT.joinpath(*module.split("."))
    if (base / "__init__.py").is_file():
        return base / "__init__.py"
    if base.with_suffix(".py").is_file():
        return base.with_suffix(".py")
    return None


def _imports(path: Path, module: str) -> tuple[set[str], set[str]]:
    """What ``path`` imports (at top level or inside functions), as absolute names.

    Returns ``(modules, maybe)``: ``modules`` must exist; ``maybe`` are ``package.name`` candidates from
    ``from package import name``, which are submodules only when such a file exists.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SyntaxWarning)  # ask-sdk-model's docstrings have invalid escapes
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package_parts = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    modules: set[str] = set()
    maybe: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                anchor = package_parts[: len(package_parts) - node.level + 1]
                base = ".".join(anchor + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            modules.add(base)
            maybe.update(f"{base}.{alias.name}" for alias in node.names if alias.name != "*")
    return modules, maybe


def _ours(name: str) -> bool:
    return name.split(".")[0] == PACKAGE


def skill_modules(quiet: bool = True) -> dict[str, Path]:
    """The ``skill.*`` modules reachable from the Lambda handler, with their parent packages."""
    wanted: dict[str, Path] = {}
    missing: set[str] = set()
    queue: list[tuple[str, bool]] = []

    def follow(path: Path, module: str) -> None:
        modules, maybe = _imports(path, module)
        queue.extend((name, True) for name in sorted(modules) if _ours(name))
        queue.extend((name, False) for name in sorted(maybe) if _ours(name))

    follow(HANDLER_SOURCE, "lambda_function")
    while queue:
        name, required = queue.pop()
        if name in wanted:
            continue
        path = _module_file(name)
        if path is None:
            if required:
                missing.add(name)
            continue
        wanted[name] = path
        parts = name.split(".")
        queue.extend((".".join(parts[:i]), True) for i in range(1, len(parts)))  # parent packages
        follow(path, name)
    for name in sorted(missing):
        # A module the code imports (maybe lazily) but the tree lacks: the artifact would fail there.
        log(f"warning: {name} is imported but has no source file", quiet=False)
    return wanted


def copy_skill(dest: Path, quiet: bool) -> list[str]:
    modules = skill_modules(quiet)
    files = {path for path in modules.values()}
    files.update(p for p in (ROOT / PACKAGE).rglob("*.json") if not JUNK_DIRS.intersection(p.relative_to(ROOT).parts))
    for path in sorted(files):
        target = dest / path.relative_to(ROOT)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    shutil.copyfile(HANDLER_SOURCE, dest / "lambda_function.py")
    copy_models(dest)
    return sorted(modules)


def models_dir() -> Path:
    """Where ``skill.models`` lives in the repository: pyproject.toml's package-dir says."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return ROOT / project["tool"]["setuptools"]["package-dir"][MODELS_PACKAGE]


def copy_models(dest: Path) -> None:
    """``skill/models/``: the package marker and one interaction model per locale, its samples left out."""
    source = models_dir()
    target = dest.joinpath(*MODELS_PACKAGE.split("."))
    target.mkdir(parents=True, exist_ok=True)
    for path in sorted(source.iterdir()):
        if path.name == "__init__.py":
            shutil.copyfile(path, target / path.name)
        elif MODEL_FILE.match(path.name):
            model = json.loads(path.read_text(encoding="utf-8"))
            for intent in model["interactionModel"]["languageModel"]["intents"]:
                intent.pop("samples", None)
            (target / path.name).write_text(json.dumps(model, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


# -- dependencies ----------------------------------------------------------------------------------


def lambda_requirements() -> list[locks.Entry]:
    """The lock's entries for the packages the zip bundles; a name the runtime lock lacks (or has only
    for some platforms) is an error."""
    runtime = locks.unmarked(locks.read(locks.RUNTIME_LOCK))
    missing = [name for name in locks.names(LAMBDA_PACKAGES) if name not in runtime]
    if missing:
        raise SystemExit(f"build-lambda: {LAMBDA_PACKAGES.name} names packages the runtime lock lacks: {missing}")
    return [runtime[name] for name in locks.names(LAMBDA_PACKAGES)]


def _installed(target: Path) -> dict[str, str]:
    found: dict[str, str] = {}
    for dist_info in target.glob("*.dist-info"):
        meta = (dist_info / "METADATA").read_text(encoding="utf-8")
        name = re.search(r"^Name: (.+)$", meta, re.M)
        version = re.search(r"^Version: (.+)$", meta, re.M)
        assert name and version, dist_info
        found[locks.normalise(name[1].strip())] = version[1].strip()
    return found


def install_dependencies(quiet: bool) -> Path:
    """The locked dependencies installed for Lambda, reused while the lock and platform stay the same."""
    wanted = lambda_requirements()
    requirements = "".join(entry.requirement() + "\n" for entry in wanted)
    key = hashlib.sha256((requirements + " ".join(PIP_PLATFORM)).encode()).hexdigest()[:16]
    target = DEPS_CACHE / key
    if (target / ".complete").is_file():
        log(f"dependencies: reusing {target.relative_to(ROOT)}", quiet)
        return target
    for old in DEPS_CACHE.glob("*"):  # earlier pins: no longer wanted
        shutil.rmtree(old, ignore_errors=True)
    target.mkdir(parents=True)
    (target / LOCKED_REQUIREMENTS).write_text(requirements, encoding="utf-8")
    log("dependencies: installing for python3.13 / arm64 (first build needs the package index)", quiet)
    command = [
        sys.executable, "-m", "pip", "install",
        "--target", str(target),
        *PIP_PLATFORM,
        "--cache-dir", str(PIP_CACHE),
        "--no-compile",
        "--no-deps",  # lambda.in is the whole closure (it leaves out what is never imported)
        "--require-hashes",
        "--disable-pip-version-check",
        "--requirement", str(target / LOCKED_REQUIREMENTS),
    ]
    if quiet:
        command.append("--quiet")
    subprocess.run(command, check=True, cwd=ROOT)
    pins, got = {entry.name: entry.version for entry in wanted}, _installed(target)
    if pins != got:
        extra = {n: v for n, v in got.items() if pins.get(n) != v}
        absent = {n: v for n, v in pins.items() if got.get(n) != v}
        shutil.rmtree(target, ignore_errors=True)
        raise SystemExit(
            "build-lambda: installed packages differ from the runtime lock: "
            f"not pinned (or other version): {extra}; pinned but not installed: {absent}"
        )
    (target / ".complete").write_text("ok\n", encoding="utf-8")
    return target


# Data files of the dependencies that nothing in the skill reads. dateutil's own copy of the time-zone
# database (151 KB zipped, a tenth of the artifact) is only a fallback of ``dateutil.tz.gettz``; ask-sdk
# parses request timestamps with ``dateutil.parser`` and the skill works in UTC, so neither calls it.
UNREAD_DATA = ("dateutil/zoneinfo/dateutil-zoneinfo.tar.gz",)


def copy_dependencies(source: Path, dest: Path) -> None:
    for path in sorted(source.rglob("*")):
        rel = path.relative_to(source)
        if rel.as_posix() in BUILD_NOTES or rel.parts[0] == SCRIPTS_DIR or JUNK_DIRS.intersection(rel.parts) or path.suffix in JUNK_SUFFIXES:
            continue
        if path.is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, dest / rel)


# -- ask_sdk_model: only the models the skill can meet ----------------------------------------------

MODEL_LIBRARY = "ask_sdk_model"
# Followed whole: every module of these is kept, and what they import or name (below) is kept too.
FOLLOWED = ("lambda_function", PACKAGE, "ask_sdk_core", "ask_sdk_runtime")
_MODEL_NAME = re.compile(r"\bask_sdk_model(?:\.\w+)+")  # a class or module named in a string
_REEXPORT = re.compile(r"^from \.(\w+) import (\w+)\n", re.M)  # what a model package's __init__ holds


def _module_of(folder: Path, dotted: str) -> tuple[str, Path] | None:
    """The longest prefix of ``dotted`` that is a module in ``folder``, with its file."""
    parts = dotted.split(".")
    for end in range(len(parts), 0, -1):
        base = folder.joinpath(*parts[:end])
        for path in (base / "__init__.py", base.with_suffix(".py")):
            if path.is_file():
                return ".".join(parts[:end]), path
    return None


# The polymorphic bases whose subclasses are not all needed: of requests, only the types the skill
# answers (another type now fails to deserialize, where the skill would only have apologised); of
# directives, only those the skill builds, which its imports keep.
REQUEST_TYPES = {
    "LaunchRequest", "IntentRequest", "SessionEndedRequest", "CanFulfillIntentRequest",
    "Connections.Response", "Alexa.Presentation.APL.UserEvent", "AlexaSkillEvent.SkillDisabled",
    # Sent unasked to a skill with screens: read, so the skill answers them as it always has.
    "System.ExceptionEncountered", "Alexa.Presentation.APL.RuntimeError",
}
CHOSEN_SUBCLASSES = {"ask_sdk_model.request": REQUEST_TYPES, "ask_sdk_model.directive": set()}
DISCRIMINATOR_MAP = "discriminator_value_class_map"


def _model_names(source: str, path: Path, module: str) -> list[str]:
    """The models a module names in its string constants: docstrings left out (a base class's lists
    every subclass), and of ``CHOSEN_SUBCLASSES``' maps only the chosen types."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SyntaxWarning)  # ask-sdk-model's docstrings have invalid escapes
        tree = ast.parse(source, filename=str(path))
    skipped = {id(node.value) for node in ast.walk(tree) if isinstance(node, ast.Expr)}
    chosen: list[str] = []
    if module in CHOSEN_SUBCLASSES:
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == DISCRIMINATOR_MAP for t in node.targets):
                assert isinstance(node.value, ast.Dict), path
                for key, value in zip(node.value.keys, node.value.values):
                    assert isinstance(key, ast.Constant) and isinstance(value, ast.Constant), path
                    skipped.add(id(value))
                    if key.value in CHOSEN_SUBCLASSES[module]:
                        chosen.append(value.value)
    strings = [node.value for node in ast.walk(tree) if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skipped]
    return chosen + [name for text in strings for name in _MODEL_NAME.findall(text)]


def trim_models(folder: Path) -> int:
    """Remove the ask-sdk-model modules nothing in the artifact can reach; returns how many.

    ask-sdk-model (1.8 MB zipped, most of the artifact) holds every Alexa API's models, and each package's
    ``__init__`` imports all of its modules. Kept: every module that the skill, ask-sdk-core or
    ask-sdk-runtime imports (at top level or in a function), every module those import, and every model
    a kept module names in a string: the SDK's deserializer finds a field's class, and a request type's
    class, by such names (``deserialized_types``, ``discriminator_value_class_map``), so every request
    and response shape reachable from the envelopes stays. A package's ``__init__`` only re-exports: its
    imports are followed for the names something imports from the package, and its lines for removed
    modules are dropped.
    """
    keep: set[str] = set()
    queue: list[str] = [
        ".".join(path.relative_to(folder).with_suffix("").parts).removesuffix(".__init__")
        for top in FOLLOWED
        for path in ([folder / f"{top}.py"] if (folder / f"{top}.py").is_file() else sorted((folder / top).rglob("*.py")))
    ]
    while queue:
        found = _module_of(folder, queue.pop())
        if found is None or found[0] in keep:
            continue
        module, path = found
        keep.add(module)
        parts = module.split(".")
        queue.extend(".".join(parts[:end]) for end in range(1, len(parts)))  # its packages
        source = path.read_text(encoding="utf-8")
        if parts[0] == MODEL_LIBRARY and path.name == "__init__.py":
            continue  # re-exports only: followed by name, below
        modules, maybe = _imports(path, module)
        for name in modules | maybe:
            package, _, attribute = name.rpartition(".")
            init = folder.joinpath(*package.split("."), "__init__.py")
            if package.split(".")[0] == MODEL_LIBRARY and init.is_file():  # ``from ask_sdk_model.x import Name``
                queue.extend(f"{package}.{sub}" for sub, exported in _REEXPORT.findall(init.read_text(encoding="utf-8")) if exported == attribute)
            queue.append(name)
        queue.extend(_model_names(source, path, module))
    removed = 0
    for path in sorted((folder / MODEL_LIBRARY).rglob("*.py"), reverse=True):
        module = ".".join(path.relative_to(folder).with_suffix("").parts).removesuffix(".__init__")
        if module not in keep:
            path.unlink()
            removed += 1
    for init in sorted((folder / MODEL_LIBRARY).rglob("__init__.py")):
        package = ".".join(init.parent.relative_to(folder).parts)
        text = init.read_text(encoding="utf-8")
        init.write_text(_REEXPORT.sub(lambda line: line[0] if f"{package}.{line[1]}" in keep else "", text), encoding="utf-8")
    for directory in sorted((p for p in (folder / MODEL_LIBRARY).rglob("*") if p.is_dir()), reverse=True):
        if not any(directory.glob("*.py")) and not any(d.is_dir() for d in directory.iterdir()):
            shutil.rmtree(directory)
    return removed


# -- bytecode --------------------------------------------------------------------------------------


def compile_bytecode(folder: Path) -> None:
    """Compile every module in ``folder`` for the runtime's Python, as unchecked-hash pycs.

    In a child process with a fixed hash seed: set and frozenset constants are then written in the same
    order every time, so the build stays reproducible.
    """
    if sys.version_info[:2] != RUNTIME_PYTHON:
        wanted = "%d.%d" % RUNTIME_PYTHON
        raise SystemExit(
            f"build-lambda: the bytecode must be compiled by Lambda's Python {wanted}, this is {platform.python_version()} "
            f"({sys.executable}); run scripts/setup, which makes .venv with Python {wanted}"
        )
    subprocess.run(
        # (-W: ask-sdk-model docstrings have invalid escapes, only warned about when compiling)
        [sys.executable, "-W", "ignore::SyntaxWarning", "-m", "compileall", "-q", "-j", "1", "--invalidation-mode", "unchecked-hash",
         "-s", str(folder), "-p", TASK_ROOT, str(folder)],
        check=True, env={**os.environ, "PYTHONHASHSEED": "0"}, stdout=subprocess.DEVNULL,
    )


# -- the zip ---------------------------------------------------------------------------------------


def write_zip(source: Path, zip_path: Path) -> None:
    files = sorted((p for p in source.rglob("*") if p.is_file()), key=lambda p: p.relative_to(source).as_posix())
    tmp = zip_path.with_suffix(".zip.tmp")
    with zipfile.ZipFile(tmp, "w") as archive:
        for path in files:
            info = zipfile.ZipInfo(path.relative_to(source).as_posix(), date_time=ZIP_DATE)
            mode = 0o755 if path.suffix == ".so" else 0o644  # what pip gives them; Lambda only needs to read
            info.external_attr = (0o100000 | mode) << 16  # a regular file
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # Unix, whatever machine builds it
            archive.writestr(info, path.read_bytes(), compresslevel=9)
    os.replace(tmp, zip_path)


def build(quiet: bool = False) -> Path:
    deps = install_dependencies(quiet)
    shutil.rmtree(OUT_DIR, ignore_errors=True)
    OUT_DIR.mkdir(parents=True)
    copy_dependencies(deps, OUT_DIR)
    for unread in UNREAD_DATA:
        (OUT_DIR / unread).unlink()
    modules = copy_skill(OUT_DIR, quiet)
    log(f"skill modules: {len(modules)}", quiet)
    log(f"ask_sdk_model modules nothing reaches, left out: {trim_models(OUT_DIR)}", quiet)
    compile_bytecode(OUT_DIR)
    write_zip(OUT_DIR, ZIP_PATH)
    size = ZIP_PATH.stat().st_size
    digest = hashlib.sha256(ZIP_PATH.read_bytes()).hexdigest()
    log(f"{OUT_DIR.relative_to(ROOT)}/ and {ZIP_PATH.relative_to(ROOT)}: {size} bytes ({size / 1e6:.2f} MB), sha256 {digest[:16]}", quiet)
    return ZIP_PATH


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quiet", action="store_true", help="print nothing but errors")
    args = parser.parse_args(argv)
    build(quiet=args.quiet)
    return 0


if __name__ == "__main__":
    sys.exit(main())
