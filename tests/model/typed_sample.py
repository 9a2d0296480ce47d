"""A program in the README's typed style using every model class (for plain type checkers).

tests/model/test_typing.py runs plain ``mypy --strict`` (and pyright when installed) over this
file with no pydantic plugin; tests/model/test_outputs.py runs :func:`declare_jobs` under Pulumi's
mocks. Type checkers see the classes as pydantic declares them (``dataclass_transform``): the
snake_case names below must be the constructors' parameter names.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pulumi

from opsramp_jobs import (
    AdCheckList,
    Antispyware,
    Antivirus,
    AppAudit,
    AppInstall,
    Approval,
    AppUpdate,
    AssetInfo,
    BackupAgent,
    ConfigParams,
    CredentialSet,
    CustomScript,
    Device,
    DiskDefrag,
    Entity,
    EveryDay,
    EveryNDays,
    EveryWeekday,
    ExbpaCheckList,
    Job,
    MissingPatchesRequest,
    MonthlyOnDays,
    MonthlyOnWeekday,
    NetworkConfigBackup,
    Never,
    OpsRampJob,
    RunOnce,
    Schedule,
    ScriptParameter,
    ScriptRef,
    SqlReport,
    TempFilesReport,
    Weekly,
    device,
)
from opsramp_jobs.model import Pattern, Script

DEVICE = "709824de-8315-4cf9-ad1c-b15aaf7bf2a5"
START = "2026-12-01T02:30:00+0000"

SIMPLE_SCRIPTS: list[Script] = [
    AdCheckList(),
    Antispyware(),
    Antivirus(),
    AppAudit(),
    AssetInfo(),
    BackupAgent(),
    DiskDefrag(),
    ExbpaCheckList(),
    MissingPatchesRequest(),
    SqlReport(),
    TempFilesReport(),
]

PATTERNS: list[Pattern] = [
    EveryDay(),
    EveryWeekday(),
    EveryNDays(repeat_frequency=2),
    Weekly(week_days=["Sunday", "Thursday"]),
    Weekly(week_days="Monday, Friday"),
    MonthlyOnDays(day_of_month=[1, 15]),
    MonthlyOnDays(day_of_month="1, 15"),
    MonthlyOnWeekday(week_index="Last", day_of_week="Friday"),
    RunOnce(),
    Never(),
]


def typed_reads() -> list[object]:
    """Attributes read back with the types the model stores (a tuple, a datetime, ints)."""
    days: tuple[str, ...] = Weekly(week_days=["Monday"]).week_days
    month_days: tuple[int, ...] = MonthlyOnDays(day_of_month=[1]).day_of_month
    every: int = EveryNDays(repeat_frequency=3).repeat_frequency
    start: datetime = Schedule(start_date=START, pattern=EveryDay()).start_date
    first_run: list[datetime] = Schedule(
        start_date=datetime(2026, 12, 1, 2, 30, tzinfo=UTC), pattern=RunOnce()
    ).next_runs()
    job_type: str = AdCheckList().job_type
    return [days, month_days, every, start, first_run, job_type]


def typed_job() -> Job:
    """A whole job built from typed parts (no Pulumi values)."""
    return Job(
        name="AD checklist",
        tenant_id="client_13",
        entities=[device(DEVICE), Entity(resource=Device(id=DEVICE))],
        script=AdCheckList(),
        schedule=Schedule(start_date=START, pattern=EveryNDays(repeat_frequency=2)),
        job_queued=True,
    )


def declare_jobs(secret: pulumi.Input[str], server_id: pulumi.Input[str]) -> list[OpsRampJob]:
    """Declare one job per pattern and job type, with a secret parameter and an Output device."""
    scripts: list[Script] = [
        *SIMPLE_SCRIPTS,
        NetworkConfigBackup(
            config_params=ConfigParams(versions_saved="VERSION_WITH_CHANGES", back_up_trigger=True)
        ),
        AppInstall(approval=Approval(approval_type=1, approval_reason="agent")),
        AppUpdate(
            approval=Approval(approval_type=0, approval_reason="change window", alert_required=True)
        ),
        CustomScript.of(7, {2: secret, 3: 150}, user_type=2, credential_set="cred-1"),
        CustomScript(
            custom_script=ScriptRef(id=7),
            parameters=[ScriptParameter(param_id=2, value=secret)],
            credential_set=CredentialSet(unique_id="cred-1"),
        ),
    ]
    jobs: list[OpsRampJob] = []
    for index, script in enumerate(scripts):
        pattern = PATTERNS[index % len(PATTERNS)]
        jobs.append(
            OpsRampJob(
                f"typed-{index}",
                tenant_id="client_13",
                device_ids=[DEVICE],
                entities=[device(server_id)],
                script=script,
                schedule=Schedule(start_date=START, pattern=pattern),
            )
        )
    return jobs
