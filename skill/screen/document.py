"""The APL documents: the routine as it plays, and a plain title screen for everything else.

While a response plays part of a routine the screen shows, for each stretch in it, a page
with "2 of 5", the stretch's name, a picture and its steps, and a bar under it that fills
during every hold. The pages turn and the bar fills on the same clock the speech is built
on: each segment's start and end in the response (``Chunk.ends_ms``) become the delays of
``SetPage`` and ``AnimateItem`` commands started together when the document is shown.
The screen stays on for the whole response (``settings.idleTimeout`` and a screen lock).
"Pause" and "Next" send a ``UserEvent`` whose argument is the steering command's name, which
``skill.handlers.touch`` runs through the same flow as the spoken command.

Example:
    >>> from skill.catalogue import load_catalogue
    >>> from skill.engine.plan import PlanItem
    >>> from skill.speech import phrases_for
    >>> from skill.speech.timeline import Timeline
    >>> timeline = Timeline((PlanItem("childs_pose", 20, 1),), load_catalogue(), phrases_for("en-US"))
    >>> showing = chunk_showing(timeline, 0, timeline.ends_ms(0, len(timeline), 1.0), phrases_for("en-US"))
    >>> [(page.name, page.counter) for page in showing.pages]  # its steps take two pages
    [("Child's pose", '1 of 1'), ("Child's pose", '1 of 1')]
    >>> [(cue.page, cue.hold_ms > 0) for cue in showing.cues]  # turned while read, then the hold
    [(1, False), (1, True)]
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING, Any, NamedTuple

from ask_sdk_model.interfaces.alexa.presentation.apl import RenderDocumentDirective

from skill.engine.segments import SegmentKind
from skill.flows.playing import timeline_for
from skill.flows.steer import Command
from skill.screen.drawings import drawing
from skill.screen.layouts import ACCENT, BACKGROUND, LAYOUTS, STEPS_PER_PAGE, TEXT, TRACK, Layout
from skill.speech.phrases import Phrases
from skill.speech.timeline import Timeline, speech_seconds, steps_on_side

if TYPE_CHECKING:
    from skill.flows.turn import Turn
    from skill.speech import Speech

APL_VERSION = "2023.3"
ROUTINE_TOKEN = "backstretch-routine"
TITLE_TOKEN = "backstretch-title"
DATA = "routine"  # the datasource's name, and the main template's parameter
PAGER_ID = "pager"
BAR_ID = "holdBar"
# After the speech: the question at its end, the reprompt and an answer still need the screen.
IDLE_MARGIN_MS = 30_000
BAR_RESET_MS = 300
BUTTONS = (Command.PAUSE, Command.NEXT)


class Page(NamedTuple):
    """One stretch on screen."""

    stretch_id: str
    name: str
    counter: str  # "2 of 5"
    lines: tuple[str, ...]  # where to start, then each step


class Cue(NamedTuple):
    """Something the screen does ``at_ms`` into the response: turn to ``page``, or fill the bar for ``hold_ms``."""

    at_ms: int
    page: int
    hold_ms: int = 0
    empties: bool = False  # a new stretch: the bar starts empty


class Showing(NamedTuple):
    pages: tuple[Page, ...]
    cues: tuple[Cue, ...]


def _parts(lines: tuple[str, ...], budget: int) -> list[tuple[str, ...]]:
    """``lines`` in order, cut into runs of at most ``budget`` characters (a longer line on its own).

    >>> _parts(("aaaa", "bb", "cccccc", "d"), 6)
    [('aaaa', 'bb'), ('cccccc',), ('d',)]
    """
    parts: list[list[str]] = [[]]
    for line in lines:
        if parts[-1] and sum(map(len, parts[-1])) + len(line) > budget:
            parts.append([])
        parts[-1].append(line)
    return [tuple(part) for part in parts]


def chunk_showing(timeline: Timeline, start: int, ends_ms: tuple[int, ...], phrases: Phrases, budget: int = STEPS_PER_PAGE) -> Showing:
    """What the screen shows for the segments ``start`` .. ``start + len(ends_ms) - 2`` of ``timeline``.

    ``ends_ms`` are the chunk's offsets (``Chunk.ends_ms``): its first is when the first segment
    starts, each next one when a segment ends. A page turns when its stretch's introduction
    starts; the bar fills over each hold or counted set, from its start to its end. Steps longer
    than ``budget`` characters (what one page of the smallest screen holds) go on several pages
    of the same stretch, turned while the introduction is read, each when its first line's share
    of the introduction begins.
    """
    pages: list[Page] = []
    page_of: dict[int, int] = {}
    cues: list[Cue] = []
    for offset, segment in enumerate(timeline.segments[start : start + len(ends_ms) - 1]):
        begins, ends = ends_ms[offset], ends_ms[offset + 1]
        item = segment.item_index
        if item not in page_of:
            stretch = timeline.stretch(item)
            counter = phrases.say("screen_counter", number=item + 1, total=len(timeline.items))
            name = stretch.name[:1].upper() + stretch.name[1:]
            steps = steps_on_side(phrases, stretch, segment.side_index if stretch.side_count == 2 else None)  # as spoken
            parts = _parts((stretch.position, *steps), budget)
            said = sum(len(line) for part in parts for line in part)
            before = 0
            for part in parts:
                if pages:  # the first page is showing already
                    at = begins + (ends - begins) * before // said if segment.kind is SegmentKind.STRETCH else begins
                    cues.append(Cue(at, len(pages), empties=not before))
                pages.append(Page(stretch.id, name, counter, part))
                before += sum(map(len, part))
            page_of[item] = len(pages) - 1  # the holds show on its last page
        if segment.kind is SegmentKind.HOLD:  # words before "Hold for" (the repetition, a cue) come first
            hold_ms = min(ends - begins, timeline.items[item].hold * 1000)
            cues.append(Cue(ends - hold_ms, page_of[item], hold_ms))
        elif segment.kind is SegmentKind.COUNT:
            cues.append(Cue(begins, page_of[item], ends - begins))
    return Showing(tuple(pages), tuple(cues))


# -- components ------------------------------------------------------------------------------------


def _text(text: str, size: int, color: str = TEXT, **more: Any) -> dict[str, Any]:
    return {"type": "Text", "text": text, "fontSize": f"{size}dp", "color": color, **more}


def _padding(all_round: int) -> dict[str, str]:
    """Padding on every side, spelt out: the one-value ``padding`` is newer than some screens' APL."""
    return {f"padding{side}": f"{all_round}dp" for side in ("Left", "Right", "Top", "Bottom")}


def _button(command: Command, label: str, layout: Layout) -> dict[str, Any]:
    """A plain touch target: a yellow-edged box with a word, sending the command's name."""
    return {
        "type": "TouchWrapper",
        "onPress": [{"type": "SendEvent", "arguments": [command.value]}],
        "item": {
            "type": "Frame",
            "width": f"{layout.button_width}dp",
            "height": f"{layout.button_height}dp",
            "borderColor": ACCENT,
            "borderWidth": "3dp",
            "borderRadius": f"{layout.button_height // 4}dp",
            "item": _text(label, layout.body_dp, textAlign="center", textAlignVertical="center", width="100%", height="100%"),
        },
    }


def _page(layout: Layout) -> dict[str, Any]:
    """The template of one stretch's page; ``${data}`` is a ``Page`` from the datasource.

    A Pager gives each page its own size, so the page sets none (a relative height under the
    pager's own, grown one, is what apl-suggester warns about). Names wrap rather than end in
    "…"; the steps are a plain text sized by its lines, never a scroll view (a television
    cannot scroll).
    """
    centred = not layout.show_steps
    picture: dict[str, Any] = {
        "type": "VectorGraphic",
        "source": "${data.drawing}",
        "width": f"{layout.picture_width}dp",
        "height": f"{layout.picture_height}dp",
        "scale": "best-fit",
    }
    if centred:
        picture["alignSelf"] = "center"
    body: list[dict[str, Any]] = [picture]
    if layout.show_steps:
        body.append(_text("${data.steps}", layout.body_dp, id="steps", grow=1, shrink=1, paddingLeft=f"{layout.padding}dp"))
    align = "center" if centred else "left"
    return {
        "type": "Container",
        "items": [
            _text("${data.counter}", layout.body_dp, ACCENT, textAlign=align, id="counter"),
            _text("${data.name}", layout.title_dp, fontWeight="bold", textAlign=align, id="name"),
            {
                "type": "Container",
                "direction": "column" if centred else "row",
                "grow": 1,
                "shrink": 1,
                "paddingTop": f"{layout.padding // 2}dp",
                "items": body,
            },
        ],
    }


def _screen(layout: Layout, items: list[dict[str, Any]]) -> dict[str, Any]:
    """A whole-screen frame for ``layout``, with its ``when`` condition (none for the last, the default)."""
    screen: dict[str, Any] = {
        "type": "Frame",
        "width": "100vw",
        "height": "100vh",
        "backgroundColor": BACKGROUND,
        "item": {"type": "Container", "width": "100vw", "height": "100vh", **_padding(layout.padding), "items": items},
    }
    if layout.when:
        screen["when"] = layout.when
    return screen


def _bar(filled: float) -> list[dict[str, Any]]:
    """The bar's transform when ``filled`` (0 to 1) of the track shows yellow (see ``_routine_screen``)."""
    return [{"scaleX": filled}]


def _routine_screen(layout: Layout) -> dict[str, Any]:
    """The pager, the hold bar and the buttons.

    The bar fills from the left: APL scales around a component's centre, so the yellow frame is
    twice the track's width, so its centre is on the track's right end, and the track is drawn mirrored; the track shows only what
    lies inside it, from the left end to the scaled frame's right edge.
    """
    radius = f"{layout.bar_height // 2}dp"
    bar = {
        "type": "Frame",
        "id": "holdTrack",
        "width": "100%",
        "height": f"{layout.bar_height}dp",
        "backgroundColor": TRACK,
        "borderRadius": radius,
        "transform": [{"scaleX": -1}],  # mirrored: the frame's centre, on the track's right end, shows on the left
        "item": {
            "type": "Frame",
            "id": BAR_ID,
            "width": "200%",
            "height": "100%",
            "backgroundColor": ACCENT,
            "borderRadius": radius,
            "transform": _bar(0),
        },
    }
    buttons = {
        "type": "Container",
        "direction": "row",
        "justifyContent": "spaceAround",
        "width": "100%",
        "paddingTop": f"{layout.bar_height}dp",
        "items": [_button(command, f"${{{DATA}.{command.value}}}", layout) for command in BUTTONS],
    }
    pager = {
        "type": "Pager",
        "id": PAGER_ID,
        "width": "100%",
        "grow": 1,
        "shrink": 1,
        "navigation": "normal",
        "data": f"${{{DATA}.pages}}",
        "item": _page(layout),
    }
    track = {"type": "Container", "width": "100%", "paddingTop": f"{layout.bar_height}dp", "items": [bar]}
    if layout.name == "round":  # inside the circle: a shorter bar, as wide as the buttons' row
        track["paddingLeft"] = track["paddingRight"] = f"{layout.padding}dp"
    return _screen(layout, [pager, track, buttons])


def _title_screen(layout: Layout) -> dict[str, Any]:
    screen = _screen(layout, [
        _text(f"${{{DATA}.title}}", layout.title_dp, ACCENT, fontWeight="bold", textAlign="center", width="100%"),
        _text(f"${{{DATA}.hint}}", layout.body_dp, textAlign="center", width="100%", paddingTop=f"{layout.padding}dp"),
    ])
    screen["item"]["justifyContent"] = "center"
    return screen


# -- commands --------------------------------------------------------------------------------------


def _commands(showing: Showing, spoken_ms: int) -> list[dict[str, Any]]:
    """Every cue as its own command with a delay from the start, all started together: no drift
    builds up from how long one command takes to finish (a page turn animates)."""
    commands: list[dict[str, Any]] = [{"type": "Idle", "delay": spoken_ms, "screenLock": True}]
    for cue in showing.cues:
        if cue.hold_ms:
            grow = {"property": "transform", "from": _bar(0), "to": _bar(1)}
            commands.append({"type": "AnimateItem", "componentId": BAR_ID, "delay": cue.at_ms, "duration": cue.hold_ms, "value": [grow]})
        else:
            commands.append({"type": "SetPage", "componentId": PAGER_ID, "position": "absolute", "value": cue.page, "delay": cue.at_ms})
        if cue.empties:  # the last hold left the bar full
            empty = {"property": "transform", "from": _bar(1), "to": _bar(0)}
            commands.append({"type": "AnimateItem", "componentId": BAR_ID, "delay": cue.at_ms, "duration": BAR_RESET_MS, "value": [empty]})
    return [{"type": "Parallel", "commands": commands}]


def _document(items: list[dict[str, Any]], idle_ms: int, graphics: dict[str, Any], on_mount: list[dict[str, Any]]) -> dict[str, Any]:
    document: dict[str, Any] = {
        "type": "APL",
        "version": APL_VERSION,
        "theme": "dark",
        "background": BACKGROUND,
        "settings": {"idleTimeout": idle_ms},
        "mainTemplate": {"parameters": [DATA], "items": items},
    }
    if graphics:
        document["graphics"] = graphics
    if on_mount:
        document["onMount"] = on_mount
    return document


def routine_document(showing: Showing, phrases: Phrases, spoken_ms: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """The document and datasource for a response that plays ``showing`` over ``spoken_ms``."""
    pages = [
        {"name": page.name, "counter": page.counter, "drawing": page.stretch_id, "steps": "<br>".join(escape(line, quote=False) for line in page.lines)}
        for page in showing.pages
    ]
    data = {DATA: {"pages": pages, "pause": phrases.say("screen_pause"), "next": phrases.say("screen_next")}}
    graphics = {page.stretch_id: drawing(page.stretch_id) for page in showing.pages}
    document = _document([_routine_screen(layout) for layout in LAYOUTS], spoken_ms + IDLE_MARGIN_MS, graphics, _commands(showing, spoken_ms))
    return document, data


def title_document(phrases: Phrases, spoken_ms: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """A plain screen with the skill's name and what to say, for responses that play no routine."""
    data = {DATA: {"title": phrases.say("screen_title"), "hint": phrases.say("screen_hint")}}
    return _document([_title_screen(layout) for layout in LAYOUTS], spoken_ms + IDLE_MARGIN_MS, {}, []), data


def directive_for(turn: "Turn", speech: "Speech", lead: "Speech | None" = None) -> RenderDocumentDirective:
    """The screen for this response: the routine when it plays part of one, else the title screen.

    ``lead`` is what is said before the reply (a notice): the routine's cues wait for it too.
    """
    spoken_ms = int(round(speech_seconds(speech) * 1000))
    lead_ms = int(round(speech_seconds(lead) * 1000)) if lead is not None and lead.parts else 0
    state = turn.played
    if state is None or state.chunk is None:
        document, data = title_document(turn.phrases, spoken_ms)
        return RenderDocumentDirective(token=TITLE_TOKEN, document=document, datasources=data)
    chunk = state.chunk
    ends_ms = tuple(end + lead_ms for end in chunk.ends_ms)
    showing = chunk_showing(timeline_for(turn, state), chunk.start, ends_ms, turn.phrases)
    document, data = routine_document(showing, turn.phrases, max(spoken_ms, ends_ms[-1]))
    return RenderDocumentDirective(token=ROUTINE_TOKEN, document=document, datasources=data)
