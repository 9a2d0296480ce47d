"""Fixed-window rate limits per tenant and request class, as OpsRamp documents them."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from enum import Enum

PARTNER_MULTIPLIER = 3


class RequestClass(Enum):
    """The three independently limited classes of /api/v2 requests."""

    WRITE = "write"
    PAGED_READ = "paged_read"
    READ = "read"


@dataclass(frozen=True)
class RateLimits:
    """Requests allowed per window for each class (before the partner multiplier)."""

    write: int = 50
    paged_read: int = 50
    read: int = 500
    window: float = 60.0

    def limit_for(self, request_class: RequestClass, is_partner: bool) -> int:
        """The limit for a class; partners get three times as many."""
        base = {
            RequestClass.WRITE: self.write,
            RequestClass.PAGED_READ: self.paged_read,
            RequestClass.READ: self.read,
        }[request_class]
        return base * (PARTNER_MULTIPLIER if is_partner else 1)


@dataclass(frozen=True)
class Decision:
    """The outcome of one check, with the values for the X-RateLimit-* headers."""

    allowed: bool
    limit: int
    remaining: int
    reset_epoch: int


class RateLimiter:
    """Counts requests per (tenant, class) in windows aligned to multiples of the window."""

    def __init__(self, limits: RateLimits | None) -> None:
        self.limits = limits
        self._counts: dict[tuple[str, RequestClass], tuple[float, int]] = {}

    def configure(self, limits: RateLimits | None) -> None:
        """Replace the limits (None turns limiting off) and forget the counters."""
        self.limits = limits
        self._counts.clear()

    def check(
        self, tenant_id: str, request_class: RequestClass, is_partner: bool, *, consume: bool
    ) -> Decision | None:
        """Count a request (when consume) and decide; None when limiting is off."""
        if self.limits is None:
            return None
        now = time.time()
        window = self.limits.window
        window_start = math.floor(now / window) * window
        limit = self.limits.limit_for(request_class, is_partner)
        key = (tenant_id, request_class)
        start, used = self._counts.get(key, (window_start, 0))
        if start != window_start:
            used = 0
        allowed = used < limit
        if consume and allowed:
            used += 1
        self._counts[key] = (window_start, used)
        return Decision(
            allowed=allowed,
            limit=limit,
            remaining=max(0, limit - used),
            reset_epoch=math.ceil(window_start + window),
        )
