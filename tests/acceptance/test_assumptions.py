"""Every assumption the project makes about OpsRamp, one named test each.

One test per line of docs/opsramp-api.md's "Assumptions" section (R…) and per row of the
contradictions table in the API notes (C1-C12), plus the points both documents are silent on
(S…). An acceptance run against a tenant (OPSRAMP_ACCEPTANCE=1) prints which of them hold there.
Each test checks only its own point, so a server that breaks one assumption fails one test.
"""

from __future__ import annotations

import uuid
from contextlib import suppress
from datetime import UTC, datetime
from typing import Any

import pytest
import requests

from opsramp_jobs.client import TOKEN_PATHS, OpsRampClient
from opsramp_jobs.doctor import PAGING_FIELDS, tenant_kind
from opsramp_jobs.errors import JobNotFoundError
from opsramp_jobs.model import JOB_TYPES, parse_job
from tests.acceptance.conftest import MakeJob, body, jobs_url
from tests.support.target import Target

pytestmark = pytest.mark.acceptance

EVERY_N_DAYS = {
    "type": "daily",
    "frequency": "recurrence",
    "repeatType": "days",
    "repeatFrequency": 3,
}


def _custom_script(target: Target, **extra: Any) -> dict[str, Any]:
    if target.script_id is None:
        pytest.skip("no custom script on this tenant: set OPSRAMP_ACCEPTANCE_SCRIPT=id:p=v")
    return {
        "jobType": "custom",
        "customScript": {"id": str(target.script_id)},
        "parameters": [
            {"paramId": str(k), "value": v} for k, v in target.script_parameters.items()
        ],
        "userType": 2,
        **extra,
    }


def _pattern(live: OpsRampClient, make_job: MakeJob, pattern: dict[str, Any]) -> dict[str, Any]:
    """The pattern as read back after creating a job with it (starting in 2099)."""
    created = make_job(pattern=pattern)
    result: dict[str, Any] = live.get_job(created["id"])["schedule"]["pattern"]
    return result


# ---------------------------------------------------------- docs/opsramp-api.md "Assumptions"


def test_assumption_name_query_is_only_a_prefilter_so_the_client_matches_exact_names(
    live: OpsRampClient, make_job: MakeJob, raw: requests.Session, target: Target
) -> None:
    """R1: `queryString=name:<x>` semantics are undocumented; the client filters exactly."""
    wanted = make_job("-Backup")
    make_job("-Backup-nightly")
    answer = raw.get(
        f"{jobs_url(target)}/search", params={"queryString": f"name:{wanted['name']}"}, timeout=30
    )
    assert answer.status_code == 200, answer.text
    assert wanted["id"] in {job["id"] for job in answer.json()["results"]}
    assert [job["id"] for job in live.find_jobs_by_name(wanted["name"])] == [wanted["id"]]


def test_assumption_names_differing_only_in_case_or_spacing_are_two_jobs(
    live: OpsRampClient, make_job: MakeJob, target: Target
) -> None:
    """R8: names are compared exactly, so look-alikes are two jobs (warned about, not refused)."""
    base = f"{target.prefix}lookalike-{uuid.uuid4().hex[:6]}"
    made = [
        live.create_job(body(target, name=name))["id"]
        for name in (
            f"{base} Nightly Patch",
            f"{base} nightly  patch",
            f"{base} Nightly\u00a0Patch",
        )
    ]
    try:
        for job_id, name in zip(
            made,
            (f"{base} Nightly Patch", f"{base} nightly  patch", f"{base} Nightly\u00a0Patch"),
            strict=True,
        ):
            assert live.get_job(job_id)["name"] == name
            assert [job["id"] for job in live.find_jobs_by_name(name)] == [job_id]
    finally:
        for job_id in made:
            with suppress(JobNotFoundError):
                live.delete_job(job_id)


def test_assumption_search_lists_a_job_once_created_and_earlier_ones_with_it(
    live: OpsRampClient, make_job: MakeJob
) -> None:
    """R9: a search that lists a new job lists the jobs created before it (prefix-consistent)."""
    first = make_job("-first")
    second = make_job("-second")
    for _ in range(20):
        listed = {job["id"] for job in live.find_jobs_by_name(second["name"])}
        if second["id"] in listed:
            break
    assert second["id"] in listed, "the search never listed a job just created"
    assert [job["id"] for job in live.find_jobs_by_name(first["name"])] == [first["id"]]


def test_assumption_credential_set_is_sent_inside_script_and_never_echoed(
    live: OpsRampClient, make_job: MakeJob, target: Target
) -> None:
    """R2 / C6: `credentialSet` goes inside `script` and comes back nowhere."""
    if target.credential_set is None:
        pytest.skip("no credential set: set OPSRAMP_ACCEPTANCE_CREDENTIAL_SET=<uniqueId>")
    script = _custom_script(target, credentialSet={"uniqueId": target.credential_set})
    echoed = live.get_job(make_job(script=script)["id"])
    assert "credentialSet" not in echoed
    assert "credentialSet" not in echoed["script"]


def test_assumption_appupdate_takes_the_appinstall_approval_block(
    live: OpsRampClient, make_job: MakeJob, target: Target
) -> None:
    """R3: `appupdate` takes `approvalType` like `appinstall`."""
    script = {
        "jobType": "appupdate",
        "approvalType": {"approvalType": 1, "approvalReason": "acceptance", "alertRequired": True},
    }
    echoed = live.get_job(make_job(script=script)["id"])
    assert (
        parse_job(echoed, from_server=True).script
        == parse_job({"script": script, "schedule": echoed["schedule"]}).script
    )


@pytest.mark.parametrize("kind", ["run once", "never"])
def test_assumption_run_once_and_never_take_no_other_fields(
    kind: str, live: OpsRampClient, make_job: MakeJob
) -> None:
    """R4: `run once` and `never` are bare patterns (one run at the start / on demand only)."""
    assert _pattern(live, make_job, {"type": kind}) == {"type": kind}


def test_assumption_monthly_day_31_is_accepted_and_skipped_in_shorter_months(
    live: OpsRampClient, make_job: MakeJob
) -> None:
    """R5: day 31 is a valid monthly day; `next_runs` skips months without one."""
    pattern = _pattern(live, make_job, {"type": "monthly", "dayOfMonth": "31"})
    schedule = parse_job(
        {
            "script": {"jobType": "adCheckList"},
            "schedule": {"startDate": "2027-03-01T02:30:00+0000", "pattern": pattern},
        }
    ).schedule
    runs = schedule.next_runs(after=datetime(2027, 3, 1, tzinfo=UTC), count=3)
    assert [run.month for run in runs] == [3, 5, 7]


def test_assumption_unset_defaults_are_sent_explicitly_and_kept(
    live: OpsRampClient, make_job: MakeJob, target: Target
) -> None:
    """R6: `configParams` booleans and `userType` are sent with our defaults, which stick."""
    declared = parse_job(
        {
            "script": {"jobType": "networkconfigbackup"},
            "schedule": {"startDate": "2099-12-01T02:30:00+0000", "pattern": {"type": "never"}},
        }
    )
    echoed = live.get_job(make_job(script=declared.script.wire())["id"])
    assert parse_job(echoed, from_server=True).script == declared.script


def test_assumption_jobs_are_rate_limited_as_other_apis_50_writes_a_minute(
    live: OpsRampClient, raw: requests.Session, target: Target
) -> None:
    """R7: a job write counts against 50 writes a minute (150 for a partner)."""
    job = body(target, name=f"{target.prefix}rate-limit")
    answer = raw.post(jobs_url(target), json=job, timeout=30)
    assert answer.status_code == 200, answer.text
    with suppress(JobNotFoundError):
        live.delete_job(answer.json()["id"])
    limit = int(answer.headers["X-RateLimit-Limit"].strip("\"'"))
    assert limit == (150 if tenant_kind(target.tenant_id) == "partner" else 50)


# ------------------------------------------------------------------ contradictions C1-C12


def test_assumption_every_catalogue_job_type_can_be_created(
    live: OpsRampClient, make_job: MakeJob
) -> None:
    """C1: the schema's `jobType` enum lists 4 types; every catalogue type is accepted."""
    blocks: dict[str, dict[str, Any]] = {
        "networkconfigbackup": {"configParams": {"versionsSaved": "ALL_VERSIONS"}},
        "appinstall": {"approvalType": {"approvalType": 0}},
        "appupdate": {"approvalType": {"approvalType": 0}},
    }
    offered = {entry["jobtype"] for entry in live.job_types()}
    creatable = sorted(offered & set(JOB_TYPES))
    # An empty (or foreign) catalogue proves nothing: fail rather than pass with no create.
    assert creatable, f"the catalogue offers none of the model's job types: {sorted(offered)}"
    for job_type in creatable:
        make_job(script={"jobType": job_type, **blocks.get(job_type, {})})


def test_assumption_weekdays_takes_a_comma_separated_list(
    live: OpsRampClient, make_job: MakeJob
) -> None:
    """C2: `weekDays` is "Sunday, Thursday" (the schema's enum is one day, without Friday)."""
    pattern = _pattern(live, make_job, {"type": "weekly", "weekDays": "Friday, Sunday, Thursday"})
    assert {day.strip() for day in pattern["weekDays"].split(",")} == {
        "Friday",
        "Sunday",
        "Thursday",
    }


def test_assumption_day_of_month_is_a_comma_string_longer_than_31_characters(
    live: OpsRampClient, make_job: MakeJob
) -> None:
    """C3: `dayOfMonth` is a comma string; every day of the month (83 characters) is accepted."""
    every_day = ", ".join(str(day) for day in range(1, 32))
    pattern = _pattern(live, make_job, {"type": "monthly", "dayOfMonth": every_day})
    assert [int(day) for day in str(pattern["dayOfMonth"]).split(",")] == list(range(1, 32))


def test_assumption_monthly_weekday_is_sent_and_echoed_as_dayOfWeek(  # noqa: N802
    live: OpsRampClient, make_job: MakeJob
) -> None:
    """C4: the monthly weekday is `dayOfWeek` (doc snippet), not `dayOfIndex` (schema)."""
    pattern = _pattern(
        live, make_job, {"type": "monthly", "weekIndex": "Second", "dayOfWeek": "Sunday"}
    )
    assert pattern.get("dayOfWeek") == "Sunday"
    assert "dayOfIndex" not in pattern


def test_assumption_network_backup_alert_is_named_runtimeConfigAlert(  # noqa: N802
    live: OpsRampClient, make_job: MakeJob
) -> None:
    """C5: `runtimeConfigAlert` (every example), not `runConfigAlert` (schema)."""
    script = {
        "jobType": "networkconfigbackup",
        "configParams": {"versionsSaved": "ALL_VERSIONS", "runtimeConfigAlert": True},
    }
    params = live.get_job(make_job(script=script)["id"])["script"]["configParams"]
    assert "runtimeConfigAlert" in params
    assert "runConfigAlert" not in params


def test_assumption_start_date_is_echoed_with_a_plus0000_offset_at_minute_precision(
    live: OpsRampClient, make_job: MakeJob
) -> None:
    """C7: `startDate` comes back as `yyyy-MM-ddTHH:mm:00+0000`, not RFC 3339's `+00:00`."""
    created = make_job(start_date="2099-12-01T02:30:45+0000")
    assert live.get_job(created["id"])["schedule"]["startDate"] == "2099-12-01T02:30:00+0000"


def test_assumption_ids_echoed_as_integers(
    live: OpsRampClient, make_job: MakeJob, target: Target
) -> None:
    """C8: `customScript.id` and `paramId` come back as integers (the schema says strings)."""
    script = _custom_script(target)
    echoed = live.get_job(make_job(script=script)["id"])["script"]
    assert echoed["customScript"]["id"] == target.script_id
    assert [p["paramId"] for p in echoed.get("parameters", [])] == sorted(target.script_parameters)


def test_assumption_job_path_is_tenants_slash_tenant_id(
    make_job: MakeJob, raw: requests.Session, target: Target
) -> None:
    """C9: the job path is `/tenants/{tenantId}/jobs/{id}` (the spec's `/tenants{id}` is a typo)."""
    job_id = make_job()["id"]
    answer = raw.get(f"{jobs_url(target)}/{job_id}", timeout=30)
    assert answer.status_code == 200
    assert answer.json()["id"] == job_id
    typo = raw.get(f"{target.base_url}/api/v2/tenants{target.tenant_id}/jobs/{job_id}", timeout=30)
    assert typo.status_code != 200


def test_assumption_search_paging_fields_are_beside_results(
    make_job: MakeJob, raw: requests.Session, target: Target
) -> None:
    """C10: `totalResults`, `pageNo`, … sit beside `results` (the schema puts them inside)."""
    make_job()
    answer = raw.get(f"{jobs_url(target)}/search", params={"pageNo": 1, "pageSize": 1}, timeout=30)
    page = answer.json()
    assert set(PAGING_FIELDS) <= set(page)
    assert page["results"]
    assert not set(PAGING_FIELDS) & set(page["results"][0])


def test_assumption_booleans_and_integers_are_echoed_as_json_types(
    live: OpsRampClient, make_job: MakeJob
) -> None:
    """C11: requests may send "true" / "2"; answers carry true / 2."""
    script = {
        "jobType": "appinstall",
        "approvalType": {"approvalType": "1", "alertRequired": "true"},
    }
    echoed = live.get_job(make_job(script=script, jobQueued="true", pattern=EVERY_N_DAYS)["id"])
    assert echoed["jobQueued"] is True
    assert echoed["script"]["approvalType"]["approvalType"] == 1
    assert echoed["script"]["approvalType"]["alertRequired"] is True
    assert type(echoed["schedule"]["pattern"]["repeatFrequency"]) is int


def test_assumption_repeat_type_is_echoed_lowercase_days(
    live: OpsRampClient, make_job: MakeJob
) -> None:
    """C12: examples send `"Days"`, the enum says `days`; answers carry `days`."""
    assert _pattern(live, make_job, {**EVERY_N_DAYS, "repeatType": "Days"})["repeatType"] == "days"


# ------------------------------------------------------------------ silent in both documents


def test_assumption_current_token_path_answers(target: Target) -> None:
    """S1: `/tenancy/auth/oauth/token` issues tokens (the auth spec lists only the older path)."""
    form = {
        "grant_type": "client_credentials",
        "client_id": target.client_id,
        "client_secret": target.client_secret,
    }
    answer = requests.post(f"{target.base_url}{TOKEN_PATHS[0]}", data=form, timeout=30)
    assert answer.status_code == 200


def test_assumption_token_expires_in_is_a_string(target: Target) -> None:
    """S2: `expires_in` is a string ("7199") as in the spec (the client also takes integers)."""
    form = {
        "grant_type": "client_credentials",
        "client_id": target.client_id,
        "client_secret": target.client_secret,
    }
    for path in TOKEN_PATHS:
        answer = requests.post(f"{target.base_url}{path}", data=form, timeout=30)
        if answer.status_code == 200:
            assert isinstance(answer.json()["expires_in"], str)
            return
    pytest.fail("no token path issued a token")


def test_assumption_unknown_job_is_404_or_500_with_code_0003(
    raw: requests.Session, live: OpsRampClient, target: Target
) -> None:
    """S3: only 200 is documented; a missing job is 404, or 500 with code 0003."""
    answer = raw.get(f"{jobs_url(target)}/{uuid.uuid4()}", timeout=30)
    assert answer.status_code == 404 or (
        answer.status_code == 500 and answer.json().get("code") == "0003"
    ), answer.text
    with pytest.raises(JobNotFoundError):
        live.get_job(str(uuid.uuid4()))


def test_assumption_validation_errors_are_a_list_of_code_fieldName_message(  # noqa: N802
    raw: requests.Session, target: Target
) -> None:
    """S4: a 400 is `[{"code", "fieldName", "message"}, …]`."""
    bad = {
        "name": f"{target.prefix}bad",
        "script": {"jobType": "adCheckList"},
        "schedule": {
            "startDate": "2099-12-01T02:30:00+0000",
            "pattern": {"type": "monthly", "dayOfMonth": "32"},
        },
    }
    answer = raw.post(jobs_url(target), json=bad, timeout=30)
    assert answer.status_code == 400
    errors = answer.json()
    assert isinstance(errors, list)
    assert errors
    assert all({"code", "fieldName", "message"} <= set(error) for error in errors)
