"""Side-by-side benchmarks of the provider against the emulator: `python -m benchmarks.bench`.

Every figure is measured in this run next to its reference and printed as a ratio; medians of
repeated runs. Nothing here asserts on time: the table is for people (README "Benchmarks").
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import Any

import grpc
import requests
from pulumi.dynamic.dynamic import serialize_provider
from pulumi.runtime.proto import provider_pb2

from benchmarks.floor_provider import FloorJobProvider
from benchmarks.naive_provider import NaiveJobProvider
from opsramp_jobs.client import clear_token_cache
from opsramp_jobs.model import parse_job
from opsramp_jobs.provider import OpsRampJobProvider
from tests.faults.stack import PulumiStack, pulumi_binary
from tests.provider.grpc_provider import PROVIDER_BLOB, URN, ProviderServer, to_struct
from tests.support.emulator import (
    CLIENT13_TENANT,
    DEVICE_AD_SERVER,
    PARTNER_KEY,
    PARTNER_SECRET,
    EmulatorProcess,
)

THREADS = 4  # the provider server's worker pool, and the engine's default parallelism here


def job_inputs(name: str) -> dict[str, Any]:
    """Checked inputs of one job, as the engine hands them to Create."""
    return parse_job(
        {
            "name": name,
            "tenantId": CLIENT13_TENANT,
            "entities": [{"resource": {"id": DEVICE_AD_SERVER, "type": "DEVICE"}}],
            "script": {"jobType": "adCheckList"},
            "schedule": {
                "startDate": "2026-12-01T02:30:00+0000",
                "pattern": {"type": "daily", "frequency": "recurrence", "repeatFrequency": 2},
            },
        }
    ).canonical()


def wire_body(name: str) -> dict[str, Any]:
    """The same job as an OpsRamp request body."""
    return parse_job(job_inputs(name)).to_wire()


def in_threads(count: int, work: Callable[[int], None]) -> float:
    """Run work(0..count-1) on THREADS threads; the wall time in seconds."""
    started = time.perf_counter()
    with ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(work, range(count)))
    return time.perf_counter() - started


def stack_config(emulator: EmulatorProcess, api_url: str | None = None) -> dict[str, str]:
    """The stack config of a dev stack on the emulator (reached through `api_url` if given)."""
    return {
        "opsramp:apiUrl": api_url or emulator.url,
        "opsramp:clientId": PARTNER_KEY,
        "opsramp:clientSecret": PARTNER_SECRET,
        "opsramp:tenantId": CLIENT13_TENANT,
    }


def configured_server(emulator: EmulatorProcess) -> ProviderServer:
    """The SDK's provider server, configured like a dev stack."""
    server = ProviderServer()
    server.configure(stack_config(emulator))
    return server


# --------------------------------------------------------------------------------------------
# 1. 200 creates: provider (gRPC) vs raw requests vs a naive provider
# --------------------------------------------------------------------------------------------


def create_requests(
    blob: str, prefix: str, count: int, *, wire: bool = False
) -> list[provider_pb2.CreateRequest]:
    """`Create` calls as the engine sends them, serialised before the clock starts.

    The engine serialises properties in Go; timing Python's serialiser here would charge the
    benchmark's own work to the provider.
    """
    return [
        provider_pb2.CreateRequest(
            urn=URN.format(name=f"{prefix}{i}"),
            properties=to_struct(
                {
                    **(
                        {"body": json.dumps(wire_body(f"{prefix}{i}"))}
                        if wire
                        else job_inputs(f"{prefix}{i}")
                    ),
                    "__provider": blob,
                }
            ),
        )
        for i in range(count)
    ]


def start_operation(
    emulator: EmulatorProcess, api_url: str, server: ProviderServer, blob: str
) -> None:
    """What the engine does before an `up`'s creates: configure, then check each resource.

    Configure starts a fresh operation (the provider lists job names afresh); the first Check
    imports the provider's module, a one-off cost of the process, not of a create.
    """
    server.configure(stack_config(emulator, api_url))
    server.stub.Check(
        provider_pb2.CheckRequest(
            urn=URN.format(name="warm-up"),
            olds=to_struct({}),
            news=to_struct({**job_inputs("warm-up"), "__provider": blob}),
        )
    )


def creates_over_grpc(server: ProviderServer, calls: list[provider_pb2.CreateRequest]) -> float:
    """Send the Create calls from THREADS threads; the wall time in seconds."""

    def work(i: int) -> None:
        server.stub.Create(calls[i])

    return in_threads(len(calls), work)


def creates_raw(emulator: EmulatorProcess, api_url: str, count: int, run: int) -> float:
    """Plain `requests` POSTs from THREADS threads, one Session each; bodies built beforehand."""
    verify: str | bool = emulator.ca_file or True
    bearer = {"Authorization": f"Bearer {emulator.token()}"}
    local = threading.local()
    jobs_url = f"{api_url}/api/v2/tenants/{CLIENT13_TENANT}/jobs"
    bodies = [wire_body(f"r{run}-{i}") for i in range(count)]

    def work(i: int) -> None:
        session = getattr(local, "session", None)
        if session is None:
            session = local.session = requests.Session()
        session.post(
            jobs_url, json=bodies[i], headers=bearer, timeout=30, verify=verify
        ).raise_for_status()

    return in_threads(count, work)


NAIVE_BLOB = serialize_provider(NaiveJobProvider())
FLOOR_BLOB = serialize_provider(FloorJobProvider())


def bench_creates(
    count: int, repeats: int, *, tls: bool, rtt_ms: float = 0.0
) -> list[tuple[str, str, str, str]]:
    """Creates through our provider, raw POSTs and the naive provider, against one emulator.

    With `tls`, the emulator serves HTTPS (as OpsRamp does) with a certificate made for the run,
    which every client trusts through REQUESTS_CA_BUNDLE or an explicit CA file. With `rtt_ms`,
    every client reaches it through benchmarks/latency_proxy.py, which adds that round trip.
    """
    with (
        tempfile.TemporaryDirectory() as tls_dir,
        EmulatorProcess(rate_limit=False, tls_dir=tls_dir if tls else None) as emulator,
        contextlib.ExitStack() as stack,
    ):
        api_url = emulator.url
        if rtt_ms:
            port = stack.enter_context(latency_proxy(emulator.port, rtt_ms))
            api_url = f"{emulator.url.split('://')[0]}://127.0.0.1:{port}"
        server = ProviderServer(
            env={"REQUESTS_CA_BUNDLE": emulator.ca_file} if emulator.ca_file else None
        )
        try:
            times: dict[str, list[float]] = {"provider": [], "raw": [], "naive": [], "floor": []}
            # HTTP requests per create, as the emulator counted them (last run of each).
            requests_per_create: dict[str, float] = {}

            def measure(variant: str, run_variant: Callable[[], float]) -> None:
                emulator.reset()
                times[variant].append(run_variant())
                requests_per_create[variant] = emulator.stats()["requests"] / count

            def over_grpc(blob: str, prefix: str, wire: bool = False) -> float:
                calls = create_requests(blob, prefix, count, wire=wire)
                start_operation(emulator, api_url, server, blob)
                emulator.reset_stats()
                return creates_over_grpc(server, calls)

            for run in range(repeats):
                # Interleaved, so drift on a shared machine hits every variant alike.
                measure("provider", partial(over_grpc, PROVIDER_BLOB, f"p{run}-"))
                measure("raw", partial(creates_raw, emulator, api_url, count, run))
                measure("naive", partial(over_grpc, NAIVE_BLOB, f"n{run}-"))
                measure("floor", partial(over_grpc, FLOOR_BLOB, f"f{run}-", wire=True))
        finally:
            server.close()
    med = {k: statistics.median(v) for k, v in times.items()}
    per = requests_per_create
    scheme = ("HTTPS" if tls else "HTTP") + (f", {rtt_ms:g} ms round trip" if rtt_ms else "")
    return [
        (
            f"{count} creates over {scheme}, provider over gRPC ({THREADS} threads)",
            f"{med['provider']:.2f} s",
            f"raw POSTs {med['raw']:.2f} s",
            f"{med['provider'] / med['raw']:.2f}x raw (target <= 1.15x)",
        ),
        (
            "  vs a naive provider over the same gRPC path (token per call)",
            f"{med['provider']:.2f} s",
            f"naive {med['naive']:.2f} s",
            f"{med['naive'] / med['provider']:.2f}x faster (target >= 3x)",
        ),
        (
            "  the SDK server's floor: a provider that only POSTs",
            f"floor {med['floor']:.2f} s",
            f"raw POSTs {med['raw']:.2f} s",
            f"{med['floor'] / med['raw']:.2f}x raw; "
            f"provider {med['provider'] / med['floor']:.2f}x it",
        ),
        (
            "  HTTP requests per create (emulator count; tokens included)",
            f"provider {per['provider']:.3f}",
            f"raw {per['raw']:.2f}, naive {per['naive']:.2f}",
            f"{per['provider'] / per['raw']:.2f}x raw",
        ),
    ]


# --------------------------------------------------------------------------------------------
# 2. check + diff per unchanged job
# --------------------------------------------------------------------------------------------


@contextlib.contextmanager
def latency_proxy(upstream_port: int, rtt_ms: float) -> Iterator[int]:
    """benchmarks/latency_proxy.py in front of 127.0.0.1:upstream_port; yields its port."""
    process = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.latency_proxy",
         "--upstream", f"127.0.0.1:{upstream_port}", "--rtt-ms", str(rtt_ms)],
        stdout=subprocess.PIPE, text=True, cwd=Path(__file__).resolve().parents[1],
    )  # fmt: skip
    try:
        assert process.stdout is not None
        yield int(process.stdout.readline().split()[-1])
    finally:
        process.terminate()
        process.wait(timeout=5)


def bench_check_diff(jobs: int, repeats: int) -> list[tuple[str, str, str, str]]:
    provider = OpsRampJobProvider()
    news = [{**job_inputs(f"job {i}"), "__provider": PROVIDER_BLOB} for i in range(jobs)]
    olds = [{**n, "jobId": f"id-{i}", "scheduleDescription": "x"} for i, n in enumerate(news)]
    per_job: list[float] = []
    for _ in range(repeats):
        started = time.perf_counter()
        for old, new in zip(olds, news, strict=True):
            checked = provider.check(old, new)
            assert not checked.failures
            assert provider.diff("id", old, checked.inputs).changes is False
        per_job.append((time.perf_counter() - started) / jobs)
    median_ms = statistics.median(per_job) * 1000
    grpc_ms = check_diff_over_grpc(news, olds, repeats) * 1000
    floor_ms = check_diff_over_grpc(news, olds, repeats, NAIVE_BLOB) * 1000
    return [
        (
            f"check + diff per unchanged job ({jobs} jobs, in-process)",
            f"{median_ms:.3f} ms",
            "target 1 ms",
            f"{median_ms / 1.0:.2f}x of target",
        ),
        (
            "  same through the provider server (gRPC, one call at a time)",
            f"{grpc_ms:.3f} ms",
            f"SDK floor {floor_ms:.3f} ms",
            f"{grpc_ms / floor_ms:.2f}x the floor; {grpc_ms:.1f}x target",
        ),
    ]


def check_diff_over_grpc(
    news: list[dict[str, Any]],
    olds: list[dict[str, Any]],
    repeats: int,
    provider_blob: str = PROVIDER_BLOB,
) -> float:
    """Seconds per job for Check then Diff over gRPC, server side included (median of runs).

    With the naive provider's blob (which keeps the SDK's default check and diff) this is the
    floor that the SDK's server and gRPC impose on any Python dynamic provider.
    """
    news = [{**new, "__provider": provider_blob} for new in news]
    olds = [{**old, "__provider": provider_blob} for old in olds]
    server = ProviderServer()
    # Check and Diff send nothing over HTTP (the fuzz test proves it), so no emulator is needed.
    server.configure(
        {
            "opsramp:apiUrl": "http://127.0.0.1:9",
            "opsramp:clientId": PARTNER_KEY,
            "opsramp:clientSecret": PARTNER_SECRET,
            "opsramp:tenantId": CLIENT13_TENANT,
        }
    )
    # Serialised once, outside the timing: in real use the engine (Go) does this, not Python.
    structs = [(to_struct(old), to_struct(new)) for old, new in zip(olds, news, strict=True)]
    try:
        per_job: list[float] = []
        for _ in range(repeats):
            started = time.perf_counter()
            for old, new in structs:
                checked = server.stub.Check(
                    provider_pb2.CheckRequest(urn=URN.format(name="job"), olds=old, news=new)
                )
                assert not checked.failures
                diff = server.stub.Diff(
                    provider_pb2.DiffRequest(
                        id="id", urn=URN.format(name="job"), olds=old, news=checked.inputs
                    )
                )
                assert diff.changes != provider_pb2.DiffResponse.DIFF_SOME
            per_job.append((time.perf_counter() - started) / len(news))
    finally:
        server.close()
    return statistics.median(per_job)


# --------------------------------------------------------------------------------------------
# 3-5. Real CLI: state size, tokens per up; scaled write limit through the provider
# --------------------------------------------------------------------------------------------


def bench_cli(jobs: int) -> list[tuple[str, str, str, str]]:
    if pulumi_binary() is None:
        return [("state bytes / tokens per up", "n/a (no pulumi CLI)", "", "")]
    with tempfile.TemporaryDirectory() as tmp, EmulatorProcess(rate_limit=False) as emulator:
        stack = PulumiStack(Path(tmp), emulator.url)
        emulator.reset_stats()
        stack.up(jobs)
        tokens = emulator.stats()["tokens_issued"]
        emulator.reset_stats()
        stack.up(jobs)
        no_change_stats = emulator.stats()
        emulator.reset_stats()
        stack.refresh()
        refresh_tokens = emulator.stats()["tokens_issued"]
        resources = stack.job_resources()
        compact = [json.dumps(r, separators=(",", ":")) for r in resources]
        owned = [
            len(json.dumps({"inputs": r["inputs"], "outputs": r["outputs"]}, separators=(",", ":")))
            for r in resources
        ]
        provider_bytes = len(resources[0]["inputs"]["__provider"])
    whole = statistics.median(len(c) for c in compact)
    return [
        (
            "state bytes per job: inputs + outputs (pulumi stack export)",
            f"{statistics.median(owned):.0f} B",
            "target 2048 B",
            f"{statistics.median(owned) / 2048:.2f}x of target",
        ),
        (
            "  whole resource incl. the engine's stackTrace/sourcePosition",
            f"{whole:.0f} B",
            "target 2048 B",
            f"{whole / 2048:.2f}x of target",
        ),
        ("__provider bytes", f"{provider_bytes} B", "target 200 B", f"{provider_bytes / 200:.2f}x"),
        (f"tokens fetched per `pulumi up` ({jobs} creates)", str(tokens), "target 1", f"{tokens}x"),
        (
            "  same, `pulumi up` with nothing to change: tokens / requests",
            f"{no_change_stats['tokens_issued']} / {no_change_stats['requests']}",
            "target 0 / 0",
            "",
        ),
        (f"  `pulumi refresh` of {jobs} jobs: tokens", str(refresh_tokens), "target 1", ""),
    ]


def bench_scaled_limit(
    count: int, per_window: int, window: float, repeats: int
) -> list[tuple[str, str, str, str]]:
    """Creates through the provider under a scaled tenant limit; median of `repeats` runs.

    The emulator's windows are fixed and aligned to multiples of `window` on the epoch clock, so
    each run starts at a window boundary (else a partial first window distorts the rate).
    Reported: the write rate in the run's full windows as a fraction of the limit, the wall time
    against the fastest possible, and the 429s absorbed by the client and surfaced to the caller.
    """
    flags = [
        "--write-limit", str(per_window),
        # Searches (the provider lists the tenant's job names) get the same limit as writes
        # (OpsRamp gives client tenants 50/min for both), reads 10x.
        "--paged-read-limit", str(per_window),
        "--read-limit", str(per_window * 10),
        "--rate-window", str(window),
    ]  # fmt: skip
    utilisation: list[float] = []
    wall: list[float] = []
    server_429s = surfaced_429s = other_errors = 0
    clear_token_cache()
    with EmulatorProcess(*flags) as emulator:
        server = configured_server(emulator)
        try:
            for run in range(repeats):
                errors = scaled_run(emulator, server, count, window, run)
                surfaced_429s += errors.throttled
                other_errors += errors.other
                server_429s += emulator.stats()["throttled"]
                utilisation.append(full_window_rate(errors.creates_by_window, per_window))
                wall.append(errors.wall)
        finally:
            server.close()
    fastest = (-(-count // per_window) - 1) * window  # start at a boundary, last window instant
    return [
        (
            f"{count} creates at {per_window * 60 / window:.0f} writes/min "
            f"({per_window} per {window:g} s window)",
            f"{statistics.median(utilisation) * per_window / window:.2f} writes/s",
            f"limit {per_window / window:.2f}/s",
            f"{statistics.median(utilisation):.2f} (target >= 0.90)",
        ),
        (
            "  wall time, from a window boundary",
            f"{statistics.median(wall):.1f} s",
            f"fastest possible {fastest:.1f} s",
            f"{statistics.median(wall) / fastest:.2f}x",
        ),
        (
            f"  429s over {repeats} runs: absorbed by the client / surfaced to the caller",
            f"{server_429s} / {surfaced_429s}",
            "target - / 0",
            f"(other errors: {other_errors})",
        ),
    ]


def full_window_rate(creates_by_window: Counter[int], per_window: int) -> float:
    """Creates per window over every window but the last, as a fraction of the limit.

    The last window only takes what is left over (100 creates at 30 per window leave 10), so it
    says nothing about pacing; a run that fits one window is judged by that window alone.
    """
    first, last = min(creates_by_window), max(creates_by_window)
    if first == last:
        return creates_by_window[first] / per_window
    full = sum(n for index, n in creates_by_window.items() if index < last)
    return full / ((last - first) * per_window)


class ScaledRun:
    """What one rate-limited run saw."""

    def __init__(self) -> None:
        self.throttled = 0  # creates that failed with a 429 at the caller
        self.other = 0  # creates that failed otherwise
        self.creates_by_window: Counter[int] = Counter()  # epoch window index -> creates
        self.wall = 0.0
        self.lock = threading.Lock()


def scaled_run(
    emulator: EmulatorProcess, server: ProviderServer, count: int, window: float, run: int
) -> ScaledRun:
    """One run of `count` creates from THREADS threads, started at a window boundary."""
    seen = ScaledRun()

    def work(i: int) -> None:
        try:
            server.create(job_inputs(f"s{run}-{i}"))
        except grpc.RpcError as error:
            throttled = "429" in str(error.details()) or "throttl" in str(error.details())
            with seen.lock:
                seen.throttled += throttled
                seen.other += not throttled
            return
        # Which emulator window the create's POST landed in (same clock: loopback).
        index = int(time.time() // window)
        with seen.lock:
            seen.creates_by_window[index] += 1

    emulator.reset()
    server.create(job_inputs(f"warm-up-{run}"))  # token; the limiter learns the window
    time.sleep(window - time.time() % window + 0.01)  # the next window starts with every slot
    emulator.reset_stats()
    seen.wall = in_threads(count, work)
    return seen


def machine_line() -> str:
    """When and where the figures were measured (they mean little without it)."""
    cli = pulumi_binary()
    cli_version = "no pulumi CLI"
    if cli is not None:
        cli_version = (
            "pulumi "
            + subprocess.run(
                [cli, "version"], capture_output=True, text=True, check=False
            ).stdout.strip()
        )
    return (
        f"{time.strftime('%Y-%m-%d %H:%M %Z')}; {os.cpu_count()} CPUs; "
        f"Python {platform.python_version()}; {cli_version}; emulator on loopback"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--creates", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--check-jobs", type=int, default=1000)
    parser.add_argument("--cli-jobs", type=int, default=20)
    parser.add_argument("--rtt-ms", type=float, default=20.0, help="round trip of the WAN run")
    args = parser.parse_args()
    rows = [
        *bench_creates(args.creates, args.repeats, tls=False),
        *bench_creates(args.creates, args.repeats, tls=True),
        *bench_creates(args.creates, args.repeats, tls=True, rtt_ms=args.rtt_ms),
        *bench_check_diff(args.check_jobs, args.repeats),
        *bench_cli(args.cli_jobs),
        *bench_scaled_limit(100, 30, 6.0, args.repeats),
    ]
    print(machine_line())
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    header = ("measure", "value", "reference", "ratio")
    widths = [max(w, len(h)) for w, h in zip(widths, header, strict=True)]
    for row in (header, tuple("-" * w for w in widths), *rows):
        print(" | ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)))


if __name__ == "__main__":
    main()
