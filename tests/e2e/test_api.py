"""The real `pulumi` CLI on the user-facing API: existing jobs, lookups, old stacks, short errors.

Jobs made "outside Pulumi" are plain HTTP calls to the emulator's OpsRamp API with a partner token.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.project import JOB_TYPE, Project, job, program_project
from tests.support.emulator import CLIENT13_TENANT, CLIENT93_TENANT, EmulatorProcess

pytestmark = pytest.mark.e2e

API_PROGRAM = Path(__file__).resolve().parent / "api_program.py"
LEGACY_STATE = Path(__file__).resolve().parents[1] / "data" / "state_before_typed_api.json"
START = "2026-12-01T02:30:00+0000"
BY_HAND = {
    "name": "Made by hand",
    "script": {"jobType": "assetinfo"},
    "schedule": {"startDate": START, "pattern": {"type": "never"}},
    "entities": [],
    "jobQueued": False,
}
# The CLI's own lines around a failed `up` (header, progress, the stack's "update failed",
# "Resources:", "Duration:") are not ours; what the provider says about the job is bounded.
MAX_ERROR_LINES = 8


@pytest.fixture
def api_project(pulumi_home: Path, emulator: EmulatorProcess, tmp_path: Path) -> Project:
    """A fresh project running tests/e2e/api_program.py, `dev` stack on client_13."""
    return program_project(tmp_path, emulator, pulumi_home, API_PROGRAM)


def make_job(emulator: EmulatorProcess, tenant: str = CLIENT13_TENANT, **body: Any) -> str:
    """Create a job behind Pulumi's back; its id."""
    session = emulator.api_session()
    try:
        response = session.post(emulator.jobs_url(tenant), json={**BY_HAND, **body}, timeout=10)
        response.raise_for_status()
        emulator.reset_stats()  # count only what Pulumi does
        return str(response.json()["id"])
    finally:
        session.close()


def outputs(project: Project) -> dict[str, Any]:
    """`pulumi stack output --json`."""
    result: dict[str, Any] = json.loads(project.run("stack", "output", "--json").stdout)
    return result


def job_error(output: str, resource: str) -> list[str]:
    """The lines the CLI prints under the job in its Diagnostics section."""
    lines = output.split("Diagnostics:", 1)[-1].splitlines()
    header = f"  {JOB_TYPE} ({resource}):"
    start = lines.index(header) + 1
    end = next((i for i in range(start, len(lines)) if not lines[i].strip()), len(lines))
    return lines[start:end]


def test_get_reads_a_live_job_without_managing_it(
    api_project: Project, emulator: EmulatorProcess
) -> None:
    job_id = make_job(emulator, CLIENT93_TENANT)
    api_project.config(
        "e2e:get", json.dumps([{"resource": "seen", "id": job_id, "tenant_id": CLIENT93_TENANT}])
    )
    api_project.up()
    got = outputs(api_project)["got"]["seen"]
    assert (got["id"], got["name"]) == (job_id, "Made by hand")
    assert got["schedule"].startswith("never")  # the provider's read filled the outputs
    [state] = api_project.state_jobs().values()
    assert (state["id"], state.get("external")) == (job_id, True)
    assert emulator.stats()["writes"] == 0
    api_project.run("preview", "--expect-no-changes")
    api_project.destroy()
    assert [j["job"]["id"] for j in emulator.jobs()] == [job_id]  # read, never deleted


def test_get_of_a_missing_job_fails_in_one_line(api_project: Project) -> None:
    missing = "00000000-0000-4000-8000-000000000000"
    api_project.config("e2e:get", json.dumps([{"resource": "ghost", "id": missing}]))
    failed = api_project.run("up", "--yes", "--skip-preview", check=False)
    assert failed.returncode != 0
    assert job_error(failed.output, "ghost") == [
        f"    error: OpsRampJob.get: no job '{missing}' in tenant 'client_13': check the id "
        "(OpsRamp > Automation > Jobs) and tenant_id"
    ]


def test_the_import_option_adopts_the_job(api_project: Project, emulator: EmulatorProcess) -> None:
    job_id = make_job(emulator)
    declared = job("adopted", name="Made by hand", script={"jobType": "assetinfo"})
    api_project.set_jobs([{**declared, "import": job_id}])
    api_project.up()
    assert api_project.state_jobs()["adopted"]["id"] == job_id
    [live] = emulator.jobs()
    assert live["job"]["id"] == job_id
    assert live["job"]["schedule"]["pattern"]["type"] == "daily"  # the code's schedule now
    api_project.expect_no_changes()
    # As after a `pulumi import`, the option may then be dropped from the code.
    api_project.set_jobs([declared])
    api_project.run("preview", "--expect-no-changes")


def test_the_clis_import_command_still_fails_upstream(
    api_project: Project, emulator: EmulatorProcess
) -> None:
    # pulumi/pulumi#16175: the engine reads without the provider's pickle. The README's route is
    # `import_`/`adopt_id`; when this test fails, upstream has fixed it: update the README.
    job_id = make_job(emulator)
    failed = api_project.run("import", JOB_TYPE, "by-cli", job_id, "--yes", check=False)
    assert failed.returncode != 0
    assert "KeyError: '__provider'" in failed.output, failed.output


def test_lookups_run_in_preview_and_up(api_project: Project, emulator: EmulatorProcess) -> None:
    job_id = make_job(emulator)
    api_project.config("e2e:lookup", json.dumps({"name": "Made by hand"}))
    api_project.config("e2e:types", "true")
    api_project.up()
    exported = outputs(api_project)
    assert exported["lookup"] == {
        "id": job_id,
        "name": "Made by hand",
        "script": {"jobType": "assetinfo"},
    }
    assert exported["lookupOutput"].startswith("never")
    assert {"adCheckList", "networkconfigbackup"} <= set(exported["jobTypes"])
    # During preview too: a name that matches no job fails it, in one short message.
    api_project.config("e2e:lookup", json.dumps({"name": "No such job"}))
    failed = api_project.run("preview", check=False)
    assert failed.returncode != 0
    assert "get_job: no job named 'No such job' in tenant 'client_13'" in failed.output
    assert "Traceback" not in failed.output
    assert emulator.stats()["writes"] == 0


def test_a_stack_written_by_the_previous_resource_previews_without_changes(
    project: Project, emulator: EmulatorProcess
) -> None:
    saved = json.loads(LEGACY_STATE.read_text())
    project.set_jobs(saved["jobs"])
    state_file = project.dir / "legacy-state.json"
    state_file.write_text(json.dumps(saved["deployment"]))
    project.run("stack", "import", "--file", str(state_file))
    project.run("preview", "--expect-no-changes")
    # Nothing but the provider's one credentials check (its token): no job is read or written.
    routes = emulator.stats()["by_route"]
    assert sum(routes.values()) == 1, routes
    assert next(iter(routes)).endswith("/auth/oauth/token"), routes


def test_refusals_and_rejected_credentials_are_a_few_lines(
    project: Project, emulator: EmulatorProcess
) -> None:
    taken = make_job(emulator, name="taken")
    project.set_jobs([job("taken")])
    refused = project.run("up", "--yes", "--skip-preview", check=False)
    assert refused.returncode != 0
    lines = job_error(refused.output, "taken")
    assert len(lines) <= MAX_ERROR_LINES, refused.output
    assert f"adopt it with adopt_id='{taken}'" in lines[0]
    assert "Traceback" not in refused.output

    project.set_jobs([job("fresh")])
    project.config("opsramp:clientSecret", "not-the-secret", secret=True)
    rejected = project.run("up", "--yes", "--skip-preview", check=False)
    assert rejected.returncode != 0
    lines = job_error(rejected.output, "fresh")
    assert len(lines) <= MAX_ERROR_LINES, rejected.output
    # Refused at the first check (so at preview too), in the engine's words for a check failure.
    assert re.search(r"error: .*OpsRamp rejected the API credentials .*\(HTTP 401", lines[0])
    assert any("pulumi config set --secret opsramp:clientSecret" in line for line in lines)
    assert "Traceback" not in rejected.output
    assert "not-the-secret" not in rejected.output

    # The detail is there when asked for.
    project.env["OPSRAMP_TRACEBACK"] = "1"
    detailed = project.run("up", "--yes", "--skip-preview", check=False)
    assert "Traceback (most recent call last)" in detailed.output
    assert "OpsRampCredentialsError" in detailed.output


def test_a_missing_url_is_reported_alone_when_the_tenant_is_set(project: Project) -> None:
    # Bug: preview also said "no tenant" although opsramp:tenantId was set.
    project.set_jobs([job("needs-a-url")])
    project.run("config", "rm", "opsramp:apiUrl")
    failed = project.run("preview", check=False)
    assert failed.returncode != 0
    assert "opsramp:apiUrl is not set: run `pulumi config set opsramp:apiUrl https://" in (
        failed.output
    )
    assert "no tenant" not in failed.output
