"""Job-name uniqueness: every way a job comes to carry a name goes through this module.

OpsRamp accepts two jobs with one name; users of this provider are promised one job per name per
tenant (docs/adoption.md "Adoption, duplicates and replacement"). `NameGuard` keeps that promise
with a few verbs, each called by one provider hook:

- ``create``: make a new job whose name no other job carries (or adopt one, on request);
- ``adopt``: take over an existing job by id (``adopt_id``, ``import_``);
- ``update``: change a job in place, refusing a new name another job carries;
- ``hold`` / ``retire`` / ``was_adopted`` / ``was_retired``: which resource holds which job;
- ``look_alikes``: existing jobs whose names differ from a new one only in case or spacing.

It also owns what a create's answer is worth. A POST whose answer is lost, unreadable or names a
job that is not the one just sent is settled here (``_settle``): the job is looked up, never posted
twice, and a job this operation has not confirmed as its own is never deleted.

The protocol (one round of ``create``; two stacks, or a stack and a script, may race on a name):

1. Look the name up (a listing at most ``INDEX_TTL_SECONDS`` old; a "taken" answer is confirmed
   by a live search). Taken: refuse.
2. POST the job. The job recorded is one confirmed as this operation's: a live search lists the
   answered id under the sent name (or a GET by that id shows the sent name), and that id did not
   carry the name before.
3. Search the name again, live. A search that does not list the job this process just wrote is
   lagging behind writes: wait and search again; its silence about other jobs means nothing.
   No other job carries the name: done. Another does: withdraw (delete) this job, search again
   (twice, a round apart, as the rival may be withdrawing too); a rival still there won: refuse;
   none left (every creator backed off at once): pause, ranked by id, and go round again.
4. Fail closed. When the rivalry cannot be settled (the search keeps failing or lagging, or the
   withdrawal keeps failing), the create fails with `NameNotSettledError`, which names every job
   carrying the name and the command that settles it, and carries the job this operation made so
   that the provider records it (a partial create): nothing is orphaned and nothing is hidden.

Safety, assuming a search is prefix-consistent (one that lists a write lists every write completed
before it; a linearizable store is the special case with no lag):
- Two creators cannot both keep their jobs: of the two jobs, the creator of the one stored second
  trusted only a search that listed its own job, so that search listed the first job too, which
  its creator (keeping it) never deleted; seeing it, it withdrew.
- All creators refusing with no job left is impossible: take the last deletion by any of them, at
  time D. Its creator refused, so its search after D saw another job J; that J is gone in the end,
  so J's creator deleted it after that search, after D: a contradiction.
Both backing off is left to chance: each knows the other's ids, so the one whose id sorts first
retries first and the other after twice as long; at worst a creator gives up after
``CREATE_ROUNDS`` rounds with no job made. Cost: one name search per create, plus a delete and two
searches per collision (searches and writes are separate 50/min budgets).

Residual windows (docs/adoption.md "Adoption, duplicates and replacement"):
- a lost answer settled while another process creates the same name at the same moment: the one
  new job is taken for this operation's (two stacks may then hold one job);
- ``allow_duplicate_name=True`` skips steps 1 and 3 by design;
- a search that is not prefix-consistent (an index that lists a later write before an earlier one)
  voids the proof: that is an assumption about OpsRamp, checked by the acceptance tier.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import random
import threading
import time
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from opsramp_jobs.errors import (
    AmbiguousCreateError,
    JobNotFoundError,
    OpsRampAnswerError,
    OpsRampConnectionError,
    OpsRampError,
    UserError,
)

if TYPE_CHECKING:
    from opsramp_jobs.client import OpsRampClient
    from opsramp_jobs.model import Job

__all__ = [
    "ADOPT_EXISTING_ENV",
    "CREATE_ROUNDS",
    "INDEX_TTL_SECONDS",
    "MAX_INDEX_PAGES",
    "JobNames",
    "NameGuard",
    "NameNotSettledError",
    "fold_name",
]

log = logging.getLogger("opsramp_jobs.provider")

# The one-off switch of docs/adoption.md "If an `up` was interrupted": a create whose name exactly
# one job in the tenant carries adopts that job instead of refusing it. Never on by default.
ADOPT_EXISTING_ENV = "OPSRAMP_ADOPT_EXISTING"
# Rounds of create-then-verify when every creator of one name backed off.
CREATE_ROUNDS = 6
# A round slowed by throttling must not stretch the pauses between rounds to minutes.
MAX_ROUND_SECONDS = 2.0
# How old a listing may be when it says a name is free: the window in which a same-name job
# created outside this process goes unseen until the search after the POST (which withdraws
# ours; never a duplicate). Not shorter: at OpsRamp's limits an `up` spends one search per
# create on that verification, from a budget (50 a minute) no larger than the write budget, so
# every re-read of the listing delays a create (10 s cost an `up` under limits 6 %).
INDEX_TTL_SECONDS = 60.0
# Tenants whose listing takes more pages than this are searched name by name, as a listing would
# then cost more searches than it saves.
MAX_INDEX_PAGES = 5
# Pauses before searching again when a search lags behind this process's own write, or fails
# (after the client's own retries): ~15 s in all before the create fails closed.
SETTLE_PAUSES = (0.5, 1.0, 2.0, 4.0, 8.0)
# Pauses before deleting again when withdrawing a job fails (after the client's own retries).
WITHDRAW_PAUSES = (1.0, 2.0, 4.0, 8.0)
# A server that was merely slow may still be committing a create whose answer was lost.
LOST_ANSWER_SETTLE_SECONDS = 2.0


class NameNotSettledError(UserError):
    """The name's rivalry could not be settled; ``job`` is the job this operation made, if any.

    The provider records ``job`` (a partial create) so that it is not orphaned, and fails the step.
    """

    def __init__(self, message: str, *, job: dict[str, Any] | None) -> None:
        super().__init__(message)
        self.job = job


@functools.lru_cache(maxsize=65536)
def fold_name(name: str) -> str:
    """The form in which two names look alike: NFKC, case-folded, whitespace collapsed."""
    folded = unicodedata.normalize("NFKC", name).casefold()
    # Zero-width characters (Unicode category Cf) are invisible in every UI that shows a name.
    visible = "".join(c for c in folded if unicodedata.category(c) != "Cf")
    return " ".join(visible.split())


# --------------------------------------------------------------------------------------------
# What this process knows of each tenant's names
# --------------------------------------------------------------------------------------------


@dataclass
class _TenantNames:
    """What this process knows of one tenant's job names."""

    listing_lock: threading.Lock = field(default_factory=threading.Lock)
    claims: threading.Condition = field(default_factory=threading.Condition)
    claimed: set[str] = field(default_factory=set)  # names with a create in flight here
    listed: dict[str, set[str]] | None = None  # name -> ids, from the last listing
    listed_folds: dict[str, set[str]] = field(default_factory=dict)  # fold_name -> names listed
    listed_at: float = 0.0  # monotonic time the last listing started
    too_large: bool = False  # listing exceeds max_pages: search by name instead
    # This process's own writes, applied over every listing (kept for the process's life).
    written: dict[str, str] = field(default_factory=dict)  # id -> name it now carries
    deleted: set[str] = field(default_factory=set)  # ids deleted
    # Jobs a resource of this program holds (created, adopted, updated or diffed here): a second
    # resource may not adopt one of them.
    held: set[str] = field(default_factory=set)
    adopted: set[str] = field(default_factory=set)  # ids a create adopted here
    retired: set[str] = field(default_factory=set)  # ids deleted here at the engine's request


class JobNames:
    """Answers "which jobs in this tenant carry this name?" for creates, thread-safely.

    Searching the name before every create doubled the requests of an `up` and spent the tenant's
    search budget (50 paginated GETs a minute on client tenants, shared with every other
    integration). Instead, one listing of the tenant's jobs answers every create for up to
    ``ttl`` seconds, and the jobs this process creates, renames and deletes are applied on top.
    A listing can only be the first filter: the live search after every POST (`NameGuard`) is
    what makes two processes agree.
    """

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
        first's job (the engine runs several creates at once).
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

    def search(self, tenant: str, name: str) -> set[str]:
        """The ids a live search lists under `name` now (the listing learns the answer)."""
        live = {
            str(job.get("id")) for job in self._connect().find_jobs_by_name(name, tenant_id=tenant)
        }
        state = self._state(tenant)
        with state.listing_lock:
            if state.listed is not None:
                state.listed[name] = set(live)
        return live

    def confirm(self, tenant: str, name: str) -> list[str]:
        """The ids carrying `name` now, from a live search (before a create is refused)."""
        live = self.search(tenant, name)
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
            if state.listed is not None:
                state.listed[name] = set(live)
            for job_id in unlisted:
                if job_id not in live:
                    state.written.pop(job_id, None)
            return sorted(live - state.deleted)

    def named_alike(self, tenant: str, name: str) -> list[tuple[str, str]]:
        """(id, name) of known jobs whose name folds like `name` but is not `name`.

        From the listing, so free within its ttl; a tenant too large to list is not checked (a
        search matches exact names only, and one per name would spend the search budget).
        """
        folded = fold_name(name)
        state = self._state(tenant)
        with state.listing_lock:
            self._refresh_listing(tenant, state)
            if state.listed is None:
                return []
            alike = {
                job_id: other
                for other in state.listed_folds.get(folded, set())
                for job_id in state.listed.get(other, set())
                if state.written.get(job_id, other) == other
            }
            # This process's own writes (few): folded as they are looked at.
            alike.update(
                (job_id, other)
                for job_id, other in state.written.items()
                if fold_name(other) == folded
            )
            return sorted(
                (job_id, other)
                for job_id, other in alike.items()
                if other != name and job_id not in state.deleted
            )

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

    def _refresh_listing(self, tenant: str, state: _TenantNames) -> None:
        """Read the listing again when it is older than the ttl (caller holds listing_lock)."""
        stale = state.listed is None or time.monotonic() - state.listed_at > self._ttl
        if stale and not state.too_large:
            self._relist(tenant, state)

    def _ids_named(self, tenant: str, state: _TenantNames, name: str) -> list[str]:
        with state.listing_lock:
            self._refresh_listing(tenant, state)
            if state.listed is not None and not state.too_large:
                ids = {
                    job_id
                    for job_id in state.listed.get(name, set())
                    if state.written.get(job_id, name) == name
                }
                ids |= {job_id for job_id, named in state.written.items() if named == name}
                return sorted(ids - state.deleted)
        # A large tenant: one search for this name (it also sees this process's own jobs).
        return sorted(self.search(tenant, name) - state.deleted)

    def _relist(self, tenant: str, state: _TenantNames) -> None:
        """Read the tenant's job names, unless that takes more than `max_pages` searches."""
        started = time.monotonic()
        by_name: dict[str, set[str]] = {}
        for page in self._connect().search_pages(None, tenant_id=tenant):
            too_many = page.total_pages is not None and page.total_pages > self._max_pages
            if too_many or page.page_no > self._max_pages:
                state.too_large, state.listed = True, None
                return
            for job in page.jobs:
                by_name.setdefault(str(job.get("name")), set()).add(str(job.get("id")))
        # `written` and `deleted` stay: a search index may lag behind the writes it lists.
        state.listed, state.listed_at = by_name, started
        state.listed_folds = {}
        for listed_name in by_name:
            state.listed_folds.setdefault(fold_name(listed_name), set()).add(listed_name)


# --------------------------------------------------------------------------------------------
# The guard
# --------------------------------------------------------------------------------------------


def _answered_id(answer: object) -> str | None:
    """The job id a create's answer names, when it names one usably."""
    if not isinstance(answer, dict):
        return None
    raw = answer.get("id")
    if isinstance(raw, bool) or not isinstance(raw, str | int) or not str(raw).strip():
        return None
    return str(raw).strip()


def _already_exists(name: str, tenant: str, ids: Sequence[str]) -> UserError:
    """The refusal of a create whose name another job in the tenant carries."""
    return UserError(
        f"job {name!r} already exists in tenant {tenant!r} (id {', '.join(ids)}); adopt it with "
        f"adopt_id={ids[0]!r} or choose another name (allow_duplicate_name=True creates a second "
        f"job anyway; if an interrupted `pulumi up` created it: `{ADOPT_EXISTING_ENV}=1 pulumi "
        "up` once adopts it)"
    )


def _name_taken(job_id: str, name: str, tenant: str, ids: Sequence[str]) -> UserError:
    """The refusal of a rename (or an adoption) to a name another job in the tenant carries."""
    return UserError(
        f"cannot give job {job_id} the name {name!r}: job {', '.join(ids)} in tenant {tenant!r} "
        "already carries it; choose another name, or rename or delete that job first "
        "(allow_duplicate_name=True permits two jobs with one name)"
    )


class NameGuard:
    """One job per name per tenant, for every create, adoption and rename of one process."""

    def __init__(
        self,
        connect: Callable[[], OpsRampClient],
        *,
        names: JobNames | None = None,
        settle_pauses: Sequence[float] = SETTLE_PAUSES,
        withdraw_pauses: Sequence[float] = WITHDRAW_PAUSES,
        lost_answer_settle_seconds: float = LOST_ANSWER_SETTLE_SECONDS,
    ) -> None:
        self._connect = connect
        self.names = names if names is not None else JobNames(connect)
        self._settle_pauses = tuple(settle_pauses)
        self._withdraw_pauses = tuple(withdraw_pauses)
        self._lost_answer_settle_seconds = lost_answer_settle_seconds
        self._warned: set[tuple[str, str, str]] = set()
        self._warned_lock = threading.Lock()

    # ------------------------------------------------------------------ which resource holds what

    def hold(self, tenant: str, job_id: str) -> None:
        """A resource of this program holds job `job_id` (so no other one adopts it)."""
        self.names.hold(tenant, job_id)

    def retire(self, tenant: str, job_id: str) -> None:
        """Job `job_id` was deleted at the engine's request: its name is free again."""
        self.names.retire(tenant, job_id)

    def was_adopted(self, tenant: str, job_id: str) -> bool:
        """Whether a create of this process took over job `job_id` (so no delete may remove it)."""
        return self.names.was_adopted(tenant, job_id)

    def was_retired(self, tenant: str, job_id: str) -> bool:
        """Whether job `job_id` was deleted here at the engine's request (a replace)."""
        return self.names.was_retired(tenant, job_id)

    def look_alikes(self, tenant: str, name: str) -> list[tuple[str, str]]:
        """Jobs (id, name) whose names differ from `name` only in case, spacing or Unicode form."""
        return self.names.named_alike(tenant, name)

    # ------------------------------------------------------------------ create

    def create(
        self, job: Job, tenant: str, *, allow_duplicate: bool, adopt_existing: bool = False
    ) -> dict[str, Any]:
        """Create `job` unless its name is taken; the job as OpsRamp stored it, confirmed ours.

        ``adopt_existing``: the one-off switch (``OPSRAMP_ADOPT_EXISTING``): a name exactly one
        job carries is adopted instead of refused.
        """
        name = job.name
        if not name:  # check requires a name; only a direct caller can get here without one
            return self.create_once(job.to_wire(), tenant)
        pause = 0.0
        for round_no in range(CREATE_ROUNDS):
            if round_no:
                log.info(
                    "job %r: another create of it collided with ours; retrying in %.2fs",
                    name, pause,
                )  # fmt: skip
                time.sleep(pause)
            with self.names.claim(tenant, name) as listed:
                # The listing may be seconds old: a "taken" is confirmed live; so is every answer
                # after a collision, when the rival may just have made its job.
                existing = listed
                if (listed or round_no > 0) and not allow_duplicate:
                    existing = self.names.confirm(tenant, name)
                if existing and not allow_duplicate:
                    if adopt_existing:
                        return self._adopt_only_match(job, tenant, existing)
                    raise _already_exists(name, tenant, existing)
                started = time.monotonic()
                if allow_duplicate:
                    live = self.create_once(job.to_wire(), tenant, existing=existing)
                    self.names.record(tenant, str(live["id"]), name)
                    return live
                live, rivals = self._create_verified(job, tenant, name, existing)
                if not rivals:
                    return live
                mine = str(live["id"])
                self._withdraw(tenant, name, mine, rivals, live)
                round_seconds = min(time.monotonic() - started, MAX_ROUND_SECONDS)
                remaining = self._rivals_after_withdrawal(tenant, name, mine, rivals)
                if remaining:
                    # The rival may be withdrawing too (it saw ours) and about to retry: look
                    # again a round later, so that a refusal names the job that stays.
                    time.sleep(round_seconds)
                    remaining = self._rivals_after_withdrawal(tenant, name, mine, rivals)
                if remaining:
                    if adopt_existing:  # a job the listing had not seen yet: the switch's case
                        return self._adopt_only_match(job, tenant, remaining)
                    raise _already_exists(name, tenant, remaining)
                # Ids are strings: "sorts first" is string order, the same in every process.
                rank = sum(1 for rival in rivals if rival < mine)
                pause = (2 * rank + random.random()) * round_seconds * 2**round_no
        raise UserError(
            f"job {name!r} in tenant {tenant!r}: another process created the same name at the "
            f"same moment {CREATE_ROUNDS} times in a row, and each time both withdrew; no job of "
            "this name was left by this `up`: run `pulumi up` again"
        )

    def warn_look_alikes(self, tenant: str, name: str) -> None:
        """Warn (never refuse: OpsRamp decides what is equal) about look-alike names, once each."""
        try:
            alike = self.look_alikes(tenant, name)
        except OpsRampError as error:
            log.info("look-alike names of %r not checked: %s", name, error.message)
            return
        for job_id, other in alike:
            with self._warned_lock:
                if (tenant, name, job_id) in self._warned:
                    continue
                self._warned.add((tenant, name, job_id))
            log.warning(look_alike_warning(name, tenant, job_id, other))

    def _create_verified(
        self, job: Job, tenant: str, name: str, existing: Sequence[str]
    ) -> tuple[dict[str, Any], list[str]]:
        """POST the job; (the job confirmed ours, the other jobs a live search lists by name)."""
        answer, lost = self._post(job.to_wire(), tenant)
        claimed = _answered_id(answer)
        if lost is not None or claimed is None or claimed in existing:
            live = self._settle(job.to_wire(), tenant, name, existing, lost=lost)
            self.names.record(tenant, str(live["id"]), name)
            return live, self._rivals_of(tenant, name, str(live["id"]), live)
        # The answer names a job: it is ours only once OpsRamp shows it under the name we sent.
        found = self._search_settled(tenant, name, claimed, answer, identity_unknown=True)
        if found is None:
            # The answered id is not a job named `name` (a proxy or a server answering with some
            # other job's id): never record it, never delete it; find the job we made.
            log.warning(
                "OpsRamp answered the create of job %r in %s with id %s, which is not a job of "
                "that name; looking the new job up instead", name, tenant, claimed,
            )  # fmt: skip
            live = self._settle(job.to_wire(), tenant, name, existing, lost=None, answered=claimed)
            self.names.record(tenant, str(live["id"]), name)
            return live, self._rivals_of(tenant, name, str(live["id"]), live)
        live = {**answer, "id": claimed} if isinstance(answer, dict) else {"id": claimed}
        self.names.record(tenant, claimed, name)
        return live, sorted(found - {claimed})

    def _post(
        self, body: dict[str, Any], tenant: str
    ) -> tuple[object, OpsRampConnectionError | None]:
        """One create request: (the answer, None), or (None, why) when the answer was lost."""
        try:
            return self._connect().create_job(body, tenant_id=tenant), None
        except OpsRampAnswerError as unreadable:
            # A 2xx the client could not read: the server acted; look the job up, never resend.
            log.warning("%s; looking the new job up instead", unreadable.message)
            return None, None
        except OpsRampConnectionError as exc:
            if not exc.request_may_have_been_sent:
                raise
            return None, exc

    def _rivals_of(self, tenant: str, name: str, mine: str, live: dict[str, Any]) -> list[str]:
        """Other jobs carrying `name` once a search lists job `mine`; fails closed."""
        found = self._search_settled(tenant, name, mine, live, identity_unknown=False)
        if found is None:
            # Confirmed ours by the settle, yet not under the name: someone renamed it already.
            return []
        return sorted(found - {mine})

    def _search_settled(
        self,
        tenant: str,
        name: str,
        mine: str,
        live: object,
        *,
        identity_unknown: bool,
        renamed: bool = False,
    ) -> set[str] | None:
        """A live search that lists job `mine`; None when `mine` is not a job named `name`.

        A search that does not list `mine` is asked again after a pause while it fails or lags
        behind writes (a GET shows `mine` under `name`); past the last pause the name cannot be
        settled: NameNotSettledError (the job confirmed ours), or AmbiguousCreateError when not
        even a GET could tell whether the answered id is ours.
        """
        problem = ""
        confirmed = not identity_unknown
        for pause in (*self._settle_pauses, None):
            found: set[str] | None = None
            try:
                found = self.names.search(tenant, name)
            except OpsRampError as error:
                problem = f"the search for the name failed ({error.message})"
            if found is not None and mine in found:
                return found
            if not confirmed:
                shown = self._shows_name(tenant, mine, name)
                if shown is False:
                    return None
                confirmed = shown is True
            if found is not None:
                problem = (
                    f"OpsRamp's search does not list job {mine} under that name yet (it lags "
                    "behind writes), so it cannot show whether another job carries the name"
                )
            if pause is None:
                break
            # Said once per create (the CLI shows the provider's warnings), then quietly.
            level = logging.WARNING if pause == self._settle_pauses[0] else logging.INFO
            log.log(level, "job %r in %s: %s; searching again for up to %.0fs", name, tenant,
                    problem, sum(self._settle_pauses))  # fmt: skip
            time.sleep(pause)
        if not confirmed:
            # Neither the search nor a GET could show the answered id to be ours: not recorded.
            raise AmbiguousCreateError(
                f"OpsRamp answered the create of job {name!r} in tenant {tenant!r} with id "
                f"{mine}, and {problem}; look for jobs named {name!r} (OpsRamp > Automation > "
                f"Jobs) before retrying: if one is there, `{ADOPT_EXISTING_ENV}=1 pulumi up` "
                "adopts it",
                candidates=[mine],
            )
        job = live if isinstance(live, dict) else None
        done = "was renamed" if renamed else "was created and is kept in the state"
        raise self._not_settled(tenant, name, mine, job, problem, done=done)

    def _shows_name(self, tenant: str, job_id: str, name: str) -> bool | None:
        """Whether job `job_id` carries `name` (None: the GET failed, so it cannot tell)."""
        try:
            return self._connect().get_job(job_id, tenant_id=tenant).get("name") == name
        except JobNotFoundError:
            return False
        except OpsRampError:
            return None

    def _withdraw(
        self, tenant: str, name: str, mine: str, rivals: Sequence[str], live: dict[str, Any]
    ) -> None:
        """Delete job `mine` (confirmed ours) after a collision; fails closed if it cannot."""
        problem = ""
        for pause in (*self._withdraw_pauses, None):
            try:
                with contextlib.suppress(JobNotFoundError):
                    self._connect().delete_job(mine, tenant_id=tenant)
            except OpsRampError as error:
                problem = f"deleting job {mine} failed: {error.message}"
            else:
                self.names.forget(tenant, mine)
                return
            if pause is None:
                break
            log.info("job %r in %s: %s; trying again in %.1fs", name, tenant, problem, pause)
            time.sleep(pause)
        others = ", ".join(rivals)
        raise self._not_settled(
            tenant, name, mine, live, f"job {others} carries it too, and {problem}"
        )

    def _rivals_after_withdrawal(
        self, tenant: str, name: str, mine: str, rivals: Sequence[str]
    ) -> list[str]:
        """Other jobs carrying `name` after ours was withdrawn; fails (no job of ours left)."""
        problem = ""
        for pause in (*self._settle_pauses, None):
            try:
                return [job_id for job_id in self.names.confirm(tenant, name) if job_id != mine]
            except OpsRampError as error:
                problem = error.message
            if pause is None:
                break
            time.sleep(pause)
        raise UserError(
            f"job {name!r} in tenant {tenant!r}: job {', '.join(rivals)} was created with the "
            f"same name at the same moment, so this `up` withdrew its own job, and then could "
            f"not tell whether {', '.join(rivals)} still carries the name (the search failed: "
            f"{problem}); no job of this resource exists: run `pulumi up` again"
        )

    def _not_settled(
        self,
        tenant: str,
        name: str,
        mine: str,
        live: dict[str, Any] | None,
        problem: str,
        *,
        done: str = "was created and is kept in the state",
    ) -> NameNotSettledError:
        """The failure of a create whose job exists but whose name may be carried twice."""
        carried = self._carriers(tenant, name, mine)
        others = [job_id for job_id in carried if job_id != mine]
        listed = ", ".join(carried) if carried else mine
        if others:
            fix = (
                f"keep one: `pulumi destroy --target <URN>` deletes job {mine} with this "
                f"resource (`pulumi stack --show-urns` lists the URN), or delete job "
                f"{', '.join(others)} in OpsRamp or in the stack that made it; then run "
                "`pulumi up`"
            )
        else:
            fix = (
                f"run `pulumi up` again once OpsRamp answers: it checks the name again (job "
                f"{mine} stays in this stack's state)"
            )
        return NameNotSettledError(
            f"job {name!r} in tenant {tenant!r}: could not make sure that no other job carries "
            f"the name: {problem}. Jobs known to carry it: {listed}. Job {mine} {done}. To "
            f"settle it, {fix}",
            job=live if live is not None else {"id": mine},
        )

    def _carriers(self, tenant: str, name: str, mine: str) -> list[str]:
        """Every id known to carry `name` (one more search; what is known if it fails)."""
        known = {mine}
        with contextlib.suppress(OpsRampError):
            known |= self.names.search(tenant, name)
        return sorted(known)

    # ------------------------------------------------------------------ a create exactly once

    def create_once(
        self,
        body: dict[str, Any],
        tenant: str,
        *,
        existing: Sequence[str] | None = None,
    ) -> dict[str, Any]:
        """POST a job exactly once, whatever the answer; no name check (doctor, allow_duplicate).

        ``existing``: ids already carrying the job's name (searched here when not given), so
        that a job found after a lost or unusable answer is known to be this one.
        """
        name = body.get("name")
        known = list(existing) if existing is not None else None
        if known is None and isinstance(name, str) and name:
            known = sorted(self.names.search(tenant, name))
        answer, lost = self._post(body, tenant)
        claimed = _answered_id(answer)
        if lost is None and claimed is not None and (known is None or claimed not in known):
            echoed = answer.get("name") if isinstance(answer, dict) else None
            if (
                isinstance(name, str)
                and name
                and echoed != name
                and self._shows_name(tenant, claimed, name) is False
            ):
                # An answer that does not echo the name sent is checked by a GET: when the id
                # is some other job's, settle by name and never touch that job.
                return self._settle(body, tenant, name, known or [], lost=None, answered=claimed)
            return {**answer, "id": claimed} if isinstance(answer, dict) else {"id": claimed}
        if not isinstance(name, str) or not name or known is None:
            raise AmbiguousCreateError(
                f"A create was sent to tenant {tenant} and its answer was lost or unusable, and "
                "the job has no name to look it up by: check the tenant's jobs before retrying",
                candidates=[],
            )
        return self._settle(body, tenant, name, known, lost=lost)

    def _new_ids(self, tenant: str, name: str, existing: Sequence[str]) -> list[str]:
        """Ids of jobs named `name` that were not there before the create."""
        try:
            found = self._connect().find_jobs_by_name(name, tenant_id=tenant)
        except OpsRampError as exc:
            raise AmbiguousCreateError(
                f"The answer to creating job {name!r} in tenant {tenant} was lost or unusable, "
                f"and the check for the job failed ({exc.message}): look for jobs named "
                f"{name!r} before retrying, or the retry may create a second one",
                candidates=[],
            ) from exc
        return sorted({str(job.get("id")) for job in found} - set(existing))

    def _settle(
        self,
        body: dict[str, Any],
        tenant: str,
        name: str,
        existing: Sequence[str],
        *,
        lost: OpsRampConnectionError | None,
        answered: str | None = None,
    ) -> dict[str, Any]:
        """After a create whose answer was lost or unusable: the job it made, found by name.

        Only a request that certainly never reached the server is sent again (`lost` and no job
        found): an answer that came back (unreadable, or naming another job) means the server
        acted, so it is looked up, never posted twice.
        """
        new_ids = self._new_ids(tenant, name, existing)
        waits = [self._lost_answer_settle_seconds] if lost is not None else [*self._settle_pauses]
        for pause in waits:
            if new_ids or pause <= 0:
                break
            # A server that was merely slow may still be committing, or its search lag behind.
            time.sleep(pause)
            new_ids = self._new_ids(tenant, name, existing)
        if new_ids:
            return self._found(name, tenant, new_ids)
        if lost is None:
            told = f" naming job {answered}, which is not it" if answered else " without a job id"
            raise AmbiguousCreateError(
                f"OpsRamp answered the create of job {name!r} in tenant {tenant}{told}, and no "
                f"new job of that name shows up in its search: look for jobs named {name!r} "
                f"(OpsRamp > Automation > Jobs) before retrying; if one is there, "
                f"`{ADOPT_EXISTING_ENV}=1 pulumi up` adopts it",
                candidates=[],
            )
        # No job with this name appeared: the server did not act, so one more POST is safe.
        log.warning(
            "create of job %r in %s lost its answer and stored nothing; resending", name, tenant
        )
        try:
            created = self._connect().create_job(body, tenant_id=tenant)
        except OpsRampAnswerError:
            created = None
        except OpsRampConnectionError as exc:
            if not exc.request_may_have_been_sent:
                raise
            new_ids = self._new_ids(tenant, name, existing)
            if new_ids:
                return self._found(name, tenant, new_ids)
            raise OpsRampConnectionError(
                f"Creating job {name!r} in tenant {tenant} failed twice in transport "
                f"({lost.message}) and no such job exists: it is safe to retry",
                request_may_have_been_sent=False,
            ) from exc
        new_ids = self._new_ids(tenant, name, existing)
        created_id = _answered_id(created)
        if (
            created_id is not None
            and created_id not in new_ids
            and self._shows_name(tenant, created_id, name) is True
        ):
            new_ids = sorted({*new_ids, created_id})  # the search lags behind the resend
        if created_id is None or created_id not in new_ids:
            # The resend's answer is no better: settle on what the search shows.
            if new_ids:
                return self._found(name, tenant, new_ids)
            raise AmbiguousCreateError(
                f"Creating job {name!r} in tenant {tenant} was sent twice and neither answer "
                f"names a job of that name: look for jobs named {name!r} before retrying",
                candidates=[],
            )
        late = [job_id for job_id in new_ids if job_id != created_id]
        if late:
            # The first request was committed after all, after our look-up: keep that one and
            # delete the resend's job, which this operation just made (confirmed by the search).
            log.warning("create of job %r committed late; deleting the duplicate %s",
                        name, created_id)  # fmt: skip
            self._connect().delete_job(created_id, tenant_id=tenant)
            return self._found(name, tenant, late)
        return {**created, "id": created_id} if isinstance(created, dict) else {"id": created_id}

    def _found(self, name: str, tenant: str, new_ids: Sequence[str]) -> dict[str, Any]:
        """The one job a lost create made, in full; AmbiguousCreateError when there are several."""
        if len(new_ids) > 1:
            raise AmbiguousCreateError(
                f"The answer to creating job {name!r} in tenant {tenant} was lost or unusable, "
                f"and {len(new_ids)} new jobs with that name now exist ({', '.join(new_ids)}): "
                "delete the extra ones (or adopt one by id), then retry",
                candidates=list(new_ids),
            )
        log.info("create of job %r in %s: adopting job %s, found by name", name, tenant, new_ids[0])
        live = self._connect().get_job(new_ids[0], tenant_id=tenant)
        return {**live, "id": new_ids[0]}

    # ------------------------------------------------------------------ adopt

    def _adopt_only_match(self, job: Job, tenant: str, existing: Sequence[str]) -> dict[str, Any]:
        """With OPSRAMP_ADOPT_EXISTING: take over the one job carrying the declared name."""
        if len(existing) > 1:
            raise UserError(
                f"{len(existing)} jobs are named {job.name!r} in tenant {tenant!r} "
                f"({', '.join(existing)}); {ADOPT_EXISTING_ENV} adopts only a single match: adopt "
                f"one with adopt_id={existing[0]!r} and delete the others"
            )
        log.warning(
            "job %r: adopting existing job %s (%s=1)", job.name, existing[0], ADOPT_EXISTING_ENV
        )
        return self.adopt(job, tenant, existing[0])

    def adopt(self, job: Job, tenant: str, job_id: str) -> dict[str, Any]:
        """Take over job `job_id`: update it to the declared inputs; the job as stored."""
        if not self.names.hold(tenant, job_id):
            raise UserError(
                f"job {job_id} in tenant {tenant!r} is already managed by another resource of "
                "this program: two resources must not hold one job (deleting one would delete "
                "the other's job); remove one of them or its adopt_id"
            )
        try:
            live = self._take_over(job, tenant, job_id)
        except BaseException:
            self.names.release(tenant, job_id)
            raise
        self.names.mark_adopted(tenant, job_id)
        if job.name:
            self.names.record(tenant, job_id, job.name)
        return live

    def _take_over(self, job: Job, tenant: str, job_id: str) -> dict[str, Any]:
        """Update existing job `job_id` to the declared inputs, unless its new name is taken."""
        client = self._connect()
        try:
            current = client.get_job(job_id, tenant_id=tenant)
        except JobNotFoundError:
            raise UserError(
                f"adopt_id/import_ {job_id!r}: no such job in tenant {tenant!r}; check the id "
                "(OpsRamp > Automation > Jobs) or remove it to create a new job"
            ) from None
        live_type = job_type_of(current)
        if live_type is not None and live_type != job.job_type:
            # Assumption (as in diff): OpsRamp does not change a job's type in place, so adopting
            # a job of another type would be the in-place type change a replace exists to avoid.
            raise UserError(
                f"adopt_id/import_ {job_id!r}: that job is of type {live_type!r} and the program "
                f"declares {job.job_type!r}; a job's type cannot change in place: declare "
                f"script={{'jobType': {live_type!r}, ...}} to adopt it, or remove adopt_id/import_ "
                "to create a new job"
            )
        if job.name and current.get("name") != job.name:
            taken = [i for i in self.names.confirm(tenant, job.name) if i != job_id]
            if taken:
                raise _name_taken(job_id, job.name, tenant, taken)
        return self._written(job_id, tenant, job.to_wire())

    # ------------------------------------------------------------------ update (rename)

    def update(
        self,
        job_id: str,
        job: Job,
        tenant: str,
        old: Job | None,
        old_name: object,
        *,
        allow_duplicate: bool,
    ) -> dict[str, Any]:
        """Update a job in place; a new name another job carries is refused before it is sent.

        ``old``: the job as the state holds it (to undo a rename that lost a race), when it parses.
        """
        name = job.name or ""
        renamed = bool(name) and old_name != name and not allow_duplicate
        if renamed:
            taken = [i for i in self.names.confirm(tenant, name) if i != job_id]
            if taken:
                raise _name_taken(job_id, name, tenant, taken)
        try:
            live = self._written(job_id, tenant, job.to_wire())
        except JobNotFoundError:
            raise UserError(
                f"job {job_id} no longer exists in tenant {tenant!r} (deleted outside "
                "Pulumi?): run `pulumi refresh` to drop it from the state, then `pulumi up` "
                "to create it again"
            ) from None
        if not name:
            return live
        self.names.record(tenant, job_id, name)
        if not renamed:
            return live
        # If this fails, the rename is applied and the state keeps the old name: the next `up`
        # renames (and checks) again.
        found = self._search_settled(
            tenant, name, job_id, live, identity_unknown=False, renamed=True
        )
        rivals = sorted((found or set()) - {job_id})
        if not rivals:
            return live
        # Someone took the name while we renamed: put the old job back (the state keeps it).
        if old is None:
            raise _name_taken(job_id, name, tenant, rivals)
        try:
            self._written(job_id, tenant, old.to_wire())
        except OpsRampError as error:
            raise UserError(
                f"job {job_id} was renamed to {name!r}, which job {', '.join(rivals)} in tenant "
                f"{tenant!r} also carries, and undoing the rename failed ({error.message}): "
                f"rename one of them, then run `pulumi up`"
            ) from None
        if old.name:
            self.names.record(tenant, job_id, old.name)
        raise _name_taken(job_id, name, tenant, rivals)

    def recheck(self, job_id: str, name: str, tenant: str, live: dict[str, Any]) -> None:
        """Check again that job `job_id` alone carries `name` (a partial create retried).

        A create that failed closed left its job in the state with an error; the engine then calls
        update with unchanged inputs on every `up` until it succeeds, so the `up` keeps failing
        while another job carries the name.
        """
        found = self._search_settled(tenant, name, job_id, live, identity_unknown=False)
        rivals = sorted((found or set()) - {job_id})
        if rivals:
            raise self._not_settled(
                tenant, name, job_id, live, f"job {', '.join(rivals)} carries it too",
                done="is in the state",
            )  # fmt: skip

    def _written(self, job_id: str, tenant: str, body: dict[str, Any]) -> dict[str, Any]:
        """Update job `job_id` with `body`; the job as stored (read back if the answer is not)."""
        client = self._connect()
        try:
            answer: object = client.update_job(job_id, {**body, "id": job_id}, tenant_id=tenant)
        except OpsRampAnswerError:
            answer = None
        if _answered_id(answer) in (None, job_id) and isinstance(answer, dict) and answer:
            return {**answer, "id": job_id}
        # An answer without the job, or about another job: what OpsRamp stored is read back.
        return {**client.get_job(job_id, tenant_id=tenant), "id": job_id}


def job_type_of(props: Any) -> object:
    """The job type of a job's properties (OpsRamp quirk: custom jobs are echoed without one)."""
    script = props.get("script") if isinstance(props, dict) else None
    if not isinstance(script, dict):
        return script
    return script.get("jobType", "custom" if "customScript" in script else None)


def look_alike_warning(name: str, tenant: str, job_id: str, other: str) -> str:
    """The warning for a name that differs from an existing job's only in case, space or form."""
    return (
        f"job {name!r}: job {job_id} in tenant {tenant!r} is named {other!r}, which differs "
        "only in case, spacing or Unicode form; OpsRamp keeps them as two jobs with names that "
        "look the same in its console: rename one, or adopt that job with "
        f"adopt_id={job_id!r}, if they are meant to be one"
    )
