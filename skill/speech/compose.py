"""Engine outcomes to spoken replies.

``Composer`` knows wording (via ``Phrases``) and pacing; it knows nothing of ASK.
Each routine reply ends with a short question and carries a reprompt, so a user
on the floor can answer "next" hands-free.

Example:
    >>> from skill.catalogue import load_catalogue
    >>> from skill.engine import RoutineEngine, Settings
    >>> from skill.speech.phrases import phrases_for
    >>> step = RoutineEngine(load_catalogue()).start("morning", Settings(), now=0)
    >>> reply = Composer(phrases_for("en-US")).play(step.outcome, routine_name="morning back stretches")
    >>> reply.end_session
    False
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from skill.engine import Finished, Paused, Play, Progress
from skill.engine.plan import GET_READY_SECONDS, REST_BETWEEN_REPS_SECONDS, speaking_seconds
from skill.speech.countdown import counted_set, hold_countdown
from skill.speech.phrases import Phrases
from skill.speech.ssml import Pause, Speech

SIDE_KEYS = ("side_left", "side_right")
BETWEEN_SIDES_MS = 2000


@dataclass
class Reply:
    """What to say, what to say if the user stays silent, and whether the session ends."""

    speech: Speech
    reprompt: Speech | None = None
    end_session: bool = False


class Composer:
    def __init__(self, phrases: Phrases) -> None:
        self.phrases = phrases

    def length(self, seconds: float) -> str:
        """ "about 4 minutes" / "about a minute" for a duration in seconds."""
        minutes = max(1, math.ceil(seconds / 60))
        return self.phrases.say("minutes", variant=0 if minutes > 1 else 1, minutes=minutes)

    def side(self, stretch_sides: str, side_index: int) -> str | None:
        return self.phrases.say(SIDE_KEYS[side_index]) if stretch_sides == "left_right" else None

    # -- routine replies --------------------------------------------------------------

    def routine_intro(self, routine_name: str, stretch_count: int, seconds: float, with_help: bool) -> Speech:
        key = "routine_intro" if stretch_count > 1 else "routine_intro_one"
        speech = Speech().say(self.phrases.say(key, routine=routine_name, count=stretch_count, length=self.length(seconds)))
        if with_help:
            speech.say(self.phrases.say("navigation_help"))
        return speech

    def play(self, play: Play, routine_name: str, prefix: Speech | None = None) -> Reply:
        """One block: instructions when a stretch starts, then its holds, then what comes next."""
        p = self.phrases
        stretch, block, item = play.stretch, play.block, play.item
        speech = Speech(list(prefix.parts) if prefix else [])
        if play.at_start:
            speech.say(p.say("first_already"))
        side = self.side(stretch.sides, block.side_index)
        if block.is_item_start:
            speech.say(p.say("stretch_heading", number=play.item_number, total=play.item_total, name=stretch.name))
            speech.say(stretch.position, *stretch.steps)
            if side:
                speech.say(p.say("start_side", side=side))
            speech.say(p.say("get_ready"))
            speech.add(Pause(GET_READY_SECONDS * 1000))
            speech.say(stretch.cue)
        elif block.first_rep == 0 and side:
            speech.say(p.say("other_side", side=side))
            speech.add(Pause(BETWEEN_SIDES_MS))
        elif side:
            speech.say(p.say("same_stretch_again", name=stretch.name, side=side))
        else:
            speech.say(p.say("same_stretch_again_no_side", name=stretch.name))

        if stretch.kind == "count":
            speech.add(counted_set(item.reps, item.hold, p))
        else:
            for rep in range(block.first_rep, block.first_rep + block.rep_count):
                if rep > block.first_rep:
                    relax = p.say("relax_between_reps")
                    speech.say(relax)
                    speech.add(Pause(int((REST_BETWEEN_REPS_SECONDS - speaking_seconds(relax)) * 1000)))
                    speech.say(p.say("again"))
                if item.reps > 1:
                    speech.say(p.say("rep_of", rep=rep + 1, total=item.reps))
                speech.add(hold_countdown(item.hold, p))

        speech.say(self._next_question(play))
        return Reply(speech, Speech().say(p.say("reprompt_play")))

    def _next_question(self, play: Play) -> str:
        p = self.phrases
        upcoming = play.upcoming
        if upcoming is None or play.upcoming_stretch is None:
            return p.say("ask_finish")
        if upcoming.item_index != play.block.item_index:
            return p.say("ask_next_stretch", name=play.upcoming_stretch.name)
        if upcoming.side_index != play.block.side_index:
            return p.say("ask_next_side")
        return p.say("ask_next_set")

    def paused(self, paused: Paused) -> Reply:
        p = self.phrases
        return Reply(
            Speech().say(p.say("paused", name=paused.stretch.name)),
            Speech().say(p.say("paused_reprompt")),
        )

    def finished(self, finished: Finished, routine_name: str) -> Reply:
        p = self.phrases
        speech = Speech().say(
            p.say("finished", routine=routine_name, done=finished.stretches_done, length=self.length(finished.minutes * 60))
        )
        if finished.stretches_skipped:
            pronoun = p.say("finished_skipped_it" if finished.stretches_skipped == 1 else "finished_skipped_them")
            speech.say(p.say("finished_skipped", skipped=finished.stretches_skipped, it_or_them=pronoun))
        speech.say(p.say("goodbye_finished"))
        return Reply(speech, None, end_session=True)

    def progress(self, progress: Progress) -> Reply:
        p = self.phrases
        if progress.stretches_left == 0:
            text = p.say("progress_last")
        elif progress.stretches_left == 1:
            text = p.say("progress_one", length=self.length(progress.seconds_left))
        else:
            text = p.say("progress", count=progress.stretches_left, length=self.length(progress.seconds_left))
        return Reply(Speech().say(text, p.say("progress_ask")), Speech().say(p.say("reprompt_play")))
