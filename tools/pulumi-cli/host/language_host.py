"""A minimal Pulumi language host for Python programs (the Go host is not served here).

The engine starts it as `pulumi-language-python [flags] <engine address>`; it prints the port of
its gRPC LanguageRuntime service and runs programs with `pulumi-language-python-exec` in the
program's virtualenv (Pulumi.yaml `runtime.options.virtualenv`).

As Pulumi's own host does, it makes a missing (or empty) virtualenv before a program needs it and
installs the program's requirements.txt into it, `pulumi install` does the same, and `pulumi
about` reports the program's interpreter and packages. A virtualenv it cannot use gets an error
naming the path and the commands that make it.
"""

from __future__ import annotations

import json
import os
import queue
import re
import select
import shlex
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from concurrent import futures
from pathlib import Path
from typing import Any

import grpc
import yaml
from google.protobuf import json_format
from pulumi.runtime.proto import (
    engine_pb2,
    engine_pb2_grpc,
    language_pb2,
    language_pb2_grpc,
    plugin_pb2,
)

VERSION = os.environ.get("OPSRAMP_PULUMI_VERSION", "3.274.1")
EXEC_SCRIPT = Path(__file__).resolve().with_name("pulumi-language-python-exec")
# Policy packs: the engine asks this host to RunPlugin them; the analyzer plugin runs the pack.
ANALYZER_SCRIPT = Path(__file__).resolve().with_name("pulumi-analyzer-policy-python")
# How often the host asks whether the engine that started it is still there.
PARENT_POLL_SECONDS = 0.5
REQUIREMENTS = "requirements.txt"


def _options(info: Any) -> dict[str, Any]:
    if info is None or not info.HasField("options"):
        return {}
    result: dict[str, Any] = json_format.MessageToDict(info.options)
    return result


def _virtualenv(root: str, options: dict[str, Any]) -> Path | None:
    venv = options.get("virtualenv") or os.environ.get("PULUMI_RUNTIME_VIRTUALENV")
    if not venv:
        return None
    path = Path(venv)
    return path if path.is_absolute() else Path(root) / path


def _project_virtualenv(pwd: Path) -> Path | None:
    """The virtualenv of the project at or above ``pwd`` (its Pulumi.yaml), if it names one."""
    for directory in (pwd.resolve(), *pwd.resolve().parents):
        for name in ("Pulumi.yaml", "Pulumi.yml"):
            if (directory / name).is_file():
                project = yaml.safe_load((directory / name).read_text()) or {}
                runtime = project.get("runtime")
                options = runtime.get("options") if isinstance(runtime, dict) else None
                venv = options.get("virtualenv") if isinstance(options, dict) else None
                return _virtualenv(str(directory), {"virtualenv": venv}) if venv else None
    return None


def _python(venv: Path | None) -> str:
    if venv is not None:
        return str(venv / "bin" / "python")
    return "python3"


def _base_python() -> str:
    """The interpreter that makes virtualenvs: PULUMI_PYTHON_CMD, else python3 (as Pulumi's)."""
    return os.environ.get("PULUMI_PYTHON_CMD") or "python3"


class VirtualenvError(Exception):
    """A virtualenv the host cannot use or make; the message says what to run."""


def _usable(venv: Path) -> bool:
    """Whether `venv` has an interpreter (a dangling bin/python, a deleted base Python, is not)."""
    python = venv / "bin" / "python"
    return python.is_file() and os.access(python, os.X_OK)


def _commands(venv: Path, program_dir: Path) -> str:
    """The commands that make `venv` and install the program's requirements into it."""
    python, requirements = shlex.quote(str(venv / "bin" / "python")), program_dir / REQUIREMENTS
    return (
        f"run `pulumi install`, or: python3 -m venv {shlex.quote(str(venv))} && "
        f"{python} -m pip install -r {shlex.quote(str(requirements))}"
    )


def _run_streamed(command: list[str], cwd: Path, say: Callable[[str], None]) -> None:
    """Run `command`, passing each line of its output to `say`; VirtualenvError if it fails."""
    try:
        process = subprocess.Popen(
            command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
    except OSError as error:
        raise VirtualenvError(f"could not run `{shlex.join(command)}`: {error}") from error
    assert process.stdout is not None
    for line in process.stdout:
        say(line.rstrip("\n"))
    if process.wait() != 0:
        raise VirtualenvError(f"`{shlex.join(command)}` failed (exit code {process.returncode})")


def install_dependencies(venv: Path | None, program_dir: Path, say: Callable[[str], None]) -> None:
    """Make `venv` unless it is usable, then install requirements.txt into it (`pulumi install`).

    As Pulumi's host, with one difference: pip, setuptools and wheel are not upgraded first (the
    virtualenv's own pip installs requirements.txt; one download fewer per virtualenv).
    """
    if venv is not None and not _usable(venv):
        say(f"Creating virtual environment {venv}...")
        _run_streamed([_base_python(), "-m", "venv", str(venv)], program_dir, say)
    if (program_dir / REQUIREMENTS).is_file():
        say(f"Installing dependencies from {program_dir / REQUIREMENTS}...")
        pip = [_python(venv), "-m", "pip", "install", "--disable-pip-version-check"]
        _run_streamed([*pip, "-r", REQUIREMENTS], program_dir, say)
    say("Finished installing dependencies")


def ensure_virtualenv(venv: Path | None, program_dir: Path, say: Callable[[str], None]) -> None:
    """Before a program runs: make a missing or empty virtualenv; refuse one that is broken."""
    if venv is None or _usable(venv):
        return
    if not venv.exists() or (venv.is_dir() and not any(venv.iterdir())):
        try:
            install_dependencies(venv, program_dir, say)
        except VirtualenvError as error:
            raise VirtualenvError(
                f"The program's virtualenv {venv} did not exist and making it failed: {error}. "
                f"Fix that, then {_commands(venv, program_dir)}"
            ) from error
        return
    problem = "is not a directory" if not venv.is_dir() else "has no working bin/python"
    raise VirtualenvError(
        f"The program's virtualenv {venv} (`runtime.options.virtualenv` in Pulumi.yaml) "
        f"{problem}. Point the option at a virtualenv, or make one there: "
        f"{_commands(venv, program_dir)}"
    )


def _program_paths(info: Any, pwd: str = "") -> tuple[Path, Path | None]:
    """The program's directory and its virtualenv (None: the Python on PATH) from a ProgramInfo."""
    root = info.root_directory if info is not None and info.root_directory else pwd or os.getcwd()
    directory = info.program_directory if info is not None and info.program_directory else root
    return Path(directory), _virtualenv(root, _options(info))


def _interpreter(venv: Path | None, program_dir: Path, context: Any) -> str:
    """The program's interpreter, or the call fails with how to make its virtualenv."""
    if venv is not None and not _usable(venv):
        context.abort(
            grpc.StatusCode.FAILED_PRECONDITION,
            f"The program's virtualenv {venv} does not exist or has no working bin/python: "
            f"{_commands(venv, program_dir)}",
        )
    return _python(venv)


def _output(command: list[str]) -> str:
    """The stdout of a short command ("" if it fails)."""
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    return done.stdout if done.returncode == 0 else ""


def _normalized(name: str) -> str:
    """A package name as PEP 503 compares them (Pulumi's host reports them so)."""
    return re.sub(r"[-_.]+", "-", name).lower()


class LanguageHost(language_pb2_grpc.LanguageRuntimeServicer):
    """The LanguageRuntime methods the engine needs for `preview`, `up`, `refresh`, `destroy`."""

    def __init__(self) -> None:
        self.engine_address = ""
        self._programs: set[subprocess.Popen[bytes]] = set()
        self._programs_lock = threading.Lock()
        self._virtualenv_lock = threading.Lock()  # one program's virtualenv is made once

    def _say(self, message: str) -> None:
        """An info line for the user: through the engine's log, as Pulumi's host writes it."""
        if self.engine_address:
            request = engine_pb2.LogRequest(severity=engine_pb2.INFO, message=message + "\n")
            try:
                with grpc.insecure_channel(self.engine_address) as channel:
                    engine_pb2_grpc.EngineStub(channel).Log(request, timeout=30)
                return
            except grpc.RpcError:
                pass  # the engine's log is gone: its stderr, which the engine also shows
        print(message, file=sys.stderr, flush=True)

    def _ready(self, venv: Path | None, program_dir: Path, context: Any) -> None:
        """Make the program's virtualenv if it is missing; the call fails if it is broken."""
        with self._virtualenv_lock:
            try:
                ensure_virtualenv(venv, program_dir, self._say)
            except VirtualenvError as error:
                context.abort(grpc.StatusCode.FAILED_PRECONDITION, str(error))

    def stop_programs(self) -> None:
        """Kill the programs still running (the engine is gone or shutting down)."""
        with self._programs_lock:
            for program in self._programs:
                program.kill()

    def Handshake(self, request: Any, context: Any) -> Any:  # noqa: N802 - gRPC names
        return language_pb2.LanguageHandshakeResponse()

    def GetPluginInfo(self, request: Any, context: Any) -> Any:  # noqa: N802
        return plugin_pb2.PluginInfo(version=VERSION)

    def GetRequiredPlugins(self, request: Any, context: Any) -> Any:  # noqa: N802
        return language_pb2.GetRequiredPluginsResponse(plugins=[])

    def GetRequiredPackages(self, request: Any, context: Any) -> Any:  # noqa: N802
        # The engine asks before it runs the program: the moment Pulumi's host makes the venv.
        info = request.info if request.HasField("info") else None
        program_dir, venv = _program_paths(info)
        self._ready(venv, program_dir, context)
        return language_pb2.GetRequiredPackagesResponse(packages=[])

    def GetProgramDependencies(self, request: Any, context: Any) -> Any:  # noqa: N802
        info = request.info if request.HasField("info") else None
        program_dir, venv = _program_paths(info, request.pwd)
        python = _interpreter(venv, program_dir, context)
        command = [python, "-m", "pip", "list", "--format", "json", "--disable-pip-version-check"]
        if not request.transitiveDependencies:
            command.append("--not-required")
        listed = json.loads(_output(command) or "[]")
        dependencies = [
            language_pb2.DependencyInfo(name=_normalized(item["name"]), version=item["version"])
            for item in listed
        ]
        return language_pb2.GetProgramDependenciesResponse(dependencies=dependencies)

    def RuntimeOptionsPrompts(self, request: Any, context: Any) -> Any:  # noqa: N802
        return language_pb2.RuntimeOptionsResponse(prompts=[])

    def InstallDependencies(self, request: Any, context: Any) -> Iterator[Any]:  # noqa: N802
        """`pulumi install`: make the virtualenv and install requirements.txt, streaming pip."""
        info = request.info if request.HasField("info") else None
        program_dir, venv = _program_paths(info, request.directory)
        lines: list[str] = []
        failure: list[str] = []

        def install() -> None:
            try:
                with self._virtualenv_lock:
                    install_dependencies(venv, program_dir, lines.append)
            except VirtualenvError as error:
                failure.append(str(error))

        # pip's lines are streamed to the CLI as they come, from a second thread.
        worker = threading.Thread(target=install, name="install-dependencies")
        worker.start()
        sent = 0
        while worker.is_alive() or sent < len(lines):
            worker.join(timeout=0.1)
            batch = lines[sent:]
            sent += len(batch)
            for line in batch:
                yield language_pb2.InstallDependenciesResponse(stdout=(line + "\n").encode())
        if failure:
            context.abort(grpc.StatusCode.UNKNOWN, failure[0])

    def About(self, request: Any, context: Any) -> Any:  # noqa: N802
        info = request.info if request.HasField("info") else None
        program_dir, venv = _program_paths(info)
        python = _interpreter(venv, program_dir, context)
        code = "import platform, sys; print(sys.executable); print(platform.python_version())"
        executable, _, version = _output([python, "-c", code]).strip().partition("\n")
        pip = _output([python, "-m", "pip", "--version", "--disable-pip-version-check"]).split()
        return language_pb2.AboutResponse(
            executable=executable or python,
            version=version,
            # The keys and values Pulumi's host reports.
            metadata={
                "toolchain": "Pip",
                "toolchainVersion": pip[1] if len(pip) > 1 else "",
                "typechecker": "None",
            },
        )

    def Run(self, request: Any, context: Any) -> Any:  # noqa: N802
        info = request.info if request.HasField("info") else None
        root = info.root_directory if info and info.root_directory else request.pwd
        program_dir = info.program_directory if info and info.program_directory else request.pwd
        entry = info.entry_point if info and info.entry_point else request.program or "."
        venv = _virtualenv(root, _options(info))
        self._ready(venv, Path(program_dir), context)
        program = str(Path(program_dir) / entry)
        args = [
            _python(venv),
            "-u",
            str(EXEC_SCRIPT),
            "--monitor",
            request.monitor_address,
            "--engine",
            self.engine_address,
            "--project",
            request.project,
            "--stack",
            request.stack,
            "--pwd",
            request.pwd,
            "--root_directory",
            root,
            "--dry_run",
            "true" if request.dryRun else "false",
            "--parallel",
            str(request.parallel),
        ]
        if request.organization:
            args += ["--organization", request.organization]
        args += [program, *request.args]
        env = dict(os.environ)
        env["PULUMI_CONFIG"] = json.dumps(dict(request.config))
        env["PULUMI_CONFIG_SECRET_KEYS"] = json.dumps(list(request.configSecretKeys))
        if venv is not None:
            env["VIRTUAL_ENV"] = str(venv)
            env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
        program_process = subprocess.Popen(args, cwd=request.pwd or None, env=env)
        with self._programs_lock:
            self._programs.add(program_process)
        try:
            code = program_process.wait()
        finally:
            with self._programs_lock:
                self._programs.discard(program_process)
        if code == 0:
            return language_pb2.RunResponse()
        if code == 32:
            # The program already reported its error through the engine.
            return language_pb2.RunResponse(bail=True)
        return language_pb2.RunResponse(error=f"Program exited with non-zero exit code: {code}")

    def RunPlugin(self, request: Any, context: Any) -> Any:  # noqa: N802
        """Run a policy pack (kind ``analyzer``) through the analyzer plugin; stream its output.

        The plugin gets what Pulumi gives its own: the engine's arguments, the pack's directory
        and its PulumiPolicy.yaml options as ``-name=value``, plus the project's virtualenv.
        """
        if request.kind != "analyzer":
            context.abort(
                grpc.StatusCode.UNIMPLEMENTED, f"this host runs no {request.kind!r} plugins"
            )
        info = request.info
        args = [sys.executable, str(ANALYZER_SCRIPT), *request.args, info.program_directory]
        args += [f"-{key}={value}" for key, value in _options(info).items() if value != ""]
        project_venv = _project_virtualenv(Path(request.pwd or "."))
        if project_venv is not None:
            args.append(f"-project-virtualenv={project_venv}")
        env = dict(entry.split("=", 1) for entry in request.env if "=" in entry)
        plugin = subprocess.Popen(
            args,
            cwd=request.pwd or None,
            env=env or None,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        # The engine cancels the call to stop the plugin.
        context.add_callback(plugin.kill)
        chunks: queue.Queue[tuple[str, bytes]] = queue.Queue()

        def pump(name: str, stream: Any) -> None:
            for chunk in iter(lambda: stream.read1(65536), b""):
                chunks.put((name, chunk))
            chunks.put((name, b""))

        for name, stream in (("stdout", plugin.stdout), ("stderr", plugin.stderr)):
            threading.Thread(target=pump, args=(name, stream), daemon=True).start()
        open_streams = 2
        while open_streams:
            name, chunk = chunks.get()
            if chunk and name == "stdout":
                yield language_pb2.RunPluginResponse(stdout=chunk)
            elif chunk:
                yield language_pb2.RunPluginResponse(stderr=chunk)
            else:
                open_streams -= 1
        yield language_pb2.RunPluginResponse(exitcode=plugin.wait())


def wait_for_shutdown(engine_pid: int) -> str:
    """Block until SIGINT or SIGTERM arrives, or the engine that started the host is gone.

    The engine stops its plugins with SIGINT. The kernel may deliver it to any thread, and a
    main thread blocked on a lock only noticed on its next wake-up, so a stop took 5 s (the
    engine's grace period) now and then. Here every signal also writes to a socket the main
    thread waits on (signal.set_wakeup_fd), from whichever thread it lands on. A killed engine
    sends nothing: the host sees its parent change (it is re-parented) and stops too.
    """
    received: list[str] = []
    wake_read, wake_write = socket.socketpair()
    wake_read.setblocking(False)
    wake_write.setblocking(False)
    signal.set_wakeup_fd(wake_write.fileno(), warn_on_full_buffer=False)
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda number, _frame: received.append(signal.Signals(number).name))
    try:
        while not received:
            if os.getppid() != engine_pid:
                return "engine gone"
            ready, _, _ = select.select([wake_read], [], [], PARENT_POLL_SECONDS)
            if ready:
                while True:
                    try:
                        if not wake_read.recv(512):
                            break
                    except BlockingIOError:
                        break
        return received[0]
    finally:
        signal.set_wakeup_fd(-1)
        wake_read.close()
        wake_write.close()


def main() -> None:
    engine_pid = os.getppid()
    # The engine passes its address as the last argument, after any flags.
    addresses = [a for a in sys.argv[1:] if re.fullmatch(r"(\[[0-9A-Fa-f:.]+\]|[\w.\-]+):\d+", a)]
    host = LanguageHost()
    host.engine_address = addresses[-1] if addresses else ""
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    language_pb2_grpc.add_LanguageRuntimeServicer_to_server(host, server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    print(port, flush=True)
    wait_for_shutdown(engine_pid)
    host.stop_programs()
    server.stop(0)
    # grpc's own threads must not hold the exit up.
    os._exit(0)


if __name__ == "__main__":
    main()
