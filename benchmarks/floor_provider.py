"""The least a Python dynamic provider can do per create, for the benchmark only.

It receives a ready OpsRamp body (as a JSON string: the protobuf wire would turn its integers
into floats) and POSTs it as the raw reference does (one `requests` session
per thread, one token per process): no validation, no outputs, no duplicate check, no retries.
Its time over the raw POSTs is what the SDK's provider server and gRPC cost any provider.
"""

from __future__ import annotations

import threading
from typing import Any

import requests
from pulumi.dynamic import ConfigureRequest, CreateResult, ResourceProvider

from benchmarks.naive_provider import fetch_token

_SETTINGS: dict[str, str] = {}
_LOCAL = threading.local()
_TOKEN_LOCK = threading.Lock()


def _token() -> str:
    with _TOKEN_LOCK:
        if "token" not in _SETTINGS:
            with requests.Session() as session:
                _SETTINGS["token"] = fetch_token(session, _SETTINGS)
        return _SETTINGS["token"]


class FloorJobProvider(ResourceProvider):
    """POSTs the body it is given; nothing else."""

    serialize_as_secret_always = False

    def configure(self, req: ConfigureRequest) -> None:
        """Keep the connection settings for this process."""
        for key in ("apiUrl", "clientId", "clientSecret", "tenantId"):
            _SETTINGS[key] = str(req.config.get(f"opsramp:{key}"))
        _SETTINGS.pop("token", None)

    def create(self, props: dict[str, Any]) -> CreateResult:
        """One POST on this thread's session."""
        session = getattr(_LOCAL, "session", None)
        if session is None:
            session = _LOCAL.session = requests.Session()
        for _ in range(2):
            created = session.post(
                f"{_SETTINGS['apiUrl']}/api/v2/tenants/{_SETTINGS['tenantId']}/jobs",
                data=props["body"],
                headers={"Authorization": f"Bearer {_token()}", "Content-Type": "application/json"},
                timeout=30,
            )
            if created.status_code != 401:
                break
            # The benchmark resets the emulator (and its tokens) between runs.
            with _TOKEN_LOCK:
                _SETTINGS.pop("token", None)
        created.raise_for_status()
        return CreateResult(id_=str(created.json()["id"]), outs={})
