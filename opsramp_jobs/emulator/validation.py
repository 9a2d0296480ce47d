"""Validation, normalisation and enrichment of job bodies, written from the API notes alone."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from .quirks import HIDDEN_CREDENTIAL_SET, SCHEMA_JOB_TYPES
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

# Seconds are required, as the spec's format and every example show them; the offset may be the
# examples' +0000 or RFC 3339's +00:00 / Z (contradiction 7 in the API notes: both accepted).
# re.ASCII: only 0-9 are digits (Python's \d would also take "²" or Arabic-Indic digits).
_START_DATE = re.compile(
    r"(?P<date>\d{4}-\d{2}-\d{2})T(?P<h>\d{2}):(?P<m>\d{2}):(?P<s>\d{2})(?:\.\d{1,9})?"
    r"(?P<tz>Z|[+-]\d{2}:?\d{2})",
    re.ASCII,
)
_INT = re.compile(r"[+-]?[0-9]{1,10}", re.ASCII)
_DIGITS = re.compile(r"[0-9]{1,2}", re.ASCII)
# OpsRamp is a Java service: its integers are 32-bit.
INT_MIN, INT_MAX = -(2**31), 2**31 - 1
# The weekDays separator: a comma, optionally followed by spaces ("Sunday, Tuesday").
_WEEKDAY_SEPARATOR = re.compile(r", *")


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
        """A boolean, or the strings "true"/"false" the examples send; None (and an error)."""
        if isinstance(value, bool):
            return value
        if value in ("true", "false"):
            return bool(value == "true")
        self.add(field_name, f"Invalid boolean value : {_short(value)}; use true or false")
        return None

    def integer(self, value: Any, field_name: str) -> int | None:
        """A 32-bit integer, or a string of ASCII digits; None (and an error) otherwise."""
        number: int | None = None
        if isinstance(value, int) and not isinstance(value, bool):
            number = value
        elif isinstance(value, str) and _INT.fullmatch(value):
            number = int(value)  # examples send integers as strings ("2")
        if number is None or not INT_MIN <= number <= INT_MAX:
            self.add(field_name, f"Invalid integer value : {_short(value)}")
            return None
        return number

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


def _short(value: Any) -> str:
    """A value for an error message, cut short (a 4,000-digit number is not worth echoing)."""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def normalise_start_date(value: Any) -> str | None:
    """Render a start date as yyyy-MM-ddTHH:mm:00+0000 in UTC; None when unparseable."""
    if not isinstance(value, str):
        return None
    match = _START_DATE.fullmatch(value)
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
        local = datetime.fromisoformat(f"{match['date']}T{match['h']}:{match['m']}:{match['s']}")
        # Year 1 or 9999 with an offset can leave datetime's range: a 400, not a crash.
        utc = local.replace(tzinfo=timezone(offset)).astimezone(UTC)
    except (ValueError, OverflowError):
        return None
    # Formatted by hand: strftime's %Y drops leading zeros for years before 1000 on glibc.
    return f"{utc.year:04d}-{utc.month:02d}-{utc.day:02d}T{utc.hour:02d}:{utc.minute:02d}:00+0000"


def _exact_choice(value: Any, choices: tuple[str, ...]) -> str | None:
    """The value when it is exactly one of the spec's enum values (case matters), else None."""
    return value if isinstance(value, str) and value in choices else None


def _expect_one_of(choices: tuple[str, ...]) -> str:
    """The tail of an enum error message."""
    return "; expected one of " + ", ".join(repr(c) for c in choices)


def _split_list(value: Any) -> list[str] | None:
    """Items of a comma separated string (or a lone integer); None when malformed."""
    if isinstance(value, int) and not isinstance(value, bool):
        return [str(value)]
    if not isinstance(value, str):
        return None
    items = _WEEKDAY_SEPARATOR.split(value)
    if any(not item for item in items):
        return None
    return items


def _normalise_pattern(
    raw: Any, errors: _Collector, quirks: frozenset[str]
) -> dict[str, Any] | None:
    """Validate and normalise schedule.pattern; enum values must match the spec exactly."""
    prefix = "schedule.pattern."
    pattern = errors.mapping(raw, "schedule.pattern")
    if pattern is None:
        return None
    kind = _exact_choice(pattern.get("type"), PATTERN_TYPES)
    if kind is None:
        errors.add(
            prefix + "type",
            f"Invalid pattern type : {_short(pattern.get('type'))}{_expect_one_of(PATTERN_TYPES)}",
        )
        return None
    out: dict[str, Any] = {"type": kind}
    if kind == "daily":
        errors.unknown_keys(pattern, {"type", "frequency", "repeatType", "repeatFrequency"}, prefix)
        freq = _exact_choice(pattern.get("frequency"), DAILY_FREQUENCIES)
        if freq is None:
            errors.add(
                prefix + "frequency",
                f"Invalid frequency : {_short(pattern.get('frequency'))}"
                + _expect_one_of(DAILY_FREQUENCIES),
            )
            return out
        out["frequency"] = freq
        if freq == "recurrence":
            # The enum says "days"; every example sends "Days" (contradiction 12): both accepted,
            # echoed "days" as the example responses show.
            repeat_type = pattern.get("repeatType")
            if repeat_type not in ("days", "Days"):
                errors.add(
                    prefix + "repeatType", f"Invalid repeatType : {_short(repeat_type)}; use days"
                )
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
        raw_days = pattern.get("weekDays")
        items = _split_list(raw_days) if isinstance(raw_days, str) else None
        days = [_exact_choice(item, WEEKDAYS) for item in items or []]
        if not items or any(day is None for day in days):
            errors.add(
                prefix + "weekDays",
                f"Invalid weekDays : {_short(raw_days)}; expected day names such as "
                "'Sunday, Thursday' (capitalised, comma separated)",
            )
        elif "weekdays-single" in quirks and len(days) > 1:
            # Quirk weekdays-single: the schema's weekDays is one enum value, not a list.
            errors.add(prefix + "weekDays", f"weekDays takes one day only : {_short(raw_days)}")
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
            raw_month_days = pattern["dayOfMonth"]
            items = _split_list(raw_month_days)
            # ASCII digits only: "²".isdigit() is True in Python but is no day of the month.
            if not items or not all(_DIGITS.fullmatch(i) and 1 <= int(i) <= 31 for i in items):
                errors.add(
                    prefix + "dayOfMonth",
                    f"Invalid dayOfMonth : {_short(raw_month_days)}; use days 1-31 such as '1, 15'",
                )
            elif len({int(i) for i in items}) != len(items):
                errors.add(prefix + "dayOfMonth", "dayOfMonth repeats a day")
            else:
                out["dayOfMonth"] = ", ".join(str(int(i)) for i in items)
        elif by_week:
            index_raw = pattern.get("weekIndex")
            index = _exact_choice(index_raw, WEEK_INDEXES)
            if index is None:
                errors.add(
                    prefix + "weekIndex",
                    f"Invalid weekIndex : {_short(index_raw)}{_expect_one_of(WEEK_INDEXES)}",
                )
            else:
                out["weekIndex"] = index
            # The doc example names the weekday dayOfWeek, the schema dayOfIndex: both accepted.
            names: dict[str, Any] = {
                k: pattern[k] for k in ("dayOfWeek", "dayOfIndex") if k in pattern
            }
            weekdays = {k: _exact_choice(v, WEEKDAYS) for k, v in names.items()}
            if not weekdays:
                errors.add(prefix + "dayOfWeek", "dayOfWeek is required with weekIndex")
            elif any(day is None for day in weekdays.values()):
                bad = next(k for k, day in weekdays.items() if day is None)
                errors.add(
                    prefix + bad, f"Invalid {bad} : {_short(names[bad])}{_expect_one_of(WEEKDAYS)}"
                )
            elif len(set(weekdays.values())) > 1:
                errors.add(prefix + "dayOfWeek", "dayOfWeek and dayOfIndex disagree")
            else:
                out["dayOfWeek"] = next(iter(weekdays.values()))
        else:
            errors.add(prefix + "dayOfMonth", "Monthly pattern needs dayOfMonth or weekIndex")
    else:
        errors.unknown_keys(pattern, {"type"}, prefix)
    return out


def _normalise_schedule(
    raw: Any, errors: _Collector, quirks: frozenset[str]
) -> dict[str, Any] | None:
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
                "Invalid startDate, expected yyyy-MM-ddTHH:mm:ss+0000 (a real date and time, "
                f"with seconds and a UTC offset) : {_short(schedule['startDate'])}",
            )
        else:
            out["startDate"] = start
    if "pattern" not in schedule:
        errors.add("schedule.pattern", "pattern is required")
    else:
        pattern = _normalise_pattern(schedule["pattern"], errors, quirks)
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
) -> tuple[dict[str, Any], str, dict[str, str] | None]:
    """Validate a custom-script block; returns it enriched, the script name, its credential set."""
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
    credential_set = None
    if "credentialSet" in script:
        credential_set = _check_credential_set(
            script["credentialSet"], "script.credentialSet", errors
        )
    return out, script_name, credential_set


def _check_credential_set(raw: Any, field_name: str, errors: _Collector) -> dict[str, str] | None:
    """A credential set must be {"uniqueId": "..."}; kept, echoed only by a quirk mode."""
    cred = errors.mapping(raw, field_name)
    if cred is None:
        return None
    errors.unknown_keys(cred, {"uniqueId"}, field_name + ".")
    unique_id = cred.get("uniqueId")
    if not isinstance(unique_id, str) or not unique_id:
        errors.add(field_name + ".uniqueId", "uniqueId is required")
        return None
    return {"uniqueId": unique_id}


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
                    saved = _exact_choice(params["versionsSaved"], VERSIONS_SAVED)
                    if saved is None:
                        errors.add(
                            "script.configParams.versionsSaved",
                            f"Invalid versionsSaved : {_short(params['versionsSaved'])}"
                            + _expect_one_of(VERSIONS_SAVED),
                        )
                    else:
                        config["versionsSaved"] = saved
                for flag in CONFIG_PARAM_FLAGS:
                    if flag in params:
                        config[flag] = errors.boolean(params[flag], f"script.configParams.{flag}")
                # The schema says runConfigAlert, the examples runtimeConfigAlert (contradiction
                # 5): both accepted, stored and echoed as the examples' runtimeConfigAlert.
                if "runConfigAlert" in config:
                    schema_value = config.pop("runConfigAlert")
                    if config.setdefault("runtimeConfigAlert", schema_value) != schema_value:
                        errors.add(
                            "script.configParams.runConfigAlert",
                            "runConfigAlert and runtimeConfigAlert disagree; give one of them",
                        )
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


def normalise_job(
    body: Any, tenant: Tenant, job_id: str | None = None, quirks: frozenset[str] = frozenset()
) -> dict[str, Any]:
    """Validate a create/update body and return the job as the server stores it."""
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
    # The schema types name as a string: null is not a name (leave the key out for the default).
    if "name" in body and (not isinstance(name, str) or not name.strip()):
        errors.add("name", "name must be a non-empty string; omit it for the default name")
    entities = _normalise_entities(body["entities"], tenant, errors) if "entities" in body else None
    schedule = _normalise_schedule(body["schedule"], errors, quirks) if "schedule" in body else None
    queued = errors.boolean(body["jobQueued"], "jobQueued") if "jobQueued" in body else False
    credential_set = None
    if "credentialSet" in body:
        credential_set = _check_credential_set(body["credentialSet"], "credentialSet", errors)

    script_out: dict[str, Any] = {}
    default_name = "Job"
    script = errors.mapping(body.get("script"), "script")
    if script is not None:
        job_type = script.get("jobType")
        if job_type is None and "customScript" in script:
            job_type = "custom"  # GET omits jobType for custom jobs; accept that echoed back
        if "job-types-schema-enum" in quirks and job_type not in SCHEMA_JOB_TYPES:
            # Quirk job-types-schema-enum: only the schema's four script.jobType values.
            errors.add(
                "script.jobType",
                f"Invalid jobType : {_short(job_type)}{_expect_one_of(SCHEMA_JOB_TYPES)}",
            )
        elif job_type == "custom":
            script_out, script_name, script_credential_set = _normalise_custom_script(
                script, errors
            )
            credential_set = credential_set or script_credential_set
            default_name = f"Job - {script_name}"
        elif isinstance(job_type, str) and job_type in JOB_TYPES:
            script_out = _normalise_typed_script(script, job_type, errors)
            default_name = f"Job - {JOB_TYPES[job_type]}"
        else:
            errors.add("script.jobType", f"Invalid jobType : {_short(job_type)}")

    if errors.errors:
        raise JobValidationError(errors.errors)
    job["name"] = name if isinstance(name, str) else default_name
    if entities is not None:
        job["entities"] = entities
    if schedule is not None:
        job["schedule"] = schedule
    job["jobQueued"] = queued
    job["script"] = script_out
    if credential_set is not None:
        job[HIDDEN_CREDENTIAL_SET] = credential_set
    return job
