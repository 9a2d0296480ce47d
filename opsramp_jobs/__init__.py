"""Manage OpsRamp automation jobs as code with Pulumi.

Every name but the errors loads on first use: the emulator and the client start without importing
Pulumi, and a provider process that only checks and diffs unchanged jobs (a no-change preview)
without importing the model (and pydantic).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from opsramp_jobs.errors import JobValidationError, OpsRampJobsError

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
    from opsramp_jobs.model import JOB_TYPES as JOB_TYPES
    from opsramp_jobs.model import WEEK_INDEXES as WEEK_INDEXES
    from opsramp_jobs.model import WEEKDAYS as WEEKDAYS
    from opsramp_jobs.model import AdCheckList as AdCheckList
    from opsramp_jobs.model import Antispyware as Antispyware
    from opsramp_jobs.model import Antivirus as Antivirus
    from opsramp_jobs.model import AppAudit as AppAudit
    from opsramp_jobs.model import AppInstall as AppInstall
    from opsramp_jobs.model import Approval as Approval
    from opsramp_jobs.model import AppUpdate as AppUpdate
    from opsramp_jobs.model import AssetInfo as AssetInfo
    from opsramp_jobs.model import BackupAgent as BackupAgent
    from opsramp_jobs.model import ConfigParams as ConfigParams
    from opsramp_jobs.model import CredentialSet as CredentialSet
    from opsramp_jobs.model import CustomScript as CustomScript
    from opsramp_jobs.model import Device as Device
    from opsramp_jobs.model import DiskDefrag as DiskDefrag
    from opsramp_jobs.model import Entity as Entity
    from opsramp_jobs.model import EveryDay as EveryDay
    from opsramp_jobs.model import EveryNDays as EveryNDays
    from opsramp_jobs.model import EveryWeekday as EveryWeekday
    from opsramp_jobs.model import ExbpaCheckList as ExbpaCheckList
    from opsramp_jobs.model import Job as Job
    from opsramp_jobs.model import MissingPatchesRequest as MissingPatchesRequest
    from opsramp_jobs.model import MonthlyOnDays as MonthlyOnDays
    from opsramp_jobs.model import MonthlyOnWeekday as MonthlyOnWeekday
    from opsramp_jobs.model import NetworkConfigBackup as NetworkConfigBackup
    from opsramp_jobs.model import Never as Never
    from opsramp_jobs.model import Pattern as Pattern
    from opsramp_jobs.model import RunOnce as RunOnce
    from opsramp_jobs.model import Schedule as Schedule
    from opsramp_jobs.model import Script as Script
    from opsramp_jobs.model import ScriptParameter as ScriptParameter
    from opsramp_jobs.model import ScriptRef as ScriptRef
    from opsramp_jobs.model import ServerDetails as ServerDetails
    from opsramp_jobs.model import SqlReport as SqlReport
    from opsramp_jobs.model import TempFilesReport as TempFilesReport
    from opsramp_jobs.model import Weekly as Weekly
    from opsramp_jobs.model import device as device
    from opsramp_jobs.model import parse_job as parse_job
    from opsramp_jobs.model import server_details as server_details
    from opsramp_jobs.provider import OpsRampJobProvider as OpsRampJobProvider
    from opsramp_jobs.resource import OpsRampJob as OpsRampJob
    from opsramp_jobs.resource import OpsRampJobArgs as OpsRampJobArgs
    from opsramp_jobs.resource import OpsRampJobSet as OpsRampJobSet

# The modules of the names that are not the model's (every other name of __all__ is).
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
    """Import a name on first use."""
    if name not in __all__:
        raise AttributeError(f"module 'opsramp_jobs' has no attribute {name!r}")
    value = getattr(importlib.import_module(_LAZY.get(name, "opsramp_jobs.model")), name)
    globals()[name] = value  # found directly from now on
    return value
