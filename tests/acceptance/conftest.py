"""Fixtures of the acceptance tier: jobs named with the run's prefix, always deleted."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterator
from contextlib import suppress
from typing import Any

import pytest
import requests

from opsramp_jobs.client import TOKEN_PATHS, OpsRampClient, clear_token_cache
from opsramp_jobs.doctor import FAR_FUTURE
from opsramp_jobs.errors import JobNotFoundError
from tests.support.emulator import EmulatorProcess
from tests.support.target import Target

MakeJob = Callable[..., dict[str, Any]]
_COUNTER = itertools.count(1)


@pytest.fixture(scope="session")
def live(target: Target) -> Iterator[OpsRampClient]:
    """One client for the target, shared by the session (one token, one pacing budget)."""
    clear_token_cache()
    with target.client() as client:
        yield client


@pytest.fixture
def emulator_only(target: Target) -> EmulatorProcess:
    """The target's emulator for tests that need its admin routes; a skip against a tenant."""
    if target.emulator is None:
        pytest.skip("needs the emulator's admin routes (not available on a real tenant)")
    return target.emulator


def body(
    target: Target,
    *,
    script: dict[str, Any] | None = None,
    pattern: dict[str, Any] | None = None,
    start_date: str = FAR_FUTURE,
    **overrides: Any,
) -> dict[str, Any]:
    """A create body on the target's devices: nothing scheduled (``never``) unless a pattern
    is given, and then nothing before 2099."""
    job: dict[str, Any] = {
        "jobQueued": False,
        "entities": target.entities(),
        "script": script or {"jobType": "adCheckList"},
        "schedule": {"startDate": start_date, "pattern": pattern or {"type": "never"}},
    }
    job.update(overrides)
    return job


@pytest.fixture
def make_job(target: Target, live: OpsRampClient, request: pytest.FixtureRequest) -> MakeJob:
    """Create a job named `<run prefix><test>-<n>`; a finalizer deletes it however the test ends."""

    def create(suffix: str = "", **kwargs: Any) -> dict[str, Any]:
        name = f"{target.prefix}{request.node.name[:40]}-{next(_COUNTER)}{suffix}"
        created = live.create_job(body(target, name=name, **kwargs))
        job_id = str(created["id"])

        def delete() -> None:
            with suppress(JobNotFoundError):
                live.delete_job(job_id)

        request.addfinalizer(delete)
        return created

    return create


def token_answer(target: Target) -> tuple[str, requests.Response]:
    """(path, answer) of the first token path that issues a token: current, then legacy."""
    form = {
        "grant_type": "client_credentials",
        "client_id": target.client_id,
        "client_secret": target.client_secret,
    }
    answer: requests.Response | None = None
    for path in TOKEN_PATHS:
        answer = requests.post(f"{target.base_url}{path}", data=form, timeout=30)
        if answer.status_code != 404:
            return path, answer
    assert answer is not None
    return TOKEN_PATHS[-1], answer


class PatientSession(requests.Session):
    """A plain session that waits out a 429 (until X-RateLimit-Reset) and asks again.

    The client paces itself; these raw calls share the tenant's budget without seeing it.
    """

    max_wait = 75.0

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> Any:
        """Send; after a 429, sleep until the window resets (at most max_wait in all)."""
        waited = 0.0
        while True:
            answer = super().request(method, url, *args, **kwargs)
            if answer.status_code != 429 or waited >= self.max_wait:
                return answer
            reset = answer.headers.get("X-RateLimit-Reset", "").strip("\"'")
            pause = float(reset) - time.time() if reset.replace(".", "").isdigit() else 1.0
            pause = min(max(pause, 0.2), self.max_wait - waited)
            time.sleep(pause)
            waited += pause


@pytest.fixture(scope="session")
def raw(target: Target) -> Iterator[requests.Session]:
    """A plain HTTP session with a bearer token, for shapes the client hides."""
    _, answer = token_answer(target)
    answer.raise_for_status()
    with PatientSession() as session:
        session.headers["Authorization"] = f"Bearer {answer.json()['access_token']}"
        session.headers["Accept"] = "application/json"
        yield session


def jobs_url(target: Target) -> str:
    """The target tenant's jobs collection."""
    return f"{target.base_url}/api/v2/tenants/{target.tenant_id}/jobs"
