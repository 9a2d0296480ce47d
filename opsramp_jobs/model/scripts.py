"""What a job runs: the job types (OpsRamp's ``script`` object) and their parameters."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Annotated, Any, Literal, Union

from pydantic import (
    AliasChoices,
    BeforeValidator,
    Discriminator,
    Field,
    Tag,
    field_validator,
)

from opsramp_jobs.model.common import (
    JOB_TYPES,
    MAX_ID,
    NO_ITEMS,
    Flag,
    Shown,
    TextInput,
    WireModel,
    json_object,
    plain_string,
    strict_whole_number,
    whole_number,
)
from opsramp_jobs.model.problems import invalid, is_pending, kind_of, shown, suggest

if TYPE_CHECKING:
    from opsramp_jobs.model.common import Coerced

__all__ = [
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
    "DiskDefrag",
    "ExbpaCheckList",
    "MissingPatchesRequest",
    "NetworkConfigBackup",
    "Script",
    "ScriptParameter",
    "ScriptRef",
    "SqlReport",
    "TempFilesReport",
]

# Which script properties belong to which job type (used for "wrong type for this field" errors).
_SCRIPT_PARAMETERS: dict[str, tuple[str, ...]] = {
    "configParams": ("networkconfigbackup",),
    "approvalType": ("appinstall", "appupdate"),
    "customScript": ("custom",),
    "parameters": ("custom",),
    "userType": ("custom",),
    "credentialSet": ("custom",),
}


class AdCheckList(WireModel):
    """Active Directory checklist (``adCheckList``)."""

    called = "a script of jobType 'adCheckList'"

    job_type: Literal["adCheckList"] = Field(
        default="adCheckList",
        validation_alias=AliasChoices("jobType", "job_type"),
        serialization_alias="jobType",
    )
    """Job type; always ``adCheckList`` (set for you)."""


class Antispyware(WireModel):
    """Anti-spyware (``antispyware``)."""

    called = "a script of jobType 'antispyware'"

    job_type: Literal["antispyware"] = Field(
        default="antispyware",
        validation_alias=AliasChoices("jobType", "job_type"),
        serialization_alias="jobType",
    )
    """Job type; always ``antispyware`` (set for you)."""


class Antivirus(WireModel):
    """Antivirus (``antivirus``)."""

    called = "a script of jobType 'antivirus'"

    job_type: Literal["antivirus"] = Field(
        default="antivirus",
        validation_alias=AliasChoices("jobType", "job_type"),
        serialization_alias="jobType",
    )
    """Job type; always ``antivirus`` (set for you)."""


class AppAudit(WireModel):
    """Application audit (``appaudit``)."""

    called = "a script of jobType 'appaudit'"

    job_type: Literal["appaudit"] = Field(
        default="appaudit",
        validation_alias=AliasChoices("jobType", "job_type"),
        serialization_alias="jobType",
    )
    """Job type; always ``appaudit`` (set for you)."""


class AssetInfo(WireModel):
    """Asset information (``assetinfo``)."""

    called = "a script of jobType 'assetinfo'"

    job_type: Literal["assetinfo"] = Field(
        default="assetinfo",
        validation_alias=AliasChoices("jobType", "job_type"),
        serialization_alias="jobType",
    )
    """Job type; always ``assetinfo`` (set for you)."""


class BackupAgent(WireModel):
    """Backup agent (``backupagent``)."""

    called = "a script of jobType 'backupagent'"

    job_type: Literal["backupagent"] = Field(
        default="backupagent",
        validation_alias=AliasChoices("jobType", "job_type"),
        serialization_alias="jobType",
    )
    """Job type; always ``backupagent`` (set for you)."""


class DiskDefrag(WireModel):
    """Disk defragmentation (``diskdefrag``)."""

    called = "a script of jobType 'diskdefrag'"

    job_type: Literal["diskdefrag"] = Field(
        default="diskdefrag",
        validation_alias=AliasChoices("jobType", "job_type"),
        serialization_alias="jobType",
    )
    """Job type; always ``diskdefrag`` (set for you)."""


class ExbpaCheckList(WireModel):
    """Exchange best-practices checklist (``exbpaCheckList``)."""

    called = "a script of jobType 'exbpaCheckList'"

    job_type: Literal["exbpaCheckList"] = Field(
        default="exbpaCheckList",
        validation_alias=AliasChoices("jobType", "job_type"),
        serialization_alias="jobType",
    )
    """Job type; always ``exbpaCheckList`` (set for you)."""


class MissingPatchesRequest(WireModel):
    """Missing patches report (``missingPatchesRequest``)."""

    called = "a script of jobType 'missingPatchesRequest'"

    job_type: Literal["missingPatchesRequest"] = Field(
        default="missingPatchesRequest",
        validation_alias=AliasChoices("jobType", "job_type"),
        serialization_alias="jobType",
    )
    """Job type; always ``missingPatchesRequest`` (set for you)."""


class SqlReport(WireModel):
    """SQL report (``sqlreport``)."""

    called = "a script of jobType 'sqlreport'"

    job_type: Literal["sqlreport"] = Field(
        default="sqlreport",
        validation_alias=AliasChoices("jobType", "job_type"),
        serialization_alias="jobType",
    )
    """Job type; always ``sqlreport`` (set for you)."""


class TempFilesReport(WireModel):
    """Temporary files report (``tempfilesreport``)."""

    called = "a script of jobType 'tempfilesreport'"

    job_type: Literal["tempfilesreport"] = Field(
        default="tempfilesreport",
        validation_alias=AliasChoices("jobType", "job_type"),
        serialization_alias="jobType",
    )
    """Job type; always ``tempfilesreport`` (set for you)."""


class ConfigParams(WireModel):
    """Settings of a network configuration backup (defaults: every version, both files)."""

    called = "configParams"
    example = '{"versionsSaved": "ALL_VERSIONS", "backUpTrigger": true} or ConfigParams(...)'

    versions_saved: Literal["ALL_VERSIONS", "VERSION_WITH_CHANGES"] = Field(
        default="ALL_VERSIONS",
        validation_alias=AliasChoices("versionsSaved", "versions_saved"),
        serialization_alias="versionsSaved",
    )
    """Which configuration versions to save: ``ALL_VERSIONS`` or ``VERSION_WITH_CHANGES``."""
    back_up_trigger: Flag = Field(
        default=False,
        validation_alias=AliasChoices("backUpTrigger", "back_up_trigger"),
        serialization_alias="backUpTrigger",
    )
    """Also back up when a configuration-change SNMP trap arrives."""
    startup_config_alert: Flag = Field(
        default=False,
        validation_alias=AliasChoices("startupConfigAlert", "startup_config_alert"),
        serialization_alias="startupConfigAlert",
    )
    """Raise an alert when the startup configuration changes."""
    # OpsRamp quirk: the schema says `runConfigAlert`, the examples `runtimeConfigAlert`.
    # We accept both and send the examples' name.
    runtime_config_alert: Flag = Field(
        default=False,
        validation_alias=AliasChoices(
            "runtimeConfigAlert", "runConfigAlert", "runtime_config_alert"
        ),
        serialization_alias="runtimeConfigAlert",
    )
    """Raise an alert when the running configuration changes (schema name: ``runConfigAlert``)."""
    startup_config_files_backup: Flag = Field(
        default=True,
        validation_alias=AliasChoices("startUpConfigFilesBackUp", "startup_config_files_backup"),
        serialization_alias="startUpConfigFilesBackUp",
    )
    """Back up the startup configuration file."""
    runtime_config_files_backup: Flag = Field(
        default=True,
        validation_alias=AliasChoices("runTimeConfigFilesBackUp", "runtime_config_files_backup"),
        serialization_alias="runTimeConfigFilesBackUp",
    )
    """Back up the running (runtime) configuration file."""


class NetworkConfigBackup(WireModel):
    """Network configuration backup (``networkconfigbackup``)."""

    called = "a script of jobType 'networkconfigbackup'"

    job_type: Literal["networkconfigbackup"] = Field(
        default="networkconfigbackup",
        validation_alias=AliasChoices("jobType", "job_type"),
        serialization_alias="jobType",
    )
    """Job type; always ``networkconfigbackup`` (set for you)."""
    config_params: ConfigParams = Field(
        default_factory=ConfigParams,
        validation_alias=AliasChoices("configParams", "config_params"),
        serialization_alias="configParams",
    )
    """What to back up and when to alert; default: every version, both files, no alerts."""


class Approval(WireModel):
    """Approval of an app install or update: 0 manual, 1 automatic."""

    called = "an approval (approvalType object)"
    example = '{"approvalType": 1, "approvalReason": "..."} or Approval(approval_type=1)'

    approval_type: int = Field(
        validation_alias=AliasChoices("approvalType", "approval_type"),
        serialization_alias="approvalType",
    )
    """How an install or update is approved: ``0`` manual, ``1`` automatic (or ``"1"``)."""
    approval_reason: Annotated[str, BeforeValidator(plain_string)] = Field(
        default="",
        validation_alias=AliasChoices("approvalReason", "approval_reason"),
        serialization_alias="approvalReason",
    )
    """Why the install or update is approved (free text, may be empty)."""
    alert_required: Flag = Field(
        default=False,
        validation_alias=AliasChoices("alertRequired", "alert_required"),
        serialization_alias="alertRequired",
    )
    """Raise an alert while the app is installed or updated."""

    @field_validator("approval_type", mode="before")
    @classmethod
    def _check_approval_type(cls, value: object) -> int:
        number = whole_number(value)
        if number is not None and number in (0, 1):
            return number
        raise invalid(
            "approval_type",
            f"{shown(value)} is not an approval type; use 0 (manual) or 1 (automatic)",
        )


class AppInstall(WireModel):
    """Application install (``appinstall``)."""

    called = "a script of jobType 'appinstall'"

    job_type: Literal["appinstall"] = Field(
        default="appinstall",
        validation_alias=AliasChoices("jobType", "job_type"),
        serialization_alias="jobType",
    )
    """Job type; always ``appinstall`` (set for you)."""
    # OpsRamp names the approval object `approvalType`, like the number inside it.
    approval: Approval = Field(
        validation_alias=AliasChoices("approvalType", "approval"),
        serialization_alias="approvalType",
    )
    """The approval settings (OpsRamp's ``approvalType`` object, named like the number in it)."""


class AppUpdate(WireModel):
    """Application update (``appupdate``); its approval is assumed to match ``appinstall``'s."""

    called = "a script of jobType 'appupdate'"

    job_type: Literal["appupdate"] = Field(
        default="appupdate",
        validation_alias=AliasChoices("jobType", "job_type"),
        serialization_alias="jobType",
    )
    """Job type; always ``appupdate`` (set for you)."""
    approval: Approval = Field(
        validation_alias=AliasChoices("approvalType", "approval"),
        serialization_alias="approvalType",
    )
    """The approval settings, as for ``appinstall`` (OpsRamp documents none for ``appupdate``)."""


def _id_number(value: object) -> int:
    # OpsRamp quirk: script and parameter ids are integers sent as strings ("7").
    return strict_whole_number(value, "an id", 1, MAX_ID)


IdNumber = Annotated[int, BeforeValidator(_id_number)]

if TYPE_CHECKING:
    ParameterValue = Coerced[TextInput, TextInput | float]
else:
    ParameterValue = Annotated[TextInput, Shown("str | float | Output[str]")]


class ScriptRef(WireModel):
    """A custom script by its OpsRamp id."""

    called = "customScript"
    example = '{"id": 7} or ScriptRef(id=7)'

    server_fields = frozenset({"name", "description", "platforms"})

    id: IdNumber
    """The custom script's OpsRamp id: a whole number >= 1 (``"7"`` accepted; sent as a string)."""


class ScriptParameter(WireModel):
    """One custom-script parameter: its id and the value to pass (a string, number or Output)."""

    called = "a script parameter"
    example = '{"paramId": 2, "value": "150"} or ScriptParameter(param_id=2, value="150")'
    output_fields = frozenset({"value"})

    server_fields = frozenset({"name"})

    param_id: IdNumber = Field(
        validation_alias=AliasChoices("paramId", "param_id"), serialization_alias="paramId"
    )
    """The parameter's id in its script: a whole number >= 1 (``"2"`` too; sent as a string)."""
    value: ParameterValue
    """Text, a number (sent as text: ``150`` for 150.0) or an Output; a secret stays secret."""

    def canonical(self) -> dict[str, Any]:
        """Return the plain form (the value may still be a Pulumi Output in a program)."""
        return {"paramId": self.param_id, "value": self.value}


if TYPE_CHECKING:
    Parameters = Coerced[tuple[ScriptParameter, ...], Sequence[ScriptParameter]]
else:
    Parameters = Annotated[tuple[ScriptParameter, ...], Shown("Sequence[ScriptParameter]")]


def _credential_id(value: object) -> object:
    # An Output (e.g. Config().require_secret("credentialSet")) is checked once it resolves.
    if is_pending(value):
        return value
    if not isinstance(value, str):
        # A credential set's id may be a secret: the message names its kind, not its value.
        raise invalid("string_type", f"must be a string, not {kind_of(value)}")
    if not value:
        raise invalid("blank", "must not be empty; give the credential set's unique id")
    return value


if TYPE_CHECKING:
    CredentialId = TextInput
else:
    CredentialId = Annotated[Any, BeforeValidator(_credential_id), Shown("str | Output[str]")]


class CredentialSet(WireModel):
    """A device or client credential set by its unique id."""

    called = "credentialSet"
    example = '{"uniqueId": "..."} or CredentialSet(unique_id="...")'
    output_fields = frozenset({"unique_id", "uniqueId"})

    unique_id: CredentialId = Field(
        validation_alias=AliasChoices("uniqueId", "unique_id"), serialization_alias="uniqueId"
    )
    """The credential set's unique id in OpsRamp (not empty), or an Output of one (config)."""

    def canonical(self) -> dict[str, Any]:
        """Return the plain form (the id may still be a Pulumi Output in a program)."""
        return {"uniqueId": self.unique_id}


class CustomScript(WireModel):
    """A custom (RBA) script with its parameters (``custom``)."""

    called = "a script of jobType 'custom'"

    job_type: Literal["custom"] = Field(
        default="custom",
        validation_alias=AliasChoices("jobType", "job_type"),
        serialization_alias="jobType",
    )
    """Job type; always ``custom`` (set for you)."""
    custom_script: ScriptRef = Field(
        validation_alias=AliasChoices("customScript", "custom_script"),
        serialization_alias="customScript",
    )
    """The script to run, by id: ``ScriptRef(id=7)`` or ``{"id": 7}``."""
    parameters: Parameters = NO_ITEMS
    """Values for the script's parameters, each ``param_id`` once (kept sorted by id)."""
    user_type: int = Field(
        default=1,
        validation_alias=AliasChoices("userType", "user_type"),
        serialization_alias="userType",
    )
    """The user type, in OpsRamp's terms: ``1`` system user, ``2`` other user (``"2"`` too)."""
    credential_set: CredentialSet | None = Field(
        default=None,
        validation_alias=AliasChoices("credentialSet", "credential_set"),
        serialization_alias="credentialSet",
    )
    """Credentials the script runs with (optional); sent inside ``script``, never echoed back."""

    @classmethod
    def of(
        cls,
        script_id: int,
        parameters: Mapping[int, TextInput | float] | None = None,
        *,
        user_type: int = 1,
        credential_set: TextInput | None = None,
    ) -> CustomScript:
        """Build a custom script job from a script id and ``{param_id: value}``.

        A value, and ``credential_set``, may be a Pulumi Output (e.g.
        ``config.require_secret(...)``): it stays secret.
        """
        return cls.validated(
            {
                "customScript": {"id": script_id},
                "parameters": [{"paramId": k, "value": v} for k, v in (parameters or {}).items()],
                "userType": user_type,
                "credentialSet": (
                    {"uniqueId": credential_set} if credential_set is not None else None
                ),
            }
        )

    @field_validator("user_type", mode="before")
    @classmethod
    def _check_user_type(cls, value: object) -> int:
        number = whole_number(value)
        if number is not None and number in (1, 2):
            return number
        raise invalid(
            "user_type", f"{shown(value)} is not a user type; use 1 (system user) or 2 (other user)"
        )

    @field_validator("parameters")
    @classmethod
    def _unique_sorted(cls, value: tuple[ScriptParameter, ...]) -> tuple[ScriptParameter, ...]:
        seen: set[int] = set()
        for index, parameter in enumerate(value):
            if parameter.param_id in seen:
                raise invalid(
                    "duplicate",
                    f"paramId {parameter.param_id} is given twice; give each parameter once",
                    f"[{index}].paramId",
                )
            seen.add(parameter.param_id)
        return tuple(sorted(value, key=lambda p: p.param_id))

    def canonical(self) -> dict[str, Any]:
        """Return the plain form (parameter values may still be Pulumi Outputs in a program)."""
        body: dict[str, Any] = {
            "jobType": "custom",
            "customScript": self.custom_script.canonical(),
            "parameters": [p.canonical() for p in self.parameters],
            "userType": self.user_type,
        }
        if self.credential_set is not None:
            body["credentialSet"] = self.credential_set.canonical()
        return body

    def wire(self) -> dict[str, Any]:
        """Return the OpsRamp request form (ids as strings, as the documentation sends them)."""
        body: dict[str, Any] = {
            "jobType": "custom",
            "customScript": {"id": str(self.custom_script.id)},
            "parameters": [{"paramId": str(p.param_id), "value": p.value} for p in self.parameters],
            "userType": self.user_type,
        }
        if self.credential_set is not None:
            # Assumption: sent inside `script`, where the doc page's custom example puts its
            # siblings; the OpenAPI file puts it at the top level. parse_job accepts both.
            body["credentialSet"] = {"uniqueId": self.credential_set.unique_id}
        return body


SCRIPT_CLASSES: tuple[type[WireModel], ...] = (
    AdCheckList,
    Antispyware,
    Antivirus,
    AppAudit,
    AssetInfo,
    BackupAgent,
    DiskDefrag,
    ExbpaCheckList,
    MissingPatchesRequest,
    SqlReport,
    NetworkConfigBackup,
    TempFilesReport,
    AppInstall,
    AppUpdate,
    CustomScript,
)
_TAG_BY_CLASS: dict[type, str] = dict(zip(SCRIPT_CLASSES, JOB_TYPES, strict=True))
# The class that builds each job type, for "how to write it" hints.
_CLASS_OF_TYPE = dict(zip(JOB_TYPES, (c.__name__ for c in SCRIPT_CLASSES), strict=True))


def _how_to_write(job_type: str) -> str:
    name = _CLASS_OF_TYPE[job_type]
    if job_type == "custom":
        return '{"customScript": {"id": 7}, "parameters": [...]} or CustomScript.of(7, {...})'
    if job_type == "networkconfigbackup":
        return f'{{"jobType": "{job_type}", "configParams": {{...}}}} or {name}(...)'
    if job_type in ("appinstall", "appupdate"):
        return f'{{"jobType": "{job_type}", "approvalType": {{...}}}} or {name}(approval=...)'
    return f'{{"jobType": "{job_type}"}} or {name}()'


def _normalise_script(value: object) -> object:
    """Infer a custom script's type, fix the job type's case and reject foreign parameters."""
    by_lower = {t.lower(): t for t in JOB_TYPES}
    if isinstance(value, WireModel):
        if type(value) not in SCRIPT_CLASSES:
            raise invalid(
                "script",
                f"{type(value).__name__}() is not a job type; use a job type's class such as "
                "AdCheckList() or CustomScript.of(...)",
            )
        return value
    if isinstance(value, str):
        known = by_lower.get(value.strip().lower())
        example = _how_to_write(known or "adCheckList")
        raise invalid(
            "script",
            f"{shown(value)} is a string; a script is an object with its jobType: {example}",
        )
    given = json_object(value)
    if given is None:
        raise invalid(
            "script", f"must be an object with its jobType: {_how_to_write('adCheckList')}"
        )
    data = dict(given)
    job_type = data.get("jobType", data.get("job_type"))
    if job_type is None:
        if "customScript" in data or "custom_script" in data:
            # OpsRamp quirk: custom-script jobs come back without `jobType`.
            job_type = "custom"
        else:
            raise invalid("missing", "is required: one of " + ", ".join(JOB_TYPES), "jobType")
    if not isinstance(job_type, str):
        raise invalid("job_type", f"{shown(job_type)} is not a job type", "jobType")
    canonical_type = by_lower.get(job_type.strip().lower())
    if canonical_type is None:
        hint = suggest(job_type.strip(), JOB_TYPES)
        raise invalid("job_type", f"{shown(job_type)} is not an OpsRamp job type{hint}", "jobType")
    data.pop("job_type", None)
    data["jobType"] = canonical_type
    for key, owners in _SCRIPT_PARAMETERS.items():
        if key in data and canonical_type not in owners:
            raise invalid(
                "job_type_mismatch",
                f"{key} belongs to jobType {' or '.join(repr(o) for o in owners)}, "
                f"not {canonical_type!r}; remove it or change jobType",
                key,
            )
    return data


def _script_tag(value: Any) -> str | None:
    data = json_object(value)
    if data is not None:
        return str(data.get("jobType"))
    if isinstance(value, WireModel):
        # By class, not by reading job_type: a typed model built in a program may carry problems
        # instead of values (see common.WireModel).
        return _TAG_BY_CLASS.get(type(value))
    return None


Script = Annotated[
    Union[  # noqa: UP007 - tagged members read better one per line
        Annotated[AdCheckList, Tag("adCheckList")],
        Annotated[Antispyware, Tag("antispyware")],
        Annotated[Antivirus, Tag("antivirus")],
        Annotated[AppAudit, Tag("appaudit")],
        Annotated[AssetInfo, Tag("assetinfo")],
        Annotated[BackupAgent, Tag("backupagent")],
        Annotated[DiskDefrag, Tag("diskdefrag")],
        Annotated[ExbpaCheckList, Tag("exbpaCheckList")],
        Annotated[MissingPatchesRequest, Tag("missingPatchesRequest")],
        Annotated[SqlReport, Tag("sqlreport")],
        Annotated[NetworkConfigBackup, Tag("networkconfigbackup")],
        Annotated[TempFilesReport, Tag("tempfilesreport")],
        Annotated[AppInstall, Tag("appinstall")],
        Annotated[AppUpdate, Tag("appupdate")],
        Annotated[CustomScript, Tag("custom")],
    ],
    Discriminator(_script_tag),
    BeforeValidator(_normalise_script),
    Shown("Script"),
]
