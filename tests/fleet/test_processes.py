"""The fleet's `pulumi` processes: own sessions, and exactly the SIGINTs the fleet passes on.

Real child processes stand in for `pulumi` (a script that reports its session and counts the
SIGINTs it gets); no CLI needed.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pulumi import automation as auto

from opsramp_jobs.fleet.processes import SessionCommand, StackProcess
from opsramp_jobs.fleet.runner import _error_line

# Prints its pid, session and group; then counts SIGINTs, exiting 3 after the second.
CHILD = """
import os, signal, sys, time
print(os.getpid(), os.getsid(0), os.getpgrp(), flush=True)
count = 0
def on_int(signum, frame):
    global count
    count += 1
    print("SIGINT", count, flush=True)
    if count == 2:
        sys.exit(3)
signal.signal(signal.SIGINT, on_int)
print("ready", flush=True)
deadline = time.monotonic() + float(sys.argv[-1])
while time.monotonic() < deadline:
    time.sleep(0.05)
"""


class FakeBase(auto.PulumiCommand):
    """A PulumiCommand for a stand-in executable (no `pulumi version` run)."""

    def __init__(self, command: str) -> None:  # no super().__init__: nothing to check
        self.command = command
        self.version = None


def stand_in(tmp_path: Path) -> str:
    """An executable `pulumi` stand-in that runs CHILD."""
    script = tmp_path / "child.py"
    script.write_text(CHILD)
    executable = tmp_path / "pulumi"
    executable.write_text(f'#!/bin/sh\nexec {sys.executable} {script} "$@"\n')
    executable.chmod(0o755)
    return str(executable)


def wait_for(condition: Callable[[], bool], what: str) -> None:
    """Poll `condition()` for up to 10 s."""
    deadline = time.monotonic() + 10
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


def run_in_thread(command: SessionCommand, seconds: float) -> dict[str, Any]:
    """Run the stand-in in a thread; the dict gets its result or error."""
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["result"] = command.run(["up", str(seconds)], os.getcwd(), {})
        except auto.CommandError as exc:
            outcome["error"] = exc

    thread = threading.Thread(target=target)
    thread.start()
    outcome["thread"] = thread
    return outcome


def test_each_pulumi_leads_a_session_of_its_own(tmp_path: Path) -> None:
    """A terminal's Ctrl-C to the fleet's process group cannot reach it."""
    process = StackProcess()
    result = SessionCommand(FakeBase(stand_in(tmp_path)), process).run(["version", "0"], ".", {})
    pid, sid, group = (int(x) for x in result.stdout.splitlines()[0].split())
    assert sid == pid == group
    assert sid != os.getsid(0)
    assert list(process.stdout)[-1] == "ready"


def test_sigint_waits_for_the_engine_and_counts_ctrl_cs(tmp_path: Path) -> None:
    """No SIGINT before the engine runs; then one per Ctrl-C; the second is pulumi's 'at once'."""
    process = StackProcess()
    running = run_in_thread(SessionCommand(FakeBase(stand_in(tmp_path)), process), 10)
    wait_for(lambda: "ready" in process.stdout, "the stand-in to start")
    process.interrupt()  # Ctrl-C before any engine event: held back
    time.sleep(0.3)
    assert not any(line.startswith("SIGINT") for line in process.stdout)
    process.engine_running()  # the first engine event: the held Ctrl-C is passed on
    wait_for(lambda: "SIGINT 1" in process.stdout, "the first SIGINT")
    assert process.interrupted
    assert not process.terminated
    process.engine_running()  # more events: nothing more sent
    time.sleep(0.3)
    assert "SIGINT 2" not in process.stdout
    process.interrupt()  # the second Ctrl-C
    running["thread"].join(10)
    assert "SIGINT 2" in process.stdout
    assert process.terminated
    assert not process.killed
    error = running["error"]
    assert isinstance(error, auto.CommandError)
    assert "code: 3" in str(error)


def test_the_fleets_own_cancel_is_one_sigint_for_the_running_command_only(
    tmp_path: Path,
) -> None:
    """cancel() (pending operations found) stops the running command once, not the next one."""
    process = StackProcess()
    command = SessionCommand(FakeBase(stand_in(tmp_path)), process)
    first = run_in_thread(command, 1.5)
    wait_for(lambda: "ready" in process.stdout, "the stand-in to start")
    process.engine_running()
    process.cancel()
    process.cancel()
    first["thread"].join(10)
    assert "result" in first, first  # one SIGINT: the stand-in ran on to its end
    assert [x for x in process.stdout if x.startswith("SIGINT")] == ["SIGINT 1"]
    assert not process.interrupted
    second = run_in_thread(command, 0.5)
    wait_for(lambda: "ready" in process.stdout, "the second command")
    process.engine_running()
    second["thread"].join(10)
    assert not any(line.startswith("SIGINT") for line in process.stdout)


def test_kill_ends_what_a_second_sigint_did_not(tmp_path: Path) -> None:
    """SIGKILL, and `killed` set, so the runner removes the lock such a pulumi left."""
    process = StackProcess()
    running = run_in_thread(SessionCommand(FakeBase(stand_in(tmp_path)), process), 30)
    wait_for(lambda: "ready" in process.stdout, "the stand-in to start")
    process.kill()
    running["thread"].join(10)
    assert process.killed
    assert process.terminated
    assert "code: -9" in str(running["error"])


@pytest.mark.parametrize(
    ("diagnostics", "stderr", "stdout", "expected"),
    [
        (
            ["  error: job 'x' already exists in tenant 't' (id 1)\n"],
            ["error: update failed"],
            [],
            "job 'x' already exists in tenant 't' (id 1)",
        ),
        (
            [],
            [
                "error: the stack is currently locked by 1 lock(s). Either wait for the other "
                "process(es) to end or delete the lock file with `pulumi cancel`."
            ],
            ["Updating (s001):"],
            "the stack is currently locked by 1 lock(s). Either wait for the other process(es) "
            "to end or delete the lock file with `pulumi cancel`.",
        ),
        ([], ["panic: something"], ["Updating (s001):"], "panic: something"),
        ([], [], [], "pulumi exited with code 8 and printed no error"),
    ],
)
def test_a_failure_shows_the_engine_or_cli_message_never_only_a_code(
    diagnostics: list[str], stderr: list[str], stdout: list[str], expected: str
) -> None:
    """'code: 1' told nothing: the diagnostics, then the CLI's `error:` lines, then stderr."""
    process = StackProcess()
    process.diagnostics.extend(diagnostics)
    process.stderr.extend(stderr)
    process.stdout.extend(stdout)
    assert _error_line(process, "code 8") == expected


def test_a_failing_command_raises_the_sdks_error_with_its_output(tmp_path: Path) -> None:
    """The same CommandError subclasses as the SDK's PulumiCommand (the runner catches them)."""
    executable = tmp_path / "pulumi"
    executable.write_text("#!/bin/sh\necho 'error: no stack named \"x\" found' >&2\nexit 255\n")
    executable.chmod(0o755)
    process = StackProcess()
    with pytest.raises(auto.StackNotFoundError):
        SessionCommand(FakeBase(str(executable)), process).run(["config"], ".", {})
    assert list(process.stderr) == ['error: no stack named "x" found']
