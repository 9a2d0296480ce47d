"""The policy tier's parts: the analyzer plugin as the host starts it, and installed venvs."""

from __future__ import annotations

import importlib.machinery
import importlib.util
import os
import selectors
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path
from types import ModuleType, TracebackType

import grpc
import yaml
from pulumi.runtime.proto import analyzer_pb2_grpc

from opsramp_jobs.policy import PACK_DIRECTORY

REPO_ROOT = Path(__file__).resolve().parents[2]
REPO_VENV = REPO_ROOT / ".venv"
ANALYZER = REPO_ROOT / "tools" / "pulumi-cli" / "host" / "pulumi-analyzer-policy-python"
START_SECONDS = 60


def pack_options() -> dict[str, str]:
    """PulumiPolicy.yaml's runtime options: what the engine hands the host with the pack."""
    project = yaml.safe_load((PACK_DIRECTORY / "PulumiPolicy.yaml").read_text())
    return {key: str(value) for key, value in project["runtime"]["options"].items()}


def analyzer_module() -> ModuleType:
    """The analyzer plugin script, imported as a module (it has no .py suffix)."""
    loader = importlib.machinery.SourceFileLoader("analyzer_plugin", str(ANALYZER))
    spec = importlib.util.spec_from_loader("analyzer_plugin", loader)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


class AnalyzerProcess:
    """The pack behind the analyzer plugin, started with the arguments the host's RunPlugin uses.

    The engine address is never called by the pack; the test talks to it as the engine would.
    """

    def __init__(self, pack: Path = PACK_DIRECTORY, project_venv: Path = REPO_VENV) -> None:
        self.args = [
            sys.executable,
            str(ANALYZER),
            "127.0.0.1:1",
            str(pack),
            *(f"-{key}={value}" for key, value in pack_options().items()),
            f"-project-virtualenv={project_venv}",
        ]
        self.process: subprocess.Popen[bytes] | None = None
        self.channel: grpc.Channel | None = None

    def __enter__(self) -> analyzer_pb2_grpc.AnalyzerStub:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PULUMI_")}
        self.process = subprocess.Popen(
            self.args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
        )
        assert self.process.stdout is not None
        with selectors.DefaultSelector() as selector:
            selector.register(self.process.stdout, selectors.EVENT_READ)
            ready = selector.select(timeout=START_SECONDS)
        line = self.process.stdout.readline().decode().strip() if ready else ""
        if not line.isdigit():
            self.process.kill()
            _, err = self.process.communicate(timeout=10)
            raise AssertionError(f"the pack printed {line!r}, not a port:\n{err.decode()}")
        self.channel = grpc.insecure_channel(f"127.0.0.1:{line}")
        return analyzer_pb2_grpc.AnalyzerStub(self.channel)

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self.channel is not None:
            self.channel.close()
        if self.process is not None:
            self.process.kill()
            self.process.communicate(timeout=10)


def installed_venv(root: Path, *, with_policy_extra: bool = True) -> Path:
    """A virtualenv at ``root`` with opsramp-jobs installed as a wheel installs it (not editable).

    Its interpreter is the repo venv's base Python, its site-packages links to the repo venv's
    packages (leaving out pulumi-policy when ``with_policy_extra`` is false) and holds a copy of
    the package, so the pack sits where an install puts it: six levels below the venv.
    """
    (root / "bin").mkdir(parents=True)
    shutil.copy(REPO_VENV / "pyvenv.cfg", root / "pyvenv.cfg")
    (root / "bin" / "python").symlink_to((REPO_VENV / "bin" / "python").resolve())
    repo_site = Path(sysconfig.get_path("purelib", vars={"base": str(REPO_VENV)}))
    site = Path(sysconfig.get_path("purelib", vars={"base": str(root)}))
    site.mkdir(parents=True)
    for entry in repo_site.iterdir():
        name = entry.name.lower()
        editable = name.startswith(("__editable__", "opsramp_jobs", "opsramp-jobs"))
        if editable or (not with_policy_extra and name.startswith("pulumi_policy")):
            continue
        (site / entry.name).symlink_to(entry)
    shutil.copytree(
        REPO_ROOT / "opsramp_jobs",
        site / "opsramp_jobs",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    return root
