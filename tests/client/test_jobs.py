"""CRUD, search and job types through the client, over real HTTP."""

from __future__ import annotations

import pytest

from opsramp_jobs.client import OpsRampClient
from opsramp_jobs.errors import JobNotFoundError, OpsRampConfigError
from tests.client.conftest import ClientFactory, job_body
from tests.support.emulator import EmulatorProcess


def test_create_get_update_delete_round_trip(client: OpsRampClient) -> None:
    created = client.create_job(job_body("round trip"))
    assert created["name"] == "round trip"
    fetched = client.get_job(created["id"])
    assert fetched["entities"][0]["resource"]["id"] == created["entities"][0]["resource"]["id"]

    updated = client.update_job(created["id"], job_body("round trip renamed"))
    assert updated["id"] == created["id"]
    assert client.get_job(created["id"])["name"] == "round trip renamed"

    client.delete_job(created["id"])
    with pytest.raises(JobNotFoundError):
        client.get_job(created["id"])


def test_search_pages_through_every_result(make_client: ClientFactory) -> None:
    client = make_client(page_size=2)
    ids = {client.create_job(job_body(f"paged {index}"))["id"] for index in range(5)}
    assert {job["id"] for job in client.search_jobs()} == ids
    assert {job["id"] for job in client.search_jobs("name:paged 3")} <= ids


def test_find_jobs_by_name_is_exact_and_case_sensitive(make_client: ClientFactory) -> None:
    client = make_client(page_size=1)
    wanted = client.create_job(job_body("Backup"))
    for other in ("backup", "Backup nightly", "Old Backup"):
        client.create_job(job_body(other))
    assert [job["id"] for job in client.find_jobs_by_name("Backup")] == [wanted["id"]]
    assert client.find_jobs_by_name("Back") == []


def test_find_jobs_by_name_with_a_plus_sign(client: OpsRampClient) -> None:
    wanted = client.create_job(job_body("a+b"))
    client.create_job(job_body("a"))
    assert [job["id"] for job in client.find_jobs_by_name("a+b")] == [wanted["id"]]


def test_job_types(client: OpsRampClient) -> None:
    types = client.job_types()
    assert {"jobName": "AD CheckList", "jobtype": "adCheckList"} in types
    assert len(types) == 14


def test_tenant_override_and_missing_tenant(
    make_client: ClientFactory, emulator: EmulatorProcess
) -> None:
    no_default = make_client(tenant_id=None)
    with pytest.raises(OpsRampConfigError, match="tenant_id"):
        no_default.job_types()
    created = no_default.create_job(job_body("override"), tenant_id="client_13")
    assert [entry["tenantId"] for entry in emulator.jobs()] == ["client_13"]
    assert no_default.get_job(created["id"], tenant_id="client_13")["id"] == created["id"]


def test_client_is_a_context_manager(make_client: ClientFactory) -> None:
    with make_client() as client:
        assert client.job_types()
    assert "secret" not in repr(client)
