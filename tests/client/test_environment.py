"""Proxy settings from the environment still apply although they are read once, at construction."""

import pytest

from opsramp_jobs.client import OpsRampClient
from opsramp_jobs.errors import OpsRampConnectionError
from tests.support.emulator import PARTNER_KEY, PARTNER_SECRET, EmulatorProcess


def test_a_proxy_from_the_environment_is_used(
    emulator: EmulatorProcess, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")  # nothing listens on the discard port
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    client = OpsRampClient(
        emulator.url, PARTNER_KEY, PARTNER_SECRET, tenant_id="client_13", max_attempts=1
    )
    with pytest.raises(OpsRampConnectionError):
        client.job_types()
    monkeypatch.delenv("HTTP_PROXY")
    direct = OpsRampClient(emulator.url, PARTNER_KEY, PARTNER_SECRET, tenant_id="client_13")
    assert direct.job_types()
