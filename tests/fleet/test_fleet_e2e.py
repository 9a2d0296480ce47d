"""End to end: `fleet up`, `preview`, `destroy` and Ctrl-C over synthetic tenants, real CLI."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from pulumi import automation as auto

from opsramp_jobs.fleet.processes import StackProcess
from opsramp_jobs.fleet.runner import FleetStack, FleetWorkspace
from tests.fleet.conftest import (
    FleetHarness,
    synthetic_device,
    synthetic_tenant,
    wait_until,
)

pytestmark = pytest.mark.e2e

START = "2026-12-01T02:30:00+0000"
PROGRAM_JOBS = [
    {
        "name": "AD checklist",
        "resource": "ad-checklist",
        "script": {"jobType": "adCheckList"},
        "schedule": {
            "startDate": START,
            "pattern": {"type": "daily", "frequency": "recurrence", "repeatFrequency": 2},
        },
    },
    {
        "name": "Asset inventory",
        "resource": "asset-inventory",
        "script": {"jobType": "assetinfo"},
        "schedule": {"startDate": START, "pattern": {"type": "daily", "frequency": "everyday"}},
    },
]
WEEKLY = {"startDate": START, "pattern": {"type": "weekly", "weekDays": "Sunday"}}


def tenant(index: int, **extra: Any) -> dict[str, Any]:
    """A synthetic tenant's fleet entry: its own key, secret from S00N_SECRET, its device 1."""
    return {
        "tenantId": synthetic_tenant(index),
        "clientId": f"{synthetic_tenant(index)}-key",
        "clientSecret": {"env": f"S{index:03d}_SECRET"},
        "deviceIds": [synthetic_device(index, 1)],
        **extra,
    }


def lock_files(fleet: FleetHarness) -> list[str]:
    """The locks held in the file backend: one file per lock under .pulumi/locks."""
    locks = (fleet.workdir / "state" / ".pulumi" / "locks").glob("**/*")
    return [str(path) for path in locks if path.is_file()]


def test_up_preview_destroy_over_five_tenants_with_one_failing(fleet: FleetHarness) -> None:
    """Healthy tenants get exactly their jobs; the bad one fails alone; destroy leaves none."""
    for index in range(1, 6):
        fleet.env[f"S{index:03d}_SECRET"] = f"{synthetic_tenant(index)}-secret"
    fleet.env["S005_SECRET"] = "not-the-secret"  # s005's stack fails: OpsRamp answers 401
    fleet.write(
        {
            "project": "fleet-e2e",
            "defaults": {"apiUrl": fleet.emulator.url},
            "jobs": PROGRAM_JOBS,
            "tenants": {
                "s001": tenant(1),
                # Per-tenant overrides: another schedule, two devices, one extra job.
                "s002": tenant(
                    2,
                    deviceIds=[synthetic_device(2, 1), synthetic_device(2, 2)],
                    overrides={"asset-inventory": {"schedule": WEEKLY}},
                    jobs=[
                        {
                            "name": "SQL report",
                            "script": {"jobType": "sqlreport"},
                            "schedule": {"startDate": START, "pattern": {"type": "run once"}},
                        }
                    ],
                ),
                "s003": tenant(3, skip=["ad-checklist"]),
                # An invalid job override: s004's stack fails in the provider's check.
                "s004": tenant(
                    4,
                    overrides={
                        "asset-inventory": {
                            "schedule": {
                                **WEEKLY,
                                "pattern": {"type": "weekly", "weekDays": "Frday"},
                            }
                        }
                    },
                ),
                "s005": tenant(5),
            },
        }
    )
    expected = {
        "client_s001": {"AD checklist", "Asset inventory"},
        "client_s002": {"AD checklist", "Asset inventory", "SQL report"},
        "client_s003": {"Asset inventory"},
    }
    healthy = ("s001", "s002", "s003")

    up = fleet.run("up", str(fleet.file), "--parallel", "5", "--json")
    assert up.returncode == 1, up.stderr  # one stack failed
    summary = up.summary()
    assert summary["s005"]["status"] == "failed"
    assert "credentials" in summary["s005"]["error"]
    assert summary["s004"]["status"] == "failed"
    assert summary["s004"]["error"] == (
        "OpsRampJob 'asset-inventory': schedule.pattern.weekDays[0]: "
        "'Frday' is not a weekday; did you mean 'Friday'?"
    )
    for key, names in zip(healthy, expected.values(), strict=True):
        assert summary[key]["status"] == "succeeded", summary[key]
        assert summary[key]["counts"] == {"created": len(names)}
    jobs = fleet.jobs_by_tenant()
    # s004's valid job may have been created before its invalid one was checked.
    assert {j["name"] for j in jobs.pop("client_s004", [])} <= {"AD checklist"}
    assert {t: {j["name"] for j in js} for t, js in jobs.items()} == expected
    for job in jobs["client_s002"]:
        devices = {e["resource"]["id"] for e in job["entities"]}
        if job["name"] != "SQL report":
            assert devices == {synthetic_device(2, 1), synthetic_device(2, 2)}
        if job["name"] == "Asset inventory":
            assert job["schedule"]["pattern"]["type"] == "weekly"

    preview = fleet.run("preview", str(fleet.file), "--parallel", "5", "--json")
    assert preview.returncode == 1, preview.stderr  # s004's job is still invalid
    summary = preview.summary()
    assert summary["s004"]["status"] == "failed"
    for key, names in zip(healthy, expected.values(), strict=True):
        assert summary[key]["counts"] == {"same": len(names)}, summary[key]  # no changes
    # A wrong secret fails the preview too (the provider's first check fetches a token): a
    # tenant whose `up` would fail is never reported as previewed fine.
    assert summary["s005"]["status"] == "failed"
    assert "credentials" in summary["s005"]["error"]

    destroy = fleet.run("destroy", str(fleet.file), "--parallel", "5", "--json", "--remove")
    assert destroy.returncode == 0, destroy.stderr
    assert {k: v["status"] for k, v in destroy.summary().items()} == dict.fromkeys(
        ("s001", "s002", "s003", "s004", "s005"), "succeeded"
    )
    assert fleet.jobs_by_tenant() == {}
    stacks = (fleet.workdir / "state" / ".pulumi" / "stacks").glob("**/*.json")
    assert [path.name for path in stacks] == []  # --remove: no stack left in the backend


def test_tenants_option_limits_the_run(fleet: FleetHarness) -> None:
    """`--tenants` runs only the named stacks; an unknown name is a usage error."""
    fleet.env["S001_SECRET"] = "client_s001-secret"
    fleet.write(
        {
            "project": "fleet-e2e",
            "defaults": {"apiUrl": fleet.emulator.url},
            "jobs": PROGRAM_JOBS[:1],
            "tenants": {"s001": tenant(1), "s002": tenant(2)},
        }
    )
    unknown = fleet.run("up", str(fleet.file), "--tenants", "s001,nope")
    assert unknown.returncode == 2
    assert "--tenants: nope not in the fleet file" in unknown.stderr

    up = fleet.run("up", str(fleet.file), "--tenants", "s001", "--json")
    assert up.returncode == 0, up.stderr
    assert set(up.summary()) == {"s001"}  # s002's missing secret never mattered
    assert {t: len(js) for t, js in fleet.jobs_by_tenant().items()} == {"client_s001": 1}


def test_sigterm_mid_up_leaves_no_stack_locked(fleet: FleetHarness) -> None:
    """`kill` (SIGTERM) of the fleet alone mid-`up` stops it as Ctrl-C does: exit 130, stacks
    stopped cleanly; the next `up` converges (test_interrupt.py: Ctrl-C to the process group)."""
    for index in (1, 2):
        fleet.env[f"S{index:03d}_SECRET"] = f"{synthetic_tenant(index)}-secret"
    names = [f"Inventory {n}" for n in range(8)]
    many = [
        {**PROGRAM_JOBS[1], "name": name, "resource": f"inventory-{n}"}
        for n, name in enumerate(names)
    ]
    fleet.write(
        {
            "project": "fleet-e2e",
            "defaults": {"apiUrl": fleet.emulator.url},
            "jobs": many,
            "tenants": {"s001": tenant(1), "s002": tenant(2)},
        }
    )
    # Each create takes 1.5 s, so the interrupt lands while creates are in flight.
    fleet.emulator.add_fault(
        method="POST", path=r".*/jobs$", count=1000, action="latency", seconds=1.5
    )
    process = fleet.start("up", str(fleet.file), "--parallel", "2", "--stack-parallel", "2")
    wait_until(lambda: len(fleet.emulator.jobs()) >= 1, 120, "the first job to be created")
    assert lock_files(fleet), "an update in progress holds its stack's lock"
    interrupted = fleet.interrupt(process, signal.SIGTERM)
    assert interrupted.returncode == 130, interrupted.stderr
    assert "interrupted: no new stack starts" in interrupted.stderr
    created_before = len(fleet.emulator.jobs())
    assert created_before < 16, "the interrupt came too late to test anything"
    assert lock_files(fleet) == []  # no stack left locked

    fleet.emulator.clear_faults()
    again = fleet.run("up", str(fleet.file), "--parallel", "2", "--json")
    assert again.returncode == 0, again.stderr + again.stdout  # no lock left, no pending ops
    jobs = fleet.jobs_by_tenant()
    for tenant_id in ("client_s001", "client_s002"):
        assert sorted(j["name"] for j in jobs[tenant_id]) == sorted(names)


def test_each_stack_runs_only_the_pulumi_commands_it_needs(fleet: FleetHarness) -> None:
    """Per stack: `stack init` when new, one `config set-all`, the operation; nothing read back.

    Every pulumi process costs a fleet stack ~0.15 CPU-s or more (docs/fleet.md, "Where a
    stack's CPU goes"); `pulumi version` and `stack ls` run once per fleet run. A `pulumi` in
    front of the real one logs each command line; the run's project directory is removed after.
    """
    shims = fleet.workdir / "shims"
    shims.mkdir()
    log = fleet.workdir / "commands.log"
    real = fleet.env["PATH"].split(os.pathsep)[0] + "/pulumi"
    shim = shims / "pulumi"
    shim.write_text(f'#!/usr/bin/env bash\nprintf "%s\\n" "$*" >> {log}\nexec {real} "$@"\n')
    shim.chmod(0o755)
    fleet.env["PATH"] = f"{shims}{os.pathsep}{fleet.env['PATH']}"
    fleet.env["TMPDIR"] = str(fleet.workdir / "tmp")
    (fleet.workdir / "tmp").mkdir()
    for index in (1, 2):
        fleet.env[f"S{index:03d}_SECRET"] = f"{synthetic_tenant(index)}-secret"
    fleet.write(
        {
            "project": "fleet-commands",
            "jobs": PROGRAM_JOBS[1:],
            "defaults": {"apiUrl": fleet.emulator.url},
            "tenants": {"s001": tenant(1), "s002": tenant(2)},
        }
    )

    def commands_of(*args: str) -> Counter[str]:
        log.unlink(missing_ok=True)
        result = fleet.run(*args, str(fleet.file), "--json")
        assert result.returncode == 0, result.stderr
        words = [
            [w for w in line.split() if not w.startswith("-")]
            for line in log.read_text().splitlines()
        ]
        return Counter(" ".join(w[:2] if w[0] in ("stack", "config") else w[:1]) for w in words)

    assert commands_of("up") == Counter(
        {"version": 1, "stack ls": 1, "stack init": 2, "config set-all": 2, "up": 2}
    )
    assert commands_of("up") == Counter({"version": 1, "stack ls": 1, "config set-all": 2, "up": 2})
    assert commands_of("destroy") == Counter(
        {"version": 1, "stack ls": 1, "config set-all": 2, "destroy": 2}
    )
    assert len(fleet.emulator.jobs()) == 0
    assert list((fleet.workdir / "tmp").iterdir()) == []  # the shared project dir is gone
    assert not list((fleet.workdir / "home" / "workspaces").glob("*"))  # nothing selected


def test_stack_secret_needs_and_works_with_a_project_dir(fleet: FleetHarness) -> None:
    """`{stackSecret: true}`: the secret set with `pulumi config set --secret` in --project-dir.

    Without --project-dir the run's project directory is temporary, so no earlier secret can be
    there and the tenant fails with the `pulumi config set --secret` hint.
    """
    project = fleet.workdir / "project"
    secret_tenant = tenant(1, clientSecret={"stackSecret": True})
    fleet.write(
        {
            "project": "fleet-stack-secret",
            "jobs": PROGRAM_JOBS[1:],
            "defaults": {"apiUrl": fleet.emulator.url},
            "tenants": {"s001": secret_tenant},
        }
    )
    first = fleet.run("up", str(fleet.file), "--json", "--project-dir", str(project))
    assert first.returncode == 1
    assert "pulumi config set --secret opsramp:clientSecret" in first.summary()["s001"]["error"]
    assert (project / "Pulumi.yaml").exists()  # written on first use, the fleet's project name

    def pulumi(*args: str) -> None:
        subprocess.run(
            ["pulumi", *args, "--stack", "s001", "--cwd", str(project)],
            env=fleet.env,
            check=True,
            capture_output=True,
        )

    pulumi("config", "set", "--secret", "opsramp:clientSecret", "client_s001-secret")
    up = fleet.run("up", str(fleet.file), "--json", "--project-dir", str(project))
    assert up.returncode == 0, up.stderr
    assert up.summary()["s001"]["counts"] == {"created": 1}
    assert len(fleet.jobs_by_tenant()[synthetic_tenant(1)]) == 1
    # The temporary project directory of a run without the option has no such secret.
    without = fleet.run("preview", str(fleet.file), "--json")
    assert without.returncode == 1
    assert "has no secret opsramp:clientSecret" in without.summary()["s001"]["error"]


def test_a_secret_from_the_environment_never_reaches_a_command_line_or_a_file(
    fleet: FleetHarness, tmp_path: Path
) -> None:
    """`{env: VAR}`: the secret reaches the provider through the environment only.

    Every `pulumi` command the fleet runs goes through a shim that records its arguments
    (anything in a command line is readable by every local user in `ps`). A secret left in the
    project directory's stack config by hand (which would win over the environment) is dropped,
    so the secret given now is the one used.
    """
    real = shutil.which("pulumi", path=fleet.env["PATH"])
    assert real is not None
    shim, argv_log = tmp_path / "shim", tmp_path / "argv.log"
    shim.mkdir()
    script = f'#!/bin/sh\nprintf "%s\\n" "$*" >> {argv_log}\nexec {real} "$@"\n'
    (shim / "pulumi").write_text(script)
    (shim / "pulumi").chmod(0o755)
    fleet.env["PATH"] = f"{shim}{os.pathsep}{fleet.env['PATH']}"
    project = fleet.workdir / "project"
    fleet.write(
        {
            "project": "fleet-env-secret",
            "jobs": PROGRAM_JOBS[1:],
            "defaults": {"apiUrl": fleet.emulator.url},
            "tenants": {"s001": tenant(1)},
        }
    )
    fleet.env["S001_SECRET"] = "not-the-secret"
    stale = fleet.run("up", str(fleet.file), "--json", "--project-dir", str(project))
    assert stale.returncode == 1  # OpsRamp refused the wrong secret: it did reach the provider
    by_hand = ["config", "set", "--secret", "opsramp:clientSecret", "an-old-secret"]
    subprocess.run(
        ["pulumi", *by_hand, "--stack", "s001", "--cwd", str(project)],
        env=fleet.env,
        check=True,
        capture_output=True,
    )
    fleet.env["S001_SECRET"] = "client_s001-secret"
    up = fleet.run("up", str(fleet.file), "--json", "--project-dir", str(project))
    assert up.returncode == 0, up.stderr
    assert up.summary()["s001"]["counts"] == {"created": 1}
    commands = argv_log.read_text()
    assert "config set-all" in commands  # the shim saw the fleet's commands
    assert "client_s001-secret" not in commands
    assert "not-the-secret" not in commands
    # Nor in any file the run left: project settings, stack config, state.
    for path in [*project.rglob("*"), *(fleet.workdir / "state").rglob("*")]:
        if path.is_file():
            assert b"client_s001-secret" not in path.read_bytes(), path


def test_open_stack_fallbacks_get_the_errors_they_catch(fleet: FleetHarness) -> None:
    """A stale `stack ls` hint costs one command: `init` of an existing stack raises
    StackAlreadyExistsError and `config set-all` of a missing one StackNotFoundError (the two
    errors FleetRun._open_stack recovers from), from the real CLI."""
    project = fleet.workdir / "project"
    project.mkdir()
    workspace = FleetWorkspace(
        work_dir=str(project),
        env_vars={k: v for k, v in fleet.env.items() if k.startswith("PULUMI_")},
        pulumi_command=auto.PulumiCommand(),  # the pulumi on PATH (the fleet fixture needs one)
        project_settings=auto.ProjectSettings(name="fleet-fallbacks", runtime="python"),
    )
    workspace.create_stack("s001")
    with pytest.raises(auto.StackAlreadyExistsError):
        workspace.create_stack("s001")
    with pytest.raises(auto.StackNotFoundError):
        FleetStack("s002", workspace, StackProcess()).set_all_config(
            {"opsramp:tenantId": auto.ConfigValue("x")}
        )
    assert [summary.name for summary in workspace.list_stacks()] == ["s001"]


def test_a_stack_another_run_holds_fails_with_the_clis_message(fleet: FleetHarness) -> None:
    """No engine event explains this failure: the summary shows the CLI's `error:` line, which
    names the lock and `pulumi cancel`, not "code: 255"."""
    fleet.env["S001_SECRET"] = "client_s001-secret"
    fleet.write(
        {
            "project": "fleet-e2e",
            "defaults": {"apiUrl": fleet.emulator.url},
            "jobs": PROGRAM_JOBS,
            "tenants": {"s001": tenant(1)},
        }
    )
    fleet.emulator.add_fault(method="POST", path=r".*/jobs$", count=2, action="latency", seconds=4)
    first = fleet.start("up", str(fleet.file), "--json")
    wait_until(lambda: bool(lock_files(fleet)), 120, "the first run to lock the stack")
    second = fleet.run("up", str(fleet.file), "--json")
    first.communicate(timeout=120)
    assert first.returncode == 0
    assert second.returncode == 1
    error = second.summary()["s001"]["error"]
    assert error.startswith("the stack is currently locked by 1 lock(s)"), error


def test_two_stacks_racing_for_names_report_the_providers_message(fleet: FleetHarness) -> None:
    """Two tenants of the file on one OpsRamp tenant, declaring the same names: the stack that
    loses a name says which job and why in its error column, not only "code: 1"."""
    fleet.env["S001_SECRET"] = "client_s001-secret"
    shared = [
        {**PROGRAM_JOBS[1], "name": f"Shared {n}", "resource": f"shared-{n}"} for n in range(6)
    ]
    fleet.write(
        {
            "project": "fleet-race",
            "defaults": {"apiUrl": fleet.emulator.url},
            "jobs": shared,
            "tenants": {"a": tenant(1), "b": tenant(1)},
        }
    )
    fleet.emulator.add_fault(
        method="POST", path=r".*/jobs$", count=100, action="latency", seconds=0.5
    )
    raced = fleet.run("up", str(fleet.file), "--parallel", "2", "--json")
    assert raced.returncode == 1, raced.stderr
    failed = [row for row in raced.summary().values() if row["status"] == "failed"]
    assert failed, raced.summary()
    for row in failed:
        assert row["error"].startswith("job 'Shared "), row
        assert "code:" not in row["error"], row
