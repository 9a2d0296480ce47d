"""The OpsRamp job model: schedule patterns, job types and entities, with OpsRamp's wire format.

Three forms of a job live here and nowhere else:

- the typed model (immutable pydantic classes, discriminated unions, snake_case Python names);
- the *wire* form (:meth:`Job.to_wire`): the JSON body OpsRamp documents for create and update;
- the *canonical* form (:meth:`Job.canonical`): deterministic plain JSON, used for Pulumi state and
  diffs, in OpsRamp's field names so that a preview reads like the API documentation.

Every OpsRamp quirk the model absorbs is marked ``OpsRamp quirk`` next to the code that handles it.
"""

from __future__ import annotations

import calendar
import difflib
import re
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any, ClassVar, Literal, NoReturn, Union

from pydantic import (
    AliasChoices,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

__all__ = [
    "JOB_TYPES",
    "WEEKDAYS",
    "WEEK_INDEXES",
    "AdCheckList",
    "Antispyware",
    "Antivirus",
    "AppAudit",
    "AppInstall",
    "AppUpdate",
    "Approval",
    "AssetInfo",
    "BackupAgent",
    "ConfigParams",
    "CredentialSet",
    "CustomScript",
    "Device",
    "DiskDefrag",
    "Entity",
    "EveryDay",
    "EveryNDays",
    "EveryWeekday",
    "ExbpaCheckList",
    "Job",
    "JobValidationError",
    "MissingPatchesRequest",
    "MonthlyOnDays",
    "MonthlyOnWeekday",
    "NetworkConfigBackup",
    "Never",
    "Pattern",
    "RunOnce",
    "Schedule",
    "Script",
    "ScriptParameter",
    "ScriptRef",
    "ServerDetails",
    "SqlReport",
    "TempFilesReport",
    "Weekly",
    "device",
    "parse_job",
    "server_details",
]

# Sunday first: the order OpsRamp's own examples list weekdays in.
WEEKDAYS: tuple[str, ...] = (
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
)
WEEK_INDEXES: tuple[str, ...] = ("First", "Second", "Third", "Fourth", "Last")

# The catalogue of GET /jobs/types; "custom" (custom scripts) is a 15th type the catalogue omits.
JOB_TYPES: tuple[str, ...] = (
    "adCheckList",
    "antispyware",
    "antivirus",
    "appaudit",
    "assetinfo",
    "backupagent",
    "diskdefrag",
    "exbpaCheckList",
    "missingPatchesRequest",
    "sqlreport",
    "networkconfigbackup",
    "tempfilesreport",
    "appinstall",
    "appupdate",
    "custom",
)

# Which script properties belong to which job type (used for "wrong type for this field" errors).
_SCRIPT_PARAMETERS: dict[str, tuple[str, ...]] = {
    "configParams": ("networkconfigbackup",),
    "approvalType": ("appinstall", "appupdate"),
    "customScript": ("custom",),
    "parameters": ("custom",),
    "userType": ("custom",),
    "credentialSet": ("custom",),
}

_WIRE_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S+0000"


# --------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------


class JobValidationError(ValueError):
    """An invalid job; ``errors`` lists every ``(property path, message)`` found."""

    def __init__(self, errors: Sequence[tuple[str, str]]) -> None:
        self.errors: list[tuple[str, str]] = list(errors)
        super().__init__(self._render())

    def _render(self) -> str:
        lines = [f"  {path}: {message}" for path, message in self.errors]
        noun = "problem" if len(self.errors) == 1 else "problems"
        return f"invalid OpsRamp job ({len(self.errors)} {noun}):\n" + "\n".join(lines)


def _fail(kind: str, message: str, subpath: str = "") -> NoReturn:
    """Raise a pydantic error whose text is exactly ``message`` (``subpath`` refines its path)."""
    raise PydanticCustomError(kind, "{message}", {"message": message, "subpath": subpath})


def _suggest(value: str, choices: Sequence[str]) -> str:
    """Return ``; did you mean 'X'?`` for a near miss, else the list of valid choices."""
    lowered = {choice.lower(): choice for choice in choices}
    close = difflib.get_close_matches(value.lower(), list(lowered), n=1, cutoff=0.6)
    if close:
        return f"; did you mean {lowered[close[0]]!r}?"
    return "; expected one of " + ", ".join(repr(c) for c in choices)


# --------------------------------------------------------------------------------------------
# Base class
# --------------------------------------------------------------------------------------------


class WireModel(BaseModel):
    """Base of every model: immutable, wire names as aliases, unknown properties rejected."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        validate_by_name=True,
        validate_by_alias=True,
        serialize_by_alias=True,
        coerce_numbers_to_str=True,
    )

    # Fields OpsRamp adds to its responses (enrichment); accepted on input and ignored.
    server_fields: ClassVar[frozenset[str]] = frozenset()

    @model_validator(mode="before")
    @classmethod
    def _drop_server_fields(cls, data: Any, info: ValidationInfo) -> Any:
        if not isinstance(data, dict):
            return data
        from_server = bool(info.context and info.context.get("from_server"))
        if from_server:
            # A live server may add fields nobody documented; reading it back must not fail.
            known = set()
            for name, field in cls.model_fields.items():
                known.add(name)
                if field.alias:
                    known.add(field.alias)
                if isinstance(field.validation_alias, AliasChoices):
                    known.update(str(c) for c in field.validation_alias.choices)
            return {k: v for k, v in data.items() if k in known}
        return {k: v for k, v in data.items() if k not in cls.server_fields}

    def canonical(self) -> dict[str, Any]:
        """Return the deterministic plain-JSON form used for state and diffs."""
        return self.model_dump(mode="json", exclude_none=True)

    def wire(self) -> dict[str, Any]:
        """Return the OpsRamp request form of this part of a job."""
        return self.canonical()


# --------------------------------------------------------------------------------------------
# Field types
# --------------------------------------------------------------------------------------------


def _parse_weekday(value: object) -> str:
    if isinstance(value, str):
        key = value.strip().lower()
        for day in WEEKDAYS:
            if key in (day.lower(), day[:3].lower()):
                return day
        _fail("weekday", f"{value.strip()!r} is not a weekday{_suggest(value.strip(), WEEKDAYS)}")
    _fail("weekday", f"{value!r} is not a weekday; use a name such as 'Monday'")


def _parse_week_index(value: object) -> str:
    if isinstance(value, str):
        key = value.strip().lower()
        for index in WEEK_INDEXES:
            if key == index.lower():
                return index
        _fail(
            "week_index",
            f"{value.strip()!r} is not a week index{_suggest(value.strip(), WEEK_INDEXES)}",
        )
    _fail("week_index", f"{value!r} is not a week index; use First, Second, Third, Fourth or Last")


def _whole_number(value: object) -> int | None:
    """Read an integer sent as an int, an integral float or a numeric string, else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        # Pulumi's wire format (protobuf Struct) carries every number as a double.
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"\s*-?\d+\s*", value):
        return int(value)  # OpsRamp quirk: examples send integers as strings ("2").
    return None


def _parse_day_of_month(value: object) -> int:
    number = _whole_number(value)
    if number is None or not 1 <= number <= 31:
        _fail(
            "day_of_month", f"{value!r} is not a day of the month; use a whole number from 1 to 31"
        )
    return number


def _split_list(value: object) -> object:
    """OpsRamp quirk: sets of days travel as one ``"a, b, c"`` string; accept that or a list."""
    if isinstance(value, str):
        return [part for part in (p.strip() for p in value.split(",")) if part]
    if _whole_number(value) is not None:
        return [value]
    return value


Weekday = Annotated[str, BeforeValidator(_parse_weekday)]
WeekIndex = Annotated[str, BeforeValidator(_parse_week_index)]
DayOfMonth = Annotated[int, BeforeValidator(_parse_day_of_month)]


def _strict_whole_number(value: object, what: str, minimum: int) -> int:
    number = _whole_number(value)
    if number is None or number < minimum:
        _fail("number", f"{value!r} is not valid for {what}; use a whole number >= {minimum}")
    return number


# --------------------------------------------------------------------------------------------
# Schedule patterns
# --------------------------------------------------------------------------------------------


class EveryDay(WireModel):
    """Daily, every day."""

    type: Literal["daily"] = "daily"
    frequency: Literal["everyday"] = "everyday"

    def runs_on(self, day: date, start: date) -> bool:
        """Return whether the pattern fires on ``day``."""
        return True

    def describe_days(self) -> str:
        """Describe the days the pattern fires on."""
        return "every day"


class EveryWeekday(WireModel):
    """Daily, Monday to Friday."""

    type: Literal["daily"] = "daily"
    frequency: Literal["every weekday"] = "every weekday"

    def runs_on(self, day: date, start: date) -> bool:
        """Return whether the pattern fires on ``day``."""
        return day.weekday() < 5

    def describe_days(self) -> str:
        """Describe the days the pattern fires on."""
        return "every weekday (Monday to Friday)"


class EveryNDays(WireModel):
    """Daily, every N days counted from the start date."""

    type: Literal["daily"] = "daily"
    frequency: Literal["recurrence"] = "recurrence"
    # OpsRamp quirk: requests send "Days", responses echo "days".
    repeat_type: Annotated[
        Literal["days"], BeforeValidator(lambda v: v.strip().lower() if isinstance(v, str) else v)
    ] = Field("days", alias="repeatType")
    repeat_frequency: int = Field(alias="repeatFrequency")

    @field_validator("repeat_frequency", mode="before")
    @classmethod
    def _check_repeat_frequency(cls, value: object) -> int:
        return _strict_whole_number(value, "repeatFrequency (every N days)", 1)

    def runs_on(self, day: date, start: date) -> bool:
        """Return whether the pattern fires on ``day``."""
        return (day - start).days % self.repeat_frequency == 0

    def describe_days(self) -> str:
        """Describe the days the pattern fires on."""
        return "every day" if self.repeat_frequency == 1 else f"every {self.repeat_frequency} days"


def _join(words: Sequence[str]) -> str:
    if len(words) == 1:
        return words[0]
    return ", ".join(words[:-1]) + " and " + words[-1]


class Weekly(WireModel):
    """Weekly, on a set of weekdays."""

    type: Literal["weekly"] = "weekly"
    week_days: Annotated[tuple[Weekday, ...], BeforeValidator(_split_list)] = Field(
        alias="weekDays"
    )

    @field_validator("week_days")
    @classmethod
    def _collapse(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if not value:
            _fail("empty", "weekly needs at least one weekday, e.g. 'Monday, Thursday'")
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
        return "every " + _join(list(self.week_days))


class MonthlyOnDays(WireModel):
    """Monthly, on a set of days of the month (a day a month lacks is skipped that month)."""

    type: Literal["monthly"] = "monthly"
    day_of_month: Annotated[tuple[DayOfMonth, ...], BeforeValidator(_split_list)] = Field(
        alias="dayOfMonth"
    )

    @field_validator("day_of_month")
    @classmethod
    def _collapse(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        if not value:
            _fail("empty", "monthly needs at least one day of the month (1-31), e.g. '1, 15'")
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
        return f"on {noun} {_join([str(d) for d in self.day_of_month])} of every month"


class MonthlyOnWeekday(WireModel):
    """Monthly, on the First/Second/Third/Fourth/Last given weekday."""

    type: Literal["monthly"] = "monthly"
    week_index: WeekIndex = Field(alias="weekIndex")
    # OpsRamp quirk: the doc example names this `dayOfWeek`, the schema `dayOfIndex`. We accept
    # both and send `dayOfWeek`, as the example does.
    day_of_week: Weekday = Field(
        alias="dayOfWeek",
        validation_alias=AliasChoices("dayOfWeek", "dayOfIndex", "day_of_week"),
    )

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

    type: Literal["run once"] = "run once"

    def runs_on(self, day: date, start: date) -> bool:
        """Return whether the pattern fires on ``day``."""
        return day == start

    def describe_days(self) -> str:
        """Describe the days the pattern fires on."""
        return "once"


class Never(WireModel):
    """No scheduled run (on demand only)."""

    type: Literal["never"] = "never"

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


def _normalise_pattern(value: object) -> object:
    """Normalise a pattern's type/frequency spelling and enforce the monthly either/or rule."""
    if not isinstance(value, dict):
        return value
    data = dict(value)
    raw_type = data.get("type")
    if raw_type is None:
        _fail("missing", "is required: one of " + ", ".join(_PATTERN_TYPES), "type")
    if not isinstance(raw_type, str):
        _fail("pattern_type", f"{raw_type!r} is not a pattern type", "type")
    key = re.sub(r"[\s_-]+", " ", raw_type.strip().lower())
    key = {"runonce": "run once"}.get(key, key)
    if key not in _PATTERN_TYPES:
        _fail(
            "pattern_type",
            f"{raw_type!r} is not a pattern type{_suggest(key, _PATTERN_TYPES)}",
            "type",
        )
    data["type"] = key
    if key == "daily":
        frequency = data.get("frequency")
        if frequency is None:
            _fail(
                "missing",
                "is required for a daily pattern: everyday, every weekday or recurrence",
                "frequency",
            )
        normalised = re.sub(r"[\s_-]+", " ", str(frequency).strip().lower())
        normalised = {"every day": "everyday", "weekday": "every weekday"}.get(
            normalised, normalised
        )
        if normalised not in _DAILY_FREQUENCIES:
            hint = _suggest(normalised, _DAILY_FREQUENCIES)
            _fail("frequency", f"{frequency!r} is not a daily frequency{hint}", "frequency")
        data["frequency"] = normalised
    if key == "monthly":
        has_days = any(k in data for k in _MONTHLY_DAY_KEYS)
        has_weekday = any(k in data for k in _MONTHLY_WEEKDAY_KEYS)
        if has_days and has_weekday:
            _fail(
                "monthly",
                "monthly takes either dayOfMonth or weekIndex + dayOfWeek, not both; "
                "remove one of them",
            )
        if not has_days and not has_weekday:
            _fail(
                "monthly",
                "monthly needs dayOfMonth (days 1-31, e.g. '1, 15') "
                "or weekIndex + dayOfWeek (e.g. 'Second' + 'Sunday')",
            )
    return data


def _pattern_tag(value: Any) -> str | None:
    if isinstance(value, dict):
        kind = value.get("type")
        if kind == "daily":
            return f"daily:{value.get('frequency')}"
        if kind == "monthly":
            return (
                "monthly:days" if any(k in value for k in _MONTHLY_DAY_KEYS) else "monthly:weekday"
            )
        return str(kind)
    return _PATTERN_TAG_BY_CLASS.get(type(value))


_PATTERN_TAG_BY_CLASS: dict[type, str] = {
    EveryDay: "daily:everyday",
    EveryWeekday: "daily:every weekday",
    EveryNDays: "daily:recurrence",
    Weekly: "weekly",
    MonthlyOnDays: "monthly:days",
    MonthlyOnWeekday: "monthly:weekday",
    RunOnce: "run once",
    Never: "never",
}

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
]


def _parse_start_date(value: object) -> datetime:
    if isinstance(value, str):
        text = value.strip()
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            _fail(
                "start_date",
                f"{value!r} is not a date-time; use yyyy-MM-ddTHH:mm:ss+0000 "
                "(e.g. 2026-01-05T02:30:00+0000)",
            )
    elif isinstance(value, datetime):
        parsed = value
    else:
        _fail("start_date", f"{value!r} is not a date-time; use yyyy-MM-ddTHH:mm:ss+0000")
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        _fail(
            "start_date",
            f"{value!s} has no UTC offset; add one, e.g. +0000 or Z, so every stack "
            "schedules the same instant",
        )
    # OpsRamp quirk: the server keeps minute precision (10:10:10 comes back 10:10:00).
    return parsed.astimezone(UTC).replace(second=0, microsecond=0)


class Schedule(WireModel):
    """When a job runs: a start time (UTC, minute precision) and a recurrence pattern."""

    start_date: Annotated[datetime, BeforeValidator(_parse_start_date)] = Field(alias="startDate")
    pattern: Pattern

    def canonical(self) -> dict[str, Any]:
        """Return the deterministic plain-JSON form used for state and diffs."""
        return {
            "startDate": self.start_date.strftime(_WIRE_TIME_FORMAT),
            "pattern": self.pattern.canonical(),
        }

    def wire(self) -> dict[str, Any]:
        """Return the OpsRamp request form."""
        return {
            "startDate": self.start_date.strftime(_WIRE_TIME_FORMAT),
            "pattern": self.pattern.wire(),
        }

    def _run_days(self, first: date) -> Iterator[date]:
        start = self.start_date.date()
        day = max(first, start)
        pattern = self.pattern
        if isinstance(pattern, EveryNDays):
            # Jump straight to the first day of the cycle instead of scanning day by day.
            offset = (day - start).days % pattern.repeat_frequency
            if offset:
                day += timedelta(days=pattern.repeat_frequency - offset)
            while True:
                yield day
                day += timedelta(days=pattern.repeat_frequency)
        if isinstance(pattern, Never):
            return
        if isinstance(pattern, RunOnce):
            if day == start:
                yield start
            return
        # Any calendar pattern fires at least once in 7 years (a 31st, a leap day is not used).
        for _ in range(366 * 7):
            if pattern.runs_on(day, start):
                yield day
            day += timedelta(days=1)

    def next_runs(self, after: datetime | None = None, count: int = 5) -> list[datetime]:
        """List the next ``count`` run times (UTC) strictly after ``after`` (default: now)."""
        after_utc = (after or datetime.now(UTC)).astimezone(UTC)
        at = self.start_date.timetz()
        runs: list[datetime] = []
        for day in self._run_days(after_utc.date()):
            when = datetime.combine(day, at).astimezone(UTC)
            if when <= after_utc or when < self.start_date:
                continue
            runs.append(when)
            if len(runs) >= count:
                break
        return runs

    def describe(self) -> str:
        """Describe the schedule in one English sentence."""
        at = self.start_date.strftime("%H:%M UTC")
        on = self.start_date.strftime("%Y-%m-%d")
        if isinstance(self.pattern, RunOnce):
            return f"once, at {at} on {on}"
        if isinstance(self.pattern, Never):
            return f"never on a schedule (on demand only); start date {on} {at}"
        return f"{self.pattern.describe_days()} at {at} from {on}"


# --------------------------------------------------------------------------------------------
# Scripts (job types)
# --------------------------------------------------------------------------------------------


class AdCheckList(WireModel):
    """Active Directory checklist (``adCheckList``)."""

    job_type: Literal["adCheckList"] = Field("adCheckList", alias="jobType")


class Antispyware(WireModel):
    """Anti-spyware (``antispyware``)."""

    job_type: Literal["antispyware"] = Field("antispyware", alias="jobType")


class Antivirus(WireModel):
    """Antivirus (``antivirus``)."""

    job_type: Literal["antivirus"] = Field("antivirus", alias="jobType")


class AppAudit(WireModel):
    """Application audit (``appaudit``)."""

    job_type: Literal["appaudit"] = Field("appaudit", alias="jobType")


class AssetInfo(WireModel):
    """Asset information (``assetinfo``)."""

    job_type: Literal["assetinfo"] = Field("assetinfo", alias="jobType")


class BackupAgent(WireModel):
    """Backup agent (``backupagent``)."""

    job_type: Literal["backupagent"] = Field("backupagent", alias="jobType")


class DiskDefrag(WireModel):
    """Disk defragmentation (``diskdefrag``)."""

    job_type: Literal["diskdefrag"] = Field("diskdefrag", alias="jobType")


class ExbpaCheckList(WireModel):
    """Exchange best-practices checklist (``exbpaCheckList``)."""

    job_type: Literal["exbpaCheckList"] = Field("exbpaCheckList", alias="jobType")


class MissingPatchesRequest(WireModel):
    """Missing patches report (``missingPatchesRequest``)."""

    job_type: Literal["missingPatchesRequest"] = Field("missingPatchesRequest", alias="jobType")


class SqlReport(WireModel):
    """SQL report (``sqlreport``)."""

    job_type: Literal["sqlreport"] = Field("sqlreport", alias="jobType")


class TempFilesReport(WireModel):
    """Temporary files report (``tempfilesreport``)."""

    job_type: Literal["tempfilesreport"] = Field("tempfilesreport", alias="jobType")


class ConfigParams(WireModel):
    """Settings of a network configuration backup (defaults: every version, both files)."""

    versions_saved: Literal["ALL_VERSIONS", "VERSION_WITH_CHANGES"] = Field(
        "ALL_VERSIONS", alias="versionsSaved"
    )
    back_up_trigger: bool = Field(False, alias="backUpTrigger")
    startup_config_alert: bool = Field(False, alias="startupConfigAlert")
    # OpsRamp quirk: the schema says `runConfigAlert`, the examples `runtimeConfigAlert`.
    # We accept both and send the examples' name.
    runtime_config_alert: bool = Field(
        False,
        alias="runtimeConfigAlert",
        validation_alias=AliasChoices(
            "runtimeConfigAlert", "runConfigAlert", "runtime_config_alert"
        ),
    )
    startup_config_files_backup: bool = Field(True, alias="startUpConfigFilesBackUp")
    runtime_config_files_backup: bool = Field(True, alias="runTimeConfigFilesBackUp")


class NetworkConfigBackup(WireModel):
    """Network configuration backup (``networkconfigbackup``)."""

    job_type: Literal["networkconfigbackup"] = Field("networkconfigbackup", alias="jobType")
    config_params: ConfigParams = Field(default_factory=ConfigParams, alias="configParams")


class Approval(WireModel):
    """Approval of an app install or update: 0 manual, 1 automatic."""

    approval_type: int = Field(alias="approvalType")
    approval_reason: str = Field("", alias="approvalReason")
    alert_required: bool = Field(False, alias="alertRequired")

    @field_validator("approval_type", mode="before")
    @classmethod
    def _check_approval_type(cls, value: object) -> int:
        number = _whole_number(value)
        if number is not None and number in (0, 1):
            return number
        _fail(
            "approval_type", f"{value!r} is not an approval type; use 0 (manual) or 1 (automatic)"
        )


class AppInstall(WireModel):
    """Application install (``appinstall``)."""

    job_type: Literal["appinstall"] = Field("appinstall", alias="jobType")
    approval: Approval = Field(alias="approvalType")


class AppUpdate(WireModel):
    """Application update (``appupdate``); its approval is assumed to match ``appinstall``'s."""

    job_type: Literal["appupdate"] = Field("appupdate", alias="jobType")
    approval: Approval = Field(alias="approvalType")


def _id_number(value: object) -> int:
    # OpsRamp quirk: script and parameter ids are integers sent as strings ("7").
    return _strict_whole_number(value, "an id", 1)


IdNumber = Annotated[int, BeforeValidator(_id_number)]


class ScriptRef(WireModel):
    """A custom script by its OpsRamp id."""

    server_fields = frozenset({"name", "description", "platforms"})

    id: IdNumber


class ScriptParameter(WireModel):
    """One custom-script parameter: its id and the value to pass."""

    server_fields = frozenset({"name"})

    param_id: IdNumber = Field(alias="paramId")
    value: str


class CredentialSet(WireModel):
    """A device or client credential set by its unique id."""

    unique_id: str = Field(alias="uniqueId", min_length=1)


class CustomScript(WireModel):
    """A custom (RBA) script with its parameters (``custom``)."""

    job_type: Literal["custom"] = Field("custom", alias="jobType")
    custom_script: ScriptRef = Field(alias="customScript")
    parameters: tuple[ScriptParameter, ...] = ()
    user_type: int = Field(1, alias="userType")
    credential_set: CredentialSet | None = Field(None, alias="credentialSet")

    @classmethod
    def of(
        cls,
        script_id: int,
        parameters: Mapping[int, str] | None = None,
        *,
        user_type: int = 1,
        credential_set: str | None = None,
    ) -> CustomScript:
        """Build a custom script job from a script id and ``{param_id: value}``."""
        return cls.model_validate(
            {
                "customScript": {"id": script_id},
                "parameters": [{"paramId": k, "value": v} for k, v in (parameters or {}).items()],
                "userType": user_type,
                "credentialSet": {"uniqueId": credential_set} if credential_set else None,
            }
        )

    @field_validator("user_type", mode="before")
    @classmethod
    def _check_user_type(cls, value: object) -> int:
        number = _whole_number(value)
        if number is not None and number in (1, 2):
            return number
        _fail("user_type", f"{value!r} is not a user type; use 1 (system user) or 2 (other user)")

    @field_validator("parameters")
    @classmethod
    def _unique_sorted(cls, value: tuple[ScriptParameter, ...]) -> tuple[ScriptParameter, ...]:
        seen: set[int] = set()
        for index, parameter in enumerate(value):
            if parameter.param_id in seen:
                _fail(
                    "duplicate",
                    f"paramId {parameter.param_id} is given twice; give each parameter once",
                    f"[{index}].paramId",
                )
            seen.add(parameter.param_id)
        return tuple(sorted(value, key=lambda p: p.param_id))

    def wire(self) -> dict[str, Any]:
        """Return the OpsRamp request form (ids as strings, as the documentation sends them)."""
        body: dict[str, Any] = {
            "jobType": "custom",
            "customScript": {"id": str(self.custom_script.id)},
            "parameters": [{"paramId": str(p.param_id), "value": p.value} for p in self.parameters],
            "userType": self.user_type,
        }
        if self.credential_set is not None:
            # Assumption: sent inside `script`, where the doc page's custom example puts its
            # siblings; the OpenAPI file puts it at the top level. parse_job accepts both.
            body["credentialSet"] = {"uniqueId": self.credential_set.unique_id}
        return body


_SCRIPT_CLASSES: tuple[type[WireModel], ...] = (
    AdCheckList,
    Antispyware,
    Antivirus,
    AppAudit,
    AssetInfo,
    BackupAgent,
    DiskDefrag,
    ExbpaCheckList,
    MissingPatchesRequest,
    SqlReport,
    NetworkConfigBackup,
    TempFilesReport,
    AppInstall,
    AppUpdate,
    CustomScript,
)


def _normalise_script(value: object) -> object:
    """Infer a custom script's type, fix the job type's case and reject foreign parameters."""
    if not isinstance(value, dict):
        return value
    data = dict(value)
    job_type = data.get("jobType", data.get("job_type"))
    if job_type is None:
        if "customScript" in data or "custom_script" in data:
            # OpsRamp quirk: custom-script jobs come back without `jobType`.
            job_type = "custom"
        else:
            _fail("missing", "is required: one of " + ", ".join(JOB_TYPES), "jobType")
    if not isinstance(job_type, str):
        _fail("job_type", f"{job_type!r} is not a job type", "jobType")
    by_lower = {t.lower(): t for t in JOB_TYPES}
    canonical_type = by_lower.get(job_type.strip().lower())
    if canonical_type is None:
        hint = _suggest(job_type.strip(), JOB_TYPES)
        _fail("job_type", f"{job_type!r} is not an OpsRamp job type{hint}", "jobType")
    data.pop("job_type", None)
    data["jobType"] = canonical_type
    for key, owners in _SCRIPT_PARAMETERS.items():
        if key in data and canonical_type not in owners:
            _fail(
                "job_type_mismatch",
                f"{key} belongs to jobType {' or '.join(repr(o) for o in owners)}, "
                f"not {canonical_type!r}; remove it or change jobType",
                key,
            )
    return data


def _script_tag(value: Any) -> str | None:
    if isinstance(value, dict):
        return str(value.get("jobType"))
    if isinstance(value, WireModel):
        return str(getattr(value, "job_type", None))
    return None


Script = Annotated[
    Union[  # noqa: UP007 - tagged members read better one per line
        Annotated[AdCheckList, Tag("adCheckList")],
        Annotated[Antispyware, Tag("antispyware")],
        Annotated[Antivirus, Tag("antivirus")],
        Annotated[AppAudit, Tag("appaudit")],
        Annotated[AssetInfo, Tag("assetinfo")],
        Annotated[BackupAgent, Tag("backupagent")],
        Annotated[DiskDefrag, Tag("diskdefrag")],
        Annotated[ExbpaCheckList, Tag("exbpaCheckList")],
        Annotated[MissingPatchesRequest, Tag("missingPatchesRequest")],
        Annotated[SqlReport, Tag("sqlreport")],
        Annotated[NetworkConfigBackup, Tag("networkconfigbackup")],
        Annotated[TempFilesReport, Tag("tempfilesreport")],
        Annotated[AppInstall, Tag("appinstall")],
        Annotated[AppUpdate, Tag("appupdate")],
        Annotated[CustomScript, Tag("custom")],
    ],
    Discriminator(_script_tag),
    BeforeValidator(_normalise_script),
]


# --------------------------------------------------------------------------------------------
# Entities
# --------------------------------------------------------------------------------------------

_ENTITY_TYPES = ("DEVICE",)
_ENRICHMENT = frozenset(
    {"generalInfo", "clientUniqueId", "resourceName", "aliasName", "resourceType", "name"}
)


def _parse_entity_type(value: object) -> object:
    if isinstance(value, str) and value.strip().upper() in _ENTITY_TYPES:
        return value.strip().upper()
    _fail(
        "entity_type",
        f"{value!r} is not a supported entity type; supported: " + ", ".join(_ENTITY_TYPES),
    )


def _parse_device_id(value: object) -> str:
    if isinstance(value, str):
        try:
            return str(uuid.UUID(value.strip()))
        except ValueError:
            pass
    _fail(
        "device_id",
        f"{value!r} is not an OpsRamp device id; use the device's UUID, "
        "e.g. 709824de-8315-4cf9-ad1c-b15aaf7bf2a5",
    )


class Device(WireModel):
    """A device (OpsRamp resource of type ``DEVICE``) by its id."""

    server_fields = _ENRICHMENT

    id: Annotated[str, BeforeValidator(_parse_device_id)]
    # Explicit so other documented entity types can be added beside it.
    type: Annotated[Literal["DEVICE"], BeforeValidator(_parse_entity_type)] = "DEVICE"


class Entity(WireModel):
    """One entity a job runs on, in OpsRamp's ``{"resource": {...}}`` envelope."""

    server_fields = _ENRICHMENT

    resource: Device


def device(device_id: str) -> Entity:
    """Return the entity for one device id."""
    return Entity(resource=Device(id=device_id))


# --------------------------------------------------------------------------------------------
# Job
# --------------------------------------------------------------------------------------------


class Job(WireModel):
    """An OpsRamp automation job: who (entities), what (script), when (schedule)."""

    server_fields = frozenset({"id"})

    name: str | None = None
    tenant_id: str | None = Field(None, alias="tenantId")
    entities: tuple[Entity, ...] = ()
    script: Script
    schedule: Schedule
    job_queued: bool = Field(False, alias="jobQueued")

    @model_validator(mode="before")
    @classmethod
    def _credential_set_into_script(cls, data: Any) -> Any:
        # OpsRamp quirk: the OpenAPI file puts `credentialSet` at the top level, the doc page
        # inside `script`. The model keeps it with the custom script.
        if (
            isinstance(data, dict)
            and "credentialSet" in data
            and isinstance(data.get("script"), dict)
        ):
            data = dict(data)
            script = dict(data["script"])
            script.setdefault("credentialSet", data.pop("credentialSet"))
            data["script"] = script
        return data

    @field_validator("name", "tenant_id", mode="before")
    @classmethod
    def _non_blank(cls, value: object) -> object:
        if isinstance(value, str):
            if not value.strip():
                _fail("blank", "must not be blank; give a name or leave the property out")
            return value.strip()
        return value

    @field_validator("entities")
    @classmethod
    def _unique_sorted(cls, value: tuple[Entity, ...]) -> tuple[Entity, ...]:
        unique = {(e.resource.type, e.resource.id): e for e in value}
        return tuple(unique[key] for key in sorted(unique))

    def canonical(self) -> dict[str, Any]:
        """Return the deterministic plain-JSON form used for state and diffs."""
        body: dict[str, Any] = {}
        if self.name is not None:
            body["name"] = self.name
        if self.tenant_id is not None:
            body["tenantId"] = self.tenant_id
        body["jobQueued"] = self.job_queued
        body["entities"] = [e.canonical() for e in self.entities]
        body["script"] = self.script.canonical()
        body["schedule"] = self.schedule.canonical()
        return body

    def to_wire(self) -> dict[str, Any]:
        """Return the JSON body for OpsRamp's create and update calls (tenant is in the path)."""
        body: dict[str, Any] = {}
        if self.name is not None:
            body["name"] = self.name
        body["jobQueued"] = self.job_queued
        body["entities"] = [e.wire() for e in self.entities]
        body["script"] = self.script.wire()
        body["schedule"] = self.schedule.wire()
        return body

    def wire(self) -> dict[str, Any]:
        """Return the OpsRamp request form."""
        return self.to_wire()

    @property
    def job_type(self) -> str:
        """The job type (``custom`` for a custom script)."""
        return str(self.script.job_type)


# --------------------------------------------------------------------------------------------
# Parsing and error reporting
# --------------------------------------------------------------------------------------------

_UNION_TAGS = frozenset(
    {
        "daily:everyday",
        "daily:every weekday",
        "daily:recurrence",
        "weekly",
        "monthly:days",
        "monthly:weekday",
        "run once",
        "never",
        *JOB_TYPES,
    }
)

_MODELS: tuple[type[WireModel], ...] = (
    Job,
    Schedule,
    Entity,
    Device,
    EveryNDays,
    Weekly,
    MonthlyOnDays,
    MonthlyOnWeekday,
    ConfigParams,
    Approval,
    CustomScript,
    ScriptRef,
    ScriptParameter,
    CredentialSet,
    *_SCRIPT_CLASSES,
)
_KNOWN_PROPERTIES: tuple[str, ...] = tuple(
    sorted({field.alias or name for model in _MODELS for name, field in model.model_fields.items()})
)

_MESSAGES = {
    "missing": "is required",
    "bool_parsing": "must be true or false",
    "bool_type": "must be true or false",
    "int_parsing": "must be a whole number",
    "int_type": "must be a whole number",
    "string_type": "must be a string",
    "model_type": "must be an object",
    "model_attributes_type": "must be an object",
    "dict_type": "must be an object",
    "list_type": "must be a list",
    "tuple_type": "must be a list",
}


def _render_path(loc: Sequence[str | int]) -> str:
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif part.startswith("["):
            path += part
        else:
            path += f".{part}" if path else part
    return path


def _errors_from(exc: ValidationError) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for error in exc.errors(include_url=False):
        loc: list[str | int] = [
            p for p in error["loc"] if not (isinstance(p, str) and p in _UNION_TAGS)
        ]
        context = error.get("ctx") or {}
        subpath = context.get("subpath", "")
        if subpath:
            loc.extend(part for part in re.split(r"\.|(?=\[)", subpath) if part)
        kind = error["type"]
        if kind == "extra_forbidden":
            unknown = str(loc[-1]) if loc else "?"
            message = f"{unknown!r} is not a property here{_suggest(unknown, _KNOWN_PROPERTIES)}"
            if "did you mean" not in message:
                message = f"{unknown!r} is not a property here; remove it"
        elif kind == "literal_error":
            message = f"must be {context.get('expected', 'one of the documented values')}"
        elif kind in ("too_short",) and context.get("min_length") == 1:
            message = "must not be empty"
        elif "message" in context:
            message = str(context["message"])
        else:
            message = _MESSAGES.get(kind, error["msg"])
        found.append((_render_path(loc) or "(job)", message))
    # One error per path and message, in the order found.
    return list(dict.fromkeys(found))


def parse_job(
    payload: Mapping[str, Any] | Job,
    tenant_id: str | None = None,
    *,
    from_server: bool = False,
) -> Job:
    """Parse a documented request or response body (or a canonical form) into a :class:`Job`.

    ``tenant_id`` fills in ``tenantId`` when the payload has none. ``from_server`` ignores
    undocumented fields a live server adds, instead of reporting them.
    Raises :class:`JobValidationError` listing every problem with its property path.
    """
    if isinstance(payload, Job):
        return payload if tenant_id is None else payload.model_copy(update={"tenant_id": tenant_id})
    if not isinstance(payload, Mapping):
        raise JobValidationError([("(job)", f"must be an object, not {type(payload).__name__}")])
    data = dict(payload)
    if tenant_id is not None:
        given = data.get("tenantId")
        if given not in (None, tenant_id):
            raise JobValidationError(
                [("tenantId", f"{given!r} differs from the tenant {tenant_id!r} given separately")]
            )
        data["tenantId"] = tenant_id
    try:
        return Job.model_validate(data, context={"from_server": from_server})
    except ValidationError as exc:
        raise JobValidationError(_errors_from(exc)) from None


# --------------------------------------------------------------------------------------------
# Server-side details (enrichment) of a job OpsRamp returned
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ServerDetails:
    """What OpsRamp adds to a stored job: its id, the entities' names and the script's name."""

    job_id: str | None
    entities: list[dict[str, Any]]
    script_name: str | None


def _object(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def server_details(payload: Mapping[str, Any]) -> ServerDetails:
    """Extract the enrichment fields of a job body OpsRamp returned."""
    entities: list[dict[str, Any]] = []
    for entity in payload.get("entities") or []:
        resource = _object(_object(entity).get("resource"))
        if not resource:
            continue
        info = _object(resource.get("generalInfo"))
        entities.append(
            {
                "id": str(resource.get("id", "")),
                "type": str(resource.get("type", "DEVICE")),
                "hostName": info.get("hostName") or resource.get("resourceName") or "",
                "ipAddresses": info.get("ipAddresses") or "",
                "clientUniqueId": resource.get("clientUniqueId") or "",
            }
        )
    entities.sort(key=lambda e: (e["type"], e["id"]))
    script = _object(payload.get("script"))
    script_name = _object(script.get("customScript")).get("name") or script.get("jobType")
    job_id = payload.get("id")
    return ServerDetails(
        job_id=str(job_id) if job_id is not None else None,
        entities=entities,
        script_name=str(script_name) if script_name is not None else None,
    )
