"""The typed form and OpsRamp's documented JSON give the same state, in OpsRamp's names.

Existing stacks hold the canonical form in their state: the Python names of the typed classes
must never leak into it (a preview of an old stack must show no change).
"""

from __future__ import annotations

from typing import Any

import pytest

from opsramp_jobs.model import (
    AdCheckList,
    AppInstall,
    Approval,
    ConfigParams,
    CustomScript,
    EveryDay,
    EveryNDays,
    EveryWeekday,
    MonthlyOnDays,
    MonthlyOnWeekday,
    NetworkConfigBackup,
    Never,
    RunOnce,
    Schedule,
    Weekly,
    WireModel,
    device,
    parse_job,
)

START = "2026-12-01T02:30:00+0000"
PAIRS: list[tuple[WireModel, dict[str, Any]]] = [
    (EveryDay(), {"type": "daily", "frequency": "everyday"}),
    (EveryWeekday(), {"type": "daily", "frequency": "every weekday"}),
    (
        EveryNDays(repeat_frequency=2),
        # `repeatType` is always "days": sent to OpsRamp (below), not kept in the state.
        {"type": "daily", "frequency": "recurrence", "repeatFrequency": 2},
    ),
    (Weekly(week_days=["Thursday", "sun"]), {"type": "weekly", "weekDays": ["Sunday", "Thursday"]}),
    (MonthlyOnDays(day_of_month="15, 1"), {"type": "monthly", "dayOfMonth": [1, 15]}),
    (
        MonthlyOnWeekday(week_index="last", day_of_week="Fri"),
        {"type": "monthly", "weekIndex": "Last", "dayOfWeek": "Friday"},
    ),
    (RunOnce(), {"type": "run once"}),
    (Never(), {"type": "never"}),
    (AdCheckList(), {"jobType": "adCheckList"}),
    (
        NetworkConfigBackup(config_params=ConfigParams(runtime_config_alert=True)),
        {
            "jobType": "networkconfigbackup",
            "configParams": {
                "versionsSaved": "ALL_VERSIONS",
                "backUpTrigger": False,
                "startupConfigAlert": False,
                "runtimeConfigAlert": True,
                "startUpConfigFilesBackUp": True,
                "runTimeConfigFilesBackUp": True,
            },
        },
    ),
    (
        AppInstall(approval=Approval(approval_type=1, approval_reason="r")),
        {
            "jobType": "appinstall",
            "approvalType": {"approvalType": 1, "approvalReason": "r", "alertRequired": False},
        },
    ),
    (
        CustomScript.of(7, {3: 150, 2: "x"}, user_type=2, credential_set="c"),
        {
            "jobType": "custom",
            "customScript": {"id": 7},
            "parameters": [{"paramId": 2, "value": "x"}, {"paramId": 3, "value": "150"}],
            "userType": 2,
            "credentialSet": {"uniqueId": "c"},
        },
    ),
    (
        Schedule(start_date="2026-12-01T03:30:00+01:00", pattern=RunOnce()),
        {"startDate": START, "pattern": {"type": "run once"}},
    ),
    (
        device("709824DE-8315-4CF9-AD1C-B15AAF7BF2A5"),
        {"resource": {"id": "709824de-8315-4cf9-ad1c-b15aaf7bf2a5", "type": "DEVICE"}},
    ),
]


@pytest.mark.parametrize(("typed", "state"), PAIRS)
def test_typed_parts_have_the_documented_canonical_form(
    typed: WireModel, state: dict[str, Any]
) -> None:
    assert typed.canonical() == state
    assert type(typed).model_validate(state).canonical() == state


def test_every_n_days_sends_its_repeat_type_but_does_not_store_it() -> None:
    pattern = EveryNDays(repeat_frequency=3)
    assert pattern.wire()["repeatType"] == "days"
    assert "repeatType" not in pattern.canonical()
    # A state written before (with the constant) reads back to the same canonical form.
    stored = {
        "type": "daily",
        "frequency": "recurrence",
        "repeatType": "days",
        "repeatFrequency": 3,
    }
    assert EveryNDays.model_validate(stored).canonical() == pattern.canonical()


def test_a_typed_job_and_its_documented_json_give_the_same_state() -> None:
    documented = {
        "name": "n",
        "tenantId": "client_13",
        "entities": [{"resource": {"id": "709824de-8315-4cf9-ad1c-b15aaf7bf2a5"}}],
        "script": {"jobType": "custom", "customScript": {"id": "7"}, "parameters": []},
        "schedule": {"startDate": START, "pattern": {"type": "weekly", "weekDays": "Monday"}},
    }
    typed = parse_job(
        {
            "name": "n",
            "tenant_id": "client_13",
            "entities": [device("709824de-8315-4cf9-ad1c-b15aaf7bf2a5")],
            "script": CustomScript.of(7),
            "schedule": Schedule(start_date=START, pattern=Weekly(week_days=["Monday"])),
        }
    )
    assert typed.canonical() == parse_job(documented).canonical()
    assert list(typed.canonical()) == [
        "name",
        "tenantId",
        "jobQueued",
        "entities",
        "script",
        "schedule",
    ]
