"""Errors name what the user wrote, never pydantic's internals (issue 11).

Many bad inputs (the fuzz tier's mutations, bare strings where objects belong, typed constructors
given nonsense) go through ``parse_job`` and the typed classes; no message may mention the
machinery ("discriminator", "input_type", "pydantic", "Input should be a valid").
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from opsramp_jobs import model
from opsramp_jobs.model import JobValidationError, parse_job
from tests.fuzz.mutations import MUTATIONS, mutated_bodies

# Words of the machinery, and Python's words for a JSON number or an Output (QA finding 3, 7).
LEAKS = (
    "discriminator",
    "input_type",
    "pydantic",
    "input should be",
    "_tag",
    "union",
    "float",
    "object at 0x",
)


def assert_plain(error: JobValidationError) -> None:
    assert error.errors
    for path, message in error.errors:
        assert path, error.errors
        lowered = message.lower()
        assert not any(leak in lowered for leak in LEAKS), (path, message)
        assert "{" not in path, path
        assert "(" not in path.replace("(job)", ""), path


@pytest.mark.parametrize("kind", sorted(MUTATIONS))
def test_fuzzed_bodies_fail_in_plain_words(kind: str) -> None:
    @settings(
        max_examples=30, derandomize=True, database=None, suppress_health_check=list(HealthCheck)
    )
    @given(mutated_bodies(kind))
    def check(body: dict[str, Any]) -> None:
        for from_server in (False, True):
            try:
                parse_job(body, from_server=from_server)
            except JobValidationError as error:
                assert_plain(error)

    check()


BASE: dict[str, Any] = {
    "name": "n",
    "tenantId": "client_13",
    "script": {"jobType": "adCheckList"},
    "schedule": {"startDate": "2026-12-01T02:30:00Z", "pattern": {"type": "never"}},
}
# (a replacement of one part of BASE, the path the one error must name, words it must contain)
BAD_PARTS: list[tuple[dict[str, Any], str, str]] = [
    ({"script": "adCheckList"}, "script", '{"jobType": "adCheckList"} or AdCheckList()'),
    ({"script": "custom"}, "script", "CustomScript.of"),
    ({"script": "networkconfigbackup"}, "script", "NetworkConfigBackup"),
    ({"script": "adchecklst"}, "script", "AdCheckList()"),
    ({"script": 7}, "script", "jobType"),
    ({"script": ["adCheckList"]}, "script", "jobType"),
    ({"script": None}, "script", "must be an object"),
    ({"script": {"jobType": None}}, "script.jobType", "required"),
    ({"script": {"jobType": 3}}, "script.jobType", "not a job type"),
    ({"schedule": "daily"}, "schedule", "must be an object"),
    (
        {"schedule": {"startDate": "2026-12-01T02:30:00Z", "pattern": "daily"}},
        "schedule.pattern",
        "EveryDay()",
    ),
    (
        {"schedule": {"startDate": "2026-12-01T02:30:00Z", "pattern": "weekly"}},
        "schedule.pattern",
        "Weekly(week_days=",
    ),
    (
        {"schedule": {"startDate": "2026-12-01T02:30:00Z", "pattern": 5}},
        "schedule.pattern",
        "must be an object",
    ),
    (
        {"schedule": {"startDate": "2026-12-01T02:30:00Z", "pattern": []}},
        "schedule.pattern",
        "must be an object",
    ),
    (
        {"schedule": {"startDate": 5, "pattern": {"type": "never"}}},
        "schedule.startDate",
        "not a date-time",
    ),
    (
        {
            "schedule": {
                "startDate": "2026-12-01T02:30:00Z",
                "pattern": {"type": "daily", "frequency": 3},
            }
        },
        "schedule.pattern.frequency",
        "not a daily frequency",
    ),
    ({"entities": "709824de-8315-4cf9-ad1c-b15aaf7bf2a5"}, "entities", "must be a list"),
    ({"entities": [{"resource": "x"}]}, "entities[0].resource", "must be an object"),
    ({"entities": [5]}, "entities[0]", "must be an object"),
    ({"jobQueued": "maybe"}, "jobQueued", "true or false"),
    (
        {"script": {"customScript": {"id": 7}, "parameters": "x"}},
        "script.parameters",
        "must be a list",
    ),
    (
        {"script": {"customScript": {"id": 7}, "credentialSet": {"uniqueId": ""}}},
        "script.credentialSet.uniqueId",
        "must not be empty",
    ),
    ({"script": {"customScript": 7}}, "script.customScript", "must be an object"),
    (
        {"script": {"jobType": "networkconfigbackup", "configParams": {"versionsSaved": "x"}}},
        "script.configParams.versionsSaved",
        "'ALL_VERSIONS'",
    ),
]


@pytest.mark.parametrize(("part", "path", "words"), BAD_PARTS)
def test_bad_parts_name_their_path_in_plain_words(
    part: dict[str, Any], path: str, words: str
) -> None:
    with pytest.raises(JobValidationError) as caught:
        parse_job({**BASE, **part})
    assert_plain(caught.value)
    assert [p for p, _ in caught.value.errors] == [path], caught.value.errors
    assert words in caught.value.errors[0][1], caught.value.errors


TYPED_MISTAKES: list[tuple[Callable[[], object], str]] = [
    (lambda: model.Weekly(week_days=["Frday"]), "week_days[0]"),
    (lambda: model.Weekly(week_days=[]), "week_days"),
    (lambda: model.Weekly(week_days=5), "week_days[0]"),  # type: ignore[arg-type]
    (lambda: model.MonthlyOnDays(day_of_month=[0]), "day_of_month[0]"),
    (lambda: model.EveryNDays(repeat_frequency=0), "repeat_frequency"),
    (lambda: model.EveryNDays(repeat_frequency=1_000_000), "repeat_frequency"),
    (model.EveryNDays, "repeat_frequency"),  # type: ignore[list-item]
    (lambda: model.Schedule(start_date="soon", pattern=model.EveryDay()), "start_date"),
    (lambda: model.Schedule(start_date="2026-12-01T02:30:00Z", pattern="daily"), "pattern"),  # type: ignore[arg-type]
    (
        lambda: model.Schedule(start_date="2026-12-01T02:30:00Z", pattern=model.AdCheckList()),  # type: ignore[arg-type]
        "pattern",
    ),
    (lambda: model.Approval(approval_type=3), "approval_type"),
    (lambda: model.Approval(approval_type=1, approval_reason=5), "approval_reason"),  # type: ignore[arg-type]
    (lambda: model.CustomScript.of(0), "customScript.id"),
    (lambda: model.CustomScript.of(7, {2: True}), "parameters[0].value"),
    (lambda: model.CustomScript.of(7, user_type=5), "userType"),
    (lambda: model.device("not-a-uuid"), "id"),
    (lambda: model.Device(id=42), "id"),  # type: ignore[arg-type]
    (lambda: model.ConfigParams(versions_saved="SOME"), "versions_saved"),  # type: ignore[arg-type]
    (lambda: model.CredentialSet(unique_id=""), "unique_id"),
    (lambda: model.AdCheckList(job_type="custom"), "job_type"),  # type: ignore[arg-type]
    (lambda: model.Schedule(pattern=model.EveryDay()), "start_date"),  # type: ignore[call-arg]
    (model.AppInstall, "approval"),  # type: ignore[list-item]
    (lambda: model.Weekly(weekDays="Frday"), "weekDays[0]"),  # type: ignore[call-arg]
    (lambda: model.Job(script="adCheckList", schedule=None), "script"),  # type: ignore[arg-type]
]


@pytest.mark.parametrize(("build", "path"), TYPED_MISTAKES)
def test_typed_constructors_fail_with_the_same_plain_errors(
    build: Callable[[], object], path: str
) -> None:
    with pytest.raises(JobValidationError) as caught:
        build()
    assert_plain(caught.value)
    assert caught.value.errors[0][0] == path, caught.value.errors


@pytest.mark.parametrize(
    "pattern",
    [
        {"type": "monthly", "dayOfMonth": 10**5000},
        {"type": "daily", "frequency": "recurrence", "repeatFrequency": 10**5000},
        {"type": "daily", "frequency": "recurrence", "repeatFrequency": "9" * 5000},
        {"type": "weekly", "weekDays": "x" * 5000},
        {"type": "monthly", "weekIndex": "y" * 5000, "dayOfWeek": "Monday"},
    ],
)
def test_enormous_values_get_short_messages(pattern: dict[str, Any]) -> None:
    """Python refuses to print an integer of over 4,300 digits: the message must not try."""
    with pytest.raises(JobValidationError) as caught:
        parse_job({**BASE, "schedule": {"startDate": "2026-12-01T02:30:00Z", "pattern": pattern}})
    assert_plain(caught.value)
    assert all(len(message) < 250 for _, message in caught.value.errors), caught.value.errors
