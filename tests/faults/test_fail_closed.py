"""Issue 20's hostile server and unlucky pipeline, under the real CLI: every case fails closed.

Each test arms the emulator's faults (docs/emulator.md) to play a proxy or a server that answers
strangely, runs the real `pulumi` CLI (one stack, or two stacks racing for the same names), and
checks what OpsRamp and the states hold afterwards:
- no job the operation did not make is deleted;
- no job is without a resource (every job in OpsRamp is in exactly one stack's state);
- no name is carried twice unless an `up` failed with a message naming it;
- the engine is left with no pending operation.
"""

from __future__ import annotations

import threading
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from opsramp_jobs.client import OpsRampClient
from tests.e2e.project import Run
from tests.faults.stack import PulumiStack
from tests.support.emulator import (
    CLIENT13_KEY,
    CLIENT13_SECRET,
    CLIENT13_TENANT,
    DEVICE_AD_SERVER,
    EmulatorProcess,
)

pytestmark = [pytest.mark.faults, pytest.mark.e2e]

CREATE_PATH = r"/api/v2/tenants/[^/]+/jobs"
JOB_PATH = r"/api/v2/tenants/[^/]+/jobs/[0-9a-f-]+"
SEARCH_PATH = r"/api/v2/tenants/[^/]+/jobs/search"
CREATE_ROUTE = "POST /api/v2/tenants/{tenantId}/jobs"
SEARCH_ROUTE = "GET /api/v2/tenants/{tenantId}/jobs/search"
EMPTY_PAGE = {"results": [], "totalResults": 0, "pageNo": 1, "pageSize": 100, "nextPage": False}


def in_opsramp(emulator: EmulatorProcess) -> dict[str, str]:
    """Job id -> name, as OpsRamp holds them."""
    return {str(entry["job"]["id"]): str(entry["job"]["name"]) for entry in emulator.jobs()}


def in_state(stack: PulumiStack) -> dict[str, str]:
    """Job id -> name, from a stack's state."""
    return {str(r["id"]): str(r["outputs"]["name"]) for r in stack.job_resources()}


def out_of_band(emulator: EmulatorProcess, name: str) -> str:
    """A job a user made outside Pulumi; its id."""
    with OpsRampClient(
        emulator.url, CLIENT13_KEY, CLIENT13_SECRET, tenant_id=CLIENT13_TENANT
    ) as client:
        body = {
            "name": name,
            "entities": [{"resource": {"id": DEVICE_AD_SERVER, "type": "DEVICE"}}],
            "script": {"jobType": "adCheckList"},
            "schedule": {"startDate": "2099-01-01T10:00:00+0000", "pattern": {"type": "never"}},
        }
        return str(client.create_job(body)["id"])


def assert_failed_closed(
    emulator: EmulatorProcess,
    runs: dict[PulumiStack, Run],
    *,
    kept: dict[str, str] | None = None,
) -> dict[str, str]:
    """The suite's invariant; `kept`: jobs made outside Pulumi, which must all still be there."""
    jobs = in_opsramp(emulator)
    for job_id, name in (kept or {}).items():
        assert jobs.pop(job_id, None) == name, f"the user's job {job_id} ({name}) was lost"
    held: Counter[str] = Counter()
    for stack in runs:
        held.update(in_state(stack).keys())
        assert not stack.pending_operations(), "the engine was left with pending operations"
    orphans = {i: n for i, n in jobs.items() if i not in held}
    assert not orphans, f"jobs in OpsRamp that no stack holds: {orphans}"
    assert not [i for i, n in held.items() if n > 1], f"one job held by two stacks: {held}"
    assert set(held) <= set(jobs), f"states hold jobs OpsRamp does not have: {held}"
    # A name carried twice: every one of its jobs is named by an `up` that failed over that name
    # (a working search shows a stack both jobs; a lagging one only its own).
    failed = [run.output for run in runs.values() if run.returncode != 0]
    for name, count in Counter(jobs.values()).items():
        if count < 2:
            continue
        about_it = [out for out in failed if repr(name) in out]
        for job_id in (i for i, n in jobs.items() if n == name):
            assert any(job_id in out for out in about_it), (
                f"{name!r} is carried twice and no failing `up` names its job {job_id}"
            )
    return jobs


def race(first: PulumiStack, second: PulumiStack, count: int) -> dict[PulumiStack, Run]:
    """Both stacks `up` the same `count` names at the same moment; their runs."""
    runs: dict[PulumiStack, Run] = {}

    def up(stack: PulumiStack) -> None:
        runs[stack] = stack.up(count, check=False)

    threads = [threading.Thread(target=up, args=(stack,)) for stack in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {first: runs[first], second: runs[second]}


@pytest.fixture
def two_stacks(
    pulumi_cli: str, fault_emulator: EmulatorProcess, tmp_path: Path
) -> tuple[PulumiStack, PulumiStack]:
    """Two stacks of one tenant that declare the same job names (two teams, one tenant)."""
    return (
        PulumiStack(tmp_path / "a", fault_emulator.url),
        PulumiStack(tmp_path / "b", fault_emulator.url),
    )


def slow_creates(emulator: EmulatorProcess, seconds: float = 0.1) -> None:
    """Creates that take a while, so that two stacks' creates of one name overlap."""
    emulator.add_fault(method="POST", path=CREATE_PATH, action="latency", seconds=seconds,
                       count=10_000)  # fmt: skip


# ------------------------------------------------------------------ what a create's answer says


def test_a_create_answered_with_another_jobs_id_keeps_the_users_job(
    new_stack: Any, fault_emulator: EmulatorProcess
) -> None:
    precious = out_of_band(fault_emulator, "precious-user-job")
    stack = new_stack()
    fault_emulator.add_fault(method="POST", path=CREATE_PATH, action="answer_after_commit",
                             body={"id": precious}, count=3)  # fmt: skip
    run = stack.up(5)
    jobs = assert_failed_closed(fault_emulator, {stack: run}, kept={precious: "precious-user-job"})
    assert sorted(jobs.values()) == [f"job {i}" for i in range(5)]
    assert precious not in in_state(stack)


def test_a_success_without_a_usable_job_is_looked_up_never_sent_twice(
    new_stack: Any, fault_emulator: EmulatorProcess
) -> None:
    stack = new_stack()
    fault_emulator.add_fault(method="POST", path=CREATE_PATH, action="answer_after_commit",
                             body="<html>OK</html>", content_type="text/html")  # fmt: skip
    fault_emulator.add_fault(method="POST", path=CREATE_PATH, action="answer_after_commit",
                             status=201, body={})  # fmt: skip
    run = stack.up(6)
    jobs = assert_failed_closed(fault_emulator, {stack: run})
    assert sorted(jobs.values()) == [f"job {i}" for i in range(6)]
    assert fault_emulator.stats()["by_route"][CREATE_ROUTE] == 6
    assert "KeyError" not in run.output


# ------------------------------------------------------------------ the guard fails closed


def test_two_stacks_whose_withdrawals_keep_failing_both_fail_naming_the_jobs(
    two_stacks: tuple[PulumiStack, PulumiStack], fault_emulator: EmulatorProcess
) -> None:
    # Creates slow enough that both stacks list the tenant before either job is stored: every
    # name collides, and each stack's withdrawal of its own job keeps failing.
    slow_creates(fault_emulator, 2.0)
    fault_emulator.add_fault(method="DELETE", path=JOB_PATH, status=503, count=10_000)
    runs = race(*two_stacks, 4)
    jobs = assert_failed_closed(fault_emulator, runs)
    assert len(jobs) > 4, "no create collided: the test proves nothing"
    assert any("pulumi destroy --target" in run.output for run in runs.values())


def test_two_stacks_whose_check_searches_keep_failing_never_leave_a_silent_duplicate(
    two_stacks: tuple[PulumiStack, PulumiStack], fault_emulator: EmulatorProcess
) -> None:
    slow_creates(fault_emulator)
    # Each stack's provider lists the tenant once; every search after that fails.
    fault_emulator.add_fault(method="GET", path=SEARCH_PATH, action="latency", seconds=0.0,
                             count=2)  # fmt: skip
    fault_emulator.add_fault(method="GET", path=SEARCH_PATH, status=503, count=10_000)
    runs = race(*two_stacks, 4)
    jobs = assert_failed_closed(fault_emulator, runs)
    assert all(run.returncode != 0 for run in runs.values())
    assert len(jobs) == sum(len(in_state(stack)) for stack in runs)


def test_two_stacks_on_a_lagging_search_both_fail_and_keep_failing_until_settled(
    two_stacks: tuple[PulumiStack, PulumiStack], fault_emulator: EmulatorProcess
) -> None:
    first, second = two_stacks
    slow_creates(fault_emulator)
    fault_emulator.add_fault(method="GET", path=SEARCH_PATH, status=200, body=EMPTY_PAGE,
                             count=10_000)  # fmt: skip
    runs = race(first, second, 3)
    jobs = assert_failed_closed(fault_emulator, runs)
    assert sorted(jobs.values()) == sorted([f"job {i}" for i in range(3)] * 2)
    for run in runs.values():
        assert run.returncode != 0
        assert "lags behind writes" in run.output
    # The search catches up: the next `up` checks again, sees both jobs, and still fails.
    fault_emulator.clear_faults()
    again = first.up(3, check=False)
    assert again.returncode != 0
    assert "pulumi destroy --target" in again.output
    # The engine stops starting steps after the first failure: at least one name is named with
    # both of its jobs.
    pairs = [[i for i, n in jobs.items() if n == f"job {k}"] for k in range(3)]
    assert any(all(i in again.output for i in pair) for pair in pairs), again.output
    assert not first.pending_operations()
    # Settled by hand the way the message says: the other stack gives its jobs up.
    second.project.run("destroy", "--yes", "--skip-preview")
    first.up(3)
    assert sorted(in_opsramp(fault_emulator).values()) == [f"job {i}" for i in range(3)]


# ------------------------------------------------------------------ paging, names, credentials


def test_a_server_that_ignores_page_no_fails_the_up_at_once(
    new_stack: Any, fault_emulator: EmulatorProcess
) -> None:
    page = {
        "results": [{"id": f"other-{i}", "name": f"other {i}"} for i in range(100)],
        "totalResults": 100_000, "pageNo": 1, "pageSize": 100, "totalPages": 1000,
        "nextPage": True,
    }  # fmt: skip
    fault_emulator.add_fault(method="GET", path=SEARCH_PATH, status=200, body=page,
                             count=100_000)  # fmt: skip
    stack = new_stack()
    run = stack.up(1, check=False)
    assert run.returncode != 0
    assert "ignores pageNo" in run.output
    assert fault_emulator.stats()["by_route"][SEARCH_ROUTE] <= 4
    assert in_opsramp(fault_emulator) == {}


def test_a_look_alike_name_is_warned_about_at_preview_and_still_created(
    new_stack: Any, fault_emulator: EmulatorProcess
) -> None:
    existing = out_of_band(fault_emulator, "JOB\u00a00")  # upper case, a no-break space
    stack = new_stack()
    stack.declare(1)
    preview = stack.project.run("preview")
    assert existing in preview.output
    assert "differs only in case, spacing or Unicode form" in preview.output
    stack.up(1)
    assert sorted(in_opsramp(fault_emulator).values()) == ["JOB\u00a00", "job 0"]


def test_wrong_credentials_fail_the_preview_once_and_a_no_change_up(
    new_stack: Any, fault_emulator: EmulatorProcess
) -> None:
    stack = new_stack()
    stack.up(3)
    stack.project.config("opsramp:clientSecret", "wrong", secret=True)
    preview = stack.project.run("preview", check=False)
    assert preview.returncode != 0
    # One error (the CLI shows it as it happens and again under "Diagnostics", where the fix is).
    assert preview.output.count("Set the integration's key and secret") == 1, preview.output
    assert "pulumi config set --secret opsramp:clientSecret" in preview.output
    up = stack.up(3, check=False)
    assert up.returncode != 0
    assert up.output.count("Set the integration's key and secret") == 1, up.output
