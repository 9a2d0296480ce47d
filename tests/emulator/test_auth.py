"""Token endpoint, bearer tokens, expiry and partner-versus-client access."""

from __future__ import annotations

import time

import pytest
import requests

from tests.emulator.conftest import daily_job
from tests.support.emulator import (
    CLIENT13_KEY,
    CLIENT13_SECRET,
    CLIENT93_KEY,
    CLIENT93_SECRET,
    PARTNER_KEY,
    PARTNER_SECRET,
    EmulatorProcess,
)

INVALID_TOKEN = {"error": "invalid_token", "error_description": "Invalid access token"}


@pytest.mark.parametrize("path", ["/tenancy/auth/oauth/token", "/auth/oauth/token"])
def test_token_endpoints_issue_bearer_tokens(emulator: EmulatorProcess, path: str) -> None:
    """Both token paths answer the documented body."""
    response = requests.post(
        emulator.url + path,
        data={
            "grant_type": "client_credentials",
            "client_id": PARTNER_KEY,
            "client_secret": PARTNER_SECRET,
        },
        headers={"Accept": "application/json"},
        timeout=5,
    )
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access_token", "token_type", "expires_in", "scope"}
    assert (body["token_type"], body["expires_in"], body["scope"]) == (
        "bearer",
        "7199",
        "global:manage",
    )
    int(body["access_token"], 16)
    assert emulator.stats()["tokens_issued"] == 1


def test_token_errors(emulator: EmulatorProcess) -> None:
    """Wrong grant type is 400; wrong secret or unknown key is 401."""
    url = f"{emulator.url}/tenancy/auth/oauth/token"
    bad_grant = requests.post(
        url,
        data={"grant_type": "password", "client_id": PARTNER_KEY, "client_secret": PARTNER_SECRET},
        timeout=5,
    )
    assert (bad_grant.status_code, bad_grant.json()["error"]) == (400, "unsupported_grant_type")
    for key, secret in ((PARTNER_KEY, "wrong"), ("nobody", PARTNER_SECRET)):
        response = requests.post(
            url,
            data={"grant_type": "client_credentials", "client_id": key, "client_secret": secret},
            timeout=5,
        )
        assert response.status_code == 401
        assert response.json() == {
            "error": "unauthorized",
            "error_description": "Bad API credentials",
        }


@pytest.mark.parametrize("authorization", [None, "Bearer nope", "Basic abc"])
def test_api_needs_a_valid_bearer_token(
    emulator: EmulatorProcess, authorization: str | None
) -> None:
    """Missing or unknown tokens get 401 invalid_token."""
    headers = {"Authorization": authorization} if authorization else {}
    response = requests.get(f"{emulator.jobs_url()}/types", headers=headers, timeout=5)
    assert (response.status_code, response.json()) == (401, INVALID_TOKEN)


def test_tokens_expire_after_their_ttl(emulator: EmulatorProcess) -> None:
    """A token stops working once token_ttl seconds have passed."""
    emulator.configure(token_ttl=0.5)
    session = emulator.api_session()
    assert session.get(f"{emulator.jobs_url()}/types").status_code == 200
    time.sleep(0.6)
    response = session.get(f"{emulator.jobs_url()}/types")
    assert (response.status_code, response.json()) == (401, INVALID_TOKEN)


def test_expire_route_invalidates_every_token(emulator: EmulatorProcess) -> None:
    """POST /_emulator/tokens/expire; a new token works again."""
    session = emulator.api_session()
    emulator.expire_tokens()
    assert session.get(f"{emulator.jobs_url()}/types").status_code == 401
    session.headers["Authorization"] = f"Bearer {emulator.token()}"
    assert session.get(f"{emulator.jobs_url()}/types").status_code == 200


def test_partner_credentials_reach_partner_and_client_tenants(emulator: EmulatorProcess) -> None:
    """msp_12's key works on msp_12, client_13 and client_93."""
    with emulator.api_session(PARTNER_KEY, PARTNER_SECRET) as session:
        for tenant in ("msp_12", "client_13", "client_93"):
            assert session.get(f"{emulator.jobs_url(tenant)}/search").status_code == 200


def test_client_credentials_reach_only_their_own_tenant(emulator: EmulatorProcess) -> None:
    """client_13's key is refused (403, nothing stored) on client_93 and msp_12."""
    with emulator.api_session(CLIENT13_KEY, CLIENT13_SECRET) as session:
        assert session.post(emulator.jobs_url("client_13"), json=daily_job()).status_code == 200
        for tenant in ("client_93", "msp_12"):
            response = session.post(emulator.jobs_url(tenant), json=daily_job())
            assert response.status_code == 403
            assert response.json() == {
                "error": "access_denied",
                "error_description": "Access is denied",
            }
    with emulator.api_session(CLIENT93_KEY, CLIENT93_SECRET) as session:
        assert session.get(f"{emulator.jobs_url('client_93')}/search").status_code == 200
        assert session.get(f"{emulator.jobs_url('client_13')}/search").status_code == 403
    assert len(emulator.jobs()) == 1


def test_unknown_tenant_is_404(emulator: EmulatorProcess) -> None:
    """A tenant id the emulator does not know answers 404 with an error body."""
    with emulator.api_session() as session:
        response = session.get(f"{emulator.jobs_url('client_404')}/search")
    assert response.status_code == 404
    assert response.json()["message"] == "No tenant found with id : client_404"
