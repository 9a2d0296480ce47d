"""Reading a stack export: jobs, devices, host names, secrets, and what is not an export."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from opsramp_jobs.calendar.stack import CalendarInputError, read_stack
from tests.calendar.exports import encrypted, export, job_resource, revealed


def read(*resources: dict[str, Any]) -> Any:
    return read_stack(json.dumps(export(*resources)))


def test_jobs_devices_and_the_stack_are_read() -> None:
    stack = read(
        job_resource("patch", devices=("d1", "d2"), job_id="j-1"),
        job_resource("reboot", {"type": "weekly", "weekDays": "Sunday"}, tenant="client_93"),
    )
    assert (stack.stack, stack.project) == ("dev", "jobs-project")
    assert stack.exported == datetime(2026, 12, 5, 3, 15, 8, 313668, tzinfo=UTC)
    patch, reboot = stack.jobs
    assert (patch.title, patch.resource, patch.job_id, patch.devices) == (
        "Patch",
        "patch",
        "j-1",
        ("d1", "d2"),
    )
    assert (reboot.tenant, reboot.what) == ("client_93", "adCheckList")
    assert reboot.schedule.describe() == "every Sunday at 02:30 UTC from 2026-12-01"
    assert stack.notes == []


def test_a_deployment_alone_is_read_too() -> None:
    document = export(job_resource("patch"))["deployment"]
    assert [job.name for job in read_stack(json.dumps(document)).jobs] == ["Patch"]


def test_names_that_repeat_get_their_tenant() -> None:
    stack = read(
        job_resource("inv-13", name="Inventory", tenant="client_13"),
        job_resource("inv-93", name="Inventory", tenant="client_93"),
        job_resource("inv-93b", name="Inventory", tenant="client_93"),
    )
    assert [job.title for job in stack.jobs] == [
        "Inventory (client_13)",
        "Inventory (client_93)",
        "Inventory (client_93) #2",
    ]


def test_host_names_where_the_state_has_them_else_ids() -> None:
    enriched = job_resource("patch", devices=())
    enriched["outputs"]["entities"] = [
        {"resource": {"id": "d1", "type": "DEVICE", "generalInfo": {"hostName": "web-01"}}},
        {"resource": {"id": "d2", "type": "DEVICE"}},
    ]
    # What states written before entity details left the state kept.
    older = job_resource("older", devices=("d3",), entityDetails=[{"id": "d3", "hostName": "db-1"}])
    stack = read(enriched, older)
    assert [stack.device_label(d) for d in ("d1", "d2", "d3")] == ["web-01", "d2", "db-1"]


def test_a_custom_script_is_named_by_its_script() -> None:
    custom = job_resource("clean", scriptName="temp cleanup")
    custom["outputs"]["script"] = {"jobType": "custom", "customScript": {"id": 7}}
    unnamed = job_resource("other")
    unnamed["outputs"]["script"] = {"customScript": {"id": 9}}
    stack = read(custom, unnamed)
    assert [job.what for job in stack.jobs] == ["temp cleanup", "custom script 9"]


def test_secrets_are_opened_where_the_export_shows_them() -> None:
    shown = job_resource("patch", name=revealed("Patch Tuesday"))
    shown["outputs"]["schedule"] = revealed(shown["outputs"]["schedule"])
    hidden = job_resource("hidden", name=encrypted())
    stack = read(shown, hidden)
    assert [job.title for job in stack.jobs] == ["hidden", "Patch Tuesday"]


def test_jobs_that_cannot_be_shown_get_a_note_each() -> None:
    secret = job_resource("secret")
    secret["outputs"]["schedule"] = encrypted()
    missing = job_resource("missing")
    del missing["outputs"]["schedule"]
    broken = job_resource("broken", {"type": "fortnightly"})
    devices = job_resource("devices")
    devices["outputs"]["entities"] = encrypted()
    stack = read(secret, missing, broken, devices, job_resource("fine"))
    assert [job.resource for job in stack.jobs] == ["devices", "fine"]
    assert stack.notes == [
        "secret: left out: its schedule is secret in the state; export with "
        "`pulumi stack export --show-secrets` to include it",
        "missing: left out: the state has no schedule for it",
        "broken: left out: its schedule cannot be read (schedule.pattern.type: 'fortnightly' is "
        "not a pattern type; expected one of 'daily', 'weekly', 'monthly', 'run once', 'never')",
        "devices: its devices are secret in the state; shown without them",
    ]


def test_a_pending_delete_is_not_a_job_and_a_create_in_flight_is() -> None:
    gone = job_resource("gone")
    gone["delete"] = True
    pending = job_resource("pending")
    pending["inputs"], pending["outputs"] = pending["outputs"], {}
    assert [job.resource for job in read(gone, pending).jobs] == ["pending"]


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "the input is empty; pipe in `pulumi stack export`, or give the file it wrote"),
        ("{not json", "the input is not JSON (Expecting property name enclosed in double quotes"),
        ('{"name": "x"}', "the input is JSON but not a stack export (no deployment.resources)"),
        ("[1, 2]", "the input is JSON but not a stack export"),
        ('{"deployment": {"resources": 3}}', "the input is JSON but not a stack export"),
        (
            json.dumps(export()),
            "no OpsRamp jobs in this stack (2 resources, none of type "
            "pulumi-python:dynamic/opsramp:OpsRampJob)",
        ),
        (
            '{"version": 3, "deployment": {"manifest": {}}}',
            "no OpsRamp jobs in this stack (0 resources",
        ),
    ],
)
def test_what_is_not_a_stack_with_jobs_is_one_line_saying_so(text: str, says: str) -> None:
    with pytest.raises(CalendarInputError) as caught:
        read_stack(text)
    assert says in str(caught.value)
    assert "\n" not in str(caught.value)
