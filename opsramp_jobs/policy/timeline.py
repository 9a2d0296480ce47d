"""When jobs run, for the policy rules: runs in a time range, and jobs starting close together.

Both functions are thin over :meth:`opsramp_jobs.model.Schedule.next_runs`, the one place the
next-run math lives; the rules never compute a run time themselves.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

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


def first_collisions(jobs: Iterable[TimedJob], window: timedelta) -> list[Collision]:
    """For each pair of jobs sharing a device, the first two runs at most ``window`` apart.

    One sweep over every run in time order, each run looking ahead ``window``: a pair is met
    first at its earliest run, so that is the one kept. Cost: sorting the runs, plus one step
    per two runs that close together (on a shared device or not). Sorted by the time of the
    earlier run, then by job names.
    """
    listed = list(jobs)
    runs = sorted((run, index) for index, job in enumerate(listed) for run in job.runs)
    found: dict[tuple[int, int], tuple[datetime, int, datetime, int]] = {}
    apart: set[tuple[int, int]] = set()  # pairs that share no device
    for position, (run, index) in enumerate(runs):
        ahead = position + 1
        while ahead < len(runs) and runs[ahead][0] - run <= window:
            later, other = runs[ahead]
            ahead += 1
            pair = (index, other) if index < other else (other, index)
            if other == index or pair in found or pair in apart:
                continue
            if listed[index].key == listed[other].key or listed[index].devices.isdisjoint(
                listed[other].devices
            ):
                apart.add(pair)
                continue
            found[pair] = (run, index, later, other)
    collisions = []
    for first_run, first_index, second_run, second_index in found.values():
        first, second = listed[first_index], listed[second_index]
        if first_run == second_run and second.name < first.name:
            first, second = second, first
        shared = tuple(sorted(first.devices & second.devices))
        collisions.append(Collision(first, second, first_run, second_run, shared))
    return sorted(collisions, key=lambda c: (c.first_run, c.first.name, c.second.name))
