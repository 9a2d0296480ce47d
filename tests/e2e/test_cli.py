"""The real `pulumi` CLI against the emulator: preview, up, refresh, drift, adoption, secrets."""

from __future__ import annotations

from typing import Any

import pytest

from opsramp_jobs.client import OpsRampClient
from tests.e2e.project import Project, job
from tests.support.emulator import PARTNER_KEY, PARTNER_SECRET, EmulatorProcess

pytestmark = pytest.mark.e2e


def live_jobs(emulator: EmulatorProcess, tenant: str = "client_13") -> dict[str, dict[str, Any]]:
    """The emulator's jobs in one tenant, by id."""
    return {j["job"]["id"]: j["job"] for j in emulator.jobs() if j["tenantId"] == tenant}


def changed_inputs(step: dict[str, Any]) -> list[str]:
    """The top-level inputs a step changes, as the engine renders its diff (old vs new inputs)."""
    old = (step.get("oldState") or {}).get("inputs") or {}
    new = (step.get("newState") or {}).get("inputs") or {}
    if not old:
        return []
    return sorted(k for k in set(old) | set(new) if k != "__provider" and old.get(k) != new.get(k))


def steps(preview: dict[str, Any]) -> list[tuple[str, str, list[str]]]:
    """(operation, resource name, changed inputs) of each non-trivial preview step."""
    return [
        (s["op"], s["urn"].rsplit("::", 1)[-1], changed_inputs(s))
        for s in preview["steps"]
        if s["op"] != "same" and "OpsRampJob" in s["urn"]
    ]


def out_of_band(emulator: EmulatorProcess) -> OpsRampClient:
    """A client acting on OpsRamp behind Pulumi's back."""
    return OpsRampClient(emulator.url, PARTNER_KEY, PARTNER_SECRET, tenant_id="client_13")


def test_create_then_nothing_to_do_then_destroy(
    project: Project, emulator: EmulatorProcess
) -> None:
    project.jobs([job("ad-check"), job("inventory", script={"jobType": "assetinfo"})])
    preview = project.preview_json()
    assert sorted(steps(preview)) == [("create", "ad-check", []), ("create", "inventory", [])]
    assert emulator.jobs() == []

    project.up()
    state = project.state_jobs()
    assert {r["id"] for r in state.values()} == set(live_jobs(emulator))
    assert state["ad-check"]["outputs"]["scheduleDescription"] == (
        "every 2 days at 02:30 UTC from 2026-12-01"
    )
    # The hard gate: after an up, neither preview nor refresh finds anything to do.
    project.expect_no_changes()

    project.run("destroy", "--yes", "--non-interactive", "--skip-preview")
    assert emulator.jobs() == []


def test_one_schedule_field_previews_as_an_update_of_that_property(
    project: Project, emulator: EmulatorProcess
) -> None:
    project.jobs([job("backup")])
    project.up()
    (job_id,) = live_jobs(emulator)
    weekly = {
        "startDate": "2026-12-01T02:30:00+0000",
        "pattern": {"type": "weekly", "weekDays": "Friday"},
    }
    project.jobs([job("backup", schedule=weekly)])
    assert steps(project.preview_json()) == [("update", "backup", ["schedule"])]
    project.up()
    assert live_jobs(emulator)[job_id]["schedule"]["pattern"] == {
        "type": "weekly",
        "weekDays": "Friday",
    }
    project.expect_no_changes()


def test_a_new_job_type_is_a_replace_leaving_exactly_one_job(
    project: Project, emulator: EmulatorProcess
) -> None:
    project.jobs([job("report")])
    project.up()
    (old_id,) = live_jobs(emulator)
    project.jobs([job("report", script={"jobType": "sqlreport"})])
    ops = {op for op, _, _ in steps(project.preview_json())}
    assert "replace" in ops
    project.up()
    live = live_jobs(emulator)
    assert len(live) == 1
    (new_id,) = live
    assert new_id != old_id
    assert live[new_id]["script"] == {"jobType": "sqlreport"}
    project.expect_no_changes()


def test_a_job_deleted_behind_pulumis_back_is_dropped_by_refresh_and_recreated(
    project: Project, emulator: EmulatorProcess
) -> None:
    project.jobs([job("nightly")])
    project.up()
    (job_id,) = live_jobs(emulator)
    with out_of_band(emulator) as client:
        client.delete_job(job_id)
    project.run("refresh", "--yes", "--non-interactive", "--skip-preview")
    assert project.state_jobs() == {}
    project.up()
    (new_id,) = live_jobs(emulator)
    assert project.state_jobs()["nightly"]["id"] == new_id
    project.expect_no_changes()


def test_a_job_edited_behind_pulumis_back_shows_drift_and_up_restores_it(
    project: Project, emulator: EmulatorProcess
) -> None:
    project.jobs([job("nightly")])
    project.up()
    (job_id,) = live_jobs(emulator)
    with out_of_band(emulator) as client:
        live = client.get_job(job_id)
        live["schedule"]["pattern"] = {"type": "daily", "frequency": "everyday"}
        client.update_job(job_id, live)
    refreshed = project.run("refresh", "--yes", "--non-interactive", "--skip-preview", "--diff")
    assert "everyday" in refreshed.output
    assert steps(project.preview_json()) == [("update", "nightly", ["schedule"])]
    project.up()
    assert live_jobs(emulator)[job_id]["schedule"]["pattern"]["frequency"] == "recurrence"
    project.expect_no_changes()


def test_adoption_takes_over_an_existing_job(project: Project, emulator: EmulatorProcess) -> None:
    with out_of_band(emulator) as client:
        legacy = client.create_job(
            {
                "name": "legacy backup",
                "jobQueued": False,
                "entities": [],
                "script": {"jobType": "backupagent"},
                "schedule": {
                    "startDate": "2025-01-01T00:00:00+0000",
                    "pattern": {"type": "daily", "frequency": "everyday"},
                },
            }
        )
    # Without adopt_id the name clash is refused before anything is posted.
    project.jobs([job("legacy", name="legacy backup", script={"jobType": "backupagent"})])
    refused = project.run("up", "--yes", "--non-interactive", "--skip-preview", check=False)
    assert refused.returncode != 0
    assert f"adopt it with adopt_id='{legacy['id']}'" in refused.output
    project.jobs(
        [
            job(
                "legacy",
                name="legacy backup",
                script={"jobType": "backupagent"},
                adopt_id=legacy["id"],
            )
        ]
    )
    project.up()
    live = live_jobs(emulator)
    assert list(live) == [legacy["id"]]
    assert live[legacy["id"]]["schedule"]["startDate"] == "2026-12-01T02:30:00+0000"
    assert project.state_jobs()["legacy"]["id"] == legacy["id"]
    project.expect_no_changes()


def test_invalid_input_fails_preview_with_the_path_and_sends_no_write(
    project: Project, emulator: EmulatorProcess
) -> None:
    bad = {
        "startDate": "2026-12-01T02:30:00+0000",
        "pattern": {"type": "weekly", "weekDays": "Monday, Frday"},
    }
    project.jobs([job("weekly", schedule=bad)])
    emulator.reset_stats()
    failed = project.run("preview", "--non-interactive", check=False)
    assert failed.returncode != 0
    assert "schedule.pattern.weekDays[1]" in failed.output
    assert "'Frday' is not a weekday; did you mean 'Friday'?" in failed.output
    failed = project.run("up", "--yes", "--non-interactive", check=False)
    assert failed.returncode != 0
    assert emulator.stats()["writes"] == 0
    assert emulator.jobs() == []


def test_secrets_never_reach_state_files_or_cli_output(
    project: Project, emulator: EmulatorProcess
) -> None:
    secret_value = "param-s3cr3t-value-4711"
    project.config("e2e:scriptSecret", secret_value, secret=True)
    custom = {
        "jobType": "custom",
        "customScript": {"id": 7},
        "parameters": [{"paramId": 2, "value": "$scriptSecret"}],
        "userType": 2,
    }
    project.jobs([job("cleanup", script=custom)])
    outputs = [project.up().output]
    outputs.append(project.run("preview", "--diff", "--non-interactive").output)
    outputs.append(project.run("refresh", "--yes", "--non-interactive", "--skip-preview").output)
    outputs.append(project.run("stack", "output", "--json").output)
    (live,) = live_jobs(emulator).values()
    assert live["script"]["parameters"][0]["value"] == secret_value  # it did reach OpsRamp
    for text in outputs:
        assert secret_value not in text
        assert PARTNER_SECRET not in text
    for directory in (project.state, project.home, project.dir):
        for path in directory.rglob("*"):
            if path.is_file():
                data = path.read_bytes()
                assert secret_value.encode() not in data, path
                assert PARTNER_SECRET.encode() not in data, path


def test_promotion_dev_and_staging_hold_their_own_jobs(
    project: Project, emulator: EmulatorProcess
) -> None:
    weekly = {
        "startDate": "2027-01-04T03:00:00+0000",
        "pattern": {"type": "weekly", "weekDays": "Saturday"},
    }
    project.jobs([job("backup")])
    project.up()
    project.new_stack("staging", "client_93")
    project.jobs(
        [job("backup", device_ids=["c7e4a2b9-1d6f-4c8e-a3b5-9f0d2e6c4a71"], schedule=weekly)]
    )
    project.up()
    dev, staging = live_jobs(emulator, "client_13"), live_jobs(emulator, "client_93")
    assert len(dev) == len(staging) == 1
    (staging_job,) = staging.values()
    assert staging_job["schedule"]["pattern"]["weekDays"] == "Saturday"
    assert staging_job["entities"][0]["resource"]["id"] == "c7e4a2b9-1d6f-4c8e-a3b5-9f0d2e6c4a71"
    project.run("destroy", "--yes", "--non-interactive", "--skip-preview")
    assert live_jobs(emulator, "client_93") == {}
    assert live_jobs(emulator, "client_13") == dev
    project.stack = "dev"
    project.expect_no_changes()
