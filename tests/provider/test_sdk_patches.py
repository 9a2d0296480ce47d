"""The SDK patches (opsramp_jobs/sdk_patches.py) in the SDK's real provider server, over gRPC.

At the installed SDK (CI runs this file at the lowest SDK pyproject.toml allows and at the pinned
one) every patch is on: more than 4 calls at once, short errors, an exit when the engine goes.
With the SDK's version reported as an untested one, every patch is off with one info line, and
the provider still works the SDK's own way.
"""

from __future__ import annotations

import logging
import re
import sys
import time
import tomllib
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import grpc
import pytest
from pulumi.runtime.proto import provider_pb2

from opsramp_jobs import sdk_patches
from tests.provider.conftest import job_inputs, stack_config
from tests.provider.grpc_provider import PROVIDER_BLOB, URN, ProviderServer, to_struct
from tests.support.emulator import REPO_ROOT, EmulatorProcess

UNTESTED_SDK = "3.999.0"
UNTESTED_LINE = "outside the versions opsramp-jobs tested"
UNKNOWN_DEVICE = "11111111-2222-3333-4444-555555555555"
CALLS = 8  # twice the SDK's 4 worker threads
# Reads held at the emulator this long: far longer than the counting takes.
READ_LATENCY_SECONDS = 20.0
JOB_BY_ID = r"/api/v2/tenants/[^/]+/jobs/(?!search$|types$)[^/]+"
# A gone engine is noticed after ENGINE_GONE_AFTER polls; this leaves room for a loaded machine.
EXIT_SECONDS = 10.0


def server_command(*args: str, sdk_version: str | None = None) -> list[str]:
    """`python -m pulumi.dynamic ARGS` with its log on stderr, optionally under another version."""
    code = [
        "import importlib.metadata, logging, runpy",
        "logging.basicConfig(level=logging.INFO, format='%(levelname)s %(name)s: %(message)s')",
    ]
    if sdk_version is not None:
        code += [
            "real = importlib.metadata.version",
            f"importlib.metadata.version = lambda n: {sdk_version!r} if n == 'pulumi' else real(n)",
        ]
    code.append("runpy.run_module('pulumi.dynamic', run_name='__main__', alter_sys=True)")
    return [sys.executable, "-u", "-c", "\n".join(code), *args]


class FakeEngine:
    """A gRPC server at an address, answering the health check as the engine does (SERVING)."""

    def __init__(self) -> None:
        serving = b"\x08\x01"  # grpc.health.v1.HealthCheckResponse(status=SERVING)
        health = grpc.method_handlers_generic_handler(
            "grpc.health.v1.Health",
            {"Check": grpc.unary_unary_rpc_method_handler(lambda _request, _context: serving)},
        )
        self.server = grpc.server(ThreadPoolExecutor(max_workers=2), handlers=[health])
        self.address = f"127.0.0.1:{self.server.add_insecure_port('127.0.0.1:0')}"
        self.server.start()

    def stop(self) -> None:
        self.server.stop(None).wait()


@pytest.fixture
def engine() -> Iterator[FakeEngine]:
    fake = FakeEngine()
    yield fake
    fake.stop()


def started(emulator: EmulatorProcess, command: list[str]) -> ProviderServer:
    """A configured server that has handled one call (the SDK configures the provider then)."""
    server = ProviderServer(command=command)
    server.configure(stack_config(emulator))
    checked(server)
    return server


def checked(server: ProviderServer, **overrides: Any) -> dict[str, Any]:
    inputs, failures = server.check(job_inputs(**overrides))
    assert failures == []
    return {key: value for key, value in inputs.items() if key != "__provider"}


def reads_at_once(server: ProviderServer, emulator: EmulatorProcess) -> int:
    """How many of CALLS reads, held at the emulator, reach it at the same time."""
    props = checked(server)
    server.read("warm-up", props)  # the token is fetched before the reads are held
    emulator.add_fault(
        method="GET", path=JOB_BY_ID, count=CALLS, action="latency", seconds=READ_LATENCY_SECONDS
    )
    emulator.reset_stats()
    request = provider_pb2.ReadRequest(
        urn=URN.format(name="job"), properties=to_struct({**props, "__provider": PROVIDER_BLOB})
    )
    calls = []  # kept: a call whose future is collected is cancelled
    for number in range(CALLS):
        request.id = f"held-{number}"
        calls.append(server.stub.Read.future(request))

    def arrived() -> int:
        routes = emulator.stats()["by_route"]
        return sum(
            n for route, n in routes.items() if route.startswith("GET") and "{jobId}" in route
        )

    deadline = time.monotonic() + READ_LATENCY_SECONDS / 2
    while arrived() < 4:
        assert time.monotonic() < deadline, "the reads never reached the emulator"
        time.sleep(0.1)
    # The rest arrive within a moment when threads are free; the first reads are held far longer.
    settle = time.monotonic() + 3.0
    while arrived() < CALLS and time.monotonic() < settle:
        time.sleep(0.1)
    count = arrived()
    for call in calls:
        call.cancel()
    return count


def create_error(server: ProviderServer) -> str:
    """What the server sends the engine for a create that OpsRamp answers with a 400."""
    inputs = checked(server, entities=[{"resource": {"id": UNKNOWN_DEVICE, "type": "DEVICE"}}])
    with pytest.raises(grpc.RpcError) as caught:
        server.create(inputs)
    return str(caught.value.details())


def exits_within(server: ProviderServer, seconds: float) -> bool:
    try:
        server.process.wait(timeout=seconds)
    except Exception:
        return False
    return True


def stopped_log(server: ProviderServer) -> list[str]:
    """Stop the server; its log lines (stderr)."""
    server.process.terminate()
    server.process.wait(timeout=10)
    assert server.process.stderr is not None
    lines = server.process.stderr.read().splitlines()
    server.close()
    return lines


# --------------------------------------------------------------------------------------------


def test_the_tested_range_ends_at_pyprojects_floor_and_the_pinned_sdk() -> None:
    pyproject = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    requirement = next(d for d in pyproject["dependencies"] if d.startswith("pulumi"))
    floor = re.search(r">=(\d+)\.(\d+)", requirement)
    pinned = (REPO_ROOT / "requirements-dev.txt").read_text()
    pin = re.search(r"^pulumi==(\d+)\.(\d+)", pinned, re.MULTILINE)
    assert floor is not None
    assert pin is not None
    # Moving either end means running scripts/test.sh's SDK lanes at the new version first.
    lowest, newest = sdk_patches.TESTED_SDK
    assert lowest == (int(floor[1]), int(floor[2]))
    assert newest == (int(pin[1]), int(pin[2]))


def test_the_engine_address_is_the_last_host_port_argument() -> None:
    assert sdk_patches.engine_address(["--logflow", "-v=9", "127.0.0.1:40123"]) == "127.0.0.1:40123"
    assert sdk_patches.engine_address(["[::1]:5"]) == "[::1]:5"
    assert sdk_patches.engine_address(["--tracing=http://x:1/y"]) is None
    assert sdk_patches.engine_address([]) is None


def test_outside_the_sdks_server_nothing_is_patched() -> None:
    assert sdk_patches.install() == []  # pytest, not `python -m pulumi.dynamic`, is __main__


def test_an_untested_sdk_version_is_said_once_at_info(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr("importlib.metadata.version", lambda name: UNTESTED_SDK)
    sdk_patches.tested_sdk.cache_clear()
    try:
        with caplog.at_level(logging.INFO, logger="opsramp_jobs.sdk_patches"):
            assert sdk_patches.tested_sdk() is False
            assert sdk_patches.tested_sdk() is False
    finally:
        sdk_patches.tested_sdk.cache_clear()
    assert [(r.levelno, UNTESTED_LINE in r.getMessage()) for r in caplog.records] == [
        (logging.INFO, True)
    ]


def test_at_this_sdk_the_server_runs_more_than_four_calls_at_once(
    emulator: EmulatorProcess,
) -> None:
    server = started(emulator, server_command())
    try:
        assert reads_at_once(server, emulator) == CALLS
    finally:
        server.close()


def test_at_this_sdk_a_user_error_is_its_message(emulator: EmulatorProcess) -> None:
    server = started(emulator, server_command())
    try:
        details = create_error(server)
    finally:
        server.close()
    assert "Traceback" not in details
    assert details.startswith("OpsRamp refused the job") or details.startswith(
        "Exception calling application: "  # 3.216: no wrapper, gRPC sends the message itself
    ), details


def test_at_this_sdk_the_server_exits_when_the_engine_is_gone(
    emulator: EmulatorProcess, engine: FakeEngine
) -> None:
    server = started(emulator, server_command(engine.address))
    try:
        assert not exits_within(server, 2.0)  # the engine answers: the provider stays
        engine.stop()
        assert exits_within(server, EXIT_SECONDS)
        assert server.process.returncode == 1
    finally:
        log = stopped_log(server)
    assert not [line for line in log if UNTESTED_LINE in line]
    assert any("the Pulumi engine" in line and "is gone" in line for line in log), log


def test_an_untested_sdk_runs_the_server_unpatched_and_says_so_once(
    emulator: EmulatorProcess, engine: FakeEngine
) -> None:
    server = started(emulator, server_command(engine.address, sdk_version=UNTESTED_SDK))
    try:
        # It still works: a create makes a job.
        job_id, _ = server.create(checked(server, name="made by an untested sdk"))
        assert job_id
        # The SDK's own error text: a traceback (3.216's server, without a wrapper, lets gRPC
        # send "Exception calling application: ...").
        details = create_error(server)
        assert "Traceback (most recent call last)" in details or details.startswith(
            "Exception calling application"
        ), details
        engine.stop()
        assert not exits_within(server, 3.0)  # no watchdog
        assert reads_at_once(server, emulator) == 4  # the SDK's 4 threads
    finally:
        log = stopped_log(server)
    said = [line for line in log if UNTESTED_LINE in line]
    assert len(said) == 1
    assert said[0].startswith("INFO opsramp_jobs.sdk_patches:")
    assert UNTESTED_SDK in said[0]
