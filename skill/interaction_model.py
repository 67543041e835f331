"""The Alexa interaction models, read from inside the package.

The repository keeps them in ``interaction_models/``; pyproject.toml installs that folder as the
package ``skill.models``, so an installed wheel, an editable install and the Lambda zip all read them
through ``importlib.resources``, whatever the working directory. Each file is parsed at most once per
process, and only when something asks for it: the ordinary request path never does.

Example:
    >>> "StartRoutineIntent" in {intent["name"] for intent in language_model("en-US")["intents"]}
    True
    >>> slot_values("en-US", "ROUTINE")["lumbar"]
    'lower_back'
    >>> slot_values("xx-XX", "ROUTINE") == slot_values("en-US", "ROUTINE")  # unknown locales read en-US
    True
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # for annotations only: not worth an import on the request path
    from importlib.abc import Traversable

MODELS_PACKAGE = "skill.models"
DEFAULT_LOCALE = "en-US"
# Patterns compile on first use (re caches them), not at import: a name-free request may never come.
_LOCALE_FILE = r"^([a-z]{2}-[A-Z]{2})\.json$"
# Words that change nothing about which routine or stretch is meant: "the lower back", "my morning stretches".
_FILLERS = frozenset({"a", "an", "the", "my"})
_WORD = r"[a-z0-9]+"


def phrase_key(text: str) -> str:
    """``text`` as a lookup key: lower case, apostrophes dropped, articles and "my" left out.

    >>> phrase_key("The Child\u2019s Pose!")
    'childs pose'
    >>> phrase_key("my  Morning back-stretches")
    'morning back stretches'
    """
    plain = text.lower().replace("'", "").replace("\u2019", "")
    return " ".join(word for word in re.findall(_WORD, plain) if word not in _FILLERS)


def models_folder() -> Traversable:
    """The folder the models are installed in (``skill.models``)."""
    return resources.files(MODELS_PACKAGE)


@lru_cache(maxsize=1)
def model_locales() -> tuple[str, ...]:
    """The locales that have a model, sorted (listed once per process).

    >>> "en-US" in model_locales()
    True
    """
    names = (re.match(_LOCALE_FILE, entry.name) for entry in models_folder().iterdir())
    return tuple(sorted(match[1] for match in names if match))


def _shipped(locale: str | None) -> str:
    """``locale`` if it has a model, else the default: a request names any locale it likes."""
    return locale if locale in model_locales() else DEFAULT_LOCALE


def interaction_model(locale: str | None) -> dict[str, Any]:
    """The whole interaction model of ``locale`` (the default locale's when it has none), as Alexa gets it."""
    return _model(_shipped(locale))


def language_model(locale: str | None) -> dict[str, Any]:
    """The ``languageModel`` part of :func:`interaction_model`."""
    language: dict[str, Any] = interaction_model(locale)["interactionModel"]["languageModel"]
    return language


@lru_cache(maxsize=None)  # keyed by shipped locales only (see _shipped), so it cannot grow without bound
def _model(locale: str) -> dict[str, Any]:
    model: dict[str, Any] = json.loads(models_folder().joinpath(f"{locale}.json").read_text(encoding="utf-8"))
    return model


def builtin_phrases(locale: str | None) -> dict[str, list[str]]:
    """The chat's table of what Alexa's built-in intents understand (``builtin_phrases.<locale>.json``), or {}."""
    path = models_folder().joinpath(f"builtin_phrases.{_shipped(locale)}.json")
    if not path.is_file():
        return {}
    table: dict[str, list[str]] = json.loads(path.read_text(encoding="utf-8"))
    return table


def slot_values(locale: str | None, type_name: str) -> dict[str, str]:
    """Every value and synonym of the custom slot type ``type_name``, as ``phrase_key -> value id``.

    An unknown type has no values. The first value that claims a phrase keeps it, as in the chat's matcher.
    """
    return _slot_values(_shipped(locale), type_name)


@lru_cache(maxsize=64)
def _slot_values(locale: str, type_name: str) -> dict[str, str]:
    table: dict[str, str] = {}
    for slot_type in language_model(locale).get("types", []):
        if slot_type.get("name") != type_name:
            continue
        for value in slot_type.get("values", []):
            name = value["name"]["value"]
            for phrase in (name, *value["name"].get("synonyms", [])):
                table.setdefault(phrase_key(phrase), value.get("id") or name)
    return table
