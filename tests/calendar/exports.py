"""Stack exports built in tests: the shape `pulumi stack export` writes (version 3)."""

from __future__ import annotations

import json
from typing import Any

from opsramp_jobs.calendar.stack import JOB_TYPE

STACK_URN = "urn:pulumi:dev::jobs-project::pulumi:pulumi:Stack::jobs-project-dev"
SECRET_SIG = "4dabf18193072939515e22adb298388d"
SECRET_VALUE = "1b47061264138c4ac30d75fd1eb44270"


def encrypted() -> dict[str, str]:
    """A secret as `pulumi stack export` shows it without --show-secrets."""
    return {SECRET_SIG: SECRET_VALUE, "ciphertext": "v1:abc:def"}


def revealed(value: Any) -> dict[str, str]:
    """A secret as `pulumi stack export --show-secrets` shows it."""
    return {SECRET_SIG: SECRET_VALUE, "plaintext": json.dumps(value)}


def job_resource(
    resource: str,
    pattern: dict[str, Any] | None = None,
    *,
    start: str = "2026-12-01T02:30:00+0000",
    devices: tuple[str, ...] = ("dev-a",),
    name: Any = None,
    tenant: str = "client_13",
    job_id: str | None = None,
    **outputs: Any,
) -> dict[str, Any]:
    """One OpsRampJob resource with the outputs the provider stores."""
    body: dict[str, Any] = {
        "name": resource.replace("-", " ").title() if name is None else name,
        "tenantId": tenant,
        "entities": [{"resource": {"id": d, "type": "DEVICE"}} for d in devices],
        "script": {"jobType": "adCheckList"},
        "schedule": {
            "startDate": start,
            "pattern": pattern or {"type": "daily", "frequency": "everyday"},
        },
        "jobQueued": False,
        **outputs,
    }
    return {
        "urn": f"urn:pulumi:dev::jobs-project::{JOB_TYPE}::{resource}",
        "custom": True,
        "id": job_id or f"id-{resource}",
        "type": JOB_TYPE,
        "inputs": {},
        "outputs": body,
    }


def export(*resources: dict[str, Any]) -> dict[str, Any]:
    """A whole export: the stack resource, a provider and the given resources."""
    return {
        "version": 3,
        "deployment": {
            "manifest": {"time": "2026-12-05T03:15:08.313668497Z", "version": "v3.274.1"},
            "resources": [
                {"urn": STACK_URN, "custom": False, "type": "pulumi:pulumi:Stack"},
                {
                    "urn": "urn:pulumi:dev::jobs-project::pulumi:providers:pulumi-python::default",
                    "custom": True,
                    "id": "p",
                    "type": "pulumi:providers:pulumi-python",
                },
                *resources,
            ],
        },
    }
