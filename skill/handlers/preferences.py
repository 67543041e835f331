"""Settings by voice: preferred routine, hold time, repetitions, level, the user's own routine,
their history, and deleting it all. Each change is confirmed in one spoken sentence."""

from __future__ import annotations

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import get_intent_name, is_intent_name, is_request_type
from ask_sdk_model import Response

from skill.engine import build_plan
from skill.flows import checkin, questions, settings
from skill.flows.describe import not_understood
from skill.flows.routines import routine_items, users_routine
from skill.flows.start import offer_routines
from skill.flows.turn import Turn
from skill.handlers.responder import respond, turn_of
from skill.handlers.slots import resolve, slot_text
from skill.profile import FEELINGS, LEGS, MAX_OWN_ROUTINE, WARM_UP_CHOICES, Profile
from skill.spoken_numbers import duration_seconds, whole_number


def _reply(handler_input: HandlerInput, turn: Turn, *texts: str, changed: bool = False) -> Response:
    """Say ``texts`` and keep listening; mid-routine, the routine waits (and a change applies next time)."""
    return respond(handler_input, settings.confirm(turn, *texts, changed=changed))


def _save(turn: Turn, profile: Profile, *fields: str) -> None:
    """Keep the change; the responder stores it before the confirmation is said."""
    turn.user.change(profile, set(fields))


def routine_description(turn: Turn, routine_id: str) -> tuple[str, list[str], float]:
    """Name, stretch names and length of a routine as the user would get it."""
    catalogue, profile = turn.deps.catalogue, turn.user.profile
    plan = build_plan(routine_items(turn, routine_id), catalogue, profile.settings())
    timeline = turn.deps.timeline(plan, profile.familiar())
    return turn.routine_name(routine_id), [catalogue.stretch(i.stretch_id).name for i in plan], timeline.seconds()


class SetPreferredRoutineHandler(AbstractRequestHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("SetPreferredRoutineIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        turn = turn_of(handler_input)
        slot = resolve(handler_input, "routine", turn.deps.catalogue.routines)
        if slot.resolved_id is None:
            if slot.empty:
                return respond(handler_input, offer_routines(turn))
            return respond(handler_input, offer_routines(turn, "routine_unknown", heard=slot.heard))
        profile = turn.user.profile.with_(preferred_routine=slot.resolved_id)
        _save(turn, profile, "preferred_routine")
        name = turn.deps.catalogue.routine(slot.resolved_id).name
        texts = [turn.say("preferred_set", routine=name)]
        if profile.own_routine:
            texts.append(turn.say("own_routine_still_first"))
        return _reply(handler_input, turn, *texts, changed=True)


class SetHoldTimeHandler(AbstractRequestHandler):
    """ "hold each stretch for thirty seconds"; without a number, or out of range, it asks for one."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("SetHoldTimeIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        said = slot_text(handler_input, "seconds") or slot_text(handler_input, "duration")
        seconds = whole_number(slot_text(handler_input, "seconds"))
        if seconds is None:
            seconds = duration_seconds(slot_text(handler_input, "duration"))
        return respond(handler_input, settings.set_number(turn_of(handler_input), "hold_seconds", seconds, heard=bool(said)))


class SetRepsHandler(AbstractRequestHandler):
    """ "do five reps"; without a number, or out of range, it asks for one."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("SetRepsIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        said = slot_text(handler_input, "reps")
        return respond(handler_input, settings.set_number(turn_of(handler_input), "reps", whole_number(said), heard=bool(said)))


# Relative changes: intent -> (the setting, the slot with the amount).
RELATIVE = {"ChangeHoldIntent": ("hold_seconds", "seconds"), "ChangeRepsIntent": ("reps", "reps")}


class ChangeSettingHandler(AbstractRequestHandler):
    """ "longer holds", "add ten seconds", "take off five seconds", "more reps", "two fewer repetitions"."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return any(is_intent_name(name)(handler_input) for name in RELATIVE)

    def handle(self, handler_input: HandlerInput) -> Response:
        turn = turn_of(handler_input)
        field, amount_slot = RELATIVE[str(get_intent_name(handler_input))]
        change = resolve(handler_input, "change", {"more", "less"})
        if change.resolved_id is None:
            return respond(handler_input, settings.set_number(turn, field, None))
        by = whole_number(slot_text(handler_input, amount_slot))
        return respond(handler_input, settings.adjust(turn, field, change.resolved_id == "more", by))


class NumberHandler(AbstractRequestHandler):
    """A bare number: the answer to "how many seconds?" or "how many repetitions?"."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("NumberIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        number = whole_number(slot_text(handler_input, "number"))
        return respond(handler_input, settings.answer_number(turn_of(handler_input), number))


class PaceHandler(AbstractRequestHandler):
    """ "slower", "you're going too fast", "speed up"; words that are no pace are not understood."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("PaceIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        turn = turn_of(handler_input)
        pace = resolve(handler_input, "pace", {"slower", "faster"})
        if pace.resolved_id is None:
            return respond(handler_input, not_understood(turn))
        return respond(handler_input, settings.pace(turn, pace.resolved_id == "slower"))


class SetLevelHandler(AbstractRequestHandler):
    """Beginner means 10-second holds; either level drops an explicit hold time so the level decides (and says so)."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("SetLevelIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        turn = turn_of(handler_input)
        phrases = turn.phrases
        slot = resolve(handler_input, "level", {"beginner", "standard"})
        if slot.resolved_id is None:
            return _reply(handler_input, turn, phrases.say("level_unknown"))
        return respond(handler_input, settings.set_level(turn, slot.resolved_id))


class MyRoutineHandler(AbstractRequestHandler):
    """"what is my routine": name, stretches, hold, reps, length."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("MyRoutineIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        turn = turn_of(handler_input)
        phrases, profile = turn.phrases, turn.user.profile
        name, stretches, seconds = routine_description(turn, users_routine(turn))
        settings = profile.settings()
        hold = phrases.say("my_hold", seconds=settings.hold_seconds) if settings.hold_seconds else phrases.say("my_hold_default")
        reps = phrases.say("my_reps", reps=settings.reps) if settings.reps else phrases.say("my_reps_default")
        return _reply(
            handler_input,
            turn,
            phrases.say("my_routine", routine=name, stretches=phrases.join(stretches)),
            hold,
            reps,
            phrases.say("my_length", length=turn.composer.length(seconds)),
        )


def _own_routine_or_seed(turn: Turn) -> list[str]:
    """The user's own routine; the first edit starts from the routine they get today."""
    profile = turn.user.profile
    if profile.own_routine:
        return list(profile.own_routine)
    routine = turn.deps.catalogue.routine(users_routine(turn))
    return [item.stretch_id for item in routine.items]


def _stretch_slot(handler_input: HandlerInput, turn: Turn) -> tuple[str | None, Response | None]:
    slot = resolve(handler_input, "stretch", turn.deps.catalogue.stretches)
    if slot.resolved_id is not None:
        return slot.resolved_id, None
    key = "stretch_missing" if slot.empty else "stretch_unknown"
    return None, _reply(handler_input, turn, turn.say(key, heard=slot.heard))


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

    def confirmation(self, turn: Turn, own: list[str], name: str) -> str:
        raise NotImplementedError

    def handle(self, handler_input: HandlerInput) -> Response:
        turn = turn_of(handler_input)
        stretch_id, problem = _stretch_slot(handler_input, turn)
        if stretch_id is None:
            assert problem is not None
            return problem
        name = turn.deps.catalogue.stretch(stretch_id).name
        own = _own_routine_or_seed(turn)
        refusal = self.refusal(own, stretch_id)
        if refusal:
            return _reply(handler_input, turn, turn.say(refusal, name=name, max=MAX_OWN_ROUTINE))
        own = self.edit(own, stretch_id)
        _save(turn, turn.user.profile.with_(own_routine=tuple(own)), "own_routine")
        return _reply(handler_input, turn, self.confirmation(turn, own, name), changed=True)


class AddStretchHandler(_OwnRoutineEdit):
    intent = "AddStretchIntent"

    def refusal(self, own: list[str], stretch_id: str) -> str | None:
        if stretch_id in own:
            return "already_in"
        return "routine_full" if len(own) >= MAX_OWN_ROUTINE else None

    def edit(self, own: list[str], stretch_id: str) -> list[str]:
        return own + [stretch_id]

    def confirmation(self, turn: Turn, own: list[str], name: str) -> str:
        return turn.say("added", name=name, count=len(own))


class RemoveStretchHandler(_OwnRoutineEdit):
    intent = "RemoveStretchIntent"

    def refusal(self, own: list[str], stretch_id: str) -> str | None:
        return None if stretch_id in own else "not_in_routine"

    def edit(self, own: list[str], stretch_id: str) -> list[str]:
        return [s for s in own if s != stretch_id]

    def confirmation(self, turn: Turn, own: list[str], name: str) -> str:
        if own:
            return turn.say("removed", name=name, count=len(own))
        return turn.say("removed_last", name=name, routine=turn.routine_name(users_routine(turn)))


class ClearRoutineHandler(AbstractRequestHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("ClearRoutineIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        turn = turn_of(handler_input)
        _save(turn, turn.user.profile.with_(own_routine=()), "own_routine")
        fallback = turn.routine_name(users_routine(turn))
        return _reply(handler_input, turn, turn.say("cleared", routine=fallback), changed=True)


class ProgressStatsHandler(AbstractRequestHandler):
    """ "how am I doing": days in a row, sessions and minutes this week, how the back has felt."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("ProgressStatsIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        turn = turn_of(handler_input)
        return respond(handler_input, settings.confirm(turn, *checkin.stats(turn)))


class FeelingHandler(AbstractRequestHandler):
    """ "better", "about the same", "my back feels worse": the check-in after a routine, or any time."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("FeelingIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        turn = turn_of(handler_input)
        slot = resolve(handler_input, "feeling", set(FEELINGS))
        if slot.resolved_id is None:
            return respond(handler_input, checkin.ask_feeling_again(turn))
        return respond(handler_input, checkin.feeling(turn, slot.resolved_id))


class SoreLegHandler(AbstractRequestHandler):
    """ "my left leg", "the right one", "both legs": the side a sciatica nerve glide is done on."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("SoreLegIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        turn = turn_of(handler_input)
        slot = resolve(handler_input, "leg", set(LEGS))
        if slot.resolved_id is None:
            return respond(handler_input, settings.ask_which_leg(turn))
        return respond(handler_input, settings.set_sore_leg(turn, slot.resolved_id))


class OtherLegHandler(AbstractRequestHandler):
    """ "my other leg hurts": swap the sore side."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("OtherLegIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        return respond(handler_input, settings.other_leg(turn_of(handler_input)))


class WarmUpChoiceHandler(AbstractRequestHandler):
    """ "always warm up" / "skip the warm-up"."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("WarmUpChoiceIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        turn = turn_of(handler_input)
        slot = resolve(handler_input, "choice", set(WARM_UP_CHOICES))
        if slot.resolved_id is None:
            return _reply(handler_input, turn, turn.say("warm_up_unknown"))
        return respond(handler_input, settings.set_warm_up(turn, slot.resolved_id))


class DeleteDataHandler(AbstractRequestHandler):
    """ "delete my data": ask first; the answer is in ``skill.flows.questions``."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("DeleteDataIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        return respond(handler_input, questions.ask_delete(turn_of(handler_input)))


class SkillDisabledHandler(AbstractRequestHandler):
    """The user disabled the skill. NOT_PERSISTED means they will come back as a new user: delete.

    Skill events carry no session, so this works from the request alone.
    """

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_request_type("AlexaSkillEvent.SkillDisabled")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        body = getattr(handler_input.request_envelope.request, "body", None) or {}
        if body.get("userInformationPersistenceStatus") == "NOT_PERSISTED":
            turn_of(handler_input).user.delete()
        return handler_input.response_builder.response
