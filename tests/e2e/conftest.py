"""End-to-end fixtures: the real `pulumi` CLI against the emulator.

Without a CLI these tests skip, unless OPSRAMP_REQUIRE_E2E=1 (scripts/test.sh sets it): then any
skipped end-to-end test is reported as a failure, whatever skipped it, because a tier that
silently never runs proves nothing.
"""

from __future__ import annotations

import os
from collections.abc import Generator
from pathlib import Path

import pytest

from tests.e2e.project import Project
from tests.support.emulator import CLIENT13_TENANT, EmulatorProcess

_DURATIONS = pytest.StashKey[dict[str, float]]()


@pytest.fixture(scope="session")
def pulumi_home(pulumi_cli: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One private PULUMI_HOME for the session (plugins sit beside the CLI; nothing to install).

    Shared so the CLI's per-home set-up happens once; each test still has its own backend.
    """
    return tmp_path_factory.mktemp("pulumi-home")


@pytest.fixture
def project(pulumi_home: Path, emulator: EmulatorProcess, tmp_path: Path) -> Project:
    """A fresh project with a `dev` stack on client_13, against a reset emulator."""
    created = Project(tmp_path, emulator.url, pulumi_home)
    created.new_stack("dev", CLIENT13_TENANT)
    # Stack set-up costs no OpsRamp call; start each scenario's write count from zero anyway.
    emulator.reset_stats()
    return created


def _e2e_required() -> bool:
    return os.environ.get("OPSRAMP_REQUIRE_E2E") == "1"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Turn a skipped e2e test into a failure when OPSRAMP_REQUIRE_E2E=1; record durations."""
    report = yield
    if item.get_closest_marker("e2e") is None:
        return report
    if report.skipped and _e2e_required():
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"OPSRAMP_REQUIRE_E2E=1, but this end-to-end test was skipped: {reason}"
    if report.when == "call":
        item.config.stash.setdefault(_DURATIONS, {})[item.nodeid] = report.duration
    return report


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> None:
    """How long each end-to-end scenario took (its test body; stack set-up excluded)."""
    durations = config.stash.get(_DURATIONS, {})
    if not durations:
        return
    terminalreporter.section("end-to-end scenario timings")
    for nodeid, seconds in sorted(durations.items(), key=lambda entry: -entry[1]):
        terminalreporter.write_line(f"{seconds:6.1f}s  {nodeid}")
    terminalreporter.write_line(f"{sum(durations.values()):6.1f}s  total")
