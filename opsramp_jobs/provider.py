"""The Pulumi dynamic provider for OpsRamp jobs: a thin lifecycle over the model and the client.

PUBLIC CONTRACT: every stack's state names ``opsramp_jobs.provider.OpsRampJobProvider`` (the
provider is pickled by reference). Never move or rename this module or the class.

The pickled provider holds nothing: connection settings arrive through ``configure`` and live in
this process only, with one client (one token) shared by the provider server's 4 threads.
"""

from __future__ import annotations

import contextlib
import difflib
import threading
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    ConfigureRequest,
    CreateResult,
    DiffResult,
    ReadResult,
    ResourceProvider,
    UpdateResult,
)
from pulumi.runtime import known_types

from opsramp_jobs.client import OpsRampClient
from opsramp_jobs.errors import JobNotFoundError
from opsramp_jobs.model import CustomScript, Job, JobValidationError, parse_job, server_details
from opsramp_jobs.names import JobNames
from opsramp_jobs.presentation import UserError, install_short_errors
from opsramp_jobs.settings import (
    CONFIG_KEYS,
    ConnectionSettings,
    SettingsError,
    default_tenant,
    missing_tenant_fix,
    resolve_settings,
)

__all__ = ["INPUT_KEYS", "OPTION_KEYS", "OpsRampJobProvider"]

# State properties that describe the job, in OpsRamp's own field names.
INPUT_KEYS = ("name", "tenantId", "entities", "script", "schedule", "jobQueued")
# Inputs that steer how `create` behaves; they never change the job itself, so never diff.
OPTION_KEYS = ("adoptId", "allowDuplicateName")
# Outputs the provider adds; the resource lists them (as None) so the SDK resolves them.
OUTPUT_KEYS = ("jobId", "entityDetails", "scriptName", "scheduleDescription", "nextRuns")
PROVIDER_KEY = "__provider"
NEXT_RUNS_COUNT = 5

# In the SDK's provider server: errors the user can act on print as their message only.
install_short_errors()


class _Connection:
    """The process's settings and its one client, set by ``configure``."""

    lock = threading.Lock()
    config: Mapping[str, Any] = {}
    settings: ConnectionSettings | None = None
    problems: list[str] = []
    client: OpsRampClient | None = None
    names: JobNames | None = None  # the tenants' job names, for the duplicate-name guard


def _configure(config: Mapping[str, Any]) -> None:
    with _Connection.lock:
        _Connection.config = dict(config)
        try:
            settings = resolve_settings(config)
        except SettingsError as error:
            _Connection.settings, _Connection.problems = None, error.problems
            return
        if settings != _Connection.settings:
            if _Connection.client is not None:
                _Connection.client.close()
            _Connection.client = None
        # The engine configures each provider process once, at the start of an operation: job
        # names are listed afresh for it.
        _Connection.names = None
        _Connection.settings, _Connection.problems = settings, []


def _client() -> OpsRampClient:
    with _Connection.lock:
        if _Connection.settings is None and not _Connection.problems:
            # configure was not called (e.g. a test driving the class directly).
            try:
                _Connection.settings = resolve_settings(_Connection.config)
            except SettingsError as error:
                _Connection.problems = error.problems
        if _Connection.settings is None:
            raise SettingsError(_Connection.problems)
        if _Connection.client is None:
            s = _Connection.settings
            _Connection.client = OpsRampClient(
                s.api_url,
                s.client_id,
                s.client_secret,
                tenant_id=s.tenant_id,
                connect_timeout=s.connect_timeout,
                read_timeout=s.read_timeout,
            )
        return _Connection.client


def _names() -> JobNames:
    client = _client()
    with _Connection.lock:
        if _Connection.names is None:
            _Connection.names = JobNames(client)
        return _Connection.names


def _default_tenant() -> str | None:
    settings = _Connection.settings
    return settings.tenant_id if settings else default_tenant(_Connection.config)


# --------------------------------------------------------------------------------------------
# Unknown values (preview)
# --------------------------------------------------------------------------------------------


def _is_unknown(value: object) -> bool:
    return known_types.is_unknown(value) or value == "04da6b54-80e4-46f7-96ec-b56ff0331ba9"


def _unknown_paths(value: object, path: str = "") -> list[str]:
    """Return the property paths (model error style) of every unknown value."""
    if _is_unknown(value):
        return [path]
    found: list[str] = []
    if isinstance(value, Mapping):
        for key, item in value.items():
            found += _unknown_paths(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            found += _unknown_paths(item, f"{path}[{index}]")
    return found


def _touches(path: str, unknowns: list[str]) -> bool:
    """Whether an error at ``path`` may be caused by a still-unknown value."""
    for unknown in unknowns:
        if not unknown or path in (unknown, "(job)"):
            return True
        if path.startswith((unknown + ".", unknown + "[")):
            return True
        if unknown.startswith((path + ".", path + "[")):
            return True
    return False


# --------------------------------------------------------------------------------------------
# Inputs and outputs
# --------------------------------------------------------------------------------------------


def _job_inputs(props: Mapping[str, Any]) -> dict[str, Any]:
    return {k: props[k] for k in INPUT_KEYS if props.get(k) is not None}


def _options(props: Mapping[str, Any]) -> dict[str, Any]:
    return {k: props[k] for k in OPTION_KEYS if props.get(k) is not None}


def _comparable(props: Mapping[str, Any]) -> dict[str, Any]:
    """Canonical form of stored or checked inputs (re-parsed, so older states compare too)."""
    inputs = _job_inputs(props)
    if _unknown_paths(inputs):
        return inputs
    try:
        return parse_job(inputs).canonical()
    except JobValidationError:
        return inputs


def _job_type(props: Mapping[str, Any]) -> object:
    script = props.get("script")
    if not isinstance(script, Mapping):
        return script
    return script.get("jobType", "custom" if "customScript" in script else None)


def _outputs(
    declared: Job,
    live: Mapping[str, Any],
    options: Mapping[str, Any],
    previous: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Build the resource's outputs from the job OpsRamp returned (read after write)."""
    try:
        observed = parse_job(live, declared.tenant_id, from_server=True)
    except JobValidationError:
        # The job exists (we have its id); an unexpected echo must not orphan it. Record what
        # was declared; the next refresh shows any difference.
        observed = declared
    declared_script, observed_script = declared.script, observed.script
    if (
        isinstance(declared_script, CustomScript)
        and isinstance(observed_script, CustomScript)
        and observed_script.credential_set is None
    ):
        # OpsRamp quirk: `credentialSet` is never echoed; keep the declared one.
        observed = observed.model_copy(
            update={
                "script": observed_script.model_copy(
                    update={"credential_set": declared_script.credential_set}
                )
            }
        )
    canonical = observed.canonical()
    details = server_details(live)
    next_runs = [
        r.strftime("%Y-%m-%dT%H:%M:%SZ")
        for r in observed.schedule.next_runs(datetime.now(UTC), NEXT_RUNS_COUNT)
    ]
    if previous and previous.get("schedule") == canonical["schedule"] and previous.get("nextRuns"):
        # Keep the runs computed at the last write, so a refresh is not a change just because
        # time has passed.
        next_runs = list(previous["nextRuns"])
    return {
        **canonical,
        **options,
        "jobId": details.job_id,
        "entityDetails": details.entities,
        "scriptName": details.script_name,
        "scheduleDescription": observed.schedule.describe(),
        "nextRuns": next_runs,
    }


def _tenant_of(job: Job, client: OpsRampClient) -> str:
    """The tenant a call about `job` goes to (the client's default when the job names none)."""
    return job.tenant_id or client.tenant_id or ""


def _remember_name(client: OpsRampClient, job: Job, job_id: str) -> None:
    """Tell the duplicate-name guard that job `job_id` now carries `job`'s name."""
    if job.name:
        _names().record(_tenant_of(job, client), job_id, job.name)


def _create_once(client: OpsRampClient, job: Job, *, allow_duplicate: bool) -> dict[str, Any]:
    """POST the job unless its name is taken in the tenant; the job as OpsRamp stored it."""
    names, tenant, name = _names(), _tenant_of(job, client), job.name
    if not name:  # check requires a name; only a direct caller can get here without one
        return client.create_job(job.to_wire(), tenant_id=tenant)
    with names.claim(tenant, name) as listed:
        existing = listed
        if listed and not allow_duplicate:
            # Confirmed live: the listing behind `listed` may be a few seconds old.
            existing = names.confirm(tenant, name)
            if existing:
                raise UserError(
                    f"job {name!r} already exists in tenant {tenant!r} (id "
                    f"{', '.join(existing)}); adopt it with adopt_id={existing[0]!r} or choose "
                    "another name (allow_duplicate_name=True creates a second job anyway)"
                )
        # The ids already carrying the name tell the client which job is ours if the answer
        # to the POST is lost.
        live = client.create_job(job.to_wire(), tenant_id=tenant, existing_ids=existing)
        names.record(tenant, str(live["id"]), name)
    return live


def _parse_declared(props: Mapping[str, Any]) -> Job:
    inputs = _job_inputs(props)
    if "tenantId" not in inputs and _default_tenant():
        inputs["tenantId"] = _default_tenant()
    return parse_job(inputs)


# --------------------------------------------------------------------------------------------
# The provider
# --------------------------------------------------------------------------------------------


class OpsRampJobProvider(ResourceProvider):
    """Creates, reads, updates and deletes OpsRamp jobs (stateless; configured per process)."""

    # Nothing secret is captured in the pickle, so `__provider` need not be encrypted.
    serialize_as_secret_always = False

    def configure(self, req: ConfigureRequest) -> None:
        """Read connection settings from the stack config (secrets decrypted) or environment."""
        config = {key: req.config.get(key) for key in CONFIG_KEYS}
        _configure({key: value for key, value in config.items() if value is not None})

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        """Validate inputs with the model; return canonical inputs and every failure."""
        props = {k: v for k, v in news.items() if k != PROVIDER_KEY}
        failures: list[CheckFailure] = []
        options = _options(props)
        inputs = _job_inputs(props)
        adopt_id = options.get("adoptId")
        if adopt_id is not None and not _is_unknown(adopt_id) and not str(adopt_id).strip():
            failures.append(CheckFailure("adoptId", "must be the id of an existing job"))
        if "allowDuplicateName" in options and not isinstance(options["allowDuplicateName"], bool):
            failures.append(CheckFailure("allowDuplicateName", "must be true or false"))
        for problem in _Connection.problems:
            failures.append(CheckFailure("", problem))
        known = (*INPUT_KEYS, *OPTION_KEYS, *OUTPUT_KEYS)
        for key in sorted(k for k, v in props.items() if k not in known and v is not None):
            close = difflib.get_close_matches(key, known, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else "; remove it"
            failures.append(CheckFailure(key, f"{key!r} is not an input of OpsRampJob{hint}"))
        if "tenantId" not in inputs:
            if _default_tenant():
                inputs["tenantId"] = _default_tenant()
            else:
                failures.append(
                    CheckFailure(
                        "tenantId",
                        "no tenant: pass tenant_id=... to the job, or set a default with "
                        f"`{missing_tenant_fix()}`",
                    )
                )
        if "name" not in inputs:
            failures.append(CheckFailure("name", "is required: give the job a name"))
        unknowns = _unknown_paths(inputs)
        canonical: dict[str, Any] | None = None
        try:
            canonical = parse_job(inputs).canonical()
        except JobValidationError as error:
            failures += [
                CheckFailure(path, message)
                for path, message in error.errors
                if not _touches(path, unknowns)
            ]
        if unknowns or canonical is None:
            return CheckResult({**inputs, **options}, failures)
        return CheckResult({**canonical, **options}, failures)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        """Compare canonical old and new inputs; server-added outputs never cause a diff."""
        old, new = _comparable(olds), _comparable(news)
        changed = [
            key
            for key in INPUT_KEYS
            if _unknown_paths(new.get(key)) or old.get(key) != new.get(key)
        ]
        replaces = []
        if "tenantId" in changed:
            # OpsRamp cannot move a job between tenants.
            replaces.append("tenantId")
        if "script" in changed and (
            _unknown_paths(_job_type(new)) or _job_type(old) != _job_type(new)
        ):
            # Assumption: OpsRamp cannot change a job's type in place (the API documents no such
            # update), so a new type means a new job.
            replaces.append("script")
        # A same-tenant replace must delete first: names are unique per tenant here (create
        # refuses duplicates), so the new job cannot coexist with the old one.
        delete_first = bool(replaces) and "tenantId" not in replaces
        return DiffResult(
            changes=bool(changed),
            replaces=replaces,
            delete_before_replace=delete_first,
        )

    def create(self, props: dict[str, Any]) -> CreateResult:
        """Create the job (or adopt ``adoptId``); refuse a duplicate name unless allowed."""
        job = _parse_declared(props)
        options = _options(props)
        client = _client()
        tenant = job.tenant_id
        adopt_id = options.get("adoptId")
        if adopt_id:
            try:
                client.get_job(adopt_id, tenant_id=tenant)
            except JobNotFoundError:
                raise UserError(
                    f"adopt_id {adopt_id!r}: no such job in tenant {tenant!r}; check the id "
                    "(OpsRamp > Automation > Jobs) or remove adopt_id to create a new job"
                ) from None
            live = client.update_job(adopt_id, {**job.to_wire(), "id": adopt_id}, tenant_id=tenant)
            live = {**live, "id": live.get("id") or adopt_id}
            _remember_name(client, job, adopt_id)
        else:
            live = _create_once(
                client, job, allow_duplicate=bool(options.get("allowDuplicateName"))
            )
        outs = _outputs(job, live, options)
        return CreateResult(id_=str(live["id"]), outs=outs)

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        """Return the live job in canonical form, or an empty result when it is gone."""
        tenant = props.get("tenantId") or _default_tenant()
        try:
            live = _client().get_job(id_, tenant_id=tenant)
        except JobNotFoundError:
            if "script" not in props:  # OpsRampJob.get (a refresh has the job's outputs)
                raise UserError(
                    f"OpsRampJob.get: no job {id_!r} in tenant {tenant!r}: check the id "
                    "(OpsRamp > Automation > Jobs) and tenant_id"
                ) from None
            return ReadResult(id_="", outs={})
        try:
            declared = _parse_declared(props)
        except JobValidationError:
            declared = parse_job(live, tenant, from_server=True)
        options = _options(props)
        outs = _outputs(declared, live, options, previous=props)
        inputs = {k: outs[k] for k in INPUT_KEYS if k in outs}
        return ReadResult(id_=id_, outs=outs, inputs={**inputs, **options})

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        """Update the job in place (OpsRamp takes the full body on the job's path)."""
        job = _parse_declared(news)
        try:
            live = _client().update_job(id_, {**job.to_wire(), "id": id_}, tenant_id=job.tenant_id)
        except JobNotFoundError:
            raise UserError(
                f"job {id_} no longer exists in tenant {job.tenant_id!r} (deleted outside "
                "Pulumi?): run `pulumi refresh` to drop it from the state, then `pulumi up` "
                "to create it again"
            ) from None
        live = {**live, "id": live.get("id") or id_}
        _remember_name(_client(), job, id_)
        return UpdateResult(outs=_outputs(job, live, _options(news), previous=olds))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        """Delete the job; a job that is already gone counts as deleted."""
        tenant = props.get("tenantId") or _default_tenant()
        with contextlib.suppress(JobNotFoundError):
            _client().delete_job(id_, tenant_id=tenant)
        if tenant:
            # A replace deletes, then creates the same name: the guard must know it is free.
            _names().forget(tenant, id_)
