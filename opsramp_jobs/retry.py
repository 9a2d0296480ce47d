"""How often and how long the client retries: bounded attempts, exponential backoff with jitter."""

from __future__ import annotations

import random
import time
from dataclasses import dataclass


@dataclass(frozen=True)
class RetryPolicy:
    """Bounds shared by API calls and token fetches."""

    max_attempts: int = 4
    max_retry_seconds: float = 60.0
    backoff_base: float = 0.5
    backoff_cap: float = 8.0

    def may_retry(self, attempt: int, started: float) -> bool:
        """Whether another attempt fits the bounds (attempts, and total time incl. the backoff)."""
        next_delay = min(self.backoff_cap, self.backoff_base * 2.0 ** (attempt - 1))
        elapsed = time.monotonic() - started
        return attempt < self.max_attempts and elapsed + next_delay <= self.max_retry_seconds

    def backoff(self, attempt: int, *, base: float | None = None) -> float:
        """Exponential backoff with jitter (50-100 % of the step) so threads do not move in step."""
        step = min(
            self.backoff_cap, (self.backoff_base if base is None else base) * 2.0 ** (attempt - 1)
        )
        return step * random.uniform(0.5, 1.0)

    def sleep(self, attempt: int) -> None:
        """Sleep the backoff of this attempt."""
        time.sleep(self.backoff(attempt))
