"""Fixtures: the real provider server, configured against the emulator."""

from collections.abc import Iterator
from typing import Any

import pytest

from opsramp_jobs.client import OpsRampClient
from tests.provider.grpc_provider import ProviderServer
from tests.support.emulator import PARTNER_KEY, PARTNER_SECRET, EmulatorProcess


def stack_config(emulator: EmulatorProcess, **extra: str) -> dict[str, str]:
    """The stack config the engine would send for a dev stack."""
    return {
        "opsramp:apiUrl": emulator.url,
        "opsramp:clientId": PARTNER_KEY,
        "opsramp:clientSecret": PARTNER_SECRET,
        "opsramp:tenantId": "client_13",
        **extra,
    }


@pytest.fixture(scope="module")
def provider_server() -> Iterator[ProviderServer]:
    server = ProviderServer()
    yield server
    server.close()


@pytest.fixture
def provider(provider_server: ProviderServer, emulator: EmulatorProcess) -> ProviderServer:
    provider_server.configure(stack_config(emulator))
    return provider_server


@pytest.fixture
def out_of_band(emulator: EmulatorProcess) -> Iterator[OpsRampClient]:
    """A separate client acting on OpsRamp behind Pulumi's back."""
    client = OpsRampClient(emulator.url, PARTNER_KEY, PARTNER_SECRET, tenant_id="client_13")
    yield client
    client.close()


def job_inputs(**overrides: Any) -> dict[str, Any]:
    """Inputs as the OpsRampJob resource sends them (wire names, loose values)."""
    inputs: dict[str, Any] = {
        "name": "Nightly AD check",
        "entities": [
            {"resource": {"id": "709824de-8315-4cf9-ad1c-b15aaf7bf2a5", "type": "DEVICE"}},
            {"resource": {"id": "4e96d5bc-763c-4c00-beab-928d653a0422", "type": "DEVICE"}},
        ],
        "script": {"jobType": "adCheckList"},
        "schedule": {
            "startDate": "2026-01-05T02:30:45+01:00",
            "pattern": {"type": "daily", "frequency": "recurrence", "repeatFrequency": "2"},
        },
        "jobQueued": "true",
    }
    inputs.update(overrides)
    return inputs
