"""Handlers for the shape of a conversation: launch, help, yes/no, stop, fallback, session end."""

from __future__ import annotations

import logging

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import get_intent_name, get_request_type, is_intent_name, is_request_type
from ask_sdk_model import Response

from skill.handlers.context import Conversation
from skill.handlers.progress import end_session, saved_routine
from skill.handlers.preferences import delete_confirmed
from skill.handlers.routine import OPERATIONS, offer_routines, say_step, users_routine
from skill.speech import Speech

logger = logging.getLogger(__name__)


class LaunchHandler(AbstractRequestHandler):
    """Welcome; offer to carry on an interrupted routine, else say how to start one."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_request_type("LaunchRequest")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        conversation = Conversation.of(handler_input)
        phrases = conversation.phrases
        saved = saved_routine(conversation)
        if saved is not None:
            conversation.state = saved.with_(status="paused")
            conversation.pending = "continue_saved"
            stretch = conversation.engine.current_stretch(saved)
            speech = Speech().say(
                phrases.say("welcome_back"),
                phrases.say("offer_continue", routine=conversation.routine_name(saved), stretch=stretch.name),
            )
            return conversation.ask(handler_input, speech, "offer_continue_reprompt")
        profile = conversation.user.profile
        if profile.own_routine or profile.preferred_routine:
            name = conversation.name_of(users_routine(conversation))
            speech = Speech().say(phrases.say("welcome_back"), phrases.say("offer_users_routine", routine=name))
            return conversation.ask(handler_input, speech, "offer_routines_reprompt")
        speech = Speech().say(phrases.say("welcome"))
        if not profile.disclaimer_given:
            speech.say(phrases.say("disclaimer"))
            conversation.user.change(profile.with_(disclaimer_given=True), {"disclaimer_given"})
        speech.say(phrases.say("offer_routines"))
        return conversation.ask(handler_input, speech, "offer_routines_reprompt")


class YesHandler(AbstractRequestHandler):
    """Yes answers the pending question; during a routine with nothing asked it means "next"."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("AMAZON.YesIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        conversation = Conversation.of(handler_input)
        engine, state, now = conversation.engine, conversation.state, conversation.now()
        if conversation.pending == "delete_data":
            return delete_confirmed(handler_input, conversation)
        if state is None:
            return offer_routines(handler_input, conversation)
        if conversation.pending == "continue_saved":
            return say_step(handler_input, conversation, engine.resume(state, now))
        if conversation.pending == "skip_after_pain":
            return say_step(handler_input, conversation, engine.skip(state, now))
        return say_step(handler_input, conversation, OPERATIONS["AMAZON.NextIntent"](engine, state, now))


class NoHandler(AbstractRequestHandler):
    """No declines the pending question; during a routine with nothing asked it means "not yet"."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("AMAZON.NoIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        conversation = Conversation.of(handler_input)
        phrases = conversation.phrases
        pending, state = conversation.pending, conversation.state
        conversation.pending = None
        if pending == "continue_saved":
            conversation.state = None
            return offer_routines(handler_input, conversation, "continue_declined")
        if pending == "delete_data":
            return conversation.ask(handler_input, Speech().say(phrases.say("delete_kept")), "help_reprompt")
        if pending == "skip_after_pain" or state is None:
            end_session(conversation, state)
            conversation.state = None
            key = "pain_stop" if pending else "goodbye"
            return conversation.close(handler_input, Speech().say(phrases.say(key)))
        return say_step(handler_input, conversation, conversation.engine.pause(state, conversation.now()))


class HelpHandler(AbstractRequestHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name("AMAZON.HelpIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        conversation = Conversation.of(handler_input)
        phrases = conversation.phrases
        if conversation.state is not None:
            stretch = conversation.engine.current_stretch(conversation.state)
            return conversation.ask(handler_input, Speech().say(phrases.say("help_active", name=stretch.name)), "reprompt_play")
        return conversation.ask(handler_input, Speech().say(phrases.say("help_idle")), "offer_routines_reprompt")


class StopHandler(AbstractRequestHandler):
    """Stop, cancel and "go home": end the session, keeping the place in an unfinished routine."""

    INTENTS = ("AMAZON.StopIntent", "AMAZON.CancelIntent", "AMAZON.NavigateHomeIntent")

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return any(is_intent_name(name)(handler_input) for name in self.INTENTS)

    def handle(self, handler_input: HandlerInput) -> Response:
        conversation = Conversation.of(handler_input)
        state = conversation.state
        saved = end_session(conversation, state)
        key = "goodbye_saved" if saved and state is not None and state.status != "finished" else "goodbye"
        conversation.state = None
        conversation.pending = None
        return conversation.close(handler_input, Speech().say(conversation.phrases.say(key)))


class FallbackHandler(AbstractRequestHandler):
    """AMAZON.FallbackIntent and any intent this skill does not know: keep the session and the routine."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_request_type("IntentRequest")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        conversation = Conversation.of(handler_input)
        phrases = conversation.phrases
        intent = str(get_intent_name(handler_input))
        if intent != "AMAZON.FallbackIntent":
            logger.warning("unhandled intent %s", intent)
        if conversation.state is not None:
            return conversation.ask(handler_input, Speech().say(phrases.say("fallback_active")), "reprompt_play")
        return conversation.ask(handler_input, Speech().say(phrases.say("fallback_idle")), "offer_routines_reprompt")


class SessionEndedHandler(AbstractRequestHandler):
    """The user left, said "exit", or stayed silent: keep their place. Alexa accepts no speech here."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_request_type("SessionEndedRequest")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        conversation = Conversation.of(handler_input)
        request = handler_input.request_envelope.request
        logger.info("session ended: %s", getattr(request, "reason", None))
        end_session(conversation, conversation.state)
        conversation.state = None
        return handler_input.response_builder.response


class UnknownRequestHandler(AbstractRequestHandler):
    """Any other request type (display or system events): answer with an empty response."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return True

    def handle(self, handler_input: HandlerInput) -> Response:
        logger.info("ignoring request type %s", get_request_type(handler_input))
        return handler_input.response_builder.response
