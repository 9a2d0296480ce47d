"""Benchmark the OpsRamp emulator: start-up time and job GETs per second on loopback."""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.emulator import EmulatorProcess  # importable thanks to the path above

JOB = {
    "name": "bench",
    "entities": [{"resource": {"id": "709824de-8315-4cf9-ad1c-b15aaf7bf2a5", "type": "DEVICE"}}],
    "script": {"jobType": "assetinfo"},
    "schedule": {"startDate": "2030-01-01T02:00:00+0000", "pattern": {"type": "never"}},
}


def measure_startup(repeats: int) -> list[float]:
    """Seconds from spawning the process until its ready line, once per repeat."""
    timings = []
    for _ in range(repeats):
        process = EmulatorProcess(rate_limit=False).start()
        timings.append(process.startup_seconds)
        process.stop()
    return timings


def measure_gets(process: EmulatorProcess, threads: int, seconds: float) -> float:
    """GET /jobs/{id} per second with `threads` keep-alive sessions for `seconds`."""
    with process.api_session() as session:
        job_id = session.post(process.jobs_url(), json=JOB).json()["id"]
        token = session.headers["Authorization"]
    url = f"{process.jobs_url()}/{job_id}"
    counts = [0] * threads
    deadline = time.perf_counter() + seconds

    def worker(slot: int) -> None:
        with requests.Session() as session:
            session.headers["Authorization"] = str(token)
            while time.perf_counter() < deadline:
                response = session.get(url, timeout=10)
                if response.status_code != 200:
                    raise RuntimeError(f"unexpected {response.status_code}")
                counts[slot] += 1

    started = time.perf_counter()
    workers = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    return sum(counts) / (time.perf_counter() - started)


def main() -> int:
    """Run the benchmark and print a small table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=3.0)
    args = parser.parse_args()

    startups = measure_startup(args.repeats)
    with EmulatorProcess(rate_limit=False) as process:
        rates = [measure_gets(process, args.threads, args.seconds) for _ in range(args.repeats)]

    start_median, rate_median = statistics.median(startups), statistics.median(rates)
    print(f"{'measure':<34}{'median':>10}{'min':>10}{'max':>10}{'target':>12}")
    print(
        f"{'start-up until ready line (s)':<34}{start_median:>10.3f}"
        f"{min(startups):>10.3f}{max(startups):>10.3f}{'< 2':>12}"
    )
    print(
        f"{f'job GETs/s ({args.threads} threads)':<34}{rate_median:>10.0f}"
        f"{min(rates):>10.0f}{max(rates):>10.0f}{'>= 500':>12}"
    )
    ok = start_median < 2 and rate_median >= 500
    print("targets met" if ok else "TARGETS MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
