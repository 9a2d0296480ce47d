"""The policy pack's rules as plain functions: OpsRamp jobs in, violation messages out.

A job is read from its resource properties (OpsRamp's field names, as the provider stores them:
``name``, ``entities``, ``script``, ``schedule``). In a preview some values are not known yet
(an id another resource will get): they arrive as :data:`UNKNOWN`, and a rule then checks only
what is certain. It never fails, and it never reports what the unknown value might turn out to
be. Every message names the job (or both jobs), a device and the first offending time in UTC.

Run times and collisions come from the model (:meth:`Schedule.runs_between`,
:func:`opsramp_jobs.model.conflicts.find_collisions`), the engine the ``calendar`` command uses.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from pydantic import ValidationError

from opsramp_jobs.model import Entity, Schedule, ScriptRef
from opsramp_jobs.model.conflicts import Collision, ScheduledJob, find_collisions
from opsramp_jobs.policy.config import (
    BlackoutSettings,
    CollisionSettings,
    MaxDevicesSettings,
    ScriptSettings,
)

__all__ = [
    "UNKNOWN",
    "JobView",
    "Violation",
    "blackout_violations",
    "contains_unknown",
    "device_collisions",
    "disallowed_script",
    "job_view",
    "too_many_devices",
    "utc",
]

# Devices named in a message before "and N more".
_DEVICES_SHOWN = 1
# The rules look at runs strictly after now, up to the end of the lookahead included; the
# model's ranges include their start and exclude their end, so both move on by a datetime's
# smallest step.
_JUST_AFTER = timedelta(microseconds=1)


class _Unknown:
    """A value the engine does not know yet (during a preview)."""

    _instance: _Unknown | None = None

    def __new__(cls) -> _Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN: Final = _Unknown()


def contains_unknown(value: object) -> bool:
    """Whether ``value`` is, or holds anywhere inside it, an unknown value."""
    if value is UNKNOWN:
        return True
    if isinstance(value, Mapping):
        return any(contains_unknown(item) for item in value.values())
    if isinstance(value, list | tuple):
        return any(contains_unknown(item) for item in value)
    return False


@dataclass(frozen=True)
class JobView:
    """What the rules need of one OpsRamp job; unknown or unreadable parts are None."""

    urn: str
    name: str
    devices: tuple[str, ...]
    """The known device ids, each once, in the order the job lists them."""
    unknown_devices: int
    """Entities whose id is not known yet."""
    devices_known: bool
    """False when the whole entity list is not known yet."""
    schedule: Schedule | None
    script_id: int | None
    """The custom script's id (None: not a custom-script job, or not known yet)."""

    def runs(self, start: datetime, end: datetime) -> list[datetime]:
        """The job's runs after ``start`` up to ``end`` (none when its schedule is not known)."""
        if self.schedule is None:
            return []
        return list(self.schedule.runs_between(start + _JUST_AFTER, end + _JUST_AFTER))

    def first_run(self, now: datetime) -> datetime | None:
        """The job's next run after ``now``, if it has one."""
        runs = self.schedule.next_runs(after=now, count=1) if self.schedule is not None else []
        return runs[0] if runs else None


@dataclass(frozen=True)
class Violation:
    """One message, reported against ``urn`` (the job's resource)."""

    message: str
    urn: str


def _schedule(value: object) -> Schedule | None:
    if value is None or contains_unknown(value):
        return None
    try:
        # Read like a refreshed job: the state may hold what OpsRamp allows and a program not.
        return Schedule.model_validate(value, context={"from_server": True})
    except (ValidationError, ValueError, TypeError):
        # Not a schedule the provider accepts: its own check reports that, not the policy.
        return None


def _script_id(script: object) -> int | None:
    if not isinstance(script, Mapping) or contains_unknown(script.get("customScript")):
        return None
    if script.get("jobType", "custom" if "customScript" in script else None) != "custom":
        return None
    try:
        return ScriptRef.model_validate(script.get("customScript")).id
    except (ValidationError, ValueError, TypeError):
        return None


def job_view(urn: str, resource_name: str, props: Mapping[str, Any]) -> JobView:
    """Read a job from its resource properties; never raises, whatever they hold."""
    name = props.get("name")
    entities = props.get("entities")
    devices: dict[str, None] = {}
    unknown = 0
    if isinstance(entities, list | tuple):
        for entity in entities:
            if contains_unknown(entity):
                unknown += 1
                continue
            try:
                devices.setdefault(str(Entity.model_validate(entity).resource.id), None)
            except (ValidationError, ValueError, TypeError):
                continue  # the provider's check names a malformed entity
    return JobView(
        urn=urn,
        name=name if isinstance(name, str) and name.strip() else resource_name,
        devices=tuple(devices),
        unknown_devices=unknown,
        devices_known=entities is not UNKNOWN,
        schedule=_schedule(props.get("schedule")),
        script_id=_script_id(props.get("script")),
    )


# --------------------------------------------------------------------------------------------
# Message parts
# --------------------------------------------------------------------------------------------


def utc(moment: datetime) -> str:
    """``Wed 2026-12-09 09:00 UTC``."""
    return moment.astimezone(UTC).strftime("%a %Y-%m-%d %H:%M UTC")


def _devices_text(devices: Sequence[str], unknown: int = 0, *, known: bool = True) -> str:
    """``device X``, ``device X (and 3 more)``; for a job whose devices are not known yet, so."""
    if not known or (not devices and unknown):
        return "its devices (not known until the update)"
    if not devices:
        return "no device"
    shown = ", ".join(devices[:_DEVICES_SHOWN])
    more = len(devices) - _DEVICES_SHOWN + unknown
    return f"device {shown}" + (f" (and {more} more)" if more > 0 else "")


def _first_run_text(job: JobView, now: datetime) -> str:
    if job.schedule is None:
        return "its first run is not known until the update"
    run = job.first_run(now)
    return f"first run {utc(run)}" if run else "no scheduled run (on demand only)"


# --------------------------------------------------------------------------------------------
# The rules
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Pair:
    """A collision as the rule reports it: the job whose run comes first, and its first runs."""

    earlier: JobView
    later: JobView
    earlier_run: datetime
    later_run: datetime
    devices: tuple[str, ...]
    """The devices both jobs run on, sorted."""


def _pair(found: Collision, views: Mapping[int, JobView]) -> _Pair:
    """``found`` with its jobs' views (by the identity of the ScheduledJob given for each)."""
    first, second = views[id(found.first)], views[id(found.second)]
    # The model's first is the job given first; the earlier job is read from its earliest pair
    # of runs (by name when both start at the same minute).
    first_run, second_run = found.runs[0]
    if (second_run, second.name) < (first_run, first.name):
        first, second, first_run, second_run = second, first, second_run, first_run
    return _Pair(first, second, first_run, second_run, tuple(sorted(found.devices)))


def device_collisions(
    jobs: Iterable[JobView], settings: CollisionSettings, now: datetime
) -> list[Violation]:
    """Pairs of jobs on a shared device that start at most ``window`` apart in the lookahead."""
    views: dict[int, JobView] = {}
    scheduled: list[ScheduledJob] = []
    for job in jobs:
        if job.devices and job.schedule is not None:
            scheduled.append(ScheduledJob(job.name, job.schedule, job.devices))
            views[id(scheduled[-1])] = job
    start, end = now + _JUST_AFTER, now + timedelta(days=settings.lookahead_days) + _JUST_AFTER
    pairs = [
        _pair(found, views) for found in find_collisions(scheduled, start, end, settings.window)
    ]
    pairs.sort(key=lambda pair: (pair.earlier_run, pair.earlier.name, pair.later.name))
    violations = []
    for pair in pairs:
        gap = int((pair.later_run - pair.earlier_run).total_seconds() // 60)
        apart = "at the same minute" if gap == 0 else f"{gap} minute{'s' * (gap != 1)} apart"
        violations.append(
            Violation(
                f"jobs {pair.earlier.name!r} and {pair.later.name!r} start {apart} on "
                f"{_devices_text(pair.devices)} (limit: {settings.window_minutes} minutes): "
                f"first at {utc(pair.earlier_run)} ({pair.earlier.name!r}) and "
                f"{utc(pair.later_run)} ({pair.later.name!r})",
                pair.earlier.urn,
            )
        )
    return violations


def blackout_violations(job: JobView, settings: BlackoutSettings, now: datetime) -> list[Violation]:
    """The job's first run inside a blackout window within the lookahead, per window."""
    if not settings.windows:
        return []
    runs = job.runs(now, now + timedelta(days=settings.lookahead_days))
    violations = []
    for blackout in settings.windows:
        inside = next((run for run in runs if blackout.window.contains(run)), None)
        if inside is None:
            continue
        where = _devices_text(job.devices, job.unknown_devices, known=job.devices_known)
        violations.append(
            Violation(
                f"job {job.name!r} runs inside blackout window {blackout.describe()} on "
                f"{where}: first at {utc(inside)}",
                job.urn,
            )
        )
    return violations


def too_many_devices(job: JobView, settings: MaxDevicesSettings, now: datetime) -> list[Violation]:
    """A job on more devices than allowed (counting only ids known to be distinct)."""
    limit = settings.max_devices
    if limit is None or len(job.devices) <= limit:
        # Unknown ids may repeat known ones: only the known distinct ids are a certain count.
        return []
    count = f"at least {len(job.devices)}" if job.unknown_devices else str(len(job.devices))
    return [
        Violation(
            f"job {job.name!r} runs on {count} devices, more than maxDevices {limit}: device "
            f"{job.devices[limit]} is number {limit + 1}; "
            f"{_first_run_text(job, now)}",
            job.urn,
        )
    ]


def disallowed_script(job: JobView, settings: ScriptSettings, now: datetime) -> list[Violation]:
    """A custom-script job whose script id is not in the allowed list."""
    allowed = settings.allowed
    if allowed is None or job.script_id is None or job.script_id in allowed:
        return []
    listed = ", ".join(str(i) for i in sorted(allowed)) or "none"
    where = _devices_text(job.devices, job.unknown_devices, known=job.devices_known)
    return [
        Violation(
            f"job {job.name!r} runs custom script {job.script_id}, which is not in "
            f"allowedScriptIds ({listed}), on {where}; {_first_run_text(job, now)}",
            job.urn,
        )
    ]
