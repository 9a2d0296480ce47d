"""Fixtures of the docs tier: a private PULUMI_HOME; skipped e2e tests fail when required.

The `pytest_runtest_makereport` hook is the e2e tier's own (tests/e2e/conftest.py): with
OPSRAMP_REQUIRE_E2E=1 (scripts/test.sh) a skipped test marked `e2e` here fails too.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.conftest import pytest_runtest_makereport

__all__ = ["docs_pulumi_home", "pytest_runtest_makereport"]


@pytest.fixture(scope="session")
def docs_pulumi_home(pulumi_cli: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A private PULUMI_HOME for the docs tier (nothing reads or writes ~/.pulumi)."""
    return tmp_path_factory.mktemp("docs-pulumi-home")
