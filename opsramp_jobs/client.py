"""The HTTP client for OpsRamp's jobs API: auth, pacing, retries and errors, and nothing else.

It speaks wire-format dicts (the JSON bodies OpsRamp documents). Every request goes through
`OpsRampClient._request`; the token endpoint through `_fetch_token`; both through `_send`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import random
import re
import threading
import time
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Self
from urllib.parse import quote

from opsramp_jobs.errors import (
    AmbiguousCreateError,
    FieldError,
    JobNotFoundError,
    OpsRampApiError,
    OpsRampAuthError,
    OpsRampConfigError,
    OpsRampConnectionError,
    OpsRampError,
    OpsRampRateLimitError,
    OpsRampValidationError,
)
from opsramp_jobs.pacing import RateClass, RateLimiter, default_rate_limiter
from opsramp_jobs.transport import Response, Transport, TransportError

log = logging.getLogger("opsramp_jobs.client")

TOKEN_PATHS = ("/tenancy/auth/oauth/token", "/auth/oauth/token")  # current first, then older
DEFAULT_TOKEN_TTL_SECONDS = 600.0  # used only when a token answer has no usable expires_in
# A call whose token is refused renews it at most this often: a token revoked while the call was
# in flight (credentials rotated, or several expiries during a long up) must not fail the call,
# and bad credentials fail anyway at the token endpoint itself.
MAX_TOKEN_RENEWALS = 2
MAX_SEARCH_PAGES = 10_000  # a guard against a server whose nextPage never turns false
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


@dataclass(frozen=True)
class SearchPage:
    """One page of a job search."""

    jobs: list[dict[str, Any]]
    total_pages: int | None  # as the server counts them; None when it did not say
    last: bool  # no page follows this one


@dataclass
class _TokenSlot:
    """The cached token of one (base URL, API key, secret); its lock serialises fetches."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    current: tuple[str, float] | None = None  # (token, monotonic time to renew at)
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


def _parse_ttl(raw: object) -> float:
    """`expires_in` as seconds; OpsRamp sends a string ("7199") or an integer."""
    try:
        return float(str(raw).strip().strip("\"'"))
    except ValueError:
        return DEFAULT_TOKEN_TTL_SECONDS


def _error_text(payload: Any) -> tuple[str, str | None]:
    """(message, code) from any OpsRamp error body shape."""
    if isinstance(payload, list) and payload and isinstance(payload[0], dict):
        payload = payload[0]
    if isinstance(payload, dict):
        message = payload.get("message") or payload.get("error_description") or payload.get("error")
        code = payload.get("code") or payload.get("error")
        return str(message or ""), None if code is None else str(code)
    return "", None


def _field_errors(payload: Any) -> list[FieldError]:
    """OpsRamp's 400 list `[{"code","fieldName","message"}]` (a single object is accepted too)."""
    entries = payload if isinstance(payload, list) else [payload]
    return [
        FieldError(
            field_name=str(entry.get("fieldName") or ""),
            message=str(entry.get("message") or entry.get("error_description") or ""),
            code=str(entry.get("code") or entry.get("error") or ""),
        )
        for entry in entries
        if isinstance(entry, dict)
    ]


class OpsRampClient:
    """A thread-safe client for one OpsRamp API URL and API key; jobs are dicts as on the wire."""

    def __init__(
        self,
        base_url: str,
        client_id: str,
        client_secret: str,
        tenant_id: str | None = None,
        *,
        connect_timeout: float = 5.0,
        read_timeout: float = 30.0,
        max_attempts: int = 4,
        max_retry_seconds: float = 60.0,
        max_throttle_wait: float = 150.0,
        backoff_base: float = 0.5,
        backoff_cap: float = 8.0,
        ambiguous_settle_seconds: float = 2.0,
        page_size: int = 100,
        rate_limiter: RateLimiter | None = None,
    ) -> None:
        if not base_url.strip():
            raise OpsRampConfigError("base_url is empty: set the OpsRamp API URL")
        if not client_id or not client_secret:
            raise OpsRampConfigError("client_id and client_secret are both required")
        if connect_timeout <= 0 or read_timeout <= 0:
            raise OpsRampConfigError("connect_timeout and read_timeout must be positive")
        if max_attempts < 1:
            raise OpsRampConfigError("max_attempts must be at least 1")
        self.base_url = base_url.strip().rstrip("/")
        self.client_id = client_id
        self._client_secret = client_secret
        self.tenant_id = tenant_id
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self.max_attempts = max_attempts
        self.max_retry_seconds = max_retry_seconds
        self.max_throttle_wait = max_throttle_wait
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.ambiguous_settle_seconds = ambiguous_settle_seconds
        self.page_size = page_size
        self._rate_limiter = rate_limiter or default_rate_limiter
        self._token = _token_slot(self.base_url, client_id, client_secret)
        # Proxy and CA bundle are read from the environment here, once (see transport.py).
        self._transport = Transport(
            self.base_url, connect_timeout=connect_timeout, read_timeout=read_timeout
        )
        self._counter_lock = threading.Lock()
        self._tokens_fetched = 0
        self._requests_sent = 0

    def __repr__(self) -> str:
        return f"OpsRampClient(base_url={self.base_url!r}, tenant_id={self.tenant_id!r})"

    # ------------------------------------------------------------------ counters, lifecycle

    @property
    def tokens_fetched(self) -> int:
        """Tokens this client fetched (others may come from the process-wide cache)."""
        with self._counter_lock:
            return self._tokens_fetched

    @property
    def requests_sent(self) -> int:
        """HTTP requests this client sent, token requests and retries included."""
        with self._counter_lock:
            return self._requests_sent

    def close(self) -> None:
        """Close pooled connections."""
        self._transport.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    # ------------------------------------------------------------------ jobs API

    def create_job(
        self,
        body: Mapping[str, Any],
        *,
        tenant_id: str | None = None,
        existing_ids: Collection[str] | None = None,
    ) -> dict[str, Any]:
        """Create a job and return it as stored; never leaves a second job after a lost answer.

        ``existing_ids``: ids of the jobs already carrying this name, when the caller has just
        looked them up (saves the search this method would otherwise make).
        """
        tenant = self._tenant(tenant_id)
        name = body.get("name")
        # Jobs that already carry this name, so a job found after a lost answer is known to be ours.
        existing: set[str] | None = None
        if isinstance(name, str) and name:
            existing = (
                {str(i) for i in existing_ids}
                if existing_ids is not None
                else {str(job.get("id")) for job in self.find_jobs_by_name(name, tenant_id=tenant)}
            )
        try:
            return self._post_create(body, tenant)
        except OpsRampConnectionError as exc:
            if not exc.request_may_have_been_sent:
                raise
            if existing is None or not isinstance(name, str):
                raise AmbiguousCreateError(
                    f"The connection was lost after a create was sent to tenant {tenant}, and the "
                    "job has no name to look it up by: check the tenant's jobs before retrying",
                    candidates=[],
                ) from exc
            return self._settle_ambiguous_create(body, tenant, name, existing, exc)

    def get_job(self, job_id: str, *, tenant_id: str | None = None) -> dict[str, Any]:
        """The job as OpsRamp stores it; JobNotFoundError when it is gone."""
        tenant = self._tenant(tenant_id)
        result = self._request(
            "GET", self._job_path(tenant, job_id), tenant, RateClass.READ, job_id=job_id
        )
        return self._expect_dict(result, "GET job")

    def update_job(
        self, job_id: str, body: Mapping[str, Any], *, tenant_id: str | None = None
    ) -> dict[str, Any]:
        """Replace a job (OpsRamp updates by POST to the job's path with "id" in the body)."""
        tenant = self._tenant(tenant_id)
        result = self._request(
            "POST",
            self._job_path(tenant, job_id),
            tenant,
            RateClass.WRITE,
            body={**body, "id": job_id},
            job_id=job_id,
        )
        return self._expect_dict(result, "update job")

    def delete_job(self, job_id: str, *, tenant_id: str | None = None) -> None:
        """Delete a job; JobNotFoundError when it is gone (also after a retried, lost delete)."""
        tenant = self._tenant(tenant_id)
        self._request(
            "DELETE", self._job_path(tenant, job_id), tenant, RateClass.WRITE, job_id=job_id
        )

    def search_jobs(
        self, query_string: str | None = None, *, tenant_id: str | None = None
    ) -> list[dict[str, Any]]:
        """Every job matching an OpsRamp queryString (all pages; results omit "entities")."""
        jobs: dict[str, dict[str, Any]] = {}
        for page_no in range(1, MAX_SEARCH_PAGES + 1):
            page = self.search_page(query_string, page_no, tenant_id=tenant_id)
            for job in page.jobs:
                jobs.setdefault(str(job.get("id")), job)
            if page.last:
                break
        return list(jobs.values())

    def search_page(
        self, query_string: str | None, page_no: int, *, tenant_id: str | None = None
    ) -> SearchPage:
        """One page of a job search, oldest first (results omit "entities")."""
        tenant = self._tenant(tenant_id)
        # Oldest first: jobs created while paging land on later pages instead of shifting.
        params: dict[str, str | int] = {
            "pageNo": page_no,
            "pageSize": self.page_size,
            "isDescendingOrder": "false",
            "sortName": "id",
        }
        if query_string:
            params["queryString"] = query_string
        data = self._request(
            "GET", f"{self._tenant_path(tenant)}/jobs/search", tenant, RateClass.PAGED_READ,
            params=params,
        )  # fmt: skip
        data = self._expect_dict(data, "job search")
        results = [job for job in data.get("results") or [] if isinstance(job, dict)]
        total_pages = data.get("totalPages")
        total_pages = total_pages if isinstance(total_pages, int) else None
        last = (
            not results
            or not data.get("nextPage")
            or (total_pages is not None and page_no >= total_pages)
        )
        return SearchPage(results, total_pages, last)

    def find_jobs_by_name(self, name: str, *, tenant_id: str | None = None) -> list[dict[str, Any]]:
        """Jobs whose name is exactly `name` (case-sensitive), from every search page."""
        # The server's name: filter is only a pre-filter (semantics unknown: the emulator does a
        # case-insensitive contains). A "+" would split the queryString, so then search everything.
        query = None if "+" in name or not name.strip() else f"name:{name}"
        return [
            job for job in self.search_jobs(query, tenant_id=tenant_id) if job.get("name") == name
        ]

    def job_types(self, *, tenant_id: str | None = None) -> list[dict[str, Any]]:
        """The catalogue `[{"jobName": ..., "jobtype": ...}]` (without `custom`)."""
        tenant = self._tenant(tenant_id)
        data = self._request(
            "GET", f"{self._tenant_path(tenant)}/jobs/types", tenant, RateClass.READ
        )
        types = self._expect_dict(data, "job types").get("jobNameAndType") or []
        return [entry for entry in types if isinstance(entry, dict)]

    # ------------------------------------------------------------------ ambiguous create

    def _post_create(self, body: Mapping[str, Any], tenant: str) -> dict[str, Any]:
        """One create request (retried only when the server certainly did not act)."""
        path = f"{self._tenant_path(tenant)}/jobs"
        result = self._request("POST", path, tenant, RateClass.WRITE, body=dict(body))
        return self._expect_dict(result, "create job")

    def _new_job_ids(self, name: str, tenant: str, existing: set[str]) -> list[str]:
        """Ids of jobs named `name` that were not there before the create."""
        try:
            found = self.find_jobs_by_name(name, tenant_id=tenant)
        except OpsRampError as exc:
            raise AmbiguousCreateError(
                f"The connection was lost after creating job {name!r} in tenant {tenant}, and the "
                f"check for it failed ({exc.message}): look for jobs named {name!r} before "
                "retrying, or the retry may create a second one",
                candidates=[],
            ) from exc
        return sorted({str(job.get("id")) for job in found} - existing)

    def _settle_ambiguous_create(
        self,
        body: Mapping[str, Any],
        tenant: str,
        name: str,
        existing: set[str],
        failure: OpsRampConnectionError,
    ) -> dict[str, Any]:
        """After a create whose answer was lost: adopt the job it made, or create it once more."""
        new_ids = self._new_job_ids(name, tenant, existing)
        if not new_ids and self.ambiguous_settle_seconds > 0:
            # A server that was merely slow may still be committing: give it a moment.
            time.sleep(self.ambiguous_settle_seconds)
            new_ids = self._new_job_ids(name, tenant, existing)
        if new_ids:
            return self._adopt(name, tenant, new_ids)
        # No job with this name appeared: the server did not act, so one more POST is safe.
        log.warning(
            "create of job %r in %s lost its answer and stored nothing; resending", name, tenant
        )
        try:
            created = self._post_create(body, tenant)
        except OpsRampConnectionError as exc:
            if not exc.request_may_have_been_sent:
                raise
            new_ids = self._new_job_ids(name, tenant, existing)
            if new_ids:
                return self._adopt(name, tenant, new_ids)
            raise OpsRampConnectionError(
                f"Creating job {name!r} in tenant {tenant} failed twice in transport "
                f"({failure.message}) and no such job exists: it is safe to retry",
                request_may_have_been_sent=False,
            ) from exc
        # The first request may have been committed after all, after our look-up. Keep one job.
        late_ids = [
            job_id
            for job_id in self._new_job_ids(name, tenant, existing)
            if job_id != created["id"]
        ]
        if late_ids:
            log.warning(
                "create of job %r committed late; deleting the duplicate %s", name, created["id"]
            )
            self.delete_job(str(created["id"]), tenant_id=tenant)
            return self._adopt(name, tenant, late_ids)
        return created

    def _adopt(self, name: str, tenant: str, new_ids: list[str]) -> dict[str, Any]:
        """The one job a lost create made, in full; AmbiguousCreateError when there are several."""
        if len(new_ids) > 1:
            raise AmbiguousCreateError(
                f"The connection was lost while creating job {name!r} in tenant {tenant}, and "
                f"{len(new_ids)} new jobs with that name now exist ({', '.join(new_ids)}): delete "
                "the extra ones (or adopt one by id), then retry",
                candidates=new_ids,
            )
        log.info(
            "create of job %r in %s lost its answer; adopting job %s", name, tenant, new_ids[0]
        )
        return self.get_job(new_ids[0], tenant_id=tenant)

    # ------------------------------------------------------------------ transport

    def _request(
        self,
        method: str,
        path: str,
        tenant: str,
        rate_class: RateClass,
        *,
        params: Mapping[str, str | int] | None = None,
        body: Any = None,
        job_id: str | None = None,
    ) -> Any:
        """Send one API call with auth, pacing and bounded retries; the decoded JSON or an error."""
        # GET and DELETE may be repeated; a POST only when the server certainly did not act.
        idempotent = method in ("GET", "DELETE")
        started = time.monotonic()
        attempt = 0
        throttled = 0
        throttle_waited = 0.0
        renewals = 0
        while True:
            attempt += 1
            token = self._access_token()
            reservation = self._rate_limiter.reserve(
                self.base_url,
                tenant,
                rate_class,
                max_wait=max(0.0, self.max_throttle_wait - throttle_waited),
            )
            with reservation:
                throttle_waited += reservation.waited
                try:
                    response = self._send(
                        method,
                        path,
                        attempt,
                        headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
                        params=params,
                        json_body=body,
                    )
                except TransportError as exc:
                    if (idempotent or exc.never_sent) and self._may_retry(attempt, started):
                        self._sleep_backoff(attempt)
                        continue
                    raise self._transport_error(method, path, exc) from None
                reservation.record(response.headers, throttled=response.status == 429)
            status = response.status
            if status < 300:
                return response.json_or_none()
            if status in (401, 407) and renewals < MAX_TOKEN_RENEWALS:
                # Expired or revoked token: the server did not act, so any method may resend.
                renewals += 1
                self._invalidate_token(token)
                attempt -= 1
                continue
            if status == 429:
                throttled += 1
                # The limiter waits for a known reset; without one, back off. Jitter either way.
                delay = 0.0 if reservation.reset_known else self._backoff(throttled, base=0.25)
                delay += random.uniform(0.0, 0.1)
                if throttle_waited + delay <= self.max_throttle_wait:
                    time.sleep(delay)
                    throttle_waited += delay
                    attempt -= 1  # throttling is bounded by time, not by max_attempts
                    continue
            elif (
                status >= 500
                and idempotent
                and not self._is_gone(response, job_id)
                and self._may_retry(attempt, started)
            ):
                self._sleep_backoff(attempt)
                continue
            raise self._error_for(
                response, method, path, tenant, job_id=job_id, throttle_waited=throttle_waited
            )

    def _send(
        self,
        method: str,
        path: str,
        attempt: int,
        *,
        headers: Mapping[str, str],
        params: Mapping[str, str | int] | None = None,
        json_body: Any = None,
        form: Mapping[str, str] | None = None,
    ) -> Response:
        """One HTTP exchange with a finite timeout; logs method, path, status, latency, attempt."""
        with self._counter_lock:
            self._requests_sent += 1
        started = time.perf_counter()
        try:
            response = self._transport.request(
                method, path, headers=headers, params=params, json_body=json_body, form=form
            )
        except TransportError as exc:
            elapsed_ms = (time.perf_counter() - started) * 1000
            log.debug(
                "%s %s failed: %s after %.0f ms (attempt %d)",
                method, path, exc.kind, elapsed_ms, attempt,
            )  # fmt: skip
            raise
        elapsed_ms = (time.perf_counter() - started) * 1000
        log.debug(
            "%s %s -> %d in %.0f ms (attempt %d)",
            method, path, response.status, elapsed_ms, attempt,
        )  # fmt: skip
        return response

    # ------------------------------------------------------------------ tokens

    def _access_token(self) -> str:
        """A valid token: the process-wide cached one, or a new one fetched once for all threads."""
        current = self._token.current
        if current is not None and time.monotonic() < current[1]:
            return current[0]
        with self._token.lock:
            current = self._token.current
            if current is not None and time.monotonic() < current[1]:
                return current[0]
            token, ttl = self._fetch_token()
            # Renew shortly before expiry: 10 % of the lifetime, at most a minute.
            self._token.current = (token, time.monotonic() + ttl - min(60.0, ttl * 0.1))
            return token

    def _invalidate_token(self, rejected: str) -> None:
        """Drop the cached token if it is the one the server rejected (not a newer one)."""
        with self._token.lock:
            if self._token.current is not None and self._token.current[0] == rejected:
                self._token.current = None

    def _fetch_token(self) -> tuple[str, float]:
        """POST the client credentials; retries transport errors and 5xx; older path on 404."""
        form = {
            "grant_type": "client_credentials",
            "client_id": self.client_id,
            "client_secret": self._client_secret,
        }
        started = time.monotonic()
        attempt = 0
        while True:
            attempt += 1
            path = TOKEN_PATHS[self._token.path_index]
            try:
                response = self._send(
                    "POST", path, attempt, form=form, headers={"Accept": "application/json"}
                )
            except TransportError as exc:
                # Fetching a token twice is harmless, so any transport failure may be retried.
                if self._may_retry(attempt, started):
                    self._sleep_backoff(attempt)
                    continue
                raise self._transport_error("POST", path, exc) from None
            status = response.status
            payload = response.json_or_none()
            if status == 404 and self._token.path_index + 1 < len(TOKEN_PATHS):
                self._token.path_index += 1
                attempt -= 1
                continue
            if status == 200 and isinstance(payload, dict) and payload.get("access_token"):
                with self._counter_lock:
                    self._tokens_fetched += 1
                return str(payload["access_token"]), _parse_ttl(payload.get("expires_in"))
            message, code = _error_text(payload)
            if status in (400, 401, 403):
                raise OpsRampAuthError(
                    f"OpsRamp rejected the API credentials at {self.base_url}{path} (HTTP {status}"
                    f"{': ' + self._redact(message) if message else ''}): check the client id "
                    "and client secret of the integration",
                    status=status,
                    code=code,
                )
            if status >= 500 and self._may_retry(attempt, started):
                self._sleep_backoff(attempt)
                continue
            if status == 404:
                raise OpsRampApiError(
                    f"No OpsRamp token endpoint at {self.base_url} (tried "
                    f"{' and '.join(TOKEN_PATHS)}): check the API URL",
                    status=status,
                    code=code,
                )
            raise OpsRampApiError(
                f"OpsRamp's token endpoint answered HTTP {status}"
                f"{': ' + self._redact(message) if message else ''}; retry later",
                status=status,
                code=code,
            )

    # ------------------------------------------------------------------ helpers

    def _tenant(self, tenant_id: str | None) -> str:
        """The tenant of a call: the argument, else the client's default."""
        tenant = tenant_id or self.tenant_id
        if not tenant:
            raise OpsRampConfigError(
                "No OpsRamp tenant id: pass tenant_id=... to the call or to OpsRampClient"
            )
        return tenant

    @staticmethod
    def _tenant_path(tenant: str) -> str:
        return f"/api/v2/tenants/{quote(tenant, safe='')}"

    def _job_path(self, tenant: str, job_id: str) -> str:
        if not job_id:
            raise OpsRampConfigError("job_id is empty")
        return f"{self._tenant_path(tenant)}/jobs/{quote(job_id, safe='')}"

    @staticmethod
    def _expect_dict(result: Any, what: str) -> dict[str, Any]:
        if not isinstance(result, dict):
            raise OpsRampApiError(f"OpsRamp answered {what} without a JSON object; retry later")
        return result

    def _may_retry(self, attempt: int, started: float) -> bool:
        """Whether another attempt fits the bounds (attempts, and total time incl. the backoff)."""
        next_delay = min(self.backoff_cap, self.backoff_base * 2.0 ** (attempt - 1))
        elapsed = time.monotonic() - started
        return attempt < self.max_attempts and elapsed + next_delay <= self.max_retry_seconds

    def _backoff(self, attempt: int, *, base: float | None = None) -> float:
        """Exponential backoff with jitter (50-100 % of the step) so threads do not move in step."""
        step = min(
            self.backoff_cap, (self.backoff_base if base is None else base) * 2.0 ** (attempt - 1)
        )
        return step * random.uniform(0.5, 1.0)

    def _sleep_backoff(self, attempt: int) -> None:
        time.sleep(self._backoff(attempt))

    def _redact(self, text: str) -> str:
        """Text from a server, shortened, with the secret and the current token masked."""
        current = self._token.current
        for secret in (self._client_secret, current[0] if current else ""):
            if secret:
                text = text.replace(secret, "[redacted]")
        return text[:300]

    @staticmethod
    def _is_gone(response: Response, job_id: str | None) -> bool:
        """404/410, or a 500 that says "not found" about this job (not about, say, a device)."""
        if job_id is None:
            return False
        if response.status in (404, 410):
            return True
        if response.status != 500:
            return False
        message, code = _error_text(response.json_or_none())
        if code != "0003" and "not found" not in message.lower():
            return False
        named = set(_UUID.findall(message))
        return not named or job_id in named

    def _transport_error(
        self, method: str, path: str, exc: TransportError
    ) -> OpsRampConnectionError:
        kind, never_sent = exc.kind, exc.never_sent
        if never_sent:
            advice = "the request was not delivered; check the API URL and network, then retry"
        elif method == "POST":
            advice = "the request may have been applied; refresh before retrying"
        else:
            advice = "retry later"
        return OpsRampConnectionError(
            f"{method} {path} to {self.base_url} failed ({kind}) after retries: {advice}",
            request_may_have_been_sent=not never_sent,
        )

    def _error_for(
        self,
        response: Response,
        method: str,
        path: str,
        tenant: str,
        *,
        job_id: str | None,
        throttle_waited: float,
    ) -> OpsRampError:
        """The exception for an answer the client will not retry."""
        status = response.status
        payload = response.json_or_none()
        message, code = _error_text(payload)
        detail = self._redact(message or response.reason or "")
        if status == 400:
            errors = _field_errors(payload)
            listed = "; ".join(self._redact(str(error)) for error in errors) or detail
            return OpsRampValidationError(
                f"OpsRamp rejected {method} {path} (HTTP 400): {listed}. "
                "Fix these fields and retry",
                field_errors=errors,
            )
        if job_id is not None and self._is_gone(response, job_id):
            return JobNotFoundError(
                f"Job {job_id} was not found in tenant {tenant} (HTTP {status}: {detail}); "
                "it was deleted or never existed",
                job_id=job_id,
                tenant_id=tenant,
                status=status,
                code=code,
            )
        if status in (401, 407):
            return OpsRampAuthError(
                f"OpsRamp rejected a freshly fetched token for {method} {path} (HTTP {status}: "
                f"{detail}): check that the integration is active",
                status=status,
                code=code,
            )
        if status == 403:
            return OpsRampAuthError(
                f"The API key may not act on tenant {tenant} (HTTP 403: {detail}): use the "
                "tenant's own credentials or those of its partner",
                status=status,
                code=code,
            )
        if status == 429:
            return OpsRampRateLimitError(
                f"OpsRamp kept throttling {method} {path} after {throttle_waited:.1f} s of waiting "
                "(HTTP 429): slow down or raise max_throttle_wait",
                status=status,
                code=code,
            )
        text = json.dumps(payload)[:300] if payload is not None and not message else detail
        return OpsRampApiError(
            f"OpsRamp answered HTTP {status} to {method} {path}: {self._redact(text)}"
            + ("; retry later" if status >= 500 else ""),
            status=status,
            code=code,
        )
