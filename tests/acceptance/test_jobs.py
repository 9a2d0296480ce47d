"""The jobs API contract, against the emulator or (OPSRAMP_ACCEPTANCE=1) a real tenant."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import requests

from opsramp_jobs.client import OpsRampClient
from opsramp_jobs.doctor import ShapeOptions, shapes
from opsramp_jobs.errors import JobNotFoundError, OpsRampAuthError, OpsRampValidationError
from opsramp_jobs.model import JOB_TYPES, AdCheckList, WireModel, parse_job
from tests.acceptance.conftest import MakeJob, jobs_url, token_answer
from tests.support.emulator import EmulatorProcess
from tests.support.target import Target

pytestmark = pytest.mark.acceptance

# The doctor's documented shapes; those with an AD checklist are the pattern shapes.
SHAPES = shapes(ShapeOptions())
PATTERN_SHAPES = [s for s, (script, _) in SHAPES.items() if isinstance(script, AdCheckList)]
PATTERNS = {name: SHAPES[name][1] for name in PATTERN_SHAPES}


def _script_of(job_type: str, target: Target) -> dict[str, Any]:
    """A valid script block for a job type (the target's script for custom)."""
    if job_type == "custom":
        if target.script_id is None:
            pytest.skip("no custom script on this tenant: set OPSRAMP_ACCEPTANCE_SCRIPT=id:p=v")
        return {
            "jobType": "custom",
            "customScript": {"id": str(target.script_id)},
            "parameters": [
                {"paramId": str(k), "value": v} for k, v in target.script_parameters.items()
            ],
            "userType": 1,
        }
    if job_type == "networkconfigbackup":
        return {"jobType": job_type, "configParams": {"versionsSaved": "ALL_VERSIONS"}}
    if job_type in ("appinstall", "appupdate"):
        return {"jobType": job_type, "approvalType": {"approvalType": 0}}
    return {"jobType": job_type}


def _reads_back_as_declared(sent: dict[str, Any], echoed: dict[str, Any], tenant: str) -> None:
    declared = parse_job(sent, tenant).canonical()
    assert parse_job(echoed, tenant, from_server=True).canonical() == declared


def test_create_get_update_delete_round_trip(
    live: OpsRampClient, make_job: MakeJob, target: Target
) -> None:
    created = make_job()
    job_id = created["id"]
    assert uuid.UUID(job_id)
    assert live.get_job(job_id)["name"] == created["name"]
    renamed = f"{created['name']}-renamed"
    live.update_job(job_id, {**created, "name": renamed})
    assert live.get_job(job_id)["name"] == renamed
    live.delete_job(job_id)
    with pytest.raises(JobNotFoundError):
        live.get_job(job_id)
    with pytest.raises(JobNotFoundError):
        live.delete_job(job_id)


def test_search_pages_and_finds_by_exact_name(
    live: OpsRampClient, make_job: MakeJob, target: Target
) -> None:
    first, second = make_job("-a"), make_job("-b")
    assert {first["id"], second["id"]} <= {job["id"] for job in live.search_jobs()}
    with target.client(page_size=1) as paging:
        # Two pages of one job each, different jobs (a tenant may hold many: read only two).
        pages = [paging.search_page(None, number) for number in (1, 2)]
        assert [len(page.jobs) for page in pages] == [1, 1]
        assert pages[0].jobs[0]["id"] != pages[1].jobs[0]["id"]
        assert pages[0].total_pages is None or pages[0].total_pages >= 2
    assert [j["id"] for j in live.find_jobs_by_name(first["name"])] == [first["id"]]


def test_job_types_catalogue_lists_the_models_types(live: OpsRampClient) -> None:
    offered = {entry["jobtype"] for entry in live.job_types()}
    assert set(JOB_TYPES) - {"custom"} <= offered


@pytest.mark.parametrize("shape", PATTERN_SHAPES)
def test_every_pattern_reads_back_as_declared(
    shape: str, live: OpsRampClient, make_job: MakeJob, target: Target
) -> None:
    pattern: WireModel = PATTERNS[shape]
    created = make_job(pattern=pattern.wire())
    sent = {**created, "script": {"jobType": "adCheckList"}, "schedule": created["schedule"]}
    echoed = live.get_job(created["id"])
    _reads_back_as_declared(sent, echoed, target.tenant_id)
    assert parse_job(echoed, from_server=True).schedule.pattern == pattern


@pytest.mark.parametrize("job_type", JOB_TYPES)
def test_every_job_type_reads_back_as_declared(
    job_type: str, live: OpsRampClient, make_job: MakeJob, target: Target
) -> None:
    script = _script_of(job_type, target)
    created = make_job(script=script)
    echoed = live.get_job(created["id"])
    assert parse_job(echoed, from_server=True).job_type == job_type
    sent = {
        "name": created["name"],
        "entities": target.entities(),
        "script": script,
        "schedule": echoed["schedule"],
        "jobQueued": False,
    }
    _reads_back_as_declared(sent, echoed, target.tenant_id)


def test_invalid_job_is_a_400_naming_the_field(
    live: OpsRampClient, raw: requests.Session, target: Target
) -> None:
    bad = {
        "name": f"{target.prefix}invalid",
        "script": {"jobType": "adCheckList"},
        "schedule": {
            "startDate": "2099-12-01T02:30:00+0000",
            "pattern": {"type": "weekly", "weekDays": "Funday"},
        },
    }
    answer = raw.post(jobs_url(target), json=bad, timeout=30)
    assert answer.status_code == 400, answer.text
    with pytest.raises(OpsRampValidationError) as raised:
        live.create_job(bad)
    assert any("weekDays" in e.field_name for e in raised.value.field_errors)


def test_unknown_job_is_not_found(live: OpsRampClient) -> None:
    with pytest.raises(JobNotFoundError):
        live.get_job(str(uuid.uuid4()))


def test_bad_credentials_are_refused(target: Target) -> None:
    with (
        OpsRampClient(target.base_url, target.client_id, "not-the-secret", target.tenant_id) as c,
        pytest.raises(OpsRampAuthError) as raised,
    ):
        c.job_types()
    assert "not-the-secret" not in str(raised.value)


def test_a_token_path_issues_a_bearer_token(target: Target) -> None:
    path, answer = token_answer(target)
    assert answer.status_code == 200, f"{path}: HTTP {answer.status_code}"
    token = answer.json()
    assert token["access_token"]
    assert token["token_type"].lower() == "bearer"
    assert float(str(token["expires_in"]).strip("\"'")) > 0


def test_answers_carry_the_rate_limit_headers(raw: requests.Session, target: Target) -> None:
    answer = raw.get(f"{jobs_url(target)}/types", timeout=30)
    assert answer.status_code == 200
    for header in ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"):
        assert int(answer.headers[header].strip("\"'")) >= 0, header


def test_over_the_limit_is_a_429_with_the_documented_body(
    emulator_only: EmulatorProcess, raw: requests.Session, target: Target
) -> None:
    """Emulator only: a tenant cannot be driven over its limit on purpose."""
    emulator_only.configure(rate_limits={"read": 1, "window": 30})
    try:
        with requests.Session() as impatient:  # `raw` would wait the 429 out
            impatient.headers.update(raw.headers)
            impatient.get(f"{jobs_url(target)}/types", timeout=30)
            answer = impatient.get(f"{jobs_url(target)}/types", timeout=30)
    finally:
        emulator_only.configure(rate_limits={"read": 500, "window": 1})
    assert answer.status_code == 429
    assert answer.json() == {"error": "throttled", "error_description": "Too Many Requests"}
