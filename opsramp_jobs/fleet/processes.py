"""The `pulumi` processes of a fleet: each in its own session, stopped only by the fleet.

A terminal's Ctrl-C signals its whole foreground process group. A `pulumi` in that group would
get it along with the fleet and, when the fleet passed it on, get it twice: the second SIGINT
makes pulumi terminate at once, leaving the creates in flight as pending operations and their
jobs in OpsRamp without a resource (4 tenants: 16 jobs in OpsRamp, 7 in the states, 9 pending
creates). Pulumi keeps its own plugins out of the terminal's group the same way
(`cmdutil.RegisterProcessGroup`). So every `pulumi` the fleet starts is the leader of a new
session, and the fleet alone decides which SIGINTs it gets: one per Ctrl-C, and only once its
engine runs (a SIGINT before pulumi's cancellation scope exists kills it, lock held).
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
from collections import deque
from collections.abc import Mapping
from typing import Any

from pulumi import automation as auto
from pulumi.automation.errors import create_command_error

__all__ = ["OUTPUT_LINES", "SessionCommand", "StackProcess"]

# Lines of a command's stdout and stderr kept for its error message.
OUTPUT_LINES = 40


class StackProcess:
    """The running `pulumi` of one stack, and the SIGINTs owed to it.

    Called from the stack's thread (started, finished), the engine-event thread (engine_running)
    and the main thread (interrupt, kill), hence the lock.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._process: subprocess.Popen[str] | None = None
        self._engine_running = False
        self._interrupts = 0  # Ctrl-Cs the user gave while this stack ran
        self._cancel = False  # the fleet's own request to stop the running command once
        self._sent = 0
        self.terminated = False
        """True once this stack's pulumi got a second SIGINT (or a SIGKILL)."""
        self.killed = False
        """True once this stack's pulumi got a SIGKILL: it could not release its lock."""
        self.stdout: deque[str] = deque(maxlen=OUTPUT_LINES)
        self.stderr: deque[str] = deque(maxlen=OUTPUT_LINES)
        self.diagnostics: list[str] = []
        """The engine's error diagnostics of the running (or last) operation."""

    def started(self, process: subprocess.Popen[str]) -> None:
        """A pulumi command of this stack started; its output starts afresh."""
        with self._lock:
            self._process, self._engine_running, self._sent = process, False, 0
            self._cancel = False
            self.stdout.clear()
            self.stderr.clear()
            self.diagnostics.clear()

    def finished(self) -> None:
        """The command exited (and was reaped)."""
        with self._lock:
            self._process, self._engine_running = None, False

    def engine_running(self) -> None:
        """An engine event arrived: pulumi's cancellation scope exists, SIGINT now cancels."""
        with self._lock:
            self._engine_running = True
            self._deliver()

    def interrupt(self) -> None:
        """One Ctrl-C: the first cancels the operation, the second makes pulumi stop at once."""
        with self._lock:
            self._interrupts += 1
            self._deliver()

    def cancel(self) -> None:
        """Stop the running operation as one Ctrl-C would (not the stack's later commands)."""
        with self._lock:
            self._cancel = True
            self._deliver()

    def kill(self) -> None:
        """SIGKILL the running command, if any (after a second Ctrl-C did not end it)."""
        with self._lock:
            if self._process is not None and self._process.poll() is None:
                self.terminated = self.killed = True
                self._process.kill()

    @property
    def interrupted(self) -> bool:
        """Whether the user's Ctrl-C reached this stack's operation."""
        with self._lock:
            return self._interrupts > 0

    def _deliver(self) -> None:
        wanted = max(self._interrupts, 1 if self._cancel else 0)
        process = self._process
        while self._engine_running and self._sent < wanted:
            if process is None or process.poll() is not None:
                return
            process.send_signal(signal.SIGINT)
            self._sent += 1
            if self._sent >= 2:
                self.terminated = True


class SessionCommand(auto.PulumiCommand):
    """`pulumi`, run the Automation API's way but as the leader of a new session.

    Same arguments, environment and errors as `PulumiCommand.run` (SDK 3.272); the differences:
    the process's own session (see the module), no stdin, and its output kept in `process`.
    """

    def __init__(self, base: auto.PulumiCommand, process: StackProcess) -> None:
        # No super().__init__: it would run `pulumi version` again; `base` already did.
        self.command = base.command
        self.version = base.version
        self.process = process

    def run(
        self,
        args: list[str],
        cwd: str,
        additional_env: Mapping[str, str],
        on_output: auto.OnOutput | None = None,
        on_error: auto.OnOutput | None = None,
    ) -> auto.CommandResult:
        """Run `pulumi args...` in `cwd`; CommandError (or a subclass) when it fails."""
        separator = args.index("--") if "--" in args else len(args)
        if "--non-interactive" not in args[:separator]:
            args = ["--non-interactive", *args]
        env = {**os.environ, **additional_env, "PULUMI_AUTOMATION_API": "true"}
        if os.path.isabs(self.command):
            # As the SDK does: plugins next to this pulumi first.
            env["PATH"] = os.pathsep.join([os.path.dirname(self.command), env.get("PATH", "")])
        with subprocess.Popen(
            [self.command, *args],
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            encoding="utf-8",
            start_new_session=True,
        ) as process:
            self.process.started(process)
            stdout: list[str] = []
            stderr: list[str] = []
            readers = [
                threading.Thread(
                    target=_read, args=(process.stdout, on_output, stdout, self.process.stdout)
                ),
                threading.Thread(
                    target=_read, args=(process.stderr, on_error, stderr, self.process.stderr)
                ),
            ]
            for reader in readers:
                reader.start()
            for reader in readers:
                reader.join()
            code = process.wait()
        self.process.finished()
        result = auto.CommandResult(stdout="\n".join(stdout), stderr="\n".join(stderr), code=code)
        if code != 0:
            raise create_command_error(result)
        return result


def _read(stream: Any, callback: auto.OnOutput | None, lines: list[str], tail: deque[str]) -> None:
    for line in iter(stream.readline, ""):
        stripped = line.rstrip()
        if callback:
            callback(stripped)
        lines.append(stripped)
        tail.append(stripped)
    stream.close()
