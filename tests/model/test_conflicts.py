"""Collisions between jobs on a device, and blackout windows (opsramp_jobs.model.conflicts)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opsramp_jobs.model import Schedule
from opsramp_jobs.model.conflicts import BlackoutWindow, ScheduledJob, find_collisions
from tests.model.strategies import patterns

START = datetime(2026, 12, 1, tzinfo=UTC)
END = START + timedelta(days=14)
QUARTER_HOUR = timedelta(minutes=15)


def scheduled(name: str, start: str, pattern: dict[str, Any], *devices: str) -> ScheduledJob:
    schedule = Schedule.model_validate({"startDate": start, "pattern": pattern})
    return ScheduledJob(name, schedule, devices)


EVERY_SECOND_DAY = {"type": "daily", "frequency": "recurrence", "repeatFrequency": 2}
SUNDAY_WEDNESDAY = {"type": "weekly", "weekDays": "Sunday, Wednesday"}


def test_two_jobs_on_a_shared_device_collide_where_their_days_meet() -> None:
    patch = scheduled("patch", "2026-12-01T02:30:00Z", EVERY_SECOND_DAY, "web-1", "web-2")
    reboot = scheduled("reboot", "2026-12-01T02:45:00Z", SUNDAY_WEDNESDAY, "web-2", "db-1")
    (collision,) = find_collisions([patch, reboot], START, END, QUARTER_HOUR)
    assert (collision.first, collision.second, collision.devices) == (patch, reboot, ("web-2",))
    # Every 2 days from Tue 1 Dec (1, 3, ..., 13) meets Sun/Wed (2, 6, 9, 13) on the 9th, 13th.
    assert collision.runs == (
        (datetime(2026, 12, 9, 2, 30, tzinfo=UTC), datetime(2026, 12, 9, 2, 45, tzinfo=UTC)),
        (datetime(2026, 12, 13, 2, 30, tzinfo=UTC), datetime(2026, 12, 13, 2, 45, tzinfo=UTC)),
    )
    assert collision.at == datetime(2026, 12, 9, 2, 30, tzinfo=UTC)
    # 15 minutes apart is within 15 minutes; not within 14.
    assert find_collisions([patch, reboot], START, END, timedelta(minutes=14)) == []


def test_no_collision_without_a_shared_device_or_outside_the_window() -> None:
    patch = scheduled("patch", "2026-12-01T02:30:00Z", EVERY_SECOND_DAY, "web-1")
    reboot = scheduled("reboot", "2026-12-01T02:30:00Z", EVERY_SECOND_DAY, "web-2")
    assert find_collisions([patch, reboot], START, END, QUARTER_HOUR) == []
    late = scheduled("late", "2026-12-20T02:30:00Z", EVERY_SECOND_DAY, "web-1")
    assert find_collisions([patch, late], START, END, QUARTER_HOUR) == []


def test_the_earlier_run_of_a_pair_is_the_first_offending_time() -> None:
    early = scheduled("early", "2026-12-01T02:20:00Z", {"type": "run once"}, "d")
    late = scheduled("late", "2026-12-01T02:30:00Z", {"type": "run once"}, "d")
    (collision,) = find_collisions([late, early], START, END, QUARTER_HOUR)
    assert collision.first.name == "late"  # the order the jobs were given in
    assert collision.at == datetime(2026, 12, 1, 2, 20, tzinfo=UTC)


def test_collisions_are_ordered_by_first_offending_time() -> None:
    jobs = [
        scheduled("c", "2026-12-05T01:00:00Z", {"type": "run once"}, "d"),
        scheduled("d", "2026-12-05T01:05:00Z", {"type": "run once"}, "d"),
        scheduled("a", "2026-12-02T01:00:00Z", {"type": "run once"}, "e"),
        scheduled("b", "2026-12-02T01:00:00Z", {"type": "run once"}, "e"),
    ]
    found = find_collisions(jobs, START, END, timedelta(0))
    assert [(c.first.name, c.second.name) for c in found] == [("a", "b")]
    found = find_collisions(jobs, START, END, QUARTER_HOUR)
    assert [(c.first.name, c.second.name) for c in found] == [("a", "b"), ("c", "d")]


def test_jobs_on_one_schedule_share_its_runs_in_the_order_the_jobs_were_given() -> None:
    # A and C run on one schedule, B on another between them in the list: each pair's runs are
    # (first's, second's), the first being the one given first.
    a = scheduled("a", "2026-12-01T02:30:00Z", {"type": "run once"}, "d")
    b = scheduled("b", "2026-12-01T02:40:00Z", {"type": "run once"}, "d")
    c = scheduled("c", "2026-12-01T02:30:00Z", {"type": "run once"}, "d", "e")
    found = find_collisions([a, b, c], START, END, QUARTER_HOUR)
    assert [(x.first.name, x.second.name, x.devices, x.runs) for x in found] == [
        ("a", "b", ("d",), ((a.schedule.start_date, b.schedule.start_date),)),
        ("a", "c", ("d",), ((a.schedule.start_date, c.schedule.start_date),)),
        ("b", "c", ("d",), ((b.schedule.start_date, c.schedule.start_date),)),
    ]


def test_the_close_runs_of_a_pair_are_earliest_first() -> None:
    daily = {"type": "daily", "frequency": "everyday"}
    one = scheduled("one", "2026-12-01T00:00:00Z", daily, "d")
    other = scheduled("other", "2026-12-01T12:00:00Z", daily, "d")
    (found,) = find_collisions([one, other], START, START + timedelta(days=2), timedelta(hours=12))
    day = timedelta(days=1)
    first, second = one.schedule.start_date, other.schedule.start_date
    assert found.runs == ((first, second), (first + day, second), (first + day, second + day))
    # Runs as close as a day: at one earlier run, the pair with first's run at it comes first.
    tue_wed = {"type": "weekly", "weekDays": "Tuesday, Wednesday"}
    jobs = [
        scheduled("a", "2026-12-01T00:00:00Z", daily, "d"),
        scheduled("b", "2026-12-01T00:00:00Z", tue_wed, "d"),
        scheduled("c", "2026-12-01T00:00:00Z", daily, "d"),
    ]
    found_all = find_collisions(jobs, START, START + 3 * day, timedelta(days=1))
    (b_and_c,) = [x for x in found_all if (x.first.name, x.second.name) == ("b", "c")]
    tuesday, wednesday, thursday = START, START + day, START + 2 * day
    assert b_and_c.runs == (
        (tuesday, tuesday),
        (tuesday, wednesday),
        (wednesday, tuesday),
        (wednesday, wednesday),
        (wednesday, thursday),
    )


@st.composite
def job_sets(draw: st.DrawFn) -> list[ScheduledJob]:
    # A few schedules for more jobs: jobs on one schedule, given in any order, are common.
    schedules = []
    for _ in range(draw(st.integers(1, 3))):
        start = draw(st.datetimes(datetime(2026, 11, 20), datetime(2026, 12, 10)))
        start = start.replace(minute=draw(st.sampled_from([0, 5, 10, 30])), second=0)
        schedules.append((f"{start.isoformat()}Z", draw(patterns())))
    jobs = []
    for index in range(draw(st.integers(2, 5))):
        devices = draw(st.lists(st.sampled_from("abc"), min_size=1, max_size=3))
        start_date, pattern = draw(st.sampled_from(schedules))
        jobs.append(scheduled(f"job{index}", start_date, pattern, *devices))
    return jobs


@given(job_sets(), st.integers(0, 90))
def test_collisions_equal_every_pair_of_runs_on_a_shared_device(
    jobs: list[ScheduledJob], minutes: int
) -> None:
    within = timedelta(minutes=minutes)
    found = find_collisions(jobs, START, END, within)
    got = {
        (collision.first.name, collision.second.name, device, pair)
        for collision in found
        for device in collision.devices
        for pair in collision.runs
    }
    expected = set()
    for i, one in enumerate(jobs):
        for other in jobs[i + 1 :]:
            for device in set(one.devices) & set(other.devices):
                for a in one.schedule.next_runs(START - timedelta(minutes=1), 20):
                    for b in other.schedule.next_runs(START - timedelta(minutes=1), 20):
                        if a < END and b < END and abs(a - b) <= within:
                            expected.add((one.name, other.name, device, (a, b)))
    assert got == expected
    assert [c.at for c in found] == sorted(c.at for c in found)
    for collision in found:
        assert collision.first.name < collision.second.name  # job0, job1, ...: as given
        assert list(collision.runs) == sorted(collision.runs, key=lambda pair: (min(pair), pair))


WEEKDAY_HOURS = BlackoutWindow.parse("Mon-Fri 08:00-18:00")


@pytest.mark.parametrize(
    ("moment", "inside"),
    [
        (datetime(2026, 12, 1, 8, 0, tzinfo=UTC), True),  # Tuesday, as it opens
        (datetime(2026, 12, 1, 17, 59, tzinfo=UTC), True),
        (datetime(2026, 12, 1, 18, 0, tzinfo=UTC), False),  # as it closes
        (datetime(2026, 12, 1, 7, 59, tzinfo=UTC), False),
        (datetime(2026, 12, 5, 12, 0, tzinfo=UTC), False),  # Saturday
        (datetime(2026, 12, 7, 9, 0, tzinfo=UTC), True),  # Monday
        # 09:30 in India is 04:00 UTC: outside.
        (datetime.fromisoformat("2026-12-01T09:30:00+05:30"), False),
    ],
)
def test_a_weekday_window(moment: datetime, inside: bool) -> None:
    assert WEEKDAY_HOURS.contains(moment) is inside


def test_a_window_past_midnight_and_day_spellings() -> None:
    night = BlackoutWindow.parse("Fri 22:00-06:00")
    assert night.contains(datetime(2026, 12, 4, 22, 0, tzinfo=UTC))  # Friday night
    assert night.contains(datetime(2026, 12, 5, 5, 59, tzinfo=UTC))  # Saturday morning
    assert not night.contains(datetime(2026, 12, 4, 5, 59, tzinfo=UTC))  # Friday morning
    assert not night.contains(datetime(2026, 12, 5, 22, 0, tzinfo=UTC))
    # Sunday night into Monday: the week wraps.
    assert BlackoutWindow.parse("Sun 23:00-01:00").contains(
        datetime(2026, 12, 7, 0, 30, tzinfo=UTC)
    )
    assert BlackoutWindow.parse("sat, SUNDAY 00:00-24:00").weekdays == {5, 6}
    assert BlackoutWindow.parse("weekends 00:00-24:00").minutes == 24 * 60
    assert BlackoutWindow.parse("Fri-Mon 00:00-01:00").weekdays == {4, 5, 6, 0}
    assert BlackoutWindow.parse("every day 12:00-13:00").weekdays == set(range(7))


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("Mon-Fri", "write DAYS HH:MM-HH:MM, e.g. 'Mon-Fri 08:00-18:00'"),
        ("08:00-18:00", "write DAYS HH:MM-HH:MM"),
        ("Mon-Fri 8-18", "write DAYS HH:MM-HH:MM"),
        ("Mo 08:00-18:00", "'Mo' is not a day; use Mon..Sun"),
        ("Mon-Fry 08:00-18:00", "'Fry' is not a day"),
        ("Mon 10:00-10:00", "for a whole day write 00:00-24:00"),
        ("Mon 24:00-02:00", "24:00 can only close a window"),
        ("Mon 08:60-09:00", "08:60 is not a time of day"),
        ("Mon 08:00-24:01", "24:01 is not a time of day"),
    ],
)
def test_a_window_that_cannot_be_read_says_how_to_write_it(text: str, says: str) -> None:
    with pytest.raises(ValueError, match="blackout") as caught:
        BlackoutWindow.parse(text)
    assert says in str(caught.value)
