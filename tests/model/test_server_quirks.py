"""Both sides of each documented contradiction read back the same (docs: emulator quirk modes).

OpsRamp's documents disagree with themselves; the emulator can answer either way. Whichever side
a server echoes, reading it (``from_server=True``) must give the same canonical job, so a refresh
shows no drift just because a server spells a field the other way.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from opsramp_jobs.model import parse_job

ECHO: dict[str, Any] = {
    "id": "4902d87c-b5df-4797-9f45-e807cd871ac9",
    "name": "Nightly cleanup",
    "jobQueued": True,
    "entities": [
        {
            "resource": {
                "id": "709824de-8315-4cf9-ad1c-b15aaf7bf2a5",
                "type": "DEVICE",
                "generalInfo": {"hostName": "web-1", "ipAddresses": "10.0.0.1"},
                "clientUniqueId": "client_13",
            }
        }
    ],
    "script": {
        "customScript": {"id": 7, "name": "cleanup"},
        "parameters": [{"paramId": 2, "value": "150", "name": "days"}],
        "userType": 2,
        "credentialSet": {"uniqueId": "cred-1"},
    },
    "schedule": {
        "startDate": "2026-12-01T02:30:00+0000",
        "pattern": {"type": "monthly", "weekIndex": "Second", "dayOfWeek": "Sunday"},
    },
}
NETWORK_ECHO: dict[str, Any] = {
    **ECHO,
    "script": {
        "jobType": "networkconfigbackup",
        "configParams": {
            "versionsSaved": "VERSION_WITH_CHANGES",
            "backUpTrigger": True,
            "startupConfigAlert": False,
            "runtimeConfigAlert": True,
            "startUpConfigFilesBackUp": True,
            "runTimeConfigFilesBackUp": False,
        },
    },
    "schedule": {
        "startDate": "2026-12-01T02:30:00+0000",
        "pattern": {
            "type": "daily",
            "frequency": "recurrence",
            "repeatType": "days",
            "repeatFrequency": 3,
        },
    },
}
APP_ECHO: dict[str, Any] = {
    **ECHO,
    "script": {
        "jobType": "appinstall",
        "approvalType": {"approvalType": 1, "approvalReason": "r", "alertRequired": True},
    },
}


def ids_as_strings(body: dict[str, Any]) -> None:
    script = body["script"]
    script["customScript"]["id"] = str(script["customScript"]["id"])
    for parameter in script["parameters"]:
        parameter["paramId"] = str(parameter["paramId"])


def day_of_index(body: dict[str, Any]) -> None:
    pattern = body["schedule"]["pattern"]
    pattern["dayOfIndex"] = pattern.pop("dayOfWeek")


def run_config_alert(body: dict[str, Any]) -> None:
    params = body["script"]["configParams"]
    params["runConfigAlert"] = params.pop("runtimeConfigAlert")


def credential_set_top_level(body: dict[str, Any]) -> None:
    body["credentialSet"] = body["script"].pop("credentialSet")


def string_values(body: dict[str, Any]) -> None:
    def walk(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: walk(v) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v) for v in value]
        if isinstance(value, bool):
            return str(value).lower()
        if isinstance(value, int):
            return str(value)
        return value

    body.update(walk(body))


def repeat_type_capitalised(body: dict[str, Any]) -> None:
    body["schedule"]["pattern"]["repeatType"] = "Days"


def rfc3339_dates(body: dict[str, Any]) -> None:
    body["schedule"]["startDate"] = "2026-12-01T02:30:00+00:00"


QUIRKS: list[tuple[str, dict[str, Any], Callable[[dict[str, Any]], None]]] = [
    ("ids-as-strings", ECHO, ids_as_strings),
    ("day-of-index", ECHO, day_of_index),
    ("run-config-alert", NETWORK_ECHO, run_config_alert),
    ("credential-set-top-level", ECHO, credential_set_top_level),
    ("string-values", ECHO, string_values),
    ("string-values", NETWORK_ECHO, string_values),
    ("string-values", APP_ECHO, string_values),
    ("repeat-type-capitalised", NETWORK_ECHO, repeat_type_capitalised),
    ("rfc3339-dates", ECHO, rfc3339_dates),
]


@pytest.mark.parametrize(("quirk", "echo", "apply"), QUIRKS, ids=[q[0] for q in QUIRKS])
def test_either_side_of_a_contradiction_reads_back_the_same(
    quirk: str, echo: dict[str, Any], apply: Callable[[dict[str, Any]], None]
) -> None:
    other_side = copy.deepcopy(echo)
    apply(other_side)
    assert other_side != echo, quirk
    expected = parse_job(echo, "client_13", from_server=True).canonical()
    assert parse_job(other_side, "client_13", from_server=True).canonical() == expected
