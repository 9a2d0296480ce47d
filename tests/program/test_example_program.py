"""The example program under Pulumi's mocks, with each stack's real config file."""

from __future__ import annotations

import base64
import json
import runpy
from pathlib import Path
from typing import Any

import pulumi
import pytest
import yaml

from opsramp_jobs.provider import OpsRampJobProvider
from opsramp_jobs.resource import InvalidInputsError

ROOT = Path(__file__).resolve().parents[2]
DYNAMIC_TYPE = "pulumi-python:dynamic/opsramp:OpsRampJob"


class RecordingMocks(pulumi.runtime.Mocks):
    """Records every registered resource and answers like the provider would."""

    def __init__(self) -> None:
        self.resources: list[pulumi.runtime.MockResourceArgs] = []

    def new_resource(
        self, args: pulumi.runtime.MockResourceArgs
    ) -> tuple[str | None, dict[str, Any]]:
        self.resources.append(args)
        if args.typ != DYNAMIC_TYPE:
            return None, {}
        return f"{args.name}-id", {**args.inputs, "jobId": f"{args.name}-id"}

    def call(
        self, args: pulumi.runtime.MockCallArgs
    ) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        return {}, []


def stack_config(stack: str) -> tuple[dict[str, str], list[str]]:
    document = yaml.safe_load((ROOT / f"Pulumi.{stack}.yaml").read_text())
    config = {
        key: value if isinstance(value, str) else json.dumps(value)
        for key, value in document["config"].items()
    }
    config.setdefault("jobs:scriptSecret", "s3cr3t-value")
    return config, ["jobs:scriptSecret"]


def run_program(stack: str) -> tuple[RecordingMocks, dict[str, Any]]:
    mocks = RecordingMocks()
    pulumi.runtime.set_mocks(mocks, project="opsramp-jobs-example", stack=stack, preview=False)
    config, secret_keys = stack_config(stack)
    pulumi.runtime.set_all_config(config, secret_keys)
    namespace: dict[str, Any] = {}

    @pulumi.runtime.test  # type: ignore[untyped-decorator]  # the SDK leaves it untyped
    def program() -> pulumi.Output[Any]:
        namespace.update(runpy.run_path(str(ROOT / "__main__.py"), run_name="__main__"))
        jobs = namespace["all_jobs"].values()
        return pulumi.Output.all(*[job.job_id for job in jobs])

    program()
    return mocks, namespace


SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"


def unwrap_secrets(value: Any) -> Any:
    """Unwrap secret envelopes, as the engine does for a provider that does not accept secrets."""
    if isinstance(value, dict):
        if value.get("4dabf18193072939515e22adb298388d") == SECRET_SIG:
            return unwrap_secrets(value["value"])
        return {k: unwrap_secrets(v) for k, v in value.items()}
    if isinstance(value, list):
        return [unwrap_secrets(v) for v in value]
    return value


def jobs_of(mocks: RecordingMocks) -> dict[str, dict[str, Any]]:
    return {
        r.name: unwrap_secrets(dict(r.inputs)) for r in mocks.resources if r.typ == DYNAMIC_TYPE
    }


def test_dev_stack_declares_every_job_against_the_dev_tenant() -> None:
    mocks, _ = run_program("dev")
    jobs = jobs_of(mocks)
    assert sorted(jobs) == [
        "ad-checklist",
        "agent-install",
        "asset-inventory-client_13",
        "asset-inventory-client_93",
        "cleanup-script",
        "network-backup",
        "sql-report",
    ]
    assert jobs["ad-checklist"]["tenantId"] == "client_13"
    assert jobs["asset-inventory-client_93"]["tenantId"] == "client_93"
    assert jobs["asset-inventory-client_13"]["name"] == "Asset inventory"
    patterns = {name: job["schedule"]["pattern"]["type"] for name, job in jobs.items()}
    assert set(patterns.values()) == {"daily", "weekly", "monthly", "run once"}
    components = [r for r in mocks.resources if r.typ == "opsramp:index:OpsRampJobSet"]
    assert [c.name for c in components] == ["asset-inventory"]


def test_provider_blob_is_small_and_carries_no_configuration() -> None:
    mocks, _ = run_program("dev")
    config, _ = stack_config("dev")
    assert jobs_of(mocks)
    for inputs in jobs_of(mocks).values():
        blob = inputs["__provider"]
        assert len(blob) <= 200
        raw = base64.b64decode(blob)
        for value in config.values():
            assert value.encode() not in raw


def test_dev_inputs_pass_the_providers_check() -> None:
    mocks, _ = run_program("dev")
    provider = OpsRampJobProvider()
    for name, inputs in jobs_of(mocks).items():
        result = provider.check({}, inputs)
        assert result.failures == [], name
        assert result.inputs["schedule"]["startDate"] == "2026-12-01T02:30:00+0000"


def test_staging_placeholders_fail_with_property_paths(caplog: pytest.LogCaptureFixture) -> None:
    """An unedited staging stack: the program names every placeholder left, job by job."""
    with pytest.raises(InvalidInputsError):
        run_program("staging")
    errors = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    cleanup = {line.split(": ")[1] for line in errors if line.startswith("OpsRampJob 'cleanup-")}
    assert cleanup == {
        "tenantId",
        "device_ids[0]",
        "script.customScript.id",
        "script.parameters[0].paramId",
    }
    # Every job of the program is reported in the one run, not only the first.
    named = {line.split(": ")[0] for line in errors}
    assert len(named) == 6, errors


def test_a_new_client_tenant_adds_exactly_one_job() -> None:
    mocks, _ = run_program("dev")
    before = set(jobs_of(mocks))
    original = stack_config

    def with_third_tenant(stack: str) -> tuple[dict[str, str], list[str]]:
        config, secrets = original(stack)
        config["jobs:clientTenants"] = json.dumps(["client_13", "client_93", "client_77"])
        return config, secrets

    globals()["stack_config"] = with_third_tenant
    try:
        mocks, _ = run_program("dev")
    finally:
        globals()["stack_config"] = original
    assert set(jobs_of(mocks)) - before == {"asset-inventory-client_77"}


def test_the_custom_scripts_secret_parameter_is_registered_as_a_secret() -> None:
    mocks, _ = run_program("dev")
    raw = next(r.inputs for r in mocks.resources if r.name == "cleanup-script")
    text = json.dumps(raw)
    assert "s3cr3t-value" in text  # mocks see the value, inside a secret envelope
    assert SECRET_SIG in text
    assert unwrap_secrets(raw)["script"]["parameters"][0]["value"] == "s3cr3t-value"
