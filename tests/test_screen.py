"""Screens (APL): what an Echo Show gets, and that a voice-only Echo gets exactly what it got before.

The documents are held to ask-sdk-model's classes and to rules written down here from Amazon's
APL reference (component types and their properties, commands, AVG items, the document version,
the response size), and the screen's clock is checked against the speech timed on paper by the
stopwatch (``tests.support.stopwatch``, which shares nothing with the skill).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any, Iterator

import pytest
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_model.interfaces.alexa.presentation.apl import RenderDocumentDirective

from tests.support.conversation import PROJECT_ROOT, Alexa, FakeClock, Reply, answer_questions, headings, load_event, stored
from tests.support.stopwatch import FIRST_HOLD, fixed_rate_seconds, fixed_rate_timeline

RENDER = "Alexa.Presentation.APL.RenderDocument"
MORNING = ("morning back stretches", "morning")

# -- APL rules, from the APL reference (components, commands, AVG) ----------------------------------

# Properties every component may have (APL "Component" base properties that this skill might use).
BASE_PROPERTIES = {
    "type", "id", "when", "width", "height", "minWidth", "maxWidth", "minHeight", "maxHeight",
    "padding", "paddingLeft", "paddingRight", "paddingTop", "paddingBottom", "grow", "shrink",
    "alignSelf", "position", "spacing", "opacity", "display", "transform", "accessibilityLabel",
    "description", "style", "bind", "onMount", "inheritParentState",
}
MULTICHILD = {"item", "items", "data", "firstItem", "lastItem", "numbered"}
COMPONENT_PROPERTIES: dict[str, set[str]] = {
    "Container": MULTICHILD | {"direction", "alignItems", "justifyContent", "wrap"},
    "Frame": {"item", "items", "backgroundColor", "borderColor", "borderWidth", "borderRadius"},
    "Text": {"text", "fontSize", "fontWeight", "fontFamily", "fontStyle", "color", "textAlign", "textAlignVertical",
             "maxLines", "lineHeight", "letterSpacing"},
    "Pager": MULTICHILD | {"initialPage", "navigation", "onPageChanged"},
    "ScrollView": {"item", "items", "onScroll"},
    "TouchWrapper": {"item", "items", "onPress"},
    "VectorGraphic": {"source", "scale", "align"},
}
COMMAND_PROPERTIES: dict[str, set[str]] = {
    "Parallel": {"commands"},
    "Sequential": {"commands"},
    "Idle": set(),
    "SetPage": {"componentId", "position", "value"},
    "AnimateItem": {"componentId", "duration", "easing", "repeatCount", "repeatMode", "value"},
    "SendEvent": {"arguments", "components"},
}
COMMAND_BASE = {"type", "description", "delay", "screenLock", "sequencer", "when"}
ANIMATABLE = {"opacity", "transform"}
AVG_ITEMS: dict[str, set[str]] = {
    "path": {"type", "pathData", "fill", "fillOpacity", "stroke", "strokeWidth", "strokeOpacity", "strokeLineCap",
             "strokeLineJoin", "strokeMiterLimit", "strokeDashArray", "strokeDashOffset", "pathLength"},
    "group": {"type", "items", "item", "opacity", "transform", "clipPath"},
    "text": {"type", "text", "x", "y", "fill", "fontSize", "fontWeight", "fontFamily", "textAnchor"},
}
AVG_PROPERTIES = {"type", "version", "description", "width", "height", "viewportWidth", "viewportHeight", "items",
                  "item", "parameters", "scaleTypeWidth", "scaleTypeHeight"}
DOCUMENT_PROPERTIES = {"type", "version", "theme", "background", "settings", "mainTemplate", "graphics", "onMount",
                       "layouts", "resources", "styles", "description"}
# APL versions listed in the reference's version history (the skill declares one of them).
APL_VERSIONS = {"1.8", "1.9", "2022.1", "2022.2", "2023.1", "2023.2", "2023.3", "2024.1", "2024.2", "2024.3"}
MAX_RESPONSE_BYTES = 120 * 1024  # Alexa's limit on a whole response, the document included
PATH_COMMANDS = re.compile(r"[MLHVCSQTAZmlhvcsqtaz]|-?\d+(?:\.\d+)?")


def _components(node: Any) -> Iterator[dict[str, Any]]:
    """Every component under ``node`` (items, item, firstItem, lastItem)."""
    if isinstance(node, list):
        for child in node:
            yield from _components(child)
    elif isinstance(node, dict):
        yield node
        for key in ("item", "items", "firstItem", "lastItem"):
            if key in node:
                yield from _components(node[key])


def _commands(node: Any) -> Iterator[dict[str, Any]]:
    for command in node if isinstance(node, list) else [node]:
        yield command
        yield from _commands(command.get("commands", []))


def assert_valid_apl(directive: dict[str, Any]) -> None:
    """The rules above, over one RenderDocument directive."""
    document, datasources = directive["document"], directive.get("datasources", {})
    assert set(document) <= DOCUMENT_PROPERTIES, set(document) - DOCUMENT_PROPERTIES
    assert document["type"] == "APL" and document["version"] in APL_VERSIONS
    assert "import" not in document, "no third-party packages"
    assert set(document["mainTemplate"]["parameters"]) == set(datasources)
    variants = document["mainTemplate"]["items"]
    assert all("when" in v for v in variants[:-1]) and "when" not in variants[-1], "the last layout is the default"
    for variant in variants:
        ids = []
        for component in _components(variant):
            kind = component["type"]
            assert kind in COMPONENT_PROPERTIES, f"unknown component {kind}"
            unknown = set(component) - BASE_PROPERTIES - COMPONENT_PROPERTIES[kind]
            assert not unknown, f"{kind} has unknown properties {unknown}"
            ids += [component["id"]] if "id" in component else []
            for handler in ("onPress",):
                for command in _commands(component.get(handler, [])):
                    assert set(command) <= COMMAND_BASE | COMMAND_PROPERTIES[command["type"]]
        assert len(ids) == len(set(ids)), "component ids repeat inside one layout"
        for command in _commands(document.get("onMount", [])):
            assert set(command) <= COMMAND_BASE | COMMAND_PROPERTIES[command["type"]], command
            if "componentId" in command:
                assert command["componentId"] in ids, f"{command['componentId']} is not in every layout"
            assert command.get("delay", 0) >= 0 and command.get("duration", 0) >= 0
            for animated in command.get("value", []) if command["type"] == "AnimateItem" else []:
                assert animated["property"] in ANIMATABLE
    for name, graphic in document.get("graphics", {}).items():
        assert_valid_avg(graphic, name)
    assert isinstance(document["settings"]["idleTimeout"], int)


def assert_valid_avg(graphic: dict[str, Any], name: str = "") -> None:
    assert set(graphic) <= AVG_PROPERTIES and graphic["type"] == "AVG" and graphic["version"] == "1.2", name
    width, height = graphic.get("viewportWidth", graphic["width"]), graphic.get("viewportHeight", graphic["height"])
    for item in graphic["items"]:
        assert item["type"] in AVG_ITEMS, f"{name}: AVG item {item['type']}"
        assert set(item) <= AVG_ITEMS[item["type"]], f"{name}: {set(item) - AVG_ITEMS[item['type']]}"
        if item["type"] == "path":
            tokens = PATH_COMMANDS.findall(item["pathData"])
            assert "".join(tokens).replace(".", "").replace("-", "").isalnum() and tokens[0] in "Mm", item["pathData"]
            assert re.sub(r"[MLHVCSQTAZmlhvcsqtaz0-9.,\s-]", "", item["pathData"]) == "", item["pathData"]
            assert "fill" in item or "stroke" in item, f"{name}: a path that draws nothing"
            numbers = [float(t) for t in tokens if t[-1].isdigit()]
            if "A" not in item["pathData"]:  # points only: every one on the canvas, with its stroke
                margin = item.get("strokeWidth", 0) / 2
                xs, ys = numbers[0::2], numbers[1::2]
                assert min(xs) - margin >= 0 and max(xs) + margin <= width, f"{name}: off the canvas sideways"
                assert min(ys) - margin >= 0 and max(ys) + margin <= height, f"{name}: off the canvas vertically"


def render_directives(reply: Reply) -> list[dict[str, Any]]:
    return [d for d in reply.response.get("directives", []) if d["type"] == RENDER]


@pytest.fixture
def show(tmp_path: Path) -> Alexa:
    return Alexa.with_clock(tmp_path / "show", FakeClock(), screen=True)


@pytest.fixture
def echo(tmp_path: Path) -> Alexa:
    return Alexa.with_clock(tmp_path / "echo", FakeClock(), screen=False)


# -- conversations ----------------------------------------------------------------------------------


def test_morning_routine_on_a_screen_shows_each_stretch_with_its_drawing(show: Alexa) -> None:
    show.launch()
    reply = show.intent("StartRoutineIntent", routine=MORNING)
    [directive] = render_directives(reply)
    assert_valid_apl(directive)
    pages = directive["datasources"]["routine"]["pages"]
    spoken = headings(reply.text)
    assert list(dict.fromkeys(p["name"].lower() for p in pages)) == spoken and len(spoken) == 3
    assert list(dict.fromkeys(p["counter"] for p in pages)) == ["1 of 3", "2 of 3", "3 of 3"]
    graphics = directive["document"]["graphics"]
    for page in pages:
        picture = graphics[page["drawing"]]
        assert picture["type"] == "AVG" and len(picture["items"]) >= 4
        assert any(item.get("stroke") == "#FFD400" for item in picture["items"]), "what moves is drawn in yellow"
    for counter in ("1 of 3", "2 of 3", "3 of 3"):  # a stretch's steps may take more than one page, in order
        lines = "<br>".join(p["steps"] for p in pages if p["counter"] == counter).split("<br>")
        assert len(lines) >= 3 and all(line in reply.text for line in lines[1:]), "the steps on screen are the ones spoken"
    assert "http" not in json.dumps(directive), "no image or package URLs"


def test_voice_only_device_gets_the_same_conversation_without_a_screen(show: Alexa, echo: Alexa) -> None:
    turns = [
        lambda a: a.launch(),
        lambda a: a.intent("StartRoutineIntent", routine=MORNING),
        lambda a: a.intent("AMAZON.PauseIntent", at=40),
        lambda a: a.intent("AMAZON.ResumeIntent"),
        lambda a: a.intent("AMAZON.StopIntent"),
    ]
    for turn in turns:
        on_screen, voice_only = turn(show), turn(echo)
        assert not render_directives(voice_only)
        assert render_directives(on_screen), "every spoken reply on a screen device comes with a screen"
        assert [d for d in on_screen.response.get("directives", []) if d["type"] != RENDER] == voice_only.response.get("directives", [])
        without_screen = {k: v for k, v in on_screen.response.items() if k != "directives"}
        assert without_screen == {k: v for k, v in voice_only.response.items() if k != "directives"}
        assert on_screen.attributes == voice_only.attributes


def test_screen_clock_follows_the_speech(show: Alexa) -> None:
    """Pages turn when the spoken heading starts and the bar fills from "Hold for" to "Release.", timed on paper."""
    show.launch()
    reply = show.intent("StartRoutineIntent", routine=MORNING)
    [directive] = render_directives(reply)
    [parallel] = directive["document"]["onMount"]
    commands = parallel["commands"]
    words = [t for t in fixed_rate_timeline(reply.ssml) if t.kind == "word"]
    text = " ".join(w.text for w in words)

    def starts(pattern: re.Pattern[str]) -> list[float]:
        return [words[len(text[: m.start()].split())].start for m in pattern.finditer(text)]

    def close(screen_ms: int, paper_s: float) -> bool:
        return abs(screen_ms / 1000 - paper_s) <= max(2.0, 0.05 * paper_s)

    fills = [c for c in commands if c["type"] == "AnimateItem" and c["value"][0]["to"] == [{"scaleX": 1}]]
    holds = starts(FIRST_HOLD)
    assert len(fills) == len(holds) > 3
    assert all(close(c["delay"], s) for c, s in zip(fills, holds)), [(c["delay"], s) for c, s in zip(fills, holds)]
    releases = [w.end for w in words if w.text == "Release."]
    timed = [c for c in fills if c["duration"] > 15_000]  # the 20-second holds end on "Release."
    assert timed and all(any(close(c["delay"] + c["duration"], r) for r in releases) for c in timed)
    counters = [p["counter"] for p in directive["datasources"]["routine"]["pages"]]
    turns = [c for c in commands if c["type"] == "SetPage"]
    assert [c["value"] for c in turns] == list(range(1, len(counters)))
    new_stretch = [c for c in turns if counters[c["value"]] != counters[c["value"] - 1]]
    stretch_starts = starts(re.compile(r"Stretch \d of 3"))
    assert len(new_stretch) == 2 and all(close(c["delay"], s) for c, s in zip(new_stretch, stretch_starts[-2:]))
    in_steps = [c for c in turns if c not in new_stretch]  # a stretch's second page of steps: while they are read
    assert in_steps and all(any(s < c["delay"] / 1000 < s + 40 for s in [0.0, *stretch_starts]) for c in in_steps)
    idle = directive["document"]["settings"]["idleTimeout"]
    assert idle >= fixed_rate_seconds(reply.ssml) * 1000 + 10_000, "the screen stays on past the end of the speech"
    [lock] = [c for c in commands if c["type"] == "Idle"]
    assert lock["screenLock"] is True and lock["delay"] >= 0.9 * fixed_rate_seconds(reply.ssml) * 1000


def test_a_notice_before_the_routine_delays_the_screen_by_its_length(show: Alexa, tmp_path: Path) -> None:
    """A once-only notice said first ("I lost track of where we were...") moves every cue later by its length."""
    plain = Alexa.with_clock(tmp_path / "plain", FakeClock(), screen=True)
    plain.launch()
    show.launch()
    show.attributes["routine"] = {"forged": True}  # a session the skill cannot read: it says so first
    with_notice = show.intent("StartRoutineIntent", routine=MORNING)
    without = plain.intent("StartRoutineIntent", routine=MORNING)
    notice = with_notice.text[: with_notice.text.index(without.text[:40])]
    assert notice.strip(), "the notice comes first"

    def cue_delays(reply: Reply) -> list[int]:
        [directive] = render_directives(reply)
        [parallel] = directive["document"]["onMount"]
        return [c["delay"] for c in parallel["commands"] if c["type"] in ("AnimateItem", "SetPage")]

    shifts = {b - a for a, b in zip(cue_delays(without), cue_delays(with_notice))}
    assert len(shifts) == 1, "every cue moves by the same amount"
    [shift] = shifts
    # The notice at a fixed 160 words a minute, measured on its own rendered words.
    assert abs(shift / 1000 - fixed_rate_seconds(f"<speak>{notice}</speak>")) <= 1.5, (shift, notice)


def test_pause_button_pauses_like_saying_pause(tmp_path: Path) -> None:
    """The UserEvent fixture (tests/events/apl_user_event.json) runs the same steering as the voice command."""
    touched = Alexa.with_clock(tmp_path / "touch", FakeClock(), screen=True)
    spoken = Alexa.with_clock(tmp_path / "voice", FakeClock(), screen=True)
    for alexa in (touched, spoken):
        alexa.launch()
        alexa.intent("StartRoutineIntent", routine=MORNING)
    by_touch = touched.touch("pause", at=45)
    by_voice = spoken.intent("AMAZON.PauseIntent", at=45)
    assert "Paused at single knee to chest" in by_touch.text
    assert by_touch.ssml == by_voice.ssml and by_touch.attributes == by_voice.attributes
    routine = stored(tmp_path / "touch")["progress"]
    assert routine["status"] == "paused" and routine == stored(tmp_path / "voice")["progress"]
    assert render_directives(by_touch)[0]["token"] != render_directives(touched.history[-2])[0]["token"], "the routine screen is replaced"
    carried_on = touched.intent("AMAZON.ResumeIntent")
    assert "single knee to chest" in carried_on.text and render_directives(carried_on)


def test_next_button_moves_on_like_saying_next(show: Alexa) -> None:
    show.launch()
    show.intent("StartRoutineIntent", routine=MORNING)
    reply = show.touch("next", at=20)
    assert headings(reply.text)[:1] == ["double knee to chest"]


def test_a_button_the_skill_does_not_offer_loses_nothing(show: Alexa, tmp_path: Path) -> None:
    show.launch()
    show.intent("StartRoutineIntent", routine=MORNING)
    for arguments in (("skip",), ("bogus",), (), (7,)):
        reply = show.touch(*arguments, at=30)
        assert "didn't catch" in reply.text and not reply.ended
        routine = stored(tmp_path / "show")["progress"]
        assert routine["status"] == "paused" and routine["position"] <= 3, "the place is kept, at the first stretch"
        show.intent("AMAZON.ResumeIntent")


def test_user_event_fixture_through_lambda(alexa: Alexa) -> None:
    """The fixture as Lambda gets it, outside a routine: no crash, a spoken way on, the session kept."""
    reply = alexa.send_raw(load_event("apl_user_event"))
    assert "No routine is playing right now" in reply.text and reply.text.endswith("Which one would you like?") and not reply.ended


# -- ask-sdk-model and size ---------------------------------------------------------------------------


def test_directives_round_trip_through_ask_sdk_model(show: Alexa) -> None:
    serializer = DefaultSerializer()
    replies = [show.launch(), show.intent("StartRoutineIntent", routine=MORNING), show.intent("AMAZON.HelpIntent", at=10)]
    for reply in replies:
        [raw] = render_directives(reply)
        model = serializer.deserialize(json.dumps(raw), RenderDocumentDirective)
        assert isinstance(model, RenderDocumentDirective) and model.token == raw["token"]
        assert serializer.serialize(model) == raw
        assert_valid_apl(raw)
        assert len(json.dumps(reply.body).encode()) < MAX_RESPONSE_BYTES


@pytest.mark.parametrize("routine_id", ["full_back", "sciatica", "hamstrings", "lower_back", "warm_up", "neck_and_shoulders", "back_break"])
def test_every_routine_fits_on_screen(tmp_path: Path, routine_id: str) -> None:
    alexa = Alexa.with_clock(tmp_path / routine_id, FakeClock(), screen=True)
    alexa.launch()
    reply, _ = answer_questions(alexa, alexa.intent("StartRoutineIntent", routine=(routine_id.replace("_", " "), routine_id)))
    [directive] = render_directives(reply)
    assert_valid_apl(directive)
    assert len(json.dumps(reply.body).encode()) < MAX_RESPONSE_BYTES
    assert list(dict.fromkeys(p["name"].lower() for p in directive["datasources"]["routine"]["pages"])) == headings(reply.text)


# -- cold start ---------------------------------------------------------------------------------------

COLD_REQUEST = """
import json, sys
sys.path.insert(0, {root!r})
from tests.support.conversation import load_event, load_lambda_module
event = load_event("start_routine_morning")
if {screen}:
    event["context"] = load_event("apl_user_event")["context"]
body = load_lambda_module().lambda_handler(event, None)
print(json.dumps({{"screen_loaded": any(m == "skill.screen" or m.startswith("skill.screen.") for m in sys.modules),
                  "directives": sum(d["type"].startswith("Alexa.Presentation.APL") for d in body["response"].get("directives", []))}}))
"""


@pytest.mark.parametrize("screen", [False, True])
def test_only_a_screen_device_loads_the_screen_package(tmp_path: Path, screen: bool) -> None:
    """A fresh process, as on a cold Lambda: a voice-only request never imports skill.screen."""
    env = {"BACKSTRETCH_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin", "AWS_REGION": "us-east-1",
           "AWS_DEFAULT_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "dummy", "AWS_SECRET_ACCESS_KEY": "dummy",
           "AWS_EC2_METADATA_DISABLED": "true"}
    script = COLD_REQUEST.format(root=str(PROJECT_ROOT), screen=screen)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120, check=True)
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome == {"screen_loaded": screen, "directives": 1 if screen else 0}
