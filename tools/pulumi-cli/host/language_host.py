"""A minimal Pulumi language host for Python programs (the Go host is not served here).

The engine starts it as `pulumi-language-python [flags] <engine address>`; it prints the port of
its gRPC LanguageRuntime service and runs programs with `pulumi-language-python-exec` in the
program's virtualenv (Pulumi.yaml `runtime.options.virtualenv`).
"""

from __future__ import annotations

import json
import os
import queue
import re
import select
import signal
import socket
import subprocess
import sys
import threading
from concurrent import futures
from pathlib import Path
from typing import Any

import grpc
import yaml
from google.protobuf import json_format
from pulumi.runtime.proto import language_pb2, language_pb2_grpc, plugin_pb2

VERSION = os.environ.get("OPSRAMP_PULUMI_VERSION", "3.274.1")
EXEC_SCRIPT = Path(__file__).resolve().with_name("pulumi-language-python-exec")
# Policy packs: the engine asks this host to RunPlugin them; the analyzer plugin runs the pack.
ANALYZER_SCRIPT = Path(__file__).resolve().with_name("pulumi-analyzer-policy-python")
# How often the host asks whether the engine that started it is still there.
PARENT_POLL_SECONDS = 0.5


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


class LanguageHost(language_pb2_grpc.LanguageRuntimeServicer):
    """The LanguageRuntime methods the engine needs for `preview`, `up`, `refresh`, `destroy`."""

    def __init__(self) -> None:
        self.engine_address = ""
        self._programs: set[subprocess.Popen[bytes]] = set()
        self._programs_lock = threading.Lock()

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
        return language_pb2.GetRequiredPackagesResponse(packages=[])

    def GetProgramDependencies(self, request: Any, context: Any) -> Any:  # noqa: N802
        return language_pb2.GetProgramDependenciesResponse(dependencies=[])

    def RuntimeOptionsPrompts(self, request: Any, context: Any) -> Any:  # noqa: N802
        return language_pb2.RuntimeOptionsResponse(prompts=[])

    def InstallDependencies(self, request: Any, context: Any) -> Any:  # noqa: N802
        # Dependencies are the project's own business (scripts/venv.sh); nothing to stream.
        return iter(())

    def About(self, request: Any, context: Any) -> Any:  # noqa: N802
        return language_pb2.AboutResponse(executable=sys.executable, version=sys.version.split()[0])

    def Run(self, request: Any, context: Any) -> Any:  # noqa: N802
        info = request.info if request.HasField("info") else None
        root = info.root_directory if info and info.root_directory else request.pwd
        program_dir = info.program_directory if info and info.program_directory else request.pwd
        entry = info.entry_point if info and info.entry_point else request.program or "."
        venv = _virtualenv(root, _options(info))
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
    addresses = [a for a in sys.argv[1:] if re.fullmatch(r"[\w.\-\[\]]+:\d+", a)]
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
