"""Manage OpsRamp automation jobs as code with Pulumi.

The job model is imported eagerly; the Pulumi-facing names (``OpsRampJob``, ``OpsRampJobProvider``,
...) load on first use, so the emulator and the client can start without importing Pulumi.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from opsramp_jobs.errors import OpsRampJobsError
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
    from opsramp_jobs.lookups import GetJobResult as GetJobResult
    from opsramp_jobs.lookups import GetJobTypesResult as GetJobTypesResult
    from opsramp_jobs.lookups import JobType as JobType
    from opsramp_jobs.lookups import OpsRampLookupError as OpsRampLookupError
    from opsramp_jobs.lookups import get_job as get_job
    from opsramp_jobs.lookups import get_job_output as get_job_output
    from opsramp_jobs.lookups import get_job_types as get_job_types
    from opsramp_jobs.lookups import get_job_types_output as get_job_types_output
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
    "GetJobResult": "opsramp_jobs.lookups",
    "GetJobTypesResult": "opsramp_jobs.lookups",
    "JobType": "opsramp_jobs.lookups",
    "OpsRampLookupError": "opsramp_jobs.lookups",
    "get_job": "opsramp_jobs.lookups",
    "get_job_output": "opsramp_jobs.lookups",
    "get_job_types": "opsramp_jobs.lookups",
    "get_job_types_output": "opsramp_jobs.lookups",
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
    "GetJobResult",
    "GetJobTypesResult",
    "Job",
    "JobType",
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
    "OpsRampJobsError",
    "OpsRampLookupError",
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
    "get_job",
    "get_job_output",
    "get_job_types",
    "get_job_types_output",
    "parse_job",
    "server_details",
]


def __getattr__(name: str) -> Any:
    """Import the Pulumi-facing names on first use."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'opsramp_jobs' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
