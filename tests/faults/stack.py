"""A stack of N jobs on the end-to-end tier's hermetic project (tests/e2e/project.py).

Used by the fault suite. The stack `dev`
targets client_13 with the partner's credentials; `up(count)` declares `count` jobs named
`<prefix> <index>` (Pulumi names `<prefix>-<index>`) through the e2e program's `e2e:jobs` config.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

from tests.e2e.project import Project, Run, job
from tests.support.emulator import CLIENT13_TENANT


def pulumi_binary() -> str | None:
    """The `pulumi` on PATH (scripts/test.sh and scripts/bench.sh put the toolchain there)."""
    return shutil.which("pulumi")


class PulumiStack:
    """One project directory with one `dev` stack on a local file backend."""

    def __init__(self, workdir: Path, api_url: str, *, job_prefix: str = "job") -> None:
        self.project = Project(workdir, api_url, workdir / "home")
        self.project.new_stack("dev", CLIENT13_TENANT)
        self.job_prefix = job_prefix

    def declare(self, job_count: int) -> None:
        """Declare `job_count` jobs in the program (`<prefix> <index>`)."""
        self.project.set_jobs(
            [
                job(f"{self.job_prefix}-{index}", name=f"{self.job_prefix} {index}")
                for index in range(job_count)
            ]
        )

    def up(self, job_count: int, *, check: bool = True, parallel: int = 4) -> Run:
        """`pulumi up` of `job_count` jobs; check=False returns a failed run instead of raising."""
        self.declare(job_count)
        return self.project.run(
            "up", "--yes", "--skip-preview", f"--parallel={parallel}", check=check
        )

    def start_up(self, job_count: int) -> subprocess.Popen[str]:
        """Start `pulumi up` of `job_count` jobs in the background (to interrupt it)."""
        self.declare(job_count)
        command = [self.project.binary, "up", "--yes", "--skip-preview", "--non-interactive"]
        return subprocess.Popen(
            [*command, "--stack", self.project.stack],
            cwd=self.project.dir,
            env=self.project.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )

    def run(self, *args: str, env: dict[str, str] | None = None, check: bool = True) -> Run:
        """`pulumi <args>` on this stack, with extra environment variables."""
        saved = self.project.env
        self.project.env = {**saved, **(env or {})}
        try:
            return self.project.run(*args, check=check)
        finally:
            self.project.env = saved

    def refresh(self, *, check: bool = True) -> Run:
        """`pulumi refresh`: drop jobs that are gone, re-read the others."""
        return self.project.run("refresh", "--yes", "--skip-preview", check=check)

    def export(self) -> dict[str, Any]:
        """`pulumi stack export` as JSON."""
        return self.project.export()

    def job_resources(self) -> list[dict[str, Any]]:
        """The OpsRampJob resources of the current state."""
        return list(self.project.state_jobs().values())

    def pending_operations(self) -> list[dict[str, Any]]:
        """Operations the engine recorded as in flight when an `up` was interrupted."""
        pending: list[dict[str, Any]] = self.export()["deployment"].get("pending_operations") or []
        return pending
