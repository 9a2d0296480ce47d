"""Shared pytest configuration and fixtures: the OpsRamp emulator and the acceptance target."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest

from opsramp_jobs.doctor import JOB_PREFIX, sweep
from tests.support.emulator import EmulatorProcess
from tests.support.target import (
    Target,
    acceptance_requested,
    emulator_target,
    new_run_id,
    target_from_environment,
)


@pytest.fixture(scope="session")
def emulator_process() -> Iterator[EmulatorProcess]:
    """One emulator subprocess for the whole session, rate limits off so suites run fast."""
    with EmulatorProcess(rate_limit=False) as process:
        yield process


@pytest.fixture
def emulator(emulator_process: EmulatorProcess) -> EmulatorProcess:
    """The session emulator, reset (no jobs, tokens, faults, stats; start-up config)."""
    if not emulator_process.running:
        emulator_process.restart()
    emulator_process.reset()
    return emulator_process


@pytest.fixture(scope="session")
def pulumi_cli() -> str:
    """The pulumi CLI on PATH, or a skip; a failure when OPSRAMP_REQUIRE_E2E=1 (scripts/test.sh).

    A tier that needs the real CLI and silently never runs proves nothing.
    """
    binary = shutil.which("pulumi")
    if binary is None:
        message = "no pulumi CLI on PATH (bash scripts/toolchain.sh provides one)"
        if os.environ.get("OPSRAMP_REQUIRE_E2E") == "1":
            pytest.fail(f"OPSRAMP_REQUIRE_E2E=1 but {message}")
        pytest.skip(message)
    return binary


@pytest.fixture(scope="session")
def target() -> Iterator[Target]:
    """The service the acceptance tests talk to: the tenant in OPSRAMP_* when
    OPSRAMP_ACCEPTANCE=1, else an emulator of its own (rate limits on, in a 1 s "minute" so
    pacing never stalls a test).

    Every job a test leaves behind (a killed run) is swept at the start and the end.
    """
    run_id = new_run_id()
    if acceptance_requested():
        found = target_from_environment(run_id)
        with found.client() as client:
            sweep(client, found.tenant_id, JOB_PREFIX)
        yield found
        with found.client() as client:
            sweep(client, found.tenant_id, JOB_PREFIX)
        return
    with EmulatorProcess("--rate-window", "1") as process:
        yield emulator_target(process, run_id)
