"""Quirk modes: answer the other side of one contradiction in OpsRamp's own documents.

By default the emulator answers the way the project assumes; each mode flips one documented
contradiction so a client can be tested against both readings. Output quirks are applied when a
job is rendered for a response (the store keeps one canonical form); input quirks are checked by
the validator.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

# name -> one-line description of the side the mode answers.
QUIRKS: dict[str, str] = {
    "ids-as-strings": 'customScript.id and each paramId echoed as strings ("7"), as in the schema',
    "paging-in-results": "search paging fields inside each results[] item (schema), not beside it",
    "day-of-index": "monthly weekday echoed as dayOfIndex (schema) instead of dayOfWeek",
    "run-config-alert": "configParams.runConfigAlert echoed (schema) instead of runtimeConfigAlert",
    "credential-set-top-level": "credentialSet echoed at the job's top level (spec)",
    "string-values": 'booleans and integers of a job echoed as strings ("true", "2")',
    "repeat-type-capitalised": 'repeatType echoed as "Days" (examples) instead of "days"',
    "rfc3339-dates": "startDate echoed as RFC 3339 with a colon offset (+00:00)",
    "legacy-token-path": "only /auth/oauth/token answers; /tenancy/auth/oauth/token is 404",
    "expires-in-integer": "token expires_in as an integer instead of a string",
    "weekdays-single": "weekDays takes one day only (schema enum): a comma list is a 400",
    "job-types-schema-enum": (
        "create accepts only the schema's 4 jobTypes (adCheckList, networkconfigbackup, "
        "appinstall, custom); /jobs/types still lists the catalogue"
    ),
}

# The job types the schema's script.jobType enum lists (the catalogue has 14 more).
SCHEMA_JOB_TYPES = ("adCheckList", "networkconfigbackup", "appinstall", "custom")

# Paging fields of a search answer; the schema puts them inside each results[] item.
PAGING_FIELDS = (
    "totalResults",
    "orderBy",
    "pageNo",
    "pageSize",
    "totalPages",
    "nextPage",
    "previousPageNo",
    "descendingOrder",
)

# Where the stored job keeps its credential set; never echoed unless credential-set-top-level.
HIDDEN_CREDENTIAL_SET = "_credentialSet"


class UnknownQuirkError(ValueError):
    """A quirk name the emulator does not know."""

    def __init__(self, unknown: list[str]) -> None:
        super().__init__(
            f"unknown quirk(s): {', '.join(unknown)}; valid names: {', '.join(QUIRKS)}"
        )
        self.unknown = unknown


def parse_quirks(names: Iterable[Any]) -> frozenset[str]:
    """The set of valid quirk names, or UnknownQuirkError naming the bad ones."""
    chosen = [n.strip() if isinstance(n, str) else n for n in names]
    unknown = [repr(n) if not isinstance(n, str) else n for n in chosen if n not in QUIRKS]
    if unknown:
        raise UnknownQuirkError(unknown)
    return frozenset(str(n) for n in chosen)


def parse_quirk_list(text: str) -> frozenset[str]:
    """Quirk names from a comma separated command-line value (empty items ignored)."""
    return parse_quirks(item for item in text.split(",") if item.strip())


def _stringify(value: Any) -> Any:
    """Every boolean and integer inside value as a string, recursively."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dict):
        return {k: _stringify(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_stringify(v) for v in value]
    return value


def render_job(job: dict[str, Any], quirks: frozenset[str]) -> dict[str, Any]:
    """The job as OpsRamp answers it under the active quirks (the stored form is untouched)."""
    out = {k: v for k, v in job.items() if k != HIDDEN_CREDENTIAL_SET}
    credential_set = job.get(HIDDEN_CREDENTIAL_SET)
    if not quirks:
        return out
    script = dict(out.get("script", {}))
    schedule = out.get("schedule")
    if schedule is not None:
        schedule = dict(schedule)
        pattern = dict(schedule.get("pattern", {}))
        if "day-of-index" in quirks and "dayOfWeek" in pattern:
            pattern = {("dayOfIndex" if k == "dayOfWeek" else k): v for k, v in pattern.items()}
        if "repeat-type-capitalised" in quirks and "repeatType" in pattern:
            pattern["repeatType"] = "Days"
        if "rfc3339-dates" in quirks and "startDate" in schedule:
            start = str(schedule["startDate"])
            schedule["startDate"] = start[:-2] + ":" + start[-2:]  # +0000 -> +00:00
        if "pattern" in schedule:
            schedule["pattern"] = pattern
        out["schedule"] = schedule
    if "ids-as-strings" in quirks:
        if "customScript" in script:
            script["customScript"] = {
                **script["customScript"],
                "id": str(script["customScript"]["id"]),
            }
        if "parameters" in script:
            script["parameters"] = [
                {**p, "paramId": str(p["paramId"])} for p in script["parameters"]
            ]
    if "run-config-alert" in quirks and "runtimeConfigAlert" in script.get("configParams", {}):
        script["configParams"] = {
            ("runConfigAlert" if k == "runtimeConfigAlert" else k): v
            for k, v in script["configParams"].items()
        }
    if "script" in out:
        out["script"] = script
    if "credential-set-top-level" in quirks and credential_set is not None:
        out["credentialSet"] = credential_set
    if "string-values" in quirks:
        out = _stringify(out)
    return out


def render_search(
    envelope: dict[str, Any], results: list[dict[str, Any]], quirks: frozenset[str]
) -> dict[str, Any]:
    """A search answer: paging fields beside results, or inside each item (paging-in-results)."""
    if "paging-in-results" in quirks:
        paging = {k: envelope[k] for k in PAGING_FIELDS}
        return {"results": [{**item, **paging} for item in results]}
    return {"results": results, **envelope}


__all__ = [
    "HIDDEN_CREDENTIAL_SET",
    "QUIRKS",
    "SCHEMA_JOB_TYPES",
    "UnknownQuirkError",
    "parse_quirk_list",
    "parse_quirks",
    "render_job",
    "render_search",
]
