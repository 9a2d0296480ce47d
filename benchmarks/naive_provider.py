"""A naive OpsRamp job provider, written for the benchmark only: the reference point to beat.

It does what a first attempt usually does: a new HTTP session and a new token for every call, no
pacing, no retries, no duplicate check. Never use it for anything else.
"""

from __future__ import annotations

from typing import Any

import requests
from pulumi.dynamic import ConfigureRequest, CreateResult, ResourceProvider

from opsramp_jobs.model import parse_job

_SETTINGS: dict[str, str] = {}


def fetch_token(session: requests.Session, settings: dict[str, str]) -> str:
    """A new access token for settings' apiUrl, clientId and clientSecret."""
    answer = session.post(
        f"{settings['apiUrl']}/tenancy/auth/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": settings["clientId"],
            "client_secret": settings["clientSecret"],
        },
        timeout=30,
    )
    answer.raise_for_status()
    return str(answer.json()["access_token"])


class NaiveJobProvider(ResourceProvider):
    """Creates jobs with a fresh session and token per call."""

    serialize_as_secret_always = False

    def configure(self, req: ConfigureRequest) -> None:
        """Keep the connection settings for this process."""
        for key in ("apiUrl", "clientId", "clientSecret"):
            _SETTINGS[key] = str(req.config.get(f"opsramp:{key}"))

    def create(self, props: dict[str, Any]) -> CreateResult:
        """POST the job after fetching a new token, on a new session."""
        job = parse_job({k: v for k, v in props.items() if k != "__provider"})
        url = _SETTINGS["apiUrl"]
        with requests.Session() as session:
            bearer = {"Authorization": f"Bearer {fetch_token(session, _SETTINGS)}"}
            created = session.post(
                f"{url}/api/v2/tenants/{job.tenant_id}/jobs",
                json=job.to_wire(),
                headers=bearer,
                timeout=30,
            )
            created.raise_for_status()
            body: dict[str, Any] = created.json()
        return CreateResult(id_=str(body["id"]), outs={**props, "jobId": body["id"]})
