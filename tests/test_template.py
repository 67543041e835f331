"""template.yaml: cfn-lint accepts it, and the SAM transform turns it into the resources we mean.

Nothing here reaches AWS: cfn-lint ships its resource specs, and the SAM translator runs locally.
"""

from __future__ import annotations

import copy
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "template.yaml"
SKILL_ID = "amzn1.ask.skill.12345678-90ab-cdef-1234-567890abcdef"


class NoManagedPolicies:
    """Stands in for samtranslator's ``ManagedPolicyLoader``, which asks IAM for the ARNs of managed
    policies named in ``Policies``. The template names none (only an inline statement), so the loader
    has nothing to look up; a failing IAM lookup is a fault this offline test cannot cause."""

    def load(self) -> dict[str, str]:
        return {}


@pytest.mark.parametrize("snapstart", ["Off", "On"])
def test_cfn_lint_passes(snapstart: str, tmp_path: Path) -> None:
    """With SnapStart off (the default) and on: the template as deployed with either value."""
    cfn_lint = Path(sys.executable).parent / "cfn-lint"
    assert cfn_lint.exists(), "cfn-lint is missing: pip install -e .[test]"
    text = TEMPLATE.read_text(encoding="utf-8")
    default = re.compile(r'(\n  SnapStart:\n(?:    .*\n)*?    Default: )"Off"')
    assert default.search(text), "the SnapStart parameter defaults to Off"
    template = tmp_path / "template.yaml"
    template.write_text(default.sub(rf'\g<1>"{snapstart}"', text), encoding="utf-8")
    result = subprocess.run(
        [str(cfn_lint), str(template)], cwd=ROOT, capture_output=True, text=True, timeout=300, env=os.environ.copy()
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_tests_run_on_the_runtimes_python(template: dict[str, Any]) -> None:
    """What ships is what is tested: the zip's bytecode and the venv are for the Python Lambda runs."""
    runtime = template["Resources"]["SkillFunction"]["Properties"]["Runtime"]
    assert runtime == f"python{sys.version_info.major}.{sys.version_info.minor}"


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    parsed: dict[str, Any] = yaml_parse(TEMPLATE.read_text(encoding="utf-8"))
    return parsed


def _transform(template: dict[str, Any], **parameters: str) -> dict[str, Any]:
    template = copy.deepcopy(template)
    # `sam deploy` uploads CodeUri (build/lambda) and hands the transform an S3 location; do the same.
    template["Resources"]["SkillFunction"]["Properties"]["CodeUri"] = "s3://artifacts/back-stretch-coach.zip"
    output: dict[str, Any] = transform(template, {"SkillId": SKILL_ID, "LogLevel": "INFO", **parameters}, NoManagedPolicies())
    return output


@pytest.fixture(scope="module")
def resources(template: dict[str, Any]) -> dict[str, Any]:
    translated: dict[str, Any] = _transform(template)["Resources"]
    return translated


def _resolve(value: Any, template: dict[str, Any], parameters: dict[str, str]) -> Any:
    """``value`` with the template's conditions decided for ``parameters`` (Fn::If, Fn::Equals, Ref of a parameter)."""
    if isinstance(value, list):
        return [_resolve(v, template, parameters) for v in value]
    if not isinstance(value, dict):
        return value
    if set(value) == {"Ref"} and value["Ref"] in template["Parameters"]:
        return parameters.get(value["Ref"], template["Parameters"][value["Ref"]].get("Default"))
    if set(value) == {"Fn::Equals"}:
        left, right = _resolve(value["Fn::Equals"], template, parameters)
        return left == right
    if set(value) == {"Fn::If"}:
        condition, then, otherwise = value["Fn::If"]
        chosen = _resolve(template["Conditions"][condition], template, parameters)
        return _resolve(then if chosen else otherwise, template, parameters)
    return {k: _resolve(v, template, parameters) for k, v in value.items()}


def _of_type(resources: dict[str, Any], kind: str) -> tuple[str, dict[str, Any]]:
    """The one resource of type ``kind``: (logical id, resource)."""
    found = {name: r for name, r in resources.items() if r["Type"] == kind}
    assert len(found) == 1, f"expected one {kind}, found {sorted(found)}"
    return next(iter(found.items()))


def test_function(resources: dict[str, Any]) -> None:
    _, function = _of_type(resources, "AWS::Lambda::Function")
    props = function["Properties"]
    assert props["Runtime"] == "python3.13"
    assert props["Architectures"] == ["arm64"]
    assert props["Handler"] == "lambda_function.lambda_handler"
    assert props["MemorySize"] == 512
    assert props["Timeout"] < 8  # Alexa waits about 8 s
    table_name, _ = _of_type(resources, "AWS::DynamoDB::Table")
    assert props["Environment"]["Variables"] == {
        "BACKSTRETCH_TABLE": {"Ref": table_name},
        "BACKSTRETCH_SKILL_ID": {"Ref": "SkillId"},
        "LOG_LEVEL": {"Ref": "LogLevel"},
        "BACKSTRETCH_LOG_SALT": {"Ref": "LogSalt"},
    }


def test_table(resources: dict[str, Any]) -> None:
    _, table = _of_type(resources, "AWS::DynamoDB::Table")
    assert table["DeletionPolicy"] == "Retain"
    assert table["UpdateReplacePolicy"] == "Retain"
    props = table["Properties"]
    assert props["KeySchema"] == [{"AttributeName": "id", "KeyType": "HASH"}]
    assert props["AttributeDefinitions"] == [{"AttributeName": "id", "AttributeType": "S"}]
    assert props["BillingMode"] == "PAY_PER_REQUEST"
    assert props["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert props["SSESpecification"] == {"SSEEnabled": True}


def test_only_this_skill_may_invoke(resources: dict[str, Any]) -> None:
    function_name, _ = _of_type(resources, "AWS::Lambda::Function")
    _, permission = _of_type(resources, "AWS::Lambda::Permission")
    props = permission["Properties"]
    assert props["Principal"] == "alexa-appkit.amazon.com"
    assert props["Action"] == "lambda:InvokeFunction"
    alias_name, alias = _of_type(resources, "AWS::Lambda::Alias")
    assert alias["Properties"]["FunctionName"] == {"Ref": function_name}
    assert props["FunctionName"] == {"Ref": alias_name}  # the alias Alexa calls, nothing else
    assert props["EventSourceToken"] in ({"Ref": "SkillId"}, SKILL_ID)


@pytest.mark.parametrize(("snapstart", "applied"), [(None, "None"), ("Off", "None"), ("On", "PublishedVersions")])
def test_snapstart_parameter(template: dict[str, Any], snapstart: str | None, applied: str) -> None:
    """SnapStart is off unless asked for; on, it applies to the published versions the alias points at."""
    parameters = {} if snapstart is None else {"SnapStart": snapstart}
    output = _transform(template, **parameters)
    translated = output["Resources"]
    _, function = _of_type(translated, "AWS::Lambda::Function")
    decided = _resolve(function["Properties"]["SnapStart"], output, parameters)
    assert decided == {"ApplyOn": applied}
    version_name, version = _of_type(translated, "AWS::Lambda::Version")
    _, alias = _of_type(translated, "AWS::Lambda::Alias")
    assert alias["Properties"]["FunctionVersion"] == {"Fn::GetAtt": [version_name, "Version"]}
    assert version["DeletionPolicy"] == "Delete"  # a replaced version (and its billed snapshot) goes


def test_policy_is_least_privilege(resources: dict[str, Any]) -> None:
    table_name, _ = _of_type(resources, "AWS::DynamoDB::Table")
    _, role = _of_type(resources, "AWS::IAM::Role")
    props = role["Properties"]
    # Logging only (CloudWatch Logs): the basic execution role SAM always attaches.
    assert props.get("ManagedPolicyArns", []) == ["arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"]
    statements = [s for policy in props["Policies"] for s in policy["PolicyDocument"]["Statement"]]
    assert len(statements) == 1
    (statement,) = statements
    assert statement["Effect"] == "Allow"
    assert sorted(statement["Action"]) == ["dynamodb:GetItem", "dynamodb:PutItem"]  # a deletion writes a tombstone
    assert statement["Resource"] == {"Fn::GetAtt": [table_name, "Arn"]}


def test_skill_id_parameter_pattern(template: dict[str, Any]) -> None:
    pattern = template["Parameters"]["SkillId"]["AllowedPattern"]
    assert re.fullmatch(pattern, SKILL_ID)
    for wrong in ("", "amzn1.ask.skill.", "amzn1.ask.account.12345678-90ab-cdef-1234-567890abcdef", f"{SKILL_ID} "):
        assert not re.fullmatch(pattern, wrong), wrong


def test_outputs(template: dict[str, Any]) -> None:
    outputs = template["Outputs"]
    assert outputs["FunctionArn"]["Value"] == {"Ref": "SkillFunction.Alias"}  # SAM's name for the alias `live`
    assert outputs["TableName"]["Value"] == {"Ref": "UserTable"}
