"""Numbers keep their form: Pulumi hands every number over as a double (issue 11).

A parameter value given as 150 (or 150.0, as it arrives) reaches OpsRamp as "150"; a text
property given a number is an error on that property, never a silent "42.0".
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from opsramp_jobs.model import CustomScript, JobValidationError, ScriptParameter, parse_job
from tests.provider.grpc_provider import from_struct, to_struct

DEVICE = "709824de-8315-4cf9-ad1c-b15aaf7bf2a5"


def custom_job(value: Any) -> dict[str, Any]:
    return {
        "name": "n",
        "tenantId": "client_13",
        "entities": [{"resource": {"id": DEVICE, "type": "DEVICE"}}],
        "script": {
            "jobType": "custom",
            "customScript": {"id": 7},
            "parameters": [{"paramId": 2, "value": value}],
        },
        "schedule": {
            "startDate": "2026-12-01T02:30:00+0000",
            "pattern": {"type": "daily", "frequency": "everyday"},
        },
    }


def as_sent(body: dict[str, Any]) -> dict[str, Any]:
    """The body as the engine delivers it to the provider (every number a double)."""
    return from_struct(to_struct(body))


@pytest.mark.parametrize(
    ("value", "sent"),
    [
        (150, "150"),
        (150.0, "150"),
        (-3, "-3"),
        (1.5, "1.5"),
        (0.1, "0.1"),
        (0, "0"),
        ("150.0", "150.0"),  # a string is the user's own text: kept as written
        ("007", "007"),
    ],
)
def test_parameter_values_reach_opsramp_in_the_form_written(value: Any, sent: str) -> None:
    job = parse_job(as_sent(custom_job(value)))
    assert job.to_wire()["script"]["parameters"] == [{"paramId": "2", "value": sent}]
    assert job.canonical()["script"]["parameters"] == [{"paramId": 2, "value": sent}]
    assert CustomScript.of(7, {2: value}).parameters[0].value == sent
    assert ScriptParameter(param_id=2, value=value).value == sent


@pytest.mark.parametrize(
    ("value", "needle"),
    [(True, "in quotes"), (None, "string"), ([1], "string"), ({"a": 1}, "string")],
)
def test_parameter_values_that_are_not_text_or_numbers_are_errors(value: Any, needle: str) -> None:
    with pytest.raises(JobValidationError) as caught:
        parse_job(custom_job(value))
    assert [p for p, _ in caught.value.errors] == ["script.parameters[0].value"]
    assert needle in caught.value.errors[0][1]


def with_value(path: tuple[str | int, ...], value: Any, body: dict[str, Any]) -> dict[str, Any]:
    body = copy.deepcopy(body)
    target: Any = body
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return body


APP_INSTALL = {
    "jobType": "appinstall",
    "approvalType": {"approvalType": 1, "approvalReason": "why", "alertRequired": True},
}
# Every text property a number could be given to, and the path its error must name.
TEXT_PROPERTIES: list[tuple[tuple[str | int, ...], dict[str, Any] | None, str]] = [
    (("name",), None, "name"),
    (("tenantId",), None, "tenantId"),
    (
        ("script", "approvalType", "approvalReason"),
        APP_INSTALL,
        "script.approvalType.approvalReason",
    ),
    (
        ("script", "credentialSet"),
        None,
        "script.credentialSet.uniqueId",
    ),
    (("entities", 0, "resource", "id"), None, "entities[0].resource.id"),
    (("entities", 0, "resource", "type"), None, "entities[0].resource.type"),
    (("script", "jobType"), None, "script.jobType"),
    (("schedule", "startDate"), None, "schedule.startDate"),
    (("schedule", "pattern", "type"), None, "schedule.pattern.type"),
    (("schedule", "pattern", "frequency"), None, "schedule.pattern.frequency"),
]


@pytest.mark.parametrize("number", [42, 42.0])
@pytest.mark.parametrize(("path", "script", "where"), TEXT_PROPERTIES)
def test_a_number_for_a_text_property_is_an_error_on_that_property(
    number: float, path: tuple[str | int, ...], script: dict[str, Any] | None, where: str
) -> None:
    body = custom_job("x")
    if script is not None:
        body["script"] = script
    if path == ("script", "credentialSet"):
        body = with_value(path, {"uniqueId": number}, body)
    else:
        body = with_value(path, number, body)
    with pytest.raises(JobValidationError) as caught:
        parse_job(as_sent(body))
    assert [p for p, _ in caught.value.errors] == [where], caught.value.errors
    assert "42" in caught.value.errors[0][1] or "string" in caught.value.errors[0][1]


def test_name_42_is_not_a_job_named_42() -> None:
    with pytest.raises(JobValidationError) as caught:
        parse_job(as_sent({**custom_job("x"), "name": 42}))
    assert caught.value.errors == [("name", "must be a string, not the number 42")]


@pytest.mark.parametrize(
    ("pattern_path", "value"),
    [("weekIndex", 2), ("dayOfWeek", 1), ("weekDays", 3.0)],
)
def test_numbers_for_weekday_names_are_errors_on_their_path(pattern_path: str, value: Any) -> None:
    body = custom_job("x")
    if pattern_path == "weekDays":
        body["schedule"]["pattern"] = {"type": "weekly", "weekDays": value}
    else:
        body["schedule"]["pattern"] = {"type": "monthly", "weekIndex": "First", "dayOfWeek": "Mon"}
        body["schedule"]["pattern"][pattern_path] = value
    with pytest.raises(JobValidationError) as caught:
        parse_job(as_sent(body))
    paths = [p for p, _ in caught.value.errors]
    assert paths
    assert all(p.startswith(f"schedule.pattern.{pattern_path}") for p in paths), paths
