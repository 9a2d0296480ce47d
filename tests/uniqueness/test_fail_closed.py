"""The guard fails closed: strange answers never cost a user's job, unsettled names fail loudly.

Each test drives `NameGuard.create` against the emulator over real HTTP, with the emulator's
faults standing in for a misbehaving proxy or server, and checks what OpsRamp holds afterwards.
"""

from __future__ import annotations

from typing import Any

import pytest

from opsramp_jobs.client import OpsRampClient
from opsramp_jobs.errors import AmbiguousCreateError
from opsramp_jobs.presentation import UserError
from opsramp_jobs.uniqueness import NameGuard, NameNotSettledError
from tests.client.conftest import job_body, route_count
from tests.support.emulator import CLIENT13_TENANT, EmulatorProcess
from tests.uniqueness.conftest import (
    CREATE_ROUTE,
    DELETE_ROUTE,
    JOB_PATH,
    JOBS_PATH,
    SEARCH_PATH,
    declared,
)

EMPTY_PAGE = {"results": [], "totalResults": 0, "pageNo": 1, "pageSize": 100, "nextPage": False}


def stored(emulator: EmulatorProcess) -> dict[str, str]:
    """Job id -> name, as OpsRamp holds them."""
    return {entry["job"]["id"]: entry["job"]["name"] for entry in emulator.jobs()}


def made_outside(client: OpsRampClient, name: str) -> str:
    """A job someone made outside Pulumi; its id."""
    return str(client.create_job(job_body(name), tenant_id=CLIENT13_TENANT)["id"])


def with_stale_listing(guard: NameGuard) -> None:
    """Let the guard list the tenant now, so a job made next is unseen until the POST's check."""
    guard.look_alikes(CLIENT13_TENANT, "anything")


# ------------------------------------------------------------------ what a create's answer says


@pytest.mark.parametrize("answer", ["id only", "the whole job"])
def test_a_create_answered_with_another_jobs_id_never_touches_that_job(
    guard: NameGuard, client: OpsRampClient, emulator: EmulatorProcess, answer: str
) -> None:
    precious = made_outside(client, "precious-user-job")
    body: dict[str, Any] = {"id": precious}
    if answer == "the whole job":
        body = client.get_job(precious, tenant_id=CLIENT13_TENANT)
    emulator.add_fault(method="POST", path=JOBS_PATH, action="answer_after_commit", body=body)
    live = guard.create(declared("mine"), CLIENT13_TENANT, allow_duplicate=False)
    jobs = stored(emulator)
    assert jobs[precious] == "precious-user-job"
    assert live["id"] != precious
    assert jobs == {precious: "precious-user-job", live["id"]: "mine"}
    assert route_count(emulator, DELETE_ROUTE) == 0
    assert route_count(emulator, CREATE_ROUTE) == 2  # the user's job, then ours: never resent


def test_a_duplicate_allowed_create_answered_with_another_jobs_id_finds_its_own(
    guard: NameGuard, client: OpsRampClient, emulator: EmulatorProcess
) -> None:
    precious = made_outside(client, "precious-user-job")
    emulator.add_fault(
        method="POST", path=JOBS_PATH, action="answer_after_commit", body={"id": precious}
    )
    live = guard.create(declared("mine"), CLIENT13_TENANT, allow_duplicate=True)
    assert stored(emulator) == {precious: "precious-user-job", live["id"]: "mine"}


@pytest.mark.parametrize(
    ("status", "body", "content_type"),
    [
        (200, "<html><body>Request accepted</body></html>", "text/html"),
        (201, {}, "application/json"),
        (201, {"id": ""}, "application/json"),
        (200, ["not", "a", "job"], "application/json"),
    ],
    ids=["html-200", "201-without-id", "201-empty-id", "a-list"],
)
def test_a_success_without_a_usable_job_is_looked_up_never_posted_again(
    guard: NameGuard,
    emulator: EmulatorProcess,
    status: int,
    body: object,
    content_type: str,
) -> None:
    emulator.add_fault(
        method="POST",
        path=JOBS_PATH,
        action="answer_after_commit",
        status=status,
        body=body,
        content_type=content_type,
    )
    live = guard.create(declared("strange answer"), CLIENT13_TENANT, allow_duplicate=False)
    assert stored(emulator) == {live["id"]: "strange answer"}
    assert live["name"] == "strange answer"  # read back in full
    assert route_count(emulator, CREATE_ROUTE) == 1


def test_a_success_without_a_job_and_nothing_stored_fails_without_posting_again(
    guard: NameGuard, emulator: EmulatorProcess
) -> None:
    emulator.add_fault(method="POST", path=JOBS_PATH, status=200, body={})
    with pytest.raises(AmbiguousCreateError, match="without a job id") as caught:
        guard.create(declared("ghost"), CLIENT13_TENANT, allow_duplicate=False)
    assert "OPSRAMP_ADOPT_EXISTING=1" in str(caught.value)
    assert stored(emulator) == {}
    assert route_count(emulator, CREATE_ROUTE) == 1


# ------------------------------------------------------------------ the rivalry fails closed


def test_a_withdrawal_that_keeps_failing_fails_the_create_and_keeps_its_job(
    guard: NameGuard, client: OpsRampClient, emulator: EmulatorProcess
) -> None:
    with_stale_listing(guard)
    rival = made_outside(client, "contested")
    emulator.add_fault(method="DELETE", path=JOB_PATH, status=503, count=1000)
    with pytest.raises(NameNotSettledError) as caught:
        guard.create(declared("contested"), CLIENT13_TENANT, allow_duplicate=False)
    assert caught.value.job is not None
    mine = str(caught.value.job["id"])
    assert stored(emulator) == {rival: "contested", mine: "contested"}
    message = str(caught.value)
    assert rival in message
    assert mine in message
    assert "pulumi destroy --target" in message
    assert "kept in the state" in message


def test_a_withdrawal_that_fails_for_a_while_is_retried_and_the_rival_wins(
    guard: NameGuard, client: OpsRampClient, emulator: EmulatorProcess
) -> None:
    with_stale_listing(guard)
    rival = made_outside(client, "contested")
    # Five 503s: the client's own four attempts, then one more after the guard's pause.
    emulator.add_fault(method="DELETE", path=JOB_PATH, status=503, count=5)
    with pytest.raises(UserError, match="already exists") as caught:
        guard.create(declared("contested"), CLIENT13_TENANT, allow_duplicate=False)
    assert not isinstance(caught.value, NameNotSettledError)
    assert stored(emulator) == {rival: "contested"}


def test_a_check_search_that_keeps_failing_fails_the_create_and_keeps_its_job(
    guard: NameGuard, emulator: EmulatorProcess
) -> None:
    with_stale_listing(guard)
    emulator.add_fault(method="GET", path=SEARCH_PATH, status=503, count=1000)
    with pytest.raises(NameNotSettledError, match="the search for the name failed") as caught:
        guard.create(declared("unchecked"), CLIENT13_TENANT, allow_duplicate=False)
    assert caught.value.job is not None
    assert stored(emulator) == {caught.value.job["id"]: "unchecked"}


def test_a_search_that_lags_behind_writes_is_waited_for(
    guard: NameGuard, emulator: EmulatorProcess
) -> None:
    with_stale_listing(guard)
    emulator.add_fault(method="GET", path=SEARCH_PATH, status=200, body=EMPTY_PAGE, count=2)
    live = guard.create(declared("indexed late"), CLIENT13_TENANT, allow_duplicate=False)
    assert stored(emulator) == {live["id"]: "indexed late"}


def test_a_search_that_never_lists_the_new_job_fails_the_create_and_keeps_its_job(
    guard: NameGuard, client: OpsRampClient, emulator: EmulatorProcess
) -> None:
    with_stale_listing(guard)
    rival = made_outside(client, "never indexed")
    emulator.add_fault(method="GET", path=SEARCH_PATH, status=200, body=EMPTY_PAGE, count=1000)
    with pytest.raises(NameNotSettledError, match="lags behind writes") as caught:
        guard.create(declared("never indexed"), CLIENT13_TENANT, allow_duplicate=False)
    assert caught.value.job is not None
    mine = caught.value.job["id"]
    # Both jobs stay, and the `up` fails naming this one: no silent duplicate.
    assert stored(emulator) == {rival: "never indexed", mine: "never indexed"}
    assert mine in str(caught.value)


def test_a_withdrawn_create_whose_last_search_fails_says_no_job_was_left(
    guard: NameGuard, client: OpsRampClient, emulator: EmulatorProcess
) -> None:
    with_stale_listing(guard)
    rival = made_outside(client, "contested")
    # The check after the POST sees the rival; every search after the withdrawal fails.
    emulator.add_fault(method="DELETE", path=JOB_PATH, action="latency", seconds=0.0)
    searches_after = {"method": "GET", "path": SEARCH_PATH, "status": 503, "count": 1000}
    real_delete = client.delete_job

    def delete_then_break_search(job_id: str, *, tenant_id: str | None = None) -> None:
        real_delete(job_id, tenant_id=tenant_id)
        emulator.add_fault(**searches_after)

    client.delete_job = delete_then_break_search  # type: ignore[method-assign]
    with pytest.raises(UserError, match="no job of this resource exists") as caught:
        guard.create(declared("contested"), CLIENT13_TENANT, allow_duplicate=False)
    assert not isinstance(caught.value, NameNotSettledError)
    assert rival in str(caught.value)
    assert stored(emulator) == {rival: "contested"}
