"""Short errors: what the SDK's provider server sends the CLI for errors the user can act on."""

from __future__ import annotations

import traceback
from typing import Any, NoReturn

import grpc
import pytest

from opsramp_jobs.errors import (
    FieldError,
    OpsRampAuthError,
    OpsRampCredentialsError,
    OpsRampValidationError,
)
from opsramp_jobs.presentation import (
    UserError,
    _ShortTracebacks,
    describe,
    input_path,
    install_short_errors,
)
from opsramp_jobs.settings import SettingsError
from tests.provider.conftest import job_inputs, stack_config
from tests.provider.grpc_provider import ProviderServer
from tests.support.emulator import EmulatorProcess

UNKNOWN_DEVICE = "11111111-2222-3333-4444-555555555555"


@pytest.mark.parametrize(
    ("field_name", "path"),
    [
        ("entities[0].resource.id", "entities[0].resource.id"),
        ("script.customScript.id", "script.customScript.id"),
        ("schedule.pattern.dayOfIndex", "schedule.pattern.dayOfWeek"),
        ("script.configParams.runConfigAlert", "script.configParams.runtimeConfigAlert"),
        ("credentialSet", "script.credentialSet"),
        ("approvalType", "script.approvalType"),
        ("weekDays", "schedule.pattern.weekDays"),
        ("startDate", "schedule.startDate"),
        ("name", "name"),
    ],
)
def test_opsramp_field_names_map_to_input_paths(field_name: str, path: str) -> None:
    assert input_path(field_name) == path


def test_a_400_lists_each_field_and_what_to_do() -> None:
    error = OpsRampValidationError(
        "OpsRamp rejected POST /jobs (HTTP 400): ...",
        field_errors=[
            FieldError("entities[1].resource.id", "No resource found"),
            FieldError("weekDays", "Invalid day"),
        ],
    )
    assert describe(error) == (
        "OpsRamp refused the job (HTTP 400):\n"
        "  entities[1].resource.id: No resource found\n"
        "  schedule.pattern.weekDays: Invalid day\n"
        "Fix these inputs and run `pulumi up` again.\n"
        "Hint: entities lists device_ids, then entities=; each must be a device in the job's "
        "tenant (OpsRamp > Infrastructure)."
    )


def test_rejected_credentials_name_the_settings_that_fix_them() -> None:
    error = OpsRampCredentialsError(
        "OpsRamp rejected the API credentials at x (HTTP 401)", status=401
    )
    text = describe(error)
    assert text is not None
    assert "`pulumi config set --secret opsramp:clientSecret <integration secret>`" in text
    tenant = OpsRampAuthError("The API key may not act on tenant t (HTTP 403: no)", status=403)
    assert describe(tenant) == tenant.message


def test_user_errors_are_their_message_and_bugs_are_not_described() -> None:
    assert describe(UserError("job 'x' already exists")) == "job 'x' already exists"
    assert describe(SettingsError(["opsramp:apiUrl is not set"])) is not None
    assert describe(KeyError("jobId")) is None
    assert describe(RuntimeError("boom")) is None


def fail_with(error: Exception) -> NoReturn:
    raise error


def format_inside(error: Exception) -> str:
    shim = _ShortTracebacks(traceback)
    try:
        fail_with(error)
    except Exception:
        return shim.format_exc()


def test_the_server_shim_shortens_only_user_errors() -> None:
    assert format_inside(UserError("refused: do this")) == "refused: do this"
    bug = format_inside(KeyError("jobId"))
    assert bug.startswith("Traceback (most recent call last):")
    assert "KeyError: 'jobId'" in bug


def test_outside_the_providers_server_nothing_is_installed() -> None:
    assert install_short_errors() is False


def create_error(server: ProviderServer, inputs: dict[str, Any]) -> str:
    checked, failures = server.check(inputs)
    assert failures == []
    with pytest.raises(grpc.RpcError) as caught:
        server.create({k: v for k, v in checked.items() if k != "__provider"})
    return str(caught.value.details())


def test_the_real_server_sends_a_few_lines_for_a_400(emulator: EmulatorProcess) -> None:
    server = ProviderServer()
    try:
        server.configure(stack_config(emulator))
        entities = [{"resource": {"id": UNKNOWN_DEVICE, "type": "DEVICE"}}]
        details = create_error(server, job_inputs(entities=entities))
    finally:
        server.close()
    assert details.splitlines()[:2] == [
        "OpsRamp refused the job (HTTP 400):",
        f"  entities[0].resource.id: No resource found with UUID : {UNKNOWN_DEVICE}",
    ]
    assert len(details.splitlines()) <= 4
    assert "Traceback" not in details


def test_the_real_server_fails_a_preview_once_for_bad_credentials(
    emulator: EmulatorProcess,
) -> None:
    server = ProviderServer()
    try:
        server.configure(stack_config(emulator, **{"opsramp:clientSecret": "wrong"}))
        _, failures = server.check(job_inputs())
        _, later = server.check(job_inputs(name="another job"))
    finally:
        server.close()
    assert len(failures) == 1
    property_path, reason = failures[0]
    assert property_path == ""
    assert reason.startswith("OpsRamp rejected the API credentials")
    assert len(reason.splitlines()) == 2
    assert "pulumi config set --secret opsramp:clientSecret" in reason
    assert later == []  # once per provider process, not once per job
