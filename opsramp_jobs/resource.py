"""``OpsRampJob`` and ``OpsRampJobSet``: what a Pulumi program imports to declare OpsRamp jobs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi.dynamic import Resource

from opsramp_jobs.model import Entity, Schedule, WireModel
from opsramp_jobs.provider import OpsRampJobProvider

__all__ = ["OpsRampJob", "OpsRampJobArgs", "OpsRampJobSet"]

# Python attribute names <-> state property names (OpsRamp's field names).
_PY_TO_STATE = {
    "tenant_id": "tenantId",
    "job_queued": "jobQueued",
    "adopt_id": "adoptId",
    "allow_duplicate_name": "allowDuplicateName",
    "job_id": "jobId",
    "entity_details": "entityDetails",
    "script_name": "scriptName",
    "schedule_description": "scheduleDescription",
    "next_runs": "nextRuns",
}
_STATE_TO_PY = {state: py for py, state in _PY_TO_STATE.items()}

ScriptInput = WireModel | Mapping[str, Any]
"""A job type: a model instance (``AdCheckList()``, ``CustomScript.of(7, {2: "150"})``) or the
documented ``script`` JSON object, whose leaves may be Pulumi Outputs (e.g. secrets)."""
ScheduleInput = Schedule | Mapping[str, Any]
"""A schedule: a :class:`~opsramp_jobs.model.Schedule` or the documented ``schedule`` object."""
EntityInput = Entity | Mapping[str, Any]
"""An entity: :func:`~opsramp_jobs.model.device` or ``{"resource": {"id": ..., "type": ...}}``."""


@dataclass
class OpsRampJobArgs:
    """The inputs of an :class:`OpsRampJob`."""

    script: ScriptInput
    """What runs: the job type and its parameters."""
    schedule: ScheduleInput
    """When it runs: start time (with a UTC offset) and pattern."""
    name: pulumi.Input[str] | None = None
    """The job's name in OpsRamp (default: the resource name); unique within the tenant."""
    tenant_id: pulumi.Input[str] | None = None
    """Client or partner id (default: stack config ``opsramp:tenantId``)."""
    device_ids: pulumi.Input[Sequence[pulumi.Input[str]]] | None = None
    """Devices to run on, by OpsRamp resource id (may be Outputs)."""
    entities: Sequence[EntityInput] | None = None
    """Entities in OpsRamp's own form, added to ``device_ids``."""
    job_queued: pulumi.Input[bool] | None = None
    """Queue the job behind others instead of running it concurrently (default false)."""
    adopt_id: pulumi.Input[str] | None = None
    """Take over this existing job (updating it to these inputs) instead of creating one."""
    allow_duplicate_name: pulumi.Input[bool] | None = None
    """Create even when a job of this name already exists in the tenant."""


def _plain(value: Any) -> Any:
    return value.canonical() if isinstance(value, WireModel) else value


def _device_entities(device_ids: pulumi.Input[Sequence[pulumi.Input[str]]]) -> Any:
    def wrap(ids: Sequence[Any]) -> list[dict[str, Any]]:
        return [{"resource": {"id": i, "type": "DEVICE"}} for i in ids]

    if isinstance(device_ids, list | tuple):
        # Element by element, so one unknown id in a preview leaves the others checkable.
        return wrap(device_ids)
    return pulumi.Output.from_input(device_ids).apply(wrap)


def _entities(args: OpsRampJobArgs) -> Any:
    given = [_plain(e) for e in args.entities or []]
    if args.device_ids is None:
        return given if args.entities is not None else []
    devices = _device_entities(args.device_ids)
    if not given:
        return devices
    return pulumi.Output.from_input(devices).apply(lambda d: [*d, *given])


class OpsRampJob(Resource, module="opsramp", name="OpsRampJob"):
    """An OpsRamp automation job (type ``pulumi-python:dynamic/opsramp:OpsRampJob``)."""

    name: pulumi.Output[str]
    """The job's name."""
    tenant_id: pulumi.Output[str]
    """The tenant the job lives in."""
    entities: pulumi.Output[list[dict[str, Any]]]
    """Entities in canonical form."""
    script: pulumi.Output[dict[str, Any]]
    """The script in canonical form."""
    schedule: pulumi.Output[dict[str, Any]]
    """The schedule in canonical form (UTC, minute precision)."""
    job_queued: pulumi.Output[bool]
    """Whether the job is queued."""
    job_id: pulumi.Output[str]
    """OpsRamp's id of the job (also the resource id)."""
    entity_details: pulumi.Output[list[dict[str, Any]]]
    """Each entity as OpsRamp reports it: id, type, hostName, ipAddresses, clientUniqueId."""
    script_name: pulumi.Output[str]
    """The script's server-side name (a custom script's name, else the job type)."""
    schedule_description: pulumi.Output[str]
    """The schedule in one English sentence."""
    next_runs: pulumi.Output[list[str]]
    """The next run times (UTC, ISO 8601) as of the last create or update."""

    def __init__(
        self,
        resource_name: str,
        args: OpsRampJobArgs | None = None,
        opts: pulumi.ResourceOptions | None = None,
        **kwargs: Any,
    ) -> None:
        """Declare a job from ``args`` or the same fields as keyword arguments."""
        if args is None:
            args = OpsRampJobArgs(**kwargs)
        elif kwargs:
            raise TypeError("pass either an OpsRampJobArgs or keyword arguments, not both")
        props: dict[str, Any] = {
            "name": args.name if args.name is not None else resource_name,
            "tenant_id": args.tenant_id,
            "entities": _entities(args),
            "script": _plain(args.script),
            "schedule": _plain(args.schedule),
            "job_queued": args.job_queued,
            "adopt_id": args.adopt_id,
            "allow_duplicate_name": args.allow_duplicate_name,
            # Outputs only: listed so the SDK resolves them.
            "job_id": None,
            "entity_details": None,
            "script_name": None,
            "schedule_description": None,
            "next_runs": None,
        }
        super().__init__(OpsRampJobProvider(), resource_name, props, opts)

    def translate_output_property(self, prop: str) -> str:
        """Map a state property name to its Python attribute name."""
        return _STATE_TO_PY.get(prop, prop)

    def translate_input_property(self, prop: str) -> str:
        """Map a Python argument name to its state property name."""
        return _PY_TO_STATE.get(prop, prop)


class OpsRampJobSet(pulumi.ComponentResource):
    """One job definition applied to many tenants (MSP fan-out): one child job per tenant."""

    jobs: dict[str, OpsRampJob]
    """The child jobs by tenant id."""

    def __init__(
        self,
        resource_name: str,
        *,
        tenant_ids: Sequence[str],
        script: ScriptInput,
        schedule: ScheduleInput,
        name: str | None = None,
        device_ids_by_tenant: Mapping[str, pulumi.Input[Sequence[pulumi.Input[str]]]] | None = None,
        job_queued: pulumi.Input[bool] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """Declare one job named ``name`` (default: ``resource_name``) in every tenant."""
        super().__init__("opsramp:index:OpsRampJobSet", resource_name, None, opts)
        devices = dict(device_ids_by_tenant or {})
        unknown = sorted(set(devices) - set(tenant_ids))
        if unknown:
            raise ValueError(
                f"device_ids_by_tenant names tenants that are not in tenant_ids: {unknown}"
            )
        self.jobs = {}
        for tenant in dict.fromkeys(tenant_ids):
            if not isinstance(tenant, str) or not tenant.strip():
                raise ValueError(f"tenant_ids: {tenant!r} is not a tenant id")
            # The child's resource name is keyed by tenant: adding a tenant adds exactly one job
            # and leaves the others' URNs untouched.
            self.jobs[tenant] = OpsRampJob(
                f"{resource_name}-{tenant}",
                OpsRampJobArgs(
                    name=name or resource_name,
                    tenant_id=tenant,
                    device_ids=devices.get(tenant),
                    script=script,
                    schedule=schedule,
                    job_queued=job_queued,
                ),
                opts=pulumi.ResourceOptions(parent=self),
            )
        self.register_outputs({"jobIds": {t: job.job_id for t, job in self.jobs.items()}})
