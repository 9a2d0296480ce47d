"""The HTTP client for OpsRamp's jobs API: auth, pacing, retries and errors, and nothing else.

It speaks wire-format dicts (the JSON bodies OpsRamp documents). This module holds the job calls
and the recovery of creates whose answer was lost; every call goes through the request loop
(`request_loop.py`: pacing, then a token from `token.py`, then one exchange in `exchange.py`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self
from urllib.parse import quote

from opsramp_jobs.errors import (
    AmbiguousCreateError,
    OpsRampApiError,
    OpsRampConfigError,
    OpsRampConnectionError,
    OpsRampError,
)
from opsramp_jobs.exchange import HttpExchange
from opsramp_jobs.pacing import RateClass, RateLimiter, default_rate_limiter
from opsramp_jobs.request_loop import RequestLoop
from opsramp_jobs.retry import RetryPolicy
from opsramp_jobs.token import TOKEN_PATHS, TokenSource, clear_token_cache

if TYPE_CHECKING:
    from opsramp_jobs.settings import ConnectionSettings

__all__ = ["TOKEN_PATHS", "OpsRampClient", "SearchPage", "clear_token_cache", "client_for"]

log = logging.getLogger("opsramp_jobs.client")

MAX_SEARCH_PAGES = 10_000  # a guard against a server whose nextPage never turns false
# OpsRamp quirk: the search's paging fields sit beside `results` in the example and inside each
# `results[]` item in the schema. Both are read; they are taken off the jobs either way.
PAGING_FIELDS = frozenset(
    {"totalResults", "orderBy", "pageNo", "pageSize", "totalPages", "nextPage", "previousPageNo",
     "descendingOrder"}
)  # fmt: skip


@dataclass(frozen=True)
class SearchPage:
    """One page of a job search."""

    jobs: list[dict[str, Any]]
    total_pages: int | None  # as the server counts them; None when it did not say
    last: bool  # no page follows this one


def _paging_number(raw: object) -> int | None:
    """An integer paging field, sent as 3 or "3"; None when absent or not a number."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw
    if isinstance(raw, str) and raw.strip().isdigit():
        return int(raw.strip())
    return None


def _paging_flag(raw: object) -> bool:
    """A boolean paging field, sent as true or "true"."""
    if isinstance(raw, str):
        return raw.strip().lower() == "true"
    return bool(raw)


def _read_page(data: Mapping[str, Any], page_no: int) -> SearchPage:
    """A search answer with its paging fields beside `results` or inside its items."""
    items = [job for job in data.get("results") or [] if isinstance(job, dict)]
    paging: Mapping[str, Any] = data
    if "nextPage" not in data and items and "nextPage" in items[0]:
        paging = items[0]
    jobs = [{k: v for k, v in job.items() if k not in PAGING_FIELDS} for job in items]
    total_pages = _paging_number(paging.get("totalPages"))
    last = (
        not jobs
        or not _paging_flag(paging.get("nextPage"))
        or (total_pages is not None and page_no >= total_pages)
    )
    return SearchPage(jobs, total_pages, last)


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
        self.tenant_id = tenant_id
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self.ambiguous_settle_seconds = ambiguous_settle_seconds
        self.page_size = page_size
        self.retry = RetryPolicy(max_attempts, max_retry_seconds, backoff_base, backoff_cap)
        # Proxy and CA bundle are read from the environment here, once (see exchange.py).
        self._exchange = HttpExchange(
            self.base_url, connect_timeout=connect_timeout, read_timeout=read_timeout
        )
        self._tokens = TokenSource(self._exchange, client_id, client_secret, self.retry)
        self._calls = RequestLoop(
            self._exchange,
            self._tokens,
            rate_limiter or default_rate_limiter,
            self.retry,
            max_throttle_wait=max_throttle_wait,
        )

    @classmethod
    def from_settings(cls, settings: ConnectionSettings, **options: Any) -> OpsRampClient:
        """A client for resolved connection settings (stack config or ``OPSRAMP_*``)."""
        return client_for(settings, **options)

    def __repr__(self) -> str:
        return f"OpsRampClient(base_url={self.base_url!r}, tenant_id={self.tenant_id!r})"

    # ------------------------------------------------------------------ counters, lifecycle

    @property
    def max_throttle_wait(self) -> float:
        """Seconds one call may wait for rate-limit windows and 429s in all."""
        return self._calls.max_throttle_wait

    @property
    def tokens_fetched(self) -> int:
        """Tokens this client fetched (others may come from the process-wide cache)."""
        return self._tokens.fetched

    @property
    def exchange(self) -> HttpExchange:
        """The HTTP exchange every call goes through (for probes of raw answers: the doctor)."""
        return self._exchange

    @property
    def requests_sent(self) -> int:
        """HTTP requests this client sent, token requests and retries included."""
        return self._exchange.requests_sent

    def close(self) -> None:
        """Close pooled connections (the client stays usable)."""
        self._exchange.close()

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
            lost = exc
        # Settled outside the except block, so later failures do not chain onto this one.
        if existing is None or not isinstance(name, str):
            raise AmbiguousCreateError(
                f"The connection was lost after a create was sent to tenant {tenant}, and the "
                "job has no name to look it up by: check the tenant's jobs before retrying",
                candidates=[],
            ) from lost
        return self._settle_ambiguous_create(body, tenant, name, existing, lost)

    def get_job(self, job_id: str, *, tenant_id: str | None = None) -> dict[str, Any]:
        """The job as OpsRamp stores it; JobNotFoundError when it is gone."""
        tenant = self._tenant(tenant_id)
        result = self._calls.call(
            "GET", self._job_path(tenant, job_id), tenant, RateClass.READ, job_id=job_id
        )
        return self._expect_dict(result, "GET job")

    def update_job(
        self, job_id: str, body: Mapping[str, Any], *, tenant_id: str | None = None
    ) -> dict[str, Any]:
        """Replace a job (OpsRamp updates by POST to the job's path with "id" in the body)."""
        tenant = self._tenant(tenant_id)
        result = self._calls.call(
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
        self._calls.call(
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
        data = self._calls.call(
            "GET", f"{self._tenant_path(tenant)}/jobs/search", tenant, RateClass.PAGED_READ,
            params=params,
        )  # fmt: skip
        return _read_page(self._expect_dict(data, "job search"), page_no)

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
        data = self._calls.call(
            "GET", f"{self._tenant_path(tenant)}/jobs/types", tenant, RateClass.READ
        )
        types = self._expect_dict(data, "job types").get("jobNameAndType") or []
        return [entry for entry in types if isinstance(entry, dict)]

    # ------------------------------------------------------------------ ambiguous create

    def _post_create(self, body: Mapping[str, Any], tenant: str) -> dict[str, Any]:
        """One create request (retried only when the server certainly did not act)."""
        path = f"{self._tenant_path(tenant)}/jobs"
        result = self._calls.call("POST", path, tenant, RateClass.WRITE, body=dict(body))
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
        return f"{self._tenant_path(tenant)}/jobs/{quote(str(job_id), safe='')}"

    @staticmethod
    def _expect_dict(result: Any, what: str) -> dict[str, Any]:
        if not isinstance(result, dict):
            raise OpsRampApiError(f"OpsRamp answered {what} without a JSON object; retry later")
        return result


def client_for(settings: ConnectionSettings, **options: Any) -> OpsRampClient:
    """The client for resolved connection settings: URL, API key, default tenant and timeouts.

    The one factory of the package (provider, lookups, doctor); ``options`` are the
    constructor's keyword arguments, e.g. ``max_retry_seconds``.
    """
    return OpsRampClient(
        settings.api_url,
        settings.client_id,
        settings.client_secret,
        tenant_id=settings.tenant_id,
        connect_timeout=settings.connect_timeout,
        read_timeout=settings.read_timeout,
        **options,
    )
