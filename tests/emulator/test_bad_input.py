"""Bad input gets OpsRamp's 4xx answers, never a 500 (issues 11 and 14)."""

from __future__ import annotations

import gzip
import json
import socket
import subprocess
import sys
import time
from typing import Any

import pytest
import requests

from tests.emulator.conftest import daily_job
from tests.support.emulator import (
    CLIENT13_TENANT,
    PARTNER_KEY,
    REPO_ROOT,
    SCRIPT_TEST,
    EmulatorProcess,
)


def field_errors(response: requests.Response) -> dict[str, str]:
    """{fieldName: message} of a 400 in OpsRamp's validation shape (asserting that shape)."""
    assert response.status_code == 400, (response.status_code, response.text[:300])
    body = response.json()
    assert isinstance(body, list), body
    assert body
    for entry in body:
        assert set(entry) == {"code", "fieldName", "message"}, entry
        assert entry["code"] in ("0001", "0002"), entry
    return {entry["fieldName"]: entry["message"] for entry in body}


def post_raw(emulator: EmulatorProcess, api: requests.Session, raw: bytes) -> requests.Response:
    """POST raw bytes as a JSON job body."""
    return api.post(
        emulator.jobs_url(), data=raw, headers={"Content-Type": "application/json"}, timeout=10
    )


# ------------------------------------------------------------------ search paging


@pytest.mark.parametrize("name", ["pageNo", "pageSize"])
@pytest.mark.parametrize("value", [str(10**17), str(10**20), "9" * 5000])
def test_huge_page_numbers_are_a_400_naming_the_parameter(
    emulator: EmulatorProcess, api: requests.Session, name: str, value: str
) -> None:
    """pageNo=10^17 used to overflow SQLite's offset (500); now a 400 naming the parameter."""
    response = api.get(f"{emulator.jobs_url()}/search", params={name: value})
    assert name in field_errors(response)


@pytest.mark.parametrize("value", ["\u00b2", "\u0661", "1_0", " 1", "+1", "0x10"])
def test_page_numbers_take_ascii_digits_only(
    emulator: EmulatorProcess, api: requests.Session, value: str
) -> None:
    """Python's int() reads Arabic-Indic digits and "1_0"; OpsRamp's Java int does not: 400."""
    response = api.get(f"{emulator.jobs_url()}/search", params={"pageNo": value})
    assert "pageNo" in field_errors(response)


def test_largest_page_number_is_an_empty_page(
    emulator: EmulatorProcess, api: requests.Session
) -> None:
    """The largest 32-bit pageNo is still answered (an empty page), not refused or crashed."""
    response = api.get(
        f"{emulator.jobs_url()}/search", params={"pageNo": str(2**31 - 1), "pageSize": "500"}
    )
    assert response.status_code == 200, response.text
    assert response.json()["results"] == []


# ------------------------------------------------------------------ malformed JSON


def test_json_nested_50000_deep_is_a_400(emulator: EmulatorProcess, api: requests.Session) -> None:
    """json.loads raised RecursionError (500); now 400 code 0001 on the body."""
    depth = 50_000
    response = post_raw(emulator, api, b"[" * depth + b"]" * depth)
    assert set(field_errors(response)) == {"body"}
    nested_in_name = b'{"name": ' + b"[" * depth + b"]" * depth + b"}"
    assert set(field_errors(post_raw(emulator, api, nested_in_name))) == {"body"}


def test_moderately_deep_json_is_refused_by_name(
    emulator: EmulatorProcess, api: requests.Session
) -> None:
    """JSON deeper than any job (but parseable) is a 400 naming where it got too deep."""
    value: Any = 1
    for _ in range(200):
        value = [value]
    response = api.post(emulator.jobs_url(), json=daily_job(name=value))
    (field,) = field_errors(response)
    assert field.startswith("name[0]")


@pytest.mark.parametrize(
    "where",
    [
        lambda big: {**daily_job(), "jobQueued": big},
        lambda big: daily_job(
            schedule={
                "startDate": "2030-01-01T02:00:00+0000",
                "pattern": {
                    "type": "daily",
                    "frequency": "recurrence",
                    "repeatType": "days",
                    "repeatFrequency": big,
                },
            }
        ),
        lambda big: {**daily_job(), "unknownField": [big]},
    ],
    ids=["top-level", "repeatFrequency", "nested-unknown"],
)
def test_5000_digit_integer_anywhere_is_a_400(
    emulator: EmulatorProcess, api: requests.Session, where: Any
) -> None:
    """Python refuses to parse ints over 4,300 digits (ValueError, was a 500); now 400."""
    marker = 123456789
    raw = json.dumps(where(marker)).replace(str(marker), "9" * 5000).encode()
    assert set(field_errors(post_raw(emulator, api, raw))) == {"body"}


def test_big_but_parseable_integers_are_out_of_range(
    emulator: EmulatorProcess, api: requests.Session
) -> None:
    """A 4,000-digit repeatFrequency parses but is no 32-bit integer: 400 naming the field."""
    pattern = {
        "type": "daily",
        "frequency": "recurrence",
        "repeatType": "days",
        "repeatFrequency": 10**4000,
    }
    body = daily_job(schedule={"startDate": "2030-01-01T02:00:00+0000", "pattern": pattern})
    raw = json.dumps(body).encode()
    errors = field_errors(post_raw(emulator, api, raw))
    assert set(errors) == {"schedule.pattern.repeatFrequency"}
    assert len(errors["schedule.pattern.repeatFrequency"]) < 200  # not the number echoed back


@pytest.mark.parametrize("literal", [b"NaN", b"Infinity", b"-Infinity", b"1e999"])
def test_non_finite_numbers_are_a_400(
    emulator: EmulatorProcess, api: requests.Session, literal: bytes
) -> None:
    """NaN/Infinity are not JSON and 1e999 overflows a double: 400, never stored."""
    raw = json.dumps(daily_job(jobQueued=424242)).encode().replace(b"424242", literal)
    assert field_errors(post_raw(emulator, api, raw))
    assert emulator.jobs() == []


def test_lone_surrogate_in_a_name_is_a_400_naming_it(
    emulator: EmulatorProcess, api: requests.Session
) -> None:
    """ "\\ud800" is valid JSON escaping but no character; SQLite could not store it (500)."""
    raw = json.dumps(daily_job(name="bad \ud800 name")).encode()
    assert b"\\ud800" in raw
    assert set(field_errors(post_raw(emulator, api, raw))) == {"name"}
    key_raw = json.dumps({**daily_job(), "\udfff": 1}).encode()
    assert set(field_errors(post_raw(emulator, api, key_raw))) == {"body"}


def test_a_valid_surrogate_pair_is_a_character(
    emulator: EmulatorProcess, api: requests.Session
) -> None:
    """A proper pair ("\\ud83d\\ude00") is one emoji and is stored."""
    raw = json.dumps(daily_job(name="smile \U0001f600")).encode()
    response = post_raw(emulator, api, raw)
    assert response.status_code == 200, response.text
    assert response.json()["name"] == "smile \U0001f600"


# ------------------------------------------------------------------ numbers must be ASCII


def test_superscript_day_of_month_is_a_400(
    emulator: EmulatorProcess, api: requests.Session
) -> None:
    """dayOfMonth "²" passed str.isdigit() and then crashed int() (500); now 400."""
    body = daily_job(
        schedule={
            "startDate": "2030-01-01T02:00:00+0000",
            "pattern": {"type": "monthly", "dayOfMonth": "²"},
        }
    )
    assert set(field_errors(api.post(emulator.jobs_url(), json=body))) == {
        "schedule.pattern.dayOfMonth"
    }


ARABIC_TWO = "\u0662"  # "٢": Python's int() reads it as 2


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (
            daily_job(
                schedule={
                    "startDate": "2030-01-01T02:00:00+0000",
                    "pattern": {"type": "monthly", "dayOfMonth": ARABIC_TWO},
                }
            ),
            "schedule.pattern.dayOfMonth",
        ),
        (
            daily_job(
                schedule={
                    "startDate": "2030-01-01T02:00:00+0000",
                    "pattern": {
                        "type": "daily",
                        "frequency": "recurrence",
                        "repeatType": "days",
                        "repeatFrequency": ARABIC_TWO,
                    },
                }
            ),
            "schedule.pattern.repeatFrequency",
        ),
        (
            daily_job(script={"jobType": "custom", "customScript": {"id": "\u0667"}}),
            "script.customScript.id",
        ),
        (
            daily_job(
                script={
                    "jobType": "custom",
                    "customScript": {"id": str(SCRIPT_TEST)},
                    "parameters": [{"paramId": ARABIC_TWO, "value": "x"}],
                }
            ),
            "script.parameters[0].paramId",
        ),
        (
            daily_job(
                script={
                    "jobType": "custom",
                    "customScript": {"id": str(SCRIPT_TEST)},
                    "userType": ARABIC_TWO,
                }
            ),
            "script.userType",
        ),
        (
            daily_job(script={"jobType": "appinstall", "approvalType": {"approvalType": "\u0661"}}),
            "script.approvalType.approvalType",
        ),
        (
            daily_job(
                schedule={
                    "startDate": "\u0662\u0660\u0663\u0660-01-01T02:00:00+0000",
                    "pattern": {"type": "never"},
                }
            ),
            "schedule.startDate",
        ),
    ],
    ids=[
        "dayOfMonth",
        "repeatFrequency",
        "customScript.id",
        "paramId",
        "userType",
        "approvalType",
        "startDate",
    ],
)
def test_non_ascii_digits_are_not_numbers(
    emulator: EmulatorProcess, api: requests.Session, body: dict[str, Any], field: str
) -> None:
    """Arabic-Indic digits used to be accepted as numbers; now a 400 naming the field."""
    assert set(field_errors(api.post(emulator.jobs_url(), json=body))) == {field}


# ------------------------------------------------------------------ dates at the edges


@pytest.mark.parametrize(
    "start", ["9999-12-31T23:00:00-0500", "0001-01-01T00:30:00+0100", "9999-12-31T23:59:00-00:01"]
)
def test_start_dates_pushed_out_of_range_are_a_400(
    emulator: EmulatorProcess, api: requests.Session, start: str
) -> None:
    """Converting these to UTC leaves year 1..9999 (OverflowError, was a 500): now 400."""
    body = daily_job(schedule={"startDate": start, "pattern": {"type": "never"}})
    assert set(field_errors(api.post(emulator.jobs_url(), json=body))) == {"schedule.startDate"}


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        ("0001-01-01T01:30:00+0100", "0001-01-01T00:30:00+0000"),
        ("9999-12-31T18:00:00-0500", "9999-12-31T23:00:00+0000"),
    ],
)
def test_start_dates_at_the_edges_keep_four_digit_years(
    emulator: EmulatorProcess, api: requests.Session, start: str, expected: str
) -> None:
    """Year 1 is rendered 0001 (strftime's %Y would print 1)."""
    body = daily_job(schedule={"startDate": start, "pattern": {"type": "never"}})
    response = api.post(emulator.jobs_url(), json=body)
    assert response.status_code == 200, response.text
    assert response.json()["schedule"]["startDate"] == expected


# ------------------------------------------------------------------ token requests


def test_non_ascii_client_secret_is_bad_credentials(emulator: EmulatorProcess) -> None:
    """compare_digest raised TypeError on a non-ASCII str (500); now 401 in the auth shape."""
    response = requests.post(
        f"{emulator.url}/tenancy/auth/oauth/token",
        data={"grant_type": "client_credentials", "client_id": PARTNER_KEY, "client_secret": "é"},
        timeout=10,
    )
    assert response.status_code == 401
    assert response.json() == {"error": "unauthorized", "error_description": "Bad API credentials"}


def test_multipart_without_boundary_is_a_400_in_the_auth_shape(
    emulator: EmulatorProcess,
) -> None:
    """A multipart/form-data body with no boundary parameter made aiohttp raise (500)."""
    response = requests.post(
        f"{emulator.url}/tenancy/auth/oauth/token",
        data=b"grant_type=client_credentials",
        headers={"Content-Type": "multipart/form-data"},
        timeout=10,
    )
    assert response.status_code == 400, response.text
    body = response.json()
    assert set(body) == {"error", "error_description"}
    assert body["error"] == "invalid_request"


def test_undecodable_form_bytes_are_a_4xx_in_the_auth_shape(emulator: EmulatorProcess) -> None:
    """A form body that is not UTF-8 is answered in the auth error shape."""
    response = requests.post(
        f"{emulator.url}/tenancy/auth/oauth/token",
        data=b"grant_type=client_credentials&client_id=%ff%fe&client_secret=\xff",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        timeout=10,
    )
    assert 400 <= response.status_code < 500, response.text
    assert set(response.json()) == {"error", "error_description"}


def test_multipart_with_a_boundary_still_gets_a_token(emulator: EmulatorProcess) -> None:
    """A well-formed multipart token request is served."""
    fields = {
        "grant_type": (None, "client_credentials"),
        "client_id": (None, PARTNER_KEY),
        "client_secret": (None, "opsramp-demo-secret"),
    }
    response = requests.post(f"{emulator.url}/auth/oauth/token", files=fields, timeout=10)
    assert response.status_code == 200, response.text


# ------------------------------------------------------------------ encodings (issue 20)


def test_a_utf16_job_body_is_the_documented_400(
    emulator: EmulatorProcess, api: requests.Session
) -> None:
    """JSON that is not UTF-8 is malformed JSON (json.loads would have detected UTF-16)."""
    raw = json.dumps(daily_job()).encode("utf-16")
    errors = field_errors(post_raw(emulator, api, raw))
    assert errors["body"].startswith("Malformed JSON request: 'utf-8' codec can't decode")
    assert emulator.jobs() == []


def test_a_utf8_byte_order_mark_is_ignored(
    emulator: EmulatorProcess, api: requests.Session
) -> None:
    response = post_raw(emulator, api, b"\xef\xbb\xbf" + json.dumps(daily_job()).encode())
    assert response.status_code == 200, response.text


def post_encoded(
    emulator: EmulatorProcess, api: requests.Session, raw: bytes, coding: str
) -> requests.Response:
    """POST bytes as a JSON job body under a Content-Encoding."""
    return api.post(
        emulator.jobs_url(),
        data=raw,
        headers={"Content-Type": "application/json", "Content-Encoding": coding},
        timeout=30,
    )


@pytest.mark.parametrize("coding", ["gzip", "deflate"])
def test_a_body_that_is_not_in_its_content_encoding_is_a_400(
    emulator: EmulatorProcess, api: requests.Session, coding: str
) -> None:
    """A bad gzip or deflate body made aiohttp's decoder fail inside the handler (500)."""
    response = post_encoded(emulator, api, json.dumps(daily_job()).encode(), coding)
    assert field_errors(response)["body"].startswith(f"Body is not valid {coding}:")


def test_a_gzip_body_is_decoded(emulator: EmulatorProcess, api: requests.Session) -> None:
    response = post_encoded(emulator, api, gzip.compress(json.dumps(daily_job()).encode()), "gzip")
    assert response.status_code == 200, response.text


def test_a_gzip_bomb_is_a_413(emulator: EmulatorProcess, api: requests.Session) -> None:
    """64 KiB that decode to 16 MiB: refused once the decoded body passes 1 MiB."""
    response = post_encoded(emulator, api, gzip.compress(b" " * (16 * 1024 * 1024)), "gzip")
    assert response.status_code == 413
    assert response.json()[0]["fieldName"] == "body"


@pytest.mark.parametrize("coding", ["br", "zstd", "compress", "x-unheard-of", "gzip, deflate"])
def test_a_content_encoding_the_emulator_does_not_decode_is_a_415(
    emulator: EmulatorProcess, api: requests.Session, coding: str
) -> None:
    response = post_encoded(emulator, api, json.dumps(daily_job()).encode(), coding)
    assert response.status_code == 415, response.text
    assert "use gzip, deflate or none" in response.json()[0]["message"]


@pytest.mark.parametrize(
    "part",
    [
        b"bad header line\r\n",
        b'Content-Disposition: form-data; name="grant_type"\r\nContent-Transfer-Encoding: x\r\n',
    ],
)
def test_a_malformed_multipart_part_is_a_400_in_the_auth_shape(
    emulator: EmulatorProcess, part: bytes
) -> None:
    """A part header aiohttp cannot parse, or an unknown transfer encoding, answered 500."""
    response = requests.post(
        f"{emulator.url}/tenancy/auth/oauth/token",
        data=b"--xyz\r\n" + part + b"\r\nclient_credentials\r\n--xyz--\r\n",
        headers={"Content-Type": "multipart/form-data; boundary=xyz"},
        timeout=10,
    )
    assert response.status_code == 400, response.text
    assert response.json()["error"] == "invalid_request"


@pytest.mark.parametrize("coding", ["gzip", "deflate"])
def test_an_encoded_token_request_is_a_415_in_the_auth_shape(
    emulator: EmulatorProcess, coding: str
) -> None:
    """A bad gzip/deflate token form answered 500; no OAuth client compresses one."""
    response = requests.post(
        f"{emulator.url}/auth/oauth/token",
        data=b"grant_type=client_credentials",
        headers={"Content-Type": "application/x-www-form-urlencoded", "Content-Encoding": coding},
        timeout=10,
    )
    assert response.status_code == 415
    assert response.json()["error"] == "invalid_request"


@pytest.mark.parametrize(
    "framing",
    [
        "Transfer-Encoding: chunked\r\n\r\nZZ\r\nabc\r\n0\r\n\r\n",
        "Transfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
        "Content-Length: 99999999999999999999\r\n\r\nabc",
        "Content-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
    ],
)
def test_broken_http_framing_is_a_400(emulator: EmulatorProcess, framing: str) -> None:
    """Bad chunks or Content-Lengths are refused by aiohttp's parser (plain text, not JSON)."""
    request = (
        f"POST {emulator.jobs_url()[len(emulator.url) :]} HTTP/1.1\r\nHost: emulator\r\n"
        f"Authorization: Bearer {emulator.token()}\r\nContent-Type: application/json\r\n"
        f"Connection: close\r\n{framing}"
    )
    with socket.create_connection(("127.0.0.1", emulator.port), timeout=10) as connection:
        connection.sendall(request.encode())
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    assert answer.split(b"\r\n", 1)[0].endswith(b" 400 Bad Request"), answer[:200]


# ------------------------------------------------------------------ admin config


@pytest.mark.parametrize(
    ("config", "field"),
    [
        ({"rate_limits": {"window": 1e-300}}, "rate_limits.window"),
        ({"rate_limits": {"window": 1e300}}, "rate_limits.window"),
        ({"rate_limits": {"write": 0.5}}, "rate_limits.write"),
        ({"rate_limits": {"read": 10**30}}, "rate_limits.read"),
        ({"rate_limits": {"read": 10**400}}, "rate_limits.read"),
        ({"rate_limits": {"paged_read": -1}}, "rate_limits.paged_read"),
        ({"token_ttl": 1e-300}, "token_ttl"),
        ({"token_ttl": 1e300}, "token_ttl"),
        ({"token_ttl": True}, "token_ttl"),
        ({"quirks": ["nope"]}, "quirks"),
    ],
)
def test_admin_config_out_of_bounds_is_a_400_naming_the_field(
    emulator: EmulatorProcess, api: requests.Session, config: dict[str, Any], field: str
) -> None:
    """window 1e-300 was accepted and then every API call 500ed; now refused, config unchanged."""
    before = emulator.config()
    response = requests.post(f"{emulator.admin_url}/config", json=config, timeout=10)
    assert response.status_code == 400
    assert response.json()["field"] == field
    assert field in response.json()["error"]
    assert emulator.config() == before
    assert api.get(f"{emulator.jobs_url()}/search").status_code == 200


def test_admin_config_infinite_window_is_a_400(emulator: EmulatorProcess) -> None:
    """1e999 parses as infinity: refused like any other out-of-range number."""
    response = requests.post(
        f"{emulator.admin_url}/config",
        data=b'{"rate_limits": {"window": 1e999}}',
        headers={"Content-Type": "application/json"},
        timeout=10,
    )
    assert response.status_code == 400


def test_command_line_window_out_of_bounds_exits_2() -> None:
    """The same bounds apply to --rate-window and --token-ttl: exit status 2, field named."""
    for option in (["--rate-window", "1e-300"], ["--token-ttl", "inf"]):
        result = subprocess.run(
            [sys.executable, "-m", "opsramp_jobs.emulator", "--port", "0", *option],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        assert result.returncode == 2, result.stderr
        assert ("window" in result.stderr) or ("token_ttl" in result.stderr)


# ------------------------------------------------------------------ stalled connections


STALL_TIMEOUT = 0.5


@pytest.fixture(scope="module")
def stall_emulator() -> Any:
    """An emulator whose request timeout is short."""
    with EmulatorProcess(rate_limit=False, request_timeout=STALL_TIMEOUT) as process:
        yield process


def seconds_until_closed(port: int, first_bytes: bytes, limit: float = 10.0) -> float:
    """Send first_bytes, then wait for the server to close the connection; seconds taken."""
    with socket.create_connection(("127.0.0.1", port), timeout=limit) as sock:
        sock.sendall(first_bytes)
        started = time.monotonic()
        received = b""
        while True:
            chunk = sock.recv(4096)  # raises TimeoutError if the server never closes
            if not chunk:
                break
            received += chunk
        assert received == b"", received[:200]  # dropped without an answer
        return time.monotonic() - started


@pytest.mark.parametrize(
    "half_request",
    [
        b"GET /api/v2/tenants/client_13/jobs/search HTTP/1.1\r\nHost: x\r\nAccept: appl",
        b"POST /tenancy/auth/oauth/token HTTP/1.1\r\nHost: x\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\n"
        b"grant_type=client_",
    ],
    ids=["half-sent-headers", "half-sent-body"],
)
def test_stalled_requests_are_dropped_after_the_request_timeout(
    stall_emulator: EmulatorProcess, half_request: bytes
) -> None:
    """A client that stops mid-request is disconnected after --request-timeout, not held."""
    elapsed = seconds_until_closed(stall_emulator.port, half_request)
    assert STALL_TIMEOUT * 0.8 <= elapsed < STALL_TIMEOUT + 3


def test_stalled_job_body_is_dropped(stall_emulator: EmulatorProcess) -> None:
    """The same holds for a job create that stops half-way through its JSON body."""
    token = stall_emulator.token()
    head = (
        f"POST /api/v2/tenants/{CLIENT13_TENANT}/jobs HTTP/1.1\r\nHost: x\r\n"
        f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
        "Content-Length: 500\r\n\r\n"
    ).encode()
    elapsed = seconds_until_closed(stall_emulator.port, head + b'{"name": "hal')
    assert elapsed < STALL_TIMEOUT + 3
    assert stall_emulator.jobs() == []


def test_unread_half_body_after_an_early_answer_is_dropped(
    stall_emulator: EmulatorProcess,
) -> None:
    """A 401 is answered before the body is read; the stalled rest is not waited for long."""
    with socket.create_connection(("127.0.0.1", stall_emulator.port), timeout=10) as sock:
        sock.sendall(
            f"POST /api/v2/tenants/{CLIENT13_TENANT}/jobs HTTP/1.1\r\nHost: x\r\n"
            "Content-Type: application/json\r\nContent-Length: 500\r\n\r\n{".encode()
        )
        started = time.monotonic()
        answer = b""
        while chunk := sock.recv(4096):
            answer += chunk
        elapsed = time.monotonic() - started
    assert answer.startswith(b"HTTP/1.1 401"), answer[:100]
    assert elapsed < STALL_TIMEOUT + 3


def test_a_slow_but_complete_request_is_served(stall_emulator: EmulatorProcess) -> None:
    """A request finished within the timeout is answered normally."""
    with socket.create_connection(("127.0.0.1", stall_emulator.port), timeout=10) as sock:
        sock.sendall(b"GET /_emulator/config HTTP/1.1\r\nHost: x\r\n")
        time.sleep(STALL_TIMEOUT / 4)
        sock.sendall(b"Connection: close\r\n\r\n")
        answer = b""
        while chunk := sock.recv(4096):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 200"), answer[:100]
