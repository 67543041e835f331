"""The production store: one DynamoDB item per user, written conditionally on a version.

Why not ask-sdk's ``DynamoDbAdapter`` as is: its saves are an unconditional
``put_item`` (last writer wins), and its module builds ``boto3.resource("dynamodb")``
as a default argument the moment it is imported (a region lookup, a credential
walk, and cold-start time). This store keeps the adapter's item shape (key
``id`` = userId, attributes under ``attributes``, so items an older adapter wrote
still read) and adds a ``version`` attribute with conditional writes. The botocore
client is built on first use, from configuration, with short timeouts and bounded
retries so a slow store cannot eat the user's ~8 s window.

Example:
    >>> store = DynamoDbStore("users", region="us-east-1", endpoint_url="http://127.0.0.1:8000")
    >>> store._client is None   # nothing is built until the first request (or ``prepare``)
    True
"""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import Any

from skill.persistence.versioned import (
    MAX_VERSION,
    Attributes,
    StoreUnavailable,
    StoreUnsure,
    VersionConflict,
    VersionedStore,
    clean_version,
)

logger = logging.getLogger(__name__)

CONNECT_TIMEOUT_SECONDS = 1.0
READ_TIMEOUT_SECONDS = 2.0
MAX_ATTEMPTS = 2  # in all, one retry: worst case stays well inside Alexa's ~8 s
# What ``prepare`` reads: no item has this key (Alexa user ids start "amzn1.ask.account."), so the read
# finds nothing and changes nothing; it still connects, signs and parses a real answer.
PREPARE_KEY = "backstretch.prepare"


class DynamoDbStore(VersionedStore):
    def __init__(self, table: str, region: str | None = None, endpoint_url: str | None = None, client: Any = None) -> None:
        self.table = table
        self.region = region
        self.endpoint_url = endpoint_url
        self._client = client

    @property
    def client(self) -> Any:
        if self._client is None:
            # botocore, not boto3: importing boto3 also imports s3transfer (~60 ms of cold start).
            from botocore.config import Config as BotoConfig
            from botocore.session import get_session

            self._client = get_session().create_client(
                "dynamodb",
                region_name=self.region,
                endpoint_url=self.endpoint_url,
                config=BotoConfig(
                    connect_timeout=CONNECT_TIMEOUT_SECONDS,
                    read_timeout=READ_TIMEOUT_SECONDS,
                    retries={"total_max_attempts": MAX_ATTEMPTS, "mode": "standard"},
                ),
            )
        return self._client

    def prepare(self) -> None:
        """A new client (session, credentials, connection pool) and one read with it.

        Creating a botocore client loads the service model and endpoint rules, and the first call
        resolves credentials and the endpoint and opens the connection: together most of a first
        request's cost. A failure here is only logged; the first request then tries again.
        """
        self._client = None
        try:
            self.read(PREPARE_KEY)
        except StoreUnavailable as error:
            logger.warning("store not ready at start: %s", error)

    def _call(self, operation: str, **kwargs: Any) -> dict[str, Any]:
        from botocore.exceptions import BotoCoreError, ClientError, ConnectionClosedError, ReadTimeoutError

        try:
            return getattr(self.client, operation)(TableName=self.table, **kwargs)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                raise VersionConflict(str(error)) from error
            raise StoreUnavailable(f"{operation}: {error}") from error
        except (ReadTimeoutError, ConnectionClosedError) as error:  # sent, unanswered: it may have been done
            raise StoreUnsure(f"{operation}: {error}") from error
        except BotoCoreError as error:  # connect timeouts, refused connections, no credentials
            raise StoreUnavailable(f"{operation}: {error}") from error

    def read(self, key: str) -> tuple[Attributes, int]:
        item = self._call("get_item", Key={"id": {"S": key}}, ConsistentRead=True).get("Item")
        if not item:
            return {}, 0
        # A bad version (not a number, negative, a fraction, absent) reads as one the next write can
        # condition on, and that write repairs it (see versioned.py and ``write``).
        version = _stored_version(item.get("version"))
        try:
            attributes = from_dynamodb(item["attributes"]) if "attributes" in item else {}
        except (TypeError, ValueError, ArithmeticError):
            attributes = None
        if not isinstance(attributes, dict):
            # Undecodable: report it (the profile resets and the user is told) and let the next write replace it.
            return {"_corrupt": str(item.get("attributes"))[:200]}, version
        return attributes, version

    def write(self, key: str, attributes: Attributes, expected_version: int) -> int:
        new_version = expected_version + 1
        item = {
            "id": {"S": key},
            "attributes": to_dynamodb(attributes),
            "version": {"N": str(new_version)},
        }
        if expected_version == 0:
            # Also matches an item an older adapter wrote without a version, or one whose version is bad.
            condition: dict[str, Any] = {
                "ConditionExpression": (
                    "attribute_not_exists(version) OR NOT attribute_type(version, :number) OR version <= :zero OR version > :max"
                ),
                "ExpressionAttributeValues": {":number": {"S": "N"}, ":zero": {"N": "0"}, ":max": {"N": str(MAX_VERSION)}},
            }
        else:
            # Exactly ``expected_version`` for the whole numbers this store writes; a fraction left by
            # corruption matches the next whole number above it, which ``read`` reported.
            condition = {
                "ConditionExpression": "version > :below AND version <= :expected",
                "ExpressionAttributeValues": {":below": {"N": str(expected_version - 1)}, ":expected": {"N": str(expected_version)}},
            }
        self._call("put_item", Item=item, **condition)
        return new_version


def to_dynamodb(value: Any) -> dict[str, Any]:
    """Marshal the profile's value types (str, int, bool, None, list, dict) to DynamoDB's JSON.

    boto3's TypeSerializer does this too, but importing boto3 costs cold-start time we don't need.
    Floats are refused, as boto3 refuses them: the profile stores integers only.
    """
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, (int, Decimal)):
        return {"N": str(value)}
    if isinstance(value, str):
        return {"S": value}
    if value is None:
        return {"NULL": True}
    if isinstance(value, (list, tuple)):
        return {"L": [to_dynamodb(v) for v in value]}
    if isinstance(value, dict):
        return {"M": {str(k): to_dynamodb(v) for k, v in value.items()}}
    raise TypeError(f"cannot store {type(value).__name__} in DynamoDB")


def from_dynamodb(value: dict[str, Any]) -> Any:
    """Unmarshal DynamoDB's JSON; whole numbers come back as int, others as Decimal."""
    (kind, data), = value.items()
    if kind == "N":
        number = Decimal(data)
        return int(number) if number == number.to_integral_value() else number
    if kind == "M":
        return {k: from_dynamodb(v) for k, v in data.items()}
    if kind == "L":
        return [from_dynamodb(v) for v in data]
    if kind == "NULL":
        return None
    if kind in ("S", "BOOL"):
        return data
    raise TypeError(f"unexpected DynamoDB type {kind}")


def _stored_version(value: Any) -> int:
    """The item's version as ``read`` reports it: 0 when absent or not a number (see ``clean_version``)."""
    if not isinstance(value, dict) or set(value) != {"N"}:
        return 0
    try:
        number = Decimal(value["N"])
    except (TypeError, ValueError, ArithmeticError):
        return 0
    return clean_version(number)
