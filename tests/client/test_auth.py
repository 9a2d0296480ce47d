"""Tokens: lazy, one per process, renewed on expiry, older path fallback, bad credentials."""

from __future__ import annotations

import threading
import time

import pytest

from opsramp_jobs.errors import OpsRampAuthError
from tests.client.conftest import ClientFactory, job_body, route_count
from tests.support.emulator import (
    CLIENT13_TENANT,
    CLIENT93_TENANT,
    PARTNER_KEY,
    PARTNER_SECRET,
    EmulatorProcess,
)


def test_token_is_fetched_lazily_and_once_per_process(
    make_client: ClientFactory, emulator: EmulatorProcess
) -> None:
    clients = [make_client() for _ in range(3)]
    assert emulator.stats()["tokens_issued"] == 0
    barrier = threading.Barrier(8)
    failures: list[BaseException] = []

    def first_call(index: int) -> None:
        barrier.wait()
        try:
            clients[index % 3].job_types()
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=first_call, args=(index,)) for index in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert emulator.stats()["tokens_issued"] == 1
    assert sum(client.tokens_fetched for client in clients) == 1


def test_expired_token_mid_sequence_is_fetched_again_once(
    make_client: ClientFactory, emulator: EmulatorProcess
) -> None:
    client = make_client()
    created = client.create_job(job_body("expiring"))
    emulator.expire_tokens()
    assert client.get_job(created["id"])["id"] == created["id"]
    client.update_job(created["id"], job_body("expiring 2"))
    assert client.tokens_fetched == 2
    assert len(emulator.jobs()) == 1


def test_short_token_ttl_is_renewed_before_expiry(
    make_client: ClientFactory, emulator: EmulatorProcess
) -> None:
    emulator.configure(token_ttl=1)
    client = make_client()
    created = client.create_job(job_body("short ttl"))
    calls = 1  # the POST (a plain client never searches before a create)
    deadline = time.monotonic() + 2.2
    while time.monotonic() < deadline:
        client.get_job(created["id"])
        calls += 1
        time.sleep(0.05)
    assert client.tokens_fetched >= 3
    # Renewed ahead of expiry: no call was refused with 401 and sent again.
    assert client.requests_sent == calls + client.tokens_fetched


def test_older_token_path_when_the_current_one_is_missing(
    make_client: ClientFactory, emulator: EmulatorProcess
) -> None:
    emulator.add_fault(method="POST", path="/tenancy/auth/oauth/token", status=404, count=5)
    client = make_client()
    assert client.job_types()
    assert route_count(emulator, "POST /tenancy/auth/oauth/token") == 1
    assert route_count(emulator, "POST /auth/oauth/token") == 1
    # The working path is remembered for the next token.
    emulator.expire_tokens()
    assert client.job_types()
    assert route_count(emulator, "POST /tenancy/auth/oauth/token") == 1
    assert route_count(emulator, "POST /auth/oauth/token") == 2


def test_bad_credentials_raise_auth_error_without_the_secret(make_client: ClientFactory) -> None:
    client = make_client(client_secret="wrong-secret-4f1c9a")
    with pytest.raises(OpsRampAuthError, match="client id and client secret") as caught:
        client.job_types()
    assert "wrong-secret-4f1c9a" not in str(caught.value)
    assert "wrong-secret-4f1c9a" not in repr(caught.value)


def test_partner_credentials_act_on_a_client_tenant(
    make_client: ClientFactory, emulator: EmulatorProcess
) -> None:
    partner = make_client(client_id=PARTNER_KEY, client_secret=PARTNER_SECRET, tenant_id=None)
    created = partner.create_job(job_body("by partner"), tenant_id=CLIENT13_TENANT)
    assert partner.get_job(created["id"], tenant_id=CLIENT13_TENANT)["name"] == "by partner"
    assert emulator.jobs()[0]["tenantId"] == CLIENT13_TENANT
    partner.delete_job(created["id"], tenant_id=CLIENT13_TENANT)
    assert emulator.jobs() == []


def test_client_credentials_on_another_tenant_are_refused(make_client: ClientFactory) -> None:
    client = make_client()
    with pytest.raises(OpsRampAuthError, match="may not act on tenant client_93") as caught:
        client.job_types(tenant_id=CLIENT93_TENANT)
    assert caught.value.status == 403


def test_a_token_refused_again_after_two_renewals_is_an_auth_error(
    make_client: ClientFactory, emulator: EmulatorProcess
) -> None:
    client = make_client()
    client.job_types()
    emulator.add_fault(method="GET", path=r".*/jobs/types", status=401, count=3)
    with pytest.raises(OpsRampAuthError) as caught:
        client.job_types()
    assert caught.value.status == 401
    assert client.tokens_fetched == 3  # two renewals, no loop


def test_a_token_revoked_again_right_after_renewal_does_not_fail_the_call(
    make_client: ClientFactory, emulator: EmulatorProcess
) -> None:
    client = make_client()
    client.job_types()
    emulator.add_fault(method="GET", path=r".*/jobs/types", status=401, count=2)
    assert client.job_types()
    assert client.tokens_fetched == 3


def test_an_integration_revoked_mid_run_says_so(
    make_client: ClientFactory, emulator: EmulatorProcess
) -> None:
    client = make_client()
    client.job_types()
    # The integration is deactivated: its token stops working and no new one is issued.
    emulator.expire_tokens()
    emulator.add_fault(method="POST", path="/tenancy/auth/oauth/token", status=401, count=5)
    with pytest.raises(OpsRampAuthError, match="integration is still active") as caught:
        client.job_types()
    assert "rejected the API credentials" in caught.value.message
    assert caught.value.status == 401
