"""Lookups in the style of Pulumi's invokes: read existing OpsRamp jobs and job types in a program.

``get_job`` / ``get_job_types`` return their result at once; ``get_job_output`` /
``get_job_types_output`` take Inputs and return an Output. They call OpsRamp from the program
process with the same settings the provider uses (stack config ``opsramp:*``, then the
``OPSRAMP_*`` variables), and they run during ``pulumi preview`` too, as Pulumi's invokes do.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pulumi

from opsramp_jobs.client import OpsRampClient, client_for
from opsramp_jobs.errors import JobNotFoundError, OpsRampError, OpsRampJobsError
from opsramp_jobs.model import JobValidationError, parse_job, server_details
from opsramp_jobs.presentation import describe
from opsramp_jobs.settings import (
    CONFIG_KEYS,
    ConnectionSettings,
    SettingsError,
    missing_tenant_fix,
    resolve_settings,
)

__all__ = [
    "GetJobResult",
    "GetJobTypesResult",
    "JobType",
    "OpsRampLookupError",
    "get_job",
    "get_job_output",
    "get_job_types",
    "get_job_types_output",
]


class OpsRampLookupError(OpsRampJobsError, pulumi.RunError):
    """A lookup failed; the message says why and what to do (Pulumi prints it without a trace)."""


@dataclass(frozen=True)
class GetJobResult:
    """An existing job, in the same shapes as an ``OpsRampJob``'s outputs."""

    id: str
    """OpsRamp's id of the job."""
    name: str
    """The job's name."""
    tenant_id: str
    """The tenant the job lives in."""
    entities: list[dict[str, Any]]
    """Entities in canonical form (``{"resource": {"id", "type"}}``)."""
    script: dict[str, Any]
    """The script in canonical form (as OpsRamp returned it if the model does not know it)."""
    schedule: dict[str, Any]
    """The schedule in canonical form (as OpsRamp returned it if the model does not know it)."""
    job_queued: bool
    """Whether the job waits in a queue behind other jobs instead of running concurrently."""
    entity_details: list[dict[str, Any]]
    """Each entity as OpsRamp reports it: id, type, hostName, ipAddresses, clientUniqueId."""
    script_name: str | None
    """The script's server-side name (a custom script's name, else the job type)."""
    schedule_description: str | None
    """The schedule in one English sentence (None if the model does not know the schedule)."""


@dataclass(frozen=True)
class JobType:
    """One entry of OpsRamp's job type catalogue."""

    job_type: str
    """The ``jobType`` value, e.g. ``adCheckList``."""
    name: str
    """OpsRamp's display name, e.g. ``AD CheckList``."""


@dataclass(frozen=True)
class GetJobTypesResult:
    """The job types a tenant offers (OpsRamp's catalogue; custom scripts are not listed)."""

    tenant_id: str
    """The tenant asked."""
    job_types: list[JobType]
    """The catalogue, in OpsRamp's order."""


class _Clients:
    """One client per distinct settings in this program process (so one token for all lookups)."""

    lock = threading.Lock()
    by_settings: dict[ConnectionSettings, OpsRampClient] = {}


def _settings() -> ConnectionSettings:
    config = pulumi.Config("opsramp")
    values: dict[str, Any] = {}
    for key in CONFIG_KEYS:
        value = config.get(key.split(":", 1)[1])
        if value is not None:
            values[key] = value
    try:
        return resolve_settings(values)
    except SettingsError as error:
        raise OpsRampLookupError(str(error)) from None


def _client() -> OpsRampClient:
    settings = _settings()
    with _Clients.lock:
        client = _Clients.by_settings.get(settings)
        if client is None:
            client = client_for(settings)
            _Clients.by_settings[settings] = client
        return client


def _tenant(client: OpsRampClient, tenant_id: str | None, lookup: str) -> str:
    tenant = tenant_id or client.tenant_id
    if not tenant:
        raise OpsRampLookupError(
            f"{lookup}: no tenant: pass tenant_id=... or set a default with "
            f"`{missing_tenant_fix()}`"
        )
    return tenant


def _failed(lookup: str, error: OpsRampError) -> OpsRampLookupError:
    return OpsRampLookupError(f"{lookup}: {describe(error) or error}")


def _result(live: Mapping[str, Any], tenant: str) -> GetJobResult:
    details = server_details(live)
    try:
        job = parse_job(live, tenant, from_server=True)
    except JobValidationError:
        # A job made outside Pulumi in a shape the model does not know: report it as it is.
        return GetJobResult(
            id=str(live.get("id")),
            name=str(live.get("name") or ""),
            tenant_id=tenant,
            entities=[{"resource": {"id": e["id"], "type": e["type"]}} for e in details.entities],
            script=dict(live.get("script") or {}),
            schedule=dict(live.get("schedule") or {}),
            job_queued=bool(live.get("jobQueued")),
            entity_details=details.entities,
            script_name=details.script_name,
            schedule_description=None,
        )
    canonical = job.canonical()
    return GetJobResult(
        id=str(live.get("id")),
        name=canonical.get("name", ""),
        tenant_id=tenant,
        entities=canonical.get("entities", []),
        script=canonical["script"],
        schedule=canonical["schedule"],
        job_queued=bool(canonical.get("jobQueued")),
        entity_details=details.entities,
        script_name=details.script_name,
        schedule_description=job.schedule.describe(),
    )


def get_job(
    id: str | None = None,
    *,
    name: str | None = None,
    tenant_id: str | None = None,
) -> GetJobResult:
    """Look up one existing job by ``id`` or by exact ``name`` (default tenant: the stack's).

    :param id: the job's OpsRamp id.
    :param name: the job's exact name (case-sensitive); it must name exactly one job.
    :param tenant_id: the tenant to look in (default: stack config ``opsramp:tenantId``).
    """
    if (id is None) == (name is None):
        raise OpsRampLookupError("get_job: pass exactly one of id=... and name=...")
    client = _client()
    tenant = _tenant(client, tenant_id, "get_job")
    try:
        if id is None:
            assert name is not None
            found = client.find_jobs_by_name(name, tenant_id=tenant)
            if not found:
                raise OpsRampLookupError(
                    f"get_job: no job named {name!r} in tenant {tenant!r} (names are "
                    "case-sensitive; OpsRamp > Automation > Jobs lists them)"
                )
            if len(found) > 1:
                ids = ", ".join(str(job.get("id")) for job in found)
                raise OpsRampLookupError(
                    f"get_job: {len(found)} jobs are named {name!r} in tenant {tenant!r} "
                    f"({ids}): pass id=... instead"
                )
            id = str(found[0].get("id"))
        live = client.get_job(id, tenant_id=tenant)
    except JobNotFoundError:
        raise OpsRampLookupError(
            f"get_job: no job {id!r} in tenant {tenant!r}: check the id (OpsRamp > Automation > "
            "Jobs) and the tenant"
        ) from None
    except OpsRampError as error:
        raise _failed("get_job", error) from None
    return _result(live, tenant)


def get_job_output(
    id: pulumi.Input[str | None] = None,
    *,
    name: pulumi.Input[str | None] = None,
    tenant_id: pulumi.Input[str | None] = None,
) -> pulumi.Output[GetJobResult]:
    """:func:`get_job` with Inputs (e.g. another resource's outputs); the result is an Output.

    :param id: the job's OpsRamp id (an Input).
    :param name: the job's exact name (an Input); pass ``id`` or ``name``, not both.
    :param tenant_id: the tenant to look in (default: stack config ``opsramp:tenantId``).
    """
    return pulumi.Output.all(id, name, tenant_id).apply(
        lambda args: get_job(args[0], name=args[1], tenant_id=args[2])
    )


def entity_details_now(job_id: str, tenant_id: str | None = None) -> list[dict[str, Any]]:
    """A job's entities as OpsRamp reports them now (``OpsRampJob.entity_details``).

    Empty when the job is gone (the next ``refresh`` or ``up`` deals with that); any other failure
    stops the program with one line, as the lookups do.
    """
    client = _client()
    tenant = _tenant(client, tenant_id, "entity_details")
    try:
        live = client.get_job(job_id, tenant_id=tenant)
    except JobNotFoundError:
        return []
    except OpsRampError as error:
        raise _failed("entity_details", error) from None
    return server_details(live).entities


def get_job_types(*, tenant_id: str | None = None) -> GetJobTypesResult:
    """List the job types OpsRamp offers in a tenant (default: the stack's).

    :param tenant_id: the tenant to ask (default: stack config ``opsramp:tenantId``).
    """
    client = _client()
    tenant = _tenant(client, tenant_id, "get_job_types")
    try:
        catalogue = client.job_types(tenant_id=tenant)
    except OpsRampError as error:
        raise _failed("get_job_types", error) from None
    # OpsRamp quirk: the catalogue spells the key `jobtype` (lower-case t), unlike `jobType`.
    types = [
        JobType(job_type=str(job_type), name=str(entry.get("jobName") or job_type))
        for entry in catalogue
        if (job_type := entry.get("jobtype") or entry.get("jobType"))
    ]
    return GetJobTypesResult(tenant_id=tenant, job_types=types)


def get_job_types_output(
    *, tenant_id: pulumi.Input[str | None] = None
) -> pulumi.Output[GetJobTypesResult]:
    """:func:`get_job_types` with an Input tenant; the result is an Output.

    :param tenant_id: the tenant to ask, an Input (default: stack config ``opsramp:tenantId``).
    """
    return pulumi.Output.from_input(tenant_id).apply(lambda t: get_job_types(tenant_id=t))
