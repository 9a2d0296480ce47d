"""A caller that has just looked the name up spares the client its own search."""

from opsramp_jobs.client import OpsRampClient
from tests.client.conftest import job_body, route_count
from tests.support.emulator import EmulatorProcess

SEARCH = "GET /api/v2/tenants/{tenantId}/jobs/search"


def test_existing_ids_skip_the_pre_create_search(
    client: OpsRampClient, emulator: EmulatorProcess
) -> None:
    client.create_job(job_body(), existing_ids=[])
    assert route_count(emulator, SEARCH) == 0
    client.create_job(job_body("other"))
    assert route_count(emulator, SEARCH) == 1


def test_known_ids_still_settle_a_lost_answer(
    client: OpsRampClient, emulator: EmulatorProcess
) -> None:
    first = client.create_job(job_body())
    emulator.add_fault(
        method="POST", path=r"/api/v2/tenants/client_13/jobs", action="drop_after_commit"
    )
    second = client.create_job(job_body(), existing_ids=[first["id"]])
    assert second["id"] != first["id"]
    assert sorted(j["job"]["id"] for j in emulator.jobs()) == sorted([first["id"], second["id"]])
