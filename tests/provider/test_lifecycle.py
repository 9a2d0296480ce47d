"""The provider through the SDK's real gRPC server, against the emulator over real HTTP."""

import base64
from typing import Any

import grpc
import pytest
from pulumi.runtime.proto import provider_pb2

from opsramp_jobs.client import OpsRampClient
from opsramp_jobs.model import parse_job
from opsramp_jobs.provider import INPUT_KEYS
from tests.provider.conftest import job_inputs
from tests.provider.grpc_provider import PROVIDER_BLOB, UNKNOWN, ProviderServer
from tests.support.emulator import EmulatorProcess

DIFF_NONE = provider_pb2.DiffResponse.DIFF_NONE
DIFF_SOME = provider_pb2.DiffResponse.DIFF_SOME


def checked(provider: ProviderServer, **overrides: Any) -> dict[str, Any]:
    inputs, failures = provider.check(job_inputs(**overrides))
    assert failures == []
    inputs.pop("__provider")
    return inputs


def test_create_then_no_diff_then_update_then_replace_then_refresh(
    provider: ProviderServer, emulator: EmulatorProcess, out_of_band: OpsRampClient
) -> None:
    inputs = checked(provider)
    assert inputs["tenantId"] == "client_13"  # the default tenant from stack config
    assert inputs["schedule"]["startDate"] == "2026-01-05T01:30:00+0000"
    job_id, outs = provider.create(inputs)
    assert [j["job"]["id"] for j in emulator.jobs()] == [job_id]
    # Nothing a program can derive is stored: the id is the resource's, the schedule's words and
    # next runs and the script's name come from `schedule` and `script` (OpsRampJob properties).
    assert set(outs) == {*INPUT_KEYS, "__provider"}

    # The stored outputs against the same inputs: no change at all.
    assert provider.diff(job_id, outs, inputs).changes == DIFF_NONE
    # A refresh with nothing changed returns the same outputs, and no inputs: the engine keeps
    # the state's (an `up` then a `refresh --expect-no-changes` in tests/e2e shows it does).
    read_id, read_outs, read_inputs = provider.read(job_id, outs)
    assert read_id == job_id
    assert read_outs == outs
    assert read_inputs == {}

    # One schedule field changes: an update, no replace.
    changed = checked(
        provider,
        schedule={
            "startDate": "2026-01-05T01:30:00Z",
            "pattern": {"type": "weekly", "weekDays": "Friday"},
        },
    )
    diff = provider.diff(job_id, outs, changed)
    assert diff.changes == DIFF_SOME
    assert list(diff.replaces) == []
    outs = provider.update(job_id, outs, changed)
    stored = emulator.jobs()[0]["job"]
    assert stored["schedule"]["pattern"] == {"type": "weekly", "weekDays": "Friday"}
    assert provider.diff(job_id, outs, changed).changes == DIFF_NONE

    # A new job type: replace, deleting first (names are unique per tenant).
    replaced = checked(provider, script={"jobType": "assetinfo"})
    diff = provider.diff(job_id, outs, replaced)
    assert list(diff.replaces) == ["script"]
    assert diff.deleteBeforeReplace
    provider.delete(job_id, outs)
    job_id, outs = provider.create(replaced)
    assert [j["job"]["id"] for j in emulator.jobs()] == [job_id]

    # Edited behind Pulumi's back: refresh shows the drift and reports it as inputs.
    live = out_of_band.get_job(job_id)
    live["schedule"]["pattern"] = {"type": "daily", "frequency": "everyday"}
    live["jobQueued"] = False
    out_of_band.update_job(job_id, live)
    _, drifted, drifted_inputs = provider.read(job_id, outs)
    assert drifted["schedule"]["pattern"] == {"type": "daily", "frequency": "everyday"}
    assert drifted_inputs["jobQueued"] is False
    diff = provider.diff(job_id, drifted, replaced)
    assert diff.changes == DIFF_SOME
    assert list(diff.replaces) == []

    # Deleted behind Pulumi's back: refresh drops it; deleting again succeeds.
    out_of_band.delete_job(job_id)
    gone_id, gone_outs, _ = provider.read(job_id, outs)
    assert gone_id == ""
    assert set(gone_outs) <= {"__provider"}  # the server always echoes the provider
    provider.delete(job_id, outs)
    assert emulator.jobs() == []


def test_tenant_change_replaces_without_deleting_first(provider: ProviderServer) -> None:
    inputs = checked(provider)
    job_id, outs = provider.create(inputs)
    moved = checked(provider, tenantId="client_93", entities=[])
    diff = provider.diff(job_id, outs, moved)
    assert list(diff.replaces) == ["tenantId"]
    assert not diff.deleteBeforeReplace


def test_preview_with_unknown_device_ids(
    provider: ProviderServer, emulator: EmulatorProcess
) -> None:
    emulator.reset_stats()
    unknown_device = [{"resource": {"id": UNKNOWN, "type": "DEVICE"}}]
    inputs, failures = provider.check(job_inputs(entities=unknown_device))
    assert failures == []
    assert inputs["name"] == "Nightly AD check"
    # Known parts are still validated while one part is unknown.
    _, failures = provider.check(
        job_inputs(entities=unknown_device, script={"jobType": "adChecklst"})
    )
    assert failures == [
        ("script.jobType", "'adChecklst' is not an OpsRamp job type; did you mean 'adCheckList'?")
    ]
    known = checked(provider)
    job_id, outs = provider.create(known)
    diff = provider.diff(job_id, outs, {**known, "entities": unknown_device})
    assert diff.changes == DIFF_SOME
    assert list(diff.replaces) == []
    diff = provider.diff(job_id, outs, {**known, "tenantId": UNKNOWN})
    assert list(diff.replaces) == ["tenantId"]


def test_bad_input_reports_every_failure_and_sends_nothing(
    provider: ProviderServer, emulator: EmulatorProcess
) -> None:
    emulator.reset_stats()
    _, failures = provider.check(
        job_inputs(
            name="",
            script={"jobType": "appinstall", "approvalType": {"approvalType": 5}},
            schedule={
                "startDate": "2026-01-05T02:30:00",
                "pattern": {"type": "monthly", "dayOfMonth": "1, 40", "weekIndex": "First"},
            },
            entities=[{"resource": {"id": "not-a-device", "type": "DEVICE"}}],
        )
    )
    assert [path for path, _ in failures] == [
        "name",
        "entities[0].resource.id",
        "script.approvalType.approvalType",
        "schedule.startDate",
        "schedule.pattern",
    ]
    assert emulator.stats()["requests"] == 0


def test_duplicate_name_is_refused_before_posting(
    provider: ProviderServer, emulator: EmulatorProcess, out_of_band: OpsRampClient
) -> None:
    inputs = checked(provider)
    existing = out_of_band.create_job(parse_job(inputs).to_wire())
    with pytest.raises(grpc.RpcError) as caught:
        provider.create(inputs)
    message = caught.value.details()
    assert f"job 'Nightly AD check' already exists in tenant 'client_13' (id {existing['id']})" in (
        message
    )
    assert f"adopt_id={existing['id']!r}" in message
    assert len(emulator.jobs()) == 1

    # Opting out creates a second job on purpose.
    second_id, _ = provider.create({**inputs, "allowDuplicateName": True})
    assert second_id != existing["id"]
    assert len(emulator.jobs()) == 2


def test_adoption_takes_over_and_updates_an_existing_job(
    provider: ProviderServer, emulator: EmulatorProcess, out_of_band: OpsRampClient
) -> None:
    inputs = checked(provider)
    legacy = out_of_band.create_job({**parse_job(inputs).to_wire(), "jobQueued": False})
    adopted = {**inputs, "adoptId": legacy["id"]}
    job_id, outs = provider.create(adopted)
    assert job_id == legacy["id"]
    assert outs["jobQueued"] is True
    assert [j["job"]["jobQueued"] for j in emulator.jobs()] == [True]
    # adoptId is an option, not part of the job: changing it later is no diff.
    assert provider.diff(job_id, outs, inputs).changes == DIFF_NONE

    with pytest.raises(grpc.RpcError, match="no such job"):
        provider.create({**inputs, "adoptId": "00000000-0000-4000-8000-000000000000"})


def test_custom_script_with_credential_set_has_no_phantom_diff(
    provider: ProviderServer, emulator: EmulatorProcess
) -> None:
    inputs = checked(
        provider,
        name="cleanup",
        script={
            "jobType": "custom",
            "customScript": {"id": "7"},
            "parameters": [{"paramId": "2", "value": "150"}],
            "userType": "2",
            "credentialSet": {"uniqueId": "cred-123"},
        },
    )
    job_id, outs = provider.create(inputs)
    assert outs["scriptName"] == "test script"  # OpsRamp's name: the program gave only the id
    assert outs["script"]["credentialSet"] == {"uniqueId": "cred-123"}
    assert provider.diff(job_id, outs, inputs).changes == DIFF_NONE
    _, read_outs, _ = provider.read(job_id, outs)
    assert read_outs == outs


def test_missing_configuration_names_the_command(emulator: EmulatorProcess) -> None:
    server = ProviderServer()
    try:
        server.configure({"opsramp:apiUrl": emulator.url})
        _, failures = server.check(job_inputs())
        reasons = [reason for _, reason in failures]
        assert any("pulumi config set opsramp:clientId" in r for r in reasons)
        assert any("pulumi config set --secret opsramp:clientSecret" in r for r in reasons)
        assert (
            "tenantId",
            "no tenant: pass tenant_id=... to the job, or set a default with "
            "`pulumi config set opsramp:tenantId <client or partner id>`",
        ) in failures
    finally:
        server.close()


def test_environment_variables_configure_the_provider(emulator: EmulatorProcess) -> None:
    from tests.support.emulator import PARTNER_KEY, PARTNER_SECRET

    server = ProviderServer(
        env={
            "OPSRAMP_ENDPOINT": emulator.url,
            "OPSRAMP_CLIENT_ID": PARTNER_KEY,
            "OPSRAMP_CLIENT_SECRET": PARTNER_SECRET,
            "OPSRAMP_TENANT": "client_93",
        }
    )
    try:
        server.configure({})
        inputs, failures = server.check(job_inputs(entities=[]))
        assert failures == []
        assert inputs["tenantId"] == "client_93"
        job_id, _ = server.create({k: v for k, v in inputs.items() if k != "__provider"})
        assert [(j["tenantId"], j["job"]["id"]) for j in emulator.jobs()] == [("client_93", job_id)]
    finally:
        server.close()


def test_pickled_provider_is_small_and_holds_no_configuration() -> None:
    assert len(PROVIDER_BLOB) <= 200
    raw = base64.b64decode(PROVIDER_BLOB)
    assert b"opsramp_jobs.provider" in raw
    assert b"OpsRampJobProvider" in raw
    for secret in (b"demo", b"secret", b"http", b"client_"):
        assert secret not in raw


def test_unknown_top_level_inputs_are_reported(provider: ProviderServer) -> None:
    _, failures = provider.check(job_inputs(schedul={"x": 1}, jobId=None))
    assert failures == [
        ("schedul", "'schedul' is not an input of OpsRampJob; did you mean 'schedule'?")
    ]


def test_unknown_options_pass_preview_and_known_bad_ones_fail(provider: ProviderServer) -> None:
    # An option computed from another resource is unknown in a preview: not an error.
    for option in ("allowDuplicateName", "adoptId"):
        _, failures = provider.check({**job_inputs(), option: UNKNOWN})
        assert failures == [], option
    _, failures = provider.check({**job_inputs(), "allowDuplicateName": "yes"})
    assert failures == [("allowDuplicateName", "must be true or false")]
