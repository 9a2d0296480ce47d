"""A seeded fuzz of how a body is encoded: its charset, Content-Encoding, Content-Type, route.

Every answer is below 500 and, when it refuses, in the route's own error shape; a JSON body that
is not UTF-8 is the documented 400, whatever the Content-Type claims.
"""

from __future__ import annotations

import gzip
import itertools
import json
import os
import random
import zlib
from collections.abc import Callable
from dataclasses import dataclass

import pytest
import requests

from tests.emulator.conftest import daily_job
from tests.support.emulator import PARTNER_KEY, PARTNER_SECRET, EmulatorProcess

SEED = int(os.environ.get("OPSRAMP_FUZZ_SEED", "1114"))
ROUNDS = 200

Encode = Callable[[str], bytes]
Code = Callable[[bytes], bytes]

# How the text becomes bytes; only the first two are UTF-8.
CHARSETS: dict[str, Encode] = {
    "utf-8": lambda text: text.encode("utf-8"),
    "utf-8 with BOM": lambda text: b"\xef\xbb\xbf" + text.encode("utf-8"),
    "utf-16": lambda text: text.encode("utf-16"),
    "utf-16-le": lambda text: text.encode("utf-16-le"),
    "utf-16-be": lambda text: text.encode("utf-16-be"),
    "utf-32": lambda text: text.encode("utf-32"),
    "latin-1": lambda text: text.replace("nightly", "café nightly").encode("latin-1"),
    "invalid bytes": lambda text: text.encode("utf-8")[:-2] + b"\xff\xfe" + b"}",
    "empty": lambda text: b"",
}
UTF8 = frozenset({"utf-8", "utf-8 with BOM"})


def _raw_deflate(data: bytes) -> bytes:
    compressor = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush()


@dataclass(frozen=True)
class Coding:
    """A Content-Encoding header and what is done to the bytes under it."""

    header: str | None
    apply: Code
    decodes: bool  # the bytes really are in this coding, and the emulator decodes it


CODINGS: dict[str, Coding] = {
    "none": Coding(None, lambda raw: raw, decodes=True),
    "identity": Coding("identity", lambda raw: raw, decodes=True),
    "gzip": Coding("gzip", gzip.compress, decodes=True),
    "gzip, not compressed": Coding("gzip", lambda raw: raw, decodes=False),
    "gzip, truncated": Coding("gzip", lambda raw: gzip.compress(raw)[:-12], decodes=False),
    "deflate": Coding("deflate", zlib.compress, decodes=True),
    "deflate, raw": Coding("deflate", _raw_deflate, decodes=False),
    "deflate, not compressed": Coding("deflate", lambda raw: raw, decodes=False),
    "gzip twice, one header": Coding("gzip", lambda raw: gzip.compress(gzip.compress(raw)), False),
    "two codings": Coding("gzip, deflate", lambda raw: zlib.compress(gzip.compress(raw)), False),
    "unknown coding": Coding("x-unheard-of", lambda raw: raw, decodes=False),
    "br, not compressed": Coding("br", lambda raw: raw, decodes=False),
}

CONTENT_TYPES: list[str | None] = [
    "application/json",
    "application/json; charset=utf-16",
    "application/json; charset=utf-99",
    "application/x-www-form-urlencoded",
    "application/x-www-form-urlencoded; charset=latin-1",
    "multipart/form-data",
    "multipart/form-data; boundary=xyz",
    "text/plain",
    ";;;",
    None,
]

# Multipart token requests that cannot be read (with Content-Type ...; boundary=xyz).
MALFORMED_MULTIPART = [
    b'--xyz\r\nContent-Disposition: form-data; name="grant_type"\r\n\r\nclient_credentials',
    b'--xyz\r\nContent-Disposition: form-data; name="a"\r\n\r\nx\r\n--xyz',
    b"--xyz\r\n\r\nx\r\n--xyz--\r\n",
    b"--xyz\r\nbad header line\r\n\r\nx\r\n--xyz--\r\n",
    b'--xyz\r\nContent-Disposition: form-data; name="a"\r\n'
    b"Content-Transfer-Encoding: bogus\r\n\r\nx\r\n--xyz--\r\n",
    b'--xyz\r\nContent-Disposition: form-data; name="a"\r\n'
    b"Content-Type: text/plain; charset=utf-99\r\n\r\nx\r\n--xyz--\r\n",
    b"--xyz\r\nContent-Type: multipart/mixed; boundary=abc\r\n"
    b'Content-Disposition: form-data; name="a"\r\n\r\n--abc\r\n\r\nx\r\n--abc--\r\n--xyz--\r\n',
    b"--xyz--\r\n",
    b"\xff" * 64,
]


@dataclass(frozen=True)
class Route:
    """Where a body goes, the text it starts from and the shape of its refusals."""

    name: str
    path: str
    text: str
    default_type: str
    oauth: bool  # refusals are {"error", "error_description"}; else OpsRamp's list


def _routes(emulator: EmulatorProcess, job_id: str) -> list[Route]:
    job = json.dumps(daily_job())
    form = f"grant_type=client_credentials&client_id={PARTNER_KEY}&client_secret={PARTNER_SECRET}"
    jobs = emulator.jobs_url()[len(emulator.url) :]
    return [
        Route("create", jobs, job, "application/json", oauth=False),
        Route("update", f"{jobs}/{job_id}", job, "application/json", oauth=False),
        Route("admin quirks", "/_emulator/quirks", '{"quirks": []}', "application/json", False),
        Route(
            "token", "/tenancy/auth/oauth/token", form, "application/x-www-form-urlencoded", True
        ),
        Route("legacy token", "/auth/oauth/token", form, "application/x-www-form-urlencoded", True),
    ]


def _send(
    session: requests.Session,
    emulator: EmulatorProcess,
    route: Route,
    raw: bytes,
    *,
    coding: str | None,
    content_type: str | None,
) -> requests.Response:
    headers = {"Content-Type": content_type, "Content-Encoding": coding}
    return session.post(
        emulator.url + route.path,
        data=raw,
        headers={k: v for k, v in headers.items() if v is not None},
        timeout=10,
    )


def _assert_answer(response: requests.Response, route: Route, sent: object) -> None:
    """Below 500; a refusal in the route's shape."""
    detail = (response.status_code, response.text[:300], sent)
    assert response.status_code < 500, detail
    if response.status_code < 400:
        return
    body = response.json()
    if route.oauth:
        assert set(body) == {"error", "error_description"}, detail
    elif route.name == "admin quirks" and isinstance(body, dict):
        assert set(body) == {"error", "field"}, detail
    else:
        assert isinstance(body, list), detail
        assert body, detail
        assert all({"code", "fieldName", "message"} <= set(entry) for entry in body), detail


def _is_utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


@pytest.fixture
def job_id(emulator: EmulatorProcess) -> str:
    """A job of client_13 the update route replaces."""
    with emulator.api_session() as session:
        created = session.post(emulator.jobs_url(), json=daily_job("fuzzed"), timeout=10)
    return str(created.json()["id"])


def test_every_charset_and_coding_on_every_route(emulator: EmulatorProcess, job_id: str) -> None:
    """Every charset with every coding, each route with its own Content-Type."""
    with emulator.api_session() as session:
        for route in _routes(emulator, job_id):
            for (charset, encode), (label, coding) in itertools.product(
                CHARSETS.items(), CODINGS.items()
            ):
                text = encode(route.text)
                raw = coding.apply(text)
                response = _send(
                    session,
                    emulator,
                    route,
                    raw,
                    coding=coding.header,
                    content_type=route.default_type,
                )
                sent = (route.name, charset, label)
                _assert_answer(response, route, sent)
                if route.oauth and coding.header not in (None, "identity"):
                    assert response.status_code == 415, sent  # token forms are never encoded
                    continue
                if not route.oauth and coding.decodes and text and not _is_utf8(text):
                    # The documented 400: JSON that is not UTF-8 is malformed JSON.
                    assert response.status_code == 400, sent
                    assert response.json()[0]["code"] == "0001", sent
                if coding.decodes and (charset == "utf-8" or (charset in UTF8 and not route.oauth)):
                    # Well-formed (a form field name would keep the BOM): served.
                    assert response.status_code == 200, (response.text[:300], sent)


def test_random_combinations_with_content_types(emulator: EmulatorProcess, job_id: str) -> None:
    """A seeded sample of routes, charsets, codings and Content-Types; malformed multipart too."""
    rng = random.Random(SEED + 10)
    routes = _routes(emulator, job_id)
    with emulator.api_session() as session:
        for _ in range(ROUNDS):
            route = rng.choice(routes)
            charset = rng.choice(list(CHARSETS))
            label = rng.choice(list(CODINGS))
            coding = CODINGS[label]
            content_type = rng.choice(CONTENT_TYPES)
            raw = CHARSETS[charset](route.text)
            if route.oauth and rng.random() < 0.4:
                raw, content_type = (
                    rng.choice(MALFORMED_MULTIPART),
                    rng.choice(
                        ["multipart/form-data; boundary=xyz", 'multipart/form-data; boundary="xyz"']
                    ),
                )
            raw = coding.apply(raw)
            response = _send(
                session, emulator, route, raw, coding=coding.header, content_type=content_type
            )
            _assert_answer(response, route, (route.name, charset, label, content_type, raw[:80]))


def test_the_emulator_still_serves_after_undecodable_bodies(emulator: EmulatorProcess) -> None:
    """An undecodable body closes its own connection only: the next request is served."""
    with emulator.api_session() as session:
        for _ in range(3):
            bad = session.post(
                emulator.jobs_url(),
                data=b"not gzip",
                headers={"Content-Type": "application/json", "Content-Encoding": "gzip"},
                timeout=10,
            )
            assert bad.status_code == 400
            assert session.get(f"{emulator.jobs_url()}/search", timeout=10).status_code == 200
