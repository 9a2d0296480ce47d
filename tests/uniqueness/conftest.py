"""Fixtures of the uniqueness tier: a NameGuard over a real client, against the emulator."""

from __future__ import annotations

from typing import Any

import pytest

from opsramp_jobs.client import OpsRampClient
from opsramp_jobs.model import Job, parse_job
from opsramp_jobs.uniqueness import NameGuard
from tests.client.conftest import _fresh_token_cache, client, job_body, make_client  # noqa: F401 (fixtures)
from tests.support.emulator import CLIENT13_TENANT

JOBS_PATH = r"/api/v2/tenants/[^/]+/jobs"
JOB_PATH = r"/api/v2/tenants/[^/]+/jobs/[0-9a-f-]{36}"
SEARCH_PATH = r"/api/v2/tenants/[^/]+/jobs/search"
CREATE_ROUTE = "POST /api/v2/tenants/{tenantId}/jobs"
SEARCH_ROUTE = "GET /api/v2/tenants/{tenantId}/jobs/search"
DELETE_ROUTE = "DELETE /api/v2/tenants/{tenantId}/jobs/{jobId}"


def new_guard(client: OpsRampClient, **overrides: Any) -> NameGuard:  # noqa: F811
    """A guard with pauses short enough for a test (the protocol is the same)."""
    options: dict[str, Any] = {
        "settle_pauses": (0.05, 0.1, 0.2),
        "withdraw_pauses": (0.05, 0.1),
        "lost_answer_settle_seconds": 0.1,
    }
    options.update(overrides)
    return NameGuard(lambda: client, **options)


@pytest.fixture
def guard(client: OpsRampClient) -> NameGuard:  # noqa: F811 (the fixture)
    """A guard for client_13 with short pauses."""
    return new_guard(client)


def declared(name: str = "nightly checklist") -> Job:
    """A valid job for client_13 named `name`."""
    return parse_job({**job_body(name), "tenantId": CLIENT13_TENANT})
