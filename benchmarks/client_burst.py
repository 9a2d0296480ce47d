"""A burst of creates from 4 threads through OpsRampClient against a rate-limited emulator.

OpsRamp allows 50 writes per minute per client tenant; the emulator's window is scaled down
(default 50 per 6 s) so 200 creates take seconds, not four minutes. Run:
    python benchmarks/client_burst.py [--creates 200] [--limit 50] [--window 6]
"""

from __future__ import annotations

import argparse
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from opsramp_jobs.client import OpsRampClient
from opsramp_jobs.errors import OpsRampError
from tests.client.conftest import job_body
from tests.support.emulator import (
    CLIENT13_KEY,
    CLIENT13_SECRET,
    CLIENT13_TENANT,
    EmulatorProcess,
)


def main() -> None:
    """Run the burst and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--creates", type=int, default=200)
    parser.add_argument("--limit", type=int, default=50, help="writes per window")
    parser.add_argument("--window", type=float, default=6.0, help="window length, seconds")
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    limits = ["--write-limit", str(args.limit), "--paged-read-limit", str(args.limit * 4)]
    with EmulatorProcess(*limits, "--rate-window", str(args.window)) as emulator:
        client = OpsRampClient(
            emulator.url, CLIENT13_KEY, CLIENT13_SECRET, CLIENT13_TENANT, max_throttle_wait=60
        )
        surfaced_429 = 0
        failures = 0

        def create(index: int) -> None:
            nonlocal surfaced_429, failures
            try:
                client.create_job(job_body(f"burst {index}"))
            except OpsRampError as exc:
                failures += 1
                surfaced_429 += exc.status == 429

        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=args.threads) as pool:
            list(pool.map(create, range(args.creates)))
        wall = time.monotonic() - started
        stats = emulator.stats()
        jobs = len(emulator.jobs())
        client.close()
    rate = args.creates / wall
    allowed = args.limit / args.window
    # Windows are aligned to the clock, so the first one is partial; also report per full window.
    windows_needed = -(-args.creates // args.limit)
    print(f"creates              {args.creates} from {args.threads} threads ({jobs} jobs stored)")
    print(f"limit                {args.limit} writes / {args.window:g} s window")
    print(f"tokens fetched       {client.tokens_fetched}")
    print(f"requests sent        {client.requests_sent}")
    print(f"429s at the server   {stats['throttled']}")
    print(f"429s surfaced        {surfaced_429} (other errors: {failures - surfaced_429})")
    print(f"wall time            {wall:.2f} s")
    print(f"achieved rate        {rate:.2f}/s vs allowed {allowed:.2f}/s = {rate / allowed:.0%}")
    fastest = (windows_needed - 1) * args.window
    print(f"fastest possible     {fastest:.1f}-{fastest + args.window:.1f} s (window alignment)")


if __name__ == "__main__":
    main()
