"""An `up` interrupted by a killed provider or a killed CLI, then the README's recovery.

Both end with OpsRamp's jobs equal to the state and `pulumi preview --expect-no-changes`
(docs/adoption.md "If an `up` was interrupted"). Creates are committed, then the provider's check
of the name after each create is slowed down, so the kill lands after OpsRamp stored jobs that never
reached the state.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time

import pytest

from tests.faults.conftest import StackFactory
from tests.faults.processes import children, gone, parent
from tests.faults.stack import PulumiStack
from tests.faults.test_faults import (
    SEARCH_PATH,
    assert_state_matches_emulator,
    expected_names,
    state_jobs,
)
from tests.support.emulator import EmulatorProcess

pytestmark = [pytest.mark.faults, pytest.mark.e2e]

JOBS = 12
ADOPT = {"OPSRAMP_ADOPT_EXISTING": "1"}


def interrupted_up(
    stack: PulumiStack, emulator: EmulatorProcess
) -> tuple[subprocess.Popen[str], dict[int, str]]:
    """Start an `up`, wait until OpsRamp holds a few of its jobs; the CLI and its plug-ins."""
    emulator.add_fault(method="GET", path=SEARCH_PATH, count=10_000, action="latency", seconds=0.5)
    cli = stack.start_up(JOBS)
    deadline = time.monotonic() + 60
    while len(emulator.jobs()) < 3:
        assert cli.poll() is None, cli.communicate()[0][-3000:]
        assert time.monotonic() < deadline, "the up made no jobs"
        time.sleep(0.02)
    plugins = children(cli.pid)
    for pid in list(plugins):
        plugins.update(children(pid))  # the program, under the language host
    return cli, plugins


def go_language_host(command: str) -> bool:
    """Whether a command line is Pulumi's own (Go) language host, built locally to compare."""
    return command.split(" ", 1)[0].endswith("/pulumi-language-python")


def recover(stack: PulumiStack, emulator: EmulatorProcess) -> None:
    """The documented one-off: adopt the jobs the interrupted `up` made; then nothing to do."""
    emulator.clear_faults()
    refused = stack.up(JOBS, check=False)
    assert refused.returncode != 0
    assert "already exists" in refused.output
    assert "OPSRAMP_ADOPT_EXISTING=1 pulumi up" in refused.output
    stack.run("up", "--yes", "--skip-preview", env=ADOPT)
    jobs = assert_state_matches_emulator(stack, emulator)
    assert set(jobs.values()) == expected_names(JOBS)
    stack.run("preview", "--expect-no-changes")


def test_provider_killed_mid_up(new_stack: StackFactory, fault_emulator: EmulatorProcess) -> None:
    stack = new_stack()
    cli, plugins = interrupted_up(stack, fault_emulator)
    (provider,) = [pid for pid, command in plugins.items() if "pulumi.dynamic" in command]
    os.kill(provider, signal.SIGKILL)
    output, _ = cli.communicate(timeout=60)
    assert cli.returncode != 0, output[-3000:]
    orphans = {entry["job"]["id"] for entry in fault_emulator.jobs()} - set(state_jobs(stack))
    assert orphans, "the kill left no job outside the state: the test proves nothing"
    recover(stack, fault_emulator)


def test_cli_killed_mid_up(new_stack: StackFactory, fault_emulator: EmulatorProcess) -> None:
    stack = new_stack()
    cli, plugins = interrupted_up(stack, fault_emulator)
    (provider,) = [pid for pid, command in plugins.items() if "pulumi.dynamic" in command]
    # As under Pulumi's own plugin wrapper, a shell started the provider (python is its child,
    # not exec'd): the provider's parent is that shell, not the engine.
    wrapper = parent(provider)
    assert wrapper != cli.pid, plugins
    assert "pulumi-resource-pulumi-python" in plugins[wrapper], plugins
    # Pulumi's Go language host lingers for minutes after a killed CLI (its behaviour, not ours);
    # the project's own host, the program, the wrapper and the provider must not.
    ours = {pid for pid, command in plugins.items() if not go_language_host(command)}
    cli.kill()
    cli.communicate(timeout=30)
    deadline = time.monotonic() + 5
    while not all(gone(pid) for pid in ours) and time.monotonic() < deadline:
        time.sleep(0.1)
    lingering = {pid: command for pid, command in plugins.items() if not gone(pid)}
    for pid in lingering:
        os.kill(pid, signal.SIGKILL)
    assert not lingering.keys() & ours, f"still running after the CLI was killed: {lingering}"
    # The killed CLI left its lock and its pending creates behind.
    locked = stack.run("up", "--yes", "--skip-preview", check=False)
    assert "pulumi cancel" in locked.output
    assert stack.pending_operations()
    stack.run("cancel", "--yes")
    stack.run("refresh", "--yes", "--skip-preview", "--clear-pending-creates")
    assert not stack.pending_operations()
    recover(stack, fault_emulator)
