"""`opsramp-jobs doctor`: check, in seconds, that a tenant is ready for `pulumi up`.

Read-only checks: the URL answers, which token path works, the credentials, the tenant and its
kind, the job types it offers, the rate-limit headers, the search paging shape. With ``write``,
one job per documented shape is created (no devices, nothing scheduled before 2099), read back,
compared with what the provider expects, and always deleted. ``sweep`` deletes the jobs a doctor
or an acceptance run made and left behind (interrupted), and nothing else: see
:func:`made_by_a_run`.

Every request goes through the client (`client.py`): its exchange (session, proxy, CA bundle,
timeouts) and its retry bounds for the raw probes, its calls for the rest.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import subprocess
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TextIO
from urllib.parse import quote

import requests

from .client import PAGING_FIELDS, TOKEN_PATHS, OpsRampClient, client_for
from .errors import JobNotFoundError, OpsRampError, OpsRampJobsError
from .exchange import json_body
from .model import (
    JOB_TYPES,
    AdCheckList,
    AppInstall,
    Approval,
    AppUpdate,
    AssetInfo,
    ConfigParams,
    CustomScript,
    EveryDay,
    EveryNDays,
    EveryWeekday,
    Job,
    JobValidationError,
    MonthlyOnDays,
    MonthlyOnWeekday,
    NetworkConfigBackup,
    Never,
    RunOnce,
    Schedule,
    Weekly,
    WireModel,
    device,
    parse_job,
)
from .settings import SOURCES as SETTING_SOURCES
from .settings import ConnectionSettings, api_url_problem, lookup_setting
from .uniqueness import NameGuard

__all__ = [
    "CLIENT_OPTIONS",
    "FAR_FUTURE",
    "JOB_PREFIX",
    "PAGING_FIELDS",
    "Check",
    "Difference",
    "DoctorReport",
    "ShapeOptions",
    "ShapeResult",
    "SweepPlan",
    "delete_planned",
    "expected_echo",
    "field_differences",
    "made_by_a_run",
    "new_run_id",
    "plan_sweep",
    "render",
    "run_doctor",
    "run_prefix",
    "run_sweep",
    "setting_origins",
    "shapes",
    "stack_config",
    "sweep",
    "tenant_kind",
]

# Every job the acceptance tests and the doctor create is named `<JOB_PREFIX><run id>-…`.
JOB_PREFIX = "opsramp-jobs-acc-"
# Far enough ahead that no job made by a check is ever due before it is deleted.
FAR_FUTURE = "2099-12-01T02:30:00+0000"
RATE_LIMIT_HEADERS = ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset")
# The doctor's client gives up sooner than the provider's: it answers in seconds.
CLIENT_OPTIONS: Mapping[str, Any] = {"max_retry_seconds": 20.0, "max_throttle_wait": 70.0}


class _Missing:
    """A field one side of a comparison does not have."""

    def __repr__(self) -> str:
        return "(absent)"


MISSING = _Missing()

Status = Literal["ok", "warn", "fail"]


@dataclass(frozen=True)
class Check:
    """One line of the report; a `fail` means a `pulumi up` would go wrong."""

    name: str
    status: Status
    detail: str


@dataclass(frozen=True)
class Difference:
    """A field OpsRamp echoed differently from what the provider expects."""

    path: str
    expected: Any
    echoed: Any

    def __str__(self) -> str:
        return f"{self.path}: expected {self.expected!r}, echoed {self.echoed!r}"


@dataclass
class ShapeResult:
    """What happened to one documented job shape written with ``--write``."""

    shape: str
    status: Status = "ok"
    detail: str = ""
    differences: list[Difference] = field(default_factory=list)
    canonical_matches: bool | None = None
    deleted: bool = False


@dataclass
class DoctorReport:
    """Every check and written shape, in order."""

    checks: list[Check] = field(default_factory=list)
    shapes: list[ShapeResult] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """True when nothing a `pulumi up` needs is wrong."""
        return all(c.status != "fail" for c in self.checks) and all(
            s.status != "fail" for s in self.shapes
        )

    def check(self, name: str) -> Check:
        """The check of that name."""
        return next(c for c in self.checks if c.name == name)


# --------------------------------------------------------------------------------------------
# Raw probes (token paths, headers, shapes) through the client's exchange
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Answer:
    status: int
    headers: Mapping[str, str]
    body: Any


class _ProbeFailedError(OpsRampJobsError):
    """A probe that got no answer within the client's retry bounds; the client's message."""


def _probe(
    client: OpsRampClient,
    method: str,
    path: str,
    *,
    form: Mapping[str, str] | None = None,
    params: Mapping[str, str | int] | None = None,
    token: str | None = None,
) -> _Answer:
    """One answer, any status; retried as the client retries (every probe may be repeated).

    A transport failure and a 5xx are retried within the client's bounds; the last 5xx is the
    answer, a transport failure past the bounds raises _ProbeFailedError.
    """
    headers = {"Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    started = time.monotonic()
    attempt = 0
    while True:
        attempt += 1
        try:
            response = client.exchange.send(
                method, path, attempt, headers=headers, params=params, form=form
            )
        except requests.RequestException as exc:
            if client.retry.may_retry(attempt, started):
                client.retry.sleep(attempt)
                continue
            failure = client.exchange.connection_error(method, path, exc)
            raise _ProbeFailedError(failure.message) from None
        if response.status_code >= 500 and client.retry.may_retry(attempt, started):
            client.retry.sleep(attempt)
            continue
        return _Answer(response.status_code, dict(response.headers), json_body(response))


# --------------------------------------------------------------------------------------------
# Field-by-field comparison of a read-back job with what the provider expects
# --------------------------------------------------------------------------------------------

# Fields OpsRamp adds to a stored job (enrichment): not differences.
_ENRICHMENT_PREFIXES = (
    "script.customScript.name",
    "script.customScript.description",
    "script.customScript.platforms",
)
_ENTITY_ENRICHMENT = ("generalInfo", "resourceName", "aliasName", "clientUniqueId")


def _leaves(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """(path, value) of every leaf; an empty object or list is a leaf."""
    if isinstance(value, dict) and value:
        for key, item in value.items():
            yield from _leaves(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list) and value:
        for index, item in enumerate(value):
            yield from _leaves(item, f"{path}[{index}]")
    else:
        yield path, value


def _is_enrichment(path: str) -> bool:
    if path == "id" or path.startswith(_ENRICHMENT_PREFIXES):
        return True
    if path.startswith("entities[") and ".resource." in path:
        return path.split(".resource.", 1)[1].split(".", maxsplit=1)[0] in _ENTITY_ENRICHMENT
    return path.startswith("script.parameters[") and path.endswith(".name")


def expected_echo(wire: Mapping[str, Any]) -> dict[str, Any]:
    """The job as the provider assumes OpsRamp echoes the body it was sent (enrichment aside)."""
    echo: dict[str, Any] = json.loads(json.dumps(wire))
    script = echo.get("script")
    if isinstance(script, dict) and script.get("jobType") == "custom":
        # Assumptions (docs/opsramp-api.md "Assumptions"): a custom job comes back without
        # `jobType`, with integer ids, and without `credentialSet`.
        del script["jobType"]
        script.pop("credentialSet", None)
        ref = script.get("customScript")
        if isinstance(ref, dict) and "id" in ref:
            ref["id"] = int(ref["id"])
        for parameter in script.get("parameters") or []:
            parameter["paramId"] = int(parameter["paramId"])
    return echo


def _same(a: Any, b: Any) -> bool:
    """Equal and of the same JSON type (True is not 1, "2" is not 2)."""
    return type(a) is type(b) and a == b


def field_differences(expected: Mapping[str, Any], echoed: Mapping[str, Any]) -> list[Difference]:
    """Every leaf that is missing, different or added (enrichment aside), in path order."""
    want, got = dict(_leaves(expected)), dict(_leaves(echoed))
    found = [
        Difference(path, value, got.get(path, MISSING))
        for path, value in want.items()
        if path not in got or not _same(value, got[path])
    ]
    found += [
        Difference(path, MISSING, value)
        for path, value in got.items()
        if path not in want and not _is_enrichment(path)
    ]
    return sorted(found, key=lambda d: d.path)


# --------------------------------------------------------------------------------------------
# The documented shapes written by --write
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ShapeOptions:
    """What a tenant needs for the shapes: devices to attach, a custom script to reference."""

    device_ids: tuple[str, ...] = ()
    script_id: int | None = None
    script_parameters: Mapping[int, str] = field(default_factory=dict)
    credential_set: str | None = None


def shapes(options: ShapeOptions) -> dict[str, tuple[WireModel, WireModel]]:
    """(script, pattern) of every documented shape: each pattern type, each job type family."""
    never = Never()
    found: dict[str, tuple[WireModel, WireModel]] = {
        "daily everyday": (AdCheckList(), EveryDay()),
        "daily every weekday": (AdCheckList(), EveryWeekday()),
        "daily every N days": (AdCheckList(), EveryNDays(repeat_frequency=2)),
        "weekly": (AdCheckList(), Weekly(week_days=["Sunday", "Thursday"])),
        "monthly on days": (AdCheckList(), MonthlyOnDays(day_of_month=[1, 15, 31])),
        "monthly on weekday": (
            AdCheckList(),
            MonthlyOnWeekday(week_index="Last", day_of_week="Friday"),
        ),
        "run once": (AdCheckList(), RunOnce()),
        "never": (AdCheckList(), never),
        # One type without parameters that the schema's 4-type enum omits (contradiction 1).
        "assetinfo": (AssetInfo(), never),
        # Non-default values, so a field OpsRamp renames or drops shows as a difference.
        "networkconfigbackup": (
            NetworkConfigBackup(
                config_params=ConfigParams(
                    versions_saved="VERSION_WITH_CHANGES",
                    back_up_trigger=True,
                    runtime_config_alert=True,
                    startup_config_files_backup=False,
                )
            ),
            never,
        ),
        "appinstall": (
            AppInstall(approval=Approval(approval_type=1, approval_reason="doctor")),
            never,
        ),
        "appupdate": (
            AppUpdate(approval=Approval(approval_type=0, alert_required=True)),
            never,
        ),
    }
    if options.script_id is not None:
        found["custom"] = (
            CustomScript.of(
                options.script_id,
                dict(options.script_parameters),
                user_type=2,
                credential_set=options.credential_set,
            ),
            never,
        )
    return found


def _shape_job(name: str, script: WireModel, pattern: WireModel, options: ShapeOptions) -> Job:
    return parse_job(
        {
            "name": name,
            "jobQueued": True,
            "entities": [device(d) for d in options.device_ids],
            "script": script,
            "schedule": Schedule.model_validate({"startDate": FAR_FUTURE, "pattern": pattern}),
        }
    )


def _write_shape(client: OpsRampClient, tenant: str, shape: str, job: Job) -> ShapeResult:
    """Create, read back, compare, and always delete one job."""
    result = ShapeResult(shape)
    wire = job.to_wire()
    job_id: str | None = None
    try:
        # Exactly once, whatever the answer (its name is the doctor's own: no name check).
        created = NameGuard(lambda: client).create_once(wire, tenant, existing=())
        job_id = str(created.get("id"))
        echoed = client.get_job(job_id, tenant_id=tenant)
        result.differences = field_differences(expected_echo(wire), echoed)
        result.canonical_matches = _canonical_matches(job, echoed, tenant)
        if not result.canonical_matches:
            result.status = "fail"
            result.detail = "read back differs from the declared job: every preview would diff"
        elif result.differences:
            result.detail = "normalised differently; the model absorbs it"
        else:
            result.detail = "echoed as expected"
    except (OpsRampError, JobValidationError) as exc:
        result.status = "fail"
        result.detail = f"{'create' if job_id is None else 'read back'} failed: {exc}"
    finally:
        if job_id is not None:
            result.deleted = _delete_quietly(client, job_id, tenant)
            if not result.deleted:
                result.status = "fail"
                result.detail += f"; delete of {job_id} FAILED: run `opsramp-jobs doctor --sweep`"
    return result


def _canonical_matches(declared: Job, echoed: Mapping[str, Any], tenant: str) -> bool:
    """Whether the provider reads the echo back as the declared job (as its `read` does)."""
    observed = parse_job(echoed, tenant, from_server=True)
    script = observed.script
    wanted = getattr(declared.script, "credential_set", None)
    if wanted is not None and getattr(script, "credential_set", None) is None:
        # OpsRamp quirk (as in the provider): credentialSet is never echoed; keep the declared one.
        observed = observed.model_copy(
            update={"script": script.model_copy(update={"credential_set": wanted})}
        )
    return observed.canonical() == declared.model_copy(update={"tenant_id": tenant}).canonical()


def _delete_quietly(client: OpsRampClient, job_id: str, tenant: str) -> bool:
    try:
        client.delete_job(job_id, tenant_id=tenant)
    except JobNotFoundError:
        return True
    except OpsRampError:
        return False
    return True


# --------------------------------------------------------------------------------------------
# Run ids, and sweeping what runs left behind
# --------------------------------------------------------------------------------------------

# `<JOB_PREFIX><8 hex: nonce><8 hex: seal>-…`: the seal is the start of sha256(JOB_PREFIX +
# nonce). Every job a doctor or acceptance run makes carries it in its name (the one field of
# OpsRamp's job schema a client chooses freely that comes back from a search, on every job
# type); a user's job, named by hand, does not: `opsramp-jobs-acc-user-important` has no run id.
_RUN_NAME = re.compile(rf"{re.escape(JOB_PREFIX)}(?P<nonce>[0-9a-f]{{8}})(?P<seal>[0-9a-f]{{8}})-.")


def _seal(nonce: str) -> str:
    return hashlib.sha256(f"{JOB_PREFIX}{nonce}".encode()).hexdigest()[:8]


def new_run_id() -> str:
    """A new run's id: 8 random hex digits and their 8-digit seal."""
    nonce = secrets.token_hex(4)
    return nonce + _seal(nonce)


def run_prefix(run_id: str) -> str:
    """The name prefix of every job one run makes."""
    return f"{JOB_PREFIX}{run_id}-"


def made_by_a_run(name: str) -> bool:
    """Whether a job name is one a doctor or acceptance run gave (prefix, run id, valid seal)."""
    found = _RUN_NAME.match(name)
    return found is not None and _seal(found["nonce"]) == found["seal"]


@dataclass(frozen=True)
class SweepPlan:
    """What a sweep deletes, and the jobs named alike that it keeps (no run id)."""

    tenant: str
    prefix: str
    delete: list[tuple[str, str]]  # (id, name)
    kept: list[tuple[str, str]]


def plan_sweep(client: OpsRampClient, tenant: str, prefix: str = JOB_PREFIX) -> SweepPlan:
    """The jobs of the tenant whose name starts with ``prefix`` and was given by a run."""
    if not prefix.strip():
        raise ValueError("--prefix is empty: give the start of the names to sweep")
    delete: list[tuple[str, str]] = []
    kept: list[tuple[str, str]] = []
    # Every job, filtered here: what OpsRamp's `name:` filter matches is undocumented (it might
    # be an exact match), and a sweep that misses a leftover job fails silently.
    for job in client.search_jobs(tenant_id=tenant):
        name = job.get("name")
        if isinstance(name, str) and name.startswith(prefix):
            (delete if made_by_a_run(name) else kept).append((str(job.get("id")), name))
    return SweepPlan(tenant, prefix, delete, kept)


def delete_planned(client: OpsRampClient, plan: SweepPlan) -> tuple[list[str], list[str]]:
    """Delete the plan's jobs: (ids deleted or already gone, problems).

    Each job is read again first and deleted only if it still carries the name planned: between
    the plan and a confirmation it may have been renamed.
    """
    deleted, problems = [], []
    for job_id, name in plan.delete:
        try:
            current = client.get_job(job_id, tenant_id=plan.tenant).get("name")
            if current != name:
                problems.append(f"{job_id} is now named {current!r}, not {name!r}: kept")
                continue
            client.delete_job(job_id, tenant_id=plan.tenant)
        except JobNotFoundError:
            pass  # gone already: what the sweep wanted
        except OpsRampError as exc:
            problems.append(f"{job_id} {name}: {exc}")
            continue
        deleted.append(job_id)
    return deleted, problems


def sweep(client: OpsRampClient, tenant: str, prefix: str = JOB_PREFIX) -> list[str]:
    """Delete, without asking, the jobs runs left in the tenant; return their ids."""
    deleted, problems = delete_planned(client, plan_sweep(client, tenant, prefix))
    if problems:
        raise OpsRampError(f"sweep of {tenant} left jobs behind: " + "; ".join(problems))
    return deleted


_MAX_LISTED = 50


def _listing(jobs: Sequence[tuple[str, str]]) -> list[str]:
    lines = [f"  {job_id}  {name}" for job_id, name in jobs[:_MAX_LISTED]]
    if len(jobs) > _MAX_LISTED:
        lines.append(f"  … and {len(jobs) - _MAX_LISTED} more")
    return lines


def _describe_plan(plan: SweepPlan) -> list[str]:
    if plan.delete:
        lines = [f"{len(plan.delete)} job(s) in {plan.tenant} made by a doctor or acceptance run:"]
        lines += _listing(plan.delete)
    else:
        lines = [
            f"nothing to delete: no job in {plan.tenant} named {plan.prefix}… was made by a "
            "doctor or acceptance run"
        ]
        if not plan.prefix.startswith(JOB_PREFIX) and not JOB_PREFIX.startswith(plan.prefix):
            lines.append(f"  (every such job is named {JOB_PREFIX}<run id>-…)")
    if plan.kept:
        lines.append(
            f"keeps {len(plan.kept)} job(s) named {plan.prefix}… that no doctor or acceptance "
            "run made (no run id):"
        )
        lines += _listing(plan.kept)
    return lines


def run_sweep(
    settings: ConnectionSettings,
    prefix: str = JOB_PREFIX,
    *,
    dry_run: bool = False,
    yes: bool = False,
    ask: Callable[[str], str] | None = None,
    out: TextIO,
    err: TextIO,
) -> int:
    """`doctor --sweep`: list, confirm (``ask``, or ``yes``), delete; the exit code.

    0: deleted, nothing to delete, or a dry run; 1: declined or a delete failed; 2: no tenant,
    or nothing to confirm with (no ``ask``) and no ``yes``.
    """
    if settings.tenant_id is None:
        print("✗ opsramp:tenantId is not set (or OPSRAMP_TENANT_ID)", file=err)
        return 2
    with _doctor_client(settings) as client:
        plan = plan_sweep(client, settings.tenant_id, prefix)
        print("\n".join(_describe_plan(plan)), file=out)
        if not plan.delete:
            return 0
        if dry_run:
            print("dry run: nothing deleted", file=out)
            return 0
        if not yes:
            if ask is None:
                print(
                    "✗ nothing deleted: no terminal to confirm on; run again with --yes to delete "
                    "them (or --dry-run to only list them)",
                    file=err,
                )
                return 2
            try:
                answer = ask(f"Delete the {len(plan.delete)} job(s) made by a run? [y/N] ")
            except (EOFError, KeyboardInterrupt):
                answer = ""
            if answer.strip().lower() not in ("y", "yes"):
                print("nothing deleted", file=out)
                return 1
        deleted, problems = delete_planned(client, plan)
    print(f"deleted {len(deleted)} job(s) in {plan.tenant}", file=out)
    for problem in problems:
        print(f"✗ {problem}", file=err)
    return 1 if problems else 0


# --------------------------------------------------------------------------------------------
# The checks
# --------------------------------------------------------------------------------------------


# Setting name -> where the user set it: a stack config key (opsramp:clientId), an environment
# variable (OPSRAMP_CLIENT_ID) or a command-line flag (--client-id).
Origins = Mapping[str, str]
_CONFIG_ORIGINS: dict[str, str] = {name: source.key for name, source in SETTING_SOURCES.items()}


def setting_origins(
    config: Mapping[str, Any],
    flags: Mapping[str, str | None],
    environ: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """Where each setting came from: its flag if given, else its config key or variable."""
    env = os.environ if environ is None else environ
    return {
        name: lookup_setting(name, config, env, flags)[1] or source.key
        for name, source in SETTING_SOURCES.items()
    }


def _origin_kind(origin: str) -> str:
    if origin.startswith("--"):
        return "flag"
    return "environment variable" if origin.startswith("OPSRAMP_") else "stack config"


def _name_origins(*origins: str) -> str:
    """`A / B (environment variables)`, or each with its own kind when they differ."""
    kinds = [_origin_kind(origin) for origin in origins]
    if len(set(kinds)) == 1:
        plural = "s" if len(origins) > 1 and kinds[0] != "stack config" else ""
        suffix = "" if kinds[0] == "flag" else f" ({kinds[0]}{plural})"
        return " / ".join(origins) + suffix
    return " / ".join(
        origin if kind == "flag" else f"{origin} ({kind})"
        for origin, kind in zip(origins, kinds, strict=True)
    )


def _api_path_check(settings: ConnectionSettings, origin: str) -> Check | None:
    """A failed `url` check when the URL is not a base URL, e.g. it carries an API path.

    `resolve_settings` refuses such a URL already (the same words); this catches settings
    built by hand.
    """
    problem = api_url_problem(settings.api_url, origin)
    return None if problem is None else Check("url", "fail", problem)


def tenant_kind(tenant: str) -> str | None:
    """'partner' or 'client', inferred from the id's prefix (msp_… / client_…)."""
    if tenant.startswith("msp_"):
        return "partner"
    if tenant.startswith("client_"):
        return "client"
    return None


def _token_checks(
    client: OpsRampClient, settings: ConnectionSettings, origins: Origins
) -> tuple[list[Check], str | None]:
    """Probe both token paths; return the checks and a token for the header probes."""
    form = {
        "grant_type": "client_credentials",
        "client_id": settings.client_id,
        "client_secret": settings.client_secret,
    }
    answers: dict[str, _Answer] = {}
    for path in TOKEN_PATHS:
        try:
            answers[path] = _probe(client, "POST", path, form=form)
        except _ProbeFailedError as exc:
            return [Check("token path", "fail", str(exc))], None
    current = TOKEN_PATHS[0]
    statuses = ", ".join(f"{p} HTTP {a.status}" for p, a in answers.items())
    working = [p for p, a in answers.items() if a.status == 200 and _token_of(a)]
    rejected = [p for p, a in answers.items() if a.status in (400, 401, 403)]
    if working:
        which = "current" if working[0] == current else "legacy (the client falls back to it)"
        checks = [Check("token path", "ok", f"{which}: {statuses}")]
        checks.append(Check("credentials", "ok", f"accepted at {working[0]}"))
        answer = answers[working[0]]
        assert isinstance(answer.body, dict)
        raw = answer.body.get("expires_in")
        kind = "a string, as assumed" if isinstance(raw, str) else "not a string; the client copes"
        checks.append(Check("token expiry", "ok", f"expires_in {raw!r} s ({kind})"))
        return checks, _token_of(answer)
    if rejected:
        return [
            Check("token path", "ok", statuses),
            Check(
                "credentials",
                "fail",
                f"rejected at {rejected[0]}: check "
                + _name_origins(origins["client_id"], origins["client_secret"]),
            ),
        ], None
    return [Check("token path", "fail", f"no token endpoint answers: {statuses}")], None


def _token_of(answer: _Answer) -> str | None:
    token = answer.body.get("access_token") if isinstance(answer.body, dict) else None
    return token if isinstance(token, str) and token else None


def _tenant_checks(client: OpsRampClient, token: str, tenant: str) -> list[Check]:
    checks = []
    kind = tenant_kind(tenant)
    how = "inferred from the id: msp_… partner, client_… client"
    try:
        offered = {str(t.get("jobtype")) for t in client.job_types(tenant_id=tenant)}
    except OpsRampError as exc:
        return [Check("tenant", "fail", f"{tenant}: {exc}")]
    if kind is None:
        checks.append(Check("tenant", "warn", f"{tenant} answers: kind unknown ({how})"))
    else:
        checks.append(Check("tenant", "ok", f"{tenant} answers: a {kind} ({how})"))
    modelled = set(JOB_TYPES) - {"custom"}  # custom scripts are not in the catalogue
    missing, extra = sorted(modelled - offered), sorted(offered - modelled)
    if not missing and not extra:
        checks.append(Check("job types", "ok", f"all {len(modelled)} of the model's (+ custom)"))
    else:
        parts = [f"not offered: {', '.join(missing)}"] if missing else []
        parts += [f"unknown to the model: {', '.join(extra)}"] if extra else []
        checks.append(Check("job types", "warn", "; ".join(parts)))
    jobs = f"/api/v2/tenants/{quote(tenant, safe='')}/jobs"
    try:
        types = _probe(client, "GET", f"{jobs}/types", token=token)
        search = _probe(
            client, "GET", f"{jobs}/search", token=token, params={"pageNo": 1, "pageSize": 1}
        )
    except _ProbeFailedError as exc:
        return [*checks, Check("rate-limit headers", "fail", str(exc))]
    present = [h for h in RATE_LIMIT_HEADERS if _header(types.headers, h) is not None]
    if len(present) == len(RATE_LIMIT_HEADERS):
        limit = _header(types.headers, "X-RateLimit-Limit")
        checks.append(Check("rate-limit headers", "ok", f"all 3 present (reads: limit {limit})"))
    else:
        absent = ", ".join(h for h in RATE_LIMIT_HEADERS if h not in present)
        checks.append(Check("rate-limit headers", "warn", f"absent: {absent}; pacing is local"))
    checks.append(_paging_check(search))
    return checks


def _header(headers: Mapping[str, str], name: str) -> str | None:
    return next((v for k, v in headers.items() if k.lower() == name.lower()), None)


def _paging_check(search: _Answer) -> Check:
    """Where the search's paging fields are, read as the client reads them (client._read_page)."""
    body = search.body
    if search.status != 200 or not isinstance(body, dict) or "results" not in body:
        return Check("search paging", "fail", f"job search answered HTTP {search.status}")
    items = [item for item in body.get("results") or [] if isinstance(item, dict)]
    if "nextPage" in body:
        return Check("search paging", "ok", "paging fields beside results, as assumed")
    if items and "nextPage" in items[0]:
        return Check(
            "search paging",
            "ok",
            "paging fields inside each results[] item (the schema's shape); the client reads "
            "them there",
        )
    if not items:
        named = ", ".join(sorted(PAGING_FIELDS & body.keys())) or "none"
        return Check(
            "search paging",
            "warn",
            f"an empty search has no nextPage beside results (found: {named}): whether this "
            "tenant puts its paging fields inside each item shows once it has a job",
        )
    return Check(
        "search paging",
        "fail",
        "no nextPage beside results or inside its items: the client would read only the "
        "first page of a search",
    )


def run_doctor(
    settings: ConnectionSettings,
    *,
    write: bool = False,
    shape_options: ShapeOptions | None = None,
    client_factory: Callable[[ConnectionSettings], OpsRampClient] | None = None,
    origins: Origins | None = None,
) -> DoctorReport:
    """Run every check (and with ``write`` every shape) against one tenant.

    ``origins`` (see :func:`setting_origins`) lets hints name where a bad value was set; without
    it they name the stack config keys. ``client_factory`` defaults to ``client_for`` with
    :data:`CLIENT_OPTIONS`.
    """
    started = time.monotonic()
    report = DoctorReport()
    origins = {**_CONFIG_ORIGINS, **(origins or {})}
    api_path = _api_path_check(settings, origins["api_url"])
    if api_path is not None:
        report.checks.append(api_path)
    else:
        try:
            client = (client_factory or _doctor_client)(settings)
        except OpsRampError as exc:  # e.g. a CA bundle that does not exist
            report.checks.append(Check("url", "fail", f"{settings.api_url}: {exc}"))
        else:
            with client:
                _run_checks(
                    report, client, settings, origins, write=write, shape_options=shape_options
                )
    report.seconds = time.monotonic() - started
    return report


def _run_checks(
    report: DoctorReport,
    client: OpsRampClient,
    settings: ConnectionSettings,
    origins: Origins,
    *,
    write: bool,
    shape_options: ShapeOptions | None,
) -> None:
    """The checks from `url` on, each only when the ones before it passed; then the shapes."""
    try:
        answer = _probe(client, "GET", "/")
    except _ProbeFailedError as exc:
        report.checks.append(Check("url", "fail", str(exc)))
        return
    report.checks.append(Check("url", "ok", f"{settings.api_url} answers (HTTP {answer.status})"))
    token_checks, token = _token_checks(client, settings, origins)
    report.checks += token_checks
    tenant = settings.tenant_id
    if token is None:
        return
    if tenant is None:
        report.checks.append(
            Check("tenant", "fail", "opsramp:tenantId is not set (or OPSRAMP_TENANT_ID)")
        )
        return
    report.checks += _tenant_checks(client, token, tenant)
    if write and report.ok:
        options = shape_options or ShapeOptions()
        prefix = run_prefix(new_run_id())
        for shape, (script, pattern) in shapes(options).items():
            job = _shape_job(f"{prefix}doctor-{shape.replace(' ', '-')}", script, pattern, options)
            report.shapes.append(_write_shape(client, tenant, shape, job))


def _doctor_client(settings: ConnectionSettings) -> OpsRampClient:
    return client_for(settings, **CLIENT_OPTIONS)


# --------------------------------------------------------------------------------------------
# Settings from a Pulumi stack, and the report as text
# --------------------------------------------------------------------------------------------


def _in_pulumi_project(directory: Path) -> bool:
    """Whether the CLI finds a project there: a Pulumi.yaml (or .yml) in it or a parent."""
    return any(
        (folder / name).is_file()
        for folder in (directory, *directory.parents)
        for name in ("Pulumi.yaml", "Pulumi.yml")
    )


def stack_config(stack: str, cwd: str | None = None) -> dict[str, Any]:
    """`pulumi config --show-secrets --json` of a stack, as {key: value}."""
    try:
        done = subprocess.run(
            ["pulumi", "config", "--show-secrets", "--json", "--stack", stack],
            capture_output=True,
            text=True,
            check=False,
            cwd=cwd,
            timeout=60,
        )
    except FileNotFoundError:
        raise ValueError("--stack needs the pulumi CLI on PATH") from None
    if done.returncode != 0:
        # The CLI's message names the stack problem; it never holds a secret value.
        message = done.stderr.strip()
        if not _in_pulumi_project(Path(cwd or os.getcwd())):
            first = message.splitlines()[0] if message else f"exit status {done.returncode}"
            raise ValueError(
                "no Pulumi project here (run doctor from the project's directory, or pass "
                f"OPSRAMP_* settings)\n  {first}"
            )
        raise ValueError(f"pulumi config of stack {stack!r} failed: {message}")
    raw = json.loads(done.stdout or "{}")
    return {k: v.get("value") if isinstance(v, dict) else v for k, v in raw.items()}


_MARKS = {"ok": ("✓", "32"), "warn": ("!", "33"), "fail": ("✗", "31")}


def _mark(status: Status, colour: bool) -> str:
    symbol, code = _MARKS[status]
    return f"\033[{code}m{symbol}\033[0m" if colour else symbol


def render(report: DoctorReport, *, colour: bool = False) -> str:
    """The report as a short table."""
    width = max([len(c.name) for c in report.checks] + [len(s.shape) + 7 for s in report.shapes])
    lines = [f"{_mark(c.status, colour)} {c.name:<{width}}  {c.detail}" for c in report.checks]
    for shape in report.shapes:
        lines.append(
            f"{_mark(shape.status, colour)} {'write ' + shape.shape:<{width}}  {shape.detail}"
        )
        lines += [f"    {difference}" for difference in shape.differences]
    verdict = "ready for `pulumi up`" if report.ok else "NOT ready for `pulumi up`"
    lines.append(f"{verdict} ({report.seconds:.1f} s)")
    return "\n".join(lines)
