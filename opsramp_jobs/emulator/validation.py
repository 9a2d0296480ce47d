"""Validation, normalisation and enrichment of job bodies, written from the API notes alone."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from .seed import DEVICES, JOB_TYPES, SCRIPTS, Tenant, visible_devices

VALIDATION_CODE = "0002"

WEEKDAYS = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")
WEEK_INDEXES = ("First", "Second", "Third", "Fourth", "Last")
DAILY_FREQUENCIES = ("everyday", "every weekday", "recurrence")
PATTERN_TYPES = ("daily", "weekly", "monthly", "run once", "never")
VERSIONS_SAVED = ("ALL_VERSIONS", "VERSION_WITH_CHANGES")
CONFIG_PARAM_FLAGS = (
    "backUpTrigger",
    "startupConfigAlert",
    "runtimeConfigAlert",
    "runConfigAlert",  # the schema's spelling; the examples say runtimeConfigAlert
    "startUpConfigFilesBackUp",
    "runTimeConfigFilesBackUp",
)
APP_JOB_TYPES = ("appinstall", "appupdate")

TOP_LEVEL_KEYS = {"id", "name", "jobQueued", "entities", "script", "schedule", "credentialSet"}
# Read-only fields a client may echo back from a GET; accepted and ignored.
ENTITY_ECHO_KEYS = {"generalInfo", "clientUniqueId", "resourceName", "aliasName", "name"}

_START_DATE = re.compile(
    r"(?P<date>\d{4}-\d{2}-\d{2})T(?P<h>\d{2}):(?P<m>\d{2})(?::(?P<s>\d{2})(?:\.\d{1,9})?)?"
    r"(?P<tz>Z|[+-]\d{2}:?\d{2})"
)
_INT = re.compile(r"[+-]?\d+")


def field_error(field_name: str, message: str) -> dict[str, str]:
    """One entry of OpsRamp's 400 error list."""
    return {"code": VALIDATION_CODE, "fieldName": field_name, "message": message}


class JobValidationError(Exception):
    """The body was rejected; carries OpsRamp's list of field errors."""

    def __init__(self, errors: list[dict[str, str]]) -> None:
        super().__init__(f"{len(errors)} validation error(s)")
        self.errors = errors


class _Collector:
    """Accumulates field errors so one response reports every problem at once."""

    def __init__(self) -> None:
        self.errors: list[dict[str, str]] = []

    def add(self, field_name: str, message: str) -> None:
        """Record one field error."""
        self.errors.append(field_error(field_name, message))

    def boolean(self, value: Any, field_name: str) -> bool | None:
        """A boolean, or "true"/"false" in any case; None (and an error) otherwise."""
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in ("true", "false"):
            return value.strip().lower() == "true"
        self.add(field_name, f"Invalid boolean value : {value!r}")
        return None

    def integer(self, value: Any, field_name: str) -> int | None:
        """An integer, or a string of digits; None (and an error) otherwise."""
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str) and _INT.fullmatch(value.strip()):
            return int(value.strip())
        self.add(field_name, f"Invalid integer value : {value!r}")
        return None

    def mapping(self, value: Any, field_name: str) -> dict[str, Any] | None:
        """A JSON object; None (and an error) otherwise."""
        if isinstance(value, dict):
            return value
        self.add(field_name, "Must be a JSON object")
        return None

    def unknown_keys(self, obj: dict[str, Any], allowed: set[str], prefix: str) -> None:
        """Reject keys the API does not define, so client typos are caught."""
        for key in sorted(set(obj) - allowed):
            self.add(f"{prefix}{key}", f"Unrecognized field : {key}")


def normalise_start_date(value: Any) -> str | None:
    """Render a start date as yyyy-MM-ddTHH:mm:00+0000 in UTC; None when unparseable."""
    if not isinstance(value, str):
        return None
    match = _START_DATE.fullmatch(value.strip())
    if match is None:
        return None
    tz_text = match["tz"]
    if tz_text == "Z":
        offset = timedelta(0)
    else:
        digits = tz_text[1:].replace(":", "")
        hours, minutes = int(digits[:2]), int(digits[2:])
        if hours > 23 or minutes > 59:
            return None
        offset = timedelta(hours=hours, minutes=minutes) * (-1 if tz_text[0] == "-" else 1)
    try:
        local = datetime.fromisoformat(f"{match['date']}T{match['h']}:{match['m']}:00")
    except ValueError:
        return None
    utc = local.replace(tzinfo=timezone(offset)).astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:00+0000")


def _canonical_choice(value: str, choices: tuple[str, ...]) -> str | None:
    """The canonical spelling of a case-insensitive choice."""
    for choice in choices:
        if choice.lower() == value.strip().lower():
            return choice
    return None


def _split_list(value: Any) -> list[str] | None:
    """Items of a comma separated string (or a lone integer), stripped; None when malformed."""
    if isinstance(value, int) and not isinstance(value, bool):
        return [str(value)]
    if not isinstance(value, str):
        return None
    items = [item.strip() for item in value.split(",")]
    if not items or any(not item for item in items):
        return None
    return items


def _normalise_pattern(raw: Any, errors: _Collector) -> dict[str, Any] | None:
    """Validate and normalise schedule.pattern."""
    prefix = "schedule.pattern."
    pattern = errors.mapping(raw, "schedule.pattern")
    if pattern is None:
        return None
    kind_raw = pattern.get("type")
    kind = _canonical_choice(kind_raw, PATTERN_TYPES) if isinstance(kind_raw, str) else None
    if kind is None:
        errors.add(prefix + "type", f"Invalid pattern type : {kind_raw!r}")
        return None
    out: dict[str, Any] = {"type": kind}
    if kind == "daily":
        errors.unknown_keys(pattern, {"type", "frequency", "repeatType", "repeatFrequency"}, prefix)
        freq_raw = pattern.get("frequency")
        freq = _canonical_choice(freq_raw, DAILY_FREQUENCIES) if isinstance(freq_raw, str) else None
        if freq is None:
            errors.add(prefix + "frequency", f"Invalid frequency : {freq_raw!r}")
            return out
        out["frequency"] = freq
        if freq == "recurrence":
            repeat_type = pattern.get("repeatType")
            if not isinstance(repeat_type, str) or repeat_type.strip().lower() != "days":
                errors.add(prefix + "repeatType", f"Invalid repeatType : {repeat_type!r}")
            else:
                out["repeatType"] = "days"
            if "repeatFrequency" not in pattern:
                errors.add(prefix + "repeatFrequency", "repeatFrequency is required")
            else:
                every = errors.integer(pattern["repeatFrequency"], prefix + "repeatFrequency")
                if every is not None and every < 1:
                    errors.add(prefix + "repeatFrequency", "repeatFrequency must be at least 1")
                elif every is not None:
                    out["repeatFrequency"] = every
        else:
            for key in ("repeatType", "repeatFrequency"):
                if key in pattern:
                    errors.add(prefix + key, f"{key} is only allowed with frequency recurrence")
    elif kind == "weekly":
        errors.unknown_keys(pattern, {"type", "weekDays"}, prefix)
        items = _split_list(pattern.get("weekDays"))
        days = [_canonical_choice(item, WEEKDAYS) for item in items or []]
        if not items or any(day is None for day in days):
            errors.add(prefix + "weekDays", f"Invalid weekDays : {pattern.get('weekDays')!r}")
        elif len(set(days)) != len(days):
            errors.add(prefix + "weekDays", "weekDays repeats a day")
        else:
            out["weekDays"] = ", ".join(d for d in days if d)
    elif kind == "monthly":
        errors.unknown_keys(
            pattern, {"type", "dayOfMonth", "weekIndex", "dayOfWeek", "dayOfIndex"}, prefix
        )
        by_day = "dayOfMonth" in pattern
        by_week = "weekIndex" in pattern or "dayOfWeek" in pattern or "dayOfIndex" in pattern
        if by_day and by_week:
            errors.add(prefix + "dayOfMonth", "Give either dayOfMonth or weekIndex, not both")
        elif by_day:
            items = _split_list(pattern["dayOfMonth"])
            if not items or not all(i.isdigit() and 1 <= int(i) <= 31 for i in items):
                errors.add(prefix + "dayOfMonth", f"Invalid dayOfMonth : {pattern['dayOfMonth']!r}")
            elif len({int(i) for i in items}) != len(items):
                errors.add(prefix + "dayOfMonth", "dayOfMonth repeats a day")
            else:
                out["dayOfMonth"] = ", ".join(str(int(i)) for i in items)
        elif by_week:
            index_raw = pattern.get("weekIndex")
            index = (
                _canonical_choice(index_raw, WEEK_INDEXES) if isinstance(index_raw, str) else None
            )
            if index is None:
                errors.add(prefix + "weekIndex", f"Invalid weekIndex : {index_raw!r}")
            else:
                out["weekIndex"] = index
            names: dict[str, Any] = {
                k: pattern[k] for k in ("dayOfWeek", "dayOfIndex") if k in pattern
            }
            weekdays: dict[str, str | None] = {
                k: _canonical_choice(v, WEEKDAYS) if isinstance(v, str) else None
                for k, v in names.items()
            }
            if not weekdays:
                errors.add(prefix + "dayOfWeek", "dayOfWeek is required with weekIndex")
            elif any(day is None for day in weekdays.values()):
                bad = next(k for k, day in weekdays.items() if day is None)
                errors.add(prefix + bad, f"Invalid {bad} : {names[bad]!r}")
            elif len(set(weekdays.values())) > 1:
                errors.add(prefix + "dayOfWeek", "dayOfWeek and dayOfIndex disagree")
            else:
                out["dayOfWeek"] = next(iter(weekdays.values()))
        else:
            errors.add(prefix + "dayOfMonth", "Monthly pattern needs dayOfMonth or weekIndex")
    else:
        errors.unknown_keys(pattern, {"type"}, prefix)
    return out


def _normalise_schedule(raw: Any, errors: _Collector) -> dict[str, Any] | None:
    """Validate and normalise schedule."""
    schedule = errors.mapping(raw, "schedule")
    if schedule is None:
        return None
    errors.unknown_keys(schedule, {"startDate", "pattern"}, "schedule.")
    out: dict[str, Any] = {}
    if "startDate" in schedule:
        start = normalise_start_date(schedule["startDate"])
        if start is None:
            errors.add(
                "schedule.startDate",
                f"Invalid startDate, expected yyyy-MM-ddTHH:mm:ssZ : {schedule['startDate']!r}",
            )
        else:
            out["startDate"] = start
    if "pattern" not in schedule:
        errors.add("schedule.pattern", "pattern is required")
    else:
        pattern = _normalise_pattern(schedule["pattern"], errors)
        if pattern is not None:
            out["pattern"] = pattern
    return out


def _normalise_entities(raw: Any, tenant: Tenant, errors: _Collector) -> list[dict[str, Any]]:
    """Validate entities against the tenant's visible devices and enrich each one."""
    if not isinstance(raw, list):
        errors.add("entities", "Must be a list")
        return []
    visible = visible_devices(tenant)
    out: list[dict[str, Any]] = []
    for index, item in enumerate(raw):
        prefix = f"entities[{index}].resource"
        entity = errors.mapping(item, f"entities[{index}]")
        if entity is None:
            continue
        errors.unknown_keys(entity, {"resource"}, f"entities[{index}].")
        resource = errors.mapping(entity.get("resource"), prefix)
        if resource is None:
            continue
        errors.unknown_keys(resource, {"id", "type"} | ENTITY_ECHO_KEYS, prefix + ".")
        resource_type = resource.get("type", "DEVICE")
        if not isinstance(resource_type, str) or resource_type.upper() != "DEVICE":
            errors.add(prefix + ".type", f"Unsupported resource type : {resource_type!r}")
            continue
        device_id = resource.get("id")
        if not isinstance(device_id, str) or device_id not in visible:
            errors.add(prefix + ".id", f"No resource found with UUID : {device_id}")
            continue
        device = DEVICES[device_id]
        out.append(
            {
                "resource": {
                    "id": device.device_id,
                    "generalInfo": {
                        "ipAddresses": device.ip_addresses,
                        "hostName": device.host_name,
                    },
                    "clientUniqueId": device.client_id,
                    "type": "DEVICE",
                }
            }
        )
    return out


def _normalise_custom_script(
    script: dict[str, Any], errors: _Collector
) -> tuple[dict[str, Any], str]:
    """Validate a custom-script job's script block; returns it enriched and the script name."""
    allowed = {"jobType", "customScript", "parameters", "userType", "credentialSet"}
    errors.unknown_keys(script, allowed, "script.")
    out: dict[str, Any] = {}
    script_name = ""
    custom = errors.mapping(script.get("customScript"), "script.customScript")
    definition = None
    if custom is not None:
        errors.unknown_keys(
            custom, {"id", "name", "description", "platforms"}, "script.customScript."
        )
        if "id" not in custom:
            errors.add("script.customScript.id", "customScript.id is required")
        else:
            script_id = errors.integer(custom["id"], "script.customScript.id")
            if script_id is not None:
                definition = SCRIPTS.get(script_id)
                if definition is None:
                    errors.add("script.customScript.id", f"No script found with id : {script_id}")
    if definition is not None:
        script_name = definition.name
        out["customScript"] = {
            "id": definition.script_id,
            "name": definition.name,
            "description": definition.description,
            "platforms": list(definition.platforms),
        }
    if "parameters" in script:
        params_raw = script["parameters"]
        if not isinstance(params_raw, list):
            errors.add("script.parameters", "Must be a list")
        else:
            declared = {p.param_id: p.name for p in definition.parameters} if definition else {}
            params: list[dict[str, Any]] = []
            for index, item in enumerate(params_raw):
                prefix = f"script.parameters[{index}]"
                param = errors.mapping(item, prefix)
                if param is None:
                    continue
                errors.unknown_keys(param, {"paramId", "value", "name"}, prefix + ".")
                param_id = errors.integer(param.get("paramId"), prefix + ".paramId")
                if param_id is None:
                    continue
                if definition is not None and param_id not in declared:
                    errors.add(prefix + ".paramId", f"No parameter {param_id} in this script")
                    continue
                value = param.get("value", "")
                if isinstance(value, bool) or not isinstance(value, str | int | float):
                    errors.add(prefix + ".value", "value must be a string")
                    continue
                params.append(
                    {"paramId": param_id, "name": declared.get(param_id, ""), "value": str(value)}
                )
            out["parameters"] = params
    if "userType" in script:
        user_type = errors.integer(script["userType"], "script.userType")
        if user_type is not None and user_type not in (1, 2):
            errors.add("script.userType", "userType must be 1 (system user) or 2 (other user)")
        elif user_type is not None:
            out["userType"] = user_type
    if "credentialSet" in script:
        _check_credential_set(script["credentialSet"], "script.credentialSet", errors)
    return out, script_name


def _check_credential_set(raw: Any, field_name: str, errors: _Collector) -> None:
    """A credential set must be {"uniqueId": "..."}; it is accepted and never echoed."""
    cred = errors.mapping(raw, field_name)
    if cred is not None and not isinstance(cred.get("uniqueId"), str):
        errors.add(field_name + ".uniqueId", "uniqueId is required")


def _normalise_typed_script(
    script: dict[str, Any], job_type: str, errors: _Collector
) -> dict[str, Any]:
    """Validate a catalogued job type's script block."""
    out: dict[str, Any] = {"jobType": job_type}
    allowed = {"jobType"}
    if job_type == "networkconfigbackup":
        allowed.add("configParams")
        if "configParams" in script:
            params = errors.mapping(script["configParams"], "script.configParams")
            if params is not None:
                errors.unknown_keys(
                    params, {"versionsSaved", *CONFIG_PARAM_FLAGS}, "script.configParams."
                )
                config: dict[str, Any] = {}
                if "versionsSaved" in params:
                    saved = params["versionsSaved"]
                    if saved not in VERSIONS_SAVED:
                        errors.add("script.configParams.versionsSaved", f"Invalid : {saved!r}")
                    else:
                        config["versionsSaved"] = saved
                for flag in CONFIG_PARAM_FLAGS:
                    if flag in params:
                        config[flag] = errors.boolean(params[flag], f"script.configParams.{flag}")
                out["configParams"] = config
    elif job_type in APP_JOB_TYPES:
        allowed.add("approvalType")
        if "approvalType" in script:
            approval = errors.mapping(script["approvalType"], "script.approvalType")
            if approval is not None:
                prefix = "script.approvalType."
                errors.unknown_keys(
                    approval, {"approvalType", "approvalReason", "alertRequired"}, prefix
                )
                result: dict[str, Any] = {}
                kind = errors.integer(approval.get("approvalType"), prefix + "approvalType")
                if kind is not None and kind not in (0, 1):
                    errors.add(prefix + "approvalType", "approvalType must be 0 or 1")
                elif kind is not None:
                    result["approvalType"] = kind
                if "approvalReason" in approval:
                    if not isinstance(approval["approvalReason"], str):
                        errors.add(prefix + "approvalReason", "approvalReason must be a string")
                    else:
                        result["approvalReason"] = approval["approvalReason"]
                if "alertRequired" in approval:
                    result["alertRequired"] = errors.boolean(
                        approval["alertRequired"], prefix + "alertRequired"
                    )
                out["approvalType"] = result
    for key in sorted(set(script) - allowed):
        errors.add(f"script.{key}", f"{key} is not valid for jobType {job_type}")
    return out


def normalise_job(body: Any, tenant: Tenant, job_id: str | None = None) -> dict[str, Any]:
    """Validate a create/update body and return the job as the server stores and echoes it."""
    errors = _Collector()
    if not isinstance(body, dict):
        raise JobValidationError([field_error("body", "Request body must be a JSON object")])
    errors.unknown_keys(body, TOP_LEVEL_KEYS, "")
    if "id" in body and job_id is not None and body["id"] != job_id:
        errors.add("id", "id in the body does not match the id in the path")
    if job_id is None and "id" in body:
        errors.add("id", "id must not be given on create")

    job: dict[str, Any] = {}
    name = body.get("name")
    if name is not None and (not isinstance(name, str) or not name.strip()):
        errors.add("name", "name must be a non-empty string")
    entities = _normalise_entities(body["entities"], tenant, errors) if "entities" in body else None
    schedule = _normalise_schedule(body["schedule"], errors) if "schedule" in body else None
    queued = errors.boolean(body["jobQueued"], "jobQueued") if "jobQueued" in body else False
    if "credentialSet" in body:
        _check_credential_set(body["credentialSet"], "credentialSet", errors)

    script_out: dict[str, Any] = {}
    default_name = "Job"
    script = errors.mapping(body.get("script"), "script")
    if script is not None:
        job_type = script.get("jobType")
        if job_type is None and "customScript" in script:
            job_type = "custom"  # GET omits jobType for custom jobs; accept that echoed back
        if job_type == "custom":
            script_out, script_name = _normalise_custom_script(script, errors)
            default_name = f"Job - {script_name}"
        elif isinstance(job_type, str) and job_type in JOB_TYPES:
            script_out = _normalise_typed_script(script, job_type, errors)
            default_name = f"Job - {JOB_TYPES[job_type]}"
        else:
            errors.add("script.jobType", f"Invalid jobType : {job_type!r}")

    if errors.errors:
        raise JobValidationError(errors.errors)
    job["name"] = name if isinstance(name, str) else default_name
    if entities is not None:
        job["entities"] = entities
    if schedule is not None:
        job["schedule"] = schedule
    job["jobQueued"] = queued
    job["script"] = script_out
    return job
