"""A temporary Pulumi project driven by the real `pulumi` CLI, hermetically.

Nothing here reads or writes ~/.pulumi: every command runs with a private PULUMI_HOME, a
`file://` backend in a temporary directory, a passphrase secrets provider, no update check and no
plugin downloads, and an environment stripped of the caller's PULUMI_* and OPSRAMP_* variables.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.support.emulator import (
    CLIENT13_TENANT,
    DEVICE_AD_SERVER,
    PARTNER_KEY,
    PARTNER_SECRET,
    EmulatorProcess,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
# The venv the program runs in: the repo's own, where the package is installed editable, so the
# provider process imports exactly the code under test. scripts/sdk_lane.sh names another one
# (the same install with the lowest SDK pyproject.toml allows).
REPO_VENV = Path(os.environ.get("OPSRAMP_E2E_VENV") or REPO_ROOT / ".venv")
PROGRAM = Path(__file__).resolve().parent / "program" / "__main__.py"
JOB_TYPE = "pulumi-python:dynamic/opsramp:OpsRampJob"
PASSPHRASE = "e2e-passphrase"
COMMAND_TIMEOUT_SECONDS = 240
# `pulumi preview --diff` prints a resource's top-level properties 8 columns in; a changed one
# carries its marker (~ update, + add, - delete, +- replace) in the columns just before.
_TOP_LEVEL_CHANGE = re.compile(r"^ {4,6}([~+-]|\+-) (\w+)\s*:", re.MULTILINE)
_RESOURCE_HEADER = re.compile(r"^ {4}\S.*\((\w[\w-]*)\)$", re.MULTILINE)


@dataclass(frozen=True)
class Run:
    """One CLI invocation: its command line, exit code, stdout and stderr."""

    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        """Everything the command printed (stdout, then stderr)."""
        return self.stdout + self.stderr


def hermetic_env(pulumi_home: Path, backend: Path) -> dict[str, str]:
    """The caller's environment minus PULUMI_*/OPSRAMP_*, plus the hermetic Pulumi settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPSRAMP_", "PULUMI_"))}
    env.update(
        {
            "PULUMI_HOME": str(pulumi_home),
            "PULUMI_BACKEND_URL": f"file://{backend}",
            "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE,
            "PULUMI_SKIP_UPDATE_CHECK": "true",
            "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
        }
    )
    return env


class Project:
    """A project directory with its own file backend; stacks are created on demand.

    `stack` is the stack every command targets (`--stack`), so one test can drive several.
    """

    def __init__(
        self, workdir: Path, api_url: str, pulumi_home: Path, program: Path = PROGRAM
    ) -> None:
        binary = shutil.which("pulumi")
        if binary is None:
            raise RuntimeError("no pulumi CLI on PATH (run `bash scripts/toolchain.sh`)")
        if not (REPO_VENV / "bin" / "python").exists():
            raise RuntimeError(f"no virtualenv at {REPO_VENV} (run `bash scripts/venv.sh`)")
        self.binary = binary
        self.api_url = api_url
        self.dir = workdir / "project"
        self.backend = workdir / "state"
        self.home = pulumi_home
        for path in (self.dir, self.backend, self.home):
            path.mkdir(parents=True, exist_ok=True)
        (self.dir / "Pulumi.yaml").write_text(
            "name: opsramp-e2e\nruntime:\n  name: python\n  options:\n"
            f"    toolchain: pip\n    virtualenv: {REPO_VENV}\n"
        )
        shutil.copy(program, self.dir / "__main__.py")
        self.env = hermetic_env(self.home, self.backend)
        self.stack = ""

    def run(self, *args: str, check: bool = True) -> Run:
        """Run `pulumi <args> --non-interactive --stack <current>`."""
        command = [self.binary, *args, "--non-interactive"]
        if self.stack and "--stack" not in args:
            command += ["--stack", self.stack]
        done = subprocess.run(
            command,
            cwd=self.dir,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT_SECONDS,
            check=False,
        )
        result = Run(tuple(args), done.returncode, done.stdout, done.stderr)
        if check and done.returncode != 0:
            raise AssertionError(
                f"pulumi {' '.join(args)} exited {done.returncode}:\n{result.output[-6000:]}"
            )
        return result

    def new_stack(self, name: str, tenant: str) -> None:
        """Create and select a stack pointed at the emulator with the partner's credentials."""
        self.run("stack", "init", "--stack", name)
        self.stack = name
        # One `config set-all` instead of four `config set`: each CLI start costs about a second.
        self.run(
            "config",
            "set-all",
            "--plaintext",
            f"opsramp:apiUrl={self.api_url}",
            "--plaintext",
            f"opsramp:clientId={PARTNER_KEY}",
            "--secret",
            f"opsramp:clientSecret={PARTNER_SECRET}",
            "--plaintext",
            f"opsramp:tenantId={tenant}",
        )

    def config(self, key: str, value: str, *, secret: bool = False) -> None:
        """`pulumi config set [--secret] key value` on the current stack."""
        self.run("config", "set", *(["--secret"] if secret else []), key, value)

    def set_jobs(self, jobs: list[dict[str, Any]]) -> None:
        """Set the program's job list (`e2e:jobs`; see tests/e2e/program/__main__.py)."""
        self.config("e2e:jobs", json.dumps(jobs))

    def preview_json(self) -> dict[str, Any]:
        """`pulumi preview --json`, parsed."""
        done = self.run("preview", "--json")
        result: dict[str, Any] = json.loads(done.stdout)
        return result

    def up(self) -> Run:
        """`pulumi up --yes` (its preview is skipped: tests preview explicitly where it matters)."""
        return self.run("up", "--yes", "--skip-preview")

    def refresh(self, *extra: str) -> Run:
        """`pulumi refresh --yes`."""
        return self.run("refresh", "--yes", "--skip-preview", *extra)

    def destroy(self) -> Run:
        """`pulumi destroy --yes`."""
        return self.run("destroy", "--yes", "--skip-preview")

    def expect_no_changes(self) -> None:
        """The hard gate: neither preview nor refresh finds anything to do (non-zero exit else)."""
        self.run("preview", "--expect-no-changes")
        self.refresh("--expect-no-changes")

    def export(self) -> dict[str, Any]:
        """`pulumi stack export` of the current stack (secrets stay encrypted)."""
        exported: dict[str, Any] = json.loads(self.run("stack", "export").stdout)
        return exported

    def state_jobs(self) -> dict[str, dict[str, Any]]:
        """The OpsRampJob resources in the current stack's state, by Pulumi name."""
        resources = self.export()["deployment"].get("resources") or []
        return {r["urn"].rsplit("::", 1)[-1]: r for r in resources if r["type"] == JOB_TYPE}


def program_project(
    workdir: Path, emulator: EmulatorProcess, pulumi_home: Path, program: Path
) -> Project:
    """A fresh project running `program`, `dev` stack on client_13, the emulator's counts zeroed."""
    created = Project(workdir, emulator.url, pulumi_home, program=program)
    created.new_stack("dev", CLIENT13_TENANT)
    emulator.reset_stats()
    return created


def job(resource: str, **args: Any) -> dict[str, Any]:
    """One entry of `e2e:jobs`: an AD checklist every 2 days on a client_13 device by default."""
    defaults: dict[str, Any] = {
        "name": resource,
        "device_ids": [DEVICE_AD_SERVER],
        "script": {"jobType": "adCheckList"},
        "schedule": {
            "startDate": "2026-12-01T02:30:00+0000",
            "pattern": {"type": "daily", "frequency": "recurrence", "repeatFrequency": 2},
        },
    }
    return {"resource": resource, "args": {**defaults, **args}}


def preview_steps(preview: dict[str, Any]) -> list[tuple[str, str, list[str]]]:
    """(operation, resource name, changed inputs) of each OpsRampJob step that is not `same`.

    The Python dynamic provider cannot report which keys differ (the SDK drops them), so the
    engine's diff is its comparison of old and new inputs, which is what this recomputes.
    """
    steps = []
    for step in preview["steps"]:
        if step["op"] == "same" or step["urn"].split("::")[2] != JOB_TYPE:
            continue
        old = (step.get("oldState") or {}).get("inputs") or {}
        new = (step.get("newState") or {}).get("inputs") or {}
        keys = (old.keys() | new.keys()) - {"__provider"} if old else set()
        changed = sorted(k for k in keys if old.get(k) != new.get(k))
        steps.append((step["op"], step["urn"].rsplit("::", 1)[-1], changed))
    return sorted(steps)


def diff_changes(diff_output: str) -> dict[str, list[str]]:
    """From `pulumi preview --diff` text: {operation: top-level properties it marks as changed}.

    Only OpsRampJob resources; `(update)` and `(replace)` blocks each list their changed keys.
    """
    changes: dict[str, list[str]] = {}
    headers = list(_RESOURCE_HEADER.finditer(diff_output))
    for index, header in enumerate(headers):
        if JOB_TYPE not in header.group(0):
            continue
        end = headers[index + 1].start() if index + 1 < len(headers) else len(diff_output)
        block = diff_output[header.end() : end].split("--outputs:--", maxsplit=1)[0]
        keys = [m.group(2) for m in _TOP_LEVEL_CHANGE.finditer(block)]
        changes.setdefault(header.group(1), []).extend(keys)
    return changes
