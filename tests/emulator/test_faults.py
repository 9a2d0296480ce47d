"""Injected faults: status, latency, drop and drop_after_commit."""

from __future__ import annotations

import time

import pytest
import requests

from tests.emulator.conftest import daily_job
from tests.support.emulator import EmulatorProcess

JOBS_PATH = r"/api/v2/tenants/[^/]+/jobs"


def test_status_fault_answers_without_acting(
    emulator: EmulatorProcess, api: requests.Session
) -> None:
    """The canned status is answered count times; nothing is stored meanwhile."""
    emulator.add_fault(method="POST", path=JOBS_PATH, count=2, action="status", status=503)
    assert emulator.faults()[0]["count"] == 2
    for _ in range(2):
        response = api.post(emulator.jobs_url(), json=daily_job())
        assert response.status_code == 503
        assert response.json()["code"] == "503"
    assert emulator.jobs() == []
    assert emulator.faults() == []
    assert api.post(emulator.jobs_url(), json=daily_job()).status_code == 200


def test_status_fault_with_custom_body_and_method_filter(
    emulator: EmulatorProcess, api: requests.Session
) -> None:
    """A GET-only fault leaves POSTs alone; its body is returned verbatim."""
    body = {"code": "0003", "message": "No resource found with UUID : x"}
    emulator.add_fault(method="GET", path=JOBS_PATH + "/.*", action="status", status=500, body=body)
    job = api.post(emulator.jobs_url(), json=daily_job()).json()
    response = api.get(f"{emulator.jobs_url()}/{job['id']}")
    assert (response.status_code, response.json()) == (500, body)
    assert api.get(f"{emulator.jobs_url()}/{job['id']}").status_code == 200


def test_latency_fault_delays_then_handles(
    emulator: EmulatorProcess, api: requests.Session
) -> None:
    """The request is slowed by `seconds`, then served normally."""
    emulator.add_fault(method="*", path=".*/types", action="latency", seconds=0.3)
    started = time.perf_counter()
    assert api.get(f"{emulator.jobs_url()}/types").status_code == 200
    assert time.perf_counter() - started >= 0.3
    emulator.add_fault(path=".*/types", action="latency", seconds=1.0)
    with pytest.raises(requests.Timeout):
        api.get(f"{emulator.jobs_url()}/types", timeout=0.2)


def test_drop_fault_closes_without_acting(emulator: EmulatorProcess, api: requests.Session) -> None:
    """The connection closes with no answer and no job is created."""
    emulator.add_fault(method="POST", path=JOBS_PATH, action="drop")
    with pytest.raises(requests.ConnectionError):
        api.post(emulator.jobs_url(), json=daily_job())
    assert emulator.jobs() == []


def test_drop_after_commit_creates_but_never_answers(
    emulator: EmulatorProcess, api: requests.Session
) -> None:
    """The ambiguous create: the job exists although the client saw no response."""
    emulator.add_fault(method="POST", path=JOBS_PATH, action="drop_after_commit")
    with pytest.raises(requests.ConnectionError):
        api.post(emulator.jobs_url(), json=daily_job("ghost"))
    assert [row["job"]["name"] for row in emulator.jobs()] == ["ghost"]


def test_faults_apply_to_token_routes_but_never_to_admin(emulator: EmulatorProcess) -> None:
    """A catch-all fault hits the token endpoint; /_emulator keeps working."""
    emulator.add_fault(method="*", path=".*", count=1, action="status", status=502)
    assert emulator.stats()["requests"] == 0
    with pytest.raises(requests.HTTPError):
        emulator.token()
    assert emulator.faults() == []
    emulator.token()


def test_clear_and_reject_bad_specs(emulator: EmulatorProcess) -> None:
    """DELETE clears; malformed specs are 400."""
    emulator.add_fault(path=".*", count=5)
    emulator.clear_faults()
    assert emulator.faults() == []
    for spec in ({"action": "explode"}, {"path": "("}, {"count": 0}):
        response = requests.post(f"{emulator.admin_url}/faults", json=spec, timeout=5)
        assert response.status_code == 400


def test_stats_count_routes(emulator: EmulatorProcess, api: requests.Session) -> None:
    """Stats count requests by route template and successful writes; DELETE zeroes them."""
    job = api.post(emulator.jobs_url(), json=daily_job()).json()
    api.get(f"{emulator.jobs_url()}/{job['id']}")
    api.delete(f"{emulator.jobs_url()}/{job['id']}")
    stats = emulator.stats()
    assert stats["writes"] == 2
    assert stats["tokens_issued"] == 1
    assert stats["by_route"] == {
        "POST /tenancy/auth/oauth/token": 1,
        "POST /api/v2/tenants/{tenantId}/jobs": 1,
        "GET /api/v2/tenants/{tenantId}/jobs/{jobId}": 1,
        "DELETE /api/v2/tenants/{tenantId}/jobs/{jobId}": 1,
    }
    assert stats["requests"] == 4
    emulator.reset_stats()
    assert emulator.stats()["requests"] == 0
