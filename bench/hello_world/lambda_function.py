"""The ask-sdk-core hello world, as the SDK's docs write it: the baseline for cold start and size."""

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.skill_builder import SkillBuilder
from ask_sdk_core.utils import is_request_type

sb = SkillBuilder()


class LaunchRequestHandler(AbstractRequestHandler):
    def can_handle(self, handler_input):
        return is_request_type("LaunchRequest")(handler_input)

    def handle(self, handler_input):
        speech = "Welcome, you can say Hello or Help. Which would you like to try?"
        return handler_input.response_builder.speak(speech).ask(speech).response


sb.add_request_handler(LaunchRequestHandler())
lambda_handler = sb.lambda_handler()
