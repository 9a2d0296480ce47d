"""A tenant waiting for its rate-limit window does not hold up another tenant's creates.

Through the SDK's real provider server (``python -m pulumi.dynamic``) over gRPC, against the
emulator with a small write limit: its 4 worker threads, all waiting for client_13's window,
used to queue msp_12's creates behind them.
"""

from __future__ import annotations

import time
import types
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import grpc
from pulumi.runtime.proto import provider_pb2

from opsramp_jobs.server_threads import _find_pool, _thread_pool, widen_server_pool
from tests.provider.conftest import job_inputs, stack_config
from tests.provider.grpc_provider import PROVIDER_BLOB, URN, ProviderServer, to_struct
from tests.support.emulator import EmulatorProcess

WRITE_LIMIT = 4
WAITING_CREATES = 8  # twice the SDK's 4 worker threads
# The partner's creates must finish well before client_13's window ends (at least this far off).
PARTNER_DEADLINE_SECONDS = 20.0
MIN_WINDOW_LEFT_SECONDS = 35.0
# A wait beyond the client's max_throttle_wait (150 s) fails at once instead of waiting.
MAX_WINDOW_LEFT_SECONDS = 140.0


def window_with_time_left() -> float:
    """A window length whose current window (aligned to the epoch clock) ends 35-140 s from now."""
    now = time.time()
    for window in range(60, 1000):
        if MIN_WINDOW_LEFT_SECONDS <= window - now % window <= MAX_WINDOW_LEFT_SECONDS:
            return float(window)
    raise AssertionError("no window length fits")  # pragma: no cover (one always does)


def create_request(inputs: dict[str, Any]) -> provider_pb2.CreateRequest:
    return provider_pb2.CreateRequest(
        urn=URN.format(name=inputs["name"].replace(" ", "-")),
        properties=to_struct({**inputs, "__provider": PROVIDER_BLOB}),
    )


def checked(server: ProviderServer, **overrides: Any) -> dict[str, Any]:
    inputs, failures = server.check(job_inputs(**overrides))
    assert failures == []
    inputs.pop("__provider")
    return inputs


def test_a_tenant_waiting_for_its_window_does_not_stall_another_tenants_creates(
    emulator: EmulatorProcess,
) -> None:
    emulator.configure(rate_limits={"write": WRITE_LIMIT, "window": window_with_time_left()})
    server = ProviderServer()
    waiting: list[grpc.Future] = []
    try:
        server.configure(stack_config(emulator))
        # Spend client_13's write window through the provider, so it knows the window is used up.
        for number in range(WRITE_LIMIT):
            server.create(checked(server, name=f"spent {number}"))
        # Checked first: a Check queues behind busy threads as a Create does.
        blocked = [checked(server, name=f"waiting {number}") for number in range(WAITING_CREATES)]
        partner = [
            checked(server, name=f"partner {number}", tenantId="msp_12", entities=[])
            for number in range(WRITE_LIMIT)
        ]
        waiting = [server.stub.Create.future(create_request(job)) for job in blocked]
        time.sleep(0.5)  # the server has taken them up and they wait for the window
        started = time.monotonic()
        partner_calls = [server.stub.Create.future(create_request(job)) for job in partner]
        for call in partner_calls:
            # Before the fix, this timed out: the 4 threads all waited for client_13's window.
            assert call.result(timeout=PARTNER_DEADLINE_SECONDS).id
        assert time.monotonic() - started < PARTNER_DEADLINE_SECONDS
        assert not any(call.done() for call in waiting)  # client_13's creates still wait
        created = {(j["tenantId"], j["job"]["name"]) for j in emulator.jobs()}
        assert {("msp_12", job["name"]) for job in partner} <= created
        assert not any(name.startswith("waiting") for _, name in created)
    finally:
        for call in waiting:
            call.cancel()
        server.close()


def test_the_grpc_servers_pool_is_found_in_this_grpc_version() -> None:
    pool = ThreadPoolExecutor(max_workers=4)
    grpc_server = grpc.server(pool)
    try:
        assert _thread_pool(grpc_server) is pool
        assert _thread_pool(pool) is None
        assert _thread_pool(object()) is None
        # A server kept as a module global (not a local of a running frame) is found too.
        module = types.ModuleType("server_module")
        module.server = grpc_server  # type: ignore[attr-defined]
        assert _find_pool(module) is pool
        assert _find_pool(types.ModuleType("other")) is None
    finally:
        grpc_server.stop(None)
        pool.shutdown()


def test_outside_the_sdks_server_nothing_is_widened() -> None:
    assert widen_server_pool() is None  # pytest, not `python -m pulumi.dynamic`, is __main__
