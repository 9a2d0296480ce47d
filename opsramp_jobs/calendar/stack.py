"""The OpsRamp jobs in a stack's state, read from what `pulumi stack export` writes."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, cast

from pydantic import ValidationError

from opsramp_jobs.errors import OpsRampJobsError
from opsramp_jobs.model import Schedule, server_details
from opsramp_jobs.model.conflicts import ScheduledJob
from opsramp_jobs.model.job import errors_from
from opsramp_jobs.resource import TYPE_TOKEN

__all__ = ["JOB_TYPE", "CalendarInputError", "StackJob", "StackJobs", "read_stack"]

JOB_TYPE = TYPE_TOKEN
# Pulumi's marker of a secret value in a state file: {SECRET_SIG: SECRET_VALUE, "ciphertext": ...}
# (or "plaintext": JSON text, after `pulumi stack export --show-secrets`).
_SECRET_SIG = "4dabf18193072939515e22adb298388d"
_SECRET_VALUE = "1b47061264138c4ac30d75fd1eb44270"
_EXPORT_HINT = "pipe in `pulumi stack export`, or give the file it wrote"


class CalendarInputError(OpsRampJobsError, ValueError):
    """The input is not a stack export with OpsRamp jobs (one line, saying what it is instead)."""


class _Secret:
    """A secret the export holds encrypted."""


_ENCRYPTED = _Secret()


@dataclass(frozen=True)
class StackJob:
    """One OpsRampJob of the state: what the calendar shows about it."""

    resource: str
    """The Pulumi resource name (the last part of its URN)."""
    name: str
    """The OpsRamp job name (the resource name when the state keeps it secret)."""
    job_id: str | None
    tenant: str
    what: str
    """The job type, or a custom script's name."""
    schedule: Schedule
    devices: tuple[str, ...]
    """Device ids, in the state's order."""
    title: str = ""
    """How the calendar names the job: its name, with its tenant where names repeat."""

    @property
    def scheduled(self) -> ScheduledJob:
        """The job as the conflict checks take it (named by its title)."""
        return ScheduledJob(self.title, self.schedule, self.devices)


@dataclass
class StackJobs:
    """The jobs of one stack, and what could not be read."""

    stack: str
    project: str
    exported: datetime | None
    """When the state was last written (its manifest's time)."""
    jobs: list[StackJob] = field(default_factory=list)
    host_names: dict[str, str] = field(default_factory=dict)
    """Device id -> host name, where the state has one."""
    notes: list[str] = field(default_factory=list)
    """One line per job left out or shown with less than it has."""

    def device_label(self, device: str) -> str:
        """The device's host name where the state has it, else its id."""
        return self.host_names.get(device) or device


def read_stack(text: str) -> StackJobs:
    """The OpsRamp jobs in `pulumi stack export`'s JSON; CalendarInputError when it is not one."""
    try:
        document: object = json.loads(text)
    except json.JSONDecodeError as error:
        what = "empty" if not text.strip() else f"not JSON ({error.msg} at line {error.lineno})"
        raise CalendarInputError(f"the input is {what}; {_EXPORT_HINT}") from None
    deployment = _mapping(document).get("deployment", document)
    resources = _mapping(deployment).get("resources")
    if not isinstance(deployment, Mapping) or not (
        isinstance(resources, list) or "manifest" in deployment
    ):
        raise CalendarInputError(
            f"the input is JSON but not a stack export (no deployment.resources); {_EXPORT_HINT}"
        )
    found = StackJobs(*_stack_names(resources or []), _manifest_time(deployment))
    entries = [_mapping(r) for r in resources or []]
    jobs = [r for r in entries if r.get("type") == JOB_TYPE and not r.get("delete")]
    if not jobs:
        raise CalendarInputError(
            f"no OpsRamp jobs in this stack ({len(entries)} resources, none of type {JOB_TYPE})"
        )
    for resource in jobs:
        _read_job(resource, found)
    found.jobs = _titled(found.jobs)
    return found


def _titled(jobs: list[StackJob]) -> list[StackJob]:
    """The jobs, by title: the name, with the tenant where names repeat (then a number)."""
    names = Counter(job.name for job in jobs)
    titles: set[str] = set()
    titled: list[StackJob] = []
    for job in jobs:
        base = job.name if names[job.name] == 1 else f"{job.name} ({job.tenant or job.resource})"
        title, repeat = base, 1
        while title in titles:
            repeat += 1
            title = f"{base} #{repeat}"
        titles.add(title)
        titled.append(replace(job, title=title))
    return sorted(titled, key=lambda job: _natural(job.title))


def _natural(text: str) -> list[tuple[int, str]]:
    """A sort key that puts "job 2" before "job 10"."""
    return [
        (int(part), "") if part.isdigit() else (0, part.lower())
        for part in re.split(r"(\d+)", text)
    ]


def _mapping(value: object) -> Mapping[str, Any]:
    return cast("Mapping[str, Any]", value) if isinstance(value, Mapping) else {}


def _stack_names(resources: list[Any]) -> tuple[str, str]:
    """(stack, project) from a URN: urn:pulumi:STACK::PROJECT::TYPE::NAME."""
    for resource in resources:
        urn = _mapping(resource).get("urn")
        if isinstance(urn, str) and urn.startswith("urn:pulumi:") and urn.count("::") >= 3:
            stack, project = urn.removeprefix("urn:pulumi:").split("::")[:2]
            return stack, project
    return "", ""


def _manifest_time(deployment: Mapping[str, Any]) -> datetime | None:
    moment = _mapping(deployment.get("manifest")).get("time")
    if not isinstance(moment, str):
        return None
    try:
        # Pulumi writes nanoseconds; datetime holds microseconds.
        head, dot, tail = moment.rstrip("Z").partition(".")
        parsed = datetime.fromisoformat(f"{head}.{tail[:6]}+00:00" if dot else f"{head}+00:00")
    except ValueError:
        return None
    return parsed


def _revealed(value: object) -> object:
    """``value`` with secrets opened where the export shows them (--show-secrets)."""
    data = _mapping(value)
    if data.get(_SECRET_SIG) == _SECRET_VALUE:
        plaintext = data.get("plaintext")
        if not isinstance(plaintext, str):
            return _ENCRYPTED
        try:
            return _revealed(json.loads(plaintext))
        except json.JSONDecodeError:
            return plaintext
    if isinstance(value, Mapping):
        return {key: _revealed(item) for key, item in _mapping(value).items()}
    if isinstance(value, list):
        return [_revealed(item) for item in cast("list[object]", value)]
    return value


def _read_job(resource: Mapping[str, Any], found: StackJobs) -> None:
    urn = resource.get("urn")
    label = urn.rsplit("::", 1)[-1] if isinstance(urn, str) else str(resource.get("id", "?"))
    # A create that never finished has inputs only.
    props = _mapping(_revealed(resource.get("outputs") or resource.get("inputs")))
    name = props.get("name")
    if not isinstance(name, str) or not name:
        name = label
    wire = props.get("schedule")
    if wire is _ENCRYPTED:
        found.notes.append(
            f"{label}: left out: its schedule is secret in the state; "
            "export with `pulumi stack export --show-secrets` to include it"
        )
        return
    if not isinstance(wire, Mapping):
        found.notes.append(f"{label}: left out: the state has no schedule for it")
        return
    try:
        schedule = Schedule.model_validate(wire, context={"from_server": True})
    except ValidationError as error:
        path, message = (errors_from(error, Schedule) or [("", "unreadable")])[0]
        found.notes.append(
            f"{label}: left out: its schedule cannot be read (schedule.{path}: {message})"
        )
        return
    entities = props.get("entities")
    if entities is _ENCRYPTED:
        found.notes.append(f"{label}: its devices are secret in the state; shown without them")
    devices: list[str] = []
    for entity in entities if isinstance(entities, list) else []:
        device = _mapping(_mapping(entity).get("resource")).get("id")
        if isinstance(device, str) and device and device not in devices:
            devices.append(device)
    details = server_details(props)
    for entity in details.entities:
        if entity["hostName"]:
            found.host_names[entity["id"]] = str(entity["hostName"])
    # States written before entity details left the state kept them as an output.
    for entity in props.get("entityDetails") or []:
        entry = _mapping(entity)
        if entry.get("hostName") and entry.get("id"):
            found.host_names[str(entry["id"])] = str(entry["hostName"])
    script = _mapping(props.get("script"))
    what = props.get("scriptName") or details.script_name
    if not what and "customScript" in script:
        what = f"custom script {_mapping(script['customScript']).get('id', '?')}"
    tenant = props.get("tenantId")
    job_id = resource.get("id")
    found.jobs.append(
        StackJob(
            resource=label,
            name=name,
            job_id=str(job_id) if job_id else None,
            tenant=tenant if isinstance(tenant, str) else "",
            what=str(what or "job"),
            schedule=schedule,
            devices=tuple(devices),
        )
    )
