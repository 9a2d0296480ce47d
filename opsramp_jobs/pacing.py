"""Client-side pacing: per tenant and rate class, spend OpsRamp's rate-limit window without a 429.

OpsRamp counts requests per tenant per minute in three classes and reports the window in
`X-RateLimit-Limit/Remaining/Reset` headers. Each (base URL, tenant, class) window keeps the
lowest `Remaining` the server reported for it and the requests in flight; a thread reserves a
slot only while `Remaining - in flight` is positive, so several threads never overrun the last
slots, and waits for the window's reset otherwise. Windows are independent: each has its own lock,
and a thread waiting for one holds no lock at all.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
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
    """What is known of one (base URL, tenant, class) window; `condition` guards the rest."""

    condition: threading.Condition = field(default_factory=threading.Condition)
    limit: int | None = None
    # The lowest Remaining the server reported for this window (or the limit, assumed when a
    # window starts); None = unknown (send freely). Requests in flight are not yet in it, or
    # some are: which ones the server has counted is unknown until their answers come back.
    remaining: int | None = None
    reset_at: float | None = None  # server epoch seconds; None = unknown
    in_flight: int = 0
    generation: int = 0  # counts windows, so a late release never touches the next one

    def free_slots(self) -> int | None:
        """Slots certainly left (in-flight requests taken as not yet counted); None = unknown."""
        if self.remaining is None:
            return None
        return self.remaining - self.in_flight


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
    """One reserved slot: record() the answer, or cancel() an unsent request.

    Leaving the block without either counts the request as seen by the server (it may have been).
    """

    def __init__(self, limiter: RateLimiter, window: _Window, waited: float) -> None:
        self._limiter = limiter
        self._window = window
        self._generation = window.generation
        self._done = False
        self.waited = waited
        # After a recorded 429: True when the limiter knows the reset time and will wait for it.
        self.reset_known = False

    def record(self, headers: Mapping[str, str], *, throttled: bool, counted: bool = True) -> None:
        """Feed an answer's rate-limit headers back; counted=False for one refused uncounted."""
        if not self._done:
            self._done = True
            self.reset_known = self._limiter._complete(
                self._window, self._generation, headers, throttled=throttled, counted=counted
            )

    def cancel(self) -> None:
        """Give the slot back: the request was never sent (or the server did not count it)."""
        self.record({}, throttled=False, counted=False)

    def __enter__(self) -> Reservation:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.record({}, throttled=False)


class RateLimiter:
    """Pacing state for every (base URL, tenant, class); thread-safe, shareable across clients."""

    def __init__(self, *, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._windows_lock = threading.Lock()  # held only to find or add a window
        self._windows: dict[tuple[str, str, RateClass], _Window] = {}
        # How far our clock runs ahead of the server's, learnt from 429s that name a past reset.
        self._clock_lead = 0.0

    def reserve(
        self, base_url: str, tenant_id: str, rate_class: RateClass, *, max_wait: float
    ) -> Reservation:
        """Take a slot, waiting for the window to reset if needed (at most max_wait seconds)."""
        key = (base_url, tenant_id, rate_class)
        with self._windows_lock:
            window = self._windows.setdefault(key, _Window())
        with window.condition:
            started = self._clock()
            while True:
                now = self._clock()
                self._roll_over(window, now)
                free = window.free_slots()
                # With no reset time and nothing in flight, no figure is coming: send (after a
                # 429 without headers the caller backs off between attempts).
                if free is None or free > 0 or (window.reset_at is None and not window.in_flight):
                    window.in_flight += 1
                    return Reservation(self, window, waited=now - started)
                deadline = started + max_wait
                if window.in_flight and (window.reset_at is None or (window.remaining or 0) > 0):
                    # Answers in flight bring the figure a slot may still be left in: the server
                    # may have counted them already, or this is a new window not yet reported.
                    if now >= deadline:
                        raise self._used_up(tenant_id, rate_class, None, max_wait)
                    wake_at = deadline
                    if window.reset_at is not None:
                        wake_at = min(wake_at, self._wake_time(window))
                else:
                    assert window.reset_at is not None  # else taken above: nothing in flight
                    wake_at = self._wake_time(window)
                    if wake_at > deadline:
                        raise self._used_up(tenant_id, rate_class, wake_at - now, max_wait)
                # Releases the window's lock while waiting; an answer that frees a slot wakes us.
                window.condition.wait(timeout=max(0.01, wake_at - now))

    @staticmethod
    def _used_up(
        tenant_id: str, rate_class: RateClass, seconds: float | None, max_wait: float
    ) -> OpsRampRateLimitError:
        until = "" if seconds is None else f" until {seconds:.1f} s from now,"
        return OpsRampRateLimitError(
            f"OpsRamp {rate_class.value} rate limit for tenant {tenant_id} is used up{until} "
            f"beyond the allowed wait of {max_wait:.1f} s; retry later or raise max_throttle_wait",
            status=429,
        )

    def _wake_time(self, window: _Window) -> float:
        """When the window's known reset has surely passed at the server."""
        assert window.reset_at is not None
        return window.reset_at + self._clock_lead + RESET_MARGIN_SECONDS

    def _roll_over(self, window: _Window, now: float) -> None:
        """Assume a fresh window once the known reset time has passed."""
        if window.reset_at is None:
            return
        if now >= window.reset_at + self._clock_lead + RESET_MARGIN_SECONDS:
            window.remaining = window.limit
            window.reset_at = None
            window.generation += 1

    def _complete(
        self,
        window: _Window,
        generation: int,
        headers: Mapping[str, str],
        *,
        throttled: bool,
        counted: bool,
    ) -> bool:
        """Release a slot and learn from the headers; for a 429, True when the reset is known."""
        limit = _header_number(headers, "X-RateLimit-Limit")
        remaining = _header_number(headers, "X-RateLimit-Remaining")
        reset = _header_number(headers, "X-RateLimit-Reset")
        with window.condition:
            window.in_flight = max(0, window.in_flight - 1)
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
                if reset + self._clock_lead + RESET_MARGIN_SECONDS <= now:
                    pass  # a late answer from a window that has already ended
                elif window.reset_at is not None and reset > window.reset_at + 0.5:
                    window.reset_at = reset  # first answer from the next window
                    window.remaining = int(remaining)
                    window.generation += 1
                elif window.reset_at is not None and reset < window.reset_at - 0.5:
                    pass  # an answer from the previous window
                else:
                    # This window (or its first figure): the server's count only grows, so its
                    # lowest Remaining is the latest. Requests still in flight are subtracted when
                    # slots are counted (free_slots), never here: the server may already have
                    # counted some of them, and subtracting those twice left slots unused.
                    window.reset_at = reset
                    known = window.remaining
                    window.remaining = (
                        int(remaining) if known is None else min(int(remaining), known)
                    )
            elif counted and window.remaining is not None and generation == window.generation:
                # No figure came back (no headers, or no answer at all) for a request the server
                # may have counted: take it off, to stay on the safe side.
                window.remaining = max(0, window.remaining - 1)
            window.condition.notify_all()
            return reset_known


default_rate_limiter = RateLimiter()
"""The process-wide limiter: every client of a process shares each tenant's window."""
