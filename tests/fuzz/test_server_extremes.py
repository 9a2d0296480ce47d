"""Jobs edited outside Pulumi to extreme values: a refresh over gRPC shows drift, never a crash.

What Check refuses from a program (tests/fuzz/test_check_fuzz.py) may still be what OpsRamp holds
once someone edits the job elsewhere. Reading it back must keep working: the outputs show the
server's values (so the next `up` offers to put the declared ones back), and the run times list
what the calendar holds. (Start dates beyond the calendar, such as year 10000 in UTC, cannot be
stored by the emulator; tests/model/test_extremes.py reads them back at the model level.)
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from pulumi.runtime.proto import provider_pb2

from opsramp_jobs.client import OpsRampClient
from opsramp_jobs.model import next_run_times, schedule_in_words
from tests.provider.grpc_provider import ProviderServer
from tests.support.emulator import (
    CLIENT13_TENANT,
    PARTNER_KEY,
    PARTNER_SECRET,
    EmulatorProcess,
)

DECLARED: dict[str, Any] = {
    "name": "edited elsewhere",
    "tenantId": CLIENT13_TENANT,
    "entities": [{"resource": {"id": "709824de-8315-4cf9-ad1c-b15aaf7bf2a5", "type": "DEVICE"}}],
    "script": {"jobType": "adCheckList"},
    "schedule": {
        "startDate": "2026-12-01T02:30:00+0000",
        "pattern": {"type": "daily", "frequency": "recurrence", "repeatFrequency": 2},
    },
}
# (what someone writes into OpsRamp directly, what the refreshed state must show)
EDITS: list[tuple[dict[str, Any], dict[str, Any]]] = [
    (
        {
            "startDate": "2026-12-01T02:30:00+0000",
            "pattern": {
                "type": "daily",
                "frequency": "recurrence",
                "repeatType": "days",
                "repeatFrequency": 1_000_000,
            },
        },
        {"repeatFrequency": 1_000_000},
    ),
    (
        {"startDate": "1900-01-01T00:30:00+0100", "pattern": {"type": "run once"}},
        {"startDate": "1899-12-31T23:30:00+0000"},
    ),
    (
        {
            "startDate": "1969-12-31T23:59:00+0000",
            "pattern": {"type": "weekly", "weekDays": "Monday"},
        },
        {"startDate": "1969-12-31T23:59:00+0000"},
    ),
]


@pytest.fixture(scope="module")
def provider_server() -> Iterator[ProviderServer]:
    server = ProviderServer()
    yield server
    server.close()


@pytest.mark.parametrize(("schedule", "expected"), EDITS)
def test_a_refresh_of_a_job_edited_to_extreme_values_shows_drift(
    provider_server: ProviderServer,
    emulator: EmulatorProcess,
    schedule: dict[str, Any],
    expected: dict[str, Any],
) -> None:
    provider_server.configure(
        {
            "opsramp:apiUrl": emulator.url,
            "opsramp:clientId": PARTNER_KEY,
            "opsramp:clientSecret": PARTNER_SECRET,
            "opsramp:tenantId": CLIENT13_TENANT,
        }
    )
    inputs, failures = provider_server.check(DECLARED)
    assert failures == []
    inputs.pop("__provider")
    job_id, outs = provider_server.create(inputs)
    with OpsRampClient(
        emulator.url, PARTNER_KEY, PARTNER_SECRET, tenant_id=CLIENT13_TENANT
    ) as out_of_band:
        live = out_of_band.get_job(job_id)
        live["schedule"] = schedule
        out_of_band.update_job(job_id, live)
    _, refreshed, refreshed_inputs = provider_server.read(job_id, outs)
    seen = {**refreshed["schedule"], **refreshed["schedule"]["pattern"]}
    assert {k: seen[k] for k in expected} == expected
    assert refreshed_inputs["schedule"] == refreshed["schedule"]
    # What the program derives from the refreshed schedule (OpsRampJob.next_runs, ...) works.
    assert len(next_run_times(refreshed["schedule"])) <= 5
    assert schedule_in_words(refreshed["schedule"])
    # The program's own schedule differs from what OpsRamp now holds: the next `up` updates it.
    diff = provider_server.diff(job_id, refreshed, inputs)
    assert diff.changes == provider_pb2.DiffResponse.DIFF_SOME
    provider_server.delete(job_id, refreshed)
