"""Fleets: one Pulumi stack per tenant, driven together (``python -m opsramp_jobs.fleet``)."""

from __future__ import annotations

import os

import pulumi

from opsramp_jobs.fleet.runner import tenant_program
from opsramp_jobs.fleet.spec import (
    Fleet,
    FleetFileError,
    JobSpec,
    SecretSource,
    TenantSpec,
    load_fleet,
    parse_fleet,
)

__all__ = [
    "Fleet",
    "FleetFileError",
    "JobSpec",
    "SecretSource",
    "TenantSpec",
    "load_fleet",
    "parse_fleet",
    "stack_program",
]


def stack_program(fleet_file: str | os.PathLike[str] | None = None) -> None:
    """Declare the current stack's tenant's jobs, from a fleet file, in a regular Pulumi program.

    For runners that run `pulumi up` on a project directory (the Kubernetes Operator): the
    program is one line, ``stack_program("fleet.yaml")``, and the stack name picks the tenant.
    The file defaults to the OPSRAMP_FLEET_FILE environment variable.
    """
    path = fleet_file or os.environ.get("OPSRAMP_FLEET_FILE")
    if not path:
        raise FleetFileError("stack_program", ["no fleet file: pass one or set OPSRAMP_FLEET_FILE"])
    fleet = load_fleet(path)
    stack = pulumi.get_stack()
    tenant = fleet.tenants.get(stack)
    if tenant is None:
        raise FleetFileError(
            str(path), [f"stack {stack!r} is not a tenant (tenants: {', '.join(fleet.tenants)})"]
        )
    tenant_program(tenant)()
