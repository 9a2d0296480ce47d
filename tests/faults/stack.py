"""A throw-away Pulumi project and stack driven by the real `pulumi` CLI, hermetically.

Used by the fault suite and by the benchmark (state size, tokens per `up`). Everything lives in a
temporary directory: `PULUMI_HOME`, a `file://` backend, the program. The program declares
`opsramp:jobCount` jobs named `<jobPrefix> <index>` in the default tenant.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.support.emulator import CLIENT13_TENANT, DEVICE_AD_SERVER, PARTNER_KEY, PARTNER_SECRET

REPO_ROOT = Path(__file__).resolve().parents[2]
JOB_TYPE = "pulumi-python:dynamic/opsramp:OpsRampJob"
PASSPHRASE = "fault-suite"

# The program: N jobs whose names come from config, so a test can grow or shrink the set.
PROGRAM = f'''\
import pulumi

from opsramp_jobs import AdCheckList, OpsRampJob

config = pulumi.Config("bench")
count = config.require_int("jobCount")
prefix = config.get("jobPrefix") or "job"
for index in range(count):
    OpsRampJob(
        f"{{prefix}}-{{index}}",
        name=f"{{prefix}} {{index}}",
        device_ids=["{DEVICE_AD_SERVER}"],
        script=AdCheckList(),
        schedule={{
            "startDate": "2026-12-01T02:30:00+0000",
            "pattern": {{"type": "daily", "frequency": "everyday"}},
        }},
        job_queued=True,
    )
'''


def pulumi_binary() -> str | None:
    """The `pulumi` on PATH (scripts/test.sh and scripts/bench.sh put the toolchain there)."""
    return shutil.which("pulumi")


@dataclass
class UpResult:
    """What a `pulumi up` returned."""

    returncode: int
    output: str


class PulumiStack:
    """One project directory, one `dev` stack on a local file backend."""

    def __init__(self, workdir: Path, api_url: str, *, job_prefix: str = "job") -> None:
        binary = pulumi_binary()
        if binary is None:
            raise RuntimeError("no pulumi CLI on PATH (run `bash scripts/toolchain.sh`)")
        self.binary = binary
        self.workdir = workdir
        self.project = workdir / "project"
        self.project.mkdir(parents=True, exist_ok=True)
        (workdir / "state").mkdir(exist_ok=True)
        (workdir / "home").mkdir(exist_ok=True)
        venv = Path(sys.prefix)
        (self.project / "Pulumi.yaml").write_text(
            "name: opsramp-faults\n"
            "runtime:\n  name: python\n  options:\n"
            f"    toolchain: pip\n    virtualenv: {venv}\n"
        )
        (self.project / "__main__.py").write_text(PROGRAM)
        self.env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("OPSRAMP_", "PULUMI_"))
        }
        self.env.update(
            {
                "PULUMI_HOME": str(workdir / "home"),
                "PULUMI_BACKEND_URL": f"file://{workdir / 'state'}",
                "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE,
                "PULUMI_SKIP_UPDATE_CHECK": "true",
                "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
                "PULUMI_RUNTIME_VIRTUALENV": str(venv),
                "VIRTUAL_ENV": str(venv),
                "PATH": f"{venv / 'bin'}{os.pathsep}{self.env.get('PATH', '')}",
                "PYTHONPATH": str(REPO_ROOT),
            }
        )
        self.run("stack", "init", "dev")
        self.set_config("opsramp:apiUrl", api_url)
        self.set_config("opsramp:clientId", PARTNER_KEY)
        self.set_config("opsramp:clientSecret", PARTNER_SECRET, secret=True)
        self.set_config("opsramp:tenantId", CLIENT13_TENANT)
        self.set_config("bench:jobPrefix", job_prefix)

    def run(self, *args: str, check: bool = True, timeout: float = 600) -> UpResult:
        """Run one pulumi command in the project; output is stdout and stderr together."""
        completed = subprocess.run(
            [self.binary, *args],
            cwd=self.project,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=timeout,
            check=False,
        )
        if check and completed.returncode != 0:
            raise RuntimeError(f"pulumi {' '.join(args)} failed:\n{completed.stdout[-4000:]}")
        return UpResult(completed.returncode, completed.stdout)

    def set_config(self, key: str, value: str, *, secret: bool = False) -> None:
        """`pulumi config set [--secret] key value`."""
        self.run("config", "set", *(["--secret"] if secret else []), key, value)

    def up(self, job_count: int, *, check: bool = True, parallel: int = 4) -> UpResult:
        """`pulumi up` of `job_count` jobs; check=False returns a failed run instead of raising."""
        self.set_config("bench:jobCount", str(job_count))
        return self.run(
            "up",
            "--yes",
            "--non-interactive",
            "--skip-preview",
            f"--parallel={parallel}",
            check=check,
        )

    def refresh(self, *, check: bool = True) -> UpResult:
        """`pulumi refresh`: drop jobs that are gone, re-read the others."""
        return self.run("refresh", "--yes", "--non-interactive", "--skip-preview", check=check)

    def export(self) -> dict[str, Any]:
        """`pulumi stack export` as JSON."""
        result: dict[str, Any] = json.loads(self.run("stack", "export").output)
        return result

    def job_resources(self) -> list[dict[str, Any]]:
        """The OpsRampJob resources of the current state (pending operations excluded)."""
        resources = self.export()["deployment"].get("resources") or []
        return [r for r in resources if r.get("type") == JOB_TYPE]

    def pending_operations(self) -> list[dict[str, Any]]:
        """Operations the engine recorded as in flight when an `up` was interrupted."""
        pending: list[dict[str, Any]] = self.export()["deployment"].get("pending_operations") or []
        return pending
