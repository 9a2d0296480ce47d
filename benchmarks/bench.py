"""Side-by-side benchmarks of the provider against the emulator: `python -m benchmarks.bench`.

Every figure is measured in this run next to its reference and printed as a ratio; medians of
repeated runs. Nothing here asserts on time: the table is for people (README "Benchmarks").
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import requests
from pulumi.dynamic.dynamic import serialize_provider
from pulumi.runtime.proto import provider_pb2

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


def configured_server(emulator: EmulatorProcess) -> ProviderServer:
    """The SDK's provider server, configured like a dev stack."""
    server = ProviderServer()
    server.configure(
        {
            "opsramp:apiUrl": emulator.url,
            "opsramp:clientId": PARTNER_KEY,
            "opsramp:clientSecret": PARTNER_SECRET,
            "opsramp:tenantId": CLIENT13_TENANT,
        }
    )
    return server


# --------------------------------------------------------------------------------------------
# 1. 200 creates: provider (gRPC) vs raw requests vs a naive provider
# --------------------------------------------------------------------------------------------


def creates_provider(
    emulator: EmulatorProcess, server: ProviderServer, count: int, run: int
) -> float:
    return in_threads(count, lambda i: server.create(job_inputs(f"p{run}-{i}")) and None)


def creates_raw(emulator: EmulatorProcess, count: int, run: int, *, search: bool) -> float:
    bearer = {"Authorization": f"Bearer {emulator.token()}"}
    local = threading.local()
    jobs_url = emulator.jobs_url(CLIENT13_TENANT)

    def work(i: int) -> None:
        session = getattr(local, "session", None)
        if session is None:
            session = local.session = requests.Session()
        name = f"r{run}-{search}-{i}"
        if search:
            session.get(
                f"{jobs_url}/search",
                params={"queryString": f"name:{name}"},
                headers=bearer,
                timeout=30,
            ).raise_for_status()
        session.post(jobs_url, json=wire_body(name), headers=bearer, timeout=30).raise_for_status()

    return in_threads(count, work)


NAIVE_BLOB = serialize_provider(NaiveJobProvider())


def creates_naive(server: ProviderServer, count: int, run: int) -> float:
    """The naive provider through the same gRPC server path as ours."""

    def work(i: int) -> None:
        server.stub.Create(
            provider_pb2.CreateRequest(
                urn=URN.format(name="naive"),
                properties=to_struct({**job_inputs(f"n{run}-{i}"), "__provider": NAIVE_BLOB}),
            )
        )

    return in_threads(count, work)


def bench_creates(count: int, repeats: int) -> list[tuple[str, str, str, str]]:
    with EmulatorProcess(rate_limit=False) as emulator:
        server = configured_server(emulator)
        try:
            times: dict[str, list[float]] = {
                "provider": [],
                "raw": [],
                "raw+search": [],
                "naive": [],
            }
            for run in range(repeats):
                emulator.reset()
                times["provider"].append(creates_provider(emulator, server, count, run))
                emulator.reset()
                times["raw"].append(creates_raw(emulator, count, run, search=False))
                emulator.reset()
                times["raw+search"].append(creates_raw(emulator, count, run, search=True))
                emulator.reset()
                times["naive"].append(creates_naive(server, count, run))
        finally:
            server.close()
    med = {k: statistics.median(v) for k, v in times.items()}
    return [
        (
            f"{count} creates, provider over gRPC ({THREADS} threads)",
            f"{med['provider']:.2f} s",
            f"raw POSTs {med['raw']:.2f} s",
            f"{med['provider'] / med['raw']:.2f}x raw (target <= 1.15x)",
        ),
        (
            "  same, like for like (provider searches the name first)",
            f"{med['provider']:.2f} s",
            f"raw search+POST {med['raw+search']:.2f} s",
            f"{med['provider'] / med['raw+search']:.2f}x",
        ),
        (
            "  vs a naive provider over the same gRPC path (token per call)",
            f"{med['provider']:.2f} s",
            f"naive {med['naive']:.2f} s",
            f"{med['naive'] / med['provider']:.2f}x faster (target >= 3x)",
        ),
    ]


# --------------------------------------------------------------------------------------------
# 2. check + diff per unchanged job
# --------------------------------------------------------------------------------------------


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
    return [
        (
            f"check + diff per unchanged job ({jobs} jobs, in-process)",
            f"{median_ms:.3f} ms",
            "target 1 ms",
            f"{median_ms / 1.0:.2f}x of target",
        )
    ]


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
        (f"tokens fetched per `pulumi up` ({jobs} jobs)", str(tokens), "target 1", f"{tokens}x"),
    ]


def bench_scaled_limit(
    count: int, per_window: int, window: float
) -> list[tuple[str, str, str, str]]:
    flags = [
        "--write-limit", str(per_window),
        "--paged-read-limit", str(per_window),
        "--read-limit", str(per_window * 10),
        "--rate-window", str(window),
    ]  # fmt: skip
    clear_token_cache()
    with EmulatorProcess(*flags) as emulator:
        server = configured_server(emulator)
        surfaced = 0
        lock = threading.Lock()

        def work(i: int) -> None:
            nonlocal surfaced
            try:
                server.create(job_inputs(f"s-{i}"))
            except Exception:
                with lock:
                    surfaced += 1

        try:
            server.create(job_inputs("warm-up"))  # token + limiter learn the window
            emulator.reset_stats()
            elapsed = in_threads(count, work)
        finally:
            server.close()
        stats = emulator.stats()
    limit_per_s = per_window / window
    achieved = count / elapsed
    return [
        (
            f"{count} creates at {per_window * 60 / window:.0f} writes/min (window {window:g} s)",
            f"{achieved:.2f} writes/s",
            f"limit {limit_per_s:.2f}/s",
            f"{achieved / limit_per_s:.0%} of limit (target >= 90%)",
        ),
        (
            "  429s: seen by the server / surfaced to the caller",
            f"{stats['throttled']} / {surfaced}",
            "target - / 0",
            "",
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--creates", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--check-jobs", type=int, default=1000)
    parser.add_argument("--cli-jobs", type=int, default=20)
    args = parser.parse_args()
    rows = [
        *bench_creates(args.creates, args.repeats),
        *bench_check_diff(args.check_jobs, args.repeats),
        *bench_cli(args.cli_jobs),
        *bench_scaled_limit(100, 30, 6.0),
    ]
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    header = ("measure", "value", "reference", "ratio")
    widths = [max(w, len(h)) for w, h in zip(widths, header, strict=True)]
    for row in (header, tuple("-" * w for w in widths), *rows):
        print(" | ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)))


if __name__ == "__main__":
    main()
