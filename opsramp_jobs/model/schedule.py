"""When a job runs: the schedule patterns, the start date, and the run times they give."""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, date, datetime
from itertools import islice, takewhile
from typing import TYPE_CHECKING, Annotated, Any, Literal, Union

from pydantic import (
    AliasChoices,
    BeforeValidator,
    Discriminator,
    Field,
    Tag,
    ValidationInfo,
    field_validator,
)
from pydantic_core import PydanticCustomError

from opsramp_jobs.model.common import (
    MAX_ID,
    WEEK_INDEXES,
    WEEKDAYS,
    Shown,
    WireModel,
    from_server,
    invalid,
    join_words,
    json_object,
    note,
    shown,
    split_list,
    strict_whole_number,
    suggest,
    whole_number,
)

if TYPE_CHECKING:
    from icalendar import vRecur

    from opsramp_jobs.model.common import Coerced

__all__ = [
    "EARLIEST_START",
    "LATEST_START",
    "MAX_REPEAT_DAYS",
    "EveryDay",
    "EveryNDays",
    "EveryWeekday",
    "MonthlyOnDays",
    "MonthlyOnWeekday",
    "Never",
    "Pattern",
    "RunOnce",
    "Schedule",
    "Weekly",
    "next_run_times",
    "schedule_in_words",
]

# The largest "every N days" accepted from a program: ten years between runs. (A job read back
# from OpsRamp may hold any N up to MAX_ID: run times are then listed as far as dates go.)
MAX_REPEAT_DAYS = 3650
# Start dates a program may give (in UTC): from the Unix epoch to the last minute of the year
# 9999, the range both OpsRamp's epoch-based dates and Python's datetime hold.
EARLIEST_START = datetime(1970, 1, 1, tzinfo=UTC)
LATEST_START = datetime(9999, 12, 31, 23, 59, tzinfo=UTC)
_FIRST_INSTANT = datetime.min.replace(tzinfo=UTC)


def _format_instant(moment: datetime) -> str:
    """``yyyy-MM-ddTHH:mm:ss+0000`` (strftime would not pad a year below 1000 on every OS)."""
    return (
        f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}"
        f"T{moment.hour:02d}:{moment.minute:02d}:{moment.second:02d}+0000"
    )


def _format_day(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}-{day.day:02d}"


# --------------------------------------------------------------------------------------------
# Field types
# --------------------------------------------------------------------------------------------


def _parse_weekday(value: object) -> str:
    if isinstance(value, str):
        key = value.strip().lower()
        for day in WEEKDAYS:
            if key in (day.lower(), day[:3].lower()):
                return day
        raise invalid(
            "weekday", f"{shown(value.strip())} is not a weekday{suggest(value.strip(), WEEKDAYS)}"
        )
    raise invalid("weekday", f"{shown(value)} is not a weekday; use a name such as 'Monday'")


def _parse_week_index(value: object) -> str:
    if isinstance(value, str):
        key = value.strip().lower()
        for index in WEEK_INDEXES:
            if key == index.lower():
                return index
        raise invalid(
            "week_index",
            f"{shown(value.strip())} is not a week index{suggest(value.strip(), WEEK_INDEXES)}",
        )
    raise invalid(
        "week_index",
        f"{shown(value)} is not a week index; use First, Second, Third, Fourth or Last",
    )


def _parse_day_of_month(value: object) -> int:
    number = whole_number(value)
    if number is None or not 1 <= number <= 31:
        raise invalid(
            "day_of_month",
            f"{shown(value)} is not a day of the month; use a whole number from 1 to 31",
        )
    return number


Weekday = Annotated[str, BeforeValidator(_parse_weekday)]
WeekIndex = Annotated[str, BeforeValidator(_parse_week_index)]
DayOfMonth = Annotated[int, BeforeValidator(_parse_day_of_month)]

if TYPE_CHECKING:
    WeekDays = Coerced[tuple[str, ...], Sequence[str]]
    DaysOfMonth = Coerced[tuple[int, ...], Sequence[int] | str]
else:
    WeekDays = Annotated[
        tuple[Weekday, ...], BeforeValidator(split_list), Shown("Sequence[str] | str")
    ]
    DaysOfMonth = Annotated[
        tuple[DayOfMonth, ...], BeforeValidator(split_list), Shown("Sequence[int] | str")
    ]


# --------------------------------------------------------------------------------------------
# Patterns
# --------------------------------------------------------------------------------------------


class EveryDay(WireModel):
    """Daily, every day."""

    called = "a daily 'everyday' pattern"

    type: Literal["daily"] = "daily"
    """Pattern type; always ``daily`` (set for you)."""
    frequency: Literal["everyday"] = "everyday"
    """Daily frequency; always ``everyday``: a run every day (set for you)."""

    def describe_days(self) -> str:
        """Describe the days the pattern fires on."""
        return "every day"


class EveryWeekday(WireModel):
    """Daily, Monday to Friday."""

    called = "a daily 'every weekday' pattern"

    type: Literal["daily"] = "daily"
    """Pattern type; always ``daily`` (set for you)."""
    frequency: Literal["every weekday"] = "every weekday"
    """Daily frequency; always ``every weekday``: a run Monday to Friday (set for you)."""

    def describe_days(self) -> str:
        """Describe the days the pattern fires on."""
        return "every weekday (Monday to Friday)"


def _lower_repeat_type(value: object) -> object:
    # OpsRamp quirk: requests send "Days", responses echo "days".
    return value.strip().lower() if isinstance(value, str) else value


class EveryNDays(WireModel):
    """Daily, every N days counted from the start date."""

    called = "a daily 'recurrence' pattern"

    type: Literal["daily"] = "daily"
    """Pattern type; always ``daily`` (set for you)."""
    frequency: Literal["recurrence"] = "recurrence"
    """Daily frequency; always ``recurrence``: a run every ``repeat_frequency`` days."""
    repeat_type: Annotated[Literal["days"], BeforeValidator(_lower_repeat_type)] = Field(
        default="days",
        validation_alias=AliasChoices("repeatType", "repeat_type"),
        serialization_alias="repeatType",
    )
    """Unit of ``repeat_frequency``; always ``days`` (any case: examples send ``Days``)."""
    repeat_frequency: int = Field(
        validation_alias=AliasChoices("repeatFrequency", "repeat_frequency"),
        serialization_alias="repeatFrequency",
    )
    """N, for a run every N days from the start date: a whole number from 1 to 3650 (or ``"2"``)."""

    @field_validator("repeat_frequency", mode="before")
    @classmethod
    def _check_repeat_frequency(cls, value: object, info: ValidationInfo) -> int:
        # A job edited outside Pulumi may hold any N: reading it back must show it, not fail.
        maximum = MAX_ID if from_server(info) else MAX_REPEAT_DAYS
        return strict_whole_number(value, "repeatFrequency (every N days)", 1, maximum)

    def describe_days(self) -> str:
        """Describe the days the pattern fires on."""
        return "every day" if self.repeat_frequency == 1 else f"every {self.repeat_frequency} days"

    def canonical(self) -> dict[str, Any]:
        """The deterministic form for state and diffs: without ``repeatType``, always ``days``."""
        return self.model_dump(mode="json", exclude_none=True, exclude={"repeat_type"})

    def wire(self) -> dict[str, Any]:
        """Return the OpsRamp request form (with ``repeatType``, as OpsRamp's examples send it)."""
        return self.model_dump(mode="json", exclude_none=True)


class Weekly(WireModel):
    """Weekly, on a set of weekdays."""

    called = "a 'weekly' pattern"

    type: Literal["weekly"] = "weekly"
    """Pattern type; always ``weekly`` (set for you)."""
    week_days: WeekDays = Field(
        validation_alias=AliasChoices("weekDays", "week_days"), serialization_alias="weekDays"
    )
    """Days to run on (one or more): ``Monday`` or ``Mon``, any case; a list or ``"a, b"``."""

    @field_validator("week_days")
    @classmethod
    def _collapse(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if not value:
            raise invalid("empty", "weekly needs at least one weekday, e.g. 'Monday, Thursday'")
        return tuple(day for day in WEEKDAYS if day in value)

    def canonical(self) -> dict[str, Any]:
        """Return the deterministic plain-JSON form used for state and diffs."""
        return {"type": self.type, "weekDays": list(self.week_days)}

    def wire(self) -> dict[str, Any]:
        """Return the OpsRamp request form (weekdays as one comma-separated string)."""
        return {"type": self.type, "weekDays": ", ".join(self.week_days)}

    def describe_days(self) -> str:
        """Describe the days the pattern fires on."""
        return "every " + join_words(list(self.week_days))


class MonthlyOnDays(WireModel):
    """Monthly, on a set of days of the month (a day a month lacks is skipped that month)."""

    called = "a monthly pattern on dayOfMonth"

    type: Literal["monthly"] = "monthly"
    """Pattern type; always ``monthly`` (set for you)."""
    day_of_month: DaysOfMonth = Field(
        validation_alias=AliasChoices("dayOfMonth", "day_of_month"),
        serialization_alias="dayOfMonth",
    )
    """Days of the month to run on, at least one, each 1 to 31: a list or ``"1, 15"``."""

    @field_validator("day_of_month")
    @classmethod
    def _collapse(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        if not value:
            raise invalid(
                "empty", "monthly needs at least one day of the month (1-31), e.g. '1, 15'"
            )
        return tuple(sorted(set(value)))

    def canonical(self) -> dict[str, Any]:
        """Return the deterministic plain-JSON form used for state and diffs."""
        return {"type": self.type, "dayOfMonth": list(self.day_of_month)}

    def wire(self) -> dict[str, Any]:
        """Return the OpsRamp request form (days as one comma-separated string)."""
        return {"type": self.type, "dayOfMonth": ", ".join(str(d) for d in self.day_of_month)}

    def describe_days(self) -> str:
        """Describe the days the pattern fires on."""
        noun = "day" if len(self.day_of_month) == 1 else "days"
        return f"on {noun} {join_words([str(d) for d in self.day_of_month])} of every month"


class MonthlyOnWeekday(WireModel):
    """Monthly, on the First/Second/Third/Fourth/Last given weekday."""

    called = "a monthly pattern on weekIndex + dayOfWeek"

    type: Literal["monthly"] = "monthly"
    """Pattern type; always ``monthly`` (set for you)."""
    week_index: WeekIndex = Field(
        validation_alias=AliasChoices("weekIndex", "week_index"), serialization_alias="weekIndex"
    )
    """Which of the month's weekdays: ``First``, ``Second``, ``Third``, ``Fourth`` or ``Last``."""
    # OpsRamp quirk: the doc example names this `dayOfWeek`, the schema `dayOfIndex`. We accept
    # both and send `dayOfWeek`, as the example does.
    day_of_week: Weekday = Field(
        validation_alias=AliasChoices("dayOfWeek", "dayOfIndex", "day_of_week"),
        serialization_alias="dayOfWeek",
    )
    """The weekday: ``Sunday`` to ``Saturday`` or ``Sun``..., any case (schema: ``dayOfIndex``)."""

    def describe_days(self) -> str:
        """Describe the days the pattern fires on."""
        return f"on the {self.week_index.lower()} {self.day_of_week} of every month"


# Meaning assumed for the two one-off patterns (the public page is ambiguous: it describes both
# as running "a single time"): `run once` runs exactly once, at the start date; `never` sets up no
# scheduled run at all (the job exists and runs only when started on demand).
class RunOnce(WireModel):
    """Run exactly once, at the start date."""

    called = "a 'run once' pattern"

    type: Literal["run once"] = "run once"
    """Pattern type; always ``run once``: one run, at the start date (set for you)."""


class Never(WireModel):
    """No scheduled run (on demand only)."""

    called = "a 'never' pattern"

    type: Literal["never"] = "never"
    """Pattern type; always ``never``: no scheduled run, on demand only (set for you)."""


_PATTERN_TYPES = ("daily", "weekly", "monthly", "run once", "never")
_DAILY_FREQUENCIES = ("everyday", "every weekday", "recurrence")
_MONTHLY_DAY_KEYS = ("dayOfMonth", "day_of_month")
_MONTHLY_WEEKDAY_KEYS = ("weekIndex", "week_index", "dayOfWeek", "dayOfIndex", "day_of_week")
# How to write each pattern, for a pattern given as a bare string ("daily").
_PATTERN_EXAMPLES = {
    "daily": '{"type": "daily", "frequency": "everyday"} or EveryDay()',
    "weekly": '{"type": "weekly", "weekDays": "Monday"} or Weekly(week_days=["Monday"])',
    "monthly": '{"type": "monthly", "dayOfMonth": "1"} or MonthlyOnDays(day_of_month=[1])',
    "run once": '{"type": "run once"} or RunOnce()',
    "never": '{"type": "never"} or Never()',
}


_PATTERN_CHOICES = (
    "use EveryDay(), EveryWeekday(), EveryNDays(...), Weekly(...), MonthlyOnDays(...), "
    "MonthlyOnWeekday(...), RunOnce() or Never()"
)


def _pattern_key(raw: str) -> str:
    key = re.sub(r"[\s_-]+", " ", raw.strip().lower())
    return {"runonce": "run once"}.get(key, key)


def _normalise_pattern(value: object) -> object:
    """Normalise a pattern's type/frequency spelling and enforce the monthly either/or rule."""
    if isinstance(value, WireModel):
        if type(value) not in PATTERN_TAG_BY_CLASS:
            raise invalid(
                "pattern", f"{type(value).__name__}() is not a pattern; {_PATTERN_CHOICES}"
            )
        return value
    if isinstance(value, str):
        example = _PATTERN_EXAMPLES.get(_pattern_key(value), _PATTERN_EXAMPLES["daily"])
        raise invalid(
            "pattern",
            f"{shown(value)} is a string; a pattern is an object with its type, e.g. {example}",
        )
    given = json_object(value)
    if given is None:
        raise invalid(
            "pattern", 'must be an object such as {"type": "daily", "frequency": "everyday"}'
        )
    data = dict(given)
    raw_type = data.get("type")
    if raw_type is None:
        raise invalid("missing", "is required: one of " + ", ".join(_PATTERN_TYPES), "type")
    if not isinstance(raw_type, str):
        raise invalid("pattern_type", f"{shown(raw_type)} is not a pattern type", "type")
    key = _pattern_key(raw_type)
    if key not in _PATTERN_TYPES:
        raise invalid(
            "pattern_type",
            f"{shown(raw_type)} is not a pattern type{suggest(key, _PATTERN_TYPES)}",
            "type",
        )
    data["type"] = key
    if key == "daily":
        frequency = data.get("frequency")
        if frequency is None:
            raise invalid(
                "missing",
                "is required for a daily pattern: everyday, every weekday or recurrence",
                "frequency",
            )
        if not isinstance(frequency, str):
            raise invalid("frequency", f"{shown(frequency)} is not a daily frequency", "frequency")
        normalised = re.sub(r"[\s_-]+", " ", frequency.strip().lower())
        normalised = {"every day": "everyday", "weekday": "every weekday"}.get(
            normalised, normalised
        )
        if normalised not in _DAILY_FREQUENCIES:
            hint = suggest(normalised, _DAILY_FREQUENCIES)
            raise invalid(
                "frequency", f"{shown(frequency)} is not a daily frequency{hint}", "frequency"
            )
        data["frequency"] = normalised
    if key == "monthly":
        has_days = any(k in data for k in _MONTHLY_DAY_KEYS)
        has_weekday = any(k in data for k in _MONTHLY_WEEKDAY_KEYS)
        if has_days and has_weekday:
            raise invalid(
                "monthly",
                "monthly takes either dayOfMonth or weekIndex + dayOfWeek, not both; "
                "remove one of them",
            )
        if not has_days and not has_weekday:
            raise invalid(
                "monthly",
                "monthly needs dayOfMonth (days 1-31, e.g. '1, 15') "
                "or weekIndex + dayOfWeek (e.g. 'Second' + 'Sunday')",
            )
    return data


def _pattern_tag(value: object) -> str | None:
    data = json_object(value)
    if data is not None:
        kind = data.get("type")
        if kind == "daily":
            return f"daily:{data.get('frequency')}"
        if kind == "monthly":
            return (
                "monthly:days" if any(k in data for k in _MONTHLY_DAY_KEYS) else "monthly:weekday"
            )
        return str(kind)
    return PATTERN_TAG_BY_CLASS.get(type(value))


PATTERN_TAG_BY_CLASS: dict[type, str] = {
    EveryDay: "daily:everyday",
    EveryWeekday: "daily:every weekday",
    EveryNDays: "daily:recurrence",
    Weekly: "weekly",
    MonthlyOnDays: "monthly:days",
    MonthlyOnWeekday: "monthly:weekday",
    RunOnce: "run once",
    Never: "never",
}
PATTERN_TAGS = frozenset(PATTERN_TAG_BY_CLASS.values())
PATTERN_CLASSES: tuple[type[WireModel], ...] = tuple(PATTERN_TAG_BY_CLASS)

Pattern = Annotated[
    Union[  # noqa: UP007 - tagged members read better one per line
        Annotated[EveryDay, Tag("daily:everyday")],
        Annotated[EveryWeekday, Tag("daily:every weekday")],
        Annotated[EveryNDays, Tag("daily:recurrence")],
        Annotated[Weekly, Tag("weekly")],
        Annotated[MonthlyOnDays, Tag("monthly:days")],
        Annotated[MonthlyOnWeekday, Tag("monthly:weekday")],
        Annotated[RunOnce, Tag("run once")],
        Annotated[Never, Tag("never")],
    ],
    Discriminator(_pattern_tag),
    BeforeValidator(_normalise_pattern),
    Shown("Pattern"),
]


# --------------------------------------------------------------------------------------------
# Run days: each pattern's days in ordinals (date.toordinal), one step per run
# --------------------------------------------------------------------------------------------

_LAST_DAY = date.max.toordinal()
_MONDAY_TO_FRIDAY = (0, 1, 2, 3, 4)  # date.weekday() numbers
_LAST_MONTH = 9999 * 12 + 11  # December 9999 as year * 12 + month - 1
_LAST_WEEK = WEEK_INDEXES.index("Last")


def _weekday_number(name: str) -> int:
    """``date.weekday()``'s number for a weekday name (Monday 0 ... Sunday 6)."""
    return (WEEKDAYS.index(name) + 6) % 7


def _ical_day(name: str) -> str:
    """iCalendar's two-letter weekday: ``MO`` for Monday."""
    return name[:2].upper()


def _every_n_days(first: int, start: int, step: int) -> Iterator[int]:
    """Every ``step``-th day counted from ``start``, from ``first`` on (``first >= start``)."""
    # In ordinals, so an N of a million days ends the list instead of overflowing a date.
    yield from range(first + (start - first) % step, _LAST_DAY + 1, step)


def _on_weekdays(first: int, weekdays: Sequence[int]) -> Iterator[int]:
    """The days from ``first`` on the given ``date.weekday()`` numbers (in ascending order)."""
    monday = first - date.fromordinal(first).weekday()
    while True:
        for weekday in weekdays:
            day = monday + weekday
            if day > _LAST_DAY:
                return
            if day >= first:
                yield day
        monday += 7


def _months(first: int) -> Iterator[tuple[int, int]]:
    """(year, month) from the month of day ``first`` to the calendar's last month."""
    opening = date.fromordinal(first)
    for index in range(opening.year * 12 + opening.month - 1, _LAST_MONTH + 1):
        year, month = divmod(index, 12)
        yield year, month + 1


def _on_days_of_month(first: int, days: Sequence[int]) -> Iterator[int]:
    """The given days (ascending) of every month from ``first`` on; a day a month lacks skipped."""
    for year, month in _months(first):
        length = calendar.monthrange(year, month)[1]
        for day in days:
            if day > length:
                break
            ordinal = date(year, month, day).toordinal()
            if ordinal >= first:
                yield ordinal


def _on_nth_weekday(first: int, weekday: int, week: int) -> Iterator[int]:
    """The first..fourth (``week`` 0-3) or last (4) ``weekday`` of every month from ``first`` on."""
    for year, month in _months(first):
        opening, length = calendar.monthrange(year, month)
        if week == _LAST_WEEK:
            closing = (opening + length - 1) % 7
            day = length - (closing - weekday) % 7
        else:
            day = 1 + (weekday - opening) % 7 + 7 * week
        ordinal = date(year, month, day).toordinal()
        if ordinal >= first:
            yield ordinal


def _utc(moment: datetime) -> datetime:
    """``moment`` in UTC (a naive one read as local time), kept inside the calendar."""
    try:
        return moment.astimezone(UTC)
    except (OverflowError, ValueError):  # a naive moment at the very edge of the calendar
        return _FIRST_INSTANT if moment.year < 5000 else LATEST_START


# --------------------------------------------------------------------------------------------
# Start date and schedule
# --------------------------------------------------------------------------------------------

_DATE_FORMAT_HINT = "use yyyy-MM-ddTHH:mm:ss+0000 (e.g. 2026-01-05T02:30:00+0000)"


def _parse_start_date(value: object, info: ValidationInfo) -> datetime:
    if isinstance(value, str):
        text = value.strip()
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            raise invalid(
                "start_date", f"{shown(value)} is not a date-time; {_DATE_FORMAT_HINT}"
            ) from None
    elif isinstance(value, datetime):
        parsed = value
    else:
        raise invalid("start_date", f"{shown(value)} is not a date-time; {_DATE_FORMAT_HINT}")
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise invalid(
            "start_date",
            f"{value!s} has no UTC offset; add one, e.g. +0000 or Z, so every stack "
            "schedules the same instant",
        )
    try:
        moment = parsed.astimezone(UTC)
    except (OverflowError, ValueError):
        # The offset moves the instant out of the calendar (year 0 or 10000).
        moment = _FIRST_INSTANT if parsed.year < 5000 else LATEST_START
        if not from_server(info):
            raise _out_of_range(value) from None
    if not from_server(info) and not EARLIEST_START <= moment <= LATEST_START:
        raise _out_of_range(value)
    # OpsRamp quirk: the server keeps minute precision (10:10:10 comes back 10:10:00).
    if moment.second or moment.microsecond:
        note(
            info,
            f"{value!s} has seconds; OpsRamp keeps whole minutes, so the job starts at "
            f"{moment:%H:%M} UTC",
        )
    return moment.replace(second=0, microsecond=0)


def _out_of_range(value: object) -> PydanticCustomError:
    return invalid(
        "start_date",
        f"{value!s} is out of range; give a start date from "
        f"{_format_instant(EARLIEST_START)} to {_format_instant(LATEST_START)} (UTC)",
    )


if TYPE_CHECKING:
    StartDate = Coerced[datetime, datetime | str]
else:
    StartDate = Annotated[datetime, Shown("datetime | str")]


class Schedule(WireModel):
    """When a job runs: a start time (UTC, minute precision) and a recurrence pattern."""

    called = "a schedule"
    example = (
        '{"startDate": "2026-12-01T02:30:00+0000", "pattern": {"type": "daily", '
        '"frequency": "everyday"}} or Schedule(start_date="2026-12-01T02:30:00+0000", '
        "pattern=EveryDay())"
    )

    start_date: StartDate = Field(
        validation_alias=AliasChoices("startDate", "start_date"), serialization_alias="startDate"
    )
    """First run and every run's time of day; needs a UTC offset; years 1970-9999; whole minutes."""
    pattern: Pattern
    """How the job recurs: a pattern class, e.g. ``Weekly(...)`` or OpsRamp's ``pattern`` object."""

    @field_validator("start_date", mode="before")
    @classmethod
    def _check_start_date(cls, value: object, info: ValidationInfo) -> datetime:
        return _parse_start_date(value, info)

    def canonical(self) -> dict[str, Any]:
        """Return the deterministic plain-JSON form used for state and diffs."""
        return {
            "startDate": _format_instant(self.start_date),
            "pattern": self.pattern.canonical(),
        }

    def wire(self) -> dict[str, Any]:
        """Return the OpsRamp request form."""
        return {
            "startDate": _format_instant(self.start_date),
            "pattern": self.pattern.wire(),
        }

    def _run_days(self, first: int) -> Iterator[int]:
        """Days (ordinals) the job runs on from day ``first``, until the calendar ends (year 9999).

        Each pattern's days are computed, one step per run, never found by testing day after day.
        """
        start = self.start_date.toordinal()
        first = max(first, start)
        if first > _LAST_DAY:
            return
        pattern = self.pattern
        if isinstance(pattern, RunOnce):
            if first == start:
                yield start
        elif isinstance(pattern, EveryDay):
            yield from range(first, _LAST_DAY + 1)
        elif isinstance(pattern, EveryNDays):
            yield from _every_n_days(first, start, pattern.repeat_frequency)
        elif isinstance(pattern, EveryWeekday):
            yield from _on_weekdays(first, _MONDAY_TO_FRIDAY)
        elif isinstance(pattern, Weekly):
            yield from _on_weekdays(first, sorted(map(_weekday_number, pattern.week_days)))
        elif isinstance(pattern, MonthlyOnDays):
            yield from _on_days_of_month(first, pattern.day_of_month)
        elif isinstance(pattern, MonthlyOnWeekday):
            week = WEEK_INDEXES.index(pattern.week_index)
            yield from _on_nth_weekday(first, _weekday_number(pattern.day_of_week), week)

    def _runs_from(self, moment: datetime, *, inclusive: bool) -> Iterator[datetime]:
        """The runs after ``moment`` (UTC), or at it too when ``inclusive``, in order."""
        at = self.start_date.timetz()
        first = moment.toordinal()
        first_run = datetime.combine(moment.date(), at)
        if first_run < moment or (first_run == moment and not inclusive):
            first += 1
        for day in self._run_days(first):
            yield datetime.combine(date.fromordinal(day), at)

    def next_runs(self, after: datetime | None = None, count: int = 5) -> list[datetime]:
        """List the next ``count`` run times (UTC) strictly after ``after`` (default: now).

        Exactly ``count``, fewer only where the calendar ends (year 9999). A naive ``after`` is
        read as local time. Never raises for a parsed job.
        """
        moment = _utc(datetime.now(UTC) if after is None else after)
        return list(islice(self._runs_from(moment, inclusive=False), max(count, 0)))

    def runs_between(self, start: datetime, end: datetime) -> Iterator[datetime]:
        """The run times (UTC) from ``start`` (included) to ``end`` (excluded), in order."""
        end_utc = _utc(end)
        return takewhile(lambda run: run < end_utc, self._runs_from(_utc(start), inclusive=True))

    def first_run(self) -> datetime | None:
        """The first run (UTC): the start date, or the first day after it the pattern runs on."""
        return next(self._runs_from(self.start_date, inclusive=True), None)

    def rrule(self) -> vRecur | None:
        """The pattern as an iCalendar RRULE counted from :meth:`first_run` (RFC 5545).

        None for ``run once`` (a single event at the start date) and ``never`` (no event). Needs
        the ``icalendar`` package (the ``calendar`` extra).
        """
        from icalendar import vRecur  # noqa: PLC0415 (optional: only calendars need it)

        pattern = self.pattern
        if isinstance(pattern, EveryDay):
            return vRecur(freq="DAILY")
        if isinstance(pattern, EveryNDays):
            return vRecur(freq="DAILY", interval=pattern.repeat_frequency)
        if isinstance(pattern, EveryWeekday):
            return vRecur(freq="WEEKLY", byday=["MO", "TU", "WE", "TH", "FR"])
        if isinstance(pattern, Weekly):
            return vRecur(freq="WEEKLY", byday=[_ical_day(day) for day in pattern.week_days])
        if isinstance(pattern, MonthlyOnDays):
            return vRecur(freq="MONTHLY", bymonthday=list(pattern.day_of_month))
        if isinstance(pattern, MonthlyOnWeekday):
            # "Last Friday" is the -1st Friday; "Second Sunday" the 2nd.
            week = WEEK_INDEXES.index(pattern.week_index)
            nth = -1 if pattern.week_index == "Last" else week + 1
            return vRecur(freq="MONTHLY", byday=[f"{nth}{_ical_day(pattern.day_of_week)}"])
        return None

    def describe(self) -> str:
        """Describe the schedule in one English sentence."""
        at = f"{self.start_date.hour:02d}:{self.start_date.minute:02d} UTC"
        on = _format_day(self.start_date.date())
        if isinstance(self.pattern, RunOnce):
            return f"once, at {at} on {on}"
        if isinstance(self.pattern, Never):
            return f"never on a schedule (on demand only); start date {on} {at}"
        return f"{self.pattern.describe_days()} at {at} from {on}"


# What a program derives from a job's stored `schedule` output (OpsRampJob.schedule_description,
# .next_runs): never raises, whatever the state holds (a schedule at the edge of the calendar, or
# a form some later version wrote).


def _stored_schedule(wire: Mapping[str, Any] | None) -> Schedule | None:
    if not wire:
        return None
    try:
        # Read as a server's answer: a refresh may have stored what a program may not declare
        # (e.g. every 10,000 days, set in OpsRamp's UI).
        return Schedule.model_validate(wire, context={"from_server": True})
    except ValueError:  # pydantic's ValidationError
        return None


def schedule_in_words(wire: Mapping[str, Any] | None) -> str:
    """The ``schedule`` object in one English sentence; empty when it cannot be described."""
    schedule = _stored_schedule(wire)
    try:
        return schedule.describe() if schedule else ""
    except (ArithmeticError, ValueError):  # dates at the very edge of the calendar
        return ""


def next_run_times(wire: Mapping[str, Any] | None, count: int = 5) -> list[str]:
    """The next ``count`` runs of the ``schedule`` object from now, as UTC ISO 8601 strings."""
    schedule = _stored_schedule(wire)
    try:
        runs = schedule.next_runs(count=count) if schedule else []
    except (ArithmeticError, ValueError):  # dates past year 9999
        return []
    return [run.strftime("%Y-%m-%dT%H:%M:%SZ") for run in runs]
