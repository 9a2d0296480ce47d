"""The HTTP client for OpsRamp's jobs API: auth, pacing, retries and errors, and nothing else.

It speaks wire-format dicts (the JSON bodies OpsRamp documents): one method per call of OpsRamp's
jobs API, and nothing about what a call means for a stack (job-name uniqueness and the recovery of
creates whose answer was lost are `uniqueness.py`'s). Every call goes through the request loop
(`request_loop.py`: pacing, then a token from `token.py`, then one exchange in `exchange.py`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self
from urllib.parse import quote

from opsramp_jobs.errors import OpsRampAnswerError, OpsRampApiError, OpsRampConfigError
from opsramp_jobs.exchange import HttpExchange
from opsramp_jobs.pacing import RateClass, RateLimiter, default_rate_limiter
from opsramp_jobs.request_loop import RequestLoop
from opsramp_jobs.retry import RetryPolicy
from opsramp_jobs.token import TOKEN_PATHS, TokenSource, clear_token_cache

if TYPE_CHECKING:
    from opsramp_jobs.settings import ConnectionSettings

__all__ = ["TOKEN_PATHS", "OpsRampClient", "SearchPage", "clear_token_cache", "client_for"]

log = logging.getLogger("opsramp_jobs.client")

# Pages one search may read: 10,000 jobs at the default page size, about two minutes of OpsRamp's
# search budget (50 a minute). A server whose nextPage never turns false fails here, not in hours.
MAX_SEARCH_PAGES = 100
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
    page_no: int = 1
    total_results: int | None = None  # as the server counts them; None when it did not say


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
    total_results = _paging_number(paging.get("totalResults"))
    return SearchPage(jobs, total_pages, last, page_no, total_results)


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

    def check_credentials(self) -> None:
        """Fetch a token (or take the cached one): OpsRampCredentialsError if the key is refused."""
        self._tokens.get()

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
        self, body: Mapping[str, Any], *, tenant_id: str | None = None
    ) -> dict[str, Any]:
        """POST a new job; the answer as sent (OpsRampAnswerError for a 2xx that is not a job).

        Sent once, never resent after the request may have reached the server: what a lost or
        strange answer means is for the caller to settle (`uniqueness.NameGuard.create_once`).
        """
        tenant = self._tenant(tenant_id)
        path = f"{self._tenant_path(tenant)}/jobs"
        result = self._calls.call("POST", path, tenant, RateClass.WRITE, body=dict(body))
        return self._expect_dict(result, "create job")

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
        for page in self.search_pages(query_string, tenant_id=tenant_id):
            for job in page.jobs:
                jobs.setdefault(str(job.get("id")), job)
        return list(jobs.values())

    def search_pages(
        self,
        query_string: str | None = None,
        *,
        tenant_id: str | None = None,
        max_pages: int = MAX_SEARCH_PAGES,
    ) -> Iterator[SearchPage]:
        """The pages of a job search, up to the last; bounded, whatever the server says.

        Ends at the last page, or once the server's total is reached. A page that repeats the
        previous one (a server ignoring pageNo) ends the search when the results are complete
        anyway, and is an OpsRampApiError when it hides the rest; so is a search past `max_pages`.
        """
        tenant = self._tenant(tenant_id)
        seen: set[str] = set()
        previous: list[str] | None = None
        for page_no in range(1, max_pages + 1):
            page = self.search_page(query_string, page_no, tenant_id=tenant)
            ids = [str(job.get("id")) for job in page.jobs]
            if ids == previous:
                complete = page.total_results is not None and len(seen) >= page.total_results
                if complete or len(ids) < self.page_size:
                    return
                raise OpsRampApiError(
                    f"OpsRamp answered page {page_no} of a job search in tenant {tenant} with "
                    f"the jobs of page {page_no - 1} (it ignores pageNo), so the jobs past the "
                    f"first {len(seen)} cannot be read; retry later, or ask OpsRamp support"
                )
            seen.update(ids)
            yield page
            total = page.total_results
            if page.last or (total is not None and total > 0 and len(seen) >= total):
                return
            previous = ids
        raise OpsRampApiError(
            f"A job search in tenant {tenant} did not end after {max_pages} pages "
            f"({len(seen)} jobs): OpsRamp keeps saying another page follows; retry later"
        )

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
            # A 2xx (the loop raises for anything else) whose body is not a JSON object: HTML
            # from a proxy, an empty body. The server may well have acted on the request.
            raise OpsRampAnswerError(
                f"OpsRamp answered {what} with a success but without a JSON object"
            )
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
