"""The project's language host (tools/pulumi-cli/host) over gRPC, and what it needs offline.

The host runs as the engine starts it, with a stand-in engine that records the log lines the host
sends (what the CLI would show). pip installs from a local directory only (`PIP_NO_INDEX`), so
nothing is downloaded.
"""

from __future__ import annotations

import base64
import hashlib
import os
import subprocess
import sys
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import grpc
from google.protobuf import empty_pb2, struct_pb2
from pulumi.runtime.proto import engine_pb2_grpc, language_pb2, language_pb2_grpc

from tests.support.emulator import REPO_ROOT

HOST = REPO_ROOT / "tools" / "pulumi-cli" / "host" / "language_host.py"
TINY = "tinydep"  # a one-module package, as a wheel made here


def tiny_wheel(directory: Path) -> Path:
    """A wheel of `tinydep` 1.0 in `directory` (built by hand: no build backend, no download)."""
    files = {
        f"{TINY}/__init__.py": "VALUE = 1\n",
        f"{TINY}-1.0.dist-info/METADATA": f"Metadata-Version: 2.1\nName: {TINY}\nVersion: 1.0\n",
        f"{TINY}-1.0.dist-info/WHEEL": (
            "Wheel-Version: 1.0\nGenerator: tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
        ),
    }
    record = []
    for name, text in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=")
        record.append(f"{name},sha256={digest.decode()},{len(text.encode())}")
    record.append(f"{TINY}-1.0.dist-info/RECORD,,")
    files[f"{TINY}-1.0.dist-info/RECORD"] = "\n".join(record) + "\n"
    directory.mkdir(parents=True, exist_ok=True)
    wheel = directory / f"{TINY}-1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return wheel


def offline_pip(wheels: Path) -> dict[str, str]:
    """The environment that makes pip install from `wheels` only."""
    return {
        "PIP_NO_INDEX": "1",
        "PIP_FIND_LINKS": str(wheels),
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    }


class RecordingEngine(engine_pb2_grpc.EngineServicer):
    """The engine's Log service: keeps each message a plugin sends."""

    def __init__(self) -> None:
        self.messages: list[str] = []
        self.server = grpc.server(ThreadPoolExecutor(max_workers=2))
        engine_pb2_grpc.add_EngineServicer_to_server(self, self.server)
        self.address = f"127.0.0.1:{self.server.add_insecure_port('127.0.0.1:0')}"
        self.server.start()

    def Log(self, request: Any, context: Any) -> Any:  # noqa: N802 - gRPC names
        self.messages.append(request.message)
        return empty_pb2.Empty()

    def stop(self) -> None:
        self.server.stop(None).wait()


class Host:
    """The language host process, started the way the engine starts it, and a stub to it."""

    def __init__(self, engine: RecordingEngine, env: dict[str, str]) -> None:
        self.process = subprocess.Popen(
            [sys.executable, str(HOST), engine.address],
            stdout=subprocess.PIPE,
            env={**os.environ, **env},
            text=True,
        )
        assert self.process.stdout is not None
        port = self.process.stdout.readline().strip()
        assert port.isdigit(), "the host did not print its port"
        self.channel = grpc.insecure_channel(f"127.0.0.1:{port}")
        self.stub = language_pb2_grpc.LanguageRuntimeStub(self.channel)

    def close(self) -> None:
        self.channel.close()
        self.process.terminate()
        self.process.wait(timeout=10)
        if self.process.stdout:
            self.process.stdout.close()


def program_info(project: Path, virtualenv: str = "venv") -> Any:
    """The ProgramInfo the engine sends for a project with `runtime.options.virtualenv`."""
    options = struct_pb2.Struct()
    options.update({"toolchain": "pip", "virtualenv": virtualenv})
    return language_pb2.ProgramInfo(
        root_directory=str(project),
        program_directory=str(project),
        entry_point=".",
        options=options,
    )
