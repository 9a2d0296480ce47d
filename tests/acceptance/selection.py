"""Run the acceptance selection in a subprocess, through the real-tenant code path."""

from __future__ import annotations

import inspect
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.support.emulator import REPO_ROOT, EmulatorProcess
from tests.support.target import JOB_PREFIX, acceptance_requested, emulator_environment

# The separately started emulator: rate limits on (headers present), a 1 s "minute".
EMULATOR_ARGS = ("--rate-window", "1")

QUIRKS_SUPPORTED = "quirks" in inspect.signature(EmulatorProcess).parameters
needs_quirks = pytest.mark.skipif(
    not QUIRKS_SUPPORTED,
    reason="EmulatorProcess has no `quirks` parameter yet (the emulator's quirk modes)",
)
not_under_switch = pytest.mark.skipif(
    acceptance_requested(), reason="meta-test of the switch; meaningless against a tenant"
)


def emulator_in_mode(*quirks: str) -> EmulatorProcess:
    """A not yet started emulator (EMULATOR_ARGS) with these quirk modes on."""
    # Through a dict so this type-checks before and after EmulatorProcess takes `quirks`.
    options: dict[str, Any] = {"quirks": quirks} if quirks else {}
    return EmulatorProcess(*EMULATOR_ARGS, **options)


def set_quirks(emulator: EmulatorProcess, *modes: str) -> None:
    """Replace the emulator's active quirk modes at run time (POST /_emulator/quirks)."""
    answer = requests.post(f"{emulator.admin_url}/quirks", json={"quirks": list(modes)}, timeout=10)
    answer.raise_for_status()


def selection_command(
    junit: Path, *args: str, paths: tuple[str, ...] = ("tests/acceptance",)
) -> list[str]:
    """pytest on the acceptance selection (or part of it), writing a JUnit report."""
    return [
        sys.executable,
        "-m",
        "pytest",
        *paths,
        "-m",
        "acceptance",
        "-q",
        "-p",
        "no:cacheprovider",
        f"--junitxml={junit}",
        *args,
    ]


def switched_environment(emulator: EmulatorProcess) -> dict[str, str]:
    """This process's environment with OPSRAMP_ACCEPTANCE=1 pointing at the emulator."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPSRAMP_")}
    return {**env, **emulator_environment(emulator)}


def run_selection(
    emulator: EmulatorProcess,
    junit: Path,
    *args: str,
    paths: tuple[str, ...] = ("tests/acceptance",),
    timeout: float = 240,
) -> tuple[int, dict[str, str], str]:
    """(exit code, {test name: passed/failed/skipped}, output) of one switched run."""
    done = subprocess.run(
        selection_command(junit, *args, paths=paths),
        cwd=REPO_ROOT,
        env=switched_environment(emulator),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    return done.returncode, outcomes(junit), done.stdout + done.stderr


def outcomes(junit: Path) -> dict[str, str]:
    """{test name (with parameters): passed / failed / skipped} from a JUnit report."""
    found = {}
    for case in ET.parse(junit).getroot().iter("testcase"):
        name = case.get("name", "")
        if case.find("failure") is not None or case.find("error") is not None:
            found[name] = "failed"
        elif case.find("skipped") is not None:
            found[name] = "skipped"
        else:
            found[name] = "passed"
    return found


def prefixed_jobs(emulator: EmulatorProcess) -> list[str]:
    """Names of the emulator's jobs that carry the acceptance prefix."""
    names = (str(entry["job"].get("name", "")) for entry in emulator.jobs())
    return [name for name in names if name.startswith(JOB_PREFIX)]


def sweep_command() -> list[str]:
    """The by-hand sweeper, told yes (it runs without a terminal to ask on)."""
    return [sys.executable, "-m", "opsramp_jobs", "doctor", "--sweep", "--yes"]


def env_for(emulator: EmulatorProcess, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The switched environment plus extras."""
    return {**switched_environment(emulator), **(extra or {})}
