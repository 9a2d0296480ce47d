"""What speaking HTTP through requests costs the client: creates vs bare urllib3 POSTs.

Run: `python -m benchmarks.transport_cost [--creates 100] [--rounds 5] [--rtt-ms 50]`.

Both sides POST the same job bodies with the same token from 4 threads (the provider server's
pool) through benchmarks/latency_proxy.py, which adds a network round trip to the emulator (rate
limits off). One side is `OpsRampClient.create_job` (requests Session, pacing, token cache, error
mapping: everything a create costs in the client); the other a bare urllib3 PoolManager POST
loop. Rounds alternate the two; the table shows medians, each side's spread between rounds (the
noise), and the ratio. CPU is this process's (both sides run here; emulator and relay do not).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import urllib3

from benchmarks import latency_proxy
from opsramp_jobs.client import OpsRampClient, clear_token_cache
from opsramp_jobs.pacing import RateLimiter
from tests.client.conftest import job_body
from tests.support.emulator import CLIENT13_KEY, CLIENT13_SECRET, CLIENT13_TENANT, EmulatorProcess

THREADS = 4
REPO = Path(__file__).resolve().parents[1]


def timed(count: int, work: Callable[[int], None]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process) to run work(0..count-1) on THREADS threads."""
    wall, cpu = time.perf_counter(), time.process_time()
    with ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(work, range(count)))
    return time.perf_counter() - wall, time.process_time() - cpu


def through_client(client: OpsRampClient, count: int, round_no: int) -> tuple[float, float]:
    """N creates through the client (the names are known to be new: one POST each)."""

    def create(index: int) -> None:
        client.create_job(job_body(f"client {round_no}-{index}"))

    return timed(count, create)


def through_urllib3(
    pool: urllib3.PoolManager, url: str, token: str, count: int, round_no: int
) -> tuple[float, float]:
    """N bare POSTs of the same bodies with the same token."""
    headers = {
        "Authorization": f"Bearer {token}",
        "Accept": "application/json",
        "Content-Type": "application/json",
    }

    def post(index: int) -> None:
        body = json.dumps(job_body(f"raw {round_no}-{index}")).encode()
        response = pool.request("POST", url, body=body, headers=headers, retries=False)
        assert response.status == 200, response.status
        json.loads(response.data)

    return timed(count, post)


def spread(values: list[float]) -> str:
    """Max-min of the rounds as a share of their median: how far one run is from the next."""
    return f"±{(max(values) - min(values)) / 2 / statistics.median(values):.0%}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--creates", type=int, default=100, help="creates per side per round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--rtt-ms", type=float, default=50.0)
    args = parser.parse_args()
    results: dict[str, list[tuple[float, float]]] = {"client": [], "urllib3": []}
    with (
        EmulatorProcess(rate_limit=False) as emulator,
        latency_proxy.running(emulator.port, args.rtt_ms) as port,
    ):
        base = f"http://127.0.0.1:{port}"
        clear_token_cache()
        client = OpsRampClient(
            base, CLIENT13_KEY, CLIENT13_SECRET, CLIENT13_TENANT, rate_limiter=RateLimiter()
        )
        token = client._tokens.get().value  # both sides start with a token and warm connections
        pool = urllib3.PoolManager(maxsize=8)
        url = f"{base}/api/v2/tenants/{CLIENT13_TENANT}/jobs"
        through_client(client, THREADS, -1)
        through_urllib3(pool, url, token, THREADS, -1)
        for round_no in range(args.rounds):
            results["client"].append(through_client(client, args.creates, round_no))
            results["urllib3"].append(through_urllib3(pool, url, token, args.creates, round_no))
        stored = len(emulator.jobs())
        client.close()
        pool.clear()
    expected = (args.rounds * args.creates + THREADS) * 2
    print(
        f"{args.creates} creates x {args.rounds} rounds per side, {THREADS} threads, "
        f"{args.rtt_ms:g} ms round trip (benchmarks/latency_proxy.py); {stored}/{expected} jobs"
    )
    print(f"{'':24} | {'client (requests)':>20} | {'bare urllib3':>20} | {'ratio':>6}")
    rows = (("wall per create", 0, 1000 * THREADS), ("CPU per create", 1, 1000))
    medians: dict[str, dict[str, float]] = {}
    for label, column, scale in rows:
        per = {
            side: [run[column] / args.creates * scale for run in runs]
            for side, runs in results.items()
        }
        client_ms, raw_ms = statistics.median(per["client"]), statistics.median(per["urllib3"])
        medians[label] = {"client": client_ms, "urllib3": raw_ms}
        print(
            f"{label + ' (ms)':24} | {client_ms:8.3f} {spread(per['client']):>11} | "
            f"{raw_ms:8.3f} {spread(per['urllib3']):>11} | {client_ms / raw_ms:5.2f}x"
        )
    print("wall per create: one create's latency on its thread; ± is half the spread of the rounds")
    extra = medians["CPU per create"]["client"] - medians["CPU per create"]["urllib3"]
    latency = medians["wall per create"]["client"]
    print(
        f"the client's extra CPU: {extra:+.3f} ms per create = {extra / latency:.1%} of a create's "
        "latency (the client also paces, caches the token and maps errors)"
    )


if __name__ == "__main__":
    main()
