"""Invalid inputs: every problem reported, each with its property path and a fix."""

from typing import Any

import pytest

from opsramp_jobs.model import JobValidationError, parse_job

DEVICE = "709824de-8315-4cf9-ad1c-b15aaf7bf2a5"


def job(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "nightly",
        "tenantId": "client_13",
        "entities": [{"resource": {"id": DEVICE, "type": "DEVICE"}}],
        "script": {"jobType": "adCheckList"},
        "schedule": {
            "startDate": "2026-01-05T02:30:00+0000",
            "pattern": {"type": "daily", "frequency": "everyday"},
        },
    }
    body.update(overrides)
    return body


def pattern(**fields: Any) -> dict[str, Any]:
    return job(schedule={"startDate": "2026-01-05T02:30:00Z", "pattern": fields})


def errors(body: Any) -> list[tuple[str, str]]:
    with pytest.raises(JobValidationError) as caught:
        parse_job(body)
    return caught.value.errors


def test_misspelt_weekday_names_the_index_and_suggests_a_fix() -> None:
    found = errors(pattern(type="weekly", weekDays="Monday, Frday"))
    assert found == [
        ("schedule.pattern.weekDays[1]", "'Frday' is not a weekday; did you mean 'Friday'?")
    ]


def test_all_errors_are_collected() -> None:
    body = job(
        name="  ",
        jobQueued="perhaps",
        entities=[{"resource": {"id": "nope", "type": "DEVICE"}}],
        script={"jobType": "adChecklst"},
        schedule={"startDate": "tomorrow", "pattern": {"type": "weekly", "weekDays": "Sundy"}},
    )
    paths = [path for path, _ in errors(body)]
    assert paths == [
        "name",
        "entities[0].resource.id",
        "script.jobType",
        "schedule.startDate",
        "schedule.pattern.weekDays[0]",
        "jobQueued",
    ]


@pytest.mark.parametrize(
    ("fields", "path", "needle"),
    [
        (
            {"type": "monthly", "dayOfMonth": "1", "weekIndex": "First", "dayOfWeek": "Monday"},
            "schedule.pattern",
            "not both",
        ),
        ({"type": "monthly"}, "schedule.pattern", "needs dayOfMonth"),
        ({"type": "monthly", "dayOfMonth": "1, 32"}, "schedule.pattern.dayOfMonth[1]", "1 to 31"),
        (
            {"type": "monthly", "weekIndex": "Fifth", "dayOfWeek": "Monday"},
            "schedule.pattern.weekIndex",
            "not a week index",
        ),
        ({"type": "monthly", "weekIndex": "First"}, "schedule.pattern.dayOfWeek", "required"),
        (
            {"type": "daily", "frequency": "recurrence", "repeatFrequency": 0},
            "schedule.pattern.repeatFrequency",
            "from 1 to 3650",
        ),
        (
            {"type": "daily", "frequency": "recurrence"},
            "schedule.pattern.repeatFrequency",
            "required",
        ),
        ({"type": "daily"}, "schedule.pattern.frequency", "required"),
        (
            {"type": "daily", "frequency": "hourly"},
            "schedule.pattern.frequency",
            "not a daily frequency",
        ),
        ({"type": "weekly", "weekDays": ""}, "schedule.pattern.weekDays", "at least one"),
        ({"type": "weekly"}, "schedule.pattern.weekDays", "required"),
        ({"type": "yearly"}, "schedule.pattern.type", "not a pattern type"),
        ({}, "schedule.pattern.type", "required"),
        (
            {"type": "never", "frequency": "everyday"},
            "schedule.pattern.frequency",
            "not a property",
        ),
    ],
)
def test_pattern_rules(fields: dict[str, Any], path: str, needle: str) -> None:
    found = errors(pattern(**fields))
    assert [p for p, _ in found] == [path]
    assert needle in found[0][1]


@pytest.mark.parametrize(
    ("script", "path", "needle"),
    [
        (
            {"jobType": "adCheckList", "configParams": {}},
            "script.configParams",
            "networkconfigbackup",
        ),
        ({"jobType": "appinstall"}, "script.approvalType", "required"),
        (
            {"jobType": "appupdate", "approvalType": {"approvalType": 2}},
            "script.approvalType.approvalType",
            "0 (manual) or 1",
        ),
        ({"jobType": "custom"}, "script.customScript", "required"),
        ({"jobType": "custom", "customScript": {"id": "x"}}, "script.customScript.id", "whole"),
        (
            {
                "jobType": "custom",
                "customScript": {"id": 7},
                "parameters": [{"paramId": 2, "value": "a"}, {"paramId": "2", "value": "b"}],
            },
            "script.parameters[1].paramId",
            "given twice",
        ),
        (
            {"jobType": "custom", "customScript": {"id": 7}, "userType": 3},
            "script.userType",
            "1 (system user) or 2",
        ),
        (
            {"jobType": "networkconfigbackup", "configParams": {"versionsSaved": "SOME"}},
            "script.configParams.versionsSaved",
            "ALL_VERSIONS",
        ),
        (
            {"jobType": "networkconfigbackup", "approvalType": {"approvalType": 1}},
            "script.approvalType",
            "appinstall",
        ),
        ({}, "script.jobType", "required"),
    ],
)
def test_script_rules(script: dict[str, Any], path: str, needle: str) -> None:
    found = errors(job(script=script))
    assert [p for p, _ in found] == [path]
    assert needle in found[0][1]


def test_unknown_property_suggests_the_documented_name() -> None:
    found = errors(job(jobQueue=True))
    assert found == [
        ("jobQueue", "'jobQueue' is not a property of a job; did you mean 'jobQueued'?")
    ]


def test_entity_type_and_tenant_conflict() -> None:
    found = errors(job(entities=[{"resource": {"id": DEVICE, "type": "SITE"}}]))
    assert found[0][0] == "entities[0].resource.type"
    with pytest.raises(JobValidationError, match="differs"):
        parse_job(job(), "client_93")


def test_non_object_payload() -> None:
    assert errors(["not", "a", "job"]) == [("(job)", "must be an object, not list")]
    assert errors(job(schedule="daily")) == [
        (
            "schedule",
            "must be an object, not the string 'daily'; write "
            '{"startDate": "2026-12-01T02:30:00+0000", "pattern": {"type": "daily", '
            '"frequency": "everyday"}} or Schedule(start_date="2026-12-01T02:30:00+0000", '
            "pattern=EveryDay())",
        )
    ]


def test_normalisation_collapses_duplicates_and_case() -> None:
    parsed = parse_job(
        pattern(type="Weekly", weekDays=["friday", "Mon", "Friday", "monday"])
    ).canonical()
    assert parsed["schedule"]["pattern"] == {"type": "weekly", "weekDays": ["Monday", "Friday"]}
    parsed = parse_job(
        job(
            script={"jobType": "ADCHECKLIST"},
            entities=[
                {"resource": {"id": DEVICE.upper(), "type": "device"}},
                {"resource": {"id": DEVICE, "type": "DEVICE"}},
            ],
        )
    ).canonical()
    assert parsed["script"] == {"jobType": "adCheckList"}
    assert parsed["entities"] == [{"resource": {"id": DEVICE, "type": "DEVICE"}}]


def test_top_level_credential_set_moves_into_the_custom_script() -> None:
    parsed = parse_job(
        job(
            script={"jobType": "custom", "customScript": {"id": 7}},
            credentialSet={"uniqueId": "cred-1"},
        )
    )
    assert parsed.canonical()["script"]["credentialSet"] == {"uniqueId": "cred-1"}
    assert parsed.to_wire()["script"]["credentialSet"] == {"uniqueId": "cred-1"}


def test_error_message_lists_every_problem() -> None:
    with pytest.raises(JobValidationError) as caught:
        parse_job(job(name="", jobQueued="x"))
    text = str(caught.value)
    assert "2 problems" in text
    assert "name:" in text
    assert "jobQueued:" in text


def test_numbers_arriving_as_doubles_are_whole_numbers() -> None:
    # Pulumi's protobuf wire format turns every number into a double.
    parsed = parse_job(
        job(
            script={
                "jobType": "custom",
                "customScript": {"id": 7.0},
                "parameters": [{"paramId": 2.0, "value": "150"}],
                "userType": 2.0,
            },
            schedule={
                "startDate": "2026-01-05T02:30:00Z",
                "pattern": {"type": "monthly", "dayOfMonth": [1.0, 15.0]},
            },
        )
    ).canonical()
    assert parsed["script"]["customScript"] == {"id": 7}
    assert parsed["script"]["userType"] == 2
    assert parsed["schedule"]["pattern"]["dayOfMonth"] == [1, 15]
    found = errors(pattern(type="daily", frequency="recurrence", repeatFrequency=2.5))
    assert found[0][0] == "schedule.pattern.repeatFrequency"
