"""The Pulumi dynamic provider for OpsRamp jobs: a thin lifecycle over the model and the client.

PUBLIC CONTRACT: every stack's state names ``opsramp_jobs.provider.OpsRampJobProvider`` (the
provider is pickled by reference). Never move or rename this module or the class.

The pickled provider holds nothing: connection settings arrive through ``configure`` and live in
this process only, with one client (one token) shared by the provider server's worker threads.
"""

from __future__ import annotations

import contextlib
import difflib
import logging
import os
import random
import threading
import time
from collections.abc import Mapping, Sequence
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
from opsramp_jobs.errors import JobNotFoundError, OpsRampError
from opsramp_jobs.model import (
    CustomScript,
    Job,
    JobValidationError,
    parse_job,
    server_details,
)
from opsramp_jobs.names import JobNames
from opsramp_jobs.presentation import UserError
from opsramp_jobs.settings import (
    CONFIG_KEYS,
    ConnectionSettings,
    SettingsError,
    default_tenant,
    missing_tenant_fix,
    resolve_settings,
)

if TYPE_CHECKING:
    # Imported where first used (`_client`): the client brings `requests` (a third of this
    # module's import cost), which a process that only checks and diffs never needs.
    from opsramp_jobs.client import OpsRampClient

__all__ = ["ADOPT_EXISTING_ENV", "INPUT_KEYS", "OPTION_KEYS", "OpsRampJobProvider"]

log = logging.getLogger("opsramp_jobs.provider")

# State properties that describe the job, in OpsRamp's own field names.
INPUT_KEYS = ("name", "tenantId", "entities", "script", "schedule", "jobQueued")
# Inputs that steer how `create` behaves; they never change the job itself, so never diff.
OPTION_KEYS = ("adoptId", "allowDuplicateName")
# Outputs the provider adds; the resource lists them (as None) so the SDK resolves them.
OUTPUT_KEYS = ("scriptName",)
PROVIDER_KEY = "__provider"
# The one-off switch of README "If an `up` was interrupted": a create whose name exactly one job
# in the tenant carries adopts that job instead of refusing it. Never on by default.
ADOPT_EXISTING_ENV = "OPSRAMP_ADOPT_EXISTING"
# Rounds of create-then-verify when every creator of one name backed off (see _create_guarded).
CREATE_ROUNDS = 6
# A round slowed by throttling must not stretch the pauses between rounds to minutes.
MAX_ROUND_SECONDS = 2.0


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
            from opsramp_jobs.client import OpsRampClient  # noqa: PLC0415 (see TYPE_CHECKING)

            _Connection.client = OpsRampClient.from_settings(_Connection.settings)
        return _Connection.client


def _names() -> JobNames:
    with _Connection.lock:
        if _Connection.names is None:
            # The client is built on the guard's first lookup: a preview's diffs only hold ids.
            _Connection.names = JobNames(_client)
        return _Connection.names


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
    *,
    observed: Job | None = None,
) -> dict[str, Any]:
    """Build the resource's outputs from the job OpsRamp returned (read after write).

    ``observed``: `live` already parsed (with the declared job's tenant), when the caller has it.
    Only what the program cannot derive is added to the canonical job (a custom script's name):
    the id is the resource's, the schedule in words and the next runs come from `schedule`, and
    the entities' details are looked up when read (OpsRampJob's properties).
    """
    if observed is None:
        try:
            observed = parse_job(live, declared.tenant_id, from_server=True)
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


def _already_exists(name: str, tenant: str, ids: Sequence[str]) -> UserError:
    """The refusal of a create whose name another job in the tenant carries."""
    return UserError(
        f"job {name!r} already exists in tenant {tenant!r} (id {', '.join(ids)}); adopt it with "
        f"adopt_id={ids[0]!r} or choose another name (allow_duplicate_name=True creates a second "
        f"job anyway; if an interrupted `pulumi up` created it: `{ADOPT_EXISTING_ENV}=1 pulumi "
        "up` once adopts it)"
    )


def _name_taken(job_id: str, name: str, tenant: str, ids: Sequence[str]) -> UserError:
    """The refusal of a rename (or an adoption) to a name another job in the tenant carries."""
    return UserError(
        f"cannot give job {job_id} the name {name!r}: job {', '.join(ids)} in tenant {tenant!r} "
        "already carries it; choose another name, or rename or delete that job first "
        "(allow_duplicate_name=True permits two jobs with one name)"
    )


def _rivals(names: JobNames, tenant: str, name: str, mine: str) -> list[str] | None:
    """Other jobs carrying `name` now, from a live search; None when the search failed."""
    try:
        return [job_id for job_id in names.confirm(tenant, name) if job_id != mine]
    except OpsRampError as error:
        log.warning("could not check that job %s is the only one named %r: %s", mine, name, error)
        return None


def _create_guarded(
    client: OpsRampClient, job: Job, tenant: str, *, allow_duplicate: bool
) -> dict[str, Any]:
    """Create the job unless its name is taken; the job as OpsRamp stored it.

    Two processes (two stacks, or a stack and a script) may create one name at the same moment,
    and a look-up before the POST cannot see a job the other is about to make. So every create
    is checked after the POST with a live search of the name:
      - no other job carries it: done, this job is the one;
      - another does: delete this job and search again (twice, a round apart, as the other
        may be withdrawing too); if another is still there it won: refuse; if none is (every
        creator backed off at once), pause and try again.
    Safety, with a linearizable store (a search sees every write completed before it):
      - Two creators cannot both keep their jobs: of the two jobs, the creator of the one stored
        second searched after storing it, so it saw the first, which its creator (keeping it)
        never deleted; seeing it, it withdrew.
      - All creators refusing with no job left is impossible: take the last deletion by any of
        them, at time D. Its creator refused, so its search after D saw another job J; that J
        is gone in the end, so J's creator deleted it after that search, after D: a contradiction.
    Both backing off is left to chance: each knows the ids of the jobs the other made, so the one
    whose id is smaller retries first and the other after twice as long; at worst a creator gives
    up after CREATE_ROUNDS rounds with no job made. Cost: one name search per create, plus a
    delete and two searches per collision (searches and writes are separate 50/min budgets).
    """
    names, name = _names(), job.name
    if not name:  # check requires a name; only a direct caller can get here without one
        return client.create_job(job.to_wire(), tenant_id=tenant)
    for round_no in range(CREATE_ROUNDS):
        with names.claim(tenant, name) as listed:
            # The listing may be seconds old: a "taken" is confirmed live; so is every answer
            # after a collision, when the rival may just have made its job.
            existing = listed
            if (listed or round_no > 0) and not allow_duplicate:
                existing = names.confirm(tenant, name)
            if existing and not allow_duplicate:
                if _adopt_existing():
                    return _adopt_only_match(client, job, tenant, existing)
                raise _already_exists(name, tenant, existing)
            started = time.monotonic()
            # The ids already carrying the name tell the client which job is ours if the answer
            # to the POST is lost.
            live = client.create_job(job.to_wire(), tenant_id=tenant, existing_ids=existing)
            mine = str(live["id"])
            names.record(tenant, mine, name)
            if allow_duplicate:
                return live
            rivals = _rivals(names, tenant, name, mine)
            if not rivals:  # alone with this name (or unable to tell: keep the job, never orphan)
                return live
            try:
                with contextlib.suppress(JobNotFoundError):
                    client.delete_job(mine, tenant_id=tenant)
            except OpsRampError:
                log.exception(
                    "job %s and %s both carry the name %r in %s, and withdrawing %s failed; "
                    "keeping it in the state",
                    mine, ", ".join(rivals), name, tenant, mine,
                )  # fmt: skip
                return live
            names.forget(tenant, mine)
            round_seconds = min(time.monotonic() - started, MAX_ROUND_SECONDS)
            remaining = _rivals(names, tenant, name, mine)
            if remaining:
                # The rival may be withdrawing too (it saw ours) and about to retry: look again
                # a round later, so that a refusal names the job that stays.
                time.sleep(round_seconds)
                remaining = _rivals(names, tenant, name, mine)
            if remaining is None or remaining:
                raise _already_exists(name, tenant, remaining or rivals)
            rank = sum(1 for rival in rivals if rival < mine)
            pause = (2 * rank + random.random()) * round_seconds * 2**round_no
        log.info("job %r: another create of it collided with ours; retrying in %.2fs", name, pause)
        time.sleep(pause)
    raise UserError(
        f"job {name!r} in tenant {tenant!r}: another process created the same name at the same "
        f"moment {CREATE_ROUNDS} times in a row, and each time both withdrew; no job of this name "
        "was left by this `up`: run `pulumi up` again"
    )


def _adopt_only_match(
    client: OpsRampClient, job: Job, tenant: str, existing: Sequence[str]
) -> dict[str, Any]:
    """With OPSRAMP_ADOPT_EXISTING: take over the one job carrying the declared name."""
    if len(existing) > 1:
        raise UserError(
            f"{len(existing)} jobs are named {job.name!r} in tenant {tenant!r} "
            f"({', '.join(existing)}); {ADOPT_EXISTING_ENV} adopts only a single match: adopt one "
            f"with adopt_id={existing[0]!r} and delete the others"
        )
    log.warning(
        "job %r: adopting existing job %s (%s=1)", job.name, existing[0], ADOPT_EXISTING_ENV
    )
    return _adopt(client, job, tenant, existing[0])


def _adopt(client: OpsRampClient, job: Job, tenant: str, job_id: str) -> dict[str, Any]:
    """Take over job `job_id`: update it to the declared inputs; the job as OpsRamp stored it."""
    names = _names()
    if not names.hold(tenant, job_id):
        raise UserError(
            f"job {job_id} in tenant {tenant!r} is already managed by another resource of this "
            "program: two resources must not hold one job (deleting one would delete the "
            "other's job); remove one of them or its adopt_id"
        )
    try:
        live = _take_over(client, names, job, tenant, job_id)
    except BaseException:
        names.release(tenant, job_id)
        raise
    names.mark_adopted(tenant, job_id)
    if job.name:
        names.record(tenant, job_id, job.name)
    return {**live, "id": live.get("id") or job_id}


def _take_over(
    client: OpsRampClient, names: JobNames, job: Job, tenant: str, job_id: str
) -> dict[str, Any]:
    """Update existing job `job_id` to the declared inputs, unless its new name is taken."""
    try:
        current = client.get_job(job_id, tenant_id=tenant)
    except JobNotFoundError:
        raise UserError(
            f"adopt_id/import_ {job_id!r}: no such job in tenant {tenant!r}; check the id "
            "(OpsRamp > Automation > Jobs) or remove it to create a new job"
        ) from None
    live_type = _job_type(current)
    if live_type is not None and live_type != job.job_type:
        # Assumption (as in diff): OpsRamp does not change a job's type in place, so adopting a
        # job of another type would be the in-place type change a replace exists to avoid.
        raise UserError(
            f"adopt_id/import_ {job_id!r}: that job is of type {live_type!r} and the program "
            f"declares {job.job_type!r}; a job's type cannot change in place: declare "
            f"script={{'jobType': {live_type!r}, ...}} to adopt it, or remove adopt_id/import_ "
            "to create a new job"
        )
    if job.name and current.get("name") != job.name:
        taken = [i for i in names.confirm(tenant, job.name) if i != job_id]
        if taken:
            raise _name_taken(job_id, job.name, tenant, taken)
    return client.update_job(job_id, {**job.to_wire(), "id": job_id}, tenant_id=tenant)


def _update_guarded(
    client: OpsRampClient,
    job_id: str,
    job: Job,
    tenant: str,
    olds: Mapping[str, Any],
    *,
    allow_duplicate: bool,
) -> dict[str, Any]:
    """Update a job in place; a new name another job carries is refused before it is sent."""
    names, name = _names(), job.name or ""
    renamed = bool(name) and olds.get("name") != name and not allow_duplicate
    if renamed:
        taken = [i for i in names.confirm(tenant, name) if i != job_id]
        if taken:
            raise _name_taken(job_id, name, tenant, taken)
    try:
        live = client.update_job(job_id, {**job.to_wire(), "id": job_id}, tenant_id=tenant)
    except JobNotFoundError:
        raise UserError(
            f"job {job_id} no longer exists in tenant {tenant!r} (deleted outside "
            "Pulumi?): run `pulumi refresh` to drop it from the state, then `pulumi up` "
            "to create it again"
        ) from None
    live = {**live, "id": live.get("id") or job_id}
    if not name:
        return live
    names.record(tenant, job_id, name)
    rivals = _rivals(names, tenant, name, job_id) if renamed else None
    if not rivals:
        return live
    # Someone took the name while we renamed: put the old job back (the state keeps it).
    try:
        old = _parse_declared(olds)
        client.update_job(job_id, {**old.to_wire(), "id": job_id}, tenant_id=tenant)
    except (JobValidationError, OpsRampError):
        log.exception(
            "job %s was renamed to %r, which %s also carries, and undoing the rename failed; "
            "keeping the rename in the state", job_id, name, ", ".join(rivals),
        )  # fmt: skip
        return live
    if old.name:
        names.record(tenant, job_id, old.name)
    raise _name_taken(job_id, name, tenant, rivals)


def _hold_existing(job_id: str, olds: Mapping[str, Any]) -> None:
    """Note that a resource of this program holds job `job_id` (so no other one adopts it)."""
    tenant = olds.get("tenantId") or _default_tenant()
    if not job_id or not isinstance(tenant, str) or _Connection.settings is None:
        return  # nothing to guard, or no connection (the preview reports that)
    _names().hold(tenant, job_id)


def _declared_tenant(tenant: object) -> Any:
    """The tenant a parse of the declared inputs would carry (the model strips it)."""
    return tenant.strip() if isinstance(tenant, str) and tenant.strip() else tenant


def _lacks_credential_set(job: Job) -> bool:
    """Whether `job` is a custom script without a credential set (OpsRamp never echoes one)."""
    return isinstance(job.script, CustomScript) and job.script.credential_set is None


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
        # Short errors, more server threads, exit with the engine (in the SDK's server only).
        sdk_patches.install()
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
        allow = options.get("allowDuplicateName")
        if allow is not None and not _is_unknown(allow) and not isinstance(allow, bool):
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
        client = _client()
        tenant = _tenant_of(job, client)
        adopt_id = options.get("adoptId")
        if adopt_id and _names().was_retired(tenant, str(adopt_id)):
            # A replace of an adopted job (the old one deleted first) in this `up`: adoptId
            # stays in the inputs, but the job it named is gone by design; make the new one.
            adopt_id = None
        if adopt_id:
            live = _adopt(client, job, tenant, str(adopt_id))
        else:
            allow_duplicate = bool(options.get("allowDuplicateName"))
            live = _create_guarded(client, job, tenant, allow_duplicate=allow_duplicate)
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
            observed = parse_job(live, _declared_tenant(tenant), from_server=True)
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
        client = _client()
        options = _options(news)
        live = _update_guarded(
            client,
            id_,
            job,
            _tenant_of(job, client),
            olds,
            allow_duplicate=bool(options.get("allowDuplicateName")),
        )
        return UpdateResult(outs=_settled_outputs(news, job, live, options))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        """Delete the job; a job that is already gone counts as deleted."""
        tenant = props.get("tenantId") or _default_tenant()
        if tenant and _names().was_adopted(tenant, id_):
            # Another resource adopted this job in this `up` (a job moved to a new resource):
            # deleting it would leave that resource pointing at nothing.
            log.warning("job %s was adopted by another resource in this `up`; not deleted", id_)
            return
        with contextlib.suppress(JobNotFoundError):
            _client().delete_job(id_, tenant_id=tenant)
        if tenant:
            # A replace deletes, then creates the same name: the guard must know it is free.
            _names().retire(tenant, id_)
