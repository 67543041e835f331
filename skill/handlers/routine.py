"""Handlers that start and steer a routine. Each one asks the engine for a step and says it."""

from __future__ import annotations

from typing import Any, Callable

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import get_intent_name, is_intent_name
from ask_sdk_model import Response

from skill.catalogue import RoutineItem
from skill.engine import Finished, Paused, Play, Progress, RoutineEngine, RoutineState, Step, plan_seconds
from skill.handlers.context import Conversation
from skill.handlers.progress import end_session, keep_progress, saved_routine
from skill.handlers.slots import resolve
from skill.speech import Speech

DEFAULT_ROUTINE = "lower_back"
OWN_ROUTINE = "own"


def say_step(handler_input: HandlerInput, conversation: Conversation, step: Step, prefix: Speech | None = None) -> Response:
    """Keep the step's state and speak its outcome; store progress when the routine stops or ends."""
    conversation.state = step.state
    conversation.pending = None
    composer = conversation.composer
    outcome = step.outcome
    name = conversation.routine_name(step.state)
    if isinstance(outcome, Play):
        reply = composer.play(outcome, name, prefix=prefix)
    elif isinstance(outcome, Paused):
        keep_progress(conversation, step.state, write_now=True)
        reply = composer.paused(outcome)
    elif isinstance(outcome, Finished):
        conversation.state = None
        end_session(conversation, None)
        reply = composer.finished(outcome, name)
    else:
        assert isinstance(outcome, Progress)
        reply = composer.progress(outcome)
    if prefix is not None and not isinstance(outcome, Play):
        reply.speech = Speech(list(prefix.parts) + reply.speech.parts)
    return conversation.respond(handler_input, reply)


def start_routine(handler_input: HandlerInput, conversation: Conversation, routine_id: str) -> Response:
    """Start a catalogue routine, or the user's own (``OWN_ROUTINE``), with the user's settings."""
    user = conversation.user
    profile = user.profile
    now = conversation.now()
    if routine_id == OWN_ROUTINE:
        items = [RoutineItem(stretch_id) for stretch_id in profile.own_routine]
        step = conversation.engine.start_items(OWN_ROUTINE, items, profile.settings(), now)
    else:
        step = conversation.engine.start(routine_id, profile.settings(), now)
    prefix = intro_for(conversation, step.state)
    if not profile.disclaimer_given:
        prefix = Speech().say(conversation.phrases.say("disclaimer")).add(*prefix.parts)
    user.change(profile.record_session(user.today(now)).with_(disclaimer_given=True), {"session_dates", "disclaimer_given"})
    return say_step(handler_input, conversation, step, prefix=prefix)


def users_routine(conversation: Conversation) -> str:
    """What "start my back stretches" plays: their own routine, else their preferred one, else the default."""
    profile = conversation.user.profile
    if profile.own_routine:
        return OWN_ROUTINE
    return profile.preferred_routine or DEFAULT_ROUTINE


def intro_for(conversation: Conversation, state: RoutineState) -> Speech:
    """The routine's name, size and length; how to navigate the first time in a session."""
    intro = conversation.composer.routine_intro(
        conversation.routine_name(state),
        len(state.items),
        plan_seconds(state.items, conversation.catalogue),
        with_help=not conversation.intro_given,
    )
    conversation.intro_given = True
    return intro


def offer_routines(handler_input: HandlerInput, conversation: Conversation, *lead_keys: str, **values: Any) -> Response:
    """Say ``lead_keys`` then list the routines and ask which one."""
    phrases = conversation.phrases
    names = [r.name for r in conversation.catalogue.routines.values()]
    speech = Speech().say(*(phrases.say(k, **values) for k in lead_keys))
    speech.say(phrases.say("routine_list", count=len(names), names=phrases.join(names)), phrases.say("routine_list_question"))
    return conversation.ask(handler_input, speech, "offer_routines_reprompt")


class StartRoutineHandler(AbstractRequestHandler):
    """"start my morning back stretches", "let's do the lower back", "start my back stretches"."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("StartRoutineIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        conversation = Conversation.of(handler_input)
        slot = resolve(handler_input, "routine", conversation.catalogue.routines)
        if not slot.empty and slot.resolved_id is None:
            return offer_routines(handler_input, conversation, "routine_unknown", heard=slot.heard)
        return start_routine(handler_input, conversation, slot.resolved_id or users_routine(conversation))


class ListRoutinesHandler(AbstractRequestHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("ListRoutinesIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        return offer_routines(handler_input, Conversation.of(handler_input))


Operation = Callable[[RoutineEngine, RoutineState, int], Step]

OPERATIONS: dict[str, Operation] = {
    "AMAZON.NextIntent": RoutineEngine.next,
    "AMAZON.PreviousIntent": RoutineEngine.previous,
    "AMAZON.RepeatIntent": RoutineEngine.repeat,
    "AMAZON.StartOverIntent": RoutineEngine.start_over,
    "AMAZON.PauseIntent": RoutineEngine.pause,
    "AMAZON.ResumeIntent": RoutineEngine.resume,
    "SkipIntent": RoutineEngine.skip,
    "ProgressIntent": lambda engine, state, now: engine.progress(state),
}


class RoutineCommandHandler(AbstractRequestHandler):
    """Next, previous, repeat, start over, pause, resume, skip and "how many are left"."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return any(is_intent_name(name)(handler_input) for name in OPERATIONS)

    def handle(self, handler_input: HandlerInput) -> Response:
        conversation = Conversation.of(handler_input)
        intent = str(get_intent_name(handler_input))
        state = conversation.state
        prefix = None
        if state is None and intent in ("AMAZON.ResumeIntent", "AMAZON.NextIntent"):
            saved = saved_routine(conversation)
            if saved is not None:
                state = saved.with_(status="paused")
                prefix = Speech().say(conversation.phrases.say("continue_saved", routine=conversation.routine_name(state)))
                intent = "AMAZON.ResumeIntent"
        if state is None:
            if intent == "AMAZON.RepeatIntent" and conversation.last_reply:
                return replay_last(handler_input, conversation)
            return offer_routines(handler_input, conversation, "no_routine")
        step = OPERATIONS[intent](conversation.engine, state, conversation.now())
        return say_step(handler_input, conversation, step, prefix=prefix)


def replay_last(handler_input: HandlerInput, conversation: Conversation) -> Response:
    """Say the previous response again (outside a routine, "repeat" means exactly that)."""
    last = conversation.last_reply or {}
    builder = handler_input.response_builder.speak(last["ssml"])
    if last.get("reprompt"):
        builder.ask(last["reprompt"])
    builder.set_should_end_session(False)
    return builder.response


class StretchInfoHandler(AbstractRequestHandler):
    """"what does this stretch help with", "what is child's pose good for"."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("StretchInfoIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        conversation = Conversation.of(handler_input)
        phrases = conversation.phrases
        slot = resolve(handler_input, "stretch", conversation.catalogue.stretches)
        reprompt_key = "reprompt_play" if conversation.state else "offer_routines_reprompt"
        if not slot.empty and slot.resolved_id is None:
            return conversation.ask(handler_input, Speech().say(phrases.say("why_unknown_stretch", heard=slot.heard)), reprompt_key)
        if slot.resolved_id:
            stretch = conversation.catalogue.stretch(slot.resolved_id)
        elif conversation.state is not None:
            stretch = conversation.engine.current_stretch(conversation.state)
        else:
            return offer_routines(handler_input, conversation, "no_routine")
        speech = Speech().say(phrases.say("why", name=stretch.name, why=stretch.why))
        speech.say(phrases.say("why_ask" if conversation.state else "offer_routines_reprompt"))
        return conversation.ask(handler_input, speech, reprompt_key)


class PainHandler(AbstractRequestHandler):
    """"this hurts": stop the stretch, say not to push into pain, offer the next one."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("PainIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        conversation = Conversation.of(handler_input)
        phrases = conversation.phrases
        speech = Speech().say(phrases.say("pain"))
        state = conversation.state
        if state is None:
            speech.say(phrases.say("goodbye"))
            return conversation.close(handler_input, speech)
        step = conversation.engine.pause(state, conversation.now())
        if conversation.engine.stretches_left(state) == 0:
            speech.say(phrases.say("pain_offer_last"))
            finished = conversation.engine.skip(state, conversation.now())
            return say_step(handler_input, conversation, finished, prefix=speech)
        conversation.state = step.state
        keep_progress(conversation, step.state, write_now=True)
        conversation.pending = "skip_after_pain"
        speech.say(phrases.say("pain_offer_next"))
        return conversation.ask(handler_input, speech, "pain_offer_next_reprompt")
