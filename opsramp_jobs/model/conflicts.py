"""Where jobs get in each other's way: two jobs starting on one device within minutes of each other
(a collision), and runs inside a blackout window (weekly hours, UTC, when no job should start).

Used by the `calendar` command and the policy pack, and open to any stack-wide check. Run times
come from :meth:`Schedule.runs_between`; nothing here calls OpsRamp or imports Pulumi.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import combinations, product

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

    Cost: a list of runs per job; one sweep over the runs of the different run lists, a step per
    two runs that close together; a device check per two jobs whose run lists meet; a Collision
    per colliding pair of jobs.
    """
    # Jobs with the same runs meet at the same times: each run list is swept once, and two run
    # lists' close runs are shared by every pair of jobs on them (a stack of many jobs on one
    # schedule is common).
    kinds: dict[tuple[datetime, ...], int] = {}
    members: list[list[int]] = []
    kind_devices: list[set[str]] = []
    for index, job in enumerate(jobs):
        if not job.devices:
            continue
        runs = tuple(job.schedule.runs_between(start, end))
        kind = kinds.setdefault(runs, len(kinds))
        if kind == len(members):
            members.append([])
            kind_devices.append(set())
        members[kind].append(index)
        kind_devices[kind].update(job.devices)
    shared_by = [len(jobs_of_kind) > 1 for jobs_of_kind in members]
    close = _close_kinds(list(kinds), kind_devices, shared_by, within)
    devices = [frozenset(job.devices) for job in jobs]
    # (first's kind, second's kind): their close runs, earliest first, and the first of them.
    oriented: dict[tuple[int, int], tuple[tuple[tuple[datetime, datetime], ...], datetime]] = {}
    found: list[tuple[datetime, str, str, int, int, Collision]] = []
    for (one_kind, other_kind), pairs in close.items():
        if one_kind == other_kind:
            candidates: Iterable[tuple[int, int]] = combinations(members[one_kind], 2)
        else:
            candidates = product(members[one_kind], members[other_kind])
        for of_one, of_other in candidates:
            if devices[of_one].isdisjoint(devices[of_other]):
                continue
            # The first of a Collision is the job given first.
            if of_one < of_other:
                one, other, key = of_one, of_other, (one_kind, other_kind)
            else:
                one, other, key = of_other, of_one, (other_kind, one_kind)
            if key not in oriented:
                close_runs = _ordered(pairs if key[0] <= key[1] else _swapped(pairs))
                oriented[key] = (close_runs, min(close_runs[0]))
            close_runs, at = oriented[key]
            first, second = jobs[one], jobs[other]
            on_both = tuple(d for d in dict.fromkeys(first.devices) if d in devices[other])
            collision = Collision(first, second, on_both, close_runs)
            found.append((at, first.name, second.name, one, other, collision))
    # By first offending time, then names, then the order the jobs were given in.
    found.sort(key=lambda item: item[:5])
    return [item[5] for item in found]


def _close_kinds(
    kind_runs: list[tuple[datetime, ...]],
    kind_devices: list[set[str]],
    shared_by: list[bool],
    within: timedelta,
) -> dict[tuple[int, int], list[tuple[datetime, datetime]]]:
    """For two run lists ``a <= b`` whose jobs share a device: their (a's, b's) runs ``within``.

    One sweep over every run in time order, each run looking ahead ``within``. A run list of two
    jobs or more meets itself too: every run with itself, and two close runs both ways.
    """
    timeline = sorted((run, kind) for kind, runs in enumerate(kind_runs) for run in runs)
    close: defaultdict[tuple[int, int], list[tuple[datetime, datetime]]] = defaultdict(list)
    meets: dict[tuple[int, int], bool] = {}
    for position, (run, kind) in enumerate(timeline):
        if shared_by[kind]:
            close[(kind, kind)].append((run, run))
        ahead = position + 1
        while ahead < len(timeline) and timeline[ahead][0] - run <= within:
            later, other = timeline[ahead]
            ahead += 1
            if other == kind:
                if shared_by[kind]:
                    close[(kind, kind)] += ((run, later), (later, run))
                continue
            key = (kind, other) if kind < other else (other, kind)
            if key not in meets:
                meets[key] = not kind_devices[kind].isdisjoint(kind_devices[other])
            if meets[key]:
                close[key].append((run, later) if kind < other else (later, run))
    return close


def _swapped(pairs: list[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    return [(second, first) for first, second in pairs]


def _ordered(
    pairs: list[tuple[datetime, datetime]],
) -> tuple[tuple[datetime, datetime], ...]:
    """Earliest first: by the earlier run of each pair, then by the pair."""
    return tuple(sorted(pairs, key=lambda pair: (min(pair), pair)))


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
