"""Client-side pacing: per tenant and rate class, spend OpsRamp's rate-limit window without a 429.

OpsRamp counts requests per tenant per minute in three classes and reports the window in
`X-RateLimit-Limit/Remaining/Reset` headers. The limiter keeps a conservative local estimate of
the slots left and *reserves* one before each request, so several threads never overrun the last
slots; when none are left it waits until the window resets.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import TracebackType

from opsramp_jobs.errors import OpsRampRateLimitError

# After a reset time passes, wait this much more so the server has surely started the new window.
RESET_MARGIN_SECONDS = 0.05
# Never trust a local clock lead (learnt from 429s) beyond this: it bounds every wait.
MAX_CLOCK_LEAD_SECONDS = 30.0
# Shortest wait after a 429 whose reset time is already past by our clock.
MIN_THROTTLE_WAIT_SECONDS = 0.2


class RateClass(StrEnum):
    """OpsRamp's independently limited request classes."""

    WRITE = "write"  # POST, PUT, DELETE
    PAGED_READ = "paged_read"  # search
    READ = "read"  # every other GET


@dataclass
class _Window:
    """What is known of one (base URL, tenant, class) window."""

    limit: int | None = None
    remaining: int | None = None  # local, conservative estimate; None = unknown (send freely)
    reset_at: float | None = None  # our clock's epoch seconds; None = unknown
    in_flight: int = 0


def _header_number(headers: Mapping[str, str], name: str) -> float | None:
    """A numeric header value, tolerating quotes and whitespace ('"49"'); None when absent/bad."""
    raw = headers.get(name)
    if raw is None:
        return None
    try:
        return float(raw.strip().strip("\"'"))
    except ValueError:
        return None


class Reservation:
    """One reserved slot; record() the response, or leaving the block releases it unrecorded."""

    def __init__(self, limiter: RateLimiter, key: tuple[str, str, RateClass], waited: float):
        self._limiter = limiter
        self._key = key
        self._done = False
        self.waited = waited
        # After a recorded 429: True when the limiter knows the reset time and will wait for it.
        self.reset_known = False

    def record(self, headers: Mapping[str, str], *, throttled: bool) -> None:
        """Feed the response's rate-limit headers back into the window."""
        if not self._done:
            self._done = True
            self.reset_known = self._limiter._complete(self._key, headers, throttled=throttled)

    def __enter__(self) -> Reservation:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if not self._done:
            self._done = True
            self._limiter._complete(self._key, {}, throttled=False)


class RateLimiter:
    """Pacing state for every (base URL, tenant, class); thread-safe, shareable across clients."""

    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._clock = clock
        self._condition = threading.Condition()
        self._windows: dict[tuple[str, str, RateClass], _Window] = {}
        # How far our clock runs ahead of the server's, learnt from 429s that name a past reset.
        self._clock_lead = 0.0

    def reserve(
        self, base_url: str, tenant_id: str, rate_class: RateClass, *, max_wait: float
    ) -> Reservation:
        """Take a slot, waiting for the window to reset if needed (at most max_wait seconds)."""
        key = (base_url, tenant_id, rate_class)
        with self._condition:
            started = self._clock()
            while True:
                window = self._windows.setdefault(key, _Window())
                now = self._clock()
                self._roll_over(window, now)
                if window.remaining is None or window.remaining > 0 or window.reset_at is None:
                    if window.remaining is not None:
                        window.remaining = max(0, window.remaining - 1)
                    window.in_flight += 1
                    return Reservation(self, key, waited=now - started)
                wake_at = window.reset_at + self._clock_lead + RESET_MARGIN_SECONDS
                if wake_at - started > max_wait:
                    raise OpsRampRateLimitError(
                        f"OpsRamp {rate_class.value} rate limit for tenant {tenant_id} is used up "
                        f"until {wake_at - now:.1f} s from now, beyond the allowed wait of "
                        f"{max_wait:.1f} s; retry later or raise max_throttle_wait",
                        status=429,
                    )
                self._condition.wait(timeout=max(0.01, wake_at - now))

    def _roll_over(self, window: _Window, now: float) -> None:
        """Assume a fresh window once the known reset time has passed."""
        if window.reset_at is None:
            return
        if now >= window.reset_at + self._clock_lead + RESET_MARGIN_SECONDS:
            window.remaining = window.limit
            window.reset_at = None

    def _complete(
        self, key: tuple[str, str, RateClass], headers: Mapping[str, str], *, throttled: bool
    ) -> bool:
        """Release a slot and learn from the headers; for a 429, True when the reset is known."""
        with self._condition:
            window = self._windows[key]
            window.in_flight = max(0, window.in_flight - 1)
            limit = _header_number(headers, "X-RateLimit-Limit")
            remaining = _header_number(headers, "X-RateLimit-Remaining")
            reset = _header_number(headers, "X-RateLimit-Reset")
            now = self._clock()
            if limit is not None:
                window.limit = int(limit)
            reset_known = False
            if throttled:
                window.remaining = 0
                if reset is not None:
                    if reset + self._clock_lead <= now:
                        # The server still throttles after its reset time by our clock: our clock
                        # runs ahead. Learn by how much (bounded) so later waits are long enough.
                        lead = now - reset + MIN_THROTTLE_WAIT_SECONDS
                        self._clock_lead = min(MAX_CLOCK_LEAD_SECONDS, max(self._clock_lead, lead))
                    window.reset_at = reset
                    reset_known = True
                else:
                    window.reset_at = None
            elif remaining is not None and reset is not None:
                # Requests still in flight may not be counted in this figure yet: subtract them.
                estimate = max(0, int(remaining) - window.in_flight)
                if reset + self._clock_lead + RESET_MARGIN_SECONDS <= now:
                    pass  # a late answer from a window that has already ended
                elif window.reset_at is not None and reset > window.reset_at + 0.5:
                    window.reset_at = reset  # first answer from the next window
                    window.remaining = estimate
                elif window.reset_at is None or abs(reset - window.reset_at) <= 0.5:
                    window.reset_at = reset
                    known = window.remaining
                    # Local reservations are exact for this process (in-flight ones included:
                    # each was taken off at reserve); the server's figure also covers other
                    # processes. Trust whichever is lower. Taking the in-flight ones off the
                    # server's figure too counted those it had already seen twice, and left a
                    # slot or two of every window unused.
                    window.remaining = estimate if known is None else min(int(remaining), known)
            self._condition.notify_all()
            return reset_known


default_rate_limiter = RateLimiter()
"""The process-wide limiter: every client of a process shares each tenant's window."""
