"""Side-by-side benchmarks against the emulator: `python -m benchmarks.bench` (docs/benchmarks.md).

The main table is the real `pulumi` CLI: N jobs over three tenants, each command beside the
engine's floor (the same N of a do-nothing dynamic resource; for `refresh` also the floor that
reads, one raw GET per job) measured in the same run, interleaved, medians of `--repeats` with
their range and the load average. Then the same through a relay that adds a round trip at two
`--parallel` settings, an `up` and a `destroy` under per-tenant write limits, `refresh` under
the read limit through the round trip (benchmarks/read_limits.py), the CPU of each process, and
a secondary table (check + diff per job, pacing through the provider server, tokens per
command). Nothing here asserts on time: the tables are for people.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import grpc
from pulumi.dynamic.dynamic import serialize_provider
from pulumi.runtime.proto import provider_pb2

from benchmarks import latency_proxy
from benchmarks.cli_bench import (
    COMMAND_TITLES,
    CYCLE,
    FLOOR_TITLES,
    TENANTS,
    BenchStack,
    Cycle,
    WritesByTenant,
    command_rows,
    cpu_rows,
    earliest_end,
    make_stacks,
    read_targets,
    run_cycle,
    state_rows,
    tenant_pacing,
    tenant_rows,
)
from benchmarks.naive_provider import NaiveJobProvider
from benchmarks.read_limits import bench_read_limits
from opsramp_jobs.client import clear_token_cache
from opsramp_jobs.model import parse_job
from opsramp_jobs.provider import OpsRampJobProvider
from tests.faults.stack import pulumi_binary
from tests.provider.conftest import stack_config
from tests.provider.grpc_provider import PROVIDER_BLOB, URN, ProviderServer, to_struct
from tests.support.emulator import (
    CLIENT13_TENANT,
    DEVICE_AD_SERVER,
    PARTNER_KEY,
    PARTNER_SECRET,
    PARTNER_TENANT,
    EmulatorProcess,
)

THREADS = 4  # the provider server's worker pool
Row = tuple[str, ...]
NAIVE_BLOB = serialize_provider(NaiveJobProvider())


def log(message: str) -> None:
    """Progress on stderr (the tables go to stdout)."""
    print(f"{time.strftime('%H:%M:%S')} {message}", file=sys.stderr, flush=True)


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


def in_threads(count: int, work: Callable[[int], None]) -> float:
    """Run work(0..count-1) on THREADS threads; the wall time in seconds."""
    started = time.perf_counter()
    with ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(work, range(count)))
    return time.perf_counter() - started


def configured_server(
    emulator: EmulatorProcess, *, env: dict[str, str] | None = None, **extra: str
) -> ProviderServer:
    """The SDK's provider server (`env` added to its environment), configured like a dev stack
    (plus `extra` config keys)."""
    server = ProviderServer(env)
    server.configure(stack_config(emulator, **extra))
    return server


# --------------------------------------------------------------------------------------------
# 1-2. The real CLI, ours beside the floor: loopback, then through a round trip
# --------------------------------------------------------------------------------------------


def bench_cli(
    jobs: int,
    repeats: int,
    rtt_ms: float,
    parallels: Sequence[int],
    rtt_repeats: int,
    *,
    commands: Sequence[str] = CYCLE,
    floor_read: bool = True,
) -> tuple[list[Row], list[Row], list[Row], Cycle | None]:
    """The main table, the round-trip table and the CPU table; the main cycle for the rest.

    `repeats` 0 skips the main table, no `parallels` the round-trip one. `commands` (a part of
    CYCLE, in its order) narrows the main table; the stacks are brought up once before commands
    that need existing jobs and destroyed once after, untimed. `floor_read`: `refresh` also
    runs against the floor that reads.
    """
    main: Cycle | None = None
    if not repeats and not parallels:
        return [], [], [], None
    with (
        tempfile.TemporaryDirectory() as tmp,
        EmulatorProcess(rate_limit=False) as emulator,
        read_targets(emulator) as read_jobs,
    ):
        log(f"real CLI, {jobs} jobs, loopback")
        stacks = make_stacks(Path(tmp) / "loopback", emulator.url, jobs, read_jobs)
        if repeats:
            needs_jobs = "up" not in commands and not set(commands) <= {"preview"}
            setup = Cycle("setup", jobs, None, ("up",), floor_read=False)
            if needs_jobs:
                run_cycle(stacks, emulator, setup, 1, log)
            main = run_cycle(
                stacks, emulator, Cycle("loopback", jobs, None, commands, floor_read), repeats, log
            )
            if needs_jobs:
                main.state_bytes, main.provider_bytes = setup.state_bytes, setup.provider_bytes
                if "destroy" not in commands:
                    teardown = Cycle("teardown", jobs, None, ("destroy",), floor_read=False)
                    run_cycle(stacks, emulator, teardown, 1, log)
        rtt_rows: list[Row] = []
        if rtt_ms and parallels:
            with latency_proxy.running(emulator.port, rtt_ms) as port:
                api_url = f"http://127.0.0.1:{port}"
                rtt_stacks = make_stacks(Path(tmp) / "rtt", api_url, jobs, read_jobs)
                for parallel in parallels:
                    title = f"{rtt_ms:g} ms round trip, --parallel={parallel}"
                    log(f"real CLI, {jobs} jobs, {title}")
                    cycle = run_cycle(
                        rtt_stacks,
                        emulator,
                        Cycle(title, jobs, parallel, ("up", "refresh", "destroy"), floor_read),
                        rtt_repeats,
                        log,
                    )
                    rtt_rows += [(f"{title} (median of {rtt_repeats})",), *command_rows(cycle)]
    if main is None:
        return [], rtt_rows, [], None
    main_rows: list[Row] = [
        (f"{jobs} jobs over 3 tenants, loopback, --parallel default (8)",),
        *command_rows(main),
        *(state_rows(main) if main.state_bytes else []),
    ]
    return main_rows, rtt_rows, cpu_rows(main), main


def bench_big(sizes: Sequence[int], floor_read: bool = True) -> list[Row]:
    """Up, refresh and destroy at each N (ours and the floors, one run each), then at N = 300 (or
    the largest N) the same without intermediate checkpoints, and a refresh with its preview."""
    rows: list[Row] = []
    extras_size = 300 if 300 in sizes else max(sizes)
    with (
        tempfile.TemporaryDirectory() as tmp,
        EmulatorProcess(rate_limit=False) as emulator,
        read_targets(emulator) as read_jobs,
    ):
        stacks = make_stacks(Path(tmp), emulator.url, min(sizes), read_jobs)
        plans = [(size, ("up", "refresh", "destroy")) for size in sizes]
        plans.append(
            (extras_size, ("up-skip-checkpoints", "refresh-preview", "destroy-skip-checkpoints"))
        )
        for size, commands in plans:
            for stack in stacks.values():
                stack.set_jobs(size)
            log(f"big stacks: {size} jobs, {', '.join(commands)}")
            cycle = Cycle(f"N={size}", size, None, commands, floor_read)
            run_cycle(stacks, emulator, cycle, 1, log)
            for command, kind in ((c, k) for c in cycle.commands for k in cycle.floors(c)):
                ours, floor = cycle.median(command, "ours"), cycle.median(command, kind)
                engine = (cycle.median_cpu(command, "ours")["engine"],
                          cycle.median_cpu(command, kind)["engine"])  # fmt: skip
                requests = cycle.stats[command, "ours"]["requests"]
                rows.append(
                    (
                        "  " + COMMAND_TITLES[command].format(n=size) + FLOOR_TITLES[kind],
                        f"{ours:.1f} s ({ours * 100 / size:.1f} s/100)",
                        f"{floor:.1f} s ({floor * 100 / size:.1f} s/100)",
                        f"{ours / floor:.2f}x",
                        f"engine CPU {engine[0]:.1f}/{engine[1]:.1f} s; {requests} requests",
                    )
                )
    return rows


# --------------------------------------------------------------------------------------------
# 3. `up` and `destroy` under per-tenant write limits
# --------------------------------------------------------------------------------------------


def bench_limits(
    jobs: int, write_limit: int, window: float, parallel: int | None = None
) -> list[Row]:
    """300 jobs over three tenants under a client write limit (the partner gets 3x), up + destroy.

    `parallel` is the commands' `--parallel` (None: the CLI's default, 8). Each step waiting for
    its tenant's window holds one of the engine's slots, so with few slots one tenant's queued
    steps can keep another's from being sent when its window opens.

    Searches get the write limit too (OpsRamp gives client tenants the same 50/min for both),
    other reads 10x. Each tenant's writes per window come from the emulator's job counts, sampled
    at every twelfth of a window (aligned, so window boundaries are sampled exactly).
    """
    flags = [
        "--write-limit", str(write_limit),
        "--paged-read-limit", str(write_limit),
        "--read-limit", str(write_limit * 10),
        "--rate-window", str(window),
    ]  # fmt: skip
    limits = {tenant: write_limit * (3 if tenant == PARTNER_TENANT else 1) for tenant in TENANTS}
    rows: list[Row] = [
        (
            f"{jobs} jobs over 3 tenants at {write_limit} writes per {window:g} s window "
            f"per client, {write_limit * 3} for the partner msp_12"
            + (f", --parallel {parallel}" if parallel else ""),
            "",
            "",
            "",
            "",
        )
    ]
    with tempfile.TemporaryDirectory() as tmp, EmulatorProcess(*flags) as emulator:
        stack = BenchStack(Path(tmp), Path(tmp) / "home", emulator.url, "ours", jobs)
        for command in ("up", "destroy"):
            log(f"{command} of {jobs} jobs under write limits")
            with WritesByTenant(emulator, window / 12) as sampled:
                timed = stack.run(command, emulator, parallel=parallel, check=False)
            paced = tenant_pacing(sampled.samples, window, limits, deleting=command == "destroy")
            failed = timed.output.count("error:")
            # The fastest the slowest tenant could finish: its first write's window, then full
            # windows only; the command's wall time less what its last write lost to that bound.
            bound_end = max(
                earliest_end(min(p.per_window) * window, p.count, p.limit, window)
                for p in paced
                if p.per_window
            )
            actual_end = max(p.last_seen for p in paced)
            lost = max(0.0, actual_end - bound_end)
            rows.append(
                (
                    f"  pulumi {command}: wall time (exit {timed.returncode}, {failed} errors)",
                    f"{timed.wall:.1f} s",
                    f"fastest possible {timed.wall - lost:.1f} s",
                    f"{timed.wall / max(timed.wall - lost, 0.01):.2f}x",
                    f"429s answered {timed.stats['throttled']}, surfaced {failed}",
                )
            )
            rows += tenant_rows(paced, window, "writes")
        rows += stack_per_tenant(emulator, Path(tmp), jobs, window, limits)
    return rows


def stack_per_tenant(
    emulator: EmulatorProcess, workdir: Path, jobs: int, window: float, limits: dict[str, int]
) -> list[Row]:
    """The same jobs as one stack per tenant, the three `up`s at once: paced independently?"""
    stacks = [
        BenchStack(
            workdir / tenant, workdir / "home", emulator.url, "ours", jobs // 3, tenant=tenant
        )
        for tenant in TENANTS
    ]
    log(f"up of {jobs} jobs as one stack per tenant, at once")
    walls: list[float] = []
    emulator.reset_stats()
    with WritesByTenant(emulator, window / 12) as sampled:
        threads = [
            threading.Thread(
                target=lambda s=stack: walls.append(s.run("up", emulator, count=False).wall)
            )
            for stack in stacks
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    paced = tenant_pacing(sampled.samples, window, limits, deleting=False)
    throttled = emulator.stats()["throttled"]
    emulator.reset()  # the jobs go with the emulator's state; the stacks are thrown away
    rows: list[Row] = [
        (
            f"  one stack per tenant, {jobs // 3} jobs each, the three `pulumi up`s at once",
            f"{max(walls):.1f} s" if len(walls) == len(stacks) else "failed",
            "",
            "",
            f"429s answered {throttled}",
        )
    ]
    rows += tenant_rows(paced, window, "writes")
    return rows


# --------------------------------------------------------------------------------------------
# Secondary: check + diff per job; pacing through the provider server
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


def secondary_rows(main: Cycle) -> list[Row]:
    """Tokens and requests per command of the main run (emulator counts)."""
    stats = {command: main.stats[command, "ours"] for command in main.commands}
    return [
        (
            f"tokens fetched per `pulumi up` ({main.jobs} creates) / per refresh / per destroy",
            f"{stats['up']['tokens_issued']} / {stats['refresh']['tokens_issued']} / "
            f"{stats['destroy']['tokens_issued']}",
            "target 1",
            "",
        ),
        (
            "  HTTP requests: up / refresh / destroy (searches: listing job names, once a tenant)",
            f"{stats['up']['requests']} / {stats['refresh']['requests']} / "
            f"{stats['destroy']['requests']}",
            f"N + 1 = {main.jobs + 1} (+ 1 search a tenant on up)",
            "",
        ),
        (
            "  preview, and up or preview with nothing to change: requests",
            f"{stats['preview']['requests']}, {stats['up-same']['requests']}, "
            f"{stats['preview-same']['requests']}",
            # Issue 24: a preview checks the credentials (one token a provider process); a
            # preview of creates also lists each tenant's job names once (the look-alike check).
            "1 token (+ 1 name listing a tenant when creating)",
            "",
        ),
    ]


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
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (
        f"{time.strftime('%Y-%m-%d %H:%M %Z')}; {os.cpu_count()} CPUs, load average {load}; "
        f"Python {platform.python_version()}; {cli_version}; emulator on loopback"
    )


def print_table(title: str, header: Row, rows: Sequence[Row]) -> None:
    """One table, columns padded."""
    width = len(header)
    rows = [tuple(row) + ("",) * (width - len(row)) for row in rows]
    widths = [max(len(r[i]) for r in (header, *rows)) for i in range(width)]
    print(f"\n{title}")
    for row in (header, tuple("-" * w for w in widths), *rows):
        print(" | ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())


def int_list(text: str) -> list[int]:
    """'4,16' -> [4, 16]; '' -> []."""
    return [int(part) for part in text.split(",") if part.strip()]


def read_regimes(text: str) -> list[tuple[int, float]]:
    """'50/6,500/60' -> [(50, 6.0), (500, 60.0)]: reads per window, window seconds."""
    regimes = []
    for part in text.split(","):
        reads, _, window = part.partition("/")
        regimes.append((int(reads), float(window)))
        if regimes[-1][1] < 1:
            raise argparse.ArgumentTypeError(f"{part}: a window is at least 1 s")
    return regimes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cli-jobs", type=int, default=300, help="N of the main table")
    parser.add_argument(
        "--commands",
        default=",".join(CYCLE),
        help="the main table's commands, e.g. preview-same,up-same,refresh (jobs are created "
        "once before and destroyed once after, untimed)",
    )
    parser.add_argument("--repeats", type=int, default=3, help="runs per command (median)")
    parser.add_argument(
        "--floor-read",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="also time each refresh against the floor that reads (one raw GET per job) "
        "beside the do-nothing floor (--no-floor-read: the do-nothing floor only)",
    )
    parser.add_argument("--rtt-ms", type=float, default=50.0, help="round trip of the WAN table")
    parser.add_argument(
        "--parallel",
        type=int_list,
        default=[4, 16],
        help="--parallel settings of the WAN table, e.g. 4,16 ('' skips it)",
    )
    parser.add_argument("--rtt-repeats", type=int, default=1, help="runs per WAN command")
    parser.add_argument("--limit-jobs", type=int, default=300, help="jobs of the write-limit run")
    parser.add_argument(
        "--write-limit",
        type=int,
        default=5,
        help="client writes per window (the partner gets 3x); 0 skips the run",
    )
    parser.add_argument("--rate-window", type=float, default=3.0, help="seconds per window")
    parser.add_argument(
        "--limit-parallel",
        type=int,
        default=None,
        help="--parallel of the write-limit run's up and destroy (default: the CLI's, 8)",
    )
    parser.add_argument(
        "--read-jobs", type=int, default=1000, help="jobs of the read-limit tier ('reads')"
    )
    parser.add_argument(
        "--read-limits",
        type=read_regimes,
        default=read_regimes("50/6,500/60"),
        help="read-limit tier: client reads per window / window seconds (at least 1), "
        "comma-separated (the partner gets 3x); OpsRamp's is 500/60",
    )
    parser.add_argument(
        "--read-parallel", type=int, default=8, help="--parallel of the read-limit refreshes"
    )
    parser.add_argument(
        "--big",
        type=int_list,
        default=[100, 300, 1000],
        help="N of the big-stacks table (tier 'big', not run by default)",
    )
    parser.add_argument(
        "--tiers",
        default="main,rtt,limits,reads,secondary",
        help="tables to run: main, rtt, limits, reads, big, secondary",
    )
    parser.add_argument("--check-jobs", type=int, default=1000)
    args = parser.parse_args()  # fmt: skip
    if pulumi_binary() is None:
        sys.exit("no pulumi CLI on PATH: run `bash scripts/bench.sh` (it builds one)")
    started = time.perf_counter()
    machine = machine_line()
    tiers = set(args.tiers.split(","))
    asked = args.commands.split(",")
    commands = [command for command in CYCLE if command in asked]
    unknown = set(asked) - set(CYCLE)
    if unknown or not commands:
        sys.exit(f"--commands: {', '.join(sorted(unknown)) or 'none given'}; choose from {CYCLE}")
    main_rows, rtt_rows, cpu_table, main_cycle = bench_cli(
        args.cli_jobs,
        args.repeats if "main" in tiers else 0,
        args.rtt_ms,
        args.parallel if "rtt" in tiers else [],
        args.rtt_repeats,
        commands=commands,
        floor_read=args.floor_read,
    )
    limit_rows: list[Row] = []
    if "limits" in tiers and args.write_limit:
        limit_rows = bench_limits(
            args.limit_jobs, args.write_limit, args.rate_window, args.limit_parallel
        )
    read_rows: list[Row] = []
    if "reads" in tiers:
        read_rows = bench_read_limits(
            args.read_jobs,
            args.read_limits,
            rtt_ms=args.rtt_ms,
            parallel=args.read_parallel,
            log=log,
        )
    big_rows = bench_big(args.big, args.floor_read) if "big" in tiers else []
    secondary: list[Row] = []
    if "secondary" in tiers:
        log("secondary figures")
        secondary += bench_check_diff(args.check_jobs, args.repeats)
        # One run: the write-limit table above measures pacing through the CLI.
        secondary += bench_scaled_limit(100, 30, 6.0, 1)
        if main_cycle and set(CYCLE) <= set(main_cycle.commands):
            secondary += secondary_rows(main_cycle)
    print(machine)
    header: Row = (
        "measure", "ours", "floor", "ours/floor", "HTTP requests ours / floor", "load (1 min)"
    )  # fmt: skip
    if main_rows:
        print_table(
            f"Real CLI, medians of {args.repeats} (range in brackets; ours/floor: the median of "
            "the ratios of runs back to back)",
            header,
            main_rows,
        )
    if rtt_rows:
        print_table(
            f"Real CLI through a round trip, medians of {args.rtt_repeats}", header, rtt_rows
        )
    if limit_rows:
        print_table(
            "Under per-tenant write limits (ours only)",
            ("measure", "value", "reference", "ratio", "notes"),
            limit_rows,
        )
    if read_rows:
        print_table(
            "Refresh under the read limit, through a round trip (ours only)",
            ("measure", "value", "reference", "ratio", "notes"),
            read_rows,
        )
    if big_rows:
        print_table(
            "Big stacks: one run each",
            ("command", "ours", "floor", "ours/floor", "engine CPU ours/floor; requests ours"),
            big_rows,
        )
    if cpu_table:
        print_table(
            f"CPU seconds per command, all processes (medians of {args.repeats})",
            ("command", "ours", "floor", "ours/floor", "by process: ours/floor"),
            cpu_table,
        )
    if secondary:
        print_table("Secondary", ("measure", "value", "reference", "ratio"), secondary)
    after = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"\nwall time {time.perf_counter() - started:.0f} s; load average at the end {after}")


if __name__ == "__main__":
    main()
