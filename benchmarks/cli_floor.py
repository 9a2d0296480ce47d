"""The engine's floor for the real-CLI benchmark: a dynamic resource whose provider does nothing.

`FloorJob` is a bare `pulumi.dynamic.Resource` with the eight input properties an `OpsRampJob`
declares (`OpsRampJobArgs`), holding the same values; its provider, `FloorProvider`, is pickled
by reference like ours (`__provider` names `benchmarks.cli_floor.FloorProvider`). It keeps the
SDK's `check` (inputs as given) and `diff` (the engine compares inputs itself), creates by
returning a new id with its inputs as outputs, updates and deletes by doing nothing, and reads
(`pulumi refresh`) with one raw GET of a job of the same tenant (`bench:readJobs` in the stack
config names one real job per tenant, so the answer is a 200 with a job's body, as ours gets):
the least any provider must do to refresh.
What `pulumi` takes for N of these is what the engine, the SDK and the Python runtime cost any
Python dynamic provider; our time over it is ours. Benchmark only.
"""

from __future__ import annotations

import json
import threading
import uuid
from typing import Any

import urllib3
from pulumi.dynamic import ConfigureRequest, CreateResult, ReadResult, Resource, ResourceProvider

_SETTINGS: dict[str, str] = {}
_READ_JOBS: dict[str, str] = {}  # tenant -> id of a live job the floor's read GETs
_LOCK = threading.Lock()
_POOL = urllib3.PoolManager(maxsize=4)  # the provider server runs 4 calls at once


def _token() -> str:
    """One bearer token per provider process, fetched on the first read."""
    with _LOCK:
        if "token" not in _SETTINGS:
            answer = _POOL.request(
                "POST",
                f"{_SETTINGS['apiUrl']}/tenancy/auth/oauth/token",
                fields={
                    "grant_type": "client_credentials",
                    "client_id": _SETTINGS["clientId"],
                    "client_secret": _SETTINGS["clientSecret"],
                },
                encode_multipart=False,
                timeout=30.0,
            )
            _SETTINGS["token"] = str(json.loads(answer.data)["access_token"])
        return _SETTINGS["token"]


class FloorProvider(ResourceProvider):
    """Creates by echoing, reads with one GET, updates and deletes by doing nothing."""

    serialize_as_secret_always = False

    def configure(self, req: ConfigureRequest) -> None:
        """Keep the connection settings (used by `read` only)."""
        for key in ("apiUrl", "clientId", "clientSecret"):
            _SETTINGS[key] = str(req.config.get(f"opsramp:{key}"))
        _READ_JOBS.update(json.loads(req.config.get("bench:readJobs") or "{}"))

    def create(self, props: dict[str, Any]) -> CreateResult:
        """A new id; the inputs are the outputs."""
        return CreateResult(id_=str(uuid.uuid4()), outs=props)

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        """One raw GET of a live job of the resource's tenant; the state as it was."""
        tenant = props["tenantId"]
        _POOL.request(
            "GET",
            f"{_SETTINGS['apiUrl']}/api/v2/tenants/{tenant}/jobs/{_READ_JOBS.get(tenant, id_)}",
            headers={"Authorization": f"Bearer {_token()}", "Accept": "application/json"},
            timeout=30.0,
        )
        return ReadResult(id_=id_, outs=props)


class FloorJob(Resource):
    """The floor's resource: an OpsRampJob's eight inputs, nothing resolved back."""

    def __init__(self, resource_name: str, props: dict[str, Any]) -> None:
        """Register `props` (the job's inputs in state names) with the do-nothing provider."""
        super().__init__(FloorProvider(), resource_name, props)


def floor_inputs(
    name: str, tenant_id: str, entities: list[dict[str, Any]], script: Any, schedule: Any
) -> dict[str, Any]:
    """The eight inputs an OpsRampJob registers for the same job (options left unset: None)."""
    return {
        "name": name,
        "tenantId": tenant_id,
        "entities": entities,
        "script": script,
        "schedule": schedule,
        "jobQueued": None,
        "adoptId": None,
        "allowDuplicateName": None,
    }
