"""Creates whose answer is lost: exactly one job, or the candidates listed (create_once)."""

from __future__ import annotations

import threading

import pytest

from opsramp_jobs.errors import AmbiguousCreateError
from opsramp_jobs.pacing import RateClass, RateLimiter, Reservation
from opsramp_jobs.uniqueness import NameGuard
from tests.client.conftest import ClientFactory, job_body, route_count
from tests.support.emulator import CLIENT13_TENANT, EmulatorProcess
from tests.uniqueness.conftest import CREATE_ROUTE, JOBS_PATH, SEARCH_ROUTE, new_guard


def test_dropped_after_commit_adopts_the_stored_job(
    guard: NameGuard, emulator: EmulatorProcess
) -> None:
    guard.create_once(job_body("other job"), CLIENT13_TENANT)
    emulator.add_fault(method="POST", path=JOBS_PATH, action="drop_after_commit")
    created = guard.create_once(job_body("committed then dropped"), CLIENT13_TENANT)
    stored = [entry["job"] for entry in emulator.jobs() if entry["job"]["name"] != "other job"]
    assert [job["id"] for job in stored] == [created["id"]]
    assert created == stored[0]  # the full body, entities included
    assert route_count(emulator, CREATE_ROUTE) == 2


def test_dropped_before_commit_is_created_exactly_once(
    guard: NameGuard, emulator: EmulatorProcess
) -> None:
    emulator.add_fault(method="POST", path=JOBS_PATH, action="drop")
    created = guard.create_once(job_body("dropped"), CLIENT13_TENANT)
    assert [entry["job"]["id"] for entry in emulator.jobs()] == [created["id"]]
    assert route_count(emulator, CREATE_ROUTE) == 2


def test_an_existing_job_with_the_same_name_is_not_adopted(
    guard: NameGuard, emulator: EmulatorProcess
) -> None:
    older = guard.create_once(job_body("same name"), CLIENT13_TENANT)
    emulator.add_fault(method="POST", path=JOBS_PATH, action="drop_after_commit")
    created = guard.create_once(job_body("same name"), CLIENT13_TENANT)
    assert created["id"] != older["id"]
    assert len(emulator.jobs()) == 2


def test_a_read_timeout_on_a_create_ends_with_exactly_one_job(
    make_client: ClientFactory, emulator: EmulatorProcess
) -> None:
    # The client gives up at 0.3 s while the server is still busy: the outcome is unknown.
    # (This emulator drops the half-read request when the client hangs up, so it never commits
    # and the guard must create the job once more; a server that commits late is adopted.)
    guard = new_guard(make_client(read_timeout=0.3), lost_answer_settle_seconds=1.0)
    emulator.add_fault(method="POST", path=JOBS_PATH, action="latency", seconds=0.8)
    created = guard.create_once(job_body("slow commit"), CLIENT13_TENANT)
    assert [entry["job"]["id"] for entry in emulator.jobs()] == [created["id"]]
    assert route_count(emulator, CREATE_ROUTE) in (1, 2)


class _WritesTogether(RateLimiter):
    """Holds two threads' writes until both have finished their look-ups (a test seam)."""

    def __init__(self) -> None:
        super().__init__()
        self.barrier = threading.Barrier(2, timeout=10)

    def reserve(
        self, base_url: str, tenant_id: str, rate_class: RateClass, *, max_wait: float
    ) -> Reservation:
        if rate_class is RateClass.WRITE:
            self.barrier.wait()
        return super().reserve(base_url, tenant_id, rate_class, max_wait=max_wait)


def test_two_new_jobs_with_the_name_are_never_both_adopted(
    make_client: ClientFactory, emulator: EmulatorProcess
) -> None:
    guard = new_guard(make_client(rate_limiter=_WritesTogether()))
    emulator.add_fault(method="POST", path=JOBS_PATH, action="drop_after_commit", count=2)
    adopted: list[str] = []
    ambiguous: list[AmbiguousCreateError] = []

    def create() -> None:
        try:
            adopted.append(guard.create_once(job_body("twins"), CLIENT13_TENANT)["id"])
        except AmbiguousCreateError as exc:
            ambiguous.append(exc)

    threads = [threading.Thread(target=create) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ids = sorted(entry["job"]["id"] for entry in emulator.jobs())
    assert len(ids) == 2
    assert len(adopted) + len(ambiguous) == 2
    # Which thread sees the other's commit first depends on timing; what must never happen is
    # two callers adopting the same job. Whoever cannot tell lists every candidate.
    assert len(set(adopted)) == len(adopted)
    assert set(adopted) <= set(ids)
    for error in ambiguous:
        assert sorted(error.candidates) == ids
        assert all(job_id in str(error) for job_id in ids)


def test_a_nameless_create_that_is_dropped_is_ambiguous(
    guard: NameGuard, emulator: EmulatorProcess
) -> None:
    body = job_body()
    del body["name"]
    emulator.add_fault(method="POST", path=JOBS_PATH, action="drop_after_commit")
    with pytest.raises(AmbiguousCreateError, match="no name") as caught:
        guard.create_once(body, CLIENT13_TENANT)
    assert caught.value.candidates == []
    assert route_count(emulator, CREATE_ROUTE) == 1


def test_known_ids_skip_the_pre_create_search_and_still_settle_a_lost_answer(
    guard: NameGuard, emulator: EmulatorProcess
) -> None:
    first = guard.create_once(job_body(), CLIENT13_TENANT, existing=[])
    assert route_count(emulator, SEARCH_ROUTE) == 0
    emulator.add_fault(method="POST", path=JOBS_PATH, action="drop_after_commit")
    second = guard.create_once(job_body(), CLIENT13_TENANT, existing=[first["id"]])
    assert second["id"] != first["id"]
    assert sorted(j["job"]["id"] for j in emulator.jobs()) == sorted([first["id"], second["id"]])
