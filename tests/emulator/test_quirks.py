"""Quirk modes: each answers the other side of one documented contradiction; default unchanged."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from typing import Any

import pytest
import requests

from tests.emulator.conftest import daily_job
from tests.support.emulator import (
    PARTNER_KEY,
    PARTNER_SECRET,
    REPO_ROOT,
    SCRIPT_TEST,
    EmulatorProcess,
)

ALL_QUIRKS = (
    "ids-as-strings",
    "paging-in-results",
    "day-of-index",
    "run-config-alert",
    "credential-set-top-level",
    "string-values",
    "repeat-type-capitalised",
    "rfc3339-dates",
    "legacy-token-path",
    "expires-in-integer",
    "weekdays-single",
    "job-types-schema-enum",
)
START = "2026-12-01T02:30:00+0000"


def created(emulator: EmulatorProcess, api: requests.Session, body: dict[str, Any]) -> Any:
    """Create a job; return its echo after checking a GET answers the same."""
    response = api.post(emulator.jobs_url(), json=body)
    assert response.status_code == 200, response.text
    job = response.json()
    fetched = api.get(f"{emulator.jobs_url()}/{job['id']}")
    assert fetched.json() == job
    return job


def custom_job() -> dict[str, Any]:
    """A custom-script job with a parameter and a credential set."""
    return daily_job(
        script={
            "jobType": "custom",
            "customScript": {"id": str(SCRIPT_TEST)},
            "parameters": [{"paramId": "2", "value": "150"}],
            "userType": 2,
            "credentialSet": {"uniqueId": "cred-9"},
        }
    )


def recurrence_job() -> dict[str, Any]:
    """Every 2 days from START."""
    pattern = {
        "type": "daily",
        "frequency": "recurrence",
        "repeatType": "days",
        "repeatFrequency": 2,
    }
    return daily_job(schedule={"startDate": START, "pattern": pattern})


def monthly_weekday_job() -> dict[str, Any]:
    """The last Monday of each month."""
    pattern = {"type": "monthly", "weekIndex": "Last", "dayOfWeek": "Monday"}
    return daily_job(schedule={"startDate": START, "pattern": pattern})


def network_backup_job() -> dict[str, Any]:
    """A network configuration backup with the examples' runtimeConfigAlert."""
    return daily_job(
        script={
            "jobType": "networkconfigbackup",
            "configParams": {"versionsSaved": "ALL_VERSIONS", "runtimeConfigAlert": True},
        }
    )


def token_answer(emulator: EmulatorProcess, path: str) -> requests.Response:
    """A token request on one of the two token paths."""
    return requests.post(
        f"{emulator.url}{path}",
        data={
            "grant_type": "client_credentials",
            "client_id": PARTNER_KEY,
            "client_secret": PARTNER_SECRET,
        },
        timeout=10,
    )


def check_ids_as_strings(emulator: EmulatorProcess, api: requests.Session, on: bool) -> None:
    script = created(emulator, api, custom_job())["script"]
    expected_id: object = str(SCRIPT_TEST) if on else SCRIPT_TEST
    assert script["customScript"]["id"] == expected_id
    assert script["parameters"][0]["paramId"] == ("2" if on else 2)


def check_paging_in_results(emulator: EmulatorProcess, api: requests.Session, on: bool) -> None:
    created(emulator, api, daily_job())
    answer = api.get(f"{emulator.jobs_url()}/search").json()
    (item,) = answer["results"]
    if on:
        assert set(answer) == {"results"}
        assert (item["totalResults"], item["pageNo"], item["nextPage"]) == (1, 1, False)
    else:
        assert (answer["totalResults"], answer["pageNo"], answer["nextPage"]) == (1, 1, False)
        assert "totalResults" not in item


def check_day_of_index(emulator: EmulatorProcess, api: requests.Session, on: bool) -> None:
    for body in (monthly_weekday_job(), _renamed_weekday(monthly_weekday_job())):
        pattern = created(emulator, api, body)["schedule"]["pattern"]
        key = "dayOfIndex" if on else "dayOfWeek"
        assert pattern == {"type": "monthly", "weekIndex": "Last", key: "Monday"}


def _renamed_weekday(body: dict[str, Any]) -> dict[str, Any]:
    """The same job with the schema's dayOfIndex on input (accepted in both modes)."""
    pattern = body["schedule"]["pattern"]
    pattern["dayOfIndex"] = pattern.pop("dayOfWeek")
    return body


def check_run_config_alert(emulator: EmulatorProcess, api: requests.Session, on: bool) -> None:
    params = created(emulator, api, network_backup_job())["script"]["configParams"]
    assert params == {
        "versionsSaved": "ALL_VERSIONS",
        ("runConfigAlert" if on else "runtimeConfigAlert"): True,
    }


def check_credential_set_top_level(
    emulator: EmulatorProcess, api: requests.Session, on: bool
) -> None:
    job = created(emulator, api, custom_job())
    assert "credentialSet" not in job["script"]
    if on:
        assert job["credentialSet"] == {"uniqueId": "cred-9"}
    else:
        assert "credentialSet" not in job


def check_string_values(emulator: EmulatorProcess, api: requests.Session, on: bool) -> None:
    job = created(emulator, api, {**recurrence_job(), "jobQueued": True})
    repeat = job["schedule"]["pattern"]["repeatFrequency"]
    assert (job["jobQueued"], repeat) == (("true", "2") if on else (True, 2))
    script = created(emulator, api, custom_job())["script"]
    assert script["userType"] == ("2" if on else 2)


def check_repeat_type_capitalised(
    emulator: EmulatorProcess, api: requests.Session, on: bool
) -> None:
    pattern = created(emulator, api, recurrence_job())["schedule"]["pattern"]
    assert pattern["repeatType"] == ("Days" if on else "days")


def check_rfc3339_dates(emulator: EmulatorProcess, api: requests.Session, on: bool) -> None:
    start = created(emulator, api, recurrence_job())["schedule"]["startDate"]
    assert start == ("2026-12-01T02:30:00+00:00" if on else "2026-12-01T02:30:00+0000")


def check_legacy_token_path(emulator: EmulatorProcess, api: requests.Session, on: bool) -> None:
    assert token_answer(emulator, "/tenancy/auth/oauth/token").status_code == (404 if on else 200)
    assert token_answer(emulator, "/auth/oauth/token").status_code == 200


def check_expires_in_integer(emulator: EmulatorProcess, api: requests.Session, on: bool) -> None:
    expires_in = token_answer(emulator, "/auth/oauth/token").json()["expires_in"]
    assert expires_in == (7199 if on else "7199")


def check_weekdays_single(emulator: EmulatorProcess, api: requests.Session, on: bool) -> None:
    pattern = {"type": "weekly", "weekDays": "Sunday, Thursday"}
    response = api.post(
        emulator.jobs_url(), json=daily_job(schedule={"startDate": START, "pattern": pattern})
    )
    if on:
        assert response.status_code == 400
        assert [e["fieldName"] for e in response.json()] == ["schedule.pattern.weekDays"]
    else:
        assert response.status_code == 200, response.text
    one_day = {"type": "weekly", "weekDays": "Friday"}
    created(emulator, api, daily_job(schedule={"startDate": START, "pattern": one_day}))


def check_job_types_schema_enum(emulator: EmulatorProcess, api: requests.Session, on: bool) -> None:
    response = api.post(emulator.jobs_url(), json=daily_job(script={"jobType": "assetinfo"}))
    if on:
        assert response.status_code == 400
        assert [e["fieldName"] for e in response.json()] == ["script.jobType"]
    else:
        assert response.status_code == 200, response.text
    created(emulator, api, daily_job(script={"jobType": "adCheckList"}))
    created(emulator, api, custom_job())
    catalogue = api.get(f"{emulator.jobs_url()}/types").json()["jobNameAndType"]
    assert len(catalogue) == 14


CHECKS: dict[str, Callable[[EmulatorProcess, requests.Session, bool], None]] = {
    "ids-as-strings": check_ids_as_strings,
    "paging-in-results": check_paging_in_results,
    "day-of-index": check_day_of_index,
    "run-config-alert": check_run_config_alert,
    "credential-set-top-level": check_credential_set_top_level,
    "string-values": check_string_values,
    "repeat-type-capitalised": check_repeat_type_capitalised,
    "rfc3339-dates": check_rfc3339_dates,
    "legacy-token-path": check_legacy_token_path,
    "expires-in-integer": check_expires_in_integer,
    "weekdays-single": check_weekdays_single,
    "job-types-schema-enum": check_job_types_schema_enum,
}


@pytest.mark.parametrize("name", ALL_QUIRKS)
def test_default_answers_the_projects_side(
    emulator: EmulatorProcess, api: requests.Session, name: str
) -> None:
    """Without the mode the emulator answers as the project assumes."""
    assert emulator.quirks()["active"] == []
    CHECKS[name](emulator, api, False)


@pytest.mark.parametrize("name", ALL_QUIRKS)
def test_quirk_mode_answers_the_other_side(
    emulator: EmulatorProcess, api: requests.Session, name: str
) -> None:
    """With the mode switched on at run time the emulator answers the other side."""
    assert emulator.set_quirks(name) == [name]
    CHECKS[name](emulator, api, True)


def test_quirks_are_listed_with_descriptions(emulator: EmulatorProcess) -> None:
    """GET /_emulator/quirks lists every mode, a description and whether it is on."""
    emulator.set_quirks("rfc3339-dates", "ids-as-strings")
    listing = emulator.quirks()
    assert [q["name"] for q in listing["quirks"]] == list(ALL_QUIRKS)
    assert all(q["description"] for q in listing["quirks"])
    assert {q["name"] for q in listing["quirks"] if q["active"]} == {
        "rfc3339-dates",
        "ids-as-strings",
    }
    assert listing["active"] == ["ids-as-strings", "rfc3339-dates"]
    assert emulator.config()["quirks"] == ["ids-as-strings", "rfc3339-dates"]
    assert emulator.set_quirks() == []


@pytest.mark.parametrize(
    "body", [{"quirks": ["ids-as-strings", "nope"]}, {"quirks": "ids-as-strings"}, {"x": []}]
)
def test_unknown_quirk_over_admin_is_a_400(emulator: EmulatorProcess, body: Any) -> None:
    """An unknown name (or a malformed body) changes nothing and is a 400 naming quirks."""
    emulator.set_quirks("string-values")
    response = requests.post(f"{emulator.admin_url}/quirks", json=body, timeout=10)
    assert response.status_code == 400
    assert response.json()["field"] == "quirks"
    assert emulator.quirks()["active"] == ["string-values"]


def test_reset_restores_the_start_up_quirks(emulator: EmulatorProcess) -> None:
    """POST /_emulator/reset turns run-time quirks off again (start-up set: none here)."""
    emulator.set_quirks("string-values")
    emulator.reset()
    assert emulator.quirks()["active"] == []


def test_quirks_keyword_starts_the_emulator_in_those_modes() -> None:
    """EmulatorProcess(quirks=...) passes --quirks; reset keeps the start-up modes."""
    with EmulatorProcess(
        rate_limit=False, quirks=("expires-in-integer", "legacy-token-path")
    ) as emu:
        assert emu.quirks()["active"] == ["expires-in-integer", "legacy-token-path"]
        emu.set_quirks()
        emu.reset()
        assert emu.quirks()["active"] == ["expires-in-integer", "legacy-token-path"]
        check_expires_in_integer(emu, requests.Session(), True)
        check_legacy_token_path(emu, requests.Session(), True)


def test_unknown_quirk_on_the_command_line_exits_2_listing_valid_names() -> None:
    """--quirks with an unknown name: exit status 2 and the list of valid names."""
    result = subprocess.run(
        [sys.executable, "-m", "opsramp_jobs.emulator", "--port", "0", "--quirks", "nope"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 2
    assert "nope" in result.stderr
    assert all(name in result.stderr for name in ALL_QUIRKS)


def test_every_output_quirk_echo_posts_back_as_an_update(
    emulator: EmulatorProcess, api: requests.Session
) -> None:
    """With every output mode on, a GET body is accepted unchanged as the update body."""
    emulator.set_quirks(
        "ids-as-strings",
        "day-of-index",
        "run-config-alert",
        "credential-set-top-level",
        "string-values",
        "repeat-type-capitalised",
        "rfc3339-dates",
    )
    for body in (custom_job(), recurrence_job(), monthly_weekday_job(), network_backup_job()):
        job = created(emulator, api, body)
        updated = api.post(f"{emulator.jobs_url()}/{job['id']}", json=job)
        assert updated.status_code == 200, updated.text
        assert updated.json() == job
