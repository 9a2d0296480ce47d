"""Where the acceptance tests run: a real tenant (OPSRAMP_ACCEPTANCE=1) or the emulator."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from opsramp_jobs.client import OpsRampClient, client_for
from opsramp_jobs.doctor import JOB_PREFIX, ShapeOptions, new_run_id, run_prefix
from opsramp_jobs.settings import ConnectionSettings, SettingsError, resolve_settings
from tests.support.emulator import (
    CLIENT13_KEY,
    CLIENT13_SECRET,
    CLIENT13_TENANT,
    DEVICE_AD_SERVER,
    SCRIPT_TEST,
    EmulatorProcess,
)

__all__ = [
    "ACCEPTANCE_ENV",
    "CREDENTIAL_SET_ENV",
    "DEVICES_ENV",
    "JOB_PREFIX",
    "SCRIPT_ENV",
    "Target",
    "acceptance_requested",
    "emulator_target",
    "new_run_id",
    "target_from_environment",
]

ACCEPTANCE_ENV = "OPSRAMP_ACCEPTANCE"
# Optional: devices to attach to jobs (comma-separated ids) and a custom script with its
# parameters ("7" or "7:2=150,3=x"); custom-script tests are skipped without one.
DEVICES_ENV = "OPSRAMP_ACCEPTANCE_DEVICE_IDS"
SCRIPT_ENV = "OPSRAMP_ACCEPTANCE_SCRIPT"
# Optional: a credential set uniqueId of the tenant (the credentialSet assumption needs one).
CREDENTIAL_SET_ENV = "OPSRAMP_ACCEPTANCE_CREDENTIAL_SET"
EMULATOR_CREDENTIAL_SET = "acceptance-credential-set"  # the emulator accepts any uniqueId
# The emulator's seeded script 7 has parameter 2.
EMULATOR_SCRIPT = f"{SCRIPT_TEST}:2=150"


def acceptance_requested(environ: Mapping[str, str] | None = None) -> bool:
    """True when OPSRAMP_ACCEPTANCE=1: the acceptance tests go to the tenant in OPSRAMP_*."""
    return (os.environ if environ is None else environ).get(ACCEPTANCE_ENV) == "1"


def _parse_script(text: str) -> tuple[int | None, dict[int, str]]:
    """`7:2=150,3=x` -> (7, {2: "150", 3: "x"}); '' -> (None, {})."""
    if not text.strip():
        return None, {}
    head, _, rest = text.partition(":")
    parameters = {}
    for item in filter(None, (p.strip() for p in rest.split(","))):
        key, _, value = item.partition("=")
        parameters[int(key)] = value
    return int(head), parameters


@dataclass(frozen=True)
class Target:
    """Base URL, credentials and tenant of the service under test."""

    base_url: str
    client_id: str
    client_secret: str = field(repr=False)
    tenant_id: str
    is_emulator: bool
    run_id: str
    emulator: EmulatorProcess | None = field(default=None, repr=False)
    device_ids: tuple[str, ...] = ()
    script_id: int | None = None
    script_parameters: Mapping[int, str] = field(default_factory=dict)
    credential_set: str | None = None

    @property
    def prefix(self) -> str:
        """The name prefix of every job this run creates (what `doctor --sweep` may delete)."""
        return run_prefix(self.run_id)

    @property
    def settings(self) -> ConnectionSettings:
        """The target as the provider's connection settings."""
        return ConnectionSettings(self.base_url, self.client_id, self.client_secret, self.tenant_id)

    @property
    def shape_options(self) -> ShapeOptions:
        """Devices and custom script for the doctor's shapes."""
        return ShapeOptions(
            self.device_ids, self.script_id, dict(self.script_parameters), self.credential_set
        )

    def client(self, **overrides: Any) -> OpsRampClient:
        """A client for the target (retry and throttle waits sized for a live tenant)."""
        settings: dict[str, Any] = {"max_retry_seconds": 30.0, "max_throttle_wait": 90.0}
        settings.update(overrides)
        return client_for(self.settings, **settings)

    def entities(self) -> list[dict[str, Any]]:
        """The entities every test job carries (none unless devices were given)."""
        return [{"resource": {"id": d, "type": "DEVICE"}} for d in self.device_ids]


def target_from_environment(run_id: str, environ: Mapping[str, str] | None = None) -> Target:
    """The real tenant named by the provider's OPSRAMP_* variables."""
    env = os.environ if environ is None else environ
    settings = resolve_settings({}, env)
    if settings.tenant_id is None:
        raise SettingsError(["OPSRAMP_TENANT_ID is not set: the acceptance tests need a tenant"])
    script_id, parameters = _parse_script(env.get(SCRIPT_ENV, ""))
    devices = tuple(d.strip() for d in env.get(DEVICES_ENV, "").split(",") if d.strip())
    return Target(
        settings.api_url,
        settings.client_id,
        settings.client_secret,
        settings.tenant_id,
        is_emulator=False,
        run_id=run_id,
        device_ids=devices,
        script_id=script_id,
        script_parameters=parameters,
        credential_set=env.get(CREDENTIAL_SET_ENV) or None,
    )


def emulator_target(emulator: EmulatorProcess, run_id: str) -> Target:
    """client_13 of a running emulator, with a seeded device and script."""
    script_id, parameters = _parse_script(EMULATOR_SCRIPT)
    return Target(
        emulator.url,
        CLIENT13_KEY,
        CLIENT13_SECRET,
        CLIENT13_TENANT,
        is_emulator=True,
        run_id=run_id,
        emulator=emulator,
        device_ids=(DEVICE_AD_SERVER,),
        script_id=script_id,
        script_parameters=parameters,
        credential_set=EMULATOR_CREDENTIAL_SET,
    )


def emulator_environment(emulator: EmulatorProcess) -> dict[str, str]:
    """OPSRAMP_* variables that point the real-tenant code path at an emulator's client_13."""
    return {
        ACCEPTANCE_ENV: "1",
        "OPSRAMP_API_URL": emulator.url,
        "OPSRAMP_CLIENT_ID": CLIENT13_KEY,
        "OPSRAMP_CLIENT_SECRET": CLIENT13_SECRET,
        "OPSRAMP_TENANT_ID": CLIENT13_TENANT,
        DEVICES_ENV: DEVICE_AD_SERVER,
        SCRIPT_ENV: EMULATOR_SCRIPT,
        CREDENTIAL_SET_ENV: EMULATOR_CREDENTIAL_SET,
    }
