"""The collision rule over the model's engine (find_collisions), against brute force."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from opsramp_jobs.model import Schedule
from opsramp_jobs.policy.config import CollisionSettings
from opsramp_jobs.policy.rules import JobView, device_collisions, job_view, utc
from tests.model.strategies import patterns

NOW = datetime(2026, 12, 5, 3, 0, tzinfo=UTC)
DAILY = {"type": "daily", "frequency": "everyday"}
DEVICES = (
    "709824de-8315-4cf9-ad1c-b15aaf7bf2a5",
    "3f1ac0de-1111-4cf9-ad1c-b15aaf7bf2a5",
    "5b2ac0de-2222-4cf9-ad1c-b15aaf7bf2a5",
)


def job(name: str, start: str, pattern: dict[str, Any], *devices: str) -> JobView:
    """A job as the rules read it (its devices any ids: the rule only compares them)."""
    schedule = Schedule.model_validate({"startDate": start, "pattern": pattern})
    return JobView(f"urn:{name}", name, devices, 0, True, schedule, None)


def test_a_jobs_runs_are_after_now_up_to_the_end_of_the_lookahead_included() -> None:
    # The model's ranges include their start and exclude their end; the rules' are the reverse.
    daily = job("daily", "2026-12-01T03:00:00+0000", DAILY, "d")
    assert daily.runs(NOW, NOW + timedelta(days=2)) == [
        NOW + timedelta(days=1),
        NOW + timedelta(days=2),
    ]
    assert daily.schedule is not None
    assert daily.runs(NOW, NOW + timedelta(days=200)) == daily.schedule.next_runs(NOW, 200)
    # Ten years of "day 31": seven a year.
    day31 = job("day31", "2026-12-01T02:30:00+0000", {"type": "monthly", "dayOfMonth": "31"}, "d")
    assert len(day31.runs(NOW, NOW + timedelta(days=3650))) == 70
    once = job("once", "2026-12-10T02:30:00+0000", {"type": "run once"}, "d")
    assert once.runs(NOW, NOW + timedelta(days=30)) == [datetime(2026, 12, 10, 2, 30, tzinfo=UTC)]
    assert once.runs(NOW, NOW + timedelta(days=2)) == []


def test_a_collision_at_now_or_after_the_lookahead_is_not_reported() -> None:
    once = {"type": "run once"}
    at_now = [job(n, "2026-12-01T03:00:00+0000", once, "d") for n in "ab"]
    assert not device_collisions(at_now, CollisionSettings(), datetime(2026, 12, 1, 3, tzinfo=UTC))
    assert device_collisions(at_now, CollisionSettings(), datetime(2026, 12, 1, 2, 59, tzinfo=UTC))
    # Runs at 03:00 on 5 December: one day after 4 December 03:00 is in, after 02:59 out.
    later = [job(n, "2026-12-05T03:00:00+0000", once, "d") for n in "ab"]
    one_day = CollisionSettings(lookahead_days=1)
    assert device_collisions(later, one_day, datetime(2026, 12, 4, 3, 0, tzinfo=UTC))
    assert not device_collisions(later, one_day, datetime(2026, 12, 4, 2, 59, tzinfo=UTC))


def test_the_earlier_job_is_the_one_whose_run_comes_first_then_by_name() -> None:
    # The model names the pair in the order the jobs were given; the rule by their runs.
    late = job("a-late", "2026-12-01T02:40:00+0000", DAILY, "d")
    early = job("z-early", "2026-12-01T02:30:00+0000", DAILY, "d")
    (found,) = device_collisions([late, early], CollisionSettings(), NOW)
    assert found.urn == "urn:z-early"
    assert found.message.startswith("jobs 'z-early' and 'a-late' start 10 minutes apart")
    same = [job(n, "2026-12-01T02:30:00+0000", DAILY, "d") for n in ("b", "a")]
    (found,) = device_collisions(same, CollisionSettings(), NOW)
    assert found.urn == "urn:a"
    assert found.message.startswith("jobs 'a' and 'b' start at the same minute ")


def test_violations_are_ordered_by_the_earlier_run_then_names() -> None:
    jobs = [
        job("d", "2026-12-01T05:00:00+0000", DAILY, "y"),
        job("c", "2026-12-01T05:00:00+0000", DAILY, "y"),
        job("b", "2026-12-01T04:00:00+0000", DAILY, "x"),
        job("a", "2026-12-01T04:10:00+0000", DAILY, "x"),
        job("e", "2026-12-01T05:00:00+0000", DAILY, "y"),
    ]
    found = device_collisions(jobs, CollisionSettings(), NOW)
    assert [v.message[:16] for v in found] == [
        "jobs 'b' and 'a'",
        "jobs 'c' and 'd'",
        "jobs 'c' and 'e'",
        "jobs 'd' and 'e'",
    ]


@st.composite
def stacks(draw: st.DrawFn) -> list[JobView]:
    """Two to five jobs on three devices, some on one schedule, listed out of name order."""
    pool = [
        {
            "startDate": f"2026-12-0{draw(st.integers(1, 7))}T0{draw(st.integers(2, 4))}:"
            f"{draw(st.sampled_from(['00', '05', '20', '30']))}:00+0000",
            "pattern": draw(patterns()),
        }
        for _ in range(draw(st.integers(1, 4)))
    ]
    count = draw(st.integers(2, 5))
    names = draw(st.permutations([f"j{i}" for i in range(count)]))
    jobs = []
    for name in names:
        entities = [
            {"resource": {"id": device, "type": "DEVICE"}}
            for device in draw(st.lists(st.sampled_from(DEVICES), max_size=3))
        ]
        props = {"name": name, "entities": entities, "schedule": draw(st.sampled_from(pool))}
        jobs.append(job_view(f"urn:{name}", name, props))
    return jobs


def brute_force(jobs: list[JobView], window: timedelta, end: datetime) -> list[tuple[Any, ...]]:
    """(earlier run, earlier name, later name, later run, urn, shared devices) of each pair."""
    found = []
    for i, one in enumerate(jobs):
        for other in jobs[i + 1 :]:
            shared = sorted(set(one.devices) & set(other.devices))
            if not shared or one.schedule is None or other.schedule is None:
                continue
            count = (end - NOW).days + 2
            runs_one = [r for r in one.schedule.next_runs(NOW, count) if r <= end]
            runs_other = [r for r in other.schedule.next_runs(NOW, count) if r <= end]
            close = [
                (min(a, b), max(a, b), a, b)
                for a in runs_one
                for b in runs_other
                if abs(a - b) <= window
            ]
            if not close:
                continue
            first, last, a, b = min(close)
            earlier, later = (one, other) if (a, one.name) < (b, other.name) else (other, one)
            found.append((first, earlier.name, later.name, last, earlier.urn, shared))
    return sorted(found)


@settings(max_examples=200, deadline=None)
@given(jobs=stacks(), minutes=st.integers(0, 120), days=st.integers(1, 4))
def test_collisions_match_brute_force(jobs: list[JobView], minutes: int, days: int) -> None:
    expected = brute_force(jobs, timedelta(minutes=minutes), NOW + timedelta(days=days))
    found = device_collisions(jobs, CollisionSettings(minutes, days), NOW)
    messages = []
    for first, earlier, later, last, urn, shared in expected:
        gap = int((last - first).total_seconds() // 60)
        apart = "at the same minute" if gap == 0 else f"{gap} minute{'s' * (gap != 1)} apart"
        more = f" (and {len(shared) - 1} more)" if len(shared) > 1 else ""
        messages.append(
            (
                urn,
                f"jobs {earlier!r} and {later!r} start {apart} on device {shared[0]}{more} "
                f"(limit: {minutes} minutes): first at {utc(first)} ({earlier!r}) and "
                f"{utc(last)} ({later!r})",
            )
        )
    assert [(v.urn, v.message) for v in found] == messages
