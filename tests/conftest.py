"""Shared pytest configuration and fixtures: the OpsRamp emulator."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest

from tests.support.emulator import EmulatorProcess


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
