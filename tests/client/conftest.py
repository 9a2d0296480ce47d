"""Fixtures for the client's tests: real HTTP against the emulator, fast timeouts and backoff."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from opsramp_jobs.client import OpsRampClient, clear_token_cache
from opsramp_jobs.pacing import RateLimiter
from tests.support.emulator import (
    CLIENT13_KEY,
    CLIENT13_SECRET,
    CLIENT13_TENANT,
    DEVICE_AD_SERVER,
    EmulatorProcess,
)

ClientFactory = Callable[..., OpsRampClient]


def job_body(name: str = "nightly checklist", **overrides: Any) -> dict[str, Any]:
    """A valid create body for client_13."""
    body: dict[str, Any] = {
        "name": name,
        "jobQueued": True,
        "entities": [{"resource": {"id": DEVICE_AD_SERVER, "type": "DEVICE"}}],
        "script": {"jobType": "adCheckList"},
        "schedule": {
            "startDate": "2026-01-01T10:00:00+0000",
            "pattern": {"type": "daily", "frequency": "everyday"},
        },
    }
    body.update(overrides)
    return body


@pytest.fixture(autouse=True)
def _fresh_token_cache() -> Iterator[None]:
    """Each test starts without cached tokens (the emulator's reset revokes them anyway)."""
    clear_token_cache()
    yield
    clear_token_cache()


@pytest.fixture
def make_client(emulator: EmulatorProcess) -> Iterator[ClientFactory]:
    """Build clients for the emulator: client_13 key, short timeouts, own rate limiter."""
    clients: list[OpsRampClient] = []
    limiter = RateLimiter()

    def build(**overrides: Any) -> OpsRampClient:
        settings: dict[str, Any] = {
            "base_url": emulator.url,
            "client_id": CLIENT13_KEY,
            "client_secret": CLIENT13_SECRET,
            "tenant_id": CLIENT13_TENANT,
            "connect_timeout": 2.0,
            "read_timeout": 5.0,
            "backoff_base": 0.02,
            "backoff_cap": 0.2,
            "max_retry_seconds": 10.0,
            "max_throttle_wait": 10.0,
            "rate_limiter": limiter,
        }
        settings.update(overrides)
        client = OpsRampClient(**settings)
        clients.append(client)
        return client

    yield build
    for client in clients:
        client.close()


@pytest.fixture
def client(make_client: ClientFactory) -> OpsRampClient:
    """A client_13 client with the test defaults."""
    return make_client()


def route_count(emulator: EmulatorProcess, route: str) -> int:
    """Requests the emulator saw on a route, e.g. "POST /api/v2/tenants/{tenantId}/jobs"."""
    by_route: dict[str, int] = emulator.stats()["by_route"]
    return by_route.get(route, 0)


CREATE_ROUTE = "POST /api/v2/tenants/{tenantId}/jobs"
JOBS_PATH = r"/api/v2/tenants/[^/]+/jobs"
JOB_PATH = r"/api/v2/tenants/[^/]+/jobs/[0-9a-f-]{36}"
