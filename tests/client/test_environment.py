"""The environment as requests reads it: proxy variables and CA bundles, read once per client.

The proxy is a real one on loopback (tests/client/sockets.py) and the emulator serves HTTPS with
a certificate made for the run, so each variable is shown to change what goes over the wire.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from opsramp_jobs.client import OpsRampClient
from opsramp_jobs.errors import OpsRampConfigError, OpsRampConnectionError
from tests.client.conftest import job_body
from tests.client.sockets import LoopbackProxy, free_port
from tests.support.emulator import CLIENT13_KEY, CLIENT13_SECRET, CLIENT13_TENANT, EmulatorProcess

VARIABLES = (
    "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE",
)  # fmt: skip


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """No proxy or CA-bundle variables from the machine running the tests."""
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    return monkeypatch


@pytest.fixture
def proxy() -> Iterator[LoopbackProxy]:
    running = LoopbackProxy()
    yield running
    running.close()


@pytest.fixture(scope="module")
def tls_emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorProcess]:
    with EmulatorProcess(rate_limit=False, tls_dir=tmp_path_factory.mktemp("tls")) as emulator:
        yield emulator


def client_for(url: str, **settings: object) -> OpsRampClient:
    return OpsRampClient(
        url,
        CLIENT13_KEY,
        CLIENT13_SECRET,
        tenant_id=CLIENT13_TENANT,
        **settings,  # type: ignore[arg-type]
    )


def test_http_proxy_carries_every_request(
    env: pytest.MonkeyPatch, proxy: LoopbackProxy, emulator: EmulatorProcess
) -> None:
    env.setenv("HTTP_PROXY", proxy.url)
    client = client_for(emulator.url)
    assert client.job_types()
    assert proxy.seen == [
        f"POST {emulator.url}/tenancy/auth/oauth/token HTTP/1.1",
        f"GET {emulator.url}/api/v2/tenants/{CLIENT13_TENANT}/jobs/types HTTP/1.1",
    ]


def test_no_proxy_exempts_the_api_host(
    env: pytest.MonkeyPatch, proxy: LoopbackProxy, emulator: EmulatorProcess
) -> None:
    env.setenv("HTTP_PROXY", proxy.url)
    env.setenv("NO_PROXY", "localhost,127.0.0.1")
    assert client_for(emulator.url).job_types()
    assert proxy.seen == []


def test_the_environment_is_read_once_per_client(
    env: pytest.MonkeyPatch, proxy: LoopbackProxy, emulator: EmulatorProcess
) -> None:
    direct = client_for(emulator.url)
    env.setenv("HTTP_PROXY", proxy.url)
    assert direct.job_types()
    assert proxy.seen == []
    assert client_for(emulator.url).job_types()  # a new client reads the new setting
    assert len(proxy.seen) == 1  # its token came from the process-wide cache


def test_https_proxy_tunnels_to_the_api_with_the_ca_bundle(
    env: pytest.MonkeyPatch, proxy: LoopbackProxy, tls_emulator: EmulatorProcess
) -> None:
    assert tls_emulator.ca_file is not None
    env.setenv("HTTPS_PROXY", proxy.url)
    env.setenv("REQUESTS_CA_BUNDLE", tls_emulator.ca_file)
    with client_for(tls_emulator.url) as client:
        created = client.create_job(job_body("through a tunnel"))
        assert client.get_job(created["id"])["name"] == "through a tunnel"
    assert proxy.seen
    assert set(proxy.seen) == {f"CONNECT 127.0.0.1:{tls_emulator.port} HTTP/1.0"}


def test_an_unreachable_proxy_is_never_sent(
    env: pytest.MonkeyPatch, emulator: EmulatorProcess
) -> None:
    env.setenv("HTTP_PROXY", f"http://127.0.0.1:{free_port()}")
    with pytest.raises(OpsRampConnectionError, match="ProxyError") as caught:
        client_for(emulator.url, max_attempts=1).job_types()
    assert caught.value.request_may_have_been_sent is False


def test_a_proxy_that_refuses_the_tunnel_is_never_sent(
    env: pytest.MonkeyPatch, tls_emulator: EmulatorProcess
) -> None:
    refusing = LoopbackProxy(refuse_connect=True)
    try:
        env.setenv("HTTPS_PROXY", refusing.url)
        with pytest.raises(OpsRampConnectionError) as caught:
            client_for(tls_emulator.url, max_attempts=1).job_types()
        assert caught.value.request_may_have_been_sent is False
        assert refusing.seen == [f"CONNECT 127.0.0.1:{tls_emulator.port} HTTP/1.0"]
    finally:
        refusing.close()


@pytest.mark.parametrize("variable", ["REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"])
def test_a_ca_bundle_variable_is_trusted(
    env: pytest.MonkeyPatch, tls_emulator: EmulatorProcess, variable: str
) -> None:
    assert tls_emulator.ca_file is not None
    untrusted = client_for(tls_emulator.url, max_attempts=1)
    with pytest.raises(OpsRampConnectionError, match="SSLError") as caught:
        untrusted.job_types()
    assert caught.value.request_may_have_been_sent is False  # failed in the handshake
    env.setenv(variable, tls_emulator.ca_file)
    assert client_for(tls_emulator.url).job_types()


def test_a_missing_ca_bundle_is_a_configuration_error(
    env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    env.setenv("REQUESTS_CA_BUNDLE", str(tmp_path / "missing.pem"))
    with pytest.raises(OpsRampConfigError, match="REQUESTS_CA_BUNDLE"):
        client_for("https://api.example.com")
