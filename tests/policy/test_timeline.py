"""Run times in a range and the first close pair of runs, against brute force."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from opsramp_jobs.model import Schedule
from opsramp_jobs.policy.timeline import TimedJob, first_collisions, runs_between

NOW = datetime(2026, 12, 5, 3, 0, tzinfo=UTC)


def schedule(start: str, **pattern: object) -> Schedule:
    return Schedule.model_validate({"startDate": start, "pattern": pattern})


def test_runs_between_is_next_runs_cut_at_the_end() -> None:
    daily = schedule("2026-12-01T02:30:00+0000", type="daily", frequency="everyday")
    runs = runs_between(daily, NOW, NOW + timedelta(days=200))
    assert len(runs) == 200
    assert runs == daily.next_runs(after=NOW, count=200)
    assert runs[0] == datetime(2026, 12, 6, 2, 30, tzinfo=UTC)


def test_runs_between_keeps_a_run_exactly_at_the_end_and_none_at_the_start() -> None:
    daily = schedule("2026-12-01T02:30:00+0000", type="daily", frequency="everyday")
    start = datetime(2026, 12, 6, 2, 30, tzinfo=UTC)
    runs = runs_between(daily, start, start + timedelta(days=2))
    assert runs == [start + timedelta(days=1), start + timedelta(days=2)]


def test_runs_between_reads_past_one_batch_of_sparse_runs() -> None:
    # "Day 31": seven runs a year, so ten years hold more than one batch of next_runs.
    day31 = schedule("2026-12-01T02:30:00+0000", type="monthly", dayOfMonth="31")
    runs = runs_between(day31, NOW, NOW + timedelta(days=3650))
    assert len(runs) == 70
    assert all(run.day == 31 for run in runs)


def test_runs_between_of_run_once_and_never() -> None:
    once = schedule("2026-12-10T02:30:00+0000", type="run once")
    assert runs_between(once, NOW, NOW + timedelta(days=30)) == [
        datetime(2026, 12, 10, 2, 30, tzinfo=UTC)
    ]
    assert runs_between(once, NOW, NOW + timedelta(days=2)) == []
    never = schedule("2026-12-10T02:30:00+0000", type="never")
    assert runs_between(never, NOW, NOW + timedelta(days=30)) == []


def job(key: str, devices: set[str], *minutes: int) -> TimedJob:
    return TimedJob(
        key, key, frozenset(devices), tuple(sorted(NOW + timedelta(minutes=m) for m in minutes))
    )


def test_a_pair_on_a_shared_device_collides_at_its_first_close_runs() -> None:
    found = first_collisions(
        [job("b", {"d1", "d2"}, 0, 100, 200), job("a", {"d2", "d1", "d3"}, 50, 190)],
        timedelta(minutes=15),
    )
    assert len(found) == 1
    (collision,) = found
    assert (collision.first.name, collision.second.name) == ("a", "b")
    assert collision.first_run == NOW + timedelta(minutes=190)
    assert collision.second_run == NOW + timedelta(minutes=200)
    assert collision.devices == ("d1", "d2")


def test_the_window_is_inclusive_and_devices_must_be_shared() -> None:
    window = timedelta(minutes=15)
    assert first_collisions([job("a", {"d1"}, 0), job("b", {"d1"}, 15)], window)
    assert not first_collisions([job("a", {"d1"}, 0), job("b", {"d1"}, 16)], window)
    assert not first_collisions([job("a", {"d1"}, 0), job("b", {"d2"}, 0)], window)
    # One job on many devices never collides with itself.
    assert not first_collisions([job("a", {"d1", "d2"}, 0, 5)], window)


@settings(max_examples=200, deadline=None)
@given(
    runs=st.lists(st.lists(st.integers(0, 2000), max_size=8, unique=True), min_size=2, max_size=5),
    devices=st.lists(st.sets(st.sampled_from("xyz"), max_size=2), min_size=5, max_size=5),
    window=st.integers(0, 120),
)
def test_first_collisions_match_brute_force(
    runs: list[list[int]], devices: list[set[str]], window: int
) -> None:
    jobs = [job(f"j{i}", devices[i], *minutes) for i, minutes in enumerate(runs)]
    expected = {}
    for i, one in enumerate(jobs):
        for other in jobs[i + 1 :]:
            if not one.devices & other.devices:
                continue
            close = [
                (min(x, y), x, y)
                for x in one.runs
                for y in other.runs
                if abs(x - y) <= timedelta(minutes=window)
            ]
            if close:
                expected[frozenset((one.key, other.key))] = min(close)[0]
    found = first_collisions(jobs, timedelta(minutes=window))
    assert {frozenset((c.first.key, c.second.key)): c.first_run for c in found} == expected
    assert [c.first_run for c in found] == sorted(c.first_run for c in found)
