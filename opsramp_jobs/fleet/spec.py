"""The fleet file: tenants, their connection settings and the jobs every tenant gets.

A fleet file is YAML (``.yaml``/``.yml``; PyYAML comes with the ``pulumi`` SDK, so it is no new
dependency) or JSON (``.json``), read by ``strict`` (no duplicate keys, aliases or non-string
keys). Every problem is reported with its path in the file and the fix, before any stack is
touched.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from opsramp_jobs.errors import OpsRampJobsError
from opsramp_jobs.fleet.strict import MAX_BYTES, DocumentError, load_document

__all__ = [
    "Fleet",
    "FleetFileError",
    "JobSpec",
    "SecretSource",
    "TenantSpec",
    "load_fleet",
    "parse_fleet",
]

# The OpsRampJob keyword arguments a fleet job may set (the ones that stay stable across releases).
JOB_KEYS = frozenset({"name", "device_ids", "script", "schedule", "job_queued"})
_TOP_KEYS = frozenset({"project", "backend", "defaults", "jobs", "tenants"})
_SETTING_KEYS = frozenset({"tenantId", "apiUrl", "clientId", "clientSecret", "deviceIds"})
_TENANT_KEYS = _SETTING_KEYS | {"jobs", "overrides", "skip"}
# Pulumi's stack and project names (tokens.ParseStackName, tokens.ValidateProjectName): letters,
# digits, '-', '_' and '.', at most 100; a first '-' or '.' would read as an option or a path.
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}")
_NAME_RULE = (
    "letters, digits, '-', '_' and '.', starting with a letter or digit, at most 100 characters"
)


class FleetFileError(OpsRampJobsError, ValueError):
    """The fleet file is invalid; the message lists each problem with its path and fix."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(f"{source}: invalid fleet file:\n  " + "\n  ".join(problems))


@dataclass(frozen=True)
class SecretSource:
    """Where a tenant's client secret comes from: an environment variable, or the stack itself."""

    env: str | None = None
    """Name of the environment variable holding the secret (set as a secret stack config)."""
    stack_secret: bool = False
    """True: `opsramp:clientSecret` is already set (as a secret) in the stack's config."""

    def describe(self) -> str:
        """Where the secret comes from, for messages (never the secret itself)."""
        return f"environment variable {self.env}" if self.env else "the stack's secret config"


@dataclass(frozen=True)
class JobSpec:
    """One job of a tenant's program: its Pulumi resource name and OpsRampJob keyword arguments."""

    resource: str
    args: Mapping[str, Any]


@dataclass(frozen=True)
class TenantSpec:
    """One tenant of the fleet: one stack, its connection settings and its resolved jobs."""

    key: str
    """The tenant's name in the fleet file, which is also its stack name."""
    tenant_id: str
    api_url: str
    client_id: str
    client_secret: SecretSource
    jobs: tuple[JobSpec, ...]

    def config(self) -> dict[str, str]:
        """The plain (non-secret) `opsramp:*` stack config of this tenant."""
        return {
            "opsramp:apiUrl": self.api_url,
            "opsramp:clientId": self.client_id,
            "opsramp:tenantId": self.tenant_id,
        }


@dataclass(frozen=True)
class Fleet:
    """A parsed fleet file."""

    project: str
    tenants: dict[str, TenantSpec]
    backend: str | None = None
    source: str = "<fleet>"
    program_jobs: tuple[str, ...] = field(default=())
    """Resource names of the jobs every tenant gets (before its skips and extras)."""

    def select(self, names: list[str] | None) -> list[TenantSpec]:
        """The tenants named (all when None), in file order; unknown names are an error."""
        if not names:
            return list(self.tenants.values())
        unknown = [n for n in names if n not in self.tenants]
        if unknown:
            raise FleetFileError(
                self.source,
                [
                    f"--tenants: {', '.join(unknown)} not in the fleet file "
                    f"(tenants: {', '.join(self.tenants)})"
                ],
            )
        return [self.tenants[n] for n in dict.fromkeys(names)]


def load_fleet(path: str | os.PathLike[str]) -> Fleet:
    """Read and parse a fleet file (YAML or JSON, by extension; YAML otherwise)."""
    file = Path(path)
    try:
        size = file.stat().st_size
        if size > MAX_BYTES:  # before reading it: the bound is on memory too
            raise FleetFileError(
                str(file), [f"{size:,} bytes: a fleet file may be at most {MAX_BYTES:,}"]
            )
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise FleetFileError(str(file), [f"cannot read the fleet file: {exc.strerror}"]) from exc
    except UnicodeDecodeError as exc:
        raise FleetFileError(str(file), [f"not UTF-8 text: {exc.reason}"]) from exc
    try:
        raw = load_document(text, json_format=file.suffix == ".json")
    except DocumentError as exc:
        raise FleetFileError(str(file), exc.problems) from exc
    except (ValueError, yaml.YAMLError) as exc:  # ValueError: json.JSONDecodeError
        raise FleetFileError(str(file), [f"not valid {file.suffix or 'YAML'}: {exc}"]) from exc
    return parse_fleet(raw, source=str(file))


class _Problems:
    """Collects problems with their paths."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, path: str, message: str) -> None:
        self.items.append(f"{path}: {message}")

    def mapping(self, value: Any, path: str, allowed: frozenset[str]) -> dict[str, Any]:
        if not isinstance(value, dict):
            self.add(path, f"must be a mapping, not {type(value).__name__}")
            return {}
        for key in value:
            if key not in allowed:
                self.add(f"{path}.{key}", f"unknown key; allowed: {', '.join(sorted(allowed))}")
        return value

    def text(self, value: Any, path: str) -> str | None:
        if isinstance(value, str) and value.strip():
            return value.strip()
        self.add(path, "must be a non-empty string")
        return None


def _secret_source(value: Any, path: str, problems: _Problems) -> SecretSource | None:
    if isinstance(value, str):
        # A literal would be committed with the fleet file and copied into every CI log.
        problems.add(
            path,
            "a secret written in the fleet file would be committed with it: use "
            "{env: VARIABLE_NAME} or {stackSecret: true} "
            "(after `pulumi config set --secret opsramp:clientSecret ...` on the stack)",
        )
        return None
    source = problems.mapping(value, path, frozenset({"env", "stackSecret"}))
    if "env" in source and "stackSecret" not in source:
        name = problems.text(source["env"], f"{path}.env")
        if name is not None and not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            problems.add(f"{path}.env", f"{name!r} is not an environment variable name")
            return None
        return SecretSource(env=name) if name else None
    if source.get("stackSecret") is True and "env" not in source:
        return SecretSource(stack_secret=True)
    if source:
        problems.add(path, "give exactly one of {env: VARIABLE_NAME} or {stackSecret: true}")
    return None


def _job(raw: Any, path: str, problems: _Problems) -> JobSpec | None:
    job = problems.mapping(raw, path, JOB_KEYS | {"resource"})
    if not job:
        return None
    name = problems.text(job.get("name"), f"{path}.name")
    resource = job.get("resource", name)
    if "resource" in job:
        resource = problems.text(job["resource"], f"{path}.resource")
    for key in ("script", "schedule"):
        if not isinstance(job.get(key), dict):
            problems.add(
                f"{path}.{key}", f"is required: OpsRamp's documented `{key}` object (a mapping)"
            )
    if "device_ids" in job and not (
        isinstance(job["device_ids"], list) and all(isinstance(d, str) for d in job["device_ids"])
    ):
        problems.add(f"{path}.device_ids", "must be a list of device ids (strings)")
    if "job_queued" in job and not isinstance(job["job_queued"], bool):
        problems.add(f"{path}.job_queued", "must be true or false")
    if name is None or resource is None:
        return None
    return JobSpec(resource, {k: v for k, v in job.items() if k != "resource"})


def _jobs(raw: Any, path: str, problems: _Problems) -> list[JobSpec]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        problems.add(path, "must be a list of jobs")
        return []
    jobs = [j for i, item in enumerate(raw) if (j := _job(item, f"{path}[{i}]", problems))]
    seen: set[str] = set()
    for job in jobs:
        if job.resource in seen:
            problems.add(path, f"two jobs have the resource name {job.resource!r}: rename one")
        seen.add(job.resource)
    return jobs


def _tenant(
    key: str,
    raw: Any,
    defaults: dict[str, Any],
    program: list[JobSpec],
    problems: _Problems,
) -> TenantSpec | None:
    path = _tenant_path(key)
    if not _NAME.fullmatch(key):
        spaces = " (no spaces or line breaks around it)" if key != key.strip() else ""
        problems.add(path, f"a tenant's name is its stack name: {_NAME_RULE}{spaces}")
    given = problems.mapping(raw if raw is not None else {}, path, _TENANT_KEYS)
    settings = {**defaults, **{k: v for k, v in given.items() if k in _SETTING_KEYS}}
    values: dict[str, str | None] = {}
    for setting in ("tenantId", "apiUrl", "clientId"):
        if setting not in settings:
            problems.add(f"{path}.{setting}", "is not set (here or in `defaults`)")
            values[setting] = None
        else:
            values[setting] = problems.text(settings[setting], f"{path}.{setting}")
    api_url = values["apiUrl"]
    if api_url and not api_url.startswith(("http://", "https://")):
        problems.add(f"{path}.apiUrl", f"{api_url!r} is not an http(s) URL")
    secret = None
    if "clientSecret" not in settings:
        problems.add(
            f"{path}.clientSecret", "is not set: use {env: VARIABLE_NAME} or {stackSecret: true}"
        )
    else:
        secret = _secret_source(settings["clientSecret"], f"{path}.clientSecret", problems)
    devices = settings.get("deviceIds")
    if devices is not None and not (
        isinstance(devices, list) and all(isinstance(d, str) for d in devices)
    ):
        problems.add(f"{path}.deviceIds", "must be a list of device ids (strings)")
        devices = None

    by_resource = {job.resource: job for job in program}
    skip = given.get("skip") or []
    if not isinstance(skip, list):
        problems.add(f"{path}.skip", "must be a list of job resource names")
        skip = []
    for name in skip:
        if name not in by_resource:
            problems.add(f"{path}.skip", f"{name!r} is not a job of the program")
    overrides = given.get("overrides") or {}
    if not isinstance(overrides, dict):
        problems.add(f"{path}.overrides", "must map job resource names to fields to replace")
        overrides = {}
    jobs: list[JobSpec] = []
    for job in program:
        if job.resource in skip:
            continue
        args = dict(job.args)
        if job.resource in overrides:
            opath = f"{path}.overrides.{job.resource}"
            override = problems.mapping(overrides[job.resource], opath, JOB_KEYS)
            args.update(override)
        if "device_ids" not in args and devices is not None:
            args["device_ids"] = list(devices)
        jobs.append(JobSpec(job.resource, args))
    for name in overrides:
        if name not in by_resource:
            problems.add(f"{path}.overrides.{name}", "is not a job of the program")
    extras = _jobs(given.get("jobs"), f"{path}.jobs", problems)
    for extra in extras:
        if extra.resource in by_resource and extra.resource not in skip:
            problems.add(
                f"{path}.jobs",
                f"{extra.resource!r} is already a job of the program: use overrides to change it",
            )
        args = dict(extra.args)
        if "device_ids" not in args and devices is not None:
            args["device_ids"] = list(devices)
        jobs.append(JobSpec(extra.resource, args))
    if secret is None or None in values.values():
        return None
    return TenantSpec(
        key=key,
        tenant_id=str(values["tenantId"]),
        api_url=str(api_url).rstrip("/"),
        client_id=str(values["clientId"]),
        client_secret=secret,
        jobs=tuple(jobs),
    )


def _tenant_path(key: str) -> str:
    """`tenants.acme`, or `tenants.'acme\\n'` for a key with spaces or control characters."""
    plain = key.isprintable() and not any(c.isspace() for c in key)
    return f"tenants.{key}" if plain else f"tenants.{key!r}"


def _same_but_case(keys: list[Any], problems: _Problems) -> None:
    """Tenants whose names differ only in case: one state file on macOS or Windows."""
    first: dict[str, str] = {}
    for key in keys:
        if not isinstance(key, str):
            continue
        other = first.setdefault(key.casefold(), key)
        if other != key:
            problems.add(
                _tenant_path(key),
                f"differs from tenant {other!r} only in letter case: their stacks would share "
                "one state file on a case-insensitive file system (a file backend on macOS or "
                "Windows) and one Kubernetes name: rename one of them",
            )


def parse_fleet(raw: Any, source: str = "<fleet>") -> Fleet:
    """Validate a decoded fleet file; raises FleetFileError listing every problem."""
    problems = _Problems()
    top = problems.mapping(raw, "(top level)", _TOP_KEYS)
    project = problems.text(top.get("project"), "project") if top else None
    if project and not _NAME.fullmatch(top["project"]):
        problems.add("project", f"{top['project']!r} is not a Pulumi project name: {_NAME_RULE}")
        project = None
    backend = top.get("backend")
    if backend is not None and not (isinstance(backend, str) and "://" in backend):
        problems.add("backend", "must be a backend URL such as file:///path or s3://bucket")
        backend = None
    defaults = problems.mapping(top.get("defaults", {}), "defaults", _SETTING_KEYS)
    program = _jobs(top.get("jobs"), "jobs", problems)
    tenants_raw = top.get("tenants")
    tenants: dict[str, TenantSpec] = {}
    if not isinstance(tenants_raw, dict) or not tenants_raw:
        problems.add("tenants", "must map each tenant's name (its stack name) to its settings")
    else:
        for key, value in tenants_raw.items():
            if not isinstance(key, str):
                # str() would merge 1 with "1" and True with "True": two tenants, one stack.
                problems.add(
                    "tenants",
                    f"key {key!r} is a {type(key).__name__}, not a name: quote it in the file "
                    f'("{key}") if it is a tenant\'s name',
                )
                continue
            tenant = _tenant(key, value, defaults, program, problems)
            if tenant is not None:
                tenants[tenant.key] = tenant
        _same_but_case(list(tenants_raw), problems)
    if problems.items:
        raise FleetFileError(source, problems.items)
    assert project is not None
    return Fleet(
        project=project,
        tenants=tenants,
        backend=backend,
        source=source,
        program_jobs=tuple(j.resource for j in program),
    )
