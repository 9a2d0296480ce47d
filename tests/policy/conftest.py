"""The policy tier: its end-to-end tests run like tests/e2e's (fixtures, skip-is-a-failure rule)."""

from pathlib import Path

import pytest

from tests.e2e.conftest import pulumi_home, pytest_runtest_makereport
from tests.e2e.project import Project, program_project
from tests.support.emulator import EmulatorProcess

__all__ = ["policy_project", "pulumi_home", "pytest_runtest_makereport"]

PROGRAM = Path(__file__).resolve().parent / "program" / "__main__.py"


@pytest.fixture
def policy_project(pulumi_home: Path, emulator: EmulatorProcess, tmp_path: Path) -> Project:
    """A fresh project running the policy tier's program, with a `dev` stack on client_13."""
    return program_project(tmp_path, emulator, pulumi_home, PROGRAM)
