"""The HTTP transport: environment read at construction, and what each failure says about delivery.

Failures are produced with real sockets (servers in threads here, or the emulator); urllib3 is
never mocked.
"""

from __future__ import annotations

import base64
import json
import socket
import ssl
import struct
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import certifi
import pytest

from opsramp_jobs.client import OpsRampClient
from opsramp_jobs.errors import OpsRampConfigError, OpsRampConnectionError
from opsramp_jobs.transport import Transport, TransportError
from tests.client.conftest import job_body
from tests.support.emulator import (
    CLIENT13_KEY,
    CLIENT13_SECRET,
    CLIENT13_TENANT,
    EmulatorProcess,
    self_signed_certificate,
)

PROXY_VARIABLES = (
    "http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY",
    "no_proxy", "NO_PROXY", "REQUEST_METHOD",
)  # fmt: skip
OK_ANSWER = (
    b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{"ok":true}'
)


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """No proxy or CA-bundle variables from the machine running the tests."""
    for name in (*PROXY_VARIABLES, "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def transport(url: str = "http://api.example.com", **timeouts: float) -> Transport:
    return Transport(
        url,
        connect_timeout=timeouts.get("connect_timeout", 2.0),
        read_timeout=timeouts.get("read_timeout", 5.0),
    )


# ---------------------------------------------------------------------- servers on real sockets


def read_request(conn: socket.socket) -> bytes:
    """One whole HTTP request (head and Content-Length body) from a socket."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            break
        body += chunk
    return data[: len(head) + 4] + body


class Server:
    """A loopback server answering each request with `behave(connection, request)`."""

    def __init__(
        self,
        behave: Callable[[socket.socket, bytes], None],
        context: ssl.SSLContext | None = None,
    ) -> None:
        self.requests: list[bytes] = []
        self._behave = behave
        self._context = context
        self._socket = socket.create_server(("127.0.0.1", 0))
        self.port = self._socket.getsockname()[1]
        self.url = f"{'https' if context else 'http'}://127.0.0.1:{self.port}"
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self._socket.accept()
            except OSError:
                return
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        try:
            if self._context is not None:
                conn = self._context.wrap_socket(conn, server_side=True)
            while request := read_request(conn):
                self.requests.append(request)
                self._behave(conn, request)
        except OSError:
            pass
        finally:
            conn.close()

    def close(self) -> None:
        self._socket.close()


@pytest.fixture
def serve() -> Iterator[Callable[..., Server]]:
    servers: list[Server] = []

    def start(
        behave: Callable[[socket.socket, bytes], None], context: ssl.SSLContext | None = None
    ) -> Server:
        servers.append(Server(behave, context))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def answer(raw: bytes) -> Callable[[socket.socket, bytes], None]:
    def behave(conn: socket.socket, request: bytes) -> None:
        conn.sendall(raw)

    return behave


def hang_up(conn: socket.socket, request: bytes) -> None:
    """Read the request, then close without a word (FIN)."""
    conn.shutdown(socket.SHUT_RDWR)
    raise OSError("closed")


def reset(conn: socket.socket, request: bytes) -> None:
    """Read the request, then abort the connection (RST)."""
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    raise OSError("reset")


def free_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def expect_failure(call: Callable[[], Any]) -> TransportError:
    with pytest.raises(TransportError) as caught:
        call()
    return caught.value


# ---------------------------------------------------------------------- proxies, read once


@pytest.mark.parametrize(
    ("url", "env", "expected"),
    [
        ("http://api.example.com", {"HTTP_PROXY": "http://proxy:3128"}, "http://proxy:3128"),
        ("https://api.example.com", {"HTTP_PROXY": "http://proxy:3128"}, None),
        ("https://api.example.com", {"HTTPS_PROXY": "http://proxy:3128"}, "http://proxy:3128"),
        ("https://api.example.com", {"https_proxy": "http://lower:1"}, "http://lower:1"),
        ("https://api.example.com", {"ALL_PROXY": "http://all:1"}, "http://all:1"),
        ("https://api.example.com", {"HTTPS_PROXY": "proxy:3128"}, "http://proxy:3128"),
        (
            "https://api.example.com",
            {"HTTPS_PROXY": "http://p:1", "NO_PROXY": "api.example.com"},
            None,
        ),
        (
            "https://api.example.com",
            {"HTTPS_PROXY": "http://p:1", "no_proxy": ".example.com"},
            None,
        ),
        ("https://api.example.com", {"HTTPS_PROXY": "http://p:1", "NO_PROXY": "*"}, None),
        (
            "https://api.example.com",
            {"HTTPS_PROXY": "http://p:1", "NO_PROXY": "other.com,example.org"},
            "http://p:1",
        ),
        ("http://10.1.2.3:8080", {"HTTP_PROXY": "http://p:1", "NO_PROXY": "10.0.0.0/8"}, None),
        ("http://10.1.2.3:8080", {"HTTP_PROXY": "http://p:1", "NO_PROXY": "10.1.2.3:8080"}, None),
        (
            "http://10.1.2.3:8080",
            {"HTTP_PROXY": "http://p:1", "NO_PROXY": "192.168.0.0/16"},
            "http://p:1",
        ),
    ],
)
def test_the_proxy_for_our_host_is_chosen_from_the_environment(
    clean_env: pytest.MonkeyPatch, url: str, env: dict[str, str], expected: str | None
) -> None:
    for name, value in env.items():
        clean_env.setenv(name, value)
    assert transport(url).proxy_url == expected


def test_the_environment_is_read_once_at_construction(
    clean_env: pytest.MonkeyPatch, serve: Callable[..., Server]
) -> None:
    server = serve(answer(OK_ANSWER))
    direct = transport(server.url)
    clean_env.setenv("HTTP_PROXY", f"http://127.0.0.1:{free_port()}")
    assert direct.request("GET", "/ping", headers={}).status == 200  # still direct
    assert transport(server.url).proxy_url is not None


def test_requests_go_through_the_proxy_with_its_credentials(
    clean_env: pytest.MonkeyPatch, serve: Callable[..., Server]
) -> None:
    proxy = serve(answer(OK_ANSWER))  # answers as the proxy would, after forwarding
    clean_env.setenv("HTTP_PROXY", f"http://us%40er:p%3Ass@127.0.0.1:{proxy.port}")
    through = transport("http://api.example.com/base")
    response = through.request("GET", "/jobs", headers={}, params={"pageNo": 1})
    assert response.json_or_none() == {"ok": True}
    head = proxy.requests[0].decode().lower()
    assert head.startswith("get http://api.example.com/base/jobs?pageno=1 http/1.1")
    credentials = base64.b64encode(b"us@er:p:ss").decode().lower()
    assert f"proxy-authorization: basic {credentials}\r\n" in head


def test_an_unreachable_proxy_is_never_sent(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("HTTP_PROXY", f"http://127.0.0.1:{free_port()}")
    failure = expect_failure(lambda: transport().request("POST", "/jobs", headers={}, json_body={}))
    assert (failure.kind, failure.never_sent) == ("ProxyError", True)


def test_an_unknown_proxy_scheme_is_a_configuration_error(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("HTTP_PROXY", "ftp://proxy:21")
    with pytest.raises(OpsRampConfigError, match="proxy scheme"):
        transport()


# ---------------------------------------------------------------------- CA bundle, read once


def test_requests_ca_bundle_comes_first(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("REQUESTS_CA_BUNDLE", certifi.where())
    clean_env.setenv("CURL_CA_BUNDLE", "/nonexistent.pem")
    assert transport("https://api.example.com").ca_source == "REQUESTS_CA_BUNDLE"


def test_curl_ca_bundle_is_honoured(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("CURL_CA_BUNDLE", certifi.where())
    assert transport("https://api.example.com").ca_source == "CURL_CA_BUNDLE"


def test_certifi_is_the_default_bundle(clean_env: pytest.MonkeyPatch) -> None:
    assert transport("https://api.example.com").ca_source == "certifi"


def test_a_missing_ca_bundle_is_a_configuration_error(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("REQUESTS_CA_BUNDLE", "/nonexistent/ca.pem")
    with pytest.raises(OpsRampConfigError, match="REQUESTS_CA_BUNDLE"):
        transport("https://api.example.com")
    assert transport("http://api.example.com").ca_source is None  # plain HTTP needs no CA


def test_a_url_that_is_not_http_is_a_configuration_error() -> None:
    with pytest.raises(OpsRampConfigError, match="http"):
        transport("api.example.com")


# ---------------------------------------------------------------------- was it sent?


def test_connection_refused_is_never_sent(clean_env: pytest.MonkeyPatch) -> None:
    failure = expect_failure(
        lambda: transport(f"http://127.0.0.1:{free_port()}").request(
            "POST", "/jobs", headers={}, json_body={}
        )
    )
    assert (failure.kind, failure.never_sent) == ("ConnectionError", True)


def test_a_connect_timeout_is_never_sent(clean_env: pytest.MonkeyPatch) -> None:
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
            started = time.monotonic()
            failure = expect_failure(
                lambda: transport(f"http://127.0.0.1:{port}", connect_timeout=0.2).request(
                    "POST", "/jobs", headers={}, json_body={}
                )
            )
            assert (failure.kind, failure.never_sent) == ("ConnectTimeout", True)
            assert time.monotonic() - started < 2.0
        finally:
            for filler in fillers:
                filler.close()


@pytest.mark.parametrize("behave", [hang_up, reset], ids=["closed", "reset"])
def test_a_connection_lost_after_the_request_may_have_been_sent(
    clean_env: pytest.MonkeyPatch,
    serve: Callable[..., Server],
    behave: Callable[[socket.socket, bytes], None],
) -> None:
    server = serve(behave)
    failure = expect_failure(
        lambda: transport(server.url).request("POST", "/jobs", headers={}, json_body={"a": 1})
    )
    assert (failure.kind, failure.never_sent) == ("ConnectionError", False)
    assert len(server.requests) == 1  # urllib3 resent nothing


def test_a_read_timeout_may_have_been_sent(
    clean_env: pytest.MonkeyPatch, serve: Callable[..., Server]
) -> None:
    server = serve(lambda conn, request: time.sleep(1.0))
    failure = expect_failure(
        lambda: transport(server.url, read_timeout=0.2).request(
            "POST", "/jobs", headers={}, json_body={}
        )
    )
    assert (failure.kind, failure.never_sent) == ("ReadTimeout", False)
    assert len(server.requests) == 1


def test_a_malformed_answer_is_a_protocol_error(
    clean_env: pytest.MonkeyPatch, serve: Callable[..., Server]
) -> None:
    server = serve(answer(b"NOT HTTP AT ALL\r\n\r\n"))
    failure = expect_failure(lambda: transport(server.url).request("GET", "/", headers={}))
    assert failure.never_sent is False


# ---------------------------------------------------------------------- TLS


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    return self_signed_certificate(tmp_path_factory.mktemp("tls"))


def tls_server_context(certificate: tuple[str, str]) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificate)
    return context


def test_an_untrusted_certificate_fails_the_handshake_never_sent(
    clean_env: pytest.MonkeyPatch, serve: Callable[..., Server], certificate: tuple[str, str]
) -> None:
    server = serve(answer(OK_ANSWER), tls_server_context(certificate))
    failure = expect_failure(
        lambda: transport(server.url).request("POST", "/jobs", headers={}, json_body={})
    )
    assert (failure.kind, failure.never_sent) == ("SSLError", True)
    assert server.requests == []


@pytest.mark.parametrize("behave", [hang_up, reset], ids=["closed", "reset"])
def test_a_tls_connection_lost_after_the_request_may_have_been_sent(
    clean_env: pytest.MonkeyPatch,
    serve: Callable[..., Server],
    certificate: tuple[str, str],
    behave: Callable[[socket.socket, bytes], None],
) -> None:
    server = serve(behave, tls_server_context(certificate))
    clean_env.setenv("REQUESTS_CA_BUNDLE", certificate[0])
    failure = expect_failure(
        lambda: transport(server.url).request("POST", "/jobs", headers={}, json_body={})
    )
    assert failure.never_sent is False
    assert len(server.requests) == 1


def test_the_client_over_https_trusts_requests_ca_bundle(
    clean_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with EmulatorProcess(rate_limit=False, tls_dir=tmp_path) as emulator:
        assert emulator.ca_file is not None
        untrusted = OpsRampClient(
            emulator.url, CLIENT13_KEY, CLIENT13_SECRET, tenant_id=CLIENT13_TENANT, max_attempts=1
        )
        with pytest.raises(OpsRampConnectionError) as caught:
            untrusted.job_types()
        assert caught.value.request_may_have_been_sent is False
        clean_env.setenv("REQUESTS_CA_BUNDLE", emulator.ca_file)
        with OpsRampClient(
            emulator.url, CLIENT13_KEY, CLIENT13_SECRET, tenant_id=CLIENT13_TENANT
        ) as client:
            created = client.create_job(job_body("over tls"), existing_ids=[])
            assert client.get_job(created["id"])["name"] == "over tls"


# ---------------------------------------------------------------------- requests and answers


def test_bodies_params_and_headers_are_encoded(
    clean_env: pytest.MonkeyPatch, serve: Callable[..., Server]
) -> None:
    server = serve(answer(OK_ANSWER))
    through = transport(server.url + "/prefix")
    through.request("POST", "/a", headers={"Accept": "application/json"}, json_body={"n": "é"})
    through.request("POST", "/t", headers={}, form={"grant_type": "x y", "id": "a&b"})
    through.request("GET", "/s", headers={}, params={"queryString": "name:a b", "pageNo": 2})
    json_request, form_request, get_request = (r.decode() for r in server.requests)
    assert json_request.startswith("POST /prefix/a HTTP/1.1\r\n")
    assert "Content-Type: application/json\r\n" in json_request
    assert json.loads(json_request.split("\r\n\r\n", 1)[1]) == {"n": "é"}
    assert "Content-Type: application/x-www-form-urlencoded\r\n" in form_request
    assert form_request.endswith("\r\n\r\ngrant_type=x+y&id=a%26b")
    assert get_request.startswith("GET /prefix/s?queryString=name%3Aa+b&pageNo=2 HTTP/1.1")
    assert len({r.split(b"\r\n")[0] for r in server.requests}) == 3


def test_redirects_are_not_followed(
    clean_env: pytest.MonkeyPatch, serve: Callable[..., Server]
) -> None:
    server = serve(
        answer(b"HTTP/1.1 302 Found\r\nLocation: /elsewhere\r\nContent-Length: 0\r\n\r\n")
    )
    response = transport(server.url).request("POST", "/jobs", headers={}, json_body={})
    assert (response.status, response.reason, response.body) == (302, "Found", b"")
    assert response.json_or_none() is None
    assert len(server.requests) == 1


def test_answer_headers_are_case_insensitive(
    clean_env: pytest.MonkeyPatch, serve: Callable[..., Server]
) -> None:
    server = serve(
        answer(b"HTTP/1.1 200 OK\r\nx-ratelimit-remaining: 7\r\nContent-Length: 5\r\n\r\nnot j")
    )
    response = transport(server.url).request("GET", "/", headers={})
    assert response.headers["X-RateLimit-Remaining"] == "7"
    assert response.json_or_none() is None


def test_a_closed_transport_can_still_be_used(
    clean_env: pytest.MonkeyPatch, serve: Callable[..., Server]
) -> None:
    server = serve(answer(OK_ANSWER))
    through = transport(server.url)
    through.request("GET", "/", headers={})
    through.close()
    assert through.request("GET", "/", headers={}).status == 200  # as a requests Session was
