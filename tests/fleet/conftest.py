"""Fleet tier: the fleet command drives real pulumi CLI stacks against the emulator."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.e2e.project import REPO_ROOT, hermetic_env
from tests.support.emulator import EmulatorProcess

SYNTHETIC_CLIENTS = 5
FLEET_TIMEOUT_SECONDS = 240


def synthetic_device(index: int, device: int) -> str:
    """Device `device` of synthetic client `index`, by the documented formula (docs/fleet.md)."""
    return f"{index:08x}-5e00-4000-8000-{device:012x}"


def synthetic_tenant(index: int) -> str:
    """The documented id of synthetic client `index`."""
    return f"client_s{index:03d}"


class NoAliasDumper(yaml.SafeDumper):
    """PyYAML's safe dumper without `&anchors` for objects used twice."""

    def ignore_aliases(self, data: Any) -> bool:
        """Always write the value out."""
        return True


@dataclass(frozen=True)
class FleetRun:
    """One `python -m opsramp_jobs.fleet` invocation."""

    returncode: int
    stdout: str
    stderr: str

    def summary(self) -> dict[str, dict[str, Any]]:
        """The `--json` summary by tenant."""
        stacks = json.loads(self.stdout)["stacks"]
        return {row["tenant"]: row for row in stacks}


class FleetHarness:
    """A fleet file, a hermetic Pulumi environment and the command to drive them."""

    def __init__(self, workdir: Path, emulator: EmulatorProcess, pulumi_cli: str) -> None:
        self.workdir = workdir
        self.emulator = emulator
        (workdir / "home").mkdir()
        (workdir / "state").mkdir()
        self.env = hermetic_env(workdir / "home", workdir / "state")
        self.env["PATH"] = f"{Path(pulumi_cli).parent}{os.pathsep}{self.env['PATH']}"
        self.file = workdir / "fleet.yaml"

    def write(self, fleet: dict[str, Any]) -> None:
        """Write the fleet file (shared dicts written out: a fleet file refuses YAML anchors)."""
        self.file.write_text(yaml.dump(fleet, Dumper=NoAliasDumper, sort_keys=False))

    def start(self, *args: str, new_group: bool = False) -> subprocess.Popen[str]:
        """Start the fleet command; `new_group`: as the leader of a process group of its own,
        as a shell starts a job, so a test can signal the group as a terminal's Ctrl-C does."""
        return subprocess.Popen(
            [sys.executable, "-m", "opsramp_jobs.fleet", *args],
            cwd=REPO_ROOT,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=new_group,
        )

    def run(self, *args: str) -> FleetRun:
        """Run the fleet command to completion."""
        process = self.start(*args)
        stdout, stderr = process.communicate(timeout=FLEET_TIMEOUT_SECONDS)
        return FleetRun(process.returncode, stdout, stderr)

    def jobs_by_tenant(self) -> dict[str, list[dict[str, Any]]]:
        """Every job in the emulator, grouped by tenant id."""
        grouped: dict[str, list[dict[str, Any]]] = {}
        for entry in self.emulator.jobs():
            grouped.setdefault(entry["tenantId"], []).append(entry["job"])
        return grouped

    def interrupt(self, process: subprocess.Popen[str], signum: int = signal.SIGINT) -> FleetRun:
        """Send `signum` to the fleet process only and wait for it to exit."""
        process.send_signal(signum)
        stdout, stderr = process.communicate(timeout=FLEET_TIMEOUT_SECONDS)
        return FleetRun(process.returncode, stdout, stderr)


def wait_until(condition: Any, timeout: float, what: str) -> None:
    """Poll `condition()` every 0.2 s until it is true; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.2)


@pytest.fixture(scope="module")
def fleet_emulator() -> Iterator[EmulatorProcess]:
    """An emulator with client_s001..client_s005 of msp_12, rate limits off."""
    with EmulatorProcess(rate_limit=False, synthetic_clients=SYNTHETIC_CLIENTS) as process:
        yield process


@pytest.fixture
def fleet(fleet_emulator: EmulatorProcess, pulumi_cli: str, tmp_path: Path) -> FleetHarness:
    """A fresh harness (own backend) against the reset synthetic-client emulator."""
    fleet_emulator.reset()
    return FleetHarness(tmp_path, fleet_emulator, pulumi_cli)
