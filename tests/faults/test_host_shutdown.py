"""The project's language host (tools/pulumi-cli/host) stops at once when told or orphaned.

No CLI needed: the host is started the way the engine starts it, by a parent process.
"""

from __future__ import annotations

import ctypes
import os
import platform
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.faults.processes import gone

HOST = Path(__file__).resolve().parents[2] / "tools" / "pulumi-cli" / "host" / "language_host.py"
# tgkill(2) sends a signal to one thread of another process (Python can only target its own).
SYS_TGKILL = {"x86_64": 234, "aarch64": 131}.get(platform.machine())


def start_host(parent_code: str = "") -> tuple[subprocess.Popen[str], int]:
    """Start the host under a parent process; (the parent, the host's pid)."""
    code = (
        "import subprocess, sys, time\n"
        f"host = subprocess.Popen([sys.executable, {str(HOST)!r}, '127.0.0.1:1'],"
        " stdout=subprocess.PIPE, text=True)\n"
        "port = host.stdout.readline().strip()\n"
        "print(host.pid, port, flush=True)\n"
        f"{parent_code}"
        "time.sleep(600)\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert parent.stdout is not None
    pid, port = parent.stdout.readline().split()
    assert port.isdigit(), "the host did not print its port"
    return parent, int(pid)


@pytest.fixture
def host() -> Iterator[tuple[subprocess.Popen[str], int]]:
    parent, pid = start_host()
    yield parent, pid
    if not gone(pid):
        os.kill(pid, signal.SIGKILL)
    parent.kill()
    parent.wait()
    if parent.stdout:
        parent.stdout.close()


def wait_gone(pid: int, seconds: float) -> float:
    """Seconds until `pid` exited (at most `seconds`, then the assertion fails)."""
    started = time.monotonic()
    while not gone(pid):
        assert time.monotonic() - started < seconds, f"process {pid} still running"
        time.sleep(0.02)
    return time.monotonic() - started


def other_threads(pid: int) -> list[int]:
    return sorted(int(t.name) for t in Path(f"/proc/{pid}/task").iterdir() if int(t.name) != pid)


@pytest.mark.skipif(SYS_TGKILL is None, reason="tgkill number unknown on this architecture")
def test_sigint_landing_on_any_thread_stops_the_host_at_once(
    host: tuple[subprocess.Popen[str], int],
) -> None:
    _, pid = host
    threads = other_threads(pid)
    assert threads, "the host runs gRPC threads besides its main one"
    libc = ctypes.CDLL(None, use_errno=True)
    assert libc.syscall(SYS_TGKILL, pid, threads[-1], signal.SIGINT) == 0
    # The engine waits 5 s for a plug-in to stop before it kills it.
    assert wait_gone(pid, 1.0) < 1.0


def test_the_host_stops_when_the_engine_that_started_it_dies(
    host: tuple[subprocess.Popen[str], int],
) -> None:
    parent, pid = host
    time.sleep(0.6)
    assert not gone(pid)
    parent.kill()
    parent.wait()
    wait_gone(pid, 3.0)
