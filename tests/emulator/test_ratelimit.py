"""Fixed-window rate limits per tenant and class, with X-RateLimit-* headers."""

from __future__ import annotations

import time

import requests

from tests.emulator.conftest import daily_job
from tests.support.emulator import EmulatorProcess

THROTTLED = {"error": "throttled", "error_description": "Too Many Requests"}


def wait_for_fresh_window(window: float) -> None:
    """Sleep until just after a window boundary so a burst fits inside one window."""
    time.sleep(window - (time.time() % window) + 0.02)


def test_write_limit_headers_and_429(emulator: EmulatorProcess, api: requests.Session) -> None:
    """The fourth write in a window of three is refused and not acted on."""
    emulator.configure(rate_limits={"write": 3, "paged_read": 2, "read": 5, "window": 2})
    wait_for_fresh_window(2)
    for remaining in (2, 1, 0):
        response = api.post(emulator.jobs_url(), json=daily_job())
        assert response.status_code == 200
        assert response.headers["X-RateLimit-Limit"] == "3"
        assert response.headers["X-RateLimit-Remaining"] == str(remaining)
    reset = int(response.headers["X-RateLimit-Reset"])
    assert time.time() < reset <= time.time() + 2.1
    throttled = api.post(emulator.jobs_url(), json=daily_job())
    assert (throttled.status_code, throttled.json()) == (429, THROTTLED)
    assert throttled.headers["X-RateLimit-Remaining"] == "0"
    assert throttled.headers["X-RateLimit-Reset"] == str(reset)
    assert len(emulator.jobs()) == 3
    assert emulator.stats()["throttled"] == 1
    # Other classes and other tenants have their own budgets.
    assert api.get(f"{emulator.jobs_url()}/types").headers["X-RateLimit-Limit"] == "5"
    assert api.get(f"{emulator.jobs_url()}/search").headers["X-RateLimit-Limit"] == "2"
    assert api.post(emulator.jobs_url("client_93"), json=daily_job(entities=[])).status_code == 200
    # The next window starts afresh.
    time.sleep(max(0.0, reset - time.time()) + 0.05)
    assert api.post(emulator.jobs_url(), json=daily_job()).status_code == 200


def test_partner_tenants_get_three_times_the_limit(
    emulator: EmulatorProcess, api: requests.Session
) -> None:
    """msp_12's paged-read limit is three times the configured one."""
    emulator.configure(rate_limits={"write": 3, "paged_read": 2, "read": 5, "window": 2})
    wait_for_fresh_window(2)
    url = f"{emulator.jobs_url('msp_12')}/search"
    statuses = [api.get(url).status_code for _ in range(7)]
    assert statuses == [200] * 6 + [429]
    assert api.get(url).headers["X-RateLimit-Limit"] == "6"


def test_token_endpoint_is_not_limited(emulator: EmulatorProcess) -> None:
    """Tokens can always be fetched."""
    emulator.configure(rate_limits={"write": 1, "paged_read": 1, "read": 1, "window": 60})
    for _ in range(5):
        emulator.token()


def test_no_rate_limit_omits_headers(emulator: EmulatorProcess, api: requests.Session) -> None:
    """With limits off (the session default) there are no X-RateLimit headers."""
    assert emulator.config()["rate_limits"] is None
    response = api.get(f"{emulator.jobs_url()}/types")
    assert "X-RateLimit-Limit" not in response.headers


def test_cli_limits(tmp_path: object) -> None:
    """The CLI flags set the start-up limits, which reset restores."""
    with EmulatorProcess(
        "--write-limit", "7", "--read-limit", "9", "--rate-window", "30"
    ) as process:
        expected = {"write": 7, "paged_read": 50, "read": 9, "window": 30.0}
        assert process.config()["rate_limits"] == expected
        process.configure(rate_limits=None)
        process.reset()
        assert process.config()["rate_limits"] == expected
        with process.api_session() as session:
            response = session.get(f"{process.jobs_url()}/types")
        assert response.headers["X-RateLimit-Limit"] == "9"
