"""The real `pulumi` CLI against the emulator: preview, up, refresh, drift, adoption, secrets.

One test per scenario of docs/e2e.md. Changes made "behind Pulumi's back" go straight to the
emulator's OpsRamp API over HTTP with a token, not through the product's client, so a client bug
cannot hide itself.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import requests

from opsramp_jobs.model import Schedule
from tests.e2e.project import JOB_TYPE, Project, diff_changes, job, preview_steps
from tests.support.emulator import (
    CLIENT13_TENANT,
    CLIENT93_TENANT,
    DEVICE_CORE_SWITCH,
    DEVICE_FILE_SERVER,
    PARTNER_SECRET,
    SCRIPT_TEST,
    EmulatorProcess,
)

pytestmark = pytest.mark.e2e

# The provider is pickled by reference (module and class name), so its state input stays tiny.
MAX_PROVIDER_BYTES = 200
START = "2026-12-01T02:30:00+0000"
EVERY_SECOND_DAY = {"type": "daily", "frequency": "recurrence", "repeatFrequency": 2}


def live_jobs(emulator: EmulatorProcess, tenant: str = CLIENT13_TENANT) -> dict[str, Any]:
    """The emulator's jobs in one tenant, by id."""
    return {j["job"]["id"]: j["job"] for j in emulator.jobs() if j["tenantId"] == tenant}


@contextmanager
def behind_pulumis_back(emulator: EmulatorProcess) -> Iterator[OpsRampApi]:
    """The emulator's OpsRamp API with a partner token, as another OpsRamp user would call it."""
    session = emulator.api_session()
    try:
        yield OpsRampApi(session, emulator.jobs_url(CLIENT13_TENANT))
    finally:
        session.close()


class OpsRampApi:
    """Plain HTTP calls to one tenant's jobs collection."""

    def __init__(self, session: requests.Session, jobs_url: str) -> None:
        self.session = session
        self.jobs_url = jobs_url

    def _call(self, method: str, url: str, body: Any = None) -> Any:
        response = self.session.request(method, url, json=body, timeout=10)
        response.raise_for_status()
        return response.json() if response.content else None

    def create(self, body: dict[str, Any]) -> dict[str, Any]:
        created: dict[str, Any] = self._call("POST", self.jobs_url, body)
        return created

    def get(self, job_id: str) -> dict[str, Any]:
        found: dict[str, Any] = self._call("GET", f"{self.jobs_url}/{job_id}")
        return found

    def replace(self, job_id: str, body: dict[str, Any]) -> None:
        self._call("POST", f"{self.jobs_url}/{job_id}", body)

    def delete(self, job_id: str) -> None:
        self._call("DELETE", f"{self.jobs_url}/{job_id}")


def test_preview_shows_the_creates_and_up_makes_them(
    project: Project, emulator: EmulatorProcess
) -> None:
    project.set_jobs([job("ad-check"), job("inventory", script={"jobType": "assetinfo"})])
    preview = project.preview_json()
    assert preview_steps(preview) == [("create", "ad-check", []), ("create", "inventory", [])]
    assert preview["changeSummary"] == {"create": 3}  # the two jobs and the stack itself
    assert emulator.jobs() == []
    assert emulator.stats()["writes"] == 0

    project.up()
    state = project.state_jobs()
    live = live_jobs(emulator)
    assert {r["id"] for r in state.values()} == set(live)
    for resource in state.values():
        outputs = resource["outputs"]
        # Nothing the program derives is stored (id, schedule in words, next runs).
        assert not {"jobId", "scheduleDescription", "nextRuns"} & set(outputs)
        stored = live[resource["id"]]
        assert stored["name"] == outputs["name"]
        assert stored["script"] == outputs["script"]
        # The state keeps the canonical form (an every-N-days pattern without its constant
        # `repeatType`, which OpsRamp gets and echoes).
        assert Schedule.model_validate(stored["schedule"]).canonical() == outputs["schedule"]
        assert [e["resource"]["id"] for e in stored["entities"]] == [
            e["resource"]["id"] for e in outputs["entities"]
        ]
        assert len(resource["inputs"]["__provider"]) <= MAX_PROVIDER_BYTES
    outputs = json.loads(project.run("stack", "output", "--json").stdout)
    assert outputs["jobIds"] == {name: r["id"] for name, r in state.items()}
    assert outputs["schedules"]["ad-check"] == "every 2 days at 02:30 UTC from 2026-12-01"
    print_state_sizes(state)


def print_state_sizes(state: dict[str, dict[str, Any]]) -> None:
    """Bytes per job resource in `pulumi stack export` (shown with -s; quoted in docs/e2e.md)."""
    for name, resource in sorted(state.items()):
        sizes = {
            part: len(json.dumps(resource.get(part), separators=(",", ":")))
            for part in ("inputs", "outputs")
        }
        total = len(json.dumps(resource, separators=(",", ":")))
        provider = len(resource["inputs"]["__provider"])
        print(f"state bytes {name}: resource {total}, {sizes}, __provider {provider}")


def test_after_up_preview_and_refresh_find_no_changes(
    project: Project, emulator: EmulatorProcess
) -> None:
    # Every pattern kind, written the way people write them (comma strings, mixed case), so the
    # gate also proves the server's normalisation never shows up as a perpetual diff.
    project.set_jobs(
        [
            job("daily"),
            job(
                "weekdays",
                schedule={
                    "startDate": START,
                    "pattern": {"type": "daily", "frequency": "every weekday"},
                },
            ),
            job(
                "weekly",
                schedule={
                    "startDate": START,
                    "pattern": {"type": "weekly", "weekDays": "Sunday, Wednesday"},
                },
            ),
            job(
                "monthly",
                schedule={
                    "startDate": START,
                    "pattern": {"type": "monthly", "dayOfMonth": "1, 15"},
                },
            ),
            job(
                "second-sunday",
                schedule={
                    "startDate": START,
                    "pattern": {"type": "monthly", "weekIndex": "Second", "dayOfWeek": "Sunday"},
                },
            ),
            job(
                "once",
                device_ids=[],
                script={"jobType": "sqlreport"},
                schedule={"startDate": START, "pattern": {"type": "run once"}},
            ),
            job(
                "custom",
                device_ids=[DEVICE_FILE_SERVER],
                script={
                    "jobType": "custom",
                    "customScript": {"id": SCRIPT_TEST},
                    "parameters": [{"paramId": 2, "value": "x"}],
                    "userType": 2,
                },
            ),
        ]
    )
    project.up()
    assert len(live_jobs(emulator)) == 7
    emulator.reset_stats()
    # The hard gate: after an up, neither preview nor refresh finds anything to do ...
    project.expect_no_changes()
    # ... and checking costs reads only.
    assert emulator.stats()["writes"] == 0


def test_one_schedule_field_previews_as_an_update_of_that_property(
    project: Project, emulator: EmulatorProcess
) -> None:
    project.set_jobs([job("backup"), job("other")])
    project.up()
    backup_id = project.state_jobs()["backup"]["id"]
    weekly = {"startDate": START, "pattern": {"type": "weekly", "weekDays": "Friday"}}
    project.set_jobs([job("backup", schedule=weekly), job("other")])

    assert preview_steps(project.preview_json()) == [("update", "backup", ["schedule"])]
    assert diff_changes(project.run("preview", "--diff").stdout) == {"update": ["schedule"]}
    project.up()
    live = live_jobs(emulator)
    assert len(live) == 2
    assert live[backup_id]["schedule"]["pattern"] == {"type": "weekly", "weekDays": "Friday"}
    project.expect_no_changes()


def test_a_new_job_type_is_a_replace_leaving_exactly_one_job(
    project: Project, emulator: EmulatorProcess
) -> None:
    project.set_jobs([job("report")])
    project.up()
    (old_id,) = live_jobs(emulator)
    project.set_jobs([job("report", script={"jobType": "sqlreport"})])

    preview = project.preview_json()
    assert preview_steps(preview) == [("replace", "report", ["script"])]
    (replace,) = [s for s in preview["steps"] if s["op"] == "replace"]
    assert replace["replaceReasons"] == ["script"]
    assert diff_changes(project.run("preview", "--diff").stdout) == {"replace": ["script"]}
    # The provider asks for delete-before-replace (names are unique per tenant), so `up` works
    # although the new job has the old one's name.
    project.up()
    live = live_jobs(emulator)
    named = [j for j in live.values() if j["name"] == "report"]
    assert len(live) == len(named) == 1
    assert named[0]["id"] != old_id
    assert named[0]["script"] == {"jobType": "sqlreport"}
    assert project.state_jobs()["report"]["id"] == named[0]["id"]
    project.expect_no_changes()


def test_a_job_deleted_behind_pulumis_back_is_dropped_by_refresh_and_recreated(
    project: Project, emulator: EmulatorProcess
) -> None:
    project.set_jobs([job("nightly"), job("kept")])
    project.up()
    state = project.state_jobs()
    with behind_pulumis_back(emulator) as opsramp:
        opsramp.delete(state["nightly"]["id"])

    refreshed = project.refresh()
    assert "1 deleted" in refreshed.stdout, refreshed.stdout
    assert set(project.state_jobs()) == {"kept"}
    project.up()
    recreated = project.state_jobs()
    assert set(live_jobs(emulator)) == {recreated["nightly"]["id"], state["kept"]["id"]}
    assert recreated["nightly"]["id"] != state["nightly"]["id"]
    project.expect_no_changes()


def test_a_job_edited_behind_pulumis_back_shows_drift_and_up_restores_it(
    project: Project, emulator: EmulatorProcess
) -> None:
    project.set_jobs([job("nightly")])
    project.up()
    (job_id,) = live_jobs(emulator)
    with behind_pulumis_back(emulator) as opsramp:
        edited = opsramp.get(job_id)
        edited["schedule"]["pattern"] = {"type": "daily", "frequency": "everyday"}
        edited["jobQueued"] = True
        opsramp.replace(job_id, edited)

    refreshed = project.refresh("--diff")
    assert "everyday" in refreshed.stdout, refreshed.stdout
    assert "1 updated" in refreshed.stdout, refreshed.stdout
    assert preview_steps(project.preview_json()) == [
        ("update", "nightly", ["jobQueued", "schedule"])
    ]
    project.up()
    restored = live_jobs(emulator)[job_id]
    assert restored["schedule"]["pattern"] == {**EVERY_SECOND_DAY, "repeatType": "days"}
    assert restored["jobQueued"] is False
    project.expect_no_changes()


def test_adoption_takes_over_an_existing_job(project: Project, emulator: EmulatorProcess) -> None:
    with behind_pulumis_back(emulator) as opsramp:
        legacy = opsramp.create(
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
    emulator.reset_stats()
    declared = job("legacy", name="legacy backup", script={"jobType": "backupagent"})
    # Without adopt_id the name clash is refused, with the hint, before anything is written.
    project.set_jobs([declared])
    refused = project.run("up", "--yes", "--skip-preview", check=False)
    assert refused.returncode != 0
    assert f"adopt_id='{legacy['id']}'" in refused.output, refused.output
    assert emulator.stats()["writes"] == 0

    project.set_jobs([{**declared, "args": {**declared["args"], "adopt_id": legacy["id"]}}])
    project.up()
    live = live_jobs(emulator)
    assert list(live) == [legacy["id"]]
    assert live[legacy["id"]]["schedule"] == {
        "startDate": START,
        "pattern": {**EVERY_SECOND_DAY, "repeatType": "days"},
    }
    assert [e["resource"]["id"] for e in live[legacy["id"]]["entities"]] == [
        declared["args"]["device_ids"][0]
    ]
    assert project.state_jobs()["legacy"]["id"] == legacy["id"]
    project.expect_no_changes()


def test_invalid_input_fails_preview_with_the_path_and_sends_no_write(
    project: Project, emulator: EmulatorProcess
) -> None:
    bad = {"startDate": START, "pattern": {"type": "weekly", "weekDays": "Monday, Frday"}}
    project.set_jobs([job("fine"), job("weekly", schedule=bad)])

    failed = project.run("preview", check=False)
    assert failed.returncode != 0
    assert "schedule.pattern.weekDays[1]" in failed.output, failed.output
    assert "did you mean 'Friday'" in failed.output, failed.output
    assert "Traceback" not in failed.output
    failed = project.run("up", "--yes", check=False)
    assert failed.returncode != 0
    assert "schedule.pattern.weekDays[1]" in failed.output, failed.output
    assert emulator.stats()["writes"] == 0
    assert emulator.jobs() == []


def test_secrets_never_reach_state_files_or_cli_output(
    project: Project, emulator: EmulatorProcess
) -> None:
    secret_value = "param-s3cr3t-value-4711"
    project.config("e2e:scriptSecret", secret_value, secret=True)
    custom = {
        "jobType": "custom",
        "customScript": {"id": SCRIPT_TEST},
        "parameters": [{"paramId": 2, "value": "$scriptSecret"}],
        "userType": 2,
    }
    project.set_jobs([job("cleanup", script=custom)])
    runs = [
        project.run("preview", "--diff"),
        project.up(),
        project.refresh("--diff"),
        project.run("stack", "output", "--json"),
        project.run("stack", "export"),
        project.run("config"),
    ]
    # Change the secret: the update's diff must not show old or new value either.
    project.config("e2e:scriptSecret", secret_value + "-2", secret=True)
    runs += [project.run("preview", "--diff"), project.run("up", "--yes", "--diff")]
    # Someone sets another value in OpsRamp: refresh reads it into state, which must keep it
    # secret too; `up` then restores the configured value.
    (job_id,) = live_jobs(emulator)
    with behind_pulumis_back(emulator) as opsramp:
        edited = opsramp.get(job_id)
        edited["script"]["parameters"][0]["value"] = secret_value + "-oob"
        opsramp.replace(job_id, edited)
    runs += [project.refresh("--diff"), project.run("up", "--yes", "--diff")]

    (live,) = live_jobs(emulator).values()
    assert live["script"]["parameters"][0]["value"] == secret_value + "-2"  # it reached OpsRamp
    for run in runs:
        assert secret_value not in run.output, run.args
        assert PARTNER_SECRET not in run.output, run.args
    for directory in (project.backend, project.home, project.dir):
        for path in directory.rglob("*"):
            if path.is_file():
                data = path.read_bytes()
                assert secret_value.encode() not in data, path
                assert PARTNER_SECRET.encode() not in data, path


def test_promotion_dev_and_staging_hold_their_own_jobs(
    project: Project, emulator: EmulatorProcess
) -> None:
    saturdays = {
        "startDate": "2027-01-04T03:00:00+0000",
        "pattern": {"type": "weekly", "weekDays": "Saturday"},
    }
    project.set_jobs([job("backup"), job("inventory", script={"jobType": "assetinfo"})])
    project.up()
    dev_before = live_jobs(emulator, CLIENT13_TENANT)
    project.new_stack("staging", CLIENT93_TENANT)
    project.set_jobs(
        [
            job("backup", device_ids=[DEVICE_CORE_SWITCH], schedule=saturdays),
            job("inventory", device_ids=[DEVICE_CORE_SWITCH], script={"jobType": "assetinfo"}),
        ]
    )
    project.up()

    dev, staging = live_jobs(emulator, CLIENT13_TENANT), live_jobs(emulator, CLIENT93_TENANT)
    assert dev == dev_before
    assert len(staging) == 2
    assert set(staging).isdisjoint(dev)
    staging_backup = next(j for j in staging.values() if j["name"] == "backup")
    assert staging_backup["schedule"]["pattern"] == {"type": "weekly", "weekDays": "Saturday"}
    assert staging_backup["entities"][0]["resource"]["id"] == DEVICE_CORE_SWITCH
    dev_backup = next(j for j in dev.values() if j["name"] == "backup")
    assert dev_backup["schedule"]["pattern"]["type"] == "daily"
    assert {r["outputs"]["tenantId"] for r in project.state_jobs().values()} == {CLIENT93_TENANT}

    project.destroy()
    assert live_jobs(emulator, CLIENT93_TENANT) == {}
    assert live_jobs(emulator, CLIENT13_TENANT) == dev_before
    project.stack = "dev"
    assert {r["outputs"]["tenantId"] for r in project.state_jobs().values()} == {CLIENT13_TENANT}
    project.expect_no_changes()


def test_destroy_leaves_no_job_behind(project: Project, emulator: EmulatorProcess) -> None:
    project.set_jobs(
        [job("ad-check"), job("inventory", script={"jobType": "assetinfo"}), job("third")]
    )
    project.up()
    assert len(live_jobs(emulator)) == 3
    destroyed = project.destroy()
    assert "4 deleted" in destroyed.stdout, destroyed.stdout  # three jobs and the stack
    assert emulator.jobs() == []
    resources = project.export()["deployment"].get("resources") or []
    assert [r for r in resources if r["type"] == JOB_TYPE] == []
