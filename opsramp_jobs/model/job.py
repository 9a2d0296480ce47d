"""The job as a whole: who (entities), what (script), when (schedule); parsing and its errors."""

from __future__ import annotations

import re
import typing
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
from pydantic.fields import FieldInfo

from opsramp_jobs.model.common import (
    JOB_TYPES,
    NO_ITEMS,
    Flag,
    JobValidationError,
    Shown,
    WireModel,
    described,
    from_server,
    invalid,
    is_pending,
    json_object,
    shown,
    suggest,
)
from opsramp_jobs.model.entities import Device, Entity
from opsramp_jobs.model.schedule import (
    PATTERN_CLASSES,
    PATTERN_TAG_BY_CLASS,
    EveryDay,
    EveryNDays,
    EveryWeekday,
    MonthlyOnDays,
    MonthlyOnWeekday,
    Schedule,
)
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

__all__ = [
    "MAX_NAME_LENGTH",
    "Job",
    "ServerDetails",
    "errors_from",
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
_TAGGED: dict[str, type[WireModel]] = {
    **{tag: cls for cls, tag in PATTERN_TAG_BY_CLASS.items()},
    **dict(zip(JOB_TYPES, SCRIPT_CLASSES, strict=True)),
}
_UNION_TAGS = frozenset(_TAGGED)

# What each object is called in "'x' is not a property of ..." messages.
_CALLED: dict[type[WireModel], str] = {
    Job: "a job",
    Schedule: "a schedule",
    Entity: "an entity",
    Device: "an entity's resource",
    ConfigParams: "configParams",
    Approval: "an approval (approvalType object)",
    ScriptRef: "customScript",
    ScriptParameter: "a script parameter",
    CredentialSet: "credentialSet",
    **{cls: f"a {PATTERN_TAG_BY_CLASS[cls]!r} pattern" for cls in PATTERN_CLASSES},
    **{cls: f"a script of jobType {tag!r}" for tag, cls in _TAGGED.items() if tag in JOB_TYPES},
}
_CALLED.update(
    {
        EveryDay: "a daily 'everyday' pattern",
        EveryWeekday: "a daily 'every weekday' pattern",
        EveryNDays: "a daily 'recurrence' pattern",
        MonthlyOnDays: "a monthly pattern on dayOfMonth",
        MonthlyOnWeekday: "a monthly pattern on weekIndex + dayOfWeek",
    }
)

_KNOWN_PROPERTIES: tuple[str, ...] = tuple(sorted({n for m in _CALLED for n in m.wire_names()}))


def _models_in(annotation: Any) -> list[type[WireModel]]:
    """The model classes an annotation holds (through Annotated, unions, tuples, Optional)."""
    if isinstance(annotation, type) and issubclass(annotation, WireModel):
        return [annotation]
    return [m for arg in typing.get_args(annotation) for m in _models_in(arg)]


def _model_at(root: type[WireModel], loc: Sequence[str | int]) -> type[WireModel] | None:
    """The model class at ``loc`` (pydantic's location, union tags included), if any."""
    current: type[WireModel] | None = root
    for part in loc:
        if isinstance(part, int):
            continue  # an item of a list: the same model
        if part in _TAGGED:
            current = _TAGGED[part]
            continue
        if current is None:
            return None
        field = next((f for n, f in current.model_fields.items() if part in _names_of(n, f)), None)
        models = _models_in(field.annotation) if field is not None else []
        current = models[0] if len(models) == 1 else None
    return current


def _names_of(name: str, field: FieldInfo) -> set[str]:
    names = {name, field.serialization_alias or name}
    if isinstance(field.validation_alias, AliasChoices):
        names.update(str(c) for c in field.validation_alias.choices)
    return names


def _not_a_property(unknown: str, owner: type[WireModel] | None) -> str:
    """``'x' is not a property of a 'never' pattern; remove it`` (or a near valid name)."""
    if owner is None:
        choices = [c for c in _KNOWN_PROPERTIES if c != unknown]
        hint = suggest(unknown, choices)
        return f"{unknown!r} is not a property here" + (
            hint if "did you mean" in hint else "; remove it"
        )
    where = f"{unknown!r} is not a property of {_CALLED.get(owner, owner.__name__)}"
    names = sorted(owner.property_names() - {unknown})
    hint = suggest(unknown, names) if names else ""
    if "did you mean" in hint:
        return where + hint
    siblings = {
        repr(PATTERN_TAG_BY_CLASS[cls].split(":")[0]): None
        for cls in PATTERN_CLASSES
        if owner in PATTERN_CLASSES and cls is not owner and unknown in cls.property_names()
    }
    belongs = f" ({unknown} belongs to {' or '.join(siblings)} patterns)" if siblings else ""
    return f"{where}; remove it{belongs}"


def _not_an_object(value: object, model: type[WireModel] | None) -> str:
    """``must be an object, not the string '7'; write {"id": 7} or ScriptRef(id=7)``."""
    message = f"must be an object, not {described(value)}"
    return f"{message}; write {model.example}" if model is not None and model.example else message


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


def errors_from(exc: ValidationError, root: type[WireModel] | None = None) -> list[tuple[str, str]]:
    """Every problem in ``exc`` as ``(property path, message)``, one per path and message.

    ``root`` is the model validated (default :class:`Job`): it tells which object a property
    was given to, so "not a property" names that object and suggests only its own properties.
    """
    root = root or Job
    found: list[tuple[str, str]] = []
    for error in exc.errors(include_url=False):
        raw_loc = error["loc"]
        loc: list[str | int] = [p for p in raw_loc if not (isinstance(p, str) and p in _UNION_TAGS)]
        context = error.get("ctx") or {}
        subpath = context.get("subpath", "")
        if subpath:
            loc.extend(part for part in re.split(r"\.|(?=\[)", subpath) if part)
        kind = error["type"]
        if kind == "extra_forbidden":
            unknown = str(loc[-1]) if loc else "?"
            message = _not_a_property(unknown, _model_at(root, raw_loc[:-1]))
        elif kind in ("model_type", "model_attributes_type", "dict_type"):
            message = _not_an_object(error.get("input"), _model_at(root, raw_loc))
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
