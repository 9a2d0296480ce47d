"""Retries: 5xx bursts on reads and deletes, transport failures, 429 storms."""

from __future__ import annotations

import socket

import pytest

from opsramp_jobs.client import OpsRampClient
from opsramp_jobs.errors import (
    JobNotFoundError,
    OpsRampApiError,
    OpsRampConnectionError,
    OpsRampRateLimitError,
)
from tests.client.conftest import (
    CREATE_ROUTE,
    JOB_PATH,
    JOBS_PATH,
    ClientFactory,
    job_body,
    route_count,
)
from tests.support.emulator import EmulatorProcess

GET_ROUTE = "GET /api/v2/tenants/{tenantId}/jobs/{jobId}"
DELETE_ROUTE = "DELETE /api/v2/tenants/{tenantId}/jobs/{jobId}"


def test_a_5xx_burst_on_reads_is_retried(client: OpsRampClient, emulator: EmulatorProcess) -> None:
    created = client.create_job(job_body("read burst"))
    emulator.add_fault(method="GET", path=JOB_PATH, status=503, count=3)
    assert client.get_job(created["id"])["id"] == created["id"]
    assert route_count(emulator, GET_ROUTE) == 4


def test_a_5xx_burst_on_search_is_retried(client: OpsRampClient, emulator: EmulatorProcess) -> None:
    client.create_job(job_body("search burst"))
    emulator.add_fault(method="GET", path=r".*/jobs/search", status=500, count=2)
    assert len(client.find_jobs_by_name("search burst")) == 1


def test_a_5xx_burst_on_delete_is_retried(client: OpsRampClient, emulator: EmulatorProcess) -> None:
    created = client.create_job(job_body("delete burst"))
    emulator.add_fault(method="DELETE", path=JOB_PATH, status=502, count=2)
    client.delete_job(created["id"])
    assert emulator.jobs() == []
    assert route_count(emulator, DELETE_ROUTE) == 3


def test_retries_are_bounded(make_client: ClientFactory, emulator: EmulatorProcess) -> None:
    client = make_client(max_attempts=3)
    created = client.create_job(job_body("bounded"))
    emulator.add_fault(method="GET", path=JOB_PATH, status=503, count=10)
    with pytest.raises(OpsRampApiError, match="HTTP 503") as caught:
        client.get_job(created["id"])
    assert caught.value.status == 503
    assert route_count(emulator, GET_ROUTE) == 3


def test_a_read_timeout_on_a_read_is_retried(
    make_client: ClientFactory, emulator: EmulatorProcess
) -> None:
    client = make_client(read_timeout=0.3)
    created = client.create_job(job_body("slow read"))
    emulator.add_fault(method="GET", path=JOB_PATH, action="latency", seconds=0.8)
    assert client.get_job(created["id"])["id"] == created["id"]
    # The delayed GET was given up after 0.3 s and sent again (one fault: a GET that was not
    # given up would have been the only one).
    assert route_count(emulator, GET_ROUTE) >= 2


def test_a_lost_delete_answer_then_404_is_job_not_found(
    client: OpsRampClient, emulator: EmulatorProcess
) -> None:
    # The provider treats "gone" as a successful delete; the client reports what it saw.
    created = client.create_job(job_body("lost delete"))
    emulator.add_fault(method="DELETE", path=JOB_PATH, action="drop_after_commit")
    with pytest.raises(JobNotFoundError):
        client.delete_job(created["id"])
    assert emulator.jobs() == []


def test_connection_refused_is_a_connection_error_marked_not_sent(
    make_client: ClientFactory,
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    client = make_client(base_url=f"http://127.0.0.1:{closed_port}", max_attempts=2)
    with pytest.raises(OpsRampConnectionError, match="not delivered") as caught:
        client.create_job(job_body("nowhere"))
    assert caught.value.request_may_have_been_sent is False
    assert client.requests_sent == 2  # the token request, retried once


def test_a_429_storm_is_absorbed_and_the_create_happens_once(
    client: OpsRampClient, emulator: EmulatorProcess
) -> None:
    emulator.add_fault(method="POST", path=JOBS_PATH, status=429, count=6)
    created = client.create_job(job_body("storm"))
    assert [entry["job"]["id"] for entry in emulator.jobs()] == [created["id"]]
    assert route_count(emulator, CREATE_ROUTE) == 7


def test_a_429_storm_on_reads_is_absorbed(client: OpsRampClient, emulator: EmulatorProcess) -> None:
    emulator.add_fault(method="GET", path=r".*/jobs/types", status=429, count=5)
    assert client.job_types()


def test_endless_429s_end_in_a_rate_limit_error(
    make_client: ClientFactory, emulator: EmulatorProcess
) -> None:
    client = make_client(max_throttle_wait=1.0)
    emulator.add_fault(method="GET", path=r".*/jobs/types", status=429, count=1000)
    with pytest.raises(OpsRampRateLimitError, match="max_throttle_wait") as caught:
        client.job_types()
    assert caught.value.status == 429
