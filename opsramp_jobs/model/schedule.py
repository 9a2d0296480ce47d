"""When a job runs: the schedule patterns, the start date, and the run times they give."""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
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

    def runs_on(self, day: date, start: date) -> bool:
        """Return whether the pattern fires on ``day``."""
        return True

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

    def runs_on(self, day: date, start: date) -> bool:
        """Return whether the pattern fires on ``day``."""
        return day.weekday() < 5

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

    def runs_on(self, day: date, start: date) -> bool:
        """Return whether the pattern fires on ``day``."""
        return (day - start).days % self.repeat_frequency == 0

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

    def runs_on(self, day: date, start: date) -> bool:
        """Return whether the pattern fires on ``day``."""
        return WEEKDAYS[(day.weekday() + 1) % 7] in self.week_days

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

    def runs_on(self, day: date, start: date) -> bool:
        """Return whether the pattern fires on ``day``."""
        return day.day in self.day_of_month

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

    def runs_on(self, day: date, start: date) -> bool:
        """Return whether the pattern fires on ``day``."""
        if WEEKDAYS[(day.weekday() + 1) % 7] != self.day_of_week:
            return False
        if self.week_index == "Last":
            return day.day + 7 > calendar.monthrange(day.year, day.month)[1]
        return (day.day - 1) // 7 == WEEK_INDEXES.index(self.week_index)

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

    def runs_on(self, day: date, start: date) -> bool:
        """Return whether the pattern fires on ``day``."""
        return day == start

    def describe_days(self) -> str:
        """Describe the days the pattern fires on."""
        return "once"


class Never(WireModel):
    """No scheduled run (on demand only)."""

    called = "a 'never' pattern"

    type: Literal["never"] = "never"
    """Pattern type; always ``never``: no scheduled run, on demand only (set for you)."""

    def runs_on(self, day: date, start: date) -> bool:
        """Return whether the pattern fires on ``day``."""
        return False

    def describe_days(self) -> str:
        """Describe the days the pattern fires on."""
        return "never on a schedule (on demand only)"


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

    def _run_days(self, first: date) -> Iterator[date]:
        """Days the job runs on, from ``first``, until the calendar ends (year 9999)."""
        start = self.start_date.date()
        day = max(first, start)
        pattern = self.pattern
        if isinstance(pattern, Never):
            return
        if isinstance(pattern, RunOnce):
            if day == start:
                yield start
            return
        last = date.max.toordinal()
        if isinstance(pattern, EveryNDays):
            # Jump straight to the first day of the cycle instead of scanning day by day; in
            # ordinals, so an N of a million days ends the list instead of overflowing a date.
            step = pattern.repeat_frequency
            ordinal = day.toordinal()
            offset = (ordinal - start.toordinal()) % step
            if offset:
                ordinal += step - offset
            while ordinal <= last:
                yield date.fromordinal(ordinal)
                ordinal += step
            return
        # Any calendar pattern fires at least once in 7 years (a 31st, a leap day is not used).
        for _ in range(366 * 7):
            if pattern.runs_on(day, start):
                yield day
            if day.toordinal() >= last:
                return
            day += timedelta(days=1)

    def next_runs(self, after: datetime | None = None, count: int = 5) -> list[datetime]:
        """List the next ``count`` run times (UTC) strictly after ``after`` (default: now).

        Never raises for a parsed job: runs beyond the end of the calendar are left out.
        """
        moment = after or datetime.now(UTC)
        try:
            after_utc = moment.astimezone(UTC)
        except (OverflowError, ValueError):  # a naive moment at the very edge of the calendar
            after_utc = _FIRST_INSTANT if moment.year < 5000 else LATEST_START
        at = self.start_date.timetz()
        runs: list[datetime] = []
        if count <= 0:
            return runs
        for day in self._run_days(after_utc.date()):
            when = datetime.combine(day, at)
            if when <= after_utc or when < self.start_date:
                continue
            runs.append(when)
            if len(runs) >= count:
                break
        return runs

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
