"""End-to-end fixtures: the real `pulumi` CLI against the emulator.

Without a CLI these tests skip, unless OPSRAMP_REQUIRE_E2E=1 (scripts/test.sh sets it), where a
missing CLI fails the run: an end-to-end tier that silently never runs proves nothing.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.project import Project
from tests.support.emulator import EmulatorProcess


@pytest.fixture
def project(pulumi_cli: str, emulator: EmulatorProcess, tmp_path: Path) -> Project:
    """A fresh project with a `dev` stack on client_13."""
    created = Project(tmp_path, emulator.url)
    created.new_stack("dev", "client_13")
    return created
