"""Fixtures for the fault suite: the real `pulumi` CLI, a stack, and an emulator with a db file.

Like the end-to-end tier, these tests need the `pulumi` CLI (scripts/test.sh puts it on PATH).
Without it they skip, unless OPSRAMP_REQUIRE_E2E=1 (set by scripts/test.sh), where a missing CLI
is a failure: a fault suite that silently never runs proves nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.faults.stack import PulumiStack
from tests.support.emulator import EmulatorProcess


@pytest.fixture
def fault_emulator(tmp_path: Path) -> Iterator[EmulatorProcess]:
    """A private emulator whose jobs live in a SQLite file, so it can be restarted mid-`up`."""
    with EmulatorProcess(db_path=tmp_path / "jobs.db", rate_limit=False) as process:
        yield process


StackFactory = Callable[[], PulumiStack]


@pytest.fixture
def new_stack(pulumi_cli: str, fault_emulator: EmulatorProcess, tmp_path: Path) -> StackFactory:
    """Make the test's stack (a factory, so the emulator's URL is final when it is created)."""

    def make() -> PulumiStack:
        return PulumiStack(tmp_path / "pulumi", fault_emulator.url)

    return make
