"""Example program: OpsRamp jobs defined once; each stack's config picks tenant, devices, times.

`pulumi up` on the dev stack runs against the local emulator (see README "Quickstart"); the staging
stack file shows the same program pointed at a real tenant. Inputs that come from config are
passed in OpsRamp's documented JSON shape, so a bad value fails `pulumi preview` with its
property path, exactly as a bad literal would.
"""

import pulumi

from opsramp_jobs import (
    AdCheckList,
    AppInstall,
    Approval,
    ConfigParams,
    NetworkConfigBackup,
    OpsRampJob,
    OpsRampJobSet,
    SqlReport,
)

jobs = pulumi.Config("jobs")
tenant = jobs.get("tenant") or pulumi.Config("opsramp").require("tenantId")
devices: list[str] = jobs.require_object("devices")
start = jobs.require("startDate")

# Every 2 days: a job type without parameters, written with the typed model.
ad_check = OpsRampJob(
    "ad-checklist",
    name="AD checklist",
    tenant_id=tenant,
    device_ids=devices,
    script=AdCheckList(),
    schedule={
        "startDate": start,
        "pattern": {"type": "daily", "frequency": "recurrence", "repeatFrequency": 2},
    },
    job_queued=True,
)

# Weekly on the days this stack's config names; network backup with its config params.
network_backup = OpsRampJob(
    "network-backup",
    name="Network config backup",
    tenant_id=tenant,
    device_ids=devices,
    script=NetworkConfigBackup(
        config_params=ConfigParams(
            versions_saved="VERSION_WITH_CHANGES",
            back_up_trigger=True,
            runtime_config_alert=True,
        )
    ),
    schedule={
        "startDate": start,
        "pattern": {"type": "weekly", "weekDays": jobs.require("backupDays")},
    },
)

# Monthly on days 1 and 15: an app install approved automatically.
app_install = OpsRampJob(
    "agent-install",
    name="Install monitoring agent",
    tenant_id=tenant,
    device_ids=devices,
    script=AppInstall(
        approval=Approval(approval_type=1, approval_reason="standard agent", alert_required=True)
    ),
    schedule={"startDate": start, "pattern": {"type": "monthly", "dayOfMonth": "1, 15"}},
)

# Monthly on the second Sunday: a custom script whose parameter value is a secret. It stays
# secret in state and never appears in the CLI output.
script_secret = jobs.get_secret("scriptSecret") or pulumi.Output.secret("demo-value-150")
cleanup = OpsRampJob(
    "cleanup-script",
    name="Temp cleanup script",
    tenant_id=tenant,
    device_ids=devices,
    script={
        "jobType": "custom",
        "customScript": {"id": jobs.require("customScriptId")},
        "parameters": [{"paramId": jobs.require("customParamId"), "value": script_secret}],
        "userType": 2,
    },
    schedule={
        "startDate": start,
        "pattern": {"type": "monthly", "weekIndex": "Second", "dayOfWeek": "Sunday"},
    },
)

# Run once, at the start date.
sql_report = OpsRampJob(
    "sql-report",
    name="SQL report (one-off)",
    tenant_id=tenant,
    script=SqlReport(),
    schedule={"startDate": start, "pattern": {"type": "run once"}},
)

# MSP fan-out: the same job in every client tenant of this stack, every weekday.
asset_inventory = OpsRampJobSet(
    "asset-inventory",
    name="Asset inventory",
    tenant_ids=jobs.require_object("clientTenants"),
    script={"jobType": "assetinfo"},
    schedule={"startDate": start, "pattern": {"type": "daily", "frequency": "every weekday"}},
)

all_jobs = {
    "ad-checklist": ad_check,
    "network-backup": network_backup,
    "agent-install": app_install,
    "cleanup-script": cleanup,
    "sql-report": sql_report,
    **{f"asset-inventory-{t}": job for t, job in asset_inventory.jobs.items()},
}
pulumi.export("jobIds", {name: job.job_id for name, job in all_jobs.items()})
pulumi.export("schedules", {name: job.schedule_description for name, job in all_jobs.items()})
pulumi.export("nextRuns", ad_check.next_runs)
