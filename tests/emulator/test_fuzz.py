"""A small, seeded fuzz of malformed requests against the running emulator: never a 5xx."""

from __future__ import annotations

import copy
import json
import os
import random
from typing import Any

import pytest
import requests

from tests.emulator.conftest import daily_job
from tests.emulator.test_contract import EXAMPLES
from tests.support.emulator import PARTNER_KEY, EmulatorProcess

# OPSRAMP_FUZZ_SEED replays another run; the default keeps the tier deterministic.
SEED = int(os.environ.get("OPSRAMP_FUZZ_SEED", "1114"))
ROUNDS = 150

JUNK: list[Any] = [
    None,
    True,
    False,
    0,
    -1,
    2**31,
    -(2**31) - 1,
    2**63,
    10**300,
    1.5,
    -0.0,
    1e308,
    "",
    " ",
    "\x00",
    "\u00b2",
    "\u0663",
    "\ud800",
    "\U0001f600",
    "true",
    "True",
    "days",
    "Sunday",
    "Sunday,,Monday",
    "1, 32",
    "2030-13-45T99:99:99+9999",
    "9999-12-31T23:59:59-2359",
    "x" * 5000,
    [],
    {},
    [[[[[]]]]],
    {"resource": {}},
    {"id": "7"},
    {"uniqueId": None},
]


def mutate(value: Any, rng: random.Random) -> Any:
    """Replace, delete or add one node somewhere inside value (a deep copy)."""
    value = copy.deepcopy(value)
    containers: list[Any] = []
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, dict | list) and len(containers) < 200:
            containers.append(node)
            stack.extend(node.values() if isinstance(node, dict) else node)
    if not containers:
        return rng.choice(JUNK)
    target = rng.choice(containers)
    action = rng.random()
    if isinstance(target, dict):
        if target and action < 0.6:
            target[rng.choice(list(target))] = copy.deepcopy(rng.choice(JUNK))
        elif target and action < 0.8:
            del target[rng.choice(list(target))]
        else:
            key = rng.choice(["name", "type", "id", "jobType", "weekDays", "\ud800", "", "x"])
            target[key] = copy.deepcopy(rng.choice(JUNK))
    elif target and action < 0.7:
        target[rng.randrange(len(target))] = copy.deepcopy(rng.choice(JUNK))
    else:
        target.append(copy.deepcopy(rng.choice(JUNK)))
    return value


def mangle(raw: bytes, rng: random.Random) -> bytes:
    """Truncate, cut or splice random bytes into a serialised body."""
    if not raw:
        return bytes([rng.randrange(256)])
    cut = rng.randrange(len(raw))
    choice = rng.random()
    if choice < 0.3:
        return raw[:cut]
    if choice < 0.6:
        return raw[:cut] + bytes([rng.randrange(256)]) + raw[cut + 1 :]
    if choice < 0.8:
        return raw[:cut] + rng.choice([b"\\ud800", b"\\u0000", b"\xff", b"1e999", b"[" * 3000])
    return raw[:cut] + raw[cut:][::-1]


def valid_bodies() -> list[dict[str, Any]]:
    """Starting points: the documented examples and a small daily job."""
    return [copy.deepcopy(request) for request, _ in EXAMPLES.values()] + [daily_job()]


def assert_no_server_error(response: requests.Response, sent: object) -> None:
    """Every answer to bad input is a 2xx or a 4xx in an OpsRamp shape."""
    assert response.status_code < 500, (response.status_code, response.text[:300], sent)
    if response.status_code == 400 and response.text:
        assert isinstance(response.json(), list | dict)


@pytest.fixture
def session(emulator: EmulatorProcess) -> requests.Session:
    """A partner session with a fresh token."""
    return emulator.api_session()


def test_mutated_job_bodies_never_answer_5xx(
    emulator: EmulatorProcess, session: requests.Session
) -> None:
    """Creates and updates with one node replaced, removed or added: 200 or 400, never 500."""
    rng = random.Random(SEED)
    bodies = valid_bodies()
    existing = session.post(emulator.jobs_url(), json=daily_job()).json()["id"]
    for _ in range(ROUNDS):
        body = mutate(rng.choice(bodies), rng)
        raw = json.dumps(body).encode()
        url = emulator.jobs_url() + (f"/{existing}" if rng.random() < 0.3 else "")
        response = session.post(url, data=raw, headers={"Content-Type": "application/json"})
        assert_no_server_error(response, raw[:500])


def test_mangled_bytes_never_answer_5xx(
    emulator: EmulatorProcess, session: requests.Session
) -> None:
    """Truncated, spliced and reversed JSON bytes: 400, never 500."""
    rng = random.Random(SEED + 1)
    bodies = [json.dumps(body).encode() for body in valid_bodies()]
    for _ in range(ROUNDS):
        raw = mangle(rng.choice(bodies), rng)
        response = session.post(
            emulator.jobs_url(), data=raw, headers={"Content-Type": "application/json"}
        )
        assert_no_server_error(response, raw[:500])


QUERY_VALUES = [
    "",
    "0",
    "-1",
    "1",
    "500",
    "501",
    str(2**31),
    str(10**20),
    "\u00b2",
    "\u0661",
    "true",
    "TRUE",
    "name",
    "id",
    "job.name",
    "name:",
    "name:a+jobType:",
    "jobType:custom",
    "name:%",
    "name:_",
    "name:\x00",
    "name:\U0001f600",
    ":::",
    "+",
    "x" * 3000,
]


def test_odd_search_parameters_never_answer_5xx(
    emulator: EmulatorProcess, session: requests.Session
) -> None:
    """Every combination the rng draws of odd paging, sort and query values: 200 or 400."""
    rng = random.Random(SEED + 2)
    names = ["pageNo", "pageSize", "isDescendingOrder", "sortName", "queryString", "other"]
    for _ in range(ROUNDS):
        params = {name: rng.choice(QUERY_VALUES) for name in rng.sample(names, rng.randint(1, 4))}
        response = session.get(f"{emulator.jobs_url()}/search", params=params)
        assert_no_server_error(response, params)
    for raw_query in ("pageNo=%ED%A0%80", "queryString=name:%FF%FE", "pageNo=1&pageNo=2", "%"):
        response = session.get(f"{emulator.jobs_url()}/search?{raw_query}")
        assert_no_server_error(response, raw_query)


@pytest.mark.parametrize(
    "job_id",
    ["x", "%00", "%ED%A0%80", "%FF", "a" * 5000, "..%2F..%2Fetc", "\U0001f600", "search%2Fx"],
)
@pytest.mark.parametrize("method", ["GET", "POST", "DELETE"])
def test_odd_job_ids_never_answer_5xx(
    emulator: EmulatorProcess, session: requests.Session, job_id: str, method: str
) -> None:
    """Unknown, undecodable or huge ids are a 404 (or 400), never a 500."""
    response = session.request(method, f"{emulator.jobs_url()}/{job_id}", json=daily_job())
    assert_no_server_error(response, job_id)
    for tenant in ("%FF", "\U0001f600", "msp_12%00"):
        response = session.request(method, f"{emulator.url}/api/v2/tenants/{tenant}/jobs")
        assert_no_server_error(response, tenant)


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/x-www-form-urlencoded", b"grant_type=client_credentials&client_id=%ZZ"),
        ("application/x-www-form-urlencoded", b"grant_type=\xff\xfe&client_secret=\xc3"),
        ("application/x-www-form-urlencoded", b"&&&==&="),
        ("multipart/form-data; boundary=", b"--\r\n"),
        ("multipart/form-data; boundary=xyz", b"--xyz\r\nContent-Disposition: form-data\r\n\r\n"),
        ("multipart/form-data; boundary=xyz", b"garbage"),
        ("application/json", b'{"grant_type": "client_credentials"}'),
        ("text/plain; charset=utf-99", b"grant_type=client_credentials"),
        ("application/x-www-form-urlencoded; charset=utf-99", b"grant_type=client_credentials"),
        ("", b"\x00" * 100),
    ],
)
def test_odd_token_requests_answer_in_the_auth_shape(
    emulator: EmulatorProcess, content_type: str, body: bytes
) -> None:
    """Malformed token requests: a 4xx with error and error_description."""
    for path in ("/tenancy/auth/oauth/token", "/auth/oauth/token"):
        response = requests.post(
            f"{emulator.url}{path}", data=body, headers={"Content-Type": content_type}, timeout=10
        )
        assert 400 <= response.status_code < 500, (response.status_code, response.text[:300])
        assert set(response.json()) == {"error", "error_description"}


def test_oversized_bodies_are_a_413_in_opsramp_shapes(
    emulator: EmulatorProcess, session: requests.Session
) -> None:
    """A body over the 1 MiB limit: 413, in the list shape for jobs, the auth shape for tokens."""
    big = b"x" * (2 * 1024 * 1024)
    response = session.post(
        emulator.jobs_url(), data=big, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert [e["fieldName"] for e in response.json()] == ["body"]
    response = requests.post(
        f"{emulator.url}/auth/oauth/token",
        data=b"grant_type=" + big,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        timeout=10,
    )
    assert response.status_code == 413
    assert response.json()["error"] == "invalid_request"


@pytest.mark.parametrize(
    "authorization",
    ["Bearer", "Bearer ", "Bearer \u00e9\u00e9", "bearer  x y", "Basic Zm9vOmJhcg=="],
)
def test_odd_authorization_headers_are_a_401(emulator: EmulatorProcess, authorization: str) -> None:
    """An unusable Authorization header is the invalid_token 401."""
    response = requests.get(
        f"{emulator.jobs_url()}/search",
        headers={"Authorization": authorization.encode("utf-8").decode("latin-1")},
        timeout=10,
    )
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_token"


@pytest.mark.parametrize(
    "spec",
    [
        {"seconds": 1e308, "action": "latency"},
        {"seconds": float("nan")},
        {"status": True},
        {"seconds": 10**400, "action": "latency"},
        {"count": 10**30},
        {"path": "("},
        {"path": "\ud800"},
        {"method": 5},
        {"body": [[[[[[]]]]]]},
        [],
        "x",
    ],
)
def test_odd_fault_specs_never_answer_5xx(emulator: EmulatorProcess, spec: Any) -> None:
    """Admin fault specs out of range are a 400 (and an armed one does not break the API)."""
    raw = json.dumps(spec).encode()
    response = requests.post(
        f"{emulator.admin_url}/faults",
        data=raw,
        headers={"Content-Type": "application/json"},
        timeout=10,
    )
    assert_no_server_error(response, spec)
    if isinstance(spec, dict) and "seconds" in spec:
        assert response.status_code == 400
    emulator.clear_faults()
    assert emulator.token(PARTNER_KEY) != ""
