"""When jobs run, for the policy rules: runs in a time range, and jobs starting close together.

Both functions are thin over :meth:`opsramp_jobs.model.Schedule.next_runs`, the one place the
next-run math lives; the rules never compute a run time themselves.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import combinations

from opsramp_jobs.model import Schedule

__all__ = ["Collision", "TimedJob", "first_collisions", "runs_between"]

# Runs asked of next_runs per call; a range longer than that is read in several calls.
_BATCH = 64


def runs_between(schedule: Schedule, start: datetime, end: datetime) -> list[datetime]:
    """Every run strictly after ``start`` and at or before ``end`` (UTC), in order."""
    runs: list[datetime] = []
    after = start
    while after < end:
        batch = schedule.next_runs(after=after, count=_BATCH)
        if not batch:
            break
        runs += [run for run in batch if run <= end]
        # next_runs may return fewer than asked while more runs follow: ask again from the last.
        after = batch[-1]
    return runs


@dataclass(frozen=True)
class TimedJob:
    """A job for collision finding: an identity (its URN), a name, devices and run times."""

    key: str
    name: str
    devices: frozenset[str]
    runs: tuple[datetime, ...]
    """Sorted run times (UTC)."""


@dataclass(frozen=True)
class Collision:
    """Two jobs sharing devices whose runs start within the window: the earliest such pair."""

    first: TimedJob
    """The job whose run comes first (by name when both start at the same minute)."""
    second: TimedJob
    first_run: datetime
    second_run: datetime
    devices: tuple[str, ...]
    """The devices both jobs run on, sorted."""


def _first_close_pair(
    a: Sequence[datetime], b: Sequence[datetime], window: timedelta
) -> tuple[datetime, datetime] | None:
    """The earliest runs ``(x from a, y from b)`` at most ``window`` apart, by a merge walk."""
    i = j = 0
    while i < len(a) and j < len(b):
        if abs(a[i] - b[j]) <= window:
            return a[i], b[j]
        # The earlier run is too far from every later run of the other job too.
        if a[i] < b[j]:
            i += 1
        else:
            j += 1
    return None


def first_collisions(jobs: Iterable[TimedJob], window: timedelta) -> list[Collision]:
    """For each pair of jobs sharing a device, the first two runs at most ``window`` apart.

    Sorted by the time of the earlier run, then by job names.
    """
    by_device: dict[str, list[TimedJob]] = {}
    for job in jobs:
        for device in job.devices:
            by_device.setdefault(device, []).append(job)
    pairs: dict[tuple[str, str], tuple[TimedJob, TimedJob]] = {}
    for sharing in by_device.values():
        for one, other in combinations(sharing, 2):
            if one.key != other.key:
                first, second = sorted((one, other), key=lambda j: (j.name, j.key))
                pairs[(first.key, second.key)] = (first, second)
    found: list[Collision] = []
    for one, other in pairs.values():
        close = _first_close_pair(one.runs, other.runs, window)
        if close is None:
            continue
        (first, first_run), (second, second_run) = sorted(
            ((one, close[0]), (other, close[1])), key=lambda pair: (pair[1], pair[0].name)
        )
        shared = tuple(sorted(one.devices & other.devices))
        found.append(Collision(first, second, first_run, second_run, shared))
    return sorted(found, key=lambda c: (c.first_run, c.first.name, c.second.name))
