"""`stack_program`: the one-line program a runner (the Kubernetes Operator) uses per stack."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pulumi
import pytest

from opsramp_jobs.fleet import FleetFileError, stack_program
from opsramp_jobs.fleet.runner import JOB_TYPE

EXAMPLE = Path(__file__).parent / "data" / "example-fleet.yaml"
DYNAMIC_TYPE = "pulumi-python:dynamic/opsramp:OpsRampJob"


class RecordingMocks(pulumi.runtime.Mocks):
    """Records every registered resource."""

    def __init__(self) -> None:
        self.resources: list[pulumi.runtime.MockResourceArgs] = []

    def new_resource(
        self, args: pulumi.runtime.MockResourceArgs
    ) -> tuple[str | None, dict[str, Any]]:
        self.resources.append(args)
        return f"{args.name}-id", dict(args.inputs)

    def call(
        self, args: pulumi.runtime.MockCallArgs
    ) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        return {}, []


def registered(
    stack: str, monkeypatch: pytest.MonkeyPatch
) -> list[pulumi.runtime.MockResourceArgs]:
    """Run stack_program() in a mocked stack; every resource it registered."""
    monkeypatch.setenv("OPSRAMP_FLEET_FILE", str(EXAMPLE))
    mocks = RecordingMocks()
    pulumi.runtime.set_mocks(mocks, project="acme-msp-jobs", stack=stack, preview=False)

    @pulumi.runtime.test  # type: ignore[untyped-decorator]  # the SDK leaves it untyped
    def program() -> None:
        stack_program()

    program()
    return mocks.resources


def declared(stack: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, dict[str, Any]]:
    """The OpsRampJob inputs stack_program() declares, by resource name."""
    resources = registered(stack, monkeypatch)
    return {r.name: dict(r.inputs) for r in resources if r.typ == DYNAMIC_TYPE}


def test_the_runner_matches_the_type_the_sdk_registers(monkeypatch: pytest.MonkeyPatch) -> None:
    """JOB_TYPE, which engine events and pending operations are matched on, is the token the
    SDK registers each OpsRampJob under (built from the resource class, not written out)."""
    types = {r.typ for r in registered("initech", monkeypatch)}
    assert types == {JOB_TYPE} == {DYNAMIC_TYPE}


def test_the_stack_name_picks_the_tenant_and_its_jobs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Stack `initech` declares initech's jobs: overrides applied, extra job added."""
    jobs = declared("initech", monkeypatch)
    assert sorted(jobs) == ["SQL report", "ad-checklist", "asset-inventory"]
    assert {j["tenantId"] for j in jobs.values()} == {"client_13"}
    assert jobs["asset-inventory"]["schedule"]["pattern"]["type"] == "weekly"
    devices = [e["resource"]["id"] for e in jobs["ad-checklist"]["entities"]]
    assert devices == ["709824de-8315-4cf9-ad1c-b15aaf7bf2a5"]


def test_a_stack_that_is_no_tenant_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """A stack name missing from the fleet file fails naming the tenants there are."""
    with pytest.raises(FleetFileError, match="stack 'prod' is not a tenant"):
        declared("prod", monkeypatch)
