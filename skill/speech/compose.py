"""The spoken pieces around a routine's timeline: openings, questions, summaries, lengths.

``Composer`` knows wording (via ``Phrases``); it knows nothing of ASK or of the
engine's state. Durations come from the timeline and the one rate model.

Example:
    >>> from skill.speech.phrases import phrases_for
    >>> composer = Composer(phrases_for("en-US"))
    >>> composer.length(330), composer.length(75), composer.length(40)
    ('about 5 and a half minutes', 'about a minute and 20 seconds', 'about 40 seconds')
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from skill.catalogue.model import Stretch
from skill.engine.segments import SETTLE_SECONDS
from skill.speech.phrases import Phrases
from skill.speech.ssml import Pause, Speech
from skill.speech.timeline import side_name


# Where the user is after the routine's last stretch, for the word that sends them on (the rest: the floor).
FINAL_WORDS = {"sitting": "goodbye_finished_sitting", "standing": "goodbye_finished_standing"}


class Card(NamedTuple):
    """A card in the Alexa app: a title and plain text, or (``ask_for``, a permission scope) Alexa's
    card that asks the user for that permission."""

    title: str
    text: str
    ask_for: str | None = None


@dataclass
class Reply:
    """What to say, what to say if the user stays silent, and whether the session ends.

    ``if_not_stored`` is said instead of ``speech`` when the store could not keep what this
    request changed (a reply that says something was kept must not be said then). ``card``
    goes to the Alexa app with it.
    """

    speech: Speech
    reprompt: Speech | None = None
    end_session: bool = False
    if_not_stored: Speech | None = None
    card: Card | None = None


class Composer:
    def __init__(self, phrases: Phrases) -> None:
        self.phrases = phrases

    def length(self, seconds: float) -> str:
        """A duration as people say it, close enough to be within a tenth of it from a minute on.

        Under two and a half minutes: to the nearest 10 seconds; under 20 minutes: to the nearest
        half minute; longer: to the nearest minute.
        """
        p = self.phrases
        if seconds < 150:
            rounded = max(10, int(round(seconds / 10.0)) * 10)
            minutes, rest = divmod(rounded, 60)
            if minutes == 0:
                return p.say("length_seconds", seconds=rest)
            key = "length_minute" if minutes == 1 else "length_minutes"
            if rest == 0:
                return p.say(key, minutes=minutes)
            return p.say(key + "_seconds", minutes=minutes, seconds=rest)
        if seconds < 20 * 60:
            halves = int(round(seconds / 30.0))
            minutes, half = divmod(halves, 2)
            return p.say("length_minutes_half" if half else "length_minutes", minutes=minutes)
        return p.say("length_minutes", minutes=int(round(seconds / 60.0)))

    # -- around the timeline ------------------------------------------------------------------

    def opening(
        self, routine_name: str, stretch_count: int, seconds: float, safety: list[str], notes: list[str], hint: bool
    ) -> Speech:
        """Before the first stretch: ``safety`` sentences, the routine's size and length, ``notes``, how to steer."""
        p = self.phrases
        speech = Speech().say(*safety)
        key = "routine_intro" if stretch_count > 1 else "routine_intro_one"
        title = routine_name[:1].upper() + routine_name[1:]  # it starts the sentence
        speech.say(p.say(key, routine=title, count=stretch_count, length=self.length(seconds)), *notes)
        if hint:
            speech.say(p.say("navigation_hint"))
        return speech

    def recap(self, stretch: Stretch, side_index: int) -> Speech:
        """Picking a stretch up in the middle: which one, which side, and time to get back into it:
        a short cue, never the full steps again.

        It ends in silence: what follows starts with words (a hold, a rest or a counted set). The
        repetition is not named here: the hold that follows names it, right before it starts.

        >>> from skill.catalogue import load_catalogue
        >>> from skill.speech.phrases import phrases_for
        >>> stretch = load_catalogue().stretch("single_knee_to_chest")
        >>> Composer(phrases_for("en-US")).recap(stretch, 1).plain()
        'Back to single knee to chest, right side. Get back into position. …'
        """
        p = self.phrases
        side = side_name(self.phrases, stretch, side_index)
        heading = p.say("recap_side", name=stretch.name, side=side) if side else p.say("recap", name=stretch.name)
        return Speech().say(heading, p.say("get_back_into_position")).add(Pause(SETTLE_SECONDS * 1000))

    def next_question(self, number: int, total: int, stretch: Stretch, same_stretch: bool) -> Reply:
        """The end of a response that is not the last: what comes next and what to say."""
        p = self.phrases
        if same_stretch:
            ask = p.say("ask_carry_on_stretch", name=stretch.name)
        else:
            ask = p.say("ask_next_stretch", number=number, total=total, name=stretch.name)
        reprompt = p.say("reprompt_boundary", name=stretch.name)
        return Reply(Speech().say(ask), Speech().say(reprompt))

    def summary(self, routine_name: str, done: int, skipped: int, seconds: float, posture: str = "on_back") -> Speech:
        """Well done, what was done, and a word for getting up that fits the ``posture`` the user ends in:
        on the floor, give the back a moment; sitting or standing, there is no floor to get up from."""
        p = self.phrases
        speech = Speech().say(p.say("finished", routine=routine_name, done=done, length=self.length(seconds)))
        if skipped:
            speech.say(p.say("finished_skipped_one" if skipped == 1 else "finished_skipped", skipped=skipped))
        return speech.say(p.say(FINAL_WORDS.get(posture, "goodbye_finished_floor")))

    def progress(self, stretches_left: int, seconds_left: float) -> str:
        p = self.phrases
        if stretches_left <= 1:
            return p.say("progress_last", length=self.length(seconds_left))
        return p.say("progress", count=stretches_left, length=self.length(seconds_left))
