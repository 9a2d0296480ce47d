"""Bounded paging: a server that ignores pageNo or never stops saying "next page" ends quickly."""

from __future__ import annotations

import pytest

from opsramp_jobs.client import OpsRampClient
from opsramp_jobs.errors import OpsRampApiError
from tests.client.conftest import ClientFactory, job_body, route_count
from tests.support.emulator import EmulatorProcess

SEARCH_PATH = r"/api/v2/tenants/[^/]+/jobs/search"
SEARCH_ROUTE = "GET /api/v2/tenants/{tenantId}/jobs/search"


def page(count: int, *, total: int, next_page: bool = True) -> dict[str, object]:
    """The same search page, whatever pageNo is asked for."""
    results = [{"id": f"job-{index}", "name": f"job {index}"} for index in range(count)]
    return {"results": results, "totalResults": total, "pageNo": 1, "pageSize": 100,
            "totalPages": total // 100 + 1, "nextPage": next_page}  # fmt: skip


def test_a_full_page_repeated_for_every_page_number_is_an_error_after_two_searches(
    client: OpsRampClient, emulator: EmulatorProcess
) -> None:
    emulator.add_fault(method="GET", path=SEARCH_PATH, status=200, body=page(100, total=5000),
                       count=10_000)  # fmt: skip
    with pytest.raises(OpsRampApiError, match="ignores pageNo"):
        client.search_jobs()
    assert route_count(emulator, SEARCH_ROUTE) == 2


def test_a_short_page_repeated_is_taken_as_the_whole_answer(
    client: OpsRampClient, emulator: EmulatorProcess
) -> None:
    emulator.add_fault(method="GET", path=SEARCH_PATH, status=200, body=page(3, total=300),
                       count=10_000)  # fmt: skip
    assert len(client.search_jobs()) == 3
    assert route_count(emulator, SEARCH_ROUTE) == 2


def test_paging_stops_once_the_total_is_reached(
    client: OpsRampClient, emulator: EmulatorProcess
) -> None:
    emulator.add_fault(method="GET", path=SEARCH_PATH, status=200, body=page(3, total=3),
                       count=10_000)  # fmt: skip
    assert len(client.search_jobs()) == 3
    assert route_count(emulator, SEARCH_ROUTE) == 1


def test_a_search_past_its_page_budget_is_an_error(
    make_client: ClientFactory, emulator: EmulatorProcess
) -> None:
    client = make_client(page_size=1)
    for index in range(4):
        client.create_job(job_body(f"paged {index}"))
    with pytest.raises(OpsRampApiError, match="did not end after 3 pages"):
        list(client.search_pages(max_pages=3))
    assert [len(p.jobs) for p in client.search_pages(max_pages=4)] == [1, 1, 1, 1]
