"""Connection settings: from stack config (``opsramp:*``) first, then the environment."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["CONFIG_KEYS", "ConnectionSettings", "SettingsError", "resolve_settings"]


class SettingsError(ValueError):
    """Connection settings are missing or invalid; the message says how to fix each one."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("OpsRamp connection settings are incomplete:\n  " + "\n  ".join(problems))


@dataclass(frozen=True)
class ConnectionSettings:
    """Where and as whom the provider talks to OpsRamp (never pickled, never stored in state)."""

    api_url: str
    client_id: str
    client_secret: str = field(repr=False)
    tenant_id: str | None = None
    connect_timeout: float = 5.0
    read_timeout: float = 30.0


# (stack config key, environment variables in order, the command that fixes a missing value).
# OPSRAMP_ENDPOINT and OPSRAMP_TENANT are the names HPE's Terraform provider reads: accepting them
# lets a team that already uses it keep its environment.
_SOURCES: dict[str, tuple[str, tuple[str, ...], str]] = {
    "api_url": (
        "opsramp:apiUrl",
        ("OPSRAMP_API_URL", "OPSRAMP_ENDPOINT"),
        "pulumi config set opsramp:apiUrl https://<your-subdomain>.api.opsramp.com",
    ),
    "client_id": (
        "opsramp:clientId",
        ("OPSRAMP_CLIENT_ID",),
        "pulumi config set opsramp:clientId <integration key>",
    ),
    "client_secret": (
        "opsramp:clientSecret",
        ("OPSRAMP_CLIENT_SECRET",),
        "pulumi config set --secret opsramp:clientSecret <integration secret>",
    ),
    "tenant_id": (
        "opsramp:tenantId",
        ("OPSRAMP_TENANT_ID", "OPSRAMP_TENANT"),
        "pulumi config set opsramp:tenantId <client or partner id>",
    ),
}
_REQUIRED = ("api_url", "client_id", "client_secret")
_TIMEOUTS = {"connect_timeout": "opsramp:connectTimeout", "read_timeout": "opsramp:readTimeout"}


CONFIG_KEYS: tuple[str, ...] = (*(src[0] for src in _SOURCES.values()), *_TIMEOUTS.values())


def missing_tenant_fix() -> str:
    """Return the command that sets the default tenant."""
    return _SOURCES["tenant_id"][2]


def _lookup(name: str, config: Mapping[str, Any], environ: Mapping[str, str]) -> str | None:
    key, env_names, _ = _SOURCES[name]
    value = config.get(key)
    if value is None:
        value = next((environ[e] for e in env_names if environ.get(e)), None)
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def resolve_settings(
    config: Mapping[str, Any], environ: Mapping[str, str] | None = None
) -> ConnectionSettings:
    """Resolve settings from namespaced stack config, falling back to ``OPSRAMP_*`` variables."""
    env = os.environ if environ is None else environ
    values = {name: _lookup(name, config, env) for name in _SOURCES}
    problems = []
    for name in _REQUIRED:
        if values[name] is None:
            key, env_names, fix = _SOURCES[name]
            problems.append(f"{key} is not set: run `{fix}` (or set {env_names[0]})")
    api_url = values["api_url"]
    if api_url is not None and not api_url.startswith(("http://", "https://")):
        problems.append(
            f"opsramp:apiUrl {api_url!r} is not an http(s) URL: run "
            "`pulumi config set opsramp:apiUrl https://<your-subdomain>.api.opsramp.com`"
        )
    timeouts: dict[str, float] = {}
    for name, key in _TIMEOUTS.items():
        raw = config.get(key)
        if raw is None:
            continue
        try:
            seconds = float(raw)
        except ValueError:
            seconds = 0.0
        if seconds > 0:
            timeouts[name] = seconds
        else:
            problems.append(f"{key} {raw!r} is not a positive number of seconds")
    if problems:
        raise SettingsError(problems)
    assert api_url is not None
    return ConnectionSettings(
        api_url=api_url.rstrip("/"),
        client_id=str(values["client_id"]),
        client_secret=str(values["client_secret"]),
        tenant_id=values["tenant_id"],
        **timeouts,
    )
