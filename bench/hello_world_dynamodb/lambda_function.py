"""The hello world with ask-sdk's DynamoDbAdapter, as its docs write it: it reads the user's
persistent attributes on launch (one GetItem), like our skill reads the user's profile.

BENCH_DYNAMODB_ENDPOINT points the resource at DynamoDB Local; on AWS it would be left out.
"""

import os

import boto3
from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.skill_builder import CustomSkillBuilder
from ask_sdk_core.utils import is_request_type
from ask_sdk_dynamodb.adapter import DynamoDbAdapter

adapter = DynamoDbAdapter(
    table_name=os.environ["BENCH_TABLE"],
    create_table=False,
    dynamodb_resource=boto3.resource("dynamodb", endpoint_url=os.environ.get("BENCH_DYNAMODB_ENDPOINT")),
)
sb = CustomSkillBuilder(persistence_adapter=adapter)


class LaunchRequestHandler(AbstractRequestHandler):
    def can_handle(self, handler_input):
        return is_request_type("LaunchRequest")(handler_input)

    def handle(self, handler_input):
        visits = handler_input.attributes_manager.persistent_attributes.get("visits", 0)
        speech = f"Welcome back, visit {visits}. You can say Hello or Help."
        return handler_input.response_builder.speak(speech).ask(speech).response


sb.add_request_handler(LaunchRequestHandler())
lambda_handler = sb.lambda_handler()
