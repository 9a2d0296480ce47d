"""The engine's floors for the real-CLI benchmark: a dynamic resource whose provider does nothing.

`FloorJob` is a bare `pulumi.dynamic.Resource` with the eight input properties an `OpsRampJob`
declares (`OpsRampJobArgs`), holding the same values; its provider, `FloorProvider`, is pickled
by reference like ours (`__provider` names `benchmarks.cli_floor.FloorProvider`). It keeps the
SDK's `check` (inputs as given) and `diff` (the engine compares inputs itself), creates by
returning a new id with its inputs as outputs, and updates, deletes and reads (`pulumi refresh`)
by doing nothing. What `pulumi` takes for N of these is what the engine, the SDK and the Python
runtime cost any Python dynamic provider; our time over it is ours.

The floor that reads: the same provider in a process whose environment has
`BENCH_FLOOR_READ=1` reads with one raw GET of a job of the same tenant (`bench:readJobs` in
the stack config names one real job per tenant, so the answer is a 200 with a job's body, as
ours gets): the least any provider must do to refresh. A switch in the environment rather than
a second class, because the class is pickled into each resource's state: one floor stack serves
both floors. Benchmark only.
"""

from __future__ import annotations

import functools
import json
import os
import threading
import uuid
from typing import TYPE_CHECKING, Any

from pulumi.dynamic import ConfigureRequest, CreateResult, ReadResult, Resource, ResourceProvider

if TYPE_CHECKING:
    import urllib3

# Set in the environment of `pulumi refresh` (the engine passes it on to the provider process).
READ_SWITCH = "BENCH_FLOOR_READ"
_SETTINGS: dict[str, str] = {}
_READ_JOBS: dict[str, str] = {}  # tenant -> id of a live job the floor's read GETs
_LOCK = threading.Lock()


@functools.cache
def _pool() -> urllib3.PoolManager:
    """The process's connection pool, made on the first GET."""
    import urllib3  # noqa: PLC0415 - the do-nothing floor imports no HTTP library

    return urllib3.PoolManager(maxsize=4)  # the SDK's provider server runs 4 calls at once


def _token() -> str:
    """One bearer token per provider process, fetched on the first read."""
    pool = _pool()
    with _LOCK:
        if "token" not in _SETTINGS:
            answer = pool.request(
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
    """Creates by echoing; reads with one GET under READ_SWITCH; else does nothing."""

    serialize_as_secret_always = False

    def configure(self, req: ConfigureRequest) -> None:
        """Keep the connection settings (used by `read` only)."""
        for key in ("apiUrl", "clientId", "clientSecret"):
            _SETTINGS[key] = str(req.config.get(f"opsramp:{key}"))
        _READ_JOBS.update(json.loads(req.config.get("bench:readJobs") or "{}"))
        _SETTINGS["reads"] = os.environ.get(READ_SWITCH, "")

    def create(self, props: dict[str, Any]) -> CreateResult:
        """A new id; the inputs are the outputs."""
        return CreateResult(id_=str(uuid.uuid4()), outs=props)

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        """The state as it was; first, under READ_SWITCH, one raw GET of a job of its tenant."""
        if not _SETTINGS.get("reads"):
            return ReadResult(id_=id_, outs=props)
        tenant = props["tenantId"]
        _pool().request(
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
