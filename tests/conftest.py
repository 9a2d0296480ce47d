"""Shared pytest configuration and fixtures: the OpsRamp emulator."""

from __future__ import annotations

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
