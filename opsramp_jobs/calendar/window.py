"""A stack's runs over some days: per job, per device, colliding and in blackout windows."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from opsramp_jobs.calendar.stack import StackJob, StackJobs
from opsramp_jobs.model.conflicts import BlackoutWindow, Collision, find_collisions

__all__ = ["KEPT_PARTNERS", "NO_DEVICE", "BlackoutRun", "CalendarWindow", "Mark", "plan"]

# The row of jobs that name no device.
NO_DEVICE = ""


@dataclass(frozen=True)
class BlackoutRun:
    """A run that starts inside a blackout window."""

    job: StackJob
    at: datetime
    window: BlackoutWindow


# Partners kept per run, for its tooltip (a stack of many jobs at one time has hundreds).
KEPT_PARTNERS = 3


@dataclass
class Mark:
    """One run of one job on one device (or on the row of jobs without devices)."""

    job: StackJob
    at: datetime
    collisions: int = 0
    """How many runs of other jobs on this device it collides with."""
    partners: list[tuple[StackJob, datetime]] = field(default_factory=list)
    """The first few of them."""
    blackout: BlackoutWindow | None = None

    def collide(self, other: StackJob, at: datetime) -> None:
        """Count a run of ``other`` at ``at`` that collides with this one."""
        self.collisions += 1
        if len(self.partners) < KEPT_PARTNERS:
            self.partners.append((other, at))


@dataclass
class CalendarWindow:
    """Everything the summary and the page show, computed once."""

    stack: StackJobs
    start: datetime
    days: int
    within: timedelta
    blackouts: tuple[BlackoutWindow, ...]
    runs: dict[str, list[datetime]]
    """Runs in the window, by job title."""
    collisions: list[Collision]
    blackout_runs: list[BlackoutRun]
    marks: dict[str, list[Mark]]
    """By device id (NO_DEVICE: jobs without devices), in time order."""

    @property
    def end(self) -> datetime:
        """Where the window ends (excluded)."""
        return self.start + timedelta(days=self.days)

    @property
    def dates(self) -> list[date]:
        """The window's days."""
        return [(self.start + timedelta(days=n)).date() for n in range(self.days)]

    @property
    def devices(self) -> list[str]:
        """The devices of the stack's jobs, by label; NO_DEVICE last when some job has none."""
        named = sorted((d for d in self.marks if d != NO_DEVICE), key=self.stack.device_label)
        return named + ([NO_DEVICE] if NO_DEVICE in self.marks else [])

    @property
    def run_count(self) -> int:
        """Runs of all jobs in the window (a run on three devices counts once)."""
        return sum(len(runs) for runs in self.runs.values())


def plan(
    stack: StackJobs,
    start: datetime,
    days: int,
    within: timedelta,
    blackouts: tuple[BlackoutWindow, ...] = (),
) -> CalendarWindow:
    """The stack's runs in ``days`` days from ``start``, with collisions and blackout runs."""
    end = start + timedelta(days=days)
    jobs = {job.title: job for job in stack.jobs}
    runs = {job.title: list(job.schedule.runs_between(start, end)) for job in stack.jobs}
    collisions = find_collisions([job.scheduled for job in stack.jobs], start, end, within)
    marks: dict[str, list[Mark]] = defaultdict(list)
    by_run: dict[tuple[str, str, datetime], Mark] = {}
    blackout_runs: list[BlackoutRun] = []
    for job in stack.jobs:
        for at in runs[job.title]:
            window = next((w for w in blackouts if w.contains(at)), None)
            if window is not None:
                blackout_runs.append(BlackoutRun(job, at, window))
            # Every device of the job gets the run; a job without devices gets a row of its own.
            for device in job.devices or (NO_DEVICE,):
                mark = Mark(job, at, blackout=window)
                marks[device].append(mark)
                by_run[device, job.title, at] = mark
    for collision in collisions:
        one, other = jobs[collision.first.name], jobs[collision.second.name]
        for device in collision.devices:
            for one_at, other_at in collision.runs:
                by_run[device, one.title, one_at].collide(other, other_at)
                by_run[device, other.title, other_at].collide(one, one_at)
    for device_marks in marks.values():
        device_marks.sort(key=lambda mark: (mark.at, mark.job.title))
    blackout_runs.sort(key=lambda run: (run.at, run.job.title))
    return CalendarWindow(
        stack, start, days, within, blackouts, runs, collisions, blackout_runs, dict(marks)
    )
