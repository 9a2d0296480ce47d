"""``OpsRampJob`` and ``OpsRampJobSet``: what a Pulumi program imports to declare OpsRamp jobs."""

from __future__ import annotations

import copy
import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, overload

import pulumi
from pulumi.dynamic import Resource

from opsramp_jobs.model import Entity, Schedule, WireModel, next_run_times, schedule_in_words
from opsramp_jobs.provider import OpsRampJobProvider

__all__ = ["OpsRampInputError", "OpsRampJob", "OpsRampJobArgs", "OpsRampJobSet"]


class OpsRampInputError(pulumi.RunError, TypeError, ValueError):
    """A program passed an input of the wrong shape; the message says how to write it.

    A ``pulumi.RunError``, so the CLI prints the message alone instead of a traceback.
    """


# Python attribute names <-> state property names (OpsRamp's field names).
_PY_TO_STATE = {
    "tenant_id": "tenantId",
    "job_queued": "jobQueued",
    "adopt_id": "adoptId",
    "allow_duplicate_name": "allowDuplicateName",
    # Behind `script_name`, which falls back to the job type when nothing is stored.
    "_stored_script_name": "scriptName",
}
_STATE_TO_PY = {state: py for py, state in _PY_TO_STATE.items()}

# Every property registered for an OpsRampJob becomes an Output the SDK tracks until the program
# ends, and its wait for them grows with their number: so only these are registered when they
# have no value, because each is an attribute a program may read (an Output needs a registered
# property to resolve). `job_id`, `schedule_description`, `next_runs` and `entity_details` are
# not among them: they are derived from the id and `schedule`, or looked up, when read (see the
# properties), so they cost neither the state nor the program anything when unused.
_ATTRIBUTES = (
    "name",
    "tenant_id",
    "entities",
    "script",
    "schedule",
    "job_queued",
    "_stored_script_name",
)

ScriptInput = WireModel | Mapping[str, Any]
"""A job type: a model instance (``AdCheckList()``, ``CustomScript.of(7, {2: "150"})``) or the
documented ``script`` JSON object, whose leaves may be Pulumi Outputs (e.g. secrets)."""
ScheduleInput = Schedule | Mapping[str, Any]
"""A schedule: a :class:`~opsramp_jobs.model.Schedule` or the documented ``schedule`` object."""
EntityInput = Entity | Mapping[str, Any]
"""An entity: :func:`~opsramp_jobs.model.device` or ``{"resource": {"id": ..., "type": ...}}``."""
DeviceIdsInput = pulumi.Input[Sequence[pulumi.Input[str]]]
"""Device resource ids: a list (of strings or Outputs), or an Output of a list."""
EntitiesInput = Sequence[EntityInput] | pulumi.Output[Sequence[Any]]
"""Entities: a list (items may hold Outputs), or one Output of a whole list."""


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
    device_ids: DeviceIdsInput | None = None
    """Devices to run on, by OpsRamp resource id (a list; its items may be Outputs)."""
    entities: EntitiesInput | None = None
    """Entities in OpsRamp's own form, added to ``device_ids``."""
    job_queued: pulumi.Input[bool] | None = None
    """Queue the job behind others instead of running it concurrently (default false)."""
    adopt_id: pulumi.Input[str] | None = None
    """Take over this existing job (updating it to these inputs) instead of creating one."""
    allow_duplicate_name: pulumi.Input[bool] | None = None
    """Create even when a job of this name already exists in the tenant."""


def _plain(value: Any) -> Any:
    return value.canonical() if isinstance(value, WireModel) else value


def _exact_digits(value: Any) -> Any:
    """An int as its exact digits; anything else as it is."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


def _exact_parameter(parameter: Any) -> Any:
    """A parameter whose value is a whole number (or an Output of one), as its exact digits.

    Pulumi carries numbers as doubles, so 2**60 + 1 would arrive rounded; as a string it arrives
    as written (OpsRamp's parameter values are strings anyway).
    """
    if not isinstance(parameter, Mapping):
        return parameter
    value = parameter.get("value")
    if isinstance(value, pulumi.Output):
        return {**parameter, "value": value.apply(_exact_digits)}
    return {**parameter, "value": _exact_digits(value)} if "value" in parameter else parameter


def _plain_script(script: Any) -> Any:
    """The script as registered: canonical (for a model), with exact parameter values."""
    plain = _plain(script)
    if isinstance(plain, Mapping) and isinstance(plain.get("parameters"), list | tuple):
        return {**plain, "parameters": [_exact_parameter(p) for p in plain["parameters"]]}
    return plain


def _not_a_string(device_ids: object, error: type[Exception] = OpsRampInputError) -> None:
    """Refuse one id passed where a list is expected (else: one error per character)."""
    if isinstance(device_ids, str):
        raise error(
            f"device_ids must be a list of device ids, not a string: write "
            f"device_ids=[{device_ids!r}]"
        )


def _device_entities(device_ids: DeviceIdsInput) -> Any:
    def wrap(ids: Sequence[Any]) -> list[dict[str, Any]]:
        # Inside an apply the SDK reports a TypeError as it is (other errors get wrapped).
        _not_a_string(ids, TypeError)
        return [{"resource": {"id": i, "type": "DEVICE"}} for i in ids]

    _not_a_string(device_ids)
    if isinstance(device_ids, list | tuple):
        # Element by element, so one unknown id in a preview leaves the others checkable.
        return wrap(device_ids)
    return pulumi.Output.from_input(device_ids).apply(wrap)


def _entity_list(entities: Any) -> list[Any]:
    if isinstance(entities, str | Mapping | WireModel):
        raise OpsRampInputError(
            "entities must be a list of entities: write entities=[...] (or use device_ids=[...])"
        )
    return [_plain(e) for e in entities or []]


def _entities(args: OpsRampJobArgs) -> Any:
    given: Any
    if isinstance(args.entities, pulumi.Output):
        # A whole list that is an Output (e.g. from another resource): resolved, then listed.
        given = args.entities.apply(_entity_list)
    else:
        given = _entity_list(args.entities)
    if args.device_ids is None:
        return given
    devices = _device_entities(args.device_ids)
    if isinstance(given, list) and not given:
        return devices
    return pulumi.Output.all(devices, given).apply(lambda both: [*both[0], *both[1]])


def _adoption(
    opts: pulumi.ResourceOptions | None, adopt_id: pulumi.Input[str] | None
) -> tuple[pulumi.ResourceOptions | None, pulumi.Input[str] | None]:
    """Turn ``ResourceOptions(import_=id)`` into adoption of that job.

    The engine's import reads the job without the provider's pickle and fails for every dynamic
    resource (pulumi/pulumi#16175); adoption takes over the same job through the provider.
    """
    if opts is None or opts.import_ is None:
        return opts, adopt_id
    if adopt_id is not None and adopt_id != opts.import_:
        raise OpsRampInputError(
            f"import_={opts.import_!r} and adopt_id={adopt_id!r} name different jobs: pass one"
        )
    stripped = copy.copy(opts)
    stripped.import_ = None
    return stripped, opts.import_


def _registered(props: Mapping[str, Any]) -> dict[str, Any]:
    """The properties that have a value, plus an empty one per output attribute."""
    registered = {k: v for k, v in props.items() if v is not None}
    registered.update({k: None for k in _ATTRIBUTES if k not in registered})
    return registered


def _script_name(script_and_stored: Sequence[Any]) -> str:
    """The stored (custom) script name, else the job type of the canonical ``script``."""
    script, stored = script_and_stored
    if stored:
        return str(stored)
    return str((script or {}).get("jobType") or "")


_KEYWORDS = (
    "script",
    "schedule",
    "name",
    "tenant_id",
    "device_ids",
    "entities",
    "job_queued",
    "adopt_id",
    "allow_duplicate_name",
)


class OpsRampJob(Resource, module="opsramp", name="OpsRampJob"):
    """An OpsRamp automation job (type ``pulumi-python:dynamic/opsramp:OpsRampJob``)."""

    if TYPE_CHECKING:
        # For type checkers and IDEs only: at run time the SDK evaluates a resource class's
        # annotations again for every resource it resolves (typing.get_type_hints), a cost per job
        # with nothing gained here (these outputs need no type conversion).
        name: pulumi.Output[str]
        """The job's name."""
        tenant_id: pulumi.Output[str]
        """The tenant the job lives in."""
        entities: pulumi.Output[list[dict[str, Any]]]
        """Entities in canonical form (``{"resource": {"id", "type"}}``), sorted by type and id."""
        script: pulumi.Output[dict[str, Any]]
        """The script in canonical form (OpsRamp's names, e.g. ``{"jobType": "adCheckList"}``)."""
        schedule: pulumi.Output[dict[str, Any]]
        """The schedule in canonical form (UTC, minute precision)."""
        job_queued: pulumi.Output[bool]
        """Whether the job waits in a queue behind other jobs instead of running concurrently."""
        _stored_script_name: pulumi.Output[str | None]

    @overload
    def __init__(
        self,
        resource_name: str,
        args: OpsRampJobArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None: ...

    @overload
    def __init__(
        self,
        resource_name: str,
        args: None = None,
        opts: pulumi.ResourceOptions | None = None,
        *,
        script: ScriptInput,
        schedule: ScheduleInput,
        name: pulumi.Input[str] | None = None,
        tenant_id: pulumi.Input[str] | None = None,
        device_ids: DeviceIdsInput | None = None,
        entities: EntitiesInput | None = None,
        job_queued: pulumi.Input[bool] | None = None,
        adopt_id: pulumi.Input[str] | None = None,
        allow_duplicate_name: pulumi.Input[bool] | None = None,
    ) -> None: ...

    def __init__(
        self,
        resource_name: str,
        args: OpsRampJobArgs | None = None,
        opts: pulumi.ResourceOptions | None = None,
        *,
        script: ScriptInput | None = None,
        schedule: ScheduleInput | None = None,
        name: pulumi.Input[str] | None = None,
        tenant_id: pulumi.Input[str] | None = None,
        device_ids: DeviceIdsInput | None = None,
        entities: EntitiesInput | None = None,
        job_queued: pulumi.Input[bool] | None = None,
        adopt_id: pulumi.Input[str] | None = None,
        allow_duplicate_name: pulumi.Input[bool] | None = None,
        **unknown: Any,
    ) -> None:
        """Declare a job from ``args`` or the same fields as keyword arguments.

        :param resource_name: the Pulumi resource name (also the job's name unless ``name``).
        :param args: the inputs as one :class:`OpsRampJobArgs` (instead of keyword arguments).
        :param opts: Pulumi resource options; ``import_=<job id>`` adopts that job.
        :param script: what runs: a job type model (``AdCheckList()``) or the ``script`` JSON.
        :param schedule: when it runs: a :class:`Schedule` or the ``schedule`` JSON.
        :param name: the job's name in OpsRamp, unique per tenant (default: ``resource_name``).
        :param tenant_id: client or partner id (default: stack config ``opsramp:tenantId``).
        :param device_ids: devices to run on, as a list of OpsRamp resource ids.
        :param entities: entities in OpsRamp's own form, added to ``device_ids``.
        :param job_queued: queue behind other jobs instead of running concurrently.
        :param adopt_id: take over this existing job instead of creating one.
        :param allow_duplicate_name: create even if a job of this name exists in the tenant.
        """
        if unknown:
            # Type checkers see only the overloads; at run time a misspelt keyword gets a
            # message with a suggestion instead of Python's traceback.
            wrong = sorted(unknown)[0]
            close = difflib.get_close_matches(wrong, _KEYWORDS, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else f"; the inputs are {_KEYWORDS}"
            raise OpsRampInputError(
                f"OpsRampJob {resource_name!r}: {wrong!r} is not an argument of OpsRampJob{hint}"
            )
        keywords = {
            "script": script,
            "schedule": schedule,
            "name": name,
            "tenant_id": tenant_id,
            "device_ids": device_ids,
            "entities": entities,
            "job_queued": job_queued,
            "adopt_id": adopt_id,
            "allow_duplicate_name": allow_duplicate_name,
        }
        if args is None:
            if script is None or schedule is None:
                missing = " and ".join(k for k in ("script", "schedule") if keywords[k] is None)
                raise OpsRampInputError(f"OpsRampJob {resource_name!r}: {missing} is required")
            args = OpsRampJobArgs(script=script, schedule=schedule)
            for key, value in keywords.items():
                setattr(args, key, value)
        elif not isinstance(args, OpsRampJobArgs):
            raise OpsRampInputError(
                f"OpsRampJob {resource_name!r}: args must be an OpsRampJobArgs, not "
                f"{type(args).__name__} (or pass the inputs as keyword arguments)"
            )
        elif any(value is not None for value in keywords.values()):
            raise OpsRampInputError("pass either an OpsRampJobArgs or keyword arguments, not both")
        opts, adopt = _adoption(opts, args.adopt_id)
        props: dict[str, Any] = {
            "name": args.name if args.name is not None else resource_name,
            "tenant_id": args.tenant_id,
            "entities": _entities(args),
            "script": _plain_script(args.script),
            "schedule": _plain(args.schedule),
            "job_queued": args.job_queued,
            "adopt_id": adopt,
            "allow_duplicate_name": args.allow_duplicate_name,
        }
        # Called from here, not from a helper: the engine stores the program's stack at this call
        # in every resource's state, one entry per frame.
        super().__init__(OpsRampJobProvider(), resource_name, _registered(props), opts)

    @property
    def job_id(self) -> pulumi.Output[str]:
        """OpsRamp's id of the job (the resource id)."""
        return self.id

    @property
    def script_name(self) -> pulumi.Output[str]:
        """The script's name: a custom script's name in OpsRamp, else the job type."""
        # Only a custom script's name is stored (the program declares its id, not its name).
        return pulumi.Output.all(self.script, self._stored_script_name).apply(_script_name)

    @property
    def entity_details(self) -> pulumi.Output[list[dict[str, Any]]]:
        """Each entity as OpsRamp reports it: id, type, hostName, ipAddresses, clientUniqueId.

        Looked up when the program reads it (one request to OpsRamp, with the stack's settings,
        as ``get_job`` does), not stored: host names and addresses change outside Pulumi, and
        every stored byte costs each later command. Unknown in a preview of a new job.
        """
        from opsramp_jobs.lookups import entity_details_now  # noqa: PLC0415 (brings requests)

        return pulumi.Output.all(self.id, self.tenant_id).apply(
            lambda id_and_tenant: entity_details_now(*id_and_tenant)
        )

    @property
    def schedule_description(self) -> pulumi.Output[str]:
        """The schedule in one English sentence."""
        return self.schedule.apply(schedule_in_words)

    @property
    def next_runs(self) -> pulumi.Output[list[str]]:
        """The next five run times (UTC, ISO 8601) after the moment the program reads them."""
        return self.schedule.apply(next_run_times)  # its default: five runs

    @staticmethod
    def get(
        resource_name: str,
        id: pulumi.Input[str],
        opts: pulumi.ResourceOptions | None = None,
        *,
        tenant_id: pulumi.Input[str] | None = None,
    ) -> OpsRampJob:
        """Read an existing job into the program by id, without managing it.

        :param resource_name: the Pulumi name of the read-only resource.
        :param id: the job's OpsRamp id.
        :param opts: Pulumi resource options (``id`` is set from ``id``).
        :param tenant_id: the tenant the job is in (default: stack config ``opsramp:tenantId``).
        """
        job: OpsRampJob = OpsRampJob.__new__(OpsRampJob)
        read = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(id=id))
        # The provider's pickle (`__provider`) travels in these properties: the engine's Read of
        # a dynamic resource has nothing else to find the provider by.
        Resource.__init__(
            job, OpsRampJobProvider(), resource_name, _registered({"tenant_id": tenant_id}), read
        )
        return job

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
        device_ids_by_tenant: Mapping[str, DeviceIdsInput] | None = None,
        job_queued: pulumi.Input[bool] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        """Declare one job named ``name`` (default: ``resource_name``) in every tenant.

        :param resource_name: the component's Pulumi name; child jobs are ``<name>-<tenant>``.
        :param tenant_ids: the client (or partner) ids to create the job in.
        :param script: what runs, as for :class:`OpsRampJob`.
        :param schedule: when it runs, as for :class:`OpsRampJob`.
        :param name: the jobs' name in OpsRamp (default: ``resource_name``).
        :param device_ids_by_tenant: the devices of each tenant's job, by tenant id.
        :param job_queued: queue behind other jobs instead of running concurrently.
        :param opts: Pulumi resource options of the component.
        """
        super().__init__("opsramp:index:OpsRampJobSet", resource_name, None, opts)
        if isinstance(tenant_ids, str):
            raise OpsRampInputError(
                f"tenant_ids must be a list of tenant ids, not a string: write "
                f"tenant_ids=[{tenant_ids!r}]"
            )
        if isinstance(tenant_ids, pulumi.Output) or not isinstance(tenant_ids, Sequence):
            # Each tenant's job is a resource named after the tenant, so the list must be known
            # when the program runs.
            raise OpsRampInputError(
                "tenant_ids must be a plain list of tenant ids known when the program runs "
                "(each tenant's job is a resource named after it), not a Pulumi Output"
            )
        devices = dict(device_ids_by_tenant or {})
        unknown = sorted(set(devices) - set(tenant_ids))
        if unknown:
            raise OpsRampInputError(
                f"device_ids_by_tenant names tenants that are not in tenant_ids: {unknown}"
            )
        self.jobs = {}
        for tenant in dict.fromkeys(tenant_ids):
            if not isinstance(tenant, str) or not tenant.strip():
                raise OpsRampInputError(f"tenant_ids: {tenant!r} is not a tenant id")
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
