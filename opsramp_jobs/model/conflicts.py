"""Where jobs get in each other's way: two jobs starting on one device within minutes of each other
(a collision), and runs inside a blackout window (weekly hours, UTC, when no job should start).

Used by the `calendar` command and open to any stack-wide check. Run times come from
:meth:`Schedule.runs_between`; nothing here calls OpsRamp or imports Pulumi.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import combinations

from opsramp_jobs.model.common import WEEKDAYS
from opsramp_jobs.model.schedule import Schedule

__all__ = [
    "BLACKOUT_EXAMPLE",
    "BlackoutWindow",
    "Collision",
    "ScheduledJob",
    "find_collisions",
]

_DAY_MINUTES = 24 * 60
_WEEK_MINUTES = 7 * _DAY_MINUTES


@dataclass(frozen=True)
class ScheduledJob:
    """A job as the checks see it: how to name it, when it runs and on which devices."""

    name: str
    """How messages name the job (its OpsRamp name, or the resource's name)."""
    schedule: Schedule
    devices: tuple[str, ...]
    """Device ids (or any key that is the same for the same device in every job)."""


@dataclass(frozen=True)
class Collision:
    """Two jobs that start on the same devices at most ``within`` apart, in the window asked for.

    Both jobs run at the same times on each of their devices, so a pair collides on every device
    the two share, at the same moments.
    """

    first: ScheduledJob
    """The one of the two that came first in the jobs given."""
    second: ScheduledJob
    devices: tuple[str, ...]
    """The devices both run on, in ``first``'s order."""
    runs: tuple[tuple[datetime, datetime], ...]
    """Each close pair: (``first``'s run, ``second``'s run), earliest first."""

    @property
    def at(self) -> datetime:
        """The first offending time (UTC): the earlier run of the earliest close pair."""
        return min(self.runs[0])


def find_collisions(
    jobs: Sequence[ScheduledJob], start: datetime, end: datetime, within: timedelta
) -> list[Collision]:
    """Every pair of jobs sharing a device whose runs from ``start`` to ``end`` (excluded) come
    at most ``within`` apart (``timedelta(0)``: the same minute); ordered by first offending time.

    Cost: a list of runs per job; a merge per two different run lists among jobs that share a
    device; a Collision per colliding pair of jobs.
    """
    runs = [list(job.schedule.runs_between(start, end)) for job in jobs]
    on_device: defaultdict[str, list[int]] = defaultdict(list)
    for index, job in enumerate(jobs):
        for device in dict.fromkeys(job.devices):
            on_device[device].append(index)
    pairs = sorted({pair for indexes in on_device.values() for pair in combinations(indexes, 2)})
    # Jobs with the same runs meet at the same times: each two run lists are merged once (a
    # stack of many jobs on one schedule is common).
    kinds: dict[tuple[datetime, ...], int] = {}
    kind = [kinds.setdefault(tuple(job_runs), len(kinds)) for job_runs in runs]
    merged: dict[tuple[int, int], tuple[tuple[datetime, datetime], ...]] = {}
    found: list[Collision] = []
    for one, other in pairs:
        key = (kind[one], kind[other])
        if key not in merged:
            merged[key] = _close_runs(runs[one], runs[other], within)
        close = merged[key]
        if close:
            shared = set(jobs[other].devices)
            devices = tuple(d for d in dict.fromkeys(jobs[one].devices) if d in shared)
            found.append(Collision(jobs[one], jobs[other], devices, close))
    found.sort(key=lambda c: (c.at, c.first.name, c.second.name))
    return found


def _close_runs(
    ones: list[datetime], others: list[datetime], within: timedelta
) -> tuple[tuple[datetime, datetime], ...]:
    """The (one, other) pairs at most ``within`` apart, earliest first (both lists in order)."""
    close: list[tuple[datetime, datetime]] = []
    for run in ones:
        index = bisect_left(others, run - within)
        while index < len(others) and others[index] <= run + within:
            close.append((run, others[index]))
            index += 1
    close.sort(key=min)
    return tuple(close)


# --------------------------------------------------------------------------------------------
# Blackout windows
# --------------------------------------------------------------------------------------------

_DAY_SETS = {
    "daily": range(7),
    "every day": range(7),
    "*": range(7),
    "weekdays": range(5),
    "weekends": (5, 6),
}
_HOURS = re.compile(r"^(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$")
BLACKOUT_EXAMPLE = "Mon-Fri 08:00-18:00"


@dataclass(frozen=True)
class BlackoutWindow:
    """Weekly hours (UTC) when no job should start, e.g. ``Mon-Fri 08:00-18:00``.

    A window whose end is not after its start runs past midnight: ``Fri 22:00-06:00`` is Friday
    22:00 to Saturday 06:00.
    """

    weekdays: frozenset[int]
    """The days the window opens on, as ``date.weekday()`` numbers (Monday 0 ... Sunday 6)."""
    opens: int
    """Minutes after midnight (UTC) the window opens."""
    closes: int
    """Minutes after midnight (UTC) it closes (1440: midnight at the end of the day)."""
    text: str = ""
    """How it was written (for messages)."""

    @classmethod
    def parse(cls, text: str) -> BlackoutWindow:
        """Read ``DAYS HH:MM-HH:MM``; DAYS: ``Mon-Fri``, ``Sat,Sun``, ``weekdays``, ``daily``...

        Raises ValueError with the fix for anything else.
        """
        days_text, _, hours_text = text.strip().rpartition(" ")
        hours = _HOURS.match(hours_text)
        if not days_text or hours is None:
            raise ValueError(
                f"blackout {text!r}: write DAYS HH:MM-HH:MM, e.g. {BLACKOUT_EXAMPLE!r}"
            )
        opens = _minutes(hours.group(1), hours.group(2), text)
        closes = _minutes(hours.group(3), hours.group(4), text)
        if opens == closes:
            raise ValueError(
                f"blackout {text!r}: it opens and closes at the same time; "
                "for a whole day write 00:00-24:00"
            )
        if opens == _DAY_MINUTES:
            raise ValueError(f"blackout {text!r}: 24:00 can only close a window; open at 00:00")
        return cls(_weekdays(days_text, text), opens, closes, text.strip())

    @property
    def minutes(self) -> int:
        """How long the window stays open, in minutes."""
        return (self.closes - self.opens) % _DAY_MINUTES or _DAY_MINUTES

    def contains(self, moment: datetime) -> bool:
        """Whether ``moment`` (aware, read in UTC) falls inside the window."""
        utc = moment.astimezone(UTC)
        in_week = utc.weekday() * _DAY_MINUTES + utc.hour * 60 + utc.minute
        return any(
            (in_week - day * _DAY_MINUTES - self.opens) % _WEEK_MINUTES < self.minutes
            for day in self.weekdays
        )

    def __str__(self) -> str:
        return self.text or f"{sorted(self.weekdays)} {self.opens}-{self.closes} min"


def _minutes(hour: str, minute: str, text: str) -> int:
    value = int(hour) * 60 + int(minute)
    if int(minute) > 59 or value > _DAY_MINUTES:
        raise ValueError(f"blackout {text!r}: {hour}:{minute} is not a time of day (00:00-24:00)")
    return value


def _weekday(name: str, text: str) -> int:
    key = name.strip().lower()
    for number, day in enumerate(WEEKDAYS):
        if len(key) >= 3 and day.lower().startswith(key):
            return (number + 6) % 7
    raise ValueError(
        f"blackout {text!r}: {name.strip()!r} is not a day; use Mon..Sun, a range such as "
        "Mon-Fri, a list such as Sat,Sun, or weekdays, weekends, daily"
    )


def _weekdays(days_text: str, text: str) -> frozenset[int]:
    key = days_text.strip().lower()
    if key in _DAY_SETS:
        return frozenset(_DAY_SETS[key])
    days: set[int] = set()
    for part in days_text.split(","):
        first, dash, last = part.partition("-")
        if not dash:
            days.add(_weekday(first, text))
            continue
        opening, closing = _weekday(first, text), _weekday(last, text)
        days.update((opening + step) % 7 for step in range((closing - opening) % 7 + 1))
    return frozenset(days)
