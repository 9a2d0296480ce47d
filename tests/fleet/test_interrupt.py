"""Ctrl-C from a terminal: the whole process group of `fleet up` gets SIGINT, real CLI.

Each test starts the fleet command as the leader of its own process group and signals the group
(`os.killpg`), as a terminal does, while creates are in flight (the emulator holds each POST).
After the interrupt, and again after the next `fleet up`, every stack's state must agree with
OpsRamp: each job in the emulator is a resource of its tenant's stack, each resource a job, and no
pending operation is left.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from typing import Any

import pytest

from opsramp_jobs.fleet.runner import JOB_TYPE
from tests.fleet.conftest import FLEET_TIMEOUT_SECONDS, FleetHarness, FleetRun, wait_until
from tests.fleet.test_fleet_e2e import PROGRAM_JOBS, lock_files, tenant

pytestmark = pytest.mark.e2e

PROJECT = "fleet-interrupt"
TENANTS = ("s001", "s002", "s003", "s004")
JOBS = 6
# Each create waits this long in the emulator: the signals land while creates are in flight.
POST_LATENCY_SECONDS = 3.0
# Two Ctrl-Cs this far apart: well within the time a create is in flight.
SECOND_CTRL_C_AFTER_SECONDS = 0.3


def write_fleet(fleet: FleetHarness) -> None:
    """Four synthetic tenants with JOBS jobs each."""
    jobs = [
        {**PROGRAM_JOBS[1], "name": f"Inventory {n}", "resource": f"inventory-{n}"}
        for n in range(JOBS)
    ]
    fleet.write(
        {
            "project": PROJECT,
            "defaults": {"apiUrl": fleet.emulator.url},
            "jobs": jobs,
            "tenants": {key: tenant(index) for index, key in enumerate(TENANTS, start=1)},
        }
    )
    for index in range(1, len(TENANTS) + 1):
        fleet.env[f"S{index:03d}_SECRET"] = f"client_s{index:03d}-secret"


def stack_export(fleet: FleetHarness, stack: str) -> dict[str, Any]:
    """`pulumi stack export` of a stack of the fleet's project, from the file backend."""
    project = fleet.workdir / "export-project"
    project.mkdir(exist_ok=True)
    (project / "Pulumi.yaml").write_text(f"name: {PROJECT}\nruntime: python\n")
    done = subprocess.run(
        ["pulumi", "stack", "export", "--stack", stack, "--cwd", str(project)],
        env=fleet.env, capture_output=True, text=True, check=True, timeout=120,
    )  # fmt: skip
    deployment: dict[str, Any] = json.loads(done.stdout)["deployment"]
    return deployment


def agreement(fleet: FleetHarness) -> dict[str, dict[str, Any]]:
    """Per tenant: job ids in OpsRamp, job ids in the state, pending operations."""
    in_opsramp = {key: set() for key in TENANTS}  # type: dict[str, set[str]]
    for entry in fleet.emulator.jobs():
        key = "s" + entry["tenantId"].removeprefix("client_s")
        in_opsramp[key].add(str(entry["job"]["id"]))
    report = {}
    for key in TENANTS:
        deployment = stack_export(fleet, key)
        in_state = {r["id"] for r in deployment.get("resources", []) if r["type"] == JOB_TYPE}
        pending = [
            f"{op['type']} {op['resource']['urn'].rsplit('::', 1)[-1]}"
            for op in deployment.get("pending_operations", [])
        ]
        report[key] = {
            "opsramp": len(in_opsramp[key]),
            "state": len(in_state),
            "orphans": sorted(in_opsramp[key] - in_state),
            "missing": sorted(in_state - in_opsramp[key]),
            "pending": pending,
        }
    return report


def assert_in_agreement(report: dict[str, dict[str, Any]]) -> None:
    """No job without its resource, no resource without its job, no pending operation."""
    for key, row in report.items():
        assert (row["orphans"], row["missing"], row["pending"]) == ([], [], []), (key, report)


def interrupt_group(fleet: FleetHarness, process: subprocess.Popen[str], times: int) -> FleetRun:
    """SIGINT to the command's whole process group `times` times; the command's result."""
    for n in range(times):
        if n:
            time.sleep(SECOND_CTRL_C_AFTER_SECONDS)
        os.killpg(process.pid, signal.SIGINT)
    stdout, stderr = process.communicate(timeout=FLEET_TIMEOUT_SECONDS)
    return FleetRun(process.returncode, stdout, stderr)


def creates_in_flight(fleet: FleetHarness) -> int:
    """Creates the emulator has received and not answered yet (each is held for its latency)."""
    routes: dict[str, int] = fleet.emulator.stats()["by_route"]
    received = sum(
        n for route, n in routes.items() if route.startswith("POST ") and "/jobs" in route
    )
    return received - len(fleet.emulator.jobs())


def start_up_and_wait_for_creates(fleet: FleetHarness) -> subprocess.Popen[str]:
    """`fleet up` of all tenants, held until creates are in flight in several stacks."""
    write_fleet(fleet)
    fleet.emulator.add_fault(
        method="POST", path=r".*/jobs$", count=1000, action="latency", seconds=POST_LATENCY_SECONDS
    )
    process = fleet.start(
        "up", str(fleet.file), "--parallel", "4", "--stack-parallel", "3", "--json", new_group=True
    )

    def in_flight() -> bool:
        if process.poll() is not None:
            pytest.fail(f"fleet up exited {process.returncode}: {process.communicate()}")
        return creates_in_flight(fleet) >= len(TENANTS)

    wait_until(in_flight, 180, f"{len(TENANTS)} creates in flight")
    return process


def converge(fleet: FleetHarness) -> FleetRun:
    """The next `fleet up` succeeds with exactly the declared jobs and nothing pending."""
    fleet.emulator.clear_faults()
    again = fleet.run("up", str(fleet.file), "--parallel", "4", "--json")
    assert again.returncode == 0, again.stdout + again.stderr
    report = agreement(fleet)
    assert_in_agreement(report)
    assert {key: row["opsramp"] for key, row in report.items()} == dict.fromkeys(TENANTS, JOBS)
    return again


def test_one_ctrl_c_to_the_process_group_stops_every_stack_cleanly(fleet: FleetHarness) -> None:
    """One Ctrl-C: in-flight creates finish and are recorded; no orphan, nothing pending."""
    process = start_up_and_wait_for_creates(fleet)
    interrupted = interrupt_group(fleet, process, times=1)
    assert interrupted.returncode == 130, interrupted.stderr
    summary = interrupted.summary()
    assert "cancelled" in {row["status"] for row in summary.values()}
    for row in summary.values():
        if row["status"] == "cancelled":
            assert row["error"].startswith("interrupted: the operations in flight finished")
    assert lock_files(fleet) == []
    report = agreement(fleet)
    assert_in_agreement(report)
    assert sum(row["opsramp"] for row in report.values()) < len(TENANTS) * JOBS, "too late"
    again = converge(fleet)
    assert all(row["notes"] == [] for row in again.summary().values())  # nothing to settle


def refuse_a_second_job_of_one_pending_name(
    fleet: FleetHarness, left: dict[str, dict[str, Any]]
) -> FleetRun:
    """Someone made a second job with the name of an interrupted create: `up` refuses to guess
    which one to adopt, names both, and keeps the pending operations for the next run."""
    key = next(k for k, row in left.items() if row["orphans"])
    orphan = left[key]["orphans"][0]
    jobs_url = fleet.emulator.jobs_url(f"client_{key}")
    with fleet.emulator.api_session() as session:
        job = next(e["job"] for e in fleet.emulator.jobs() if str(e["job"]["id"]) == orphan)
        copy = {field: job[field] for field in ("name", "entities", "script", "schedule")}
        second = session.post(jobs_url, json=copy, timeout=10)
        second.raise_for_status()
        fleet.emulator.clear_faults()
        refused = fleet.run("up", str(fleet.file), "--parallel", "4", "--json")
        assert refused.returncode == 1
        row = refused.summary()[key]
        assert row["status"] == "failed"
        assert orphan in row["error"], row
        assert str(second.json()["id"]) in row["error"], row
        assert "adopts only a single match" in row["error"], row
        assert agreement(fleet)[key]["pending"] == left[key]["pending"]  # still to settle
        session.delete(f"{jobs_url}/{second.json()['id']}", timeout=10).raise_for_status()
    return refused


@pytest.mark.parametrize("then", ["up", "destroy"])
def test_two_ctrl_c_stop_at_once_and_the_next_run_settles_what_they_left(
    fleet: FleetHarness, then: str
) -> None:
    """Two Ctrl-Cs: pulumi stops at once, leaving pending creates (jobs in OpsRamp without a
    resource); the next `up` adopts them, the next `destroy` adopts and deletes them."""
    process = start_up_and_wait_for_creates(fleet)
    started = time.monotonic()
    interrupted = interrupt_group(fleet, process, times=2)
    assert interrupted.returncode == 130, interrupted.stderr
    assert time.monotonic() - started < 15, "a second Ctrl-C must not wait for the creates"
    assert "interrupted again: pulumi stops at once" in interrupted.stderr
    assert lock_files(fleet) == []  # pulumi released its locks even so
    left = agreement(fleet)
    pending = {key: len(row["pending"]) for key, row in left.items() if row["pending"]}
    assert pending, f"nothing was left pending, so nothing to settle: {left}"
    assert all(row["missing"] == [] for row in left.values()), left
    runs = []
    if then == "up":
        runs.append(refuse_a_second_job_of_one_pending_name(fleet, left))
        again = converge(fleet)
    else:
        fleet.emulator.clear_faults()
        again = fleet.run("destroy", str(fleet.file), "--parallel", "4", "--json")
        assert again.returncode == 0, again.stdout + again.stderr
        assert fleet.emulator.jobs() == []  # the adopted jobs too
        report = agreement(fleet)
        assert_in_agreement(report)
        assert {key: row["state"] for key, row in report.items()} == dict.fromkeys(TENANTS, 0)
    runs.append(again)
    for key, count in pending.items():
        notes = [note for run in runs for note in run.summary()[key]["notes"]]
        assert notes == [
            f"cleared {count} operation(s) left pending by an interrupted run; {count} "
            "interrupted create(s) adopted their job or made it"
        ], (key, notes)
    if then == "destroy":
        for key, row in again.summary().items():
            # Each job deleted counted once: those left, and any an adopting create had to make.
            assert set(row["counts"]) <= {"deleted"}, (key, row)
            assert row["counts"].get("deleted", 0) >= left[key]["opsramp"], (key, row, left)
