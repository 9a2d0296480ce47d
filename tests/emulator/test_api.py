"""Job CRUD, search, types, normalisation and error answers of the emulated API."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from tests.emulator.conftest import daily_job
from tests.support.emulator import (
    CLIENT13_TENANT,
    CLIENT93_TENANT,
    DEVICE_LNX_APP_01,
    DEVICE_WEB_01,
    PARTNER_TENANT,
    EmulatorProcess,
)


def create(
    emulator: EmulatorProcess, api: requests.Session, body: Any, tenant: str = CLIENT13_TENANT
) -> dict[str, Any]:
    """Create a job and return the echo, asserting success."""
    response = api.post(emulator.jobs_url(tenant), json=body)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def errors_of(response: requests.Response) -> dict[str, str]:
    """fieldName -> message of a 400 error list."""
    assert response.status_code == 400, response.text
    body = response.json()
    assert isinstance(body, list)
    assert all(error["code"] in ("0001", "0002") for error in body)
    return {error["fieldName"]: error["message"] for error in body}


def test_update_replaces_and_delete_removes(
    emulator: EmulatorProcess, api: requests.Session
) -> None:
    """Update is a full replacement; delete answers 200 with an empty body, then 404."""
    job = create(emulator, api, daily_job("before"))
    url = f"{emulator.jobs_url()}/{job['id']}"
    body = daily_job("after", jobQueued=True, id=job["id"])
    del body["entities"]
    updated = api.post(url, json=body)
    assert updated.status_code == 200
    assert updated.json()["name"] == "after"
    assert "entities" not in api.get(url).json()
    deleted = api.delete(url)
    assert (deleted.status_code, deleted.content) == (200, b"")
    assert api.get(url).status_code == 404
    assert emulator.jobs() == []


def test_unknown_job_is_404_or_500_with_code_0003(
    emulator: EmulatorProcess, api: requests.Session
) -> None:
    """404 {code 0003}; with not_found_as_500 the same body comes with 500."""
    missing = "0f0e0d0c-0b0a-4908-8706-050403020100"
    url = f"{emulator.jobs_url()}/{missing}"
    expected = {"code": "0003", "message": f"No resource found with UUID : {missing}"}
    for method in ("GET", "DELETE"):
        response = api.request(method, url)
        assert (response.status_code, response.json()) == (404, expected)
    assert api.post(url, json=daily_job()).status_code == 404
    emulator.configure(not_found_as_500=True)
    response = api.get(url)
    assert (response.status_code, response.json()) == (500, expected)


def test_jobs_belong_to_their_tenant(emulator: EmulatorProcess, api: requests.Session) -> None:
    """A job is only reachable under the tenant it was created in."""
    job = create(emulator, api, daily_job())
    assert api.get(f"{emulator.jobs_url(CLIENT93_TENANT)}/{job['id']}").status_code == 404
    assert [row["tenantId"] for row in emulator.jobs()] == [CLIENT13_TENANT]


def test_partner_tenant_sees_all_its_clients_devices(
    emulator: EmulatorProcess, api: requests.Session
) -> None:
    """msp_12 may target devices of client_13 and client_93; a client only its own."""
    entities = [
        {"resource": {"id": DEVICE_WEB_01, "type": "DEVICE"}},
        {"resource": {"id": DEVICE_LNX_APP_01, "type": "DEVICE"}},
    ]
    job = create(emulator, api, daily_job(entities=entities), tenant=PARTNER_TENANT)
    owners = [e["resource"]["clientUniqueId"] for e in job["entities"]]
    hosts = [e["resource"]["generalInfo"]["hostName"] for e in job["entities"]]
    assert owners == [CLIENT13_TENANT, CLIENT93_TENANT]
    assert hosts == ["web-01.acme.local", "lnx-app-01.globex.internal"]
    response = api.post(emulator.jobs_url(CLIENT13_TENANT), json=daily_job(entities=entities))
    assert errors_of(response) == {
        "entities[1].resource.id": f"No resource found with UUID : {DEVICE_LNX_APP_01}"
    }


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        (
            {"type": "weekly", "weekDays": "Sunday,Tuesday,  Friday"},
            {"type": "weekly", "weekDays": "Sunday, Tuesday, Friday"},
        ),
        (
            {"type": "monthly", "dayOfMonth": "1,2, 31"},
            {"type": "monthly", "dayOfMonth": "1, 2, 31"},
        ),
        ({"type": "monthly", "dayOfMonth": 4}, {"type": "monthly", "dayOfMonth": "4"}),
        (
            {"type": "monthly", "weekIndex": "Last", "dayOfIndex": "Monday"},
            {"type": "monthly", "weekIndex": "Last", "dayOfWeek": "Monday"},
        ),
        (
            {"type": "monthly", "weekIndex": "First", "dayOfWeek": "Sunday"},
            {"type": "monthly", "weekIndex": "First", "dayOfWeek": "Sunday"},
        ),
        (
            {"type": "daily", "frequency": "every weekday"},
            {"type": "daily", "frequency": "every weekday"},
        ),
        ({"type": "run once"}, {"type": "run once"}),
        ({"type": "never"}, {"type": "never"}),
    ],
)
def test_patterns_are_normalised(
    emulator: EmulatorProcess,
    api: requests.Session,
    pattern: dict[str, Any],
    expected: dict[str, Any],
) -> None:
    """Pattern fields come back in their canonical form (separators, dayOfIndex, int days)."""
    body = daily_job(schedule={"startDate": "2030-01-01T02:00:00Z", "pattern": pattern})
    assert create(emulator, api, body)["schedule"]["pattern"] == expected


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        ("2016-04-14T10:10:10+0000", "2016-04-14T10:10:00+0000"),
        ("2016-04-14T10:10:59+00:00", "2016-04-14T10:10:00+0000"),
        ("2016-04-14T10:10:10Z", "2016-04-14T10:10:00+0000"),
        ("2016-04-14T10:10:10+0530", "2016-04-14T04:40:00+0000"),
        ("2016-04-14T23:30:00-02:00", "2016-04-15T01:30:00+0000"),
        ("2016-04-14T10:10:10.123+0000", "2016-04-14T10:10:00+0000"),
    ],
)
def test_start_date_is_rendered_in_utc_to_the_minute(
    emulator: EmulatorProcess, api: requests.Session, start: str, expected: str
) -> None:
    """Seconds dropped, offsets converted to UTC, always rendered +0000."""
    body = daily_job(schedule={"startDate": start, "pattern": {"type": "never"}})
    assert create(emulator, api, body)["schedule"]["startDate"] == expected


def test_defaults_for_name_and_job_queued(emulator: EmulatorProcess, api: requests.Session) -> None:
    """A missing name becomes "Job - <type name>"; a missing jobQueued is false."""
    body = daily_job()
    del body["name"]
    job = create(emulator, api, body)
    assert (job["name"], job["jobQueued"]) == ("Job - Asset Information", False)


def test_credential_set_is_accepted_but_never_echoed(
    emulator: EmulatorProcess, api: requests.Session
) -> None:
    """credentialSet (top level or in script) is not part of the echo."""
    body = {
        "name": "rotate",
        "credentialSet": {"uniqueId": "cred-1"},
        "script": {
            "jobType": "custom",
            "customScript": {"id": 11},
            "credentialSet": {"uniqueId": "cred-2"},
            "parameters": [{"paramId": 21, "value": "/var/log/app"}, {"paramId": 22, "value": 7}],
        },
        "schedule": {"pattern": {"type": "never"}},
    }
    job = create(emulator, api, body)
    assert "credentialSet" not in job
    assert "credentialSet" not in job["script"]
    assert job["script"]["parameters"] == [
        {"paramId": 21, "name": "logDir", "value": "/var/log/app"},
        {"paramId": 22, "name": "keepDays", "value": "7"},
    ]


@pytest.mark.parametrize(
    ("body_changes", "field"),
    [
        ({"script": {"jobType": "nope"}}, "script.jobType"),
        ({"script": {}}, "script.jobType"),
        ({"script": {"jobType": "custom", "customScript": {"id": 99}}}, "script.customScript.id"),
        (
            {
                "script": {
                    "jobType": "custom",
                    "customScript": {"id": 7},
                    "parameters": [{"paramId": 3, "value": "x"}],
                }
            },
            "script.parameters[0].paramId",
        ),
        (
            {"script": {"jobType": "appinstall", "approvalType": {"approvalType": 2}}},
            "script.approvalType.approvalType",
        ),
        ({"script": {"jobType": "adCheckList", "configParams": {}}}, "script.configParams"),
        (
            {
                "script": {
                    "jobType": "networkconfigbackup",
                    "configParams": {"versionsSaved": "SOME"},
                }
            },
            "script.configParams.versionsSaved",
        ),
        (
            {
                "entities": [
                    {"resource": {"id": "00000000-0000-4000-8000-000000000000", "type": "DEVICE"}}
                ]
            },
            "entities[0].resource.id",
        ),
        (
            {"schedule": {"startDate": "14/04/2016 10:10", "pattern": {"type": "never"}}},
            "schedule.startDate",
        ),
        ({"schedule": {"pattern": {"type": "fortnightly"}}}, "schedule.pattern.type"),
        (
            {"schedule": {"pattern": {"type": "weekly", "weekDays": "Sunday, Funday"}}},
            "schedule.pattern.weekDays",
        ),
        (
            {"schedule": {"pattern": {"type": "monthly", "dayOfMonth": "0, 32"}}},
            "schedule.pattern.dayOfMonth",
        ),
        (
            {
                "schedule": {
                    "pattern": {
                        "type": "monthly",
                        "dayOfMonth": "1",
                        "weekIndex": "First",
                        "dayOfWeek": "Monday",
                    }
                }
            },
            "schedule.pattern.dayOfMonth",
        ),
        (
            {
                "schedule": {
                    "pattern": {"type": "monthly", "weekIndex": "Fifth", "dayOfWeek": "Monday"}
                }
            },
            "schedule.pattern.weekIndex",
        ),
        (
            {"schedule": {"pattern": {"type": "monthly", "weekIndex": "First"}}},
            "schedule.pattern.dayOfWeek",
        ),
        (
            {
                "schedule": {
                    "pattern": {"type": "daily", "frequency": "recurrence", "repeatType": "days"}
                }
            },
            "schedule.pattern.repeatFrequency",
        ),
        ({"schedule": {"pattern": {"type": "daily"}}}, "schedule.pattern.frequency"),
        ({"schedule": {}}, "schedule.pattern"),
        ({"jobQueued": "maybe"}, "jobQueued"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_invalid_bodies_get_400_field_errors(
    emulator: EmulatorProcess, api: requests.Session, body_changes: dict[str, Any], field: str
) -> None:
    """Each mistake is reported with code 0002 and the offending field's path."""
    response = api.post(emulator.jobs_url(), json=daily_job(**body_changes))
    assert field in errors_of(response)
    assert emulator.jobs() == []


def test_malformed_json_is_400(emulator: EmulatorProcess, api: requests.Session) -> None:
    """A body that is not JSON answers 400 with a message, and stores nothing."""
    response = api.post(
        emulator.jobs_url(), data=b'{"name": ', headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert "Malformed JSON" in response.json()[0]["message"]
    assert emulator.jobs() == []


def test_search_pages_filters_and_omits_entities(
    emulator: EmulatorProcess, api: requests.Session
) -> None:
    """name: is a case-insensitive substring match; pages are stable and complete."""
    names = [f"Backup {i:02d}" for i in range(7)] + ["Other", "backup+plus"]
    ids = [create(emulator, api, daily_job(name))["id"] for name in names]
    url = f"{emulator.jobs_url()}/search"
    seen: list[str] = []
    for page_no in (1, 2, 3):
        page = api.get(
            url,
            params={
                "pageNo": page_no,
                "pageSize": 3,
                "queryString": "name:BACKUP",
                "isDescendingOrder": "false",
            },
        ).json()
        assert page["totalResults"] == 8
        assert page["totalPages"] == 3
        assert page["nextPage"] is (page_no < 3)
        assert page["previousPageNo"] == page_no - 1
        assert all("entities" not in job for job in page["results"])
        seen += [job["id"] for job in page["results"]]
    assert seen == [i for i, n in zip(ids, names, strict=True) if "backup" in n.lower()]
    newest_first = api.get(url, params={"pageSize": 500}).json()
    assert [job["id"] for job in newest_first["results"]] == ids[::-1]
    assert newest_first["descendingOrder"] is True
    plus = api.get(url, params={"queryString": "name:backup+plus"}).json()
    assert [job["name"] for job in plus["results"]] == ["backup+plus"]
    typed = api.get(url, params={"queryString": "name:other+jobType:assetinfo"}).json()
    assert [job["name"] for job in typed["results"]] == ["Other"]
    assert api.get(url, params={"pageSize": 501}).status_code == 400
    assert api.get(url, params={"queryString": "colour:blue"}).status_code == 400


def test_job_types_catalogue(emulator: EmulatorProcess, api: requests.Session) -> None:
    """The 14 catalogued types, lower-case "jobtype", without custom."""
    body = api.get(f"{emulator.jobs_url()}/types").json()
    types = [entry["jobtype"] for entry in body["jobNameAndType"]]
    assert len(types) == 14
    assert "custom" not in types
    assert body["jobNameAndType"][0] == {"jobName": "AD CheckList", "jobtype": "adCheckList"}


def test_unknown_methods_and_paths(emulator: EmulatorProcess, api: requests.Session) -> None:
    """There is no PUT (405), and unknown /api/v2 paths are 404."""
    assert api.put(f"{emulator.jobs_url()}/x", json={}).status_code == 405
    assert api.get(f"{emulator.url}/api/v2/tenants/client_13/widgets").status_code == 404
