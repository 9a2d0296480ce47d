"""Schedule.next_runs against the day-by-day scan of tests/model/run_oracle.py, for all 8 kinds."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from opsramp_jobs.model import Schedule
from tests.model.run_oracle import DAY, KINDS, patterns, scanned_runs


def minutes(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)


STARTS = st.one_of(
    st.datetimes(datetime(1970, 1, 1), datetime(2100, 1, 1)),
    st.datetimes(datetime(9990, 1, 1), datetime(9999, 12, 31, 23, 59)),  # near the calendar's end
    st.sampled_from([datetime(1970, 1, 1), datetime(9999, 12, 31, 23, 59), datetime(2028, 2, 29)]),
).map(lambda moment: minutes(moment).replace(tzinfo=UTC))


@st.composite
def cases(draw: st.DrawFn, kind: str | None = None) -> tuple[Schedule, dict[str, Any], datetime]:
    """A schedule, its pattern and an ``after``: before the start, at it, on a run, mid-cycle."""
    start = draw(STARTS)
    pattern = draw(patterns(kind))
    schedule = Schedule.model_validate({"startDate": start, "pattern": pattern})
    where = draw(st.sampled_from(["before", "at start", "on a run", "mid-cycle", "anywhere"]))
    if where == "before":
        after = start - draw(st.timedeltas(timedelta(minutes=1), timedelta(days=800)))
    elif where == "at start":
        after = start
    elif where in ("on a run", "mid-cycle"):
        runs = scanned_runs(start, pattern, start - timedelta(minutes=1), draw(st.integers(1, 6)))
        after = runs[-1] if runs else start
        if where == "mid-cycle":
            room = datetime.max.replace(tzinfo=UTC) - after
            after += min(draw(st.timedeltas(timedelta(seconds=1), timedelta(days=40))), room)
    else:
        after = draw(
            st.datetimes(datetime(1970, 1, 1), datetime(9999, 12, 31), timezones=st.just(UTC))
        )
    return schedule, pattern, after


# --------------------------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------------------------


@given(cases(), st.integers(1, 40))
@example(  # every 3 days, asked mid-cycle: the next run is the cycle's, not the day after
    (
        Schedule.model_validate(
            {
                "startDate": "2026-01-01T10:00:00Z",
                "pattern": {"type": "daily", "frequency": "recurrence", "repeatFrequency": 3},
            }
        ),
        {"type": "daily", "frequency": "recurrence", "repeatFrequency": 3},
        datetime(2026, 1, 5, 12, 0, tzinfo=UTC),
    ),
    4,
)
def test_next_runs_equal_a_day_by_day_scan(
    case: tuple[Schedule, dict[str, Any], datetime], count: int
) -> None:
    schedule, pattern, after = case
    assert schedule.next_runs(after, count) == scanned_runs(
        schedule.start_date, pattern, after, count
    )


@pytest.mark.parametrize("kind", KINDS)
@given(data=st.data())
def test_every_kind_against_the_scan(kind: str, data: st.DataObject) -> None:
    schedule, pattern, after = data.draw(cases(kind))
    count = data.draw(st.integers(1, 25))
    runs = schedule.next_runs(after, count)
    assert runs == scanned_runs(schedule.start_date, pattern, after, count)
    # Strictly after, in order, at the start's time of day, never before the start.
    assert all(after < run for run in runs)
    assert runs == sorted(set(runs))
    assert {run.timetz() for run in runs} <= {schedule.start_date.timetz()}
    assert all(run >= schedule.start_date for run in runs)


# --------------------------------------------------------------------------------------------
# Examples: the counts of issue 21, the edges the mutants found
# --------------------------------------------------------------------------------------------

AFTER = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def schedule(start: str, **pattern: Any) -> Schedule:
    return Schedule.model_validate({"startDate": start, "pattern": pattern})


@pytest.mark.parametrize(
    ("pattern", "count"),
    [
        ({"type": "weekly", "weekDays": "Monday"}, 1000),
        ({"type": "daily", "frequency": "everyday"}, 5000),
        ({"type": "monthly", "weekIndex": "Second", "dayOfWeek": "Wednesday"}, 300),
        ({"type": "monthly", "dayOfMonth": "31"}, 200),
        ({"type": "monthly", "dayOfMonth": "29"}, 500),  # February only in leap years
    ],
)
def test_every_run_asked_for_is_returned(pattern: dict[str, Any], count: int) -> None:
    start = datetime(2026, 1, 1, 2, 30, tzinfo=UTC)
    runs = schedule(start.isoformat(), **pattern).next_runs(AFTER, count)
    assert len(runs) == count
    assert runs == scanned_runs(start, pattern, AFTER, count)


@pytest.mark.parametrize("kind", KINDS[:6])
def test_ten_thousand_runs_take_well_under_a_second(kind: str) -> None:
    example_patterns: dict[str, dict[str, Any]] = {
        "everyday": {"type": "daily", "frequency": "everyday"},
        "every weekday": {"type": "daily", "frequency": "every weekday"},
        "recurrence": {"type": "daily", "frequency": "recurrence", "repeatFrequency": 9},
        "weekly": {"type": "weekly", "weekDays": "Sunday, Saturday"},
        "monthly days": {"type": "monthly", "dayOfMonth": "30, 31"},
        "monthly weekday": {"type": "monthly", "weekIndex": "Last", "dayOfWeek": "Friday"},
    }
    daily = schedule("2026-01-01T02:30:00Z", **example_patterns[kind])
    began = time.process_time()  # CPU time: a loaded machine does not make it fail
    runs = daily.next_runs(AFTER, 10_000)
    assert time.process_time() - began < 0.25
    assert len(runs) == 10_000


def test_fewer_runs_only_where_the_calendar_ends() -> None:
    late = schedule("9999-12-01T23:59:00Z", type="weekly", weekDays="Friday")
    after = datetime(9999, 1, 1, tzinfo=UTC)
    assert [run.day for run in late.next_runs(after, 10)] == [3, 10, 17, 24, 31]
    assert late.next_runs(datetime(9999, 12, 31, 23, 58, tzinfo=UTC), 3) == [
        datetime(9999, 12, 31, 23, 59, tzinfo=UTC)
    ]
    assert late.next_runs(datetime(9999, 12, 31, 23, 59, tzinfo=UTC), 3) == []
    monthly = schedule("9999-10-01T00:00:00Z", type="monthly", weekIndex="Last", dayOfWeek="Friday")
    assert [run.month for run in monthly.next_runs(after, 9)] == [10, 11, 12]
    days = schedule("9999-12-30T00:00:00Z", type="monthly", dayOfMonth="1, 30, 31")
    assert [run.day for run in days.next_runs(after, 9)] == [30, 31]
    assert (
        len(
            schedule("9999-12-01T00:00:00Z", type="daily", frequency="everyday").next_runs(
                after, 40
            )
        )
        == 31
    )


def test_strictly_after_a_run_and_at_the_start() -> None:
    daily = schedule("2026-12-01T02:30:00Z", type="daily", frequency="everyday")
    on_a_run = datetime(2026, 12, 3, 2, 30, tzinfo=UTC)
    assert daily.next_runs(on_a_run, 1) == [datetime(2026, 12, 4, 2, 30, tzinfo=UTC)]
    assert daily.next_runs(on_a_run - timedelta(seconds=1), 1) == [on_a_run]
    assert daily.next_runs(daily.start_date, 1) == [datetime(2026, 12, 2, 2, 30, tzinfo=UTC)]
    once = schedule("2026-12-01T02:30:00Z", type="run once")
    assert once.next_runs(once.start_date, 3) == []
    assert once.next_runs(once.start_date - timedelta(microseconds=1), 3) == [once.start_date]


def test_every_n_days_asked_mid_cycle_keeps_the_cycle() -> None:
    every_three = schedule(
        "2026-01-01T10:00:00Z", type="daily", frequency="recurrence", repeatFrequency=3
    )
    # Runs: Jan 1, 4, 7, 10...; asked on the 5th (mid-cycle) and on the 4th after its run.
    assert [r.day for r in every_three.next_runs(datetime(2026, 1, 5, tzinfo=UTC), 3)] == [
        7,
        10,
        13,
    ]
    assert [r.day for r in every_three.next_runs(datetime(2026, 1, 4, 11, tzinfo=UTC), 2)] == [
        7,
        10,
    ]
    assert [r.day for r in every_three.next_runs(datetime(2026, 1, 6, 23, tzinfo=UTC), 1)] == [7]


def test_week_index_edges() -> None:
    # December 2026 begins on a Tuesday: its Mondays are the 7th, 14th, 21st and 28th.
    first_monday = schedule(
        "2026-12-01T00:00:00Z", type="monthly", weekIndex="First", dayOfWeek="Monday"
    )
    assert first_monday.next_runs(AFTER, 1)[0].day == 7
    fourth = schedule(
        "2026-12-01T00:00:00Z", type="monthly", weekIndex="Fourth", dayOfWeek="Monday"
    )
    assert fourth.next_runs(AFTER, 1)[0].day == 28
    # The last Thursday of December 2026 is the 31st; of a February with four, the 25th.
    last = schedule("2026-12-01T00:00:00Z", type="monthly", weekIndex="Last", dayOfWeek="Thursday")
    assert [(r.month, r.day) for r in last.next_runs(AFTER, 3)] == [(12, 31), (1, 28), (2, 25)]
    # A Tuesday that begins the month is its first.
    first_tuesday = schedule(
        "2026-12-01T00:00:00Z", type="monthly", weekIndex="First", dayOfWeek="Tuesday"
    )
    assert first_tuesday.next_runs(AFTER, 1)[0].day == 1


def test_runs_between_includes_its_start_and_excludes_its_end() -> None:
    daily = schedule("2026-12-01T02:30:00Z", type="daily", frequency="everyday")
    start = datetime(2026, 12, 3, 2, 30, tzinfo=UTC)
    runs = list(daily.runs_between(start, start + timedelta(days=3)))
    assert runs == [start, start + DAY, start + 2 * DAY]
    assert list(daily.runs_between(start + timedelta(seconds=1), start + DAY)) == []


def test_first_run_is_the_first_day_the_pattern_runs_on() -> None:
    assert schedule(
        "2026-12-01T02:30:00Z", type="weekly", weekDays="Friday"
    ).first_run() == datetime(2026, 12, 4, 2, 30, tzinfo=UTC)
    start = schedule("2026-12-01T02:30:00Z", type="run once")
    assert start.first_run() == start.start_date
    assert schedule("2026-12-01T02:30:00Z", type="never").first_run() is None


def test_a_naive_after_is_local_time_and_none_is_now() -> None:
    daily = schedule("2026-01-01T02:30:00Z", type="daily", frequency="everyday")
    naive = datetime(2030, 5, 5, 12, 0)
    assert daily.next_runs(naive, 2) == daily.next_runs(naive.astimezone(UTC), 2)
    before, runs = datetime.now(UTC), daily.next_runs(count=1)
    assert before < runs[0] <= before + DAY
    assert daily.next_runs(AFTER, 0) == daily.next_runs(AFTER, -3) == []


def test_five_runs_by_default() -> None:
    assert (
        len(schedule("2026-01-01T02:30:00Z", type="daily", frequency="everyday").next_runs(AFTER))
        == 5
    )


def test_every_n_days_stops_at_the_calendars_last_day() -> None:
    every = {"type": "daily", "frequency": "recurrence"}
    last = datetime(9999, 12, 31, 0, 0, tzinfo=UTC)
    for start, step in (("9999-12-30T00:00:00Z", 1), ("9999-12-29T00:00:00Z", 2)):
        runs = schedule(start, **every, repeatFrequency=step).next_runs(AFTER, 5)
        assert runs[-1] == last
        assert len(runs) == 2


@contextmanager
def local_zone(name: str) -> Iterator[None]:
    """The process's local time zone set to ``name`` (a naive ``after`` is read in it)."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = name
    time.tzset()
    try:
        yield
    finally:
        if before is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = before
        time.tzset()


def test_an_aware_after_is_read_in_utc_whatever_the_local_zone() -> None:
    late = schedule("2026-01-01T23:30:00Z", type="daily", frequency="everyday")
    noon = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)  # 2 December, 02:00 in Kiribati
    with local_zone("Pacific/Kiritimati"):
        assert late.next_runs(noon, 1) == [datetime(2026, 12, 1, 23, 30, tzinfo=UTC)]


def test_a_naive_after_beyond_the_calendar_in_utc_is_kept_inside_it() -> None:
    daily = schedule("2026-01-01T02:30:00Z", type="daily", frequency="everyday")
    with local_zone("Pacific/Kiritimati"):  # UTC+14: the first naive minute is in year 0 in UTC
        assert daily.next_runs(datetime.min, 1) == [daily.start_date]
    with local_zone("Etc/GMT+12"):  # UTC-12: the last naive minute is in year 10000 in UTC
        assert daily.next_runs(datetime.max, 1) == []
