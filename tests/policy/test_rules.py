"""The four rules on jobs read from resource properties, including values not known yet."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from opsramp_jobs.model import parse_job
from opsramp_jobs.policy.config import (
    BlackoutSettings,
    CollisionSettings,
    MaxDevicesSettings,
    ScriptSettings,
)
from opsramp_jobs.policy.rules import (
    UNKNOWN,
    blackout_violations,
    device_collisions,
    disallowed_script,
    job_view,
    too_many_devices,
)

NOW = datetime(2026, 12, 5, 3, 0, tzinfo=UTC)  # a Saturday
SERVER = "709824de-8315-4cf9-ad1c-b15aaf7bf2a5"
SWITCH = "3f1ac0de-1111-4cf9-ad1c-b15aaf7bf2a5"
FILER = "5b2ac0de-2222-4cf9-ad1c-b15aaf7bf2a5"
DAILY = {"type": "daily", "frequency": "everyday"}
BUSINESS_HOURS = BlackoutSettings.parse(
    {
        "windows": [
            {
                "name": "business hours",
                "weekdays": ["Mon", "Tue", "Wed", "Thu", "Fri"],
                "start": "08:00",
                "end": "18:00",
            }
        ]
    }
)


def props(
    name: str,
    at: str = "2026-12-01T02:30:00+0000",
    devices: Any = (SERVER,),
    pattern: Any = None,
    script: Any = None,
) -> dict[str, Any]:
    """A job's properties as the provider stores them (its canonical form)."""
    body = {
        "name": name,
        "tenantId": "client_13",
        "entities": [{"resource": {"id": d, "type": "DEVICE"}} for d in devices],
        "script": script or {"jobType": "adCheckList"},
        "schedule": {"startDate": at, "pattern": pattern or DAILY},
    }
    return parse_job(body).canonical()


def view(name: str, **kwargs: Any) -> Any:
    return job_view(f"urn:pulumi:dev::p::opsramp:OpsRampJob::{name}", name, props(name, **kwargs))


# --- reading a job ---------------------------------------------------------------------------


def test_a_job_is_read_from_the_canonical_state_form() -> None:
    job = view(
        "patch", devices=(SWITCH, SERVER), script={"jobType": "custom", "customScript": {"id": 7}}
    )
    assert job.name == "patch"
    assert job.devices == tuple(sorted((SWITCH, SERVER)))
    assert job.script_id == 7
    assert job.schedule is not None
    assert job.first_run(NOW) == datetime(2026, 12, 6, 2, 30, tzinfo=UTC)


def test_a_job_is_read_from_the_forms_the_engine_sends() -> None:
    # Numbers travel as doubles, ids in any case, a schedule in the program's own spelling.
    raw = {
        "entities": [{"resource": {"id": SERVER.upper()}}],
        "script": {"jobType": "custom", "customScript": {"id": 7.0}},
        "schedule": {
            "start_date": "2026-12-01T02:30Z",
            "pattern": {"type": "Weekly", "weekDays": "mon, fri"},
        },
    }
    job = job_view("urn:x", "resource-name", raw)
    assert (job.name, job.devices, job.script_id) == ("resource-name", (SERVER,), 7)
    assert job.first_run(NOW) == datetime(2026, 12, 7, 2, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    "raw",
    [
        {},
        {"name": 42, "entities": "x", "script": [], "schedule": "daily"},
        {"entities": [{"resource": {"id": "not-a-uuid"}}, None], "schedule": {"startDate": "x"}},
        {"script": {"jobType": "custom", "customScript": {"id": -1}}},
    ],
)
def test_an_unreadable_job_is_read_as_what_is_certain_and_never_raises(raw: dict[str, Any]) -> None:
    job = job_view("urn:x", "fallback", raw)
    assert (job.name, job.devices, job.schedule, job.script_id) == ("fallback", (), None, None)


def test_unknown_values_are_left_out() -> None:
    raw = {
        "name": UNKNOWN,
        "entities": [
            {"resource": {"id": SERVER, "type": "DEVICE"}},
            {"resource": {"id": UNKNOWN, "type": "DEVICE"}},
        ],
        "script": {"jobType": "custom", "customScript": {"id": UNKNOWN}},
        "schedule": {"startDate": UNKNOWN, "pattern": DAILY},
    }
    job = job_view("urn:x", "reboot", raw)
    assert (job.name, job.devices, job.unknown_devices) == ("reboot", (SERVER,), 1)
    assert (job.schedule, job.script_id, job.devices_known) == (None, None, True)
    assert not job_view("urn:x", "r", {"entities": UNKNOWN}).devices_known


# --- device collisions -----------------------------------------------------------------------


def test_two_jobs_on_a_device_within_the_window_are_named_with_the_device_and_times() -> None:
    jobs = [
        view("reboot", at="2026-12-01T02:40:00+0000"),
        view("patch", at="2026-12-01T02:30:00+0000"),
    ]
    (violation,) = device_collisions(jobs, CollisionSettings(), NOW)
    assert violation.message == (
        f"jobs 'patch' and 'reboot' start 10 minutes apart on device {SERVER} (limit: 15 "
        "minutes): first at Sun 2026-12-06 02:30 UTC ('patch') and Sun 2026-12-06 02:40 UTC "
        "('reboot')"
    )
    assert violation.urn.endswith("::patch")


def test_collisions_respect_the_configured_window_and_lookahead() -> None:
    jobs = [view("a", at="2026-12-01T02:30:00+0000"), view("b", at="2026-12-01T02:50:00+0000")]
    assert not device_collisions(jobs, CollisionSettings(), NOW)
    assert device_collisions(jobs, CollisionSettings.parse({"windowMinutes": 20}), NOW)
    # A weekly Monday job and a daily one: their first shared day is Monday 2026-12-07.
    weekly = view(
        "weekly", at="2026-12-01T02:35:00+0000", pattern={"type": "weekly", "weekDays": "Monday"}
    )
    daily = view("daily", at="2026-12-01T02:30:00+0000")
    assert not device_collisions([weekly, daily], CollisionSettings(lookahead_days=1), NOW)
    (found,) = device_collisions([weekly, daily], CollisionSettings(lookahead_days=2), NOW)
    assert (
        "Mon 2026-12-07 02:30 UTC ('daily') and Mon 2026-12-07 02:35 UTC ('weekly')"
        in found.message
    )


def test_collisions_need_a_shared_device_and_count_the_others() -> None:
    apart = [view("a", devices=(SERVER,)), view("b", devices=(SWITCH,))]
    assert not device_collisions(apart, CollisionSettings(), NOW)
    shared = [
        view("a", devices=(SERVER, SWITCH, FILER)),
        view("b", devices=(FILER, SERVER, SWITCH)),
    ]
    (found,) = device_collisions(shared, CollisionSettings(), NOW)
    assert "start at the same minute on device " in found.message
    assert "(and 2 more)" in found.message


def test_collisions_across_midnight_name_both_dates() -> None:
    late = view("late", at="2026-12-01T23:55:00+0000")
    early = view("early", at="2026-12-01T00:05:00+0000")
    (found,) = device_collisions([late, early], CollisionSettings(), NOW)
    assert (
        "first at Sat 2026-12-05 23:55 UTC ('late') and Sun 2026-12-06 00:05 UTC ('early')"
        in found.message
    )


def test_collisions_never_guess_at_unknown_devices_or_schedules() -> None:
    known = view("known")
    unknown_device = job_view(
        "urn:u", "u", {**props("u"), "entities": [{"resource": {"id": UNKNOWN}}]}
    )
    unknown_start = job_view(
        "urn:s", "s", {**props("s"), "schedule": {"startDate": UNKNOWN, "pattern": DAILY}}
    )
    whole_list = job_view("urn:w", "w", {**props("w"), "entities": UNKNOWN})
    assert not device_collisions(
        [known, unknown_device, unknown_start, whole_list], CollisionSettings(), NOW
    )


# --- blackout windows ------------------------------------------------------------------------


def test_blackout_is_off_until_windows_are_configured() -> None:
    assert not blackout_violations(
        view("noon", at="2026-12-01T12:00:00+0000"), BlackoutSettings(), NOW
    )


def test_a_run_in_a_blackout_window_names_the_job_window_device_and_first_time() -> None:
    (violation,) = blackout_violations(
        view("noon", at="2026-12-01T12:00:00+0000"), BUSINESS_HOURS, NOW
    )
    assert violation.message == (
        "job 'noon' runs inside blackout window 'business hours' (Mon-Fri 08:00-18:00 UTC) on "
        f"device {SERVER}: first at Mon 2026-12-07 12:00 UTC"
    )
    assert not blackout_violations(
        view("night", at="2026-12-01T02:30:00+0000"), BUSINESS_HOURS, NOW
    )
    weekend = view(
        "weekend",
        at="2026-12-01T12:00:00+0000",
        pattern={"type": "weekly", "weekDays": "Saturday, Sunday"},
    )
    assert not blackout_violations(weekend, BUSINESS_HOURS, NOW)


def test_a_window_written_as_a_string_reports_the_same_run() -> None:
    # The calendar's --blackout syntax; a window without a name is shown by its hours alone.
    written = BlackoutSettings.parse({"windows": ["weekdays 08:00-18:00"]})
    (violation,) = blackout_violations(view("noon", at="2026-12-01T12:00:00+0000"), written, NOW)
    assert violation.message == (
        "job 'noon' runs inside blackout window (Mon-Fri 08:00-18:00 UTC) on "
        f"device {SERVER}: first at Mon 2026-12-07 12:00 UTC"
    )


def test_blackout_looks_ahead_only_as_far_as_configured() -> None:
    # The first Monday run at noon is 2026-12-07: two days are not enough to reach it.
    noon = view(
        "noon", at="2026-12-01T12:00:00+0000", pattern={"type": "weekly", "weekDays": "Monday"}
    )
    short = BlackoutSettings(BUSINESS_HOURS.windows, lookahead_days=2)
    assert not blackout_violations(noon, short, NOW)
    assert blackout_violations(noon, BlackoutSettings(BUSINESS_HOURS.windows, 3), NOW)


def test_blackout_with_devices_not_known_yet_still_reports_the_known_schedule() -> None:
    job = job_view("urn:w", "w", {**props("w", at="2026-12-01T12:00:00+0000"), "entities": UNKNOWN})
    (violation,) = blackout_violations(job, BUSINESS_HOURS, NOW)
    assert (
        "on its devices (not known until the update): first at Mon 2026-12-07 12:00 UTC"
        in violation.message
    )
    unknown_start = job_view(
        "urn:s", "s", {**props("s"), "schedule": {"startDate": UNKNOWN, "pattern": DAILY}}
    )
    assert not blackout_violations(unknown_start, BUSINESS_HOURS, NOW)


# --- maximum devices per job ----------------------------------------------------------------


def test_too_many_devices_names_the_first_over_the_limit() -> None:
    job = view("wide", devices=(SERVER, SWITCH, FILER))
    assert not too_many_devices(job, MaxDevicesSettings(), NOW)
    assert not too_many_devices(job, MaxDevicesSettings(3), NOW)
    (violation,) = too_many_devices(job, MaxDevicesSettings(2), NOW)
    assert violation.message == (
        f"job 'wide' runs on 3 devices, more than maxDevices 2: device {job.devices[2]} is "
        "number 3; first run Sun 2026-12-06 02:30 UTC"
    )


def test_too_many_devices_counts_only_devices_certain_to_be_distinct() -> None:
    raw = {
        **props("p", devices=(SERVER, SWITCH)),
        "entities": [
            {"resource": {"id": SERVER}},
            {"resource": {"id": SWITCH}},
            {"resource": {"id": UNKNOWN}},
        ],
    }
    job = job_view("urn:p", "p", raw)
    # The unknown id may turn out to be one of the two known ones.
    assert not too_many_devices(job, MaxDevicesSettings(2), NOW)
    (violation,) = too_many_devices(job, MaxDevicesSettings(1), NOW)
    assert "runs on at least 2 devices" in violation.message


# --- allowed custom scripts -----------------------------------------------------------------


def test_a_script_not_allowed_is_named_with_the_allowed_ids() -> None:
    custom = {"jobType": "custom", "customScript": {"id": 42}}
    job = view("cleanup", script=custom, pattern={"type": "never"})
    assert not disallowed_script(job, ScriptSettings(), NOW)
    assert not disallowed_script(job, ScriptSettings(frozenset({42})), NOW)
    (violation,) = disallowed_script(job, ScriptSettings(frozenset({12, 7})), NOW)
    assert violation.message == (
        f"job 'cleanup' runs custom script 42, which is not in allowedScriptIds (7, 12), on "
        f"device {SERVER}; no scheduled run (on demand only)"
    )


def test_built_in_jobs_and_unknown_script_ids_pass_the_script_rule() -> None:
    allowed = ScriptSettings(frozenset({7}))
    assert not disallowed_script(view("builtin"), allowed, NOW)
    unknown = job_view(
        "urn:u",
        "u",
        {**props("u"), "script": {"jobType": "custom", "customScript": {"id": UNKNOWN}}},
    )
    assert not disallowed_script(unknown, allowed, NOW)
