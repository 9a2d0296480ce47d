"""The job as a whole: who (entities), what (script), when (schedule); parsing and its errors."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, cast

from pydantic import (
    AliasChoices,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from opsramp_jobs.model.common import (
    NO_ITEMS,
    Flag,
    JobValidationError,
    Shown,
    WireModel,
    from_server,
    json_object,
    notes_of,
)
from opsramp_jobs.model.entities import Entity
from opsramp_jobs.model.problems import described, errors_from, invalid, is_pending, shown
from opsramp_jobs.model.schedule import Schedule
from opsramp_jobs.model.scripts import Script

if TYPE_CHECKING:
    from opsramp_jobs.model.common import Coerced

__all__ = [
    "MAX_NAME_LENGTH",
    "Job",
    "ServerDetails",
    "declared_job",
    "errors_from",
    "job_problems",
    "parse_job",
    "server_details",
]

# OpsRamp documents no limit on a job's name: 255 characters is a generous bound that keeps a
# pasted paragraph (or a runaway f-string) out of a tenant's job list.
MAX_NAME_LENGTH = 255
_URL_SPECIAL = frozenset("/?#%\\")


def _control_character(text: str) -> str | None:
    """The first control character (newline, tab, NUL, other Cc; line or paragraph separator)."""
    return next((repr(c) for c in text if unicodedata.category(c) in ("Cc", "Zl", "Zp")), None)


def _text(value: object, fix_blank: str) -> str | None:
    """A text property's value: None, or a string that is not blank."""
    if value is None:
        return None
    if not isinstance(value, str):
        # Pulumi sends numbers as doubles: `name=42` would otherwise become a job "42.0".
        raise invalid("string_type", f"must be a string, not {described(value)}")
    if not value.strip():
        raise invalid("blank", f"must not be blank; {fix_blank}")
    return value


if TYPE_CHECKING:
    Entities = Coerced[tuple[Entity, ...], Sequence[Entity]]
else:
    Entities = Annotated[tuple[Entity, ...], Shown("Sequence[Entity]")]


class Job(WireModel):
    """An OpsRamp automation job: who (entities), what (script), when (schedule)."""

    called = "a job"
    server_fields = frozenset({"id"})

    name: str | None = None
    """The job's name in OpsRamp (optional): one line, at most 255 characters, no spaces around."""
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
    job_queued: Flag = Field(
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

    @field_validator("name", mode="before")
    @classmethod
    def _check_name(cls, value: object, info: ValidationInfo) -> object:
        text = _text(value, "give the job a name or leave name out (the resource name is used)")
        if text is None or from_server(info):
            # A name edited outside Pulumi is read back as OpsRamp holds it (it shows as drift).
            return text
        bad = _control_character(text)
        if bad is not None:
            raise invalid(
                "name", f"contains the control character {bad}; remove it (names are one line)"
            )
        if len(text) > MAX_NAME_LENGTH:
            raise invalid(
                "name",
                f"is {len(text)} characters long; shorten it to at most {MAX_NAME_LENGTH}",
            )
        # Kept as written, not trimmed: a trimmed name would differ from the code (a change no
        # diff shows), and a name edited outside Pulumi with spaces would read back unchanged.
        if text != text.strip():
            raise invalid("name", f"{shown(text)}: remove the spaces around the name")
        return text

    @field_validator("tenant_id", mode="before")
    @classmethod
    def _check_tenant_id(cls, value: object) -> object:
        text = _text(
            value, "give a tenant id such as client_13, or leave it out to use opsramp:tenantId"
        )
        if text is None:
            return text
        # The tenant id goes into every request's URL path: a space, '/', '?', '#', '%' or '..'
        # would address another URL (a 404 at `up`, or another tenant's path) instead of failing
        # here. No prefix is required (OpsRamp's forms are client_<n>, msp_<n> or a UUID).
        control = _control_character(text)
        special = next((c for c in text if c.isspace() or c in _URL_SPECIAL), None)
        if control is not None:
            what = f"contains the control character {control}"
        elif special is not None:
            what = "contains a space" if special.isspace() else f"contains {special!r}"
        elif text in (".", ".."):
            what = "is a path"
        else:
            return text
        raise invalid(
            "tenant_id",
            f"{shown(text)} is not a tenant id: it {what}; use the id OpsRamp shows, "
            "such as client_13, msp_12 or a UUID",
        )

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

    # Every model's request form is `wire()`; a whole job's is documented as `to_wire()`.
    wire = to_wire

    @property
    def job_type(self) -> str:
        """The job type (``custom`` for a custom script)."""
        return str(self.script.job_type)


# --------------------------------------------------------------------------------------------
# Parsing and error reporting
# --------------------------------------------------------------------------------------------


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
        raise JobValidationError(errors_from(exc, Job)) from None


def _pending_paths(value: object, path: str) -> list[str]:
    """The property paths of every value inside ``value`` still to come (a Pulumi Output)."""
    if is_pending(value):
        return [path]
    found: list[str] = []
    if isinstance(value, Mapping):
        for key, item in cast("Mapping[object, object]", value).items():
            found += _pending_paths(item, f"{path}.{key}")
    elif isinstance(value, list | tuple):
        for index, item in enumerate(cast("Sequence[object]", value)):
            found += _pending_paths(item, f"{path}[{index}]")
    return found


def _touches(path: str, pending: Sequence[str]) -> bool:
    """Whether a problem at ``path`` may come from a value still to come."""
    return any(
        path == item or path.startswith((item + ".", item + "[")) or item.startswith(path + ".")
        for item in pending
    )


def job_problems(
    declared: Mapping[str, Any],
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """A job declared in a program: its problems, and notes on what OpsRamp will change.

    ``declared`` holds the job's properties in either form (typed models, whose problems they
    carry, or OpsRamp's JSON). Values still to come (Pulumi Outputs) are the provider's to check
    once known: nothing at or under one is reported here, nor a required property that is one.
    """
    _, problems, notes = declared_job(declared)
    return problems, notes


def declared_job(
    declared: Mapping[str, Any],
) -> tuple[Job | None, list[tuple[str, str]], list[tuple[str, str]]]:
    """:func:`job_problems`, and the job itself when it is whole: every value known, no problem."""
    pending = [path for key, value in declared.items() for path in _pending_paths(value, key)]
    known = {key: value for key, value in declared.items() if not is_pending(value)}
    # Notes of a schedule in the dict form come from this validation (a note names the field:
    # say it as the program did); a typed schedule was validated, and noted, when it was built.
    schedule = known.get("schedule")
    noted: list[tuple[str, str]] = []
    problems: list[tuple[str, str]] = []
    job: Job | None = None
    try:
        job = Job.model_validate(known, context={"notes": noted})
    except ValidationError as exc:
        problems = [(p, text) for p, text in errors_from(exc, Job) if not _touches(p, pending)]
    given = json_object(schedule)
    spelled = "startDate" if given is not None and "startDate" in given else None
    notes = [(f"schedule.{spelled or field}", message) for field, message in noted]
    notes += [(f"schedule.{path}", message) for path, message in notes_of(schedule)]
    return (None if pending else job), problems, notes


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
