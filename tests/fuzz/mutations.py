"""Hypothesis strategies that turn a valid job body into an invalid one, in named ways.

Each mutation starts from a body of ``tests.model.strategies.job_bodies`` and breaks it one way:
wrong types, bad enum values, out-of-range days, removed required fields, conflicting fields,
junk keys, malformed start dates, values that would overflow date arithmetic or a Pulumi number,
numbers where text belongs, bare strings where objects belong. A mutation may by chance leave
the body valid (e.g. a junk key that happens to be a real one); the caller keeps only bodies the
model rejects.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from hypothesis import strategies as st

from tests.model.strategies import job_bodies

Path = tuple[str | int, ...]
Mutation = Callable[[st.DrawFn, dict[str, Any]], dict[str, Any]]

# Values of every JSON type (and a few loose ones); finite floats only (JSON has no NaN).
ANY_VALUE: st.SearchStrategy[Any] = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
    st.lists(st.integers(-5, 40), max_size=3),
    st.dictionaries(st.text(max_size=6), st.integers(), max_size=2),
)
JUNK_TEXT = st.text(min_size=1, max_size=15)


def _paths(value: Any, prefix: Path = ()) -> list[Path]:
    """Every property path inside ``value`` (dict keys and list indexes), depth first."""
    found: list[Path] = []
    if isinstance(value, dict):
        for key, item in value.items():
            found.append((*prefix, key))
            found += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found.append((*prefix, index))
            found += _paths(item, (*prefix, index))
    return found


def _dict_paths(value: Any, prefix: Path = ()) -> list[Path]:
    """Paths of every object (dict) inside ``value``, the root included."""
    found: list[Path] = [prefix] if isinstance(value, dict) else []
    if isinstance(value, dict):
        for key, item in value.items():
            found += _dict_paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _dict_paths(item, (*prefix, index))
    return found


def _get(body: Any, path: Path) -> Any:
    for step in path:
        body = body[step]
    return body


def _set(body: Any, path: Path, value: Any) -> None:
    _get(body, path[:-1])[path[-1]] = value


def _wrong_type(draw: st.DrawFn, body: dict[str, Any]) -> dict[str, Any]:
    """Replace any property with a value of (probably) another JSON type."""
    path = draw(st.sampled_from(_paths(body)))
    _set(body, path, draw(ANY_VALUE))
    return body


ENUM_PATHS: tuple[Path, ...] = (
    ("script", "jobType"),
    ("schedule", "pattern", "type"),
    ("schedule", "pattern", "frequency"),
    ("schedule", "pattern", "repeatType"),
    ("schedule", "pattern", "weekIndex"),
    ("schedule", "pattern", "dayOfWeek"),
    ("schedule", "pattern", "dayOfIndex"),
    ("script", "configParams", "versionsSaved"),
    ("script", "approvalType", "approvalType"),
    ("script", "userType"),
    ("entities", 0, "resource", "type"),
)


def _bad_enum(draw: st.DrawFn, body: dict[str, Any]) -> dict[str, Any]:
    """Put a junk word where a fixed set of values is expected (only where the key exists)."""
    present = [p for p in ENUM_PATHS if _has(body, p)] or [("script", "jobType")]
    path = draw(st.sampled_from(present))
    _set(body, path, draw(st.sampled_from(["", "Dialy", "weekly2", "FIFTH", "x", "7", "DEVICES"])))
    return body


def _has(body: Any, path: Path) -> bool:
    try:
        _get(body, path)
    except (KeyError, IndexError, TypeError):
        return False
    return True


def _out_of_range(draw: st.DrawFn, body: dict[str, Any]) -> dict[str, Any]:
    """Days of the month outside 1-31, a repeat frequency below 1, a weekday that is not one."""
    pattern = body["schedule"]["pattern"]
    choice = draw(st.sampled_from(["dayOfMonth", "repeatFrequency", "weekDays"]))
    if choice == "dayOfMonth":
        bad = draw(st.sampled_from([0, 32, -1, 99, 31.5]))
        body["schedule"]["pattern"] = {
            "type": "monthly",
            "dayOfMonth": draw(st.sampled_from([[1, bad], f"1, {bad}", bad])),
        }
    elif choice == "repeatFrequency":
        body["schedule"]["pattern"] = {
            "type": "daily",
            "frequency": "recurrence",
            "repeatType": "days",
            "repeatFrequency": draw(st.sampled_from([0, -1, "0", "-3", 2.5])),
        }
    else:
        pattern.clear()
        pattern.update(
            type="weekly", weekDays=draw(st.sampled_from(["Funday", "Monday, Someday", "", []]))
        )
    return body


REQUIRED_PATHS: tuple[Path, ...] = (
    ("script",),
    ("schedule",),
    ("schedule", "pattern"),
    ("schedule", "startDate"),
    ("schedule", "pattern", "type"),
    ("entities", 0, "resource"),
    ("entities", 0, "resource", "id"),
    ("script", "customScript"),
    ("script", "customScript", "id"),
    ("script", "parameters", 0, "paramId"),
    ("schedule", "pattern", "weekDays"),
    ("schedule", "pattern", "dayOfMonth"),
    ("schedule", "pattern", "weekIndex"),
    ("schedule", "pattern", "repeatFrequency"),
)


def _remove_required(draw: st.DrawFn, body: dict[str, Any]) -> dict[str, Any]:
    """Delete a property the job cannot do without (only where it exists)."""
    present = [p for p in REQUIRED_PATHS if _has(body, p)]
    path = draw(st.sampled_from(present))
    del _get(body, path[:-1])[path[-1]]
    return body


CONFLICTS: tuple[tuple[Path, Any], ...] = (
    (("schedule", "pattern", "weekIndex"), "First"),  # with dayOfMonth, or on a daily pattern
    (("schedule", "pattern", "dayOfMonth"), "1, 15"),
    (("schedule", "pattern", "weekDays"), "Monday"),
    (("schedule", "pattern", "repeatFrequency"), 3),
    (("schedule", "pattern", "frequency"), "everyday"),
    (("script", "configParams"), {"backUpTrigger": True}),
    (("script", "approvalType"), {"approvalType": 1}),
    (("script", "customScript"), {"id": "7"}),
    (("script", "parameters"), [{"paramId": "2", "value": "x"}]),
)


def _conflict(draw: st.DrawFn, body: dict[str, Any]) -> dict[str, Any]:
    """Add a property that belongs to another pattern or job type."""
    path, value = draw(st.sampled_from(CONFLICTS))
    _set(body, path, value)
    return body


def _junk_key(draw: st.DrawFn, body: dict[str, Any]) -> dict[str, Any]:
    """Add an unknown property to an object inside the job (typos like `jobtype`, `weekdays`).

    Not at the top level: there the properties are the resource's own fixed set (OpsRampJob
    takes keyword arguments), and the provider ignores any others by design.
    """
    path = draw(st.sampled_from(_dict_paths(body)[1:]))
    key = draw(st.sampled_from(["jobtype", "weekdays", "startdate", "frequncy", "x"]) | JUNK_TEXT)
    _get(body, path)[key] = draw(ANY_VALUE)
    return body


def _bad_start_date(draw: st.DrawFn, body: dict[str, Any]) -> dict[str, Any]:
    """A start date that is not a date, lacks its offset, or names an impossible day."""
    body["schedule"]["startDate"] = draw(
        st.sampled_from(
            [
                "yesterday",
                "2026-13-01T00:00:00+0000",
                "2026-02-30T10:00:00+0000",
                "2026-01-05T02:30:00",
                "2026-01-05",
                "",
                "2026-01-05T25:00:00+0000",
            ]
        )
    )
    return body


EDGE_START_DATES = (
    "9999-12-31T23:00:00-0500",  # year 10000 in UTC
    "0001-01-01T00:30:00+0100",  # year 0 in UTC
    "0001-01-01T00:00:00+0000",
    "1969-12-31T23:59:00+0000",
    "9999-12-31T23:59:59-23:59",
)
HUGE = (3651, 1_000_000, 2**53 + 2, 2**63, 10**40, 1e300)


def _extreme(draw: st.DrawFn, body: dict[str, Any]) -> dict[str, Any]:
    """A value that would overflow date arithmetic or a Pulumi number: start dates at the ends of
    the calendar, every million days, ids beyond 2**53, days of the month in the trillions."""
    choice = draw(
        st.sampled_from(["startDate", "repeat", "dayOfMonth", "weekIndex", "scriptId", "paramId"])
    )
    schedule = body["schedule"]
    if choice == "startDate":
        schedule["startDate"] = draw(st.sampled_from(EDGE_START_DATES))
    elif choice == "repeat":
        schedule["pattern"] = {
            "type": "daily",
            "frequency": "recurrence",
            "repeatFrequency": draw(st.sampled_from(HUGE)),
        }
    elif choice == "dayOfMonth":
        schedule["pattern"] = {"type": "monthly", "dayOfMonth": draw(st.sampled_from(HUGE[1:]))}
    elif choice == "weekIndex":
        schedule["pattern"] = {"type": "monthly", "weekIndex": 10**30, "dayOfWeek": 1e300}
    else:
        script: dict[str, Any] = {"jobType": "custom", "customScript": {"id": 7}, "parameters": []}
        if choice == "scriptId":
            script["customScript"]["id"] = draw(st.sampled_from(HUGE[2:]))
        else:
            script["parameters"] = [{"paramId": draw(st.sampled_from(HUGE[2:])), "value": "x"}]
        body["script"] = script
    return body


TEXT_PATHS: tuple[Path, ...] = (
    ("name",),
    ("tenantId",),
    ("script", "jobType"),
    ("script", "approvalType", "approvalReason"),
    ("script", "credentialSet", "uniqueId"),
    ("entities", 0, "resource", "id"),
    ("schedule", "startDate"),
    ("schedule", "pattern", "type"),
    ("schedule", "pattern", "weekIndex"),
)


def _number_for_text(draw: st.DrawFn, body: dict[str, Any]) -> dict[str, Any]:
    """A number where OpsRamp expects text (`name=42` must not become a job named "42.0")."""
    present = [p for p in TEXT_PATHS if _has(body, p)]
    _set(body, draw(st.sampled_from(present)), draw(st.sampled_from([42, 42.0, 1.5, -7])))
    return body


def _bare_string(draw: st.DrawFn, body: dict[str, Any]) -> dict[str, Any]:
    """A bare string where an object belongs: `script="adCheckList"`, `pattern="daily"`."""
    words = ["adCheckList", "custom", "daily", "weekly", "monthly", "run once", "x", ""]
    where = draw(st.sampled_from(["script", "pattern", "schedule", "customScript"]))
    if where == "script":
        body["script"] = draw(st.sampled_from(words))
    elif where == "pattern":
        body["schedule"]["pattern"] = draw(st.sampled_from(words))
    elif where == "schedule":
        body["schedule"] = draw(st.sampled_from(words))
    else:
        body["script"] = {"jobType": "custom", "customScript": draw(st.sampled_from(["7", 7]))}
    return body


BOOLEAN_PATHS: tuple[Path, ...] = (
    ("jobQueued",),
    ("script", "configParams", "backUpTrigger"),
    ("script", "configParams", "startUpConfigFilesBackUp"),
    ("script", "approvalType", "alertRequired"),
)


def _loose_bool(draw: st.DrawFn, body: dict[str, Any]) -> dict[str, Any]:
    """A near-boolean where a boolean belongs: `1`, `"yes"`, `0.0` (only true/false are)."""
    present = [p for p in BOOLEAN_PATHS if _has(body, p)]
    path = draw(st.sampled_from(present)) if present else ("jobQueued",)
    _set(body, path, draw(st.sampled_from([1, 0, 1.0, "yes", "no", "on", "1", "", None])))
    return body


def _unsafe_text(draw: st.DrawFn, body: dict[str, Any]) -> dict[str, Any]:
    """A name with a control character, spaces around it or 256+ characters; a tenant id that
    would change the request URL (a space, `/`, `?`, `#`, `%`, `..`)."""
    if draw(st.booleans()):
        name = str(body["name"])
        body["name"] = draw(
            st.sampled_from(
                [f"{name}\n", f"a\x00{name}", f"\t{name}", f" {name}", f"{name} ", "x" * 256]
            )
        )
    else:
        body["tenantId"] = draw(
            st.sampled_from(["client 13", "client_13/../client_93", "c?x", "c#", "c%2F", ".."])
        )
    return body


MUTATIONS: dict[str, Mutation] = {
    "loose_bool": _loose_bool,
    "unsafe_text": _unsafe_text,
    "wrong_type": _wrong_type,
    "bad_enum": _bad_enum,
    "out_of_range": _out_of_range,
    "remove_required": _remove_required,
    "conflict": _conflict,
    "junk_key": _junk_key,
    "bad_start_date": _bad_start_date,
    "extreme": _extreme,
    "number_for_text": _number_for_text,
    "bare_string": _bare_string,
}


@st.composite
def mutated_bodies(draw: st.DrawFn, kind: str) -> dict[str, Any]:
    """A valid body (with a name and a tenant), then broken by the mutation ``kind``."""
    body = copy.deepcopy(draw(job_bodies()))
    body.setdefault("name", "fuzzed job")
    body.setdefault("tenantId", "client_13")
    return MUTATIONS[kind](draw, body)
