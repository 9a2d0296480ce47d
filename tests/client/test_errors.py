"""Error mapping: gone, validation, other statuses; secrets never in messages or logs."""

from __future__ import annotations

import logging

import pytest

from opsramp_jobs.client import OpsRampClient
from opsramp_jobs.errors import (
    FieldError,
    JobNotFoundError,
    OpsRampApiError,
    OpsRampError,
    OpsRampValidationError,
)
from tests.client.conftest import (
    CREATE_ROUTE,
    JOB_PATH,
    JOBS_PATH,
    ClientFactory,
    job_body,
    route_count,
)
from tests.support.emulator import CLIENT13_SECRET, EmulatorProcess

MISSING_JOB = "0b6f7c39-5a51-4f0e-9d44-5f0f7b1c2d3e"


def test_unknown_job_is_not_found_on_get_update_and_delete(client: OpsRampClient) -> None:
    with pytest.raises(JobNotFoundError) as caught:
        client.get_job(MISSING_JOB)
    assert caught.value.status == 404
    assert caught.value.job_id == MISSING_JOB
    with pytest.raises(JobNotFoundError):
        client.update_job(MISSING_JOB, job_body())
    with pytest.raises(JobNotFoundError):
        client.delete_job(MISSING_JOB)


def test_not_found_as_500_is_not_found_and_not_retried(
    client: OpsRampClient, emulator: EmulatorProcess
) -> None:
    emulator.configure(not_found_as_500=True)
    with pytest.raises(JobNotFoundError) as caught:
        client.get_job(MISSING_JOB)
    assert caught.value.status == 500
    with pytest.raises(JobNotFoundError):
        client.delete_job(MISSING_JOB)
    assert route_count(emulator, "GET /api/v2/tenants/{tenantId}/jobs/{jobId}") == 1
    assert route_count(emulator, "DELETE /api/v2/tenants/{tenantId}/jobs/{jobId}") == 1


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (410, {"code": "0410", "message": "Gone"}),
        (500, {"code": "0003", "message": "something went away"}),
        (500, {"code": "9999", "message": "Job Not Found"}),
    ],
)
def test_gone_statuses(
    client: OpsRampClient, emulator: EmulatorProcess, status: int, body: dict[str, str]
) -> None:
    emulator.add_fault(method="GET", path=JOB_PATH, status=status, body=body)
    with pytest.raises(JobNotFoundError):
        client.get_job(MISSING_JOB)


def test_a_500_about_another_resource_is_not_job_not_found(
    client: OpsRampClient, emulator: EmulatorProcess
) -> None:
    device = "11111111-2222-3333-4444-555555555555"
    emulator.add_fault(
        method="POST",
        path=JOB_PATH,
        status=500,
        body={"code": "0003", "message": f"No resource found with UUID : {device}"},
    )
    with pytest.raises(OpsRampApiError) as caught:
        client.update_job(MISSING_JOB, job_body())
    assert not isinstance(caught.value, JobNotFoundError)
    assert caught.value.code == "0003"


def test_validation_errors_are_parsed(client: OpsRampClient) -> None:
    body = job_body(schedule={"pattern": {"type": "weekly", "weekDays": "Funday"}})
    with pytest.raises(OpsRampValidationError) as caught:
        client.create_job(body)
    errors = caught.value.field_errors
    assert errors
    assert all(isinstance(error, FieldError) for error in errors)
    assert any(error.field_name == "schedule.pattern.weekDays" for error in errors)
    assert errors[0].code
    assert "schedule.pattern.weekDays" in str(caught.value)


def test_a_create_answered_5xx_is_not_resent(
    client: OpsRampClient, emulator: EmulatorProcess
) -> None:
    emulator.add_fault(method="POST", path=JOBS_PATH, status=502)
    with pytest.raises(OpsRampApiError) as caught:
        client.create_job(job_body("no blind retry"))
    assert caught.value.status == 502
    assert route_count(emulator, CREATE_ROUTE) == 1
    assert emulator.jobs() == []


def test_secrets_never_appear_in_logs_or_messages(
    make_client: ClientFactory, emulator: EmulatorProcess, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # every logger, urllib3 included
    client = make_client(max_attempts=2)
    messages: list[str] = []
    created = client.create_job(job_body("secret check"))
    token = client._tokens.get().value
    emulator.expire_tokens()
    client.get_job(created["id"])
    new_token = client._tokens.get().value
    # The server echoes the token and secret in its error text: they must be masked.
    emulator.add_fault(
        method="GET",
        path=JOB_PATH,
        status=418,
        body={"code": "x", "message": f"bad {new_token} {CLIENT13_SECRET}"},
    )
    attempts: list[object] = [
        lambda: client.get_job(created["id"]),
        lambda: client.get_job(MISSING_JOB),
        lambda: client.create_job(job_body(schedule={"pattern": {"type": "nope"}})),
        lambda: make_client(client_secret=CLIENT13_SECRET + "x").job_types(),
        lambda: make_client(base_url="http://127.0.0.1:9").job_types(),
    ]
    for attempt in attempts:
        with pytest.raises(OpsRampError) as caught:
            attempt()  # type: ignore[operator]
        messages += [str(caught.value), repr(caught.value)]
    assert "bad [redacted] [redacted]" in messages[0]
    assert any(record.levelname == "DEBUG" for record in caught_records(caplog))
    text = "\n".join(messages + [record.getMessage() for record in caplog.records] + [caplog.text])
    for secret in (CLIENT13_SECRET, token, new_token):
        assert secret not in text
    assert CLIENT13_SECRET not in repr(client)


def caught_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    """The client's own log records."""
    return [record for record in caplog.records if record.name == "opsramp_jobs.client"]
