"""Tokens and pacing together: a token is fetched after the wait; a refused one costs no slot.

Real HTTP against the emulator with short token lifetimes and scaled-down windows.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from opsramp_jobs.errors import OpsRampAuthError, OpsRampRateLimitError
from opsramp_jobs.pacing import RateClass, RateLimiter
from tests.client.conftest import JOBS_PATH, ClientFactory, job_body
from tests.support.emulator import (
    CLIENT13_TENANT,
    CLIENT93_KEY,
    CLIENT93_SECRET,
    CLIENT93_TENANT,
    DEVICE_LNX_APP_01,
    EmulatorProcess,
)


def start_of_a_window(window: float, needed: float) -> None:
    """Sleep until at least `needed` seconds of the current clock-aligned window are left."""
    left = window - time.time() % window
    if left < needed:
        time.sleep(left + 0.05)


def limits(write: int, window: float) -> dict[str, float]:
    return {"write": write, "paged_read": 500, "read": 500, "window": window}


def test_a_token_shorter_than_the_wait_for_the_window_does_not_fail_a_call(
    make_client: ClientFactory, emulator: EmulatorProcess
) -> None:
    # Tokens live 1 s; each window lets 3 writes through every 2 s, so most creates wait for a
    # window longer than a token lives. A token fetched before that wait (as before) reached the
    # server expired, was refused, and a call that met that three times failed.
    emulator.configure(token_ttl=1, rate_limits=limits(3, 2))
    client = make_client(max_throttle_wait=30.0)
    with ThreadPoolExecutor(max_workers=4) as pool:
        created = list(pool.map(lambda n: client.create_job(job_body(f"w{n}")), range(9)))
    assert len({job["id"] for job in created}) == 9
    # No token was refused: every request is a create, a token fetch, or a create sent again
    # after a 429 (4 threads may overrun the first window, before the server's first figure).
    throttled = emulator.stats()["throttled"]
    assert throttled <= 1
    assert client.requests_sent == 9 + client.tokens_fetched + throttled


def test_a_refused_token_does_not_use_a_slot_of_the_window(
    make_client: ClientFactory, emulator: EmulatorProcess
) -> None:
    emulator.configure(rate_limits=limits(4, 10))
    start_of_a_window(10, needed=3)
    client = make_client(max_throttle_wait=0.5)
    client.create_job(job_body("first"))  # learns the window: 3 left
    emulator.expire_tokens()  # the next create is refused once (401), renews, and is resent
    for index in range(3):
        client.create_job(job_body(f"after renewal {index}"))
    assert len(emulator.jobs()) == 4
    with pytest.raises(OpsRampRateLimitError):
        client.create_job(job_body("one too many"))
    assert emulator.stats()["throttled"] == 0


def test_tokens_the_api_keeps_refusing_are_reported_as_such(
    make_client: ClientFactory, emulator: EmulatorProcess
) -> None:
    client = make_client()
    emulator.add_fault(method="POST", path=JOBS_PATH, status=401, count=3)
    with pytest.raises(OpsRampAuthError) as caught:
        client.create_job(job_body("revoked"))
    message = caught.value.message
    assert "refused 3 tokens in a row" in message
    assert "integration is active" in message
    assert caught.value.status == 401
    assert emulator.jobs() == []


def test_every_slot_of_the_first_window_is_used(
    make_client: ClientFactory, emulator: EmulatorProcess
) -> None:
    # 4 threads start with no figure from the server; the first answers arrive while the
    # others are in flight, already counted by the server. Taking those off the server's
    # Remaining again left slots unused (then the last creates waited for the next window).
    emulator.configure(rate_limits=limits(12, 10))
    start_of_a_window(10, needed=3)
    client = make_client(max_throttle_wait=1.0)
    with ThreadPoolExecutor(max_workers=4) as pool:
        created = list(pool.map(lambda n: client.create_job(job_body(f"f{n}")), range(12)))
    assert len(created) == 12
    assert emulator.stats()["throttled"] == 0


def test_in_flight_requests_the_server_counted_are_not_taken_off_twice() -> None:
    """The same, deterministic: the last-counted request answers first."""
    now = [1000.0]
    limiter = RateLimiter(clock=lambda: now[0])
    key = ("https://x", CLIENT13_TENANT, RateClass.WRITE)
    in_flight = [limiter.reserve(*key, max_wait=0) for _ in range(4)]  # nothing known yet
    # The server counted all four (Remaining 9, 8, 7, 6); the answers arrive in reverse.
    for reservation, remaining in zip(in_flight, (6, 7, 8, 9), strict=True):
        reservation.record(
            {"X-RateLimit-Limit": "10", "X-RateLimit-Remaining": str(remaining),
             "X-RateLimit-Reset": "1060"},
            throttled=False,
        )  # fmt: skip
    sent = 0
    while True:
        try:
            limiter.reserve(*key, max_wait=0)
        except OpsRampRateLimitError:
            break
        sent += 1
    assert sent == 6  # every slot the server has left, and not one more


def test_a_tenant_waiting_for_its_window_does_not_stall_another(
    make_client: ClientFactory, emulator: EmulatorProcess
) -> None:
    emulator.configure(rate_limits=limits(2, 4))
    start_of_a_window(4, needed=3)
    busy = make_client(max_throttle_wait=30.0)
    other = make_client(client_id=CLIENT93_KEY, client_secret=CLIENT93_SECRET, tenant_id=None)
    for index in range(2):
        busy.create_job(job_body(f"used up {index}"))
    waiting = [
        threading.Thread(target=busy.create_job, args=(job_body(f"waits {n}"),)) for n in range(3)
    ]
    for thread in waiting:
        thread.start()
    time.sleep(0.2)  # all three now wait for client_13's next window
    started = time.monotonic()
    for index in range(2):
        body = job_body(f"other {index}", entities=[{"resource": {"id": DEVICE_LNX_APP_01}}])
        other.create_job(body, tenant_id=CLIENT93_TENANT)
    other_took = time.monotonic() - started
    for thread in waiting:
        thread.join()
    assert other_took < 1.0  # not after client_13's window, which was seconds away
    assert len(emulator.jobs()) == 7
    assert emulator.stats()["throttled"] == 0


def test_a_slot_the_answers_in_flight_may_free_is_waited_for_not_refused() -> None:
    limiter = RateLimiter()
    key = ("https://x", CLIENT13_TENANT, RateClass.WRITE)
    reset = str(int(time.time()) + 60)  # far beyond the allowed wait

    def answer(remaining: int) -> dict[str, str]:
        return {"X-RateLimit-Limit": "8", "X-RateLimit-Remaining": str(remaining),
                "X-RateLimit-Reset": reset}  # fmt: skip

    first = [limiter.reserve(*key, max_wait=0) for _ in range(4)]  # nothing known yet
    first[3].record(answer(4), throttled=False)  # the server counted all four: 4 left
    fifth = limiter.reserve(*key, max_wait=0)  # 4 left, 3 in flight: one certainly free
    # Now 4 in flight against 4 left: whether a slot remains depends on the answers.

    def late_answers() -> None:
        for reservation in first[:3]:
            reservation.record(answer(4), throttled=False)

    late = threading.Timer(0.3, late_answers)
    late.start()
    started = time.monotonic()
    sixth = limiter.reserve(*key, max_wait=5)
    assert 0.2 < time.monotonic() - started < 2.0
    late.join()
    for reservation in (fifth, sixth):
        reservation.record(answer(2), throttled=False)
    limiter.reserve(*key, max_wait=0)
    limiter.reserve(*key, max_wait=0)
    with pytest.raises(OpsRampRateLimitError):
        limiter.reserve(*key, max_wait=0)
