"""Hypothesis strategies for valid OpsRamp job bodies, in the loose forms users and servers send."""

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from hypothesis import strategies as st

from opsramp_jobs.model import JOB_TYPES, WEEK_INDEXES, WEEKDAYS

SIMPLE_TYPES = [
    t for t in JOB_TYPES if t not in {"networkconfigbackup", "appinstall", "appupdate", "custom"}
]


def loose_bool(value: bool) -> st.SearchStrategy[Any]:
    return st.sampled_from([value, str(value).lower(), str(value)])


def loose_int(value: int) -> st.SearchStrategy[Any]:
    return st.sampled_from([value, str(value)])


def day_set(values: list[Any] | list[str] | list[int]) -> st.SearchStrategy[Any]:
    return st.sampled_from([values, ", ".join(str(v) for v in values)])


@st.composite
def start_dates(draw: st.DrawFn) -> str:
    moment = draw(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2090, 1, 1)))
    offset = draw(st.integers(min_value=-12 * 60, max_value=14 * 60))
    aware = moment.replace(tzinfo=timezone(timedelta(minutes=offset)))
    style = draw(st.sampled_from(["+0000", "+00:00", "Z", "local"]))
    if style == "local":
        return aware.isoformat()
    text = aware.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")
    return text + style


@st.composite
def patterns(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(
        st.sampled_from(
            [
                "everyday",
                "weekday",
                "recurrence",
                "weekly",
                "monthly-days",
                "monthly-index",
                "run once",
                "never",
            ]
        )
    )
    if kind == "everyday":
        return {"type": "daily", "frequency": "everyday"}
    if kind == "weekday":
        return {"type": "daily", "frequency": "every weekday"}
    if kind == "recurrence":
        return {
            "type": "daily",
            "frequency": "recurrence",
            "repeatType": draw(st.sampled_from(["days", "Days"])),
            "repeatFrequency": draw(st.integers(1, 400).flatmap(loose_int)),
        }
    if kind == "weekly":
        days = draw(st.lists(st.sampled_from(WEEKDAYS), min_size=1, max_size=9))
        return {"type": "weekly", "weekDays": draw(day_set(days))}
    if kind == "monthly-days":
        numbers = draw(st.lists(st.integers(1, 31), min_size=1, max_size=10))
        return {"type": "monthly", "dayOfMonth": draw(day_set(numbers))}
    if kind == "monthly-index":
        weekday_key = draw(st.sampled_from(["dayOfWeek", "dayOfIndex"]))
        return {
            "type": "monthly",
            "weekIndex": draw(st.sampled_from(WEEK_INDEXES)),
            weekday_key: draw(st.sampled_from(WEEKDAYS)),
        }
    return {"type": kind}


@st.composite
def scripts(draw: st.DrawFn) -> dict[str, Any]:
    job_type = draw(st.sampled_from(JOB_TYPES))
    if job_type == "networkconfigbackup":
        params: dict[str, Any] = {}
        for key in [
            "backUpTrigger",
            "startupConfigAlert",
            "runtimeConfigAlert",
            "startUpConfigFilesBackUp",
            "runTimeConfigFilesBackUp",
        ]:
            if draw(st.booleans()):
                params[key] = draw(st.booleans().flatmap(loose_bool))
        if draw(st.booleans()):
            params["versionsSaved"] = draw(
                st.sampled_from(["ALL_VERSIONS", "VERSION_WITH_CHANGES"])
            )
        return {"jobType": job_type, "configParams": params}
    if job_type in ("appinstall", "appupdate"):
        return {
            "jobType": job_type,
            "approvalType": {
                "approvalType": draw(st.integers(0, 1).flatmap(loose_int)),
                "approvalReason": draw(st.text(max_size=20)),
                "alertRequired": draw(st.booleans().flatmap(loose_bool)),
            },
        }
    if job_type == "custom":
        ids = draw(st.lists(st.integers(1, 10_000), unique=True, max_size=5))
        script: dict[str, Any] = {
            "customScript": {"id": draw(st.integers(1, 10_000).flatmap(loose_int))},
            "parameters": [
                {"paramId": draw(loose_int(i)), "value": draw(st.text(max_size=30))} for i in ids
            ],
            "userType": draw(st.integers(1, 2).flatmap(loose_int)),
        }
        if draw(st.booleans()):
            script["jobType"] = "custom"  # responses omit it
        if draw(st.booleans()):
            script["credentialSet"] = {"uniqueId": draw(st.uuids()).hex}
        return script
    return {"jobType": job_type}


@st.composite
def job_bodies(draw: st.DrawFn) -> dict[str, Any]:
    body: dict[str, Any] = {
        "script": draw(scripts()),
        "schedule": {"startDate": draw(start_dates()), "pattern": draw(patterns())},
        "entities": [
            {"resource": {"id": str(u), "type": "DEVICE"}}
            for u in draw(st.lists(st.uuids(), max_size=4))
        ],
    }
    if draw(st.booleans()):
        # A valid name: no control characters, no spaces around it (both refused).
        printable = st.characters(blacklist_categories=("Cc", "Cs"))
        body["name"] = draw(
            st.text(printable, min_size=1, max_size=40).filter(lambda s: s.strip() == s != "")
        )
    if draw(st.booleans()):
        body["jobQueued"] = draw(st.booleans().flatmap(loose_bool))
    if draw(st.booleans()):
        body["tenantId"] = draw(
            st.sampled_from(["client_13", "msp_12", "c0ffee00-0000-4000-8000-000000000001"])
        )
    return body
