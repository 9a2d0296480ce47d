"""Pacing: a burst of writes under a (scaled) limit never surfaces a 429 and uses the window."""

from __future__ import annotations

import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from opsramp_jobs.errors import OpsRampRateLimitError
from opsramp_jobs.pacing import RateClass, RateLimiter
from tests.client.conftest import ClientFactory, job_body
from tests.support.emulator import CLIENT13_TENANT, EmulatorProcess

WRITE_LIMIT = 20
WINDOW_SECONDS = 2


def test_a_burst_of_creates_from_4_threads_meets_no_429(
    make_client: ClientFactory, emulator: EmulatorProcess
) -> None:
    """60 creates under 20 writes per 2 s window: no 429 reaches the caller, few reach the
    server, and every window between the first and the last is filled to the limit."""
    emulator.configure(
        rate_limits={"write": WRITE_LIMIT, "paged_read": 200, "read": 500, "window": WINDOW_SECONDS}
    )
    emulator.reset_stats()
    client = make_client(max_throttle_wait=30.0)
    answered: list[float] = []  # when each create's answer arrived (the emulator's clock is ours)

    def create(n: int) -> dict[str, Any]:
        job = client.create_job(job_body(f"burst {n}"))
        answered.append(time.time())
        return job

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=4) as pool:
        created = list(pool.map(create, range(60)))
    elapsed = time.monotonic() - started
    stats = emulator.stats()
    assert len({job["id"] for job in created}) == 60  # no error surfaced, no duplicate
    assert len(emulator.jobs()) == 60
    assert stats["throttled"] <= 2  # pacing, not 429s, keeps the client under the limit
    # The emulator counts writes in windows aligned to multiples of WINDOW_SECONDS. Pacing fills
    # a window before it waits for the next one, so only the first (entered part-way) and the
    # last (the remainder) may hold fewer than the limit: 3 windows, or 4 after a late start.
    first = min(answered) // WINDOW_SECONDS
    per_window = Counter(int(at // WINDOW_SECONDS - first) for at in answered)
    counts = [per_window[index] for index in range(max(per_window) + 1)]
    rate = f"{60 / elapsed:.1f}/s against {WRITE_LIMIT / WINDOW_SECONDS:.1f}/s"
    assert len(counts) <= 60 // WRITE_LIMIT + 1, f"creates per window {counts}, {rate}"
    # Less one: an answer can arrive just after the boundary of the window that counted it.
    assert min(counts[1:-1], default=WRITE_LIMIT) >= WRITE_LIMIT - 1, (
        f"creates per window {counts}, {rate}: pacing left slots unused"
    )


def test_an_exhausted_window_beyond_the_allowed_wait_is_refused(
    make_client: ClientFactory, emulator: EmulatorProcess
) -> None:
    emulator.configure(rate_limits={"write": 3, "paged_read": 100, "window": 30})
    client = make_client(max_throttle_wait=0.5)
    for index in range(3):
        client.create_job(job_body(f"window {index}"))
    started = time.monotonic()
    # client_13's writes are used up for up to 30 s: refuse at once rather than wait that long.
    with pytest.raises(OpsRampRateLimitError, match="client_13"):
        client.create_job(job_body("over the limit"))
    assert time.monotonic() - started < 1.0
    assert emulator.stats()["throttled"] == 0


def test_quoted_headers_and_a_reset_in_the_past() -> None:
    limiter = RateLimiter()
    now = time.time()
    with limiter.reserve("u", CLIENT13_TENANT, RateClass.WRITE, max_wait=1) as slot:
        quoted = {
            "X-RateLimit-Limit": '"5"',
            "X-RateLimit-Remaining": '"0"',
            "X-RateLimit-Reset": f'"{int(now) + 10}"',
        }
        slot.record(quoted, throttled=False)
    # Used up for ~10 s: a reservation with a 1 s budget is refused, not slept on.
    with pytest.raises(OpsRampRateLimitError, match="rate limit"):
        limiter.reserve("u", CLIENT13_TENANT, RateClass.WRITE, max_wait=1)

    # A 429 naming a reset already past (our clock runs ahead of the server's): the limiter
    # learns the lead and waits briefly instead of spinning or sleeping for long.
    limiter = RateLimiter()
    with limiter.reserve("u", CLIENT13_TENANT, RateClass.WRITE, max_wait=1) as slot:
        past = {"X-RateLimit-Limit": "5", "X-RateLimit-Remaining": "0"}
        slot.record({**past, "X-RateLimit-Reset": str(int(now) - 5)}, throttled=True)
    assert slot.reset_known
    with limiter.reserve("u", CLIENT13_TENANT, RateClass.WRITE, max_wait=5) as slot:
        assert 0.1 <= slot.waited <= 1.0


def test_requests_in_flight_are_not_counted_twice() -> None:
    """The server's Remaining already counts requests it has seen; local reservations do too."""
    now = [1000.0]
    limiter = RateLimiter(clock=lambda: now[0])
    key = ("https://x", "client_13", RateClass.WRITE)
    first = limiter.reserve(*key, max_wait=0)
    first.record({"X-RateLimit-Limit": "10", "X-RateLimit-Remaining": "9",
                  "X-RateLimit-Reset": "1060"}, throttled=False)  # fmt: skip
    in_flight = [limiter.reserve(*key, max_wait=0) for _ in range(4)]  # 8 left locally
    # The server has seen all four: its figure, 5, is exact; so is ours after the four complete.
    headers = {"X-RateLimit-Limit": "10", "X-RateLimit-Remaining": "5", "X-RateLimit-Reset": "1060"}
    for reservation in in_flight:
        reservation.record(headers, throttled=False)
    sent = 0
    while True:
        try:
            limiter.reserve(*key, max_wait=0)
        except OpsRampRateLimitError:
            break
        sent += 1
    assert sent == 5  # every slot the server has left, and not one more
