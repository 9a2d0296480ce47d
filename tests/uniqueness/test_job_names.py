"""The duplicate-name guard's memory (uniqueness.JobNames) against the emulator, over real HTTP."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from opsramp_jobs.client import OpsRampClient, clear_token_cache
from opsramp_jobs.uniqueness import JobNames
from tests.client.conftest import job_body
from tests.support.emulator import CLIENT13_KEY, CLIENT13_SECRET, CLIENT13_TENANT, EmulatorProcess

SEARCH = "GET /api/v2/tenants/{tenantId}/jobs/search"
CREATE = "POST /api/v2/tenants/{tenantId}/jobs"


@pytest.fixture
def client(emulator: EmulatorProcess) -> Iterator[OpsRampClient]:
    clear_token_cache()
    with OpsRampClient(
        emulator.url, CLIENT13_KEY, CLIENT13_SECRET, tenant_id=CLIENT13_TENANT, page_size=10
    ) as made:
        yield made


@pytest.fixture
def out_of_band(emulator: EmulatorProcess) -> Iterator[OpsRampClient]:
    """Someone else acting on the tenant (its own client and token)."""
    with OpsRampClient(
        emulator.url, CLIENT13_KEY, CLIENT13_SECRET, tenant_id=CLIENT13_TENANT
    ) as made:
        yield made


def routes(emulator: EmulatorProcess) -> dict[str, int]:
    counts: dict[str, int] = emulator.stats()["by_route"]
    return counts


def create(names: JobNames, client: OpsRampClient, name: str) -> tuple[list[str], str]:
    """What the provider does: claim the name, POST, record; (ids seen before, new id)."""
    with names.claim(CLIENT13_TENANT, name) as existing:
        job = client.create_job(job_body(name))
        names.record(CLIENT13_TENANT, str(job["id"]), name)
    return existing, str(job["id"])


def test_one_listing_answers_every_create_of_an_up(
    emulator: EmulatorProcess, client: OpsRampClient, out_of_band: OpsRampClient
) -> None:
    taken = out_of_band.create_job(job_body("already there"))
    emulator.reset_stats()
    names = JobNames(lambda: client, ttl=60.0)
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda i: create(names, client, f"job {i}"), range(40)))
    assert all(existing == [] for existing, _ in results)
    with names.claim(CLIENT13_TENANT, "already there") as existing:
        assert existing == [taken["id"]]
    with names.claim(CLIENT13_TENANT, "job 7") as existing:
        assert existing == [results[7][1]]
    counts = routes(emulator)
    assert counts[CREATE] == 40
    assert counts[SEARCH] == 1  # one page of 10 held the one job there was


def test_same_name_in_one_process_waits_for_the_first_create(
    emulator: EmulatorProcess, client: OpsRampClient
) -> None:
    names = JobNames(lambda: client)
    seen: list[list[str]] = []
    first_claimed, release = threading.Event(), threading.Event()

    def first() -> None:
        with names.claim(CLIENT13_TENANT, "twin") as existing:
            seen.append(existing)
            first_claimed.set()
            release.wait(5)
            job = client.create_job(job_body("twin"))
            names.record(CLIENT13_TENANT, str(job["id"]), "twin")

    thread = threading.Thread(target=first)
    thread.start()
    assert first_claimed.wait(5)
    second: dict[str, Any] = {}
    waiter = threading.Thread(target=lambda: second.update(result=claim_ids(names, "twin")))
    waiter.start()
    waiter.join(0.3)
    assert waiter.is_alive()  # held until the first create is done
    release.set()
    thread.join(5)
    waiter.join(5)
    ids = [entry["job"]["id"] for entry in emulator.jobs()]
    assert seen == [[]]
    assert second["result"] == ids


def claim_ids(names: JobNames, name: str) -> list[str]:
    with names.claim(CLIENT13_TENANT, name) as existing:
        return existing


def test_a_taken_answer_is_confirmed_live(
    emulator: EmulatorProcess, client: OpsRampClient, out_of_band: OpsRampClient
) -> None:
    job = out_of_band.create_job(job_body("short-lived"))
    names = JobNames(lambda: client, ttl=60.0)
    assert claim_ids(names, "short-lived") == [job["id"]]
    out_of_band.delete_job(job["id"])
    assert claim_ids(names, "short-lived") == [job["id"]]  # the listing is fresh
    assert names.confirm(CLIENT13_TENANT, "short-lived") == []
    assert claim_ids(names, "short-lived") == []  # and the live answer is remembered


def test_a_listing_older_than_its_ttl_is_read_again(
    emulator: EmulatorProcess, client: OpsRampClient, out_of_band: OpsRampClient
) -> None:
    names = JobNames(lambda: client, ttl=0.0)
    assert claim_ids(names, "late") == []
    late = out_of_band.create_job(job_body("late"))
    assert claim_ids(names, "late") == [late["id"]]


def test_within_its_ttl_a_listing_misses_jobs_created_since(
    emulator: EmulatorProcess, client: OpsRampClient, out_of_band: OpsRampClient
) -> None:
    # The documented window (docs/opsramp-api.md "Assumptions"): at most INDEX_TTL_SECONDS wide.
    names = JobNames(lambda: client, ttl=60.0)
    assert claim_ids(names, "late") == []
    out_of_band.create_job(job_body("late"))
    assert claim_ids(names, "late") == []


def test_deletes_free_a_name_and_renames_move_it(
    emulator: EmulatorProcess, client: OpsRampClient
) -> None:
    names = JobNames(lambda: client, ttl=60.0)
    _, old_id = create(names, client, "replace me")
    client.delete_job(old_id)
    names.forget(CLIENT13_TENANT, old_id)
    assert claim_ids(names, "replace me") == []
    _, job_id = create(names, client, "before")
    client.update_job(job_id, job_body("after"))
    names.record(CLIENT13_TENANT, job_id, "after")
    assert claim_ids(names, "before") == []
    assert claim_ids(names, "after") == [job_id]


def test_own_job_deleted_outside_is_checked_by_id(
    emulator: EmulatorProcess, client: OpsRampClient, out_of_band: OpsRampClient
) -> None:
    names = JobNames(lambda: client, ttl=60.0)
    _, job_id = create(names, client, "mine")
    out_of_band.delete_job(job_id)
    assert claim_ids(names, "mine") == [job_id]
    emulator.reset_stats()
    assert names.confirm(CLIENT13_TENANT, "mine") == []
    assert routes(emulator).get("GET /api/v2/tenants/{tenantId}/jobs/{jobId}") == 1


def test_a_large_tenant_is_searched_by_name(
    emulator: EmulatorProcess, client: OpsRampClient, out_of_band: OpsRampClient
) -> None:
    for i in range(25):  # 3 pages of 10
        out_of_band.create_job(job_body(f"existing {i}"))
    names = JobNames(lambda: client, ttl=60.0, max_pages=2)
    emulator.reset_stats()
    assert claim_ids(names, "existing 3") != []
    assert claim_ids(names, "new one") == []
    # First claim: the listing's first page says 3 pages, so it stops there and searches the
    # name; every later claim searches its name straight away.
    assert routes(emulator)[SEARCH] == 3
