"""Faults during a real `pulumi up`: every case ends with OpsRamp's jobs equal to Pulumi's state.

Each test injects faults into the emulator (see docs/emulator.md, admin API), runs the real CLI,
then checks the invariant: the set of job ids (and names) in the emulator equals the set in the
stack's state, with no name twice: no job lost, none duplicated, none orphaned. When a faulted
`up` may legitimately fail, a second, clean `up` must converge to the full declared set.
"""

from __future__ import annotations

import threading
import time
from collections import Counter

import pytest

from tests.faults.conftest import StackFactory
from tests.faults.stack import PulumiStack
from tests.support.emulator import CLIENT13_TENANT, EmulatorProcess

pytestmark = [pytest.mark.faults, pytest.mark.e2e]

CREATE_PATH = r"/api/v2/tenants/[^/]+/jobs"
JOB_PATH = r"/api/v2/tenants/[^/]+/jobs/[0-9a-f-]+"
SEARCH_PATH = r"/api/v2/tenants/[^/]+/jobs/search"
TOKEN_PATH = r"/(tenancy/)?auth/oauth/token"


def state_jobs(stack: PulumiStack) -> dict[str, str]:
    """Job id -> name, from the stack's state."""
    return {str(r["id"]): str(r["outputs"]["name"]) for r in stack.job_resources()}


def emulator_jobs(emulator: EmulatorProcess) -> dict[str, str]:
    """Job id -> name, from the emulator's store (every tenant: a job in the wrong one counts)."""
    jobs = emulator.jobs()
    assert {entry["tenantId"] for entry in jobs} <= {CLIENT13_TENANT}
    return {str(entry["job"]["id"]): str(entry["job"]["name"]) for entry in jobs}


def assert_state_matches_emulator(stack: PulumiStack, emulator: EmulatorProcess) -> dict[str, str]:
    """The invariant of this suite; returns the jobs (id -> name)."""
    in_state, in_emulator = state_jobs(stack), emulator_jobs(emulator)
    orphaned = {i: n for i, n in in_emulator.items() if i not in in_state}
    lost = {i: n for i, n in in_state.items() if i not in in_emulator}
    assert not orphaned, f"jobs in OpsRamp that Pulumi does not know: {orphaned}"
    assert not lost, f"jobs in Pulumi's state that OpsRamp does not have: {lost}"
    duplicated = [name for name, count in Counter(in_emulator.values()).items() if count > 1]
    assert not duplicated, f"job names created twice: {duplicated}"
    assert not stack.pending_operations(), "the engine was left with pending operations"
    return in_emulator


def expected_names(count: int) -> set[str]:
    """The names the stack's program declares for `count` jobs."""
    return {f"job {index}" for index in range(count)}


def converge(stack: PulumiStack, emulator: EmulatorProcess, count: int) -> None:
    """A clean `up` after the faults: succeeds, and exactly the declared jobs exist."""
    emulator.clear_faults()
    stack.up(count)
    jobs = assert_state_matches_emulator(stack, emulator)
    assert set(jobs.values()) == expected_names(count)


def test_429_storm_during_up(new_stack: StackFactory, fault_emulator: EmulatorProcess) -> None:
    """Throttled creates and searches are waited out: the `up` succeeds with no job twice."""
    stack = new_stack()
    fault_emulator.add_fault(method="POST", path=CREATE_PATH, count=12, status=429)
    fault_emulator.add_fault(method="GET", path=SEARCH_PATH, count=8, status=429)
    stack.up(10)
    assert fault_emulator.faults() == [], "not every injected 429 was hit"
    jobs = assert_state_matches_emulator(stack, fault_emulator)
    assert set(jobs.values()) == expected_names(10)


def test_5xx_bursts(new_stack: StackFactory, fault_emulator: EmulatorProcess) -> None:
    """5xx on reads, token and deletes are retried; on creates (not idempotent) they surface."""
    stack = new_stack()
    fault_emulator.add_fault(method="POST", path=TOKEN_PATH, count=2, status=502)
    fault_emulator.add_fault(method="GET", path=SEARCH_PATH, count=3, status=503)
    fault_emulator.add_fault(method="POST", path=CREATE_PATH, count=2, status=500)
    first = stack.up(10, check=False)
    # The creates answered 500 fail the `up` (the engine then starts no new ones); the server did
    # not act on them, so nothing is orphaned.
    assert first.returncode != 0, first.output[-2000:]
    assert len(assert_state_matches_emulator(stack, fault_emulator)) < 10
    converge(stack, fault_emulator, 10)
    # Shrinking deletes jobs through 503s (a DELETE is idempotent, so it is retried).
    fault_emulator.add_fault(method="DELETE", path=JOB_PATH, count=3, status=503)
    stack.up(6)
    jobs = assert_state_matches_emulator(stack, fault_emulator)
    assert set(jobs.values()) == expected_names(6)


def test_token_expiry_mid_up(new_stack: StackFactory, fault_emulator: EmulatorProcess) -> None:
    """Tokens revoked while creates are in flight: each request refreshes once and goes on."""
    stack = new_stack()
    # Slow creates stretch the `up`, so the revocations land in the middle of it.
    fault_emulator.add_fault(
        method="POST", path=CREATE_PATH, count=100, action="latency", seconds=0.15
    )
    done = threading.Event()

    def revoke_tokens() -> None:
        while not fault_emulator.jobs() and not done.is_set():
            time.sleep(0.02)
        for _ in range(3):
            if done.wait(0.3):
                return
            fault_emulator.expire_tokens()

    revoker = threading.Thread(target=revoke_tokens, daemon=True)
    revoker.start()
    try:
        stack.up(16)
    finally:
        done.set()
        revoker.join()
    stats = fault_emulator.stats()
    assert stats["tokens_issued"] >= 2, stats
    jobs = assert_state_matches_emulator(stack, fault_emulator)
    assert set(jobs.values()) == expected_names(16)


def test_connection_dropped_after_commit(
    new_stack: StackFactory, fault_emulator: EmulatorProcess
) -> None:
    """Lost answers to creates: one the server stored (adopted), one it did not (resent)."""
    stack = new_stack()
    fault_emulator.add_fault(method="POST", path=CREATE_PATH, count=2, action="drop_after_commit")
    fault_emulator.add_fault(method="POST", path=CREATE_PATH, count=1, action="drop")
    stack.up(10)
    assert fault_emulator.faults() == [], "not every injected drop was hit"
    jobs = assert_state_matches_emulator(stack, fault_emulator)
    assert set(jobs.values()) == expected_names(10)


@pytest.mark.parametrize(
    "downtime_seconds",
    [0.0, 8.0],
    ids=["quick-restart", "down-longer-than-retries"],
)
def test_emulator_restarted_mid_up(
    new_stack: StackFactory, fault_emulator: EmulatorProcess, downtime_seconds: float
) -> None:
    """OpsRamp goes away mid-`up` and comes back (same store, same port); a second `up` heals.

    A quick restart is usually ridden out by the client's retries (not asserted: it depends on how
    fast the emulator starts); a longer outage fails the first `up`.
    Either way nothing may be orphaned or lost, and the next `up` creates exactly what is missing.
    """
    stack = new_stack()
    # Slow creates keep several in flight when the emulator goes down.
    fault_emulator.add_fault(
        method="POST", path=CREATE_PATH, count=100, action="latency", seconds=0.2
    )
    port = fault_emulator.port
    restarted = threading.Event()

    def restart_when_busy() -> None:
        deadline = time.monotonic() + 60
        while len(fault_emulator.jobs()) < 4 and time.monotonic() < deadline:
            time.sleep(0.02)
        fault_emulator.stop()
        time.sleep(downtime_seconds)
        fault_emulator.start(port)
        restarted.set()

    restarter = threading.Thread(target=restart_when_busy, daemon=True)
    restarter.start()
    first = stack.up(16, check=False)
    restarter.join()
    assert restarted.is_set()
    assert fault_emulator.port == port
    if downtime_seconds > 5:
        # Longer than the client's whole retry budget (a few seconds): this `up` must fail.
        assert first.returncode != 0, "the `up` outlived an outage longer than its retries"
    assert_state_matches_emulator(stack, fault_emulator)
    converge(stack, fault_emulator, 16)
