"""The duplicate-name guard's memory: which job names each tenant uses, kept per provider process.

OpsRamp accepts two jobs with one name, so `create` looks the name up first. Searching the name
before every create doubled the requests of an `up` and spent the tenant's search budget (50
paginated GETs a minute on client tenants, shared with every other integration). Instead, one
listing of the tenant's jobs answers every create for up to a minute, and the jobs this process
creates, renames and deletes are applied on top of it.

What the listing may miss: a job that someone else creates with the same name while the listing
is fresh (at most `ttl` seconds old). A "taken" answer is always confirmed by a live search
before a create is refused, so a stale listing can never block a create; a "free" answer is only
the first filter: the provider searches the name live after every create (opsramp_jobs.provider,
`_create_guarded`), which is what makes two processes agree.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from opsramp_jobs.errors import JobNotFoundError

if TYPE_CHECKING:
    from opsramp_jobs.client import OpsRampClient

__all__ = ["INDEX_TTL_SECONDS", "MAX_INDEX_PAGES", "JobNames"]

# How old a listing may be when it says a name is free: the window in which a same-name job
# created outside this process goes unseen until the search after the POST (which withdraws
# ours; never a duplicate). Not shorter: at OpsRamp's limits an `up` spends one search per
# create on that verification, from a budget (50 a minute) no larger than the write budget, so
# every re-read of the listing delays a create (10 s cost an `up` under limits 6 %).
INDEX_TTL_SECONDS = 60.0
# Tenants whose listing takes more pages than this are searched name by name, as a listing would
# then cost more searches than it saves.
MAX_INDEX_PAGES = 5


@dataclass
class _TenantNames:
    """What this process knows of one tenant's job names."""

    listing_lock: threading.Lock = field(default_factory=threading.Lock)
    claims: threading.Condition = field(default_factory=threading.Condition)
    claimed: set[str] = field(default_factory=set)  # names with a create in flight here
    listed: dict[str, set[str]] | None = None  # name -> ids, from the last listing
    listed_at: float = 0.0  # monotonic time the last listing started
    too_large: bool = False  # listing exceeds MAX_INDEX_PAGES: search by name instead
    # This process's own writes, applied over every listing (kept for the process's life).
    written: dict[str, str] = field(default_factory=dict)  # id -> name it now carries
    deleted: set[str] = field(default_factory=set)  # ids deleted
    # Jobs a resource of this program holds (created, adopted, updated or diffed here): a second
    # resource may not adopt one of them.
    held: set[str] = field(default_factory=set)
    adopted: set[str] = field(default_factory=set)  # ids a create adopted here
    retired: set[str] = field(default_factory=set)  # ids deleted here at the engine's request


class JobNames:
    """Answers "which jobs in this tenant carry this name?" for creates, thread-safely."""

    def __init__(
        self,
        connect: Callable[[], OpsRampClient],
        *,
        ttl: float = INDEX_TTL_SECONDS,
        max_pages: int = MAX_INDEX_PAGES,
    ) -> None:
        # Called on the first lookup, not here: a preview only holds ids (`hold`), and a process
        # that never sends a request should not pay for importing and building the client.
        self._connect = connect
        self._ttl = ttl
        self._max_pages = max_pages
        self._tenants: dict[str, _TenantNames] = {}
        self._tenants_lock = threading.Lock()

    @contextmanager
    def claim(self, tenant: str, name: str) -> Iterator[list[str]]:
        """Hold `name` for one create in this process; yields the ids already carrying it.

        Two creates of one name in one process run one after the other, so the second sees the
        first's job (the engine runs up to 4 creates at once).
        """
        state = self._state(tenant)
        with state.claims:
            while name in state.claimed:
                state.claims.wait()
            state.claimed.add(name)
        try:
            yield self._ids_named(tenant, state, name)
        finally:
            with state.claims:
                state.claimed.discard(name)
                state.claims.notify_all()

    def confirm(self, tenant: str, name: str) -> list[str]:
        """The ids carrying `name` now, from a live search (before a create is refused)."""
        live = {
            str(job.get("id")) for job in self._connect().find_jobs_by_name(name, tenant_id=tenant)
        }
        state = self._state(tenant)
        with state.listing_lock:
            unlisted = [i for i, named in state.written.items() if named == name and i not in live]
        # Jobs this process wrote that the search does not list (yet: a search index may lag
        # behind writes): ask for each one.
        for job_id in unlisted:
            try:
                job = self._connect().get_job(job_id, tenant_id=tenant)
            except JobNotFoundError:
                self.forget(tenant, job_id)
                continue
            if job.get("name") == name:
                live.add(job_id)
        with state.listing_lock:
            # The live answer replaces what the listing said of this name (jobs deleted or
            # renamed outside this process since).
            if state.listed is not None:
                state.listed[name] = set(live)
            for job_id in unlisted:
                if job_id not in live:
                    state.written.pop(job_id, None)
            return sorted(live - state.deleted)

    def record(self, tenant: str, job_id: str, name: str) -> None:
        """A job this process created, adopted or renamed now carries `name`."""
        state = self._state(tenant)
        with state.listing_lock:
            state.written[job_id] = name
            state.deleted.discard(job_id)
            state.held.add(job_id)

    def hold(self, tenant: str, job_id: str) -> bool:
        """Mark job `job_id` as held by one resource; False if a resource here already holds it."""
        state = self._state(tenant)
        with state.listing_lock:
            if job_id in state.held:
                return False
            state.held.add(job_id)
            return True

    def release(self, tenant: str, job_id: str) -> None:
        """Undo `hold` (an adoption that failed before it took the job over)."""
        state = self._state(tenant)
        with state.listing_lock:
            state.held.discard(job_id)

    def mark_adopted(self, tenant: str, job_id: str) -> None:
        """A create of this process took over existing job `job_id`."""
        state = self._state(tenant)
        with state.listing_lock:
            state.adopted.add(job_id)

    def was_adopted(self, tenant: str, job_id: str) -> bool:
        """Whether a create of this process took over job `job_id`."""
        state = self._state(tenant)
        with state.listing_lock:
            return job_id in state.adopted

    def retire(self, tenant: str, job_id: str) -> None:
        """This process deleted job `job_id` for a resource (a replace or a removal)."""
        self.forget(tenant, job_id)
        state = self._state(tenant)
        with state.listing_lock:
            state.retired.add(job_id)

    def was_retired(self, tenant: str, job_id: str) -> bool:
        """Whether this process deleted job `job_id` for a resource."""
        state = self._state(tenant)
        with state.listing_lock:
            return job_id in state.retired

    def forget(self, tenant: str, job_id: str) -> None:
        """A job this process deleted (or found gone) no longer holds its name."""
        state = self._state(tenant)
        with state.listing_lock:
            state.written.pop(job_id, None)
            state.deleted.add(job_id)
            state.held.discard(job_id)

    # ------------------------------------------------------------------ internals

    def _state(self, tenant: str) -> _TenantNames:
        with self._tenants_lock:
            return self._tenants.setdefault(tenant, _TenantNames())

    def _ids_named(self, tenant: str, state: _TenantNames, name: str) -> list[str]:
        with state.listing_lock:
            stale = state.listed is None or time.monotonic() - state.listed_at > self._ttl
            if stale and not state.too_large:
                self._relist(tenant, state)
            if state.listed is not None and not state.too_large:
                ids = {
                    job_id
                    for job_id in state.listed.get(name, set())
                    if state.written.get(job_id, name) == name
                }
                ids |= {job_id for job_id, named in state.written.items() if named == name}
                return sorted(ids - state.deleted)
        # A large tenant: one search for this name (it also sees this process's own jobs).
        return [
            str(job.get("id")) for job in self._connect().find_jobs_by_name(name, tenant_id=tenant)
        ]

    def _relist(self, tenant: str, state: _TenantNames) -> None:
        """Read the tenant's job names, unless that takes more than `max_pages` searches."""
        started = time.monotonic()
        by_name: dict[str, set[str]] = {}
        for page_no in range(1, self._max_pages + 2):
            page = self._connect().search_page(None, page_no, tenant_id=tenant)
            too_many = page.total_pages is not None and page.total_pages > self._max_pages
            if too_many or page_no > self._max_pages:
                state.too_large, state.listed = True, None
                return
            for job in page.jobs:
                by_name.setdefault(str(job.get("name")), set()).add(str(job.get("id")))
            if page.last:
                break
        # `written` and `deleted` stay: a search index may lag behind the writes it lists.
        state.listed, state.listed_at = by_name, started
