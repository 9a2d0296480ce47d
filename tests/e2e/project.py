"""A temporary Pulumi project driven by the real `pulumi` CLI, hermetically."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.support.emulator import PARTNER_KEY, PARTNER_SECRET

REPO_ROOT = Path(__file__).resolve().parents[2]
PROGRAM = Path(__file__).resolve().parent / "program" / "__main__.py"
JOB_TYPE = "pulumi-python:dynamic/opsramp:OpsRampJob"
PASSPHRASE = "e2e-passphrase"


@dataclass
class Run:
    """One CLI invocation's exit code and combined output."""

    returncode: int
    output: str


class Project:
    """A project directory with its own PULUMI_HOME and file backend; stacks made on demand."""

    def __init__(self, workdir: Path, api_url: str, program: Path = PROGRAM) -> None:
        binary = shutil.which("pulumi")
        if binary is None:
            raise RuntimeError("no pulumi CLI on PATH (run `bash scripts/toolchain.sh`)")
        self.binary = binary
        self.api_url = api_url
        self.dir = workdir / "project"
        self.state = workdir / "state"
        self.home = workdir / "home"
        for path in (self.dir, self.state, self.home):
            path.mkdir(parents=True, exist_ok=True)
        venv = Path(sys.prefix)
        (self.dir / "Pulumi.yaml").write_text(
            "name: opsramp-e2e\nruntime:\n  name: python\n  options:\n"
            f"    toolchain: pip\n    virtualenv: {venv}\n"
        )
        shutil.copy(program, self.dir / "__main__.py")
        self.env = {
            k: v for k, v in os.environ.items() if not k.startswith(("OPSRAMP_", "PULUMI_"))
        }
        self.env.update(
            {
                "PULUMI_HOME": str(self.home),
                "PULUMI_BACKEND_URL": f"file://{self.state}",
                "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE,
                "PULUMI_SKIP_UPDATE_CHECK": "true",
                "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
            }
        )
        self.stack = ""

    def run(self, *args: str, check: bool = True) -> Run:
        """Run `pulumi <args> --stack <current>`; stdout and stderr together."""
        command = [self.binary, *args]
        if self.stack and args[0] not in ("stack", "login"):
            command += ["--stack", self.stack]
        done = subprocess.run(
            command,
            cwd=self.dir,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=600,
            check=False,
        )
        if check and done.returncode != 0:
            raise AssertionError(f"pulumi {' '.join(args)} failed:\n{done.stdout[-5000:]}")
        return Run(done.returncode, done.stdout)

    def new_stack(self, name: str, tenant: str) -> None:
        """Create and select a stack pointed at the emulator with partner credentials."""
        self.run("stack", "init", name)
        self.stack = name
        self.config("opsramp:apiUrl", self.api_url)
        self.config("opsramp:clientId", PARTNER_KEY)
        self.config("opsramp:clientSecret", PARTNER_SECRET, secret=True)
        self.config("opsramp:tenantId", tenant)

    def config(self, key: str, value: str, *, secret: bool = False) -> None:
        """`pulumi config set [--secret]`."""
        self.run("config", "set", *(["--secret"] if secret else []), key, value)

    def jobs(self, jobs: list[dict[str, Any]]) -> None:
        """Set the program's job list (`e2e:jobs`)."""
        self.config("e2e:jobs", json.dumps(jobs))

    def preview_json(self, check: bool = True) -> dict[str, Any]:
        """`pulumi preview --json`, parsed."""
        done = self.run("preview", "--json", "--non-interactive", check=check)
        start = done.output.index("{")
        result: dict[str, Any] = json.loads(done.output[start:])
        return result

    def up(self) -> Run:
        """`pulumi up --yes`."""
        return self.run("up", "--yes", "--non-interactive", "--skip-preview")

    def expect_no_changes(self) -> None:
        """The hard gate: both preview and refresh find nothing to do."""
        self.run("preview", "--expect-no-changes", "--non-interactive")
        self.run("refresh", "--yes", "--expect-no-changes", "--non-interactive", "--skip-preview")

    def state_jobs(self) -> dict[str, dict[str, Any]]:
        """The OpsRampJob resources in the stack's state, by Pulumi name."""
        exported = json.loads(self.run("stack", "export", "--stack", self.stack).output)
        resources = exported["deployment"].get("resources") or []
        return {r["urn"].rsplit("::", 1)[-1]: r for r in resources if r["type"] == JOB_TYPE}


def job(resource: str, **args: Any) -> dict[str, Any]:
    """One entry of `e2e:jobs`: an AD checklist every 2 days on a client_13 device by default."""
    defaults: dict[str, Any] = {
        "name": resource,
        "device_ids": ["709824de-8315-4cf9-ad1c-b15aaf7bf2a5"],
        "script": {"jobType": "adCheckList"},
        "schedule": {
            "startDate": "2026-12-01T02:30:00+0000",
            "pattern": {"type": "daily", "frequency": "recurrence", "repeatFrequency": 2},
        },
    }
    return {"resource": resource, "args": {**defaults, **args}}
