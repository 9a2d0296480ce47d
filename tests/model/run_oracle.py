"""The run-time oracle: a day-by-day scan of the create page's words; patterns of all 8 kinds.

It shares no code with the model's run math: it walks the calendar one day at a time and asks of
each day what OpsRamp's create-job page says the pattern means ("every weekday", "the Second
Sunday", "day 31 of every month"...), so an arithmetic slip in either shows as a difference.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta
from typing import Any

from hypothesis import strategies as st

from opsramp_jobs.model import WEEK_INDEXES, WEEKDAYS

# --------------------------------------------------------------------------------------------
# The oracle
# --------------------------------------------------------------------------------------------

DAY = timedelta(days=1)


def weekday_name(day: date) -> str:
    return calendar.day_name[day.weekday()]


def week_of_month(day: date) -> str:
    """First..Fifth by how many of this weekday the month has had so far; Last if none follows."""
    length = calendar.monthrange(day.year, day.month)[1]
    same = [
        d for d in range(1, length + 1) if date(day.year, day.month, d).weekday() == day.weekday()
    ]
    seen = same.index(day.day)
    ordinal = ["First", "Second", "Third", "Fourth", "Fifth"][seen]
    return f"{ordinal} Last" if day.day == same[-1] else ordinal


def runs_on(pattern: dict[str, Any], day: date, start: date) -> bool:
    """Whether the create page's pattern runs on ``day`` (its start day being ``start``)."""
    kind = pattern["type"]
    if kind == "run once":
        return day == start
    if kind == "never":
        return False
    if kind == "daily":
        frequency = pattern["frequency"]
        if frequency == "everyday":
            return True
        if frequency == "every weekday":
            return weekday_name(day) not in ("Saturday", "Sunday")
        return (day - start).days % int(pattern["repeatFrequency"]) == 0
    if kind == "weekly":
        return weekday_name(day) in [d.strip() for d in pattern["weekDays"].split(",")]
    if "dayOfMonth" in pattern:
        return day.day in [int(d) for d in pattern["dayOfMonth"].split(",")]
    if weekday_name(day) != pattern["dayOfWeek"]:
        return False
    return pattern["weekIndex"] in week_of_month(day).split()


def scanned_runs(
    start: datetime, pattern: dict[str, Any], after: datetime, count: int
) -> list[datetime]:
    """The first ``count`` runs strictly after ``after``, found by testing one day at a time."""
    runs: list[datetime] = []
    day = max(start.date(), after.date())
    while len(runs) < count:
        run = datetime.combine(day, start.timetz())
        if run > after and run >= start and runs_on(pattern, day, start.date()):
            runs.append(run)
        if day == date.max or (pattern["type"] in ("run once", "never") and day > start.date()):
            break
        day += DAY
    return runs


# --------------------------------------------------------------------------------------------
# Patterns of all 8 kinds, in the create page's JSON
# --------------------------------------------------------------------------------------------

KINDS = [
    "everyday",
    "every weekday",
    "recurrence",
    "weekly",
    "monthly days",
    "monthly weekday",
    "run once",
    "never",
]


@st.composite
def patterns(draw: st.DrawFn, kind: str | None = None) -> dict[str, Any]:
    kind = kind or draw(st.sampled_from(KINDS))
    if kind in ("everyday", "every weekday"):
        return {"type": "daily", "frequency": kind}
    if kind == "recurrence":
        step = draw(st.one_of(st.integers(1, 10), st.integers(1, 400)))
        return {"type": "daily", "frequency": "recurrence", "repeatFrequency": step}
    if kind == "weekly":
        days = draw(st.lists(st.sampled_from(WEEKDAYS), min_size=1, max_size=7, unique=True))
        return {"type": "weekly", "weekDays": ", ".join(days)}
    if kind == "monthly days":
        numbers = st.one_of(st.integers(1, 31), st.integers(28, 31))
        numbered = draw(st.lists(numbers, min_size=1, max_size=6, unique=True))
        return {"type": "monthly", "dayOfMonth": ", ".join(map(str, numbered))}
    if kind == "monthly weekday":
        return {
            "type": "monthly",
            "weekIndex": draw(st.sampled_from(WEEK_INDEXES)),
            "dayOfWeek": draw(st.sampled_from(WEEKDAYS)),
        }
    return {"type": kind}
