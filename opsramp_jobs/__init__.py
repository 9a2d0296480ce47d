"""Manage OpsRamp automation jobs as code with Pulumi.

The job model is imported eagerly; the Pulumi-facing names (``OpsRampJob``, ``OpsRampJobProvider``,
...) load on first use, so the emulator and the client can start without importing Pulumi.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from opsramp_jobs.model import (
    JOB_TYPES,
    WEEK_INDEXES,
    WEEKDAYS,
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
    JobValidationError,
    MissingPatchesRequest,
    MonthlyOnDays,
    MonthlyOnWeekday,
    NetworkConfigBackup,
    Never,
    Pattern,
    RunOnce,
    Schedule,
    Script,
    ScriptParameter,
    ScriptRef,
    ServerDetails,
    SqlReport,
    TempFilesReport,
    Weekly,
    device,
    parse_job,
    server_details,
)

if TYPE_CHECKING:
    from opsramp_jobs.client import OpsRampClient as OpsRampClient
    from opsramp_jobs.provider import OpsRampJobProvider as OpsRampJobProvider
    from opsramp_jobs.resource import OpsRampJob as OpsRampJob
    from opsramp_jobs.resource import OpsRampJobArgs as OpsRampJobArgs
    from opsramp_jobs.resource import OpsRampJobSet as OpsRampJobSet

_LAZY = {
    "OpsRampClient": "opsramp_jobs.client",
    "OpsRampJobProvider": "opsramp_jobs.provider",
    "OpsRampJob": "opsramp_jobs.resource",
    "OpsRampJobArgs": "opsramp_jobs.resource",
    "OpsRampJobSet": "opsramp_jobs.resource",
}

__all__ = [
    "JOB_TYPES",
    "WEEKDAYS",
    "WEEK_INDEXES",
    "AdCheckList",
    "Antispyware",
    "Antivirus",
    "AppAudit",
    "AppInstall",
    "AppUpdate",
    "Approval",
    "AssetInfo",
    "BackupAgent",
    "ConfigParams",
    "CredentialSet",
    "CustomScript",
    "Device",
    "DiskDefrag",
    "Entity",
    "EveryDay",
    "EveryNDays",
    "EveryWeekday",
    "ExbpaCheckList",
    "Job",
    "JobValidationError",
    "MissingPatchesRequest",
    "MonthlyOnDays",
    "MonthlyOnWeekday",
    "NetworkConfigBackup",
    "Never",
    "OpsRampClient",
    "OpsRampJob",
    "OpsRampJobArgs",
    "OpsRampJobProvider",
    "OpsRampJobSet",
    "Pattern",
    "RunOnce",
    "Schedule",
    "Script",
    "ScriptParameter",
    "ScriptRef",
    "ServerDetails",
    "SqlReport",
    "TempFilesReport",
    "Weekly",
    "device",
    "parse_job",
    "server_details",
]


def __getattr__(name: str) -> Any:
    """Import the Pulumi-facing names on first use."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'opsramp_jobs' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
