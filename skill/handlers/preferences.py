"""Settings by voice: preferred routine, hold time, repetitions, level, the user's own routine,
their history, and deleting it all. Each change is confirmed in one spoken sentence."""

from __future__ import annotations

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_intent_name, is_request_type
from ask_sdk_model import Response

from skill.catalogue import RoutineItem
from skill.engine import build_plan, plan_seconds
from skill.handlers.context import Conversation
from skill.handlers.routine import OWN_ROUTINE, offer_routines, users_routine
from skill.handlers.slots import resolve, slot_text
from skill.profile import HOLD_RANGE, MAX_OWN_ROUTINE, REPS_RANGE, Profile
from skill.speech import Speech
from skill.spoken_numbers import duration_seconds, whole_number

def _reply(handler_input: HandlerInput, conversation: Conversation, *texts: str, changed: bool = False) -> Response:
    """Say ``texts`` and keep listening; mid-routine, point back to it (and say when a change applies)."""
    phrases = conversation.phrases
    speech = Speech().say(*texts)
    if conversation.state is not None:
        if changed:
            speech.say(phrases.say("setting_applies_next"))
        speech.say(phrases.say("carry_on"))
    return conversation.ask(handler_input, speech, "reprompt_play" if conversation.state else "help_reprompt")


def _save(conversation: Conversation, profile: Profile, *fields: str) -> None:
    conversation.user.change(profile, set(fields), write_now=True)


def routine_description(conversation: Conversation, routine_id: str) -> tuple[str, list[str], float]:
    """Name, stretch names and estimated seconds of a routine as the user would get it."""
    catalogue, profile = conversation.catalogue, conversation.user.profile
    if routine_id == OWN_ROUTINE:
        items = tuple(RoutineItem(s) for s in profile.own_routine)
    else:
        items = catalogue.routine(routine_id).items
    plan = build_plan(items, catalogue, profile.settings())
    return conversation.name_of(routine_id), [catalogue.stretch(i.stretch_id).name for i in plan], plan_seconds(plan, catalogue)


class SetPreferredRoutineHandler(AbstractRequestHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("SetPreferredRoutineIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        conversation = Conversation.of(handler_input)
        slot = resolve(handler_input, "routine", conversation.catalogue.routines)
        if slot.resolved_id is None:
            if slot.empty:
                return offer_routines(handler_input, conversation)
            return offer_routines(handler_input, conversation, "routine_unknown", heard=slot.heard)
        profile = conversation.user.profile.with_(preferred_routine=slot.resolved_id)
        _save(conversation, profile, "preferred_routine")
        name = conversation.catalogue.routine(slot.resolved_id).name
        texts = [conversation.phrases.say("preferred_set", routine=name)]
        if profile.own_routine:
            texts.append(conversation.phrases.say("own_routine_still_first"))
        return _reply(handler_input, conversation, *texts, changed=True)


class SetHoldTimeHandler(AbstractRequestHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("SetHoldTimeIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        conversation = Conversation.of(handler_input)
        phrases = conversation.phrases
        seconds = whole_number(slot_text(handler_input, "seconds"))
        if seconds is None:
            seconds = duration_seconds(slot_text(handler_input, "duration"))
        low, high = HOLD_RANGE
        if seconds is None:
            return _reply(handler_input, conversation, phrases.say("hold_not_understood", low=low, high=high))
        if not low <= seconds <= high:
            return _reply(handler_input, conversation, phrases.say("hold_out_of_range", low=low, high=high))
        _save(conversation, conversation.user.profile.with_(hold_seconds=seconds), "hold_seconds")
        return _reply(handler_input, conversation, phrases.say("hold_set", seconds=seconds), changed=True)


class SetRepsHandler(AbstractRequestHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("SetRepsIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        conversation = Conversation.of(handler_input)
        phrases = conversation.phrases
        reps = whole_number(slot_text(handler_input, "reps"))
        low, high = REPS_RANGE
        if reps is None:
            return _reply(handler_input, conversation, phrases.say("reps_not_understood", low=low, high=high))
        if not low <= reps <= high:
            return _reply(handler_input, conversation, phrases.say("reps_out_of_range", low=low, high=high))
        _save(conversation, conversation.user.profile.with_(reps=reps), "reps")
        return _reply(handler_input, conversation, phrases.say("reps_set" if reps > 1 else "reps_set_one", reps=reps), changed=True)


class SetLevelHandler(AbstractRequestHandler):
    """Beginner means 10-second holds; either level drops an explicit hold time so the level decides."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("SetLevelIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        conversation = Conversation.of(handler_input)
        phrases = conversation.phrases
        slot = resolve(handler_input, "level", {"beginner", "standard"})
        if slot.resolved_id is None:
            return _reply(handler_input, conversation, phrases.say("level_unknown"))
        profile = conversation.user.profile.with_(level=slot.resolved_id, hold_seconds=None)
        _save(conversation, profile, "level", "hold_seconds")
        return _reply(handler_input, conversation, phrases.say(f"level_{slot.resolved_id}"), changed=True)


class MyRoutineHandler(AbstractRequestHandler):
    """"what is my routine": name, stretches, hold, reps, length."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("MyRoutineIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        conversation = Conversation.of(handler_input)
        phrases, profile = conversation.phrases, conversation.user.profile
        name, stretches, seconds = routine_description(conversation, users_routine(conversation))
        settings = profile.settings()
        hold = phrases.say("my_hold", seconds=settings.hold_seconds) if settings.hold_seconds else phrases.say("my_hold_default")
        reps = phrases.say("my_reps", reps=settings.reps) if settings.reps else phrases.say("my_reps_default")
        return _reply(
            handler_input,
            conversation,
            phrases.say("my_routine", routine=name, stretches=phrases.join(stretches)),
            hold,
            reps,
            phrases.say("my_length", length=conversation.composer.length(seconds)),
        )


def _own_routine_or_seed(conversation: Conversation) -> list[str]:
    """The user's own routine; the first edit starts from the routine they get today."""
    profile = conversation.user.profile
    if profile.own_routine:
        return list(profile.own_routine)
    routine = conversation.catalogue.routine(users_routine(conversation))
    return [item.stretch_id for item in routine.items]


def _stretch_slot(handler_input: HandlerInput, conversation: Conversation) -> tuple[str | None, Response | None]:
    slot = resolve(handler_input, "stretch", conversation.catalogue.stretches)
    if slot.resolved_id is not None:
        return slot.resolved_id, None
    key = "stretch_missing" if slot.empty else "stretch_unknown"
    return None, _reply(handler_input, conversation, conversation.phrases.say(key, heard=slot.heard))


class _OwnRoutineEdit(AbstractRequestHandler):
    """Add or remove one stretch in the user's own routine: check, change, save, confirm."""

    intent: str

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name(self.intent)(handler_input)

    def refusal(self, own: list[str], stretch_id: str) -> str | None:
        """The phrase key that explains why this edit cannot be made, or None."""
        raise NotImplementedError

    def edit(self, own: list[str], stretch_id: str) -> list[str]:
        raise NotImplementedError

    def confirmation(self, conversation: Conversation, own: list[str], name: str) -> str:
        raise NotImplementedError

    def handle(self, handler_input: HandlerInput) -> Response:
        conversation = Conversation.of(handler_input)
        stretch_id, problem = _stretch_slot(handler_input, conversation)
        if stretch_id is None:
            assert problem is not None
            return problem
        name = conversation.catalogue.stretch(stretch_id).name
        own = _own_routine_or_seed(conversation)
        refusal = self.refusal(own, stretch_id)
        if refusal:
            return _reply(handler_input, conversation, conversation.phrases.say(refusal, name=name, max=MAX_OWN_ROUTINE))
        own = self.edit(own, stretch_id)
        _save(conversation, conversation.user.profile.with_(own_routine=tuple(own)), "own_routine")
        return _reply(handler_input, conversation, self.confirmation(conversation, own, name), changed=True)


class AddStretchHandler(_OwnRoutineEdit):
    intent = "AddStretchIntent"

    def refusal(self, own: list[str], stretch_id: str) -> str | None:
        if stretch_id in own:
            return "already_in"
        return "routine_full" if len(own) >= MAX_OWN_ROUTINE else None

    def edit(self, own: list[str], stretch_id: str) -> list[str]:
        return own + [stretch_id]

    def confirmation(self, conversation: Conversation, own: list[str], name: str) -> str:
        return conversation.phrases.say("added", name=name, count=len(own))


class RemoveStretchHandler(_OwnRoutineEdit):
    intent = "RemoveStretchIntent"

    def refusal(self, own: list[str], stretch_id: str) -> str | None:
        return None if stretch_id in own else "not_in_routine"

    def edit(self, own: list[str], stretch_id: str) -> list[str]:
        return [s for s in own if s != stretch_id]

    def confirmation(self, conversation: Conversation, own: list[str], name: str) -> str:
        if own:
            return conversation.phrases.say("removed", name=name, count=len(own))
        return conversation.phrases.say("removed_last", name=name, routine=conversation.name_of(users_routine(conversation)))


class ClearRoutineHandler(AbstractRequestHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("ClearRoutineIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        conversation = Conversation.of(handler_input)
        _save(conversation, conversation.user.profile.with_(own_routine=()), "own_routine")
        fallback = conversation.name_of(users_routine(conversation))
        return _reply(handler_input, conversation, conversation.phrases.say("cleared", routine=fallback), changed=True)


class ProgressStatsHandler(AbstractRequestHandler):
    """"how am I doing": days in a row and sessions this week."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("ProgressStatsIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        conversation = Conversation.of(handler_input)
        phrases, profile = conversation.phrases, conversation.user.profile
        today = conversation.user.today(conversation.now())
        streak, week = profile.streak(today), profile.sessions_this_week(today)
        if week == 0:
            return _reply(handler_input, conversation, phrases.say("stats_none"))
        streak_text = phrases.say("stats_streak_one" if streak <= 1 else "stats_streak", days=streak)
        week_text = phrases.say("stats_week_one" if week == 1 else "stats_week", days=week)
        return _reply(handler_input, conversation, streak_text, week_text)


class DeleteDataHandler(AbstractRequestHandler):
    """"delete my data": ask first; YesHandler calls ``delete_confirmed``."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("DeleteDataIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        conversation = Conversation.of(handler_input)
        conversation.pending = "delete_data"
        return conversation.ask(handler_input, Speech().say(conversation.phrases.say("delete_confirm")), "delete_confirm_reprompt")


def delete_confirmed(handler_input: HandlerInput, conversation: Conversation) -> Response:
    conversation.pending = None
    conversation.state = None
    key = "deleted" if conversation.user.delete() else "delete_failed"
    phrases = conversation.phrases
    return conversation.ask(handler_input, Speech().say(phrases.say(key)), "help_reprompt")


class SkillDisabledHandler(AbstractRequestHandler):
    """The user disabled the skill. NOT_PERSISTED means they will come back as a new user: delete.

    Skill events carry no session, so this works from the request alone.
    """

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_request_type("AlexaSkillEvent.SkillDisabled")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        body = getattr(handler_input.request_envelope.request, "body", None) or {}
        if body.get("userInformationPersistenceStatus") == "NOT_PERSISTED":
            Conversation.of(handler_input).user.delete()
        return handler_input.response_builder.response
