"""`pulumi refresh` in the users' regime: through a round trip, under OpsRamp's read limit.

The tier `reads` of `python -m benchmarks.bench` (docs/benchmarks.md "How each figure is
measured"). OpsRamp allows a client tenant 500 GETs of a job a minute and a partner three times
that, counted in fixed windows. `refresh` reads every job once; without `--skip-preview` it
reads every job twice (its preview reads them too). N jobs over the three tenants are brought
up with no limit; then, for each regime (reads per window, window: OpsRamp's 500 a minute, and
the same rate in windows 10x shorter, so that 1,000 jobs span several windows), the limit is
switched on and `refresh --skip-preview` and `refresh` run once each, ours only, each started at
a window boundary. Each tenant's reads are sampled every SAMPLE_SECONDS; the command's wall time
is set beside the fastest possible: the same run had its last read been sent at the soonest the
limit and the round trip allow (`fastest_end`).
"""

from __future__ import annotations

import math
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import requests

from benchmarks import latency_proxy
from benchmarks.cli_bench import (
    TENANTS,
    BenchStack,
    PeriodicSampler,
    TenantPacing,
    Timed,
    earliest_end,
    tenant_rows,
)
from tests.support.emulator import PARTNER_TENANT, EmulatorProcess

SAMPLE_SECONDS = 0.1
# Each sample is taken this long before a multiple of SAMPLE_SECONDS, so that the last sample of
# a window (a window of whole tenths of a second is a multiple of it) lands just inside it.
SAMPLE_LEAD = 0.02
GET_JOB = "GET /api/v2/tenants/{tenantId}/jobs/{jobId}"  # the emulator's route counter


class ReadsByTenant(PeriodicSampler):
    """Samples each tenant's reads in its current rate window, every SAMPLE_SECONDS.

    A GET of the tenant's job types (the same rate class as a GET of a job, another route) with
    a bad token is answered 401 with the tenant's X-RateLimit-* headers and is not counted
    against the limit, so sampling costs the run nothing but the emulator's time. The window a
    sample belongs to comes from its X-RateLimit-Reset (the server's clock).
    """

    def __init__(self, emulator: EmulatorProcess, window: float) -> None:
        if window < 1:
            raise ValueError("the read window must be at least 1 s (its reset is whole seconds)")
        super().__init__(SAMPLE_SECONDS, -SAMPLE_LEAD)
        self.emulator = emulator
        self.window = window
        # tenant -> (epoch seconds, window index, reads counted in that window so far)
        self.samples: dict[str, list[tuple[float, int, int]]] = {t: [] for t in TENANTS}
        self._session = requests.Session()
        self._session.headers["Authorization"] = "Bearer not-a-token"

    def sample(self, due: float) -> None:
        """One sample of every tenant (at the time each answer came back)."""
        for tenant in TENANTS:
            answer = self._session.get(f"{self.emulator.jobs_url(tenant)}/types", timeout=10)
            if answer.status_code != 401 or "X-RateLimit-Reset" not in answer.headers:
                raise RuntimeError(f"the emulator's window of {tenant} is unreadable: {answer}")
            used = int(answer.headers["X-RateLimit-Limit"]) - int(
                answer.headers["X-RateLimit-Remaining"]
            )
            # The reset is the window's end rounded up to a whole second: with a window of at
            # least 1 s, that names one window.
            index = int(float(answer.headers["X-RateLimit-Reset"]) // self.window) - 1
            self.samples[tenant].append((time.time(), index, used))

    def __exit__(self, *_: object) -> None:
        super().__exit__()
        self._session.close()

    def pacing(self, limits: dict[str, int]) -> list[TenantPacing]:
        """Each tenant's reads per window, and when its first and last read were seen."""
        paced = []
        for tenant in TENANTS:
            per_window: dict[int, int] = {}
            running: list[tuple[float, int]] = []  # (time, reads so far)
            for at, index, used in self.samples[tenant]:
                per_window[index] = max(per_window.get(index, 0), used)
                running.append((at, sum(per_window.values())))
            # The window the sampling started in may hold reads of an earlier command.
            start = running[0][1]
            total = running[-1][1] - start
            first_seen = next((at for at, n in running if n > start), 0.0)
            last_seen = next((at for at, n in running if n - start == total), 0.0) if total else 0.0
            per_window[self.samples[tenant][0][1]] -= start
            per_window = {i: n for i, n in per_window.items() if n}
            paced.append(
                TenantPacing(tenant, total, limits[tenant], per_window, first_seen, last_seen)
            )
        return paced


def fastest_end(paced: list[TenantPacing], window: float, per_second: float) -> tuple[float, str]:
    """The soonest the last read could be sent, and what binds it ('read limit', 'round trip').

    Each tenant's first window is taken as it went: the command starts anywhere in a window, so
    unless that window filled, what it held was set by the start-up and the round trip, not by
    the limit. From the next window on, the rest at most its limit per window, with every engine
    slot to itself (`per_second`). Beside that, the round trip alone: each tenant's reads from
    its first, and all tenants' together from the first read of any, at most `per_second`.
    """
    active = [p for p in paced if p.count]
    start = min(p.first_seen for p in active)
    by_round_trip = max(
        start + sum(p.count for p in active) / per_second,
        *(p.first_seen + p.count / per_second for p in active),
    )
    by_limit = by_round_trip
    for tenant in active:
        first = min(tenant.per_window)
        left = tenant.count - tenant.per_window[first]
        if left > 0:
            after_first = (first + 1) * window
            by_limit = max(
                by_limit, earliest_end(after_first, left, tenant.limit, window, per_second)
            )
    return (by_limit, "read limit") if by_limit > by_round_trip else (by_round_trip, "round trip")


def bench_read_limits(
    jobs: int,
    regimes: Sequence[tuple[int, float]],
    *,
    rtt_ms: float,
    parallel: int,
    log: Callable[[str], None],
) -> list[tuple[str, ...]]:
    """`refresh` of `jobs` jobs over three tenants with and without `--skip-preview` under each
    (client reads, window seconds) regime, through a `rtt_ms` round trip at `parallel` slots."""
    rows: list[tuple[str, ...]] = []
    with (
        tempfile.TemporaryDirectory() as tmp,
        EmulatorProcess(rate_limit=False) as emulator,
        latency_proxy.running(emulator.port, rtt_ms) as port,
    ):
        stack = BenchStack(Path(tmp), Path(tmp) / "home", f"http://127.0.0.1:{port}", "ours", jobs)
        log(f"reads: up of {jobs} jobs, no limit")
        stack.run("up", emulator)
        for read_limit, window in regimes:
            emulator.configure(rate_limits={"read": read_limit, "window": window})
            rows.append(
                (
                    f"{jobs} jobs over 3 tenants through a {rtt_ms:g} ms round trip, --parallel "
                    f"{parallel}: {read_limit} reads per {window:g} s window per client "
                    f"({read_limit * 60 / window:.0f} a minute), {read_limit * 3} for the partner",
                )
            )
            for command, title in (
                ("refresh", "pulumi refresh --skip-preview"),
                ("refresh-preview", "pulumi refresh (with its preview)"),
            ):
                log(f"reads: {title} of {jobs} jobs, {read_limit} reads per {window:g} s")
                rows += refresh_rows(
                    stack,
                    emulator,
                    command,
                    title,
                    read_limit=read_limit,
                    window=window,
                    rtt_ms=rtt_ms,
                    parallel=parallel,
                )
    return rows


def refresh_rows(
    stack: BenchStack,
    emulator: EmulatorProcess,
    command: str,
    title: str,
    *,
    read_limit: int,
    window: float,
    rtt_ms: float,
    parallel: int,
) -> list[tuple[str, ...]]:
    """One refresh under the read limit, started at a window boundary: its rows."""
    limits = {tenant: read_limit * (3 if tenant == PARTNER_TENANT else 1) for tenant in TENANTS}
    time.sleep(window - time.time() % window + 0.01)  # every tenant's window is fresh
    with ReadsByTenant(emulator, window) as sampled:
        timed = stack.run(command, emulator, parallel=parallel, check=False)
    per_second = parallel / (rtt_ms / 1000) if rtt_ms else math.inf
    return timed_rows(title, timed, sampled.pacing(limits), window, per_second)


def timed_rows(
    title: str, timed: Timed, paced: list[TenantPacing], window: float, per_second: float
) -> list[tuple[str, ...]]:
    """The rows of one refresh: wall time against the fastest possible, reads, each tenant."""
    bound_end, binding = fastest_end(paced, window, per_second)
    last_read = max(p.last_seen for p in paced)
    fastest = timed.wall - max(0.0, last_read - bound_end)
    failed = timed.output.count("error:")
    # What the run read once the last window it used had opened: machine and round trip alone.
    last_window = max(max(p.per_window) for p in paced if p.per_window)
    tail_reads = sum(p.per_window.get(last_window, 0) for p in paced)
    tail_seconds = last_read - max(last_window * window, min(p.first_seen for p in paced))
    return [
        (
            f"  {title}: wall time (exit {timed.returncode}, {failed} errors)",
            f"{timed.wall:.1f} s",
            f"fastest possible {fastest:.1f} s ({binding})",
            f"{timed.wall / max(fastest, 0.01):.2f}x "
            + ("(target <= 1.05x)" if binding == "read limit" else "(the limit does not bind)"),
            f"429s answered {timed.stats['throttled']}, surfaced {failed}",
        ),
        (
            f"    reads seen in the windows {sum(p.count for p in paced)}, GETs sent "
            f"{timed.stats['by_route'].get(GET_JOB, 0)} (429s included), tokens "
            f"{timed.stats['tokens_issued']}; in the last window {tail_reads} reads in "
            f"{tail_seconds:.1f} s",
        ),
        *tenant_rows(paced, window, "reads"),
    ]
