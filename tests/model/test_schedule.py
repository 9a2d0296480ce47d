"""Schedules: start-time normalisation, descriptions and next run times."""

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from opsramp_jobs.model import (
    JobValidationError,
    Schedule,
    next_run_times,
    parse_job,
    schedule_in_words,
)

AFTER = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
EVERY_N = {"type": "daily", "frequency": "recurrence"}


def schedule(start: str, **pattern: Any) -> Schedule:
    body = {
        "script": {"jobType": "assetinfo"},
        "schedule": {"startDate": start, "pattern": pattern},
    }
    return parse_job(body).schedule


@pytest.mark.parametrize(
    "start",
    [
        "2016-04-14T10:10:10+0000",
        "2016-04-14T10:10:59+00:00",
        "2016-04-14T10:10Z",
        "2016-04-14T15:40:00+0530",
        "2016-04-14T06:10:00-04:00",
    ],
)
def test_start_dates_are_utc_minutes(start: str) -> None:
    assert schedule(start, type="never").canonical()["startDate"] == "2016-04-14T10:10:00+0000"


def test_naive_start_date_is_rejected_with_the_fix() -> None:
    with pytest.raises(JobValidationError) as caught:
        schedule("2016-04-14T10:10:10", type="never")
    assert caught.value.errors[0][0] == "schedule.startDate"
    assert "+0000" in caught.value.errors[0][1]


def runs(s: Schedule, count: int = 4) -> list[str]:
    return [r.strftime("%Y-%m-%d %H:%M %a") for r in s.next_runs(AFTER, count)]


def test_every_n_days_counts_from_the_start() -> None:
    s = schedule("2016-04-14T10:10:00Z", type="daily", frequency="recurrence", repeatFrequency=2)
    assert s.describe() == "every 2 days at 10:10 UTC from 2016-04-14"
    assert runs(s, 2) == ["2026-11-30 10:10 Mon", "2026-12-02 10:10 Wed"]


def test_everyday_and_weekday() -> None:
    s = schedule("2026-01-01T13:00:00Z", type="daily", frequency="everyday")
    assert runs(s, 2) == ["2026-11-28 13:00 Sat", "2026-11-29 13:00 Sun"]
    s = schedule("2026-01-01T13:00:00Z", type="daily", frequency="every weekday")
    assert runs(s, 2) == ["2026-11-30 13:00 Mon", "2026-12-01 13:00 Tue"]
    assert s.describe().startswith("every weekday (Monday to Friday) at 13:00 UTC")


def test_weekly() -> None:
    s = schedule("2026-01-01T08:00:00Z", type="weekly", weekDays="Thursday, Sunday")
    assert s.describe() == "every Sunday and Thursday at 08:00 UTC from 2026-01-01"
    assert runs(s, 3) == ["2026-11-29 08:00 Sun", "2026-12-03 08:00 Thu", "2026-12-06 08:00 Sun"]


def test_monthly_days_skip_months_without_that_day() -> None:
    s = schedule("2027-01-01T00:30:00Z", type="monthly", dayOfMonth="31")
    assert runs(s, 3) == ["2027-01-31 00:30 Sun", "2027-03-31 00:30 Wed", "2027-05-31 00:30 Mon"]
    assert s.describe() == "on day 31 of every month at 00:30 UTC from 2027-01-01"


def test_monthly_week_index() -> None:
    s = schedule("2026-01-01T10:00:00Z", type="monthly", weekIndex="Last", dayOfWeek="Friday")
    assert runs(s, 2) == ["2026-12-25 10:00 Fri", "2027-01-29 10:00 Fri"]
    s = schedule("2026-01-01T10:00:00Z", type="monthly", weekIndex="First", dayOfIndex="Monday")
    assert runs(s, 2) == ["2026-12-07 10:00 Mon", "2027-01-04 10:00 Mon"]
    assert s.describe() == "on the first Monday of every month at 10:00 UTC from 2026-01-01"


def test_run_once_and_never() -> None:
    s = schedule("2026-12-24T18:00:00Z", type="run once")
    assert runs(s) == ["2026-12-24 18:00 Thu"]
    assert s.describe() == "once, at 18:00 UTC on 2026-12-24"
    assert schedule("2026-01-01T18:00:00Z", type="run once").next_runs(AFTER) == []
    s = schedule("2026-12-24T18:00:00Z", type="never")
    assert s.next_runs(AFTER) == []
    assert s.describe().startswith("never on a schedule")


def test_no_run_before_the_start_date() -> None:
    s = schedule("2027-03-10T09:00:00Z", type="daily", frequency="everyday")
    assert runs(s, 1) == ["2027-03-10 09:00 Wed"]


@pytest.mark.parametrize(
    ("pattern", "words"),
    [
        ({"type": "daily", "frequency": "everyday"}, "every day at 10:10 UTC from 2016-04-14"),
        (
            {"type": "daily", "frequency": "every weekday"},
            "every weekday (Monday to Friday) at 10:10 UTC from 2016-04-14",
        ),
        (
            {"type": "daily", "frequency": "recurrence", "repeatFrequency": 1},
            "every day at 10:10 UTC from 2016-04-14",
        ),
        (
            {"type": "daily", "frequency": "recurrence", "repeatFrequency": 3},
            "every 3 days at 10:10 UTC from 2016-04-14",
        ),
        ({"type": "weekly", "weekDays": "Friday"}, "every Friday at 10:10 UTC from 2016-04-14"),
        (
            {"type": "monthly", "dayOfMonth": "15"},
            "on day 15 of every month at 10:10 UTC from 2016-04-14",
        ),
        (
            {"type": "monthly", "dayOfMonth": "15, 1, 31"},
            "on days 1, 15 and 31 of every month at 10:10 UTC from 2016-04-14",
        ),
        (
            {"type": "monthly", "weekIndex": "Last", "dayOfWeek": "Friday"},
            "on the last Friday of every month at 10:10 UTC from 2016-04-14",
        ),
        ({"type": "run once"}, "once, at 10:10 UTC on 2016-04-14"),
        (
            {"type": "never"},
            "never on a schedule (on demand only); start date 2016-04-14 10:10 UTC",
        ),
    ],
)
def test_every_pattern_in_words(pattern: dict[str, Any], words: str) -> None:
    assert schedule("2016-04-14T10:10:00Z", **pattern).describe() == words


def test_what_a_program_derives_from_a_stored_schedule_never_raises() -> None:
    stored = {
        "startDate": "2026-01-01T02:30:00+0000",
        "pattern": {"type": "weekly", "weekDays": ["Monday"]},
    }
    assert schedule_in_words(stored) == "every Monday at 02:30 UTC from 2026-01-01"
    times = next_run_times(stored)
    assert len(times) == 5
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT02:30:00Z", t) for t in times)
    assert datetime.fromisoformat(times[0]) > datetime.now(UTC)
    assert datetime.fromisoformat(times[1]) - datetime.fromisoformat(times[0]) == timedelta(days=7)
    assert len(next_run_times(stored, 12)) == 12
    # A stored form a program may not declare (every 10,000 days) is read as the server's.
    rare = {
        "startDate": "2026-01-01T02:30:00+0000",
        "pattern": {**EVERY_N, "repeatFrequency": 10_000},
    }
    assert schedule_in_words(rare) == "every 10000 days at 02:30 UTC from 2026-01-01"
    assert next_run_times(rare, 1) == ["2053-05-19T02:30:00Z"]
    for unreadable in (None, {}, {"startDate": "soon"}, {"pattern": {"type": "never"}}):
        assert schedule_in_words(unreadable) == ""
        assert next_run_times(unreadable) == []
    past = {"startDate": "2026-01-01T02:30:00+0000", "pattern": {"type": "run once"}}
    assert next_run_times(past) == []
