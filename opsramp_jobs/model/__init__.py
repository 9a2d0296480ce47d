"""The OpsRamp job model: schedule patterns, job types and entities, with OpsRamp's wire format.

Three forms of a job live here and nowhere else:

- the typed model (immutable pydantic classes, built with snake_case Python names);
- the *wire* form (:meth:`Job.to_wire`): the JSON body OpsRamp documents for create and update;
- the *canonical* form (:meth:`Job.canonical`): deterministic plain JSON, used for Pulumi state and
  diffs, in OpsRamp's field names so that a preview reads like the API documentation.

Modules: ``problems`` (how a problem is worded, ``errors_from``), ``common`` (base class, field
parsers, the problems a typed model built in a program carries), ``schedule``, ``scripts``,
``entities``, ``job`` (the job, ``parse_job``, ``job_problems``, ``declared_job``). They import
one another in that order only. The errors are ``opsramp_jobs.errors``'s. Every OpsRamp quirk
the model absorbs is marked ``OpsRamp quirk`` next to the code that handles it. The model never
imports Pulumi.
"""

from opsramp_jobs.model.common import (
    JOB_TYPES,
    MAX_ID,
    WEEK_INDEXES,
    WEEKDAYS,
    JobValidationError,
    TextInput,
    WireModel,
)
from opsramp_jobs.model.entities import Device, Entity, device
from opsramp_jobs.model.job import (
    Job,
    ServerDetails,
    declared_job,
    job_problems,
    parse_job,
    server_details,
)
from opsramp_jobs.model.schedule import (
    EARLIEST_START,
    LATEST_START,
    MAX_REPEAT_DAYS,
    EveryDay,
    EveryNDays,
    EveryWeekday,
    MonthlyOnDays,
    MonthlyOnWeekday,
    Never,
    Pattern,
    RunOnce,
    Schedule,
    Weekly,
    next_run_times,
    schedule_in_words,
)
from opsramp_jobs.model.scripts import (
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
    DiskDefrag,
    ExbpaCheckList,
    MissingPatchesRequest,
    NetworkConfigBackup,
    Script,
    ScriptParameter,
    ScriptRef,
    SqlReport,
    TempFilesReport,
)

__all__ = [
    "EARLIEST_START",
    "JOB_TYPES",
    "LATEST_START",
    "MAX_ID",
    "MAX_REPEAT_DAYS",
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
    "Pattern",
    "RunOnce",
    "Schedule",
    "Script",
    "ScriptParameter",
    "ScriptRef",
    "ServerDetails",
    "SqlReport",
    "TempFilesReport",
    "TextInput",
    "Weekly",
    "WireModel",
    "declared_job",
    "device",
    "job_problems",
    "next_run_times",
    "parse_job",
    "schedule_in_words",
    "server_details",
]
