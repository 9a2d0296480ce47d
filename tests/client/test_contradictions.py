"""Both sides of OpsRamp's contradictions (docs: opsramp-api-notes): paging, ids, expires_in, path.

A loopback server answers in the shape the default emulator does not (the schema's), and the
emulator's quirk modes do the same over its real routes once they are available.
"""

from __future__ import annotations

import inspect
import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from opsramp_jobs.client import OpsRampClient
from opsramp_jobs.token import parse_ttl
from tests.client.conftest import job_body
from tests.client.sockets import Server
from tests.support.emulator import CLIENT13_KEY, CLIENT13_SECRET, CLIENT13_TENANT, EmulatorProcess

# Three jobs over two pages; ids as integers (as some examples show them).
JOBS = [{"id": 101, "name": "a"}, {"id": 102, "name": "b"}, {"id": 103, "name": "a"}]


def json_answer(conn: socket.socket, payload: object) -> None:
    body = json.dumps(payload).encode()
    head = f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n"
    conn.sendall(head.encode() + b"\r\n" + body)


def schema_search(strings: bool) -> Server:
    """Search answers with the paging fields inside each results[] item, as the schema has them."""

    def behave(conn: socket.socket, request: bytes) -> None:
        target = request.split(b" ", 2)[1].decode()
        page_no = int(parse_qs(urlsplit(target).query)["pageNo"][0])
        page = JOBS[:2] if page_no == 1 else JOBS[2:]
        paging: dict[str, object] = {
            "totalResults": 3, "orderBy": "id", "pageNo": page_no, "pageSize": 2,
            "totalPages": 2, "nextPage": page_no == 1, "previousPageNo": page_no - 1,
            "descendingOrder": False,
        }  # fmt: skip
        if strings:  # OpsRamp's request examples send booleans and integers as strings
            paging = {key: str(value).lower() for key, value in paging.items()}
        json_answer(conn, {"results": [{**job, **paging} for job in page]})

    return Server(behave)


@pytest.fixture(params=[False, True], ids=["typed", "strings"])
def schema_server(request: pytest.FixtureRequest) -> Iterator[Server]:
    server = schema_search(request.param)
    yield server
    server.close()


def test_paging_fields_inside_the_results_are_read_and_taken_off(schema_server: Server) -> None:
    client = OpsRampClient(schema_server.url, "key", "secret", tenant_id="client_13")
    first = client.search_page(None, 1)
    assert (first.total_pages, first.last) == (2, False)
    assert first.jobs == JOBS[:2]  # the jobs alone, without the paging fields
    assert client.search_jobs() == JOBS
    assert len(schema_server.requests) == 3  # pages 1 and 2, then page 1 again
    assert [job["id"] for job in client.find_jobs_by_name("a")] == [101, 103]


def test_expires_in_as_a_string_or_an_integer() -> None:
    assert parse_ttl("7199") == parse_ttl(7199) == parse_ttl(' "7199" ') == 7199.0
    assert parse_ttl(None) == parse_ttl("soon") == 600.0  # unusable: a default lifetime


def quirk_emulator(*quirks: str) -> EmulatorProcess:
    """An emulator answering the other side of some contradictions (skip until that lands)."""
    if "quirks" not in inspect.signature(EmulatorProcess).parameters:
        pytest.skip("the emulator's quirk modes are not in this checkout yet")
    modes: dict[str, Any] = {"quirks": quirks}
    return EmulatorProcess(rate_limit=False, **modes)


def client_of(emulator: EmulatorProcess) -> OpsRampClient:
    return OpsRampClient(emulator.url, CLIENT13_KEY, CLIENT13_SECRET, tenant_id=CLIENT13_TENANT)


@pytest.mark.parametrize("quirk", ["paging-in-results", "ids-as-strings", "string-values"])
def test_searches_and_creates_against_the_other_side(quirk: str) -> None:
    with quirk_emulator(quirk) as emulator, client_of(emulator) as client:
        created = [client.create_job(job_body("same")) for _ in range(3)]
        client.page_size = 2
        found = client.find_jobs_by_name("same")
        assert sorted(str(job["id"]) for job in found) == sorted(str(j["id"]) for j in created)
        assert all("nextPage" not in job and "totalPages" not in job for job in found)


def test_the_legacy_token_path_and_an_integer_expires_in(tmp_path: Path) -> None:
    with quirk_emulator("legacy-token-path", "expires-in-integer") as emulator:
        with client_of(emulator) as client:
            assert client.job_types()
            emulator.expire_tokens()
            assert client.job_types()  # renewed at the path that answered, remembered
            assert client.tokens_fetched == 2
        by_route = emulator.stats()["by_route"]
        assert by_route.get("POST /tenancy/auth/oauth/token", 0) <= 1  # the 404, once at most
        assert by_route.get("POST /auth/oauth/token") == 2
