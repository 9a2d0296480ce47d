"""The job as a whole: who (entities), what (script), when (schedule); parsing and its errors."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, cast

from pydantic import AliasChoices, Field, ValidationError, field_validator, model_validator

from opsramp_jobs.model.common import (
    JOB_TYPES,
    NO_ITEMS,
    JobValidationError,
    Shown,
    WireModel,
    invalid,
    is_pending,
    json_object,
    shown,
    suggest,
)
from opsramp_jobs.model.entities import Device, Entity
from opsramp_jobs.model.schedule import PATTERN_CLASSES, PATTERN_TAGS, Schedule
from opsramp_jobs.model.scripts import (
    SCRIPT_CLASSES,
    Approval,
    ConfigParams,
    CredentialSet,
    Script,
    ScriptParameter,
    ScriptRef,
)

if TYPE_CHECKING:
    from opsramp_jobs.model.common import Coerced

__all__ = ["Job", "ServerDetails", "errors_from", "parse_job", "server_details"]

if TYPE_CHECKING:
    Entities = Coerced[tuple[Entity, ...], Sequence[Entity]]
else:
    Entities = Annotated[tuple[Entity, ...], Shown("Sequence[Entity]")]


class Job(WireModel):
    """An OpsRamp automation job: who (entities), what (script), when (schedule)."""

    server_fields = frozenset({"id"})

    name: str | None = None
    """The job's name in OpsRamp (optional; not blank; surrounding spaces are trimmed)."""
    tenant_id: str | None = Field(
        default=None,
        validation_alias=AliasChoices("tenantId", "tenant_id"),
        serialization_alias="tenantId",
    )
    """Client or partner id (``client_93``, ``msp_12`` or a UUID); in the URL, not the body."""
    entities: Entities = NO_ITEMS
    """Where the job runs; each device once, kept sorted by type and id."""
    script: Script
    """What runs: a job type class such as ``AdCheckList()``, or OpsRamp's ``script`` object."""
    schedule: Schedule
    """When it runs: start date and recurrence pattern."""
    job_queued: bool = Field(
        default=False,
        validation_alias=AliasChoices("jobQueued", "job_queued"),
        serialization_alias="jobQueued",
    )
    """Queue the job behind other jobs instead of running it concurrently."""

    @model_validator(mode="before")
    @classmethod
    def _credential_set_into_script(cls, data: Any) -> Any:
        # OpsRamp quirk: the OpenAPI file puts `credentialSet` at the top level, the doc page
        # inside `script`. The model keeps it with the custom script.
        body = json_object(data)
        script = json_object(body.get("script")) if body is not None else None
        if body is None or script is None or "credentialSet" not in body:
            return data
        body = dict(body)
        body["script"] = {"credentialSet": body.pop("credentialSet"), **script}
        return body

    @field_validator("name", "tenant_id", mode="before")
    @classmethod
    def _non_blank_string(cls, value: object) -> object:
        if value is None:
            return value
        if not isinstance(value, str):
            # Pulumi sends numbers as doubles: `name=42` would otherwise become a job "42.0".
            raise invalid(
                "string_type", f"must be a string, not {type(value).__name__} {shown(value)}"
            )
        if not value.strip():
            raise invalid("blank", "must not be blank; give a name or leave the property out")
        return value.strip()

    @field_validator("entities")
    @classmethod
    def _unique_sorted(cls, value: tuple[Entity, ...]) -> tuple[Entity, ...]:
        if any(is_pending(e.resource.id) for e in value):
            # An id still to come from another resource: the provider sorts once it is known.
            return value
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

# Union members' tags appear in pydantic's error locations; they are not property names.
_UNION_TAGS = frozenset({*PATTERN_TAGS, *JOB_TYPES})

_MODELS: tuple[type[WireModel], ...] = (
    Job,
    Schedule,
    Entity,
    Device,
    ConfigParams,
    Approval,
    ScriptRef,
    ScriptParameter,
    CredentialSet,
    *PATTERN_CLASSES,
    *SCRIPT_CLASSES,
)
_KNOWN_PROPERTIES: tuple[str, ...] = tuple(sorted({n for m in _MODELS for n in m.wire_names()}))

# Our words for pydantic's own error kinds: its messages name its internals ("input_type", the
# discriminator function), which mean nothing to someone writing a job.
_MESSAGES = {
    "missing": "is required",
    "bool_parsing": "must be true or false",
    "bool_type": "must be true or false",
    "int_parsing": "must be a whole number",
    "int_type": "must be a whole number",
    "int_from_float": "must be a whole number",
    "string_type": "must be a string",
    "string_too_short": "must not be empty",
    "model_type": "must be an object",
    "model_attributes_type": "must be an object",
    "dict_type": "must be an object",
    "list_type": "must be a list",
    "tuple_type": "must be a list",
    "iterable_type": "must be a list",
    "frozen_instance": "cannot be changed: build a new object instead",
    "union_tag_not_found": "must be an object with its type",
    "union_tag_invalid": "is not one of the documented types",
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


def _plain_message(kind: str, text: str) -> str:
    """A message for an error kind not listed above, in the same voice, without internals."""
    if kind in _MESSAGES:
        return _MESSAGES[kind]
    text = re.sub(r"^(Value|Assertion) error, ", "", text)
    text = re.sub(r"^Input should be ", "must be ", text)
    return text if text else "is not valid here"


def errors_from(exc: ValidationError) -> list[tuple[str, str]]:
    """Every problem in ``exc`` as ``(property path, message)``, one per path and message."""
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
            message = f"{unknown!r} is not a property here{suggest(unknown, _KNOWN_PROPERTIES)}"
            if "did you mean" not in message:
                message = f"{unknown!r} is not a property here; remove it"
        elif kind == "literal_error":
            message = f"must be {context.get('expected', 'one of the documented values')}"
        elif kind == "too_short" and context.get("min_length") == 1:
            message = "must not be empty"
        elif "message" in context:
            message = str(context["message"])
        else:
            message = _plain_message(kind, error["msg"])
        found.append((_render_path(loc) or "(job)", message))
    return list(dict.fromkeys(found))


def parse_job(
    payload: Mapping[str, Any] | Job,
    tenant_id: str | None = None,
    *,
    from_server: bool = False,
) -> Job:
    """Parse a documented request or response body (or a canonical form) into a :class:`Job`.

    ``tenant_id`` fills in ``tenantId`` when the payload has none. ``from_server`` reads a job
    OpsRamp returned: undocumented fields are ignored, and values a program may not set (an
    "every N days" beyond the documented maximum, a start date outside the supported years) are
    kept, so a job edited outside Pulumi shows as drift instead of failing the refresh.
    Raises :class:`JobValidationError` listing every problem with its property path.
    """
    if isinstance(payload, Job):
        return payload if tenant_id is None else payload.model_copy(update={"tenant_id": tenant_id})
    if not isinstance(payload, Mapping):  # pyright: ignore[reportUnnecessaryIsInstance]
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
        raise JobValidationError(errors_from(exc)) from None


# --------------------------------------------------------------------------------------------
# Server-side details (enrichment) of a job OpsRamp returned
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ServerDetails:
    """What OpsRamp adds to a stored job: its id, the entities' names and the script's name."""

    job_id: str | None
    """OpsRamp's id of the job (None when the body has none)."""
    entities: list[dict[str, Any]]
    """Each entity as OpsRamp reports it: id, type, hostName, ipAddresses, clientUniqueId."""
    script_name: str | None
    """A custom script's name, else the job type (None when the body has neither)."""


def _object(value: object) -> dict[str, Any]:
    return json_object(value) or {}


def server_details(payload: Mapping[str, Any]) -> ServerDetails:
    """Extract the enrichment fields of a job body OpsRamp returned."""
    entities: list[dict[str, Any]] = []
    listed: object = payload.get("entities")
    for entity in cast("list[object]", listed) if isinstance(listed, list) else []:
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
