"""The emulator's `--synthetic-clients N`: more clients of msp_12, each with its own key and
rate-limit buckets; the default seed stays exactly as it was."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from tests.fleet.conftest import synthetic_device, synthetic_tenant
from tests.support.emulator import PARTNER_KEY, PARTNER_SECRET, EmulatorProcess

START = "2026-12-01T02:30:00+0000"


@pytest.fixture(scope="module")
def limited() -> Iterator[EmulatorProcess]:
    """Three synthetic clients, two writes per (long) window per tenant."""
    with EmulatorProcess(
        "--write-limit", "2", "--rate-window", "3600", synthetic_clients=3
    ) as process:
        yield process


def job(index: int, name: str) -> dict[str, object]:
    """A valid job body for synthetic client `index`, on its device 1."""
    return {
        "name": name,
        "entities": [{"resource": {"id": synthetic_device(index, 1), "type": "DEVICE"}}],
        "script": {"jobType": "assetinfo"},
        "schedule": {"startDate": START, "pattern": {"type": "run once"}},
    }


def test_each_client_has_its_own_credentials_and_devices(limited: EmulatorProcess) -> None:
    """client_sNNN-key/-secret reach their own tenant only; devices are the documented ids."""
    limited.reset()
    own = limited.api_session("client_s002-key", "client_s002-secret")
    created = own.post(limited.jobs_url(synthetic_tenant(2)), json=job(2, "mine"), timeout=10)
    assert created.status_code == 200, created.text
    details = created.json()["entities"][0]["resource"]
    assert details["id"] == synthetic_device(2, 1)
    other = own.post(limited.jobs_url(synthetic_tenant(3)), json=job(3, "theirs"), timeout=10)
    assert other.status_code == 403
    # Another client's device is not visible from this tenant.
    foreign = own.post(limited.jobs_url(synthetic_tenant(2)), json=job(3, "x"), timeout=10)
    assert foreign.status_code == 400
    # The partner reaches every synthetic client.
    partner = limited.api_session(PARTNER_KEY, PARTNER_SECRET)
    assert (
        partner.get(limited.jobs_url(synthetic_tenant(3)) + "/search", timeout=10).status_code
        == 200
    )
    with pytest.raises(requests.HTTPError):
        limited.token("client_s002-key", "client_s001-secret")


def test_each_client_has_its_own_rate_limit_buckets(limited: EmulatorProcess) -> None:
    """Spending client_s001's writes leaves client_s002's untouched."""
    limited.reset()
    first = limited.api_session("client_s001-key", "client_s001-secret")
    statuses = [
        first.post(limited.jobs_url(synthetic_tenant(1)), json=job(1, f"j{n}"), timeout=10)
        for n in range(3)
    ]
    assert [r.status_code for r in statuses] == [200, 200, 429]
    second = limited.api_session("client_s002-key", "client_s002-secret")
    answer = second.post(limited.jobs_url(synthetic_tenant(2)), json=job(2, "j0"), timeout=10)
    assert answer.status_code == 200
    assert answer.headers["X-RateLimit-Remaining"] == "1"


def test_without_the_flag_the_seed_is_unchanged() -> None:
    """No synthetic client exists by default (the documented seed only)."""
    with EmulatorProcess(rate_limit=False) as plain:
        with pytest.raises(requests.HTTPError):
            plain.token("client_s001-key", "client_s001-secret")
        partner = plain.api_session(PARTNER_KEY, PARTNER_SECRET)
        answer = partner.get(plain.jobs_url(synthetic_tenant(1)) + "/search", timeout=10)
        assert answer.status_code == 404


def test_out_of_range_count_is_a_usage_error() -> None:
    """A negative count exits 2 naming the option."""
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "opsramp_jobs.emulator", "--synthetic-clients", "-1"],
        capture_output=True,
        text=True,
        check=False,
        timeout=30,
    )
    assert done.returncode == 2
    assert "--synthetic-clients" in done.stderr
