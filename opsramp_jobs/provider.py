"""The Pulumi dynamic provider for OpsRamp jobs: a thin lifecycle over the model and the client.

PUBLIC CONTRACT: every stack's state names ``opsramp_jobs.provider.OpsRampJobProvider`` (the
provider is pickled by reference). Never move or rename this module or the class.

The pickled provider holds nothing: connection settings arrive through ``configure`` and live in
this process only, with one client (one token) shared by the provider server's worker threads.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

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

from opsramp_jobs import sdk_patches
from opsramp_jobs.errors import (
    JobNotFoundError,
    JobValidationError,
    OpsRampCredentialsError,
    OpsRampError,
    PartialCreateError,
    UserError,
)
from opsramp_jobs.presentation import describe
from opsramp_jobs.settings import (
    CONFIG_KEYS,
    ConnectionSettings,
    SettingsError,
    default_tenant,
    missing_tenant_fix,
    resolve_settings,
)
from opsramp_jobs.uniqueness import ADOPT_EXISTING_ENV, NameGuard, NameNotSettledError, job_type_of

if TYPE_CHECKING:
    # Imported where first used: the client (`_client`) brings `requests`, which a process that
    # only checks and diffs needs for one token; the model (`_parse_job`) brings pydantic, which
    # it needs only for a job that is new or changed. Together most of this module's import.
    from opsramp_jobs.client import OpsRampClient
    from opsramp_jobs.model import Job

__all__ = ["ADOPT_EXISTING_ENV", "INPUT_KEYS", "OPTION_KEYS", "OpsRampJobProvider"]

log = logging.getLogger("opsramp_jobs.provider")

# State properties that describe the job, in OpsRamp's own field names.
INPUT_KEYS = ("name", "tenantId", "entities", "script", "schedule", "jobQueued")
# Inputs that steer how `create` behaves; they never change the job itself, so never diff.
OPTION_KEYS = ("adoptId", "allowDuplicateName")
# Outputs the provider adds; the resource lists them (as None) so the SDK resolves them.
OUTPUT_KEYS = ("scriptName",)
PROVIDER_KEY = "__provider"


class _Connection:
    """The process's settings and its one client, set by ``configure``."""

    lock = threading.Lock()
    config: Mapping[str, Any] = {}
    settings: ConnectionSettings | None = None
    problems: list[str] = []
    client: OpsRampClient | None = None
    guard: NameGuard | None = None  # job-name uniqueness, with what it knows of the tenants
    credentials_checked = False  # by the first check of this process (see _credentials_failure)


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
            _Connection.credentials_checked = False
        # The engine configures each provider process once, at the start of an operation: job
        # names are listed afresh for it.
        _Connection.guard = None
        _Connection.settings, _Connection.problems = settings, []


def _adopt_existing() -> bool:
    """Whether this `up` runs with the one-off adopt switch (OPSRAMP_ADOPT_EXISTING=1)."""
    return os.environ.get(ADOPT_EXISTING_ENV, "").strip().lower() in ("1", "true", "yes")


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
            from opsramp_jobs.client import client_for  # noqa: PLC0415 (see TYPE_CHECKING)

            _Connection.client = client_for(_Connection.settings)
        return _Connection.client


def _guard() -> NameGuard:
    with _Connection.lock:
        if _Connection.guard is None:
            # The client is built on the guard's first lookup: a preview's diffs only hold ids.
            _Connection.guard = NameGuard(_client)
        return _Connection.guard


def _credentials_failure() -> list[CheckFailure]:
    """The first check of a process fetches a token: refused credentials fail the preview once.

    Later checks add nothing (the first failure fails the whole preview, so the message is not
    printed once per job). OpsRamp unreachable is only a warning: a preview still works offline.
    """
    with _Connection.lock:
        if _Connection.credentials_checked or _Connection.settings is None:
            return []
        _Connection.credentials_checked = True
    try:
        _client().check_credentials()
    except OpsRampCredentialsError as refused:
        sdk_patches.print_traceback_if_asked(refused)
        return [CheckFailure("", describe(refused) or refused.message)]
    except OpsRampError as error:
        log.warning("the OpsRamp credentials could not be checked: %s", error.message)
    return []


def _warn_look_alikes(olds: Mapping[str, Any], canonical: Mapping[str, Any]) -> None:
    """For a new job or a new name: warn about jobs whose names only look the same."""
    name, tenant = canonical.get("name"), canonical.get("tenantId")
    if not isinstance(name, str) or not isinstance(tenant, str) or olds.get("name") == name:
        return
    if _Connection.settings is None:
        return
    _guard().warn_look_alikes(tenant, name)


def _default_tenant() -> str | None:
    settings = _Connection.settings
    return settings.tenant_id if settings else default_tenant(_Connection.config)


# --------------------------------------------------------------------------------------------
# Unknown values (preview)
# --------------------------------------------------------------------------------------------


# How the SDK's server passes a value unknown at preview (deserialised with keep_unknowns).
_UNKNOWN_TEXT = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"


def _is_unknown(value: object) -> bool:
    return known_types.is_unknown(value) or value == _UNKNOWN_TEXT


def _has_unknown(value: object) -> bool:
    """Whether any value inside ``value`` is unknown (cheap: no paths; most inputs are known)."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, dict):
            pending.extend(item.values())
        elif isinstance(item, list | tuple):
            pending.extend(item)
        elif isinstance(item, str | int | float | bool) or item is None:
            if item == _UNKNOWN_TEXT:
                return True
        elif isinstance(item, Mapping):
            pending.extend(item.values())
        elif _is_unknown(item):
            return True
    return False


def _unknown_paths(value: object, path: str = "") -> list[str]:
    """Return the property paths (model error style) of every unknown value."""
    if not path and not _has_unknown(value):
        return []  # the usual case, without building a path for every value
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


def _parse_job(
    payload: Mapping[str, Any], tenant_id: str | None = None, *, from_server: bool = False
) -> Job:
    """``parse_job`` of the model, imported on the first parse (see TYPE_CHECKING)."""
    from opsramp_jobs.model import parse_job  # noqa: PLC0415

    return parse_job(payload, tenant_id, from_server=from_server)


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
        return _parse_job(inputs).canonical()
    except JobValidationError:
        return inputs


def _job_type(props: Mapping[str, Any]) -> object:
    return job_type_of(dict(props))


def _outputs(
    declared: Job,
    live: Mapping[str, Any],
    options: Mapping[str, Any],
    *,
    observed: Job | None = None,
) -> dict[str, Any]:
    """Build the resource's outputs from the job OpsRamp returned (read after write).

    ``observed``: `live` already parsed (with the declared job's tenant), when the caller has it.
    Only what the program cannot derive is added to the canonical job (a custom script's name):
    the id is the resource's, the schedule in words and the next runs come from `schedule`, and
    the entities' details are looked up when read (OpsRampJob's properties).
    """
    from opsramp_jobs.model import CustomScript, server_details  # noqa: PLC0415 (see TYPE_CHECKING)

    if observed is None:
        try:
            observed = _parse_job(live, declared.tenant_id, from_server=True)
        except JobValidationError:
            # The job exists (we have its id); an unexpected echo must not orphan it. Record
            # what was declared; the next refresh shows any difference.
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
    details = server_details(live)
    outputs = {**observed.canonical(), **options}
    if isinstance(observed.script, CustomScript) and details.script_name:
        # The program names a custom script by id; its name is known only from OpsRamp. A
        # built-in's name is its job type, which the program has (OpsRampJob.script_name).
        outputs["scriptName"] = details.script_name
    return outputs


def _settled_outputs(
    props: Mapping[str, Any],
    declared: Job | None,
    live: Mapping[str, Any],
    options: Mapping[str, Any],
    *,
    observed: Job | None = None,
) -> dict[str, Any]:
    """`_outputs`, or when that fails, what is known: the id of a job OpsRamp has is never lost.

    Called after a write that OpsRamp committed: an exception here would leave the job in
    OpsRamp and out of the state (an orphan the next `up` refuses as a duplicate).
    """
    if declared is not None:
        try:
            return _outputs(declared, live, options, observed=observed)
        except Exception:  # anything: the job exists, its id must reach the state
            log.exception("outputs of job %s could not be computed; recording its id", live["id"])
    inputs = _job_inputs(props)
    if declared is not None:
        with contextlib.suppress(Exception):
            inputs = declared.canonical()
    # The id reaches the state as the resource id (the caller returns it).
    return {**inputs, **options}


def _tenant_of(job: Job, client: OpsRampClient) -> str:
    """The tenant a call about `job` goes to (the client's default when the job names none)."""
    return job.tenant_id or client.tenant_id or ""


def _hold_existing(job_id: str, olds: Mapping[str, Any]) -> None:
    """Note that a resource of this program holds job `job_id` (so no other one adopts it)."""
    tenant = olds.get("tenantId") or _default_tenant()
    if not job_id or not isinstance(tenant, str) or _Connection.settings is None:
        return  # nothing to guard, or no connection (the preview reports that)
    _guard().hold(tenant, job_id)


def _declared_tenant(tenant: object) -> Any:
    """The tenant a parse of the declared inputs would carry (the model strips it)."""
    return tenant.strip() if isinstance(tenant, str) and tenant.strip() else tenant


def _lacks_credential_set(job: Job) -> bool:
    """Whether `job` is a custom script without a credential set (OpsRamp never echoes one)."""
    from opsramp_jobs.model import CustomScript  # noqa: PLC0415 (see TYPE_CHECKING)

    return isinstance(job.script, CustomScript) and job.script.credential_set is None


def _parse_declared(props: Mapping[str, Any]) -> Job:
    inputs = _job_inputs(props)
    if "tenantId" not in inputs and _default_tenant():
        inputs["tenantId"] = _default_tenant()
    return _parse_job(inputs)


# --------------------------------------------------------------------------------------------
# The provider
# --------------------------------------------------------------------------------------------


class OpsRampJobProvider(ResourceProvider):
    """Creates, reads, updates and deletes OpsRamp jobs (stateless; configured per process)."""

    # Nothing secret is captured in the pickle, so `__provider` need not be encrypted.
    serialize_as_secret_always = False

    def configure(self, req: ConfigureRequest) -> None:
        """Read connection settings from the stack config (secrets decrypted) or environment."""
        # Short errors, more server threads, exit with the engine (in the SDK's server only).
        sdk_patches.install()
        config = {key: req.config.get(key) for key in CONFIG_KEYS}
        _configure({key: value for key, value in config.items() if value is not None})

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        """Validate inputs with the model; return canonical inputs and every failure."""
        props = {k: v for k, v in news.items() if k != PROVIDER_KEY}
        failures: list[CheckFailure] = []
        options = _options(props)
        inputs = _job_inputs(props)
        adopt_id = options.get("adoptId")
        if adopt_id is not None and not _is_unknown(adopt_id) and not str(adopt_id).strip():
            failures.append(CheckFailure("adoptId", "must be the id of an existing job"))
        allow = options.get("allowDuplicateName")
        if allow is not None and not _is_unknown(allow) and not isinstance(allow, bool):
            failures.append(CheckFailure("allowDuplicateName", "must be true or false"))
        for problem in _Connection.problems:
            failures.append(CheckFailure("", problem))
        known = (*INPUT_KEYS, *OPTION_KEYS, *OUTPUT_KEYS)
        for key in sorted(k for k, v in props.items() if k not in known and v is not None):
            from difflib import get_close_matches  # noqa: PLC0415 (a mistake's cost only)

            close = get_close_matches(key, known, n=1)
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
        if not unknowns and inputs == _job_inputs(olds):
            # The usual preview: the state's inputs are what an earlier check returned, valid
            # and canonical, and OpsRampJob registers a job it knows whole in that form. The
            # same inputs again are the same job: nothing to parse (nor the model to import).
            canonical = inputs
        else:
            try:
                canonical = _parse_job(inputs).canonical()
            except JobValidationError as error:
                failures += [
                    CheckFailure(path, message)
                    for path, message in error.errors
                    if not _touches(path, unknowns)
                ]
        if unknowns or canonical is None:
            return CheckResult({**inputs, **options}, failures)
        if not failures:
            failures = _credentials_failure()
            if not failures:
                _warn_look_alikes(olds, canonical)
        return CheckResult({**canonical, **options}, failures)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        """Compare canonical old and new inputs; server-added outputs never cause a diff."""
        _hold_existing(_id, olds)
        old_inputs, new_inputs = _job_inputs(olds), _job_inputs(news)
        if old_inputs == new_inputs and not _has_unknown(new_inputs):
            # The usual preview: the state holds the canonical inputs a check returned, and
            # check returns them again. Equal inputs canonicalise equally, so nothing to parse.
            return DiffResult(changes=False, replaces=[], delete_before_replace=False)
        # Something differs, or the state is in an older form: compare canonical forms.
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
        tenant = _tenant_of(job, _client())
        guard = _guard()
        adopt_id = options.get("adoptId")
        if adopt_id and guard.was_retired(tenant, str(adopt_id)):
            # A replace of an adopted job (the old one deleted first) in this `up`: adoptId
            # stays in the inputs, but the job it named is gone by design; make the new one.
            adopt_id = None
        try:
            if adopt_id:
                live = guard.adopt(job, tenant, str(adopt_id))
            else:
                live = guard.create(
                    job,
                    tenant,
                    allow_duplicate=bool(options.get("allowDuplicateName")),
                    adopt_existing=_adopt_existing(),
                )
        except NameNotSettledError as unsettled:
            if unsettled.job is None:
                raise
            # The job exists and is this operation's: it is recorded with the error (a partial
            # create), never dropped. See docs/adoption.md "Adoption, duplicates and replacement".
            job_id = str(unsettled.job["id"])
            outs = _settled_outputs(props, job, unsettled.job, options)
            if sdk_patches.partial_creates_supported():
                outs[PROVIDER_KEY] = props.get(PROVIDER_KEY)
                raise PartialCreateError(str(unsettled), job_id, outs) from None
            # An SDK where the error cannot carry the job: keep the job, say it loudly.
            log.warning("%s", unsettled)
            return CreateResult(id_=job_id, outs=outs)
        # From here on OpsRamp has the job: nothing may raise.
        return CreateResult(id_=str(live["id"]), outs=_settled_outputs(props, job, live, options))

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
        live = {**live, "id": live.get("id") or id_}
        # The live job is parsed once; the declared inputs only when the live job needs them (an
        # echo that does not parse, or a credential set OpsRamp does not echo): a refresh of an
        # unchanged job parses one job, not two.
        observed: Job | None = None
        with contextlib.suppress(JobValidationError):
            observed = _parse_job(live, _declared_tenant(tenant), from_server=True)
        declared = observed
        if observed is None or _lacks_credential_set(observed):
            with contextlib.suppress(JobValidationError):
                declared = _parse_declared(props)
        options = _options(props)
        outs = _settled_outputs(props, declared, live, options, observed=observed)
        if outs == {k: v for k, v in props.items() if k != PROVIDER_KEY}:
            # Nothing drifted: the engine keeps the state's inputs when none are returned, and
            # serialising an unchanged copy cost every read of a refresh ~0.1-0.2 ms (~7 %).
            return ReadResult(id_=id_, outs=outs)
        # Drift (or a job read by id): the inputs become what OpsRamp holds, as the outputs do.
        inputs = {k: outs[k] for k in INPUT_KEYS if k in outs}
        return ReadResult(id_=id_, outs=outs, inputs={**inputs, **options})

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        """Update the job in place (OpsRamp takes the full body on the job's path)."""
        job = _parse_declared(news)
        options = _options(news)
        tenant = _tenant_of(job, _client())
        guard = _guard()
        if _comparable(olds) == _comparable(news) and job.name:
            # Nothing changed, so the engine is retrying a create that failed closed (a partial
            # create): the `up` fails again for as long as another job carries the name.
            live = {**olds, "id": id_}
            guard.recheck(id_, job.name, tenant, live)
            return UpdateResult(outs={k: v for k, v in olds.items() if k != PROVIDER_KEY})
        old: Job | None = None
        with contextlib.suppress(JobValidationError):
            old = _parse_declared(olds)
        live = guard.update(
            id_,
            job,
            tenant,
            old,
            olds.get("name"),
            allow_duplicate=bool(options.get("allowDuplicateName")),
        )
        return UpdateResult(outs=_settled_outputs(news, job, live, options))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        """Delete the job; a job that is already gone counts as deleted."""
        tenant = props.get("tenantId") or _default_tenant()
        if tenant and _guard().was_adopted(tenant, id_):
            # Another resource adopted this job in this `up` (a job moved to a new resource):
            # deleting it would leave that resource pointing at nothing.
            log.warning("job %s was adopted by another resource in this `up`; not deleted", id_)
            return
        with contextlib.suppress(JobNotFoundError):
            _client().delete_job(id_, tenant_id=tenant)
        if tenant:
            # A replace deletes, then creates the same name: the guard must know it is free.
            _guard().retire(tenant, id_)
