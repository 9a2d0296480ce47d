"""Output computation is total: nothing raises once OpsRamp has committed a write (issue 11).

Values that would overflow date arithmetic are property-path errors when a program gives them
(at check time, before any request). A job read back from OpsRamp is accepted as the server holds
it (so an edit made outside Pulumi shows as drift), and its run times, description, canonical and
wire forms are still computed without raising.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opsramp_jobs.model import (
    MAX_ID,
    MAX_REPEAT_DAYS,
    Job,
    JobValidationError,
    parse_job,
)
from tests.model.strategies import job_bodies

DAILY = {"type": "daily", "frequency": "everyday"}


def body_with(
    start: Any = "2026-12-01T02:30:00+0000", pattern: Any = None, script: Any = None
) -> dict[str, Any]:
    return {
        "name": "n",
        "tenantId": "client_13",
        "script": script or {"jobType": "adCheckList"},
        "schedule": {"startDate": start, "pattern": pattern or DAILY},
    }


def every(n: Any) -> dict[str, Any]:
    return {"type": "daily", "frequency": "recurrence", "repeatFrequency": n}


# (body, the one path its error must name): each overflowed date arithmetic or was absurd.
REJECTED = [
    (body_with(pattern=every(1_000_000)), "schedule.pattern.repeatFrequency"),
    (body_with(pattern=every(MAX_REPEAT_DAYS + 1)), "schedule.pattern.repeatFrequency"),
    (body_with(pattern=every(1e300)), "schedule.pattern.repeatFrequency"),
    (body_with(pattern=every(10**40)), "schedule.pattern.repeatFrequency"),
    (body_with(pattern=every("9" * 40)), "schedule.pattern.repeatFrequency"),
    (body_with("9999-12-31T23:00:00-0500"), "schedule.startDate"),
    (body_with("0001-01-01T00:30:00+0100"), "schedule.startDate"),
    (body_with("0001-01-01T00:00:00+0000"), "schedule.startDate"),
    (body_with("1969-12-31T23:59:00+0000"), "schedule.startDate"),
    (body_with("9999-12-31T23:59:59-23:59"), "schedule.startDate"),
    (
        body_with(pattern={"type": "monthly", "dayOfMonth": 10**30}),
        "schedule.pattern.dayOfMonth[0]",
    ),
    (body_with(pattern={"type": "monthly", "dayOfMonth": 1e300}), "schedule.pattern.dayOfMonth[0]"),
    (
        body_with(pattern={"type": "monthly", "weekIndex": 10**30, "dayOfWeek": "Monday"}),
        "schedule.pattern.weekIndex",
    ),
    (
        body_with(pattern={"type": "monthly", "weekIndex": "First", "dayOfWeek": 6}),
        "schedule.pattern.dayOfWeek",
    ),
    (body_with(script={"customScript": {"id": 2**53}}), "script.customScript.id"),
    (body_with(script={"customScript": {"id": 1e300}}), "script.customScript.id"),
    (
        body_with(
            script={"customScript": {"id": 7}, "parameters": [{"paramId": 1e20, "value": "x"}]}
        ),
        "script.parameters[0].paramId",
    ),
]


@pytest.mark.parametrize(("body", "path"), REJECTED)
def test_values_that_would_overflow_are_property_path_errors(
    body: dict[str, Any], path: str
) -> None:
    with pytest.raises(JobValidationError) as caught:
        parse_job(body)
    assert [p for p, _ in caught.value.errors] == [path], caught.value.errors


def test_the_limits_themselves_are_accepted() -> None:
    assert parse_job(body_with(pattern=every(MAX_REPEAT_DAYS)))
    assert parse_job(body_with("1970-01-01T00:00:00Z"))
    late = parse_job(body_with("9999-12-31T23:59:00+0000", every(MAX_REPEAT_DAYS)))
    assert late.schedule.next_runs(datetime(2026, 1, 1, tzinfo=UTC)) == [
        datetime(9999, 12, 31, 23, 59, tzinfo=UTC)
    ]
    assert late.schedule.canonical()["startDate"] == "9999-12-31T23:59:00+0000"


def test_a_job_edited_outside_pulumi_to_extreme_values_reads_back_as_drift() -> None:
    declared = parse_job(body_with(pattern=every(2)))
    live = body_with("0001-01-01T00:30:00+0100", every(1_000_000))
    observed = parse_job(live, from_server=True)
    assert observed.canonical() != declared.canonical()
    assert observed.canonical()["schedule"] == {
        "startDate": "0001-01-01T00:00:00+0000",  # clamped to the calendar's first instant
        "pattern": every(1_000_000),
    }
    # Runs are listed as far as the calendar goes: fewer than asked, never an exception.
    assert len(observed.schedule.next_runs(datetime(2026, 1, 1, tzinfo=UTC), 5)) == 3
    assert observed.schedule.describe() == "every 1000000 days at 00:00 UTC from 0001-01-01"
    assert parse_job(observed.canonical(), from_server=True).canonical() == observed.canonical()


def test_a_start_beyond_the_calendar_on_the_server_is_clamped_not_a_crash() -> None:
    observed = parse_job(body_with("9999-12-31T23:00:00-0500"), from_server=True)
    assert observed.canonical()["schedule"]["startDate"] == "9999-12-31T23:59:00+0000"
    assert observed.schedule.next_runs(datetime.max.replace(tzinfo=UTC)) == []


# --------------------------------------------------------------------------------------------
# Property: any accepted job's outputs are computable
# --------------------------------------------------------------------------------------------

EDGE_STARTS = [
    "9999-12-31T23:00:00-0500",
    "9999-12-31T23:59:00+0000",
    "9999-12-31T23:59:59+0000",
    "9999-12-31T00:00:00-23:59",
    "0001-01-01T00:30:00+0100",
    "0001-01-01T00:00:00+0000",
    "0001-01-01T23:59:00+23:59",
    "1970-01-01T00:00:00Z",
    "1969-12-31T23:59:59Z",
    "2028-02-29T00:00:00Z",
]


@st.composite
def extreme_starts(draw: st.DrawFn) -> str:
    if draw(st.booleans()):
        return draw(st.sampled_from(EDGE_STARTS))
    moment = draw(st.datetimes(min_value=datetime.min, max_value=datetime.max))
    offset = draw(st.integers(min_value=-(24 * 60 - 1), max_value=24 * 60 - 1))
    return moment.replace(tzinfo=timezone(timedelta(minutes=offset))).isoformat()


HUGE_NUMBERS = st.one_of(
    st.integers(min_value=-5, max_value=10**40),
    st.sampled_from([MAX_REPEAT_DAYS, MAX_REPEAT_DAYS + 1, MAX_ID, MAX_ID + 1, 2**63, 1e300]),
    st.floats(min_value=1, max_value=1e300),
)


@st.composite
def extreme_bodies(draw: st.DrawFn) -> dict[str, Any]:
    """A valid body with one or more values pushed to (or past) the edges of the calendar."""
    body = draw(job_bodies())
    schedule = body["schedule"]
    if draw(st.booleans()):
        schedule["startDate"] = draw(extreme_starts())
    if draw(st.booleans()):
        schedule["pattern"] = every(draw(HUGE_NUMBERS))
    elif draw(st.booleans()) and "dayOfMonth" in schedule["pattern"]:
        schedule["pattern"]["dayOfMonth"] = draw(HUGE_NUMBERS)
    if draw(st.booleans()) and "customScript" in body["script"]:
        body["script"]["customScript"]["id"] = draw(HUGE_NUMBERS)
    return body


AFTER = st.one_of(
    st.none(),
    st.sampled_from(
        [
            datetime.min.replace(tzinfo=UTC),
            datetime.max.replace(tzinfo=UTC),
            datetime(9999, 12, 31, 23, 58, tzinfo=UTC),
            datetime.min,  # naive, read as local time
            datetime.max,
        ]
    ),
    st.datetimes(timezones=st.just(UTC)),
)


def assert_outputs_computable(job: Job, after: datetime | None) -> None:
    for count in (0, 1, 5):
        runs = job.schedule.next_runs(after, count)
        assert len(runs) <= count
        assert runs == sorted(runs)
    assert job.schedule.describe()
    canonical = job.canonical()
    wire = job.to_wire()
    json.dumps(canonical)
    json.dumps(wire)
    # Every number survives Pulumi's doubles unchanged.
    for number in _numbers(canonical):
        assert abs(number) <= MAX_ID


def _numbers(value: Any) -> list[int]:
    if isinstance(value, dict):
        return [n for v in value.values() for n in _numbers(v)]
    if isinstance(value, list):
        return [n for v in value for n in _numbers(v)]
    return [value] if isinstance(value, int) and not isinstance(value, bool) else []


@settings(max_examples=200)
@given(extreme_bodies(), AFTER, st.booleans())
def test_any_accepted_job_has_computable_outputs(
    body: dict[str, Any], after: datetime | None, from_server: bool
) -> None:
    try:
        job = parse_job(body, from_server=from_server)
    except JobValidationError as error:
        problems = error.errors
    else:
        problems = []
    if problems:
        assert all(path and message for path, message in problems)
        return
    assert_outputs_computable(job, after)
    # What the state holds reads back the same way.
    again = parse_job(job.canonical(), from_server=True)
    assert again.canonical() == job.canonical()
    if not from_server:
        assert parse_job(job.canonical()).canonical() == job.canonical()


@settings(max_examples=150)
@given(st.integers(1, MAX_ID), extreme_starts(), AFTER)
def test_every_n_days_is_total_for_any_n_a_server_may_hold(
    n: int, start: str, after: datetime | None
) -> None:
    try:
        job = parse_job(body_with(start, every(n)), from_server=True)
    except JobValidationError:
        pytest.fail(f"the server's job was refused: every {n} days from {start}")
    assert_outputs_computable(job, after)
