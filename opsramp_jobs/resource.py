"""``OpsRampJob`` and ``OpsRampJobSet``: what a Pulumi program imports to declare OpsRamp jobs.

Invalid inputs are reported here, in the program, for every way of writing a job: the typed
classes (which, in a program, carry their problems to the job that uses them instead of raising),
OpsRamp's dict form, and the arguments themselves. Each problem is one line naming the resource,
the property path and the fix; an invalid job is not registered, the program goes on, and the
run fails at its end, so one run lists every invalid job. (The provider's ``check`` validates
again what the program could not see: values that come from other resources.)
"""

from __future__ import annotations

import asyncio
import copy
import dataclasses
import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NoReturn, overload

import pulumi
from pulumi.dynamic import Resource

from opsramp_jobs.errors import OpsRampJobsError
from opsramp_jobs.model import (
    Entity,
    Job,
    Schedule,
    WireModel,
    declared_job,
    job_problems,
    next_run_times,
    schedule_in_words,
)
from opsramp_jobs.model.common import carry_problems_while, described, is_pending
from opsramp_jobs.provider import OpsRampJobProvider

__all__ = [
    "TYPE_TOKEN",
    "InvalidInputsError",
    "OpsRampInputError",
    "OpsRampJob",
    "OpsRampJobArgs",
    "OpsRampJobSet",
]

Problem = tuple[str, str]
"""A ``(property path, message)`` pair: what is wrong where, and how to fix it."""


class InvalidInputsError(OpsRampJobsError, pulumi.RunError):
    """A program's invalid inputs end its run with this, after a line for each problem.

    Also raised for a value found invalid only once known (an Output of one device id where a
    list belongs). A ``pulumi.RunError``, so the CLI prints the message alone; not a
    ``ValueError``, which the SDK would wrap (raised while it reads a resource's inputs) in its
    own, with a traceback.
    """


class OpsRampInputError(InvalidInputsError, TypeError, ValueError):
    """Invalid inputs given outside a running program: raised at once, a line per problem."""


def _in_a_program() -> bool:
    """Whether a Pulumi program (or a test under Pulumi's mocks) is running right now."""
    if pulumi.runtime.settings.get_monitor() is None:
        return False
    try:
        asyncio.get_running_loop()
    except RuntimeError:  # configured, but outside the program's run (e.g. after it)
        return False
    return True


# In a program, a typed model that fails validation carries its problems to the job that uses
# it (which knows its name) instead of stopping the program at the first mistake.
carry_problems_while(_in_a_program)

# The one line ending the run of a program with invalid inputs (their errors come before it).
_REFUSED = "invalid inputs (listed above): fix them and run again"


def _lines(kind: str, resource_name: str, problems: Sequence[Problem]) -> list[str]:
    return [f"{kind} {resource_name!r}: {path}: {message}" for path, message in problems]


def _refusal(kind: str, resource_name: str, problems: Sequence[Problem]) -> pulumi.Output[Any]:
    """Report ``problems`` and return what fails the run at its end; outside a program, raise.

    In a program, each problem is logged as one error line and the program goes on, so a run
    reports every invalid job. The Output returned fails when the SDK awaits it (at the end of
    the program): registered in place of the inputs, it fails the run with one short line.
    """
    lines = _lines(kind, resource_name, problems)
    if not _in_a_program():
        raise OpsRampInputError("\n".join(lines))
    for line in lines:
        pulumi.log.error(line)

    async def refused() -> NoReturn:
        raise InvalidInputsError(_REFUSED)

    return pulumi.Output.from_input(refused())


def _warn(kind: str, resource_name: str, notes: Sequence[Problem]) -> None:
    for line in _lines(kind, resource_name, notes):
        pulumi.log.warn(line)


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


def _device_entities(resource_name: str, device_ids: DeviceIdsInput) -> Any:
    def wrap(ids: Sequence[Any]) -> list[dict[str, Any]]:
        if isinstance(ids, str):  # an Output of one id, where a list is expected
            raise InvalidInputsError(
                _lines("OpsRampJob", resource_name, [_one_id_not_a_list(ids)])[0]
            )
        return [{"resource": {"id": i, "type": "DEVICE"}} for i in ids]

    if isinstance(device_ids, list | tuple):
        # Element by element, so one unknown id in a preview leaves the others checkable.
        return wrap(device_ids)
    return pulumi.Output.from_input(device_ids).apply(wrap)


def _entities(resource_name: str, args: OpsRampJobArgs) -> Any:
    given: Any
    if isinstance(args.entities, pulumi.Output):
        # A whole list that is an Output (e.g. from another resource): resolved, then listed.
        given = args.entities.apply(lambda entities: [_plain(e) for e in entities or []])
    else:
        given = [_plain(e) for e in args.entities or []]
    if args.device_ids is None:
        return given
    devices = _device_entities(resource_name, args.device_ids)
    if isinstance(given, list) and not given:
        return devices
    return pulumi.Output.all(devices, given).apply(lambda both: [*both[0], *both[1]])


def _one_id_not_a_list(device_id: str) -> Problem:
    # Else each character would be taken for a device id.
    return (
        "device_ids",
        f"must be a list of device ids, not a string: write device_ids=[{device_id!r}]",
    )


def _shape_problems(args: OpsRampJobArgs) -> list[Problem]:
    """Inputs that are not lists where lists belong (the model never sees them whole)."""
    problems: list[Problem] = []
    device_ids, entities = args.device_ids, args.entities
    if isinstance(device_ids, str):
        problems.append(_one_id_not_a_list(device_ids))
    elif not (device_ids is None or isinstance(device_ids, list | tuple) or is_pending(device_ids)):
        problems.append(
            ("device_ids", f"must be a list of device ids, not {described(device_ids)}")
        )
    if isinstance(entities, str | Mapping | WireModel):
        problems.append(
            ("entities", "must be a list of entities: write entities=[...] (or device_ids=[...])")
        )
    elif not (entities is None or isinstance(entities, list | tuple) or is_pending(entities)):
        problems.append(("entities", f"must be a list of entities, not {described(entities)}"))
    return problems


def _declared(
    resource_name: str, args: OpsRampJobArgs
) -> tuple[Job | None, list[Problem], list[Problem]]:
    """The job when the program knows all of it, and its problems and notes as far as it does.

    Device ids are checked as the entities they become, and reported as ``device_ids[i]``.
    """
    problems = _shape_problems(args)
    devices = list(args.device_ids) if isinstance(args.device_ids, list | tuple) else []
    listed = list(args.entities) if isinstance(args.entities, list | tuple) else []
    declared = {
        "name": resource_name if args.name is None else args.name,
        "tenantId": args.tenant_id,
        "jobQueued": args.job_queued,
        "entities": [*({"resource": {"id": i, "type": "DEVICE"}} for i in devices), *listed],
        "script": args.script,
        "schedule": args.schedule,
    }
    job, found, notes = declared_job({k: v for k, v in declared.items() if v is not None})
    problems += [(_as_given(path, len(devices)), message) for path, message in found]
    # A whole list that is an Output is not in `declared`: the job is not known whole.
    whole = not (problems or is_pending(args.device_ids) or is_pending(args.entities))
    return (job if whole else None), problems, notes


def _as_given(path: str, devices: int) -> str:
    """A path into the entities made from ``devices`` ids, then the entities, as the user wrote
    it: ``device_ids[i]`` for the entity made from that id, else ``entities[i - devices]``."""
    head, bracket, rest = path.partition("]")
    if not (head.startswith("entities[") and head[9:].isdigit() and bracket):
        return path
    index = int(head[9:])
    if index < devices:
        return f"device_ids[{index}]"
    return f"entities[{index - devices}]{rest}"


def _adoption(
    opts: pulumi.ResourceOptions | None, adopt_id: pulumi.Input[str] | None
) -> tuple[pulumi.ResourceOptions | None, pulumi.Input[str] | None, list[Problem]]:
    """Turn ``ResourceOptions(import_=id)`` into adoption of that job.

    The engine's import reads the job without the provider's pickle and fails for every dynamic
    resource (pulumi/pulumi#16175); adoption takes over the same job through the provider.
    """
    if opts is None or opts.import_ is None:
        return opts, adopt_id, []
    stripped = copy.copy(opts)
    stripped.import_ = None
    if adopt_id is not None and adopt_id != opts.import_:
        message = (
            f"import_={opts.import_!r} and adopt_id={adopt_id!r} name different jobs: pass one"
        )
        return stripped, adopt_id, [("adopt_id", message)]
    return stripped, opts.import_, []


def _registered(props: Mapping[str, Any]) -> dict[str, Any]:
    """The properties that have a value, plus an empty one per output attribute."""
    registered = {k: v for k, v in props.items() if v is not None}
    registered.update({k: None for k in _ATTRIBUTES if k not in registered})
    return registered


def _script_name(job_type_and_stored: Sequence[Any]) -> str:
    """The stored (custom) script name, else the job type."""
    job_type, stored = job_type_and_stored
    return str(stored or job_type or "")


def _job_type(script: Mapping[str, Any] | None) -> str:
    return str((script or {}).get("jobType") or "")


# The inputs an OpsRampJob takes as keyword arguments: those of OpsRampJobArgs.
_KEYWORDS = tuple(field.name for field in dataclasses.fields(OpsRampJobArgs))


def _arguments(
    args: object, keywords: Mapping[str, Any]
) -> tuple[OpsRampJobArgs | None, list[Problem]]:
    """The inputs as one OpsRampJobArgs, or the problems that prevent it."""
    problems: list[Problem] = []
    meant: set[str] = set()
    for wrong in sorted(k for k in keywords if k not in _KEYWORDS):
        # Type checkers see only the overloads; at run time a misspelt keyword gets a message
        # with a suggestion instead of Python's traceback.
        close = difflib.get_close_matches(wrong, _KEYWORDS, n=1)
        hint = f"did you mean {close[0]!r}?" if close else "the inputs are " + ", ".join(_KEYWORDS)
        problems.append((wrong, f"{wrong!r} is not an argument of OpsRampJob; {hint}"))
        meant.update(close)
    given = {k: v for k, v in keywords.items() if k in _KEYWORDS and v is not None}
    if args is None:
        # A required input given under a misspelt name is that one mistake, not two.
        missing = [k for k in ("script", "schedule") if k not in given and k not in meant]
        problems += [(key, "is required") for key in missing]
        return (None if problems else OpsRampJobArgs(**given)), problems
    if not isinstance(args, OpsRampJobArgs):
        problems.append(
            (
                "args",
                f"must be an OpsRampJobArgs, not {type(args).__name__} (or pass the inputs as "
                "keyword arguments)",
            )
        )
        return None, problems
    if given:
        problems.append(("args", "pass either an OpsRampJobArgs or keyword arguments, not both"))
    return (None if problems else args), problems


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
        **inputs: Any,
    ) -> None:
        """Declare a job from ``args`` or the same fields as keyword arguments.

        :param resource_name: the Pulumi resource name (also the job's name unless ``name``).
        :param args: the inputs as one :class:`OpsRampJobArgs` (instead of keyword arguments).
        :param opts: Pulumi resource options; ``import_=<job id>`` adopts that job.
        :param inputs: the fields of :class:`OpsRampJobArgs`, as keyword arguments.
        """
        given, problems = _arguments(args, inputs)
        opts, adopt, adoption_problems = _adoption(opts, given.adopt_id if given else None)
        problems += adoption_problems
        notes: list[Problem] = []
        job: Job | None = None
        if given is not None:
            job, found, notes = _declared(resource_name, given)
            problems += found
        props: dict[str, Any]
        if given is None or problems:
            # Not registered: the job is reported here and the run fails at the end.
            props = {"refused": _refusal("OpsRampJob", resource_name, problems)}
        else:
            _warn("OpsRampJob", resource_name, notes)
            props = {
                "name": given.name if given.name is not None else resource_name,
                "tenant_id": given.tenant_id,
                "entities": _entities(resource_name, given),
                "script": _plain_script(given.script),
                "schedule": _plain(given.schedule),
                "job_queued": given.job_queued,
                "adopt_id": adopt,
                "allow_duplicate_name": given.allow_duplicate_name,
            }
            if job is not None:
                # Known whole: registered as the canonical inputs the provider's check returns,
                # so the check of a job the state already holds finds them equal and parses
                # nothing (OpsRampJobProvider.check).
                props.update({_STATE_TO_PY.get(k, k): v for k, v in job.canonical().items()})
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
        # A secret parameter makes the whole `script` secret; its job type is not, so the name
        # is secret only when the stored name is.
        job_type = pulumi.Output.unsecret(self.script).apply(_job_type)
        return pulumi.Output.all(job_type, self._stored_script_name).apply(_script_name)

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


TYPE_TOKEN = f"pulumi-python:{OpsRampJob._resource_type_name}"
"""The resource type every OpsRampJob has in a stack's state (``pulumi-python:dynamic/...``)."""


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
        devices = dict(device_ids_by_tenant or {})
        problems = _tenant_problems(tenant_ids, devices)
        if not problems:
            # The definition every tenant's job shares, checked (and reported) once here.
            shared = {"name": name or resource_name, "jobQueued": job_queued}
            found, _ = job_problems(
                {**{k: v for k, v in shared.items() if v is not None}, "script": script,
                 "schedule": schedule}
            )  # fmt: skip
            problems += found
        self.jobs = {}
        if problems:
            self.register_outputs({"refused": _refusal("OpsRampJobSet", resource_name, problems)})
            return
        for tenant in dict.fromkeys(tenant_ids):
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


def _tenant_problems(tenant_ids: object, devices: Mapping[str, Any]) -> list[Problem]:
    if isinstance(tenant_ids, str):
        return [
            (
                "tenant_ids",
                f"must be a list of tenant ids, not a string: write tenant_ids=[{tenant_ids!r}]",
            )
        ]
    if isinstance(tenant_ids, pulumi.Output) or not isinstance(tenant_ids, Sequence):
        # Each tenant's job is a resource named after the tenant, so the list must be known
        # when the program runs.
        return [
            (
                "tenant_ids",
                "must be a plain list of tenant ids known when the program runs (each tenant's "
                "job is a resource named after it), not a Pulumi Output",
            )
        ]
    listed: Sequence[object] = tenant_ids
    problems: list[Problem] = [
        (f"tenant_ids[{index}]", f"{tenant!r} is not a tenant id")
        for index, tenant in enumerate(listed)
        if not isinstance(tenant, str) or not tenant.strip()
    ]
    unknown = sorted(set(devices) - set(listed))
    if unknown:
        problems.append(
            ("device_ids_by_tenant", f"names tenants that are not in tenant_ids: {unknown}")
        )
    return problems
