"""Was the request sent? Each transport failure, made with real sockets, and what the client does.

A request that certainly never reached the server may be sent again, even a POST; one that may
have reached it never is (the guard then looks the create up by name, see
tests/uniqueness/test_lost_answers.py).
"""

from __future__ import annotations

import os
import socket
import ssl
import struct
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from opsramp_jobs.client import OpsRampClient
from opsramp_jobs.errors import OpsRampConnectionError
from tests.client.sockets import Behaviour, Server, free_port
from tests.support.emulator import self_signed_certificate

OK_ANSWER = (
    b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{"ok":true}'
)


@pytest.fixture
def serve() -> Iterator[Callable[..., Server]]:
    servers: list[Server] = []

    def start(behave: Behaviour, context: ssl.SSLContext | None = None) -> Server:
        servers.append(Server(behave, context))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


@pytest.fixture(autouse=True)
def _no_proxy_or_ca_from_the_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    return self_signed_certificate(tmp_path_factory.mktemp("tls"))


def tls(certificate: tuple[str, str]) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificate)
    return context


def update_through(url: str, **settings: Any) -> OpsRampConnectionError:
    """POST an update (never resent once it may have arrived) and return the failure."""
    client = OpsRampClient(
        url, "key", "secret", tenant_id="client_13", max_attempts=3, backoff_base=0.01,
        **settings,
    )  # fmt: skip
    with pytest.raises(OpsRampConnectionError) as caught:
        client.update_job("job-1", {"name": "n"})
    return caught.value


def hang_up(conn: socket.socket, request: bytes) -> None:
    """Read the request, then close without a word (FIN)."""
    conn.shutdown(socket.SHUT_RDWR)
    raise OSError("closed")


def reset(conn: socket.socket, request: bytes) -> None:
    """Read the request, then abort the connection (RST)."""
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    raise OSError("reset")


def corrupt_tls_record(conn: socket.socket, request: bytes) -> None:
    """Read the request, then answer with a TLS record that cannot be decrypted."""
    with socket.socket(fileno=os.dup(conn.fileno())) as raw:
        raw.sendall(b"\x17\x03\x03\x00\x20" + bytes(range(32)))
    time.sleep(0.5)


# ---------------------------------------------------------------------- certainly not sent


def test_connection_refused_is_never_sent_and_retried() -> None:
    failure = update_through(f"http://127.0.0.1:{free_port()}")
    assert failure.request_may_have_been_sent is False
    assert "ConnectionError" in failure.message


def test_a_connect_timeout_is_never_sent() -> None:
    # A listener whose backlog is full: the kernel drops further SYNs, so connect() hangs.
    with socket.create_server(("127.0.0.1", 0), backlog=0) as listener:
        port = listener.getsockname()[1]
        fillers = [socket.socket() for _ in range(8)]
        for filler in fillers:
            filler.setblocking(False)
            filler.connect_ex(("127.0.0.1", port))
        time.sleep(0.05)
        try:
            with socket.socket() as probe:
                probe.settimeout(0.2)
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    pytest.skip("this kernel accepts connections beyond a full backlog")
            failure = update_through(f"http://127.0.0.1:{port}", connect_timeout=0.2)
            assert failure.request_may_have_been_sent is False
            assert "ConnectTimeout" in failure.message
        finally:
            for filler in fillers:
                filler.close()


def test_an_untrusted_certificate_fails_in_the_handshake_never_sent(
    serve: Callable[..., Server], certificate: tuple[str, str]
) -> None:
    server = serve(lambda conn, request: conn.sendall(OK_ANSWER), tls(certificate))
    failure = update_through(server.url)
    assert failure.request_may_have_been_sent is False
    assert "SSLError" in failure.message
    assert server.requests == []


# ---------------------------------------------------------------------- may have been sent


@pytest.mark.parametrize("behave", [hang_up, reset], ids=["closed", "reset"])
@pytest.mark.parametrize("secure", [False, True], ids=["http", "https"])
def test_a_connection_lost_after_the_request_may_have_been_sent(
    serve: Callable[..., Server],
    certificate: tuple[str, str],
    monkeypatch: pytest.MonkeyPatch,
    behave: Behaviour,
    secure: bool,
) -> None:
    if secure:
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", certificate[0])
    server = serve(behave, tls(certificate) if secure else None)
    failure = update_through(server.url)
    assert failure.request_may_have_been_sent is True
    assert len(server.requests) == 1  # the POST was not sent again


def test_a_tls_error_after_the_handshake_may_have_been_sent(
    serve: Callable[..., Server], certificate: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The same SSLError class as an untrusted certificate, but raised while reading the answer:
    # the server has the request, so the POST must not be sent again.
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", certificate[0])
    server = serve(corrupt_tls_record, tls(certificate))
    failure = update_through(server.url)
    assert "SSLError" in failure.message
    assert failure.request_may_have_been_sent is True
    assert len(server.requests) == 1


def test_a_read_timeout_may_have_been_sent(serve: Callable[..., Server]) -> None:
    server = serve(lambda conn, request: time.sleep(1.0))
    failure = update_through(server.url, read_timeout=0.2)
    assert "ReadTimeout" in failure.message
    assert failure.request_may_have_been_sent is True
    assert len(server.requests) == 1


def test_a_malformed_answer_may_have_been_sent(serve: Callable[..., Server]) -> None:
    server = serve(lambda conn, request: conn.sendall(b"NOT HTTP AT ALL\r\n\r\n"))
    failure = update_through(server.url)
    assert failure.request_may_have_been_sent is True
    assert len(server.requests) == 1


def test_redirects_are_not_followed(serve: Callable[..., Server]) -> None:
    server = serve(
        lambda conn, request: conn.sendall(
            b"HTTP/1.1 302 Found\r\nLocation: /elsewhere\r\nContent-Length: 0\r\n\r\n"
        )
    )
    client = OpsRampClient(server.url, "key", "secret", tenant_id="client_13")
    with pytest.raises(Exception, match="HTTP 302"):
        client.update_job("job-1", {"name": "n"})
    assert len(server.requests) == 1


def test_a_url_that_is_not_http_is_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="http"):
        OpsRampClient("api.example.com", "key", "secret")


def test_each_request_carries_the_defaults_the_headers_and_a_servers_cookie(
    serve: Callable[..., Server],
) -> None:
    # The exchange prepares requests itself (exchange.py): what Session.request would have merged
    # must still be sent: requests' default headers, the client's own, a cookie the server set.
    with_cookie = (
        b"HTTP/1.1 200 OK\r\nSet-Cookie: AWSALB=sticky-1; Path=/\r\n"
        b'Content-Type: application/json\r\nContent-Length: 11\r\n\r\n{"ok":true}'
    )
    answers = iter([with_cookie])

    def answer(conn: socket.socket, request: bytes) -> None:
        conn.sendall(next(answers, OK_ANSWER))

    server = serve(answer)
    client = OpsRampClient(server.url, "key", "secret", tenant_id="client_13")
    client.update_job("job-1", {"name": "n"})
    client.get_job("job-1")
    first, second = (request.decode().lower() for request in server.requests)
    for head in (first, second):
        assert "authorization: bearer tok-1" in head
        assert "user-agent: python-requests/" in head
        assert "accept-encoding: gzip" in head
    assert "cookie:" not in first
    assert "cookie: awsalb=sticky-1" in second
    assert first.startswith("post /api/v2/tenants/client_13/jobs/job-1 ")
    assert first.endswith('{"name": "n", "id": "job-1"}')
    assert "content-type: application/json" in first
    assert second.startswith("get /api/v2/tenants/client_13/jobs/job-1 ")
