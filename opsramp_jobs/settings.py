"""Connection settings: from stack config (``opsramp:*``) first, then the environment."""

from __future__ import annotations

import os
import re
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from opsramp_jobs.errors import SettingsError

__all__ = [
    "CONFIG_KEYS",
    "SOURCES",
    "ConnectionSettings",
    "SettingsError",
    "api_url_problem",
    "default_tenant",
    "lookup_setting",
    "resolve_settings",
]


@dataclass(frozen=True)
class ConnectionSettings:
    """Where and as whom the provider talks to OpsRamp (never pickled, never stored in state)."""

    api_url: str
    client_id: str
    client_secret: str = field(repr=False)
    tenant_id: str | None = None
    connect_timeout: float = 5.0
    read_timeout: float = 30.0


@dataclass(frozen=True)
class _Source:
    """Where one setting comes from, and the placeholder its fix commands show."""

    key: str  # stack config key
    env_names: tuple[str, ...]  # environment fallbacks, in order
    placeholder: str
    secret: bool = False

    def config_fix(self) -> str:
        """The `pulumi config set` command that sets this setting."""
        flag = "--secret " if self.secret else ""
        return f"pulumi config set {flag}{self.key} {self.placeholder}"

    def fix_for(self, origin: str) -> str:
        """The command that fixes a bad value where the user set it (config key or variable)."""
        if origin == self.key:
            return f"`{self.config_fix()}`"
        return f"`export {origin}={self.placeholder}` (or unset it and `{self.config_fix()}`)"

    def fix(self, origin: str) -> str:
        """What to do about a bad value, where the user set it: `run …`, or `pass` a flag."""
        if origin.startswith("--"):
            return f"pass `{origin} {self.placeholder}`"
        return f"run {self.fix_for(origin)}"


# OPSRAMP_ENDPOINT and OPSRAMP_TENANT are the names HPE's Terraform provider reads: accepting them
# lets a team that already uses it keep its environment. Its documents give the endpoint as a bare
# host (`your-api-endpoint.opsramp.com`), so a bare host is accepted everywhere and gets https://.
_URL_PLACEHOLDER = "https://<your-subdomain>.api.opsramp.com"
_SOURCES: dict[str, _Source] = {
    "api_url": _Source("opsramp:apiUrl", ("OPSRAMP_API_URL", "OPSRAMP_ENDPOINT"), _URL_PLACEHOLDER),
    "client_id": _Source("opsramp:clientId", ("OPSRAMP_CLIENT_ID",), "<integration key>"),
    "client_secret": _Source(
        "opsramp:clientSecret", ("OPSRAMP_CLIENT_SECRET",), "<integration secret>", secret=True
    ),
    "tenant_id": _Source(
        "opsramp:tenantId", ("OPSRAMP_TENANT_ID", "OPSRAMP_TENANT"), "<client or partner id>"
    ),
}
SOURCES: Mapping[str, _Source] = _SOURCES
"""Every connection setting: its stack config key, environment fallbacks and fix command."""
_REQUIRED = ("api_url", "client_id", "client_secret")
_TIMEOUTS = {"connect_timeout": "opsramp:connectTimeout", "read_timeout": "opsramp:readTimeout"}


CONFIG_KEYS: tuple[str, ...] = (*(src.key for src in _SOURCES.values()), *_TIMEOUTS.values())


def missing_tenant_fix() -> str:
    """Return the command that sets the default tenant."""
    return _SOURCES["tenant_id"].config_fix()


def lookup_setting(
    name: str,
    config: Mapping[str, Any],
    environ: Mapping[str, str],
    flags: Mapping[str, str | None] | None = None,
) -> tuple[str | None, str]:
    """The setting's value (None when unset or blank) and where it came from.

    ``flags`` (a command line's, by setting name) win over everything; their origin is the flag,
    e.g. ``--api-url``.
    """
    flag = (flags or {}).get(name)
    if flag is not None and flag.strip():
        return flag.strip(), f"--{name.replace('_', '-')}"
    source = _SOURCES[name]
    if config.get(source.key) is not None:
        # A stack config key wins even when blank: that is what the user set.
        return str(config[source.key]).strip() or None, source.key
    for env_name in source.env_names:
        if environ.get(env_name, "").strip():
            return environ[env_name].strip(), env_name
    return None, ""


def default_tenant(
    config: Mapping[str, Any], environ: Mapping[str, str] | None = None
) -> str | None:
    """The default tenant, resolved on its own (so it is known even when other settings are not)."""
    return lookup_setting("tenant_id", config, os.environ if environ is None else environ)[0]


def _api_url(value: str, origin: str) -> tuple[str | None, str | None]:
    """The normalised URL, or a problem naming ``origin``; a bare host gets ``https://``."""
    url = value if "://" in value else f"https://{value}"
    parsed = urllib.parse.urlsplit(url)
    try:
        valid_port = parsed.port is None or parsed.port > 0
    except ValueError:
        valid_port = False
    api_part = re.search(r"/(api(/v\d+)?|tenancy|auth/oauth)(/|$)", parsed.path)
    if api_part:
        # A URL copied from an API call: the client adds the paths itself.
        base = url[: url.index(parsed.path) + api_part.start()]
        base_fix = replace(_SOURCES["api_url"], placeholder=base).fix(origin)
        return None, (
            f"{origin} {value!r} must be the base URL (https://<subdomain>.api.opsramp.com), "
            f"without {parsed.path[api_part.start() :]}: {base_fix}"
        )
    if parsed.scheme in ("http", "https") and parsed.hostname and " " not in url and valid_port:
        return url.rstrip("/"), None
    fix = _SOURCES["api_url"].fix(origin)
    return None, f"{origin} {value!r} is not an http(s) URL or host name: {fix}"


def api_url_problem(value: str, origin: str) -> str | None:
    """Why ``value`` (set at ``origin``) is not a usable API base URL, or None when it is."""
    return _api_url(value, origin)[1]


def resolve_settings(
    config: Mapping[str, Any],
    environ: Mapping[str, str] | None = None,
    *,
    flags: Mapping[str, str | None] | None = None,
) -> ConnectionSettings:
    """Resolve settings from namespaced stack config, falling back to ``OPSRAMP_*`` variables.

    ``flags``: a command line's values by setting name (``api_url``…), ahead of both.
    """
    env = os.environ if environ is None else environ
    found = {name: lookup_setting(name, config, env, flags) for name in _SOURCES}
    problems = []
    for name in _REQUIRED:
        value, origin = found[name]
        if value is not None:
            continue
        source = _SOURCES[name]
        if origin == source.key:
            problems.append(f"{source.key} is empty: run `{source.config_fix()}`")
        else:
            alternatives = " or ".join(source.env_names)
            problems.append(
                f"{source.key} is not set: run `{source.config_fix()}` (or set {alternatives})"
            )
    invalid = []
    api_url, url_origin = found["api_url"]
    if api_url is not None:
        api_url, problem = _api_url(api_url, url_origin)
        if problem:
            invalid.append(problem)
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
            invalid.append(
                f"{key} {raw!r} is not a positive number of seconds: run "
                f"`pulumi config set {key} <seconds>` (or `pulumi config rm {key}` for the default)"
            )
    if problems or invalid:
        raise SettingsError(problems, invalid=invalid)
    assert api_url is not None
    return ConnectionSettings(
        api_url=api_url,
        client_id=str(found["client_id"][0]),
        client_secret=str(found["client_secret"][0]),
        tenant_id=found["tenant_id"][0],
        **timeouts,
    )
