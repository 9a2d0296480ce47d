"""The OPSRAMP_ACCEPTANCE switch, proved against a separately started emulator: the selection
passes through the real-tenant code path, and a run killed midway leaves no job behind."""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.acceptance.selection import (
    EMULATOR_ARGS,
    env_for,
    not_under_switch,
    prefixed_jobs,
    run_selection,
    selection_command,
    sweep_command,
)
from tests.support.emulator import REPO_ROOT, EmulatorProcess

pytestmark = not_under_switch

DELETE_ROUTE = "DELETE /api/v2/tenants/{tenantId}/jobs/{jobId}"


@pytest.fixture
def separate_emulator() -> Iterator[EmulatorProcess]:
    """An emulator the switched subprocess reaches only through OPSRAMP_* settings."""
    with EmulatorProcess(*EMULATOR_ARGS) as process:
        yield process


def test_switched_selection_passes_end_to_end(
    separate_emulator: EmulatorProcess, tmp_path: Path
) -> None:
    code, results, output = run_selection(separate_emulator, tmp_path / "run.xml")
    assert code == 0, output[-3000:]
    assert results["test_create_get_update_delete_round_trip"] == "passed"
    # In the default mode every assumption holds, none skipped.
    assumptions = {n: o for n, o in results.items() if n.startswith("test_assumption_")}
    assert len(assumptions) >= 20
    assert set(assumptions.values()) == {"passed"}
    assert sum(outcome == "passed" for outcome in results.values()) >= 50
    # Through the real-tenant path the emulator's admin routes are out of reach:
    assert results["test_over_the_limit_is_a_429_with_the_documented_body"] == "skipped"
    assert separate_emulator.stats()["by_route"].get("POST /api/v2/tenants/{tenantId}/jobs", 0) > 40
    assert prefixed_jobs(separate_emulator) == []


def _kill_while_a_job_exists(emulator: EmulatorProcess, junit: Path) -> list[str]:
    """Start the selection, hold its first delete in the emulator, SIGKILL it; the leftovers.

    The first test makes two jobs; its first delete is held 3 s (then it completes), so at
    least the other job can only go by a sweep.
    """
    emulator.add_fault(
        method="DELETE", path=r"/api/v2/tenants/[^/]+/jobs/[^/]+", action="latency", seconds=3
    )
    process = subprocess.Popen(
        selection_command(junit),
        cwd=REPO_ROOT,
        env=env_for(emulator),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while emulator.stats()["by_route"].get(DELETE_ROUTE, 0) == 0:
            assert process.poll() is None, "the selection ended before its first delete"
            assert time.monotonic() < deadline, "no delete within 60 s"
            time.sleep(0.02)
        process.send_signal(signal.SIGKILL)
    finally:
        process.kill()
        process.wait(timeout=10)
    assert process.returncode == -signal.SIGKILL
    emulator.clear_faults()
    return prefixed_jobs(emulator)


def test_killed_run_is_swept_by_the_by_hand_sweeper(
    separate_emulator: EmulatorProcess, tmp_path: Path
) -> None:
    left = _kill_while_a_job_exists(separate_emulator, tmp_path / "killed.xml")
    assert left, "the kill came too late to prove anything"
    done = subprocess.run(
        sweep_command(),
        cwd=REPO_ROOT,
        env=env_for(separate_emulator),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "deleted 0 job(s)" not in done.stdout
    assert prefixed_jobs(separate_emulator) == []


def test_killed_run_is_swept_by_the_next_session(
    separate_emulator: EmulatorProcess, tmp_path: Path
) -> None:
    left = _kill_while_a_job_exists(separate_emulator, tmp_path / "killed.xml")
    assert left, "the kill came too late to prove anything"
    # The next session selects only tests that create nothing: the sweep alone cleans up.
    code, results, output = run_selection(
        separate_emulator, tmp_path / "next.xml", "-k", "token_path"
    )
    assert code == 0, output[-3000:]
    assert results
    assert prefixed_jobs(separate_emulator) == []
