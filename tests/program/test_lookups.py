"""get_job / get_job_types in a program: the stack's settings, the real emulator over HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pulumi
import pytest

from opsramp_jobs.lookups import (
    GetJobResult,
    OpsRampLookupError,
    get_job,
    get_job_output,
    get_job_types,
    get_job_types_output,
)
from tests.support.emulator import (
    CLIENT13_TENANT,
    CLIENT93_TENANT,
    DEVICE_AD_SERVER,
    PARTNER_KEY,
    PARTNER_SECRET,
    EmulatorProcess,
)

BODY = {
    "name": "Made by hand",
    "script": {"jobType": "assetinfo"},
    "schedule": {"startDate": "2026-12-01T02:30:00+0000", "pattern": {"type": "never"}},
    "entities": [{"resource": {"id": DEVICE_AD_SERVER, "type": "DEVICE"}}],
    "jobQueued": True,
}


def set_stack_config(emulator: EmulatorProcess) -> None:
    """Stack config as the language host sets it: the partner's credentials, client_13."""
    pulumi.runtime.set_all_config(
        {
            "opsramp:apiUrl": emulator.url,
            "opsramp:clientId": PARTNER_KEY,
            "opsramp:clientSecret": PARTNER_SECRET,
            "opsramp:tenantId": CLIENT13_TENANT,
        },
        ["opsramp:clientSecret"],
    )


@pytest.fixture
def stack(emulator: EmulatorProcess) -> Iterator[None]:
    """The stack config of `set_stack_config` for one test."""
    set_stack_config(emulator)
    yield
    pulumi.runtime.set_all_config({}, [])


def make_job(emulator: EmulatorProcess, tenant: str = CLIENT13_TENANT, **body: Any) -> str:
    session = emulator.api_session()
    try:
        response = session.post(emulator.jobs_url(tenant), json={**BODY, **body}, timeout=10)
        response.raise_for_status()
        return str(response.json()["id"])
    finally:
        session.close()


@pytest.mark.usefixtures("stack")
def test_get_job_by_id_and_by_name_returns_the_live_job(emulator: EmulatorProcess) -> None:
    job_id = make_job(emulator)
    by_id = get_job(job_id)
    assert by_id == get_job(name="Made by hand")
    assert (by_id.id, by_id.name, by_id.tenant_id) == (job_id, "Made by hand", CLIENT13_TENANT)
    assert by_id.script == {"jobType": "assetinfo"}
    assert by_id.schedule == BODY["schedule"]
    assert by_id.entities == BODY["entities"]
    assert by_id.job_queued is True
    assert by_id.script_name == "assetinfo"
    assert by_id.entity_details[0]["id"] == DEVICE_AD_SERVER
    assert by_id.schedule_description


@pytest.mark.usefixtures("stack")
def test_get_job_in_another_tenant(emulator: EmulatorProcess) -> None:
    job_id = make_job(emulator, CLIENT93_TENANT, entities=[])
    assert get_job(job_id, tenant_id=CLIENT93_TENANT).tenant_id == CLIENT93_TENANT
    with pytest.raises(OpsRampLookupError, match=f"no job '{job_id}' in tenant 'client_13'"):
        get_job(job_id)


@pytest.mark.usefixtures("stack")
def test_get_job_by_name_needs_exactly_one_match(emulator: EmulatorProcess) -> None:
    with pytest.raises(OpsRampLookupError, match="no job named 'Made by hand'"):
        get_job(name="Made by hand")
    first, second = make_job(emulator), make_job(emulator)
    with pytest.raises(OpsRampLookupError) as caught:
        get_job(name="Made by hand")
    assert f"2 jobs are named 'Made by hand' in tenant 'client_13' ({first}, {second})" in str(
        caught.value
    )
    with pytest.raises(OpsRampLookupError, match="exactly one of id"):
        get_job()


@pytest.mark.usefixtures("stack")
def test_get_job_types_lists_the_catalogue() -> None:
    result = get_job_types()
    assert result.tenant_id == CLIENT13_TENANT
    types = {t.job_type: t.name for t in result.job_types}
    assert types["adCheckList"] == "AD CheckList"
    assert "networkconfigbackup" in types


def test_settings_come_from_the_stack_and_their_errors_name_the_fix() -> None:
    pulumi.runtime.set_all_config({"opsramp:tenantId": CLIENT13_TENANT}, [])
    with pytest.raises(OpsRampLookupError) as caught:
        get_job_types()
    assert "pulumi config set opsramp:apiUrl" in str(caught.value)
    assert isinstance(caught.value, pulumi.RunError)  # printed without a traceback


@pytest.mark.usefixtures("stack")
def test_bad_credentials_are_a_short_error(emulator: EmulatorProcess) -> None:
    pulumi.runtime.set_config("opsramp:clientSecret", "wrong")
    with pytest.raises(OpsRampLookupError) as caught:
        get_job_types()
    assert str(caught.value).startswith("get_job_types: OpsRamp rejected the API credentials")


class NoResources(pulumi.runtime.Mocks):
    def new_resource(
        self, args: pulumi.runtime.MockResourceArgs
    ) -> tuple[str | None, dict[str, Any]]:
        return None, {}

    def call(
        self, args: pulumi.runtime.MockCallArgs
    ) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        return {}, []


@pytest.mark.parametrize("preview", [True, False])
def test_output_forms_take_inputs_and_run_in_preview_too(
    emulator: EmulatorProcess, preview: bool
) -> None:
    job_id = make_job(emulator)
    pulumi.runtime.set_mocks(NoResources(), project="unit", stack="dev", preview=preview)
    set_stack_config(emulator)
    seen: list[Any] = []

    @pulumi.runtime.test  # type: ignore[untyped-decorator]  # the SDK leaves it untyped
    def program() -> pulumi.Output[Any]:
        job: pulumi.Output[GetJobResult] = get_job_output(pulumi.Output.from_input(job_id))
        types = get_job_types_output(tenant_id=CLIENT13_TENANT)
        return pulumi.Output.all(job.name, types.tenant_id).apply(seen.append)

    program()
    pulumi.runtime.set_all_config({}, [])
    assert seen == [["Made by hand", CLIENT13_TENANT]]


ASSET_INFO = {"jobType": "assetinfo"}
NEVER = {"startDate": "2026-12-01T02:30:00+0000", "pattern": {"type": "never"}}


class LiveJobs(pulumi.runtime.Mocks):
    """An existing job's id for `existing`; a create (no id yet in a preview) for the rest."""

    def __init__(self, existing_id: str, preview: bool) -> None:
        self.existing_id, self.preview = existing_id, preview

    def new_resource(
        self, args: pulumi.runtime.MockResourceArgs
    ) -> tuple[str | None, dict[str, Any]]:
        if args.name == "existing":
            return self.existing_id, {**args.inputs, "tenantId": CLIENT13_TENANT}
        return (None if self.preview else "gone-job-id"), dict(args.inputs)

    def call(
        self, args: pulumi.runtime.MockCallArgs
    ) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        return {}, []


@pytest.mark.parametrize("preview", [True, False])
def test_entity_details_are_looked_up_when_read(emulator: EmulatorProcess, preview: bool) -> None:
    """Not stored: read from OpsRamp for a job that exists, unknown for one still to create,
    empty for one that is gone (the next refresh or up deals with it)."""
    from opsramp_jobs import OpsRampJob

    job_id = make_job(emulator)
    pulumi.runtime.set_mocks(
        LiveJobs(job_id, preview), project="unit", stack="dev", preview=preview
    )
    set_stack_config(emulator)
    seen: list[Any] = []

    @pulumi.runtime.test  # type: ignore[untyped-decorator]  # the SDK leaves it untyped
    def program() -> pulumi.Output[Any]:
        existing = OpsRampJob("existing", script=ASSET_INFO, schedule=NEVER)
        other = OpsRampJob("other", script=ASSET_INFO, schedule=NEVER)
        if preview:  # `other` has no id yet: its details are unknown, so never reported
            other.entity_details.apply(lambda details: seen.append(("other", details)))
            return existing.entity_details.apply(lambda details: seen.append(("existing", details)))
        both = pulumi.Output.all(existing.entity_details, other.entity_details)
        return both.apply(lambda pair: seen.extend([("existing", pair[0]), ("other", pair[1])]))

    program()
    pulumi.runtime.set_all_config({}, [])
    live = {
        "id": DEVICE_AD_SERVER,
        "type": "DEVICE",
        "hostName": "10.233.19.130",
        "ipAddresses": "10.233.19.130",
        "clientUniqueId": CLIENT13_TENANT,
    }
    # A job OpsRamp no longer has (`gone-job-id`) has no details rather than failing the program.
    assert seen == ([("existing", [live])] if preview else [("existing", [live]), ("other", [])])
