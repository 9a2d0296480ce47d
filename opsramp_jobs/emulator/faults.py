"""Injected faults: canned errors, latency and dropped connections for chosen requests."""

from __future__ import annotations

import math
import re
import uuid
from dataclasses import dataclass
from typing import Any

ACTIONS = ("status", "latency", "drop", "drop_after_commit", "answer_after_commit")
MAX_LATENCY_SECONDS = 3600.0


class FaultSpecError(ValueError):
    """A fault specification that cannot be used."""


@dataclass
class Fault:
    """One armed fault and how many more requests it will hit."""

    fault_id: str
    method: str
    path: re.Pattern[str]
    remaining: int
    action: str
    status: int
    body: Any
    seconds: float
    content_type: str = "application/json"

    def to_json(self) -> dict[str, Any]:
        """The fault as the admin API lists it."""
        return {
            "id": self.fault_id,
            "method": self.method,
            "path": self.path.pattern,
            "count": self.remaining,
            "action": self.action,
            "status": self.status,
            "body": self.body,
            "seconds": self.seconds,
            "content_type": self.content_type,
        }


def default_fault_body(status: int) -> dict[str, str]:
    """An OpsRamp-looking body for an injected status."""
    if status == 429:
        return {"error": "throttled", "error_description": "Too Many Requests"}
    if status == 401:
        return {"error": "invalid_token", "error_description": "Invalid access token"}
    return {"code": str(status), "message": f"Injected fault: HTTP {status}"}


class FaultRegistry:
    """Faults in the order they were added; the first match wins and is consumed."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []

    def add(self, spec: Any) -> Fault:
        """Parse and arm a fault from its JSON spec."""
        if not isinstance(spec, dict):
            raise FaultSpecError("fault spec must be a JSON object")
        fields = {"method", "path", "count", "action", "status", "body", "seconds", "content_type"}
        unknown = set(spec) - fields
        if unknown:
            raise FaultSpecError(f"unknown fault fields: {sorted(unknown)}")
        action = spec.get("action", "status")
        if action not in ACTIONS:
            raise FaultSpecError(f"action must be one of {ACTIONS}")
        method = spec.get("method", "*")
        path = spec.get("path", ".*")
        count = spec.get("count", 1)
        # A canned answer after acting is usually a success; a canned answer instead of acting
        # is usually a failure.
        status = spec.get("status", 200 if action == "answer_after_commit" else 503)
        seconds = spec.get("seconds", 0.0)
        if not isinstance(method, str) or not isinstance(path, str):
            raise FaultSpecError("method and path must be strings")
        if not isinstance(count, int) or isinstance(count, bool) or count < 1:
            raise FaultSpecError("count must be a positive integer")
        if isinstance(status, bool) or not isinstance(status, int) or not 100 <= status <= 599:
            raise FaultSpecError("status must be an HTTP status code")
        if (
            isinstance(seconds, bool)
            or not isinstance(seconds, int | float)
            or not 0 <= seconds <= MAX_LATENCY_SECONDS  # before isfinite: 10**400 overflows it
            or not math.isfinite(seconds)
        ):
            # asyncio.sleep overflows on huge values; an hour is more than any test waits.
            raise FaultSpecError(f"seconds must be a number from 0 to {MAX_LATENCY_SECONDS:g}")
        content_type = spec.get("content_type", "application/json")
        if not isinstance(content_type, str) or not re.fullmatch(
            r"[\w.+-]+/[\w.+-]+", content_type
        ):
            raise FaultSpecError("content_type must be a media type such as text/html")
        body = spec.get("body", default_fault_body(status))
        if content_type != "application/json" and not isinstance(body, str):
            raise FaultSpecError("a body sent as another content_type than JSON must be a string")
        try:
            pattern = re.compile(path)
        except re.error as exc:
            raise FaultSpecError(f"bad path regex: {exc}") from exc
        fault = Fault(
            fault_id=uuid.uuid4().hex[:12],
            method=method.upper(),
            path=pattern,
            remaining=count,
            action=action,
            status=status,
            body=body,
            seconds=float(seconds),
            content_type=content_type,
        )
        self._faults.append(fault)
        return fault

    def take(self, method: str, path: str) -> Fault | None:
        """The first fault matching this request, consuming one of its count."""
        for fault in self._faults:
            if fault.method in ("*", method.upper()) and fault.path.fullmatch(path):
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self._faults.remove(fault)
                return fault
        return None

    def list(self) -> list[dict[str, Any]]:
        """Armed faults with their remaining counts."""
        return [fault.to_json() for fault in self._faults]

    def clear(self) -> None:
        """Disarm every fault."""
        self._faults.clear()
