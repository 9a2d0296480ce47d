"""Where OpsRamp's OpenAPI file is clear the emulator follows it exactly (issue 14)."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opsramp_jobs.model import parse_job
from tests.emulator.conftest import daily_job
from tests.model.strategies import job_bodies
from tests.support.emulator import (
    CLIENT13_DEVICES,
    SCRIPT_ROTATE_LOGS,
    EmulatorProcess,
)

# The catalogue exactly as the spec's GET /jobs/types example lists it, in its order.
SPEC_CATALOGUE = [
    ("AD CheckList", "adCheckList"),
    ("Anti SpyWare", "antispyware"),
    ("Antivirus Update", "antivirus"),
    ("Application Scan", "appaudit"),
    ("Asset Information", "assetinfo"),
    ("BackUp Agent", "backupagent"),
    ("Disk Defragmentation", "diskdefrag"),
    ("EXBPA CheckList", "exbpaCheckList"),
    ("Missing Patches Request", "missingPatchesRequest"),
    ("MSSQL Report", "sqlreport"),
    ("Network Configuration Backup", "networkconfigbackup"),
    ("TempFiles Deletion", "tempfilesreport"),
    ("Application Install", "appinstall"),
    ("Application Update", "appupdate"),
]
START = "2030-01-01T02:00:00+0000"


def test_job_types_are_the_spec_catalogue(emulator: EmulatorProcess, api: requests.Session) -> None:
    """GET /jobs/types answers the spec's exact job names and types, custom omitted."""
    response = api.get(f"{emulator.jobs_url()}/types")
    assert response.status_code == 200
    assert response.json() == {
        "jobNameAndType": [{"jobName": name, "jobtype": kind} for name, kind in SPEC_CATALOGUE]
    }


def test_default_name_uses_the_catalogue_name(
    emulator: EmulatorProcess, api: requests.Session
) -> None:
    """An unnamed job is named after its catalogue entry ("Job - MSSQL Report")."""
    body = daily_job(script={"jobType": "sqlreport"})
    del body["name"]
    assert api.post(emulator.jobs_url(), json=body).json()["name"] == "Job - MSSQL Report"


def with_pattern(pattern: dict[str, Any]) -> dict[str, Any]:
    """A job with this schedule pattern."""
    return daily_job(schedule={"startDate": START, "pattern": pattern})


CASE_VARIANTS: list[tuple[dict[str, Any], str]] = [
    (with_pattern({"type": "Daily", "frequency": "everyday"}), "schedule.pattern.type"),
    (with_pattern({"type": "RUN ONCE"}), "schedule.pattern.type"),
    (with_pattern({"type": "runonce"}), "schedule.pattern.type"),
    (with_pattern({"type": "daily", "frequency": "Everyday"}), "schedule.pattern.frequency"),
    (with_pattern({"type": "daily", "frequency": "every day"}), "schedule.pattern.frequency"),
    (
        with_pattern(
            {"type": "daily", "frequency": "recurrence", "repeatType": "DAYS", "repeatFrequency": 2}
        ),
        "schedule.pattern.repeatType",
    ),
    (with_pattern({"type": "weekly", "weekDays": "sunday"}), "schedule.pattern.weekDays"),
    (with_pattern({"type": "weekly", "weekDays": "Sunday, MONDAY"}), "schedule.pattern.weekDays"),
    (with_pattern({"type": "weekly", "weekDays": "Sun"}), "schedule.pattern.weekDays"),
    (
        with_pattern({"type": "monthly", "weekIndex": "second", "dayOfWeek": "Sunday"}),
        "schedule.pattern.weekIndex",
    ),
    (
        with_pattern({"type": "monthly", "weekIndex": "Second", "dayOfWeek": "sunday"}),
        "schedule.pattern.dayOfWeek",
    ),
    (
        with_pattern({"type": "monthly", "weekIndex": "Last", "dayOfIndex": "FRIDAY"}),
        "schedule.pattern.dayOfIndex",
    ),
    (
        daily_job(
            script={"jobType": "networkconfigbackup", "configParams": {"versionsSaved": "all"}}
        ),
        "script.configParams.versionsSaved",
    ),
    (daily_job(script={"jobType": "AdCheckList"}), "script.jobType"),
    (daily_job(script={"jobType": "Custom", "customScript": {"id": 7}}), "script.jobType"),
    (daily_job(jobQueued="True"), "jobQueued"),
    (daily_job(jobQueued="yes"), "jobQueued"),
]


@pytest.mark.parametrize(("body", "field"), CASE_VARIANTS)
def test_enum_case_variants_are_a_400_naming_the_field(
    emulator: EmulatorProcess, api: requests.Session, body: dict[str, Any], field: str
) -> None:
    """Enum values must be spelt exactly as the spec lists them ("Daily" is not "daily")."""
    response = api.post(emulator.jobs_url(), json=body)
    assert response.status_code == 400, response.text
    assert [e["fieldName"] for e in response.json()] == [field]
    assert all(e["code"] == "0002" for e in response.json())


@pytest.mark.parametrize(
    "pattern",
    [
        {"type": "daily", "frequency": "everyday"},
        {"type": "daily", "frequency": "every weekday"},
        {"type": "daily", "frequency": "recurrence", "repeatType": "days", "repeatFrequency": 3},
        # "Days" is what every example sends (the enum says "days"): both are accepted.
        {"type": "daily", "frequency": "recurrence", "repeatType": "Days", "repeatFrequency": 3},
        # Friday is missing from the schema's weekDays enum; it is accepted (README Assumptions).
        {"type": "weekly", "weekDays": "Sunday, Monday, Tuesday, Wednesday, Thursday, Friday"},
        {"type": "weekly", "weekDays": "Saturday"},
        {"type": "monthly", "weekIndex": "Fourth", "dayOfIndex": "Friday"},
        {"type": "run once"},
        {"type": "never"},
    ],
)
def test_exact_enum_values_are_accepted(
    emulator: EmulatorProcess, api: requests.Session, pattern: dict[str, Any]
) -> None:
    """The spec's own spellings (and the examples' "Days") are served."""
    response = api.post(emulator.jobs_url(), json=with_pattern(pattern))
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    "start",
    [
        "2030-01-01T02:00+0000",  # no seconds: the spec's format and every example have them
        "2030-01-01 02:00:00+0000",
        "2030-01-01T02:00:00",  # no offset
        "2030-02-30T02:00:00+0000",
        "2030-01-01T24:00:00+0000",
        "2030-01-01T02:00:00+2400",
        " 2030-01-01T02:00:00+0000",
    ],
)
def test_malformed_start_dates_are_a_400(
    emulator: EmulatorProcess, api: requests.Session, start: str
) -> None:
    """startDate must be yyyy-MM-ddTHH:mm:ss with an offset, as the spec's examples show."""
    body = daily_job(schedule={"startDate": start, "pattern": {"type": "never"}})
    response = api.post(emulator.jobs_url(), json=body)
    assert response.status_code == 400, response.text
    assert [e["fieldName"] for e in response.json()] == ["schedule.startDate"]


@pytest.mark.parametrize("name", [None, "", "   ", 7, ["a"]])
def test_name_must_be_a_non_empty_string(
    emulator: EmulatorProcess, api: requests.Session, name: Any
) -> None:
    """name: null (or any non-string) is a 400; leaving name out gives the default name."""
    response = api.post(emulator.jobs_url(), json=daily_job(name=name))
    assert response.status_code == 400, response.text
    assert [e["fieldName"] for e in response.json()] == ["name"]


def test_credential_set_needs_a_unique_id_and_nothing_else(
    emulator: EmulatorProcess, api: requests.Session
) -> None:
    """credentialSet is {"uniqueId": "..."}: unknown keys and an empty id are a 400."""
    for credential_set, field in (
        ({"uniqueId": ""}, "credentialSet.uniqueId"),
        ({"uniqueId": "c", "name": "x"}, "credentialSet.name"),
    ):
        response = api.post(emulator.jobs_url(), json=daily_job(credentialSet=credential_set))
        assert [e["fieldName"] for e in response.json()] == [field]


def test_run_config_alert_and_runtime_config_alert_must_agree(
    emulator: EmulatorProcess, api: requests.Session
) -> None:
    """Both spellings accepted, echoed as the examples' runtimeConfigAlert; disagreeing is 400."""
    params: dict[str, Any] = {"runConfigAlert": True}
    body = daily_job(script={"jobType": "networkconfigbackup", "configParams": params})
    echoed = api.post(emulator.jobs_url(), json=body).json()["script"]["configParams"]
    assert echoed == {"runtimeConfigAlert": True}
    params["runtimeConfigAlert"] = False
    response = api.post(emulator.jobs_url(), json=body)
    assert [e["fieldName"] for e in response.json()] == ["script.configParams.runConfigAlert"]


# ------------------------------------------------------------------ the product's wire form


@pytest.fixture(scope="module")
def product_api(emulator_process: EmulatorProcess) -> Iterator[requests.Session]:
    """A partner session on the shared emulator (hypothesis runs many examples per fixture)."""
    with emulator_process.api_session() as session:
        yield session


def seeded(wire: dict[str, Any], devices: list[str]) -> dict[str, Any]:
    """The wire body pointed at seeded devices and a seeded script (ids the emulator knows)."""
    body = copy.deepcopy(wire)
    body["entities"] = [{"resource": {"id": d, "type": "DEVICE"}} for d in devices]
    script = body["script"]
    if "customScript" in script:
        script["customScript"] = {"id": str(SCRIPT_ROTATE_LOGS)}
        values = [p["value"] for p in script.get("parameters", [])][:2]
        script["parameters"] = [
            {"paramId": str(param_id), "value": value}
            for param_id, value in zip((21, 22), values, strict=False)
        ]
    return body


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    body=job_bodies(),
    devices=st.lists(st.sampled_from(CLIENT13_DEVICES), unique=True, max_size=4),
)
def test_the_products_wire_form_is_accepted(
    emulator_process: EmulatorProcess,
    product_api: requests.Session,
    body: dict[str, Any],
    devices: list[str],
) -> None:
    """Whatever the model canonicalises (Job.to_wire) the stricter emulator accepts."""
    wire = seeded(parse_job(body).to_wire(), devices)
    response = product_api.post(emulator_process.jobs_url(), json=wire)
    assert response.status_code == 200, (wire, response.text)
