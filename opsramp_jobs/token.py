"""OpsRamp access tokens: fetched once per process and API key, cached, renewed before expiry."""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass, field

import requests

from opsramp_jobs.errors import (
    OpsRampApiError,
    OpsRampCredentialsError,
    error_text,
)
from opsramp_jobs.exchange import HttpExchange, json_body
from opsramp_jobs.retry import RetryPolicy

# OpsRamp quirk: the token path is /tenancy/auth/oauth/token in the current documents and
# /auth/oauth/token in the auth spec (older); try the current one first, remember what answers.
TOKEN_PATHS = ("/tenancy/auth/oauth/token", "/auth/oauth/token")
DEFAULT_TOKEN_TTL_SECONDS = 600.0  # used only when a token answer has no usable expires_in


@dataclass(frozen=True)
class Token:
    """An access token and when (monotonic seconds) it was fetched and is to be renewed."""

    value: str
    fetched_at: float
    renew_at: float

    def __repr__(self) -> str:
        return f"Token(fetched_at={self.fetched_at:.1f}, renew_at={self.renew_at:.1f})"


@dataclass
class _TokenSlot:
    """The cached token of one (base URL, API key, secret); its lock serialises fetches."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    current: Token | None = None
    path_index: int = 0  # which of TOKEN_PATHS this server answers


_token_slots: dict[tuple[str, str, str], _TokenSlot] = {}
_token_slots_lock = threading.Lock()


def _token_slot(base_url: str, client_id: str, client_secret: str) -> _TokenSlot:
    """The process-wide slot for these credentials (the secret is keyed by its hash only)."""
    secret_hash = hashlib.sha256(client_secret.encode()).hexdigest()
    with _token_slots_lock:
        return _token_slots.setdefault((base_url, client_id, secret_hash), _TokenSlot())


def clear_token_cache() -> None:
    """Forget every cached token (tests; credential rotation)."""
    with _token_slots_lock:
        _token_slots.clear()


def parse_ttl(raw: object) -> float:
    """`expires_in` as seconds; OpsRamp quirk: a string ("7199") in the spec, an int elsewhere."""
    try:
        return float(str(raw).strip().strip("\"'"))
    except ValueError:
        return DEFAULT_TOKEN_TTL_SECONDS


class TokenSource:
    """Tokens for one client's credentials, from the process-wide cache or fetched once."""

    def __init__(
        self, exchange: HttpExchange, client_id: str, client_secret: str, retry: RetryPolicy
    ) -> None:
        self._exchange = exchange
        self._client_id = client_id
        self._client_secret = client_secret
        self._retry = retry
        self._slot = _token_slot(exchange.base_url, client_id, client_secret)
        self._counter_lock = threading.Lock()
        self._fetched = 0

    @property
    def fetched(self) -> int:
        """Tokens this source fetched (others may come from the process-wide cache)."""
        with self._counter_lock:
            return self._fetched

    def get(self) -> Token:
        """A token valid now: the cached one, or a new one fetched once for all threads."""
        current = self._slot.current
        if current is not None and time.monotonic() < current.renew_at:
            return current
        with self._slot.lock:
            current = self._slot.current
            if current is not None and time.monotonic() < current.renew_at:
                return current
            value, ttl = self._fetch()
            now = time.monotonic()
            # Renew shortly before expiry: 10 % of the lifetime, at most a minute.
            self._slot.current = Token(value, now, now + ttl - min(60.0, ttl * 0.1))
            return self._slot.current

    def invalidate(self, rejected: Token) -> None:
        """Drop the cached token if it is the one the server refused (not a newer one)."""
        with self._slot.lock:
            if self._slot.current is rejected:
                self._slot.current = None

    def redact(self, text: str) -> str:
        """Text from a server, shortened, with the secret and the current token masked."""
        current = self._slot.current
        for secret in (self._client_secret, current.value if current else ""):
            if secret:
                text = text.replace(secret, "[redacted]")
        return text[:300]

    def _fetch(self) -> tuple[str, float]:
        """POST the client credentials; retries transport errors and 5xx; older path on 404."""
        form = {
            "grant_type": "client_credentials",
            "client_id": self._client_id,
            "client_secret": self._client_secret,
        }
        base_url = self._exchange.base_url
        started = time.monotonic()
        attempt = 0
        while True:
            attempt += 1
            path = TOKEN_PATHS[self._slot.path_index]
            failure: requests.RequestException | None = None
            try:
                response = self._exchange.send(
                    "POST", path, attempt, form=form, headers={"Accept": "application/json"}
                )
            except requests.RequestException as exc:
                failure = exc
            if failure is not None:
                # Fetching a token twice is harmless, so any transport failure may be retried.
                if self._retry.may_retry(attempt, started):
                    self._retry.sleep(attempt)
                    continue
                raise self._exchange.connection_error("POST", path, failure) from None
            status = response.status_code
            payload = json_body(response)
            if status == 404 and self._slot.path_index + 1 < len(TOKEN_PATHS):
                self._slot.path_index += 1
                attempt -= 1
                continue
            if status == 200 and isinstance(payload, dict) and payload.get("access_token"):
                with self._counter_lock:
                    self._fetched += 1
                return str(payload["access_token"]), parse_ttl(payload.get("expires_in"))
            message, code = error_text(payload)
            said = f": {self.redact(message)}" if message else ""
            if status in (400, 401, 403):
                raise OpsRampCredentialsError(
                    f"OpsRamp rejected the API credentials at {base_url}{path} (HTTP {status}"
                    f"{said}): check the client id and client secret of the integration, and "
                    "that the integration is still active",
                    status=status,
                    code=code,
                )
            if status >= 500 and self._retry.may_retry(attempt, started):
                self._retry.sleep(attempt)
                continue
            if status == 404:
                raise OpsRampApiError(
                    f"No OpsRamp token endpoint at {base_url} (tried {' and '.join(TOKEN_PATHS)})"
                    ": check the API URL",
                    status=status,
                    code=code,
                )
            raise OpsRampApiError(
                f"OpsRamp's token endpoint answered HTTP {status}{said}; retry later",
                status=status,
                code=code,
            )
