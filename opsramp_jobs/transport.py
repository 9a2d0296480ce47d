"""The one place that speaks HTTP: a urllib3 connection pool for the client's one host.

Plain urllib3 rather than requests: on loopback requests spent ~1.06 ms of CPU per request,
a urllib3 connection pool ~0.48 ms, and the provider process is bound by one GIL. Everything
requests read from the environment (proxy, NO_PROXY, CA bundle) is read here once, at
construction, for the one host.
"""

from __future__ import annotations

import ipaddress
import json
import os
import ssl
import urllib.request
from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote, urlencode

import urllib3
from urllib3.exceptions import (
    ConnectTimeoutError,
    DecodeError,
    HTTPError,
    NewConnectionError,
    ProtocolError,
    ProxyError,
    ReadTimeoutError,
    SSLError,
)
from urllib3.util import make_headers, parse_url
from urllib3.util.ssl_ import create_urllib3_context

from opsramp_jobs.errors import OpsRampConfigError

POOL_SIZE = 16  # connections kept per client; more threads still connect (block=False)
CA_BUNDLE_VARIABLES = ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE")  # what requests honoured
# What requests asked for by default: the server may compress (gzip, deflate; br/zstd if the
# decoders are installed).
_DEFAULT_HEADERS = {"Accept-Encoding": make_headers(accept_encoding=True)["accept-encoding"]}

# Names requests gave these failures, so error messages stay as they were.
_KINDS: tuple[tuple[type[HTTPError], str], ...] = (
    (NewConnectionError, "ConnectionError"),
    (ConnectTimeoutError, "ConnectTimeout"),
    (ReadTimeoutError, "ReadTimeout"),
    (SSLError, "SSLError"),
    (ProxyError, "ProxyError"),
    (ProtocolError, "ConnectionError"),
    (DecodeError, "ContentDecodingError"),
)
# Failures before the request left: refused or timed-out connects (NewConnectionError is a
# ConnectTimeoutError), TLS errors (taken as the handshake, as before: a TLS peer that closes
# after reading surfaces as a protocol error), and ProxyError, which urllib3 raises only while
# the connection to the proxy is not made.
_NEVER_SENT = (ConnectTimeoutError, SSLError, ProxyError)


class TransportError(Exception):
    """Any failure to get an answer; `never_sent` when the server certainly saw no request."""

    def __init__(self, kind: str, never_sent: bool, detail: str = "") -> None:
        super().__init__(f"{kind}: {detail}" if detail else kind)
        self.kind = kind
        self.never_sent = never_sent


class Response:
    """An HTTP answer, read in full; `headers` is case-insensitive."""

    __slots__ = ("body", "headers", "reason", "status")

    def __init__(self, status: int, reason: str, headers: Mapping[str, str], body: bytes) -> None:
        self.status = status
        self.reason = reason
        self.headers = headers
        self.body = body

    def json_or_none(self) -> Any:
        """The decoded JSON body, or None when the body is empty or not JSON."""
        if not self.body:
            return None
        try:
            return json.loads(self.body)  # detects UTF-8/16/32 as requests did
        except ValueError:
            return None


def _proxy_for(scheme: str, host: str, port: int | None) -> str | None:
    """The proxy URL for our host from the environment (as requests chose it), or None."""
    proxies = urllib.request.getproxies()
    proxy = proxies.get(scheme) or proxies.get("all")
    if not proxy or _bypassed(host, port):
        return None
    return proxy if "://" in proxy else f"http://{proxy}"  # "host:3128" means an HTTP proxy


def _bypassed(host: str, port: int | None) -> bool:
    """Whether NO_PROXY (or the OS settings urllib reads) exempts our host."""
    if urllib.request.proxy_bypass(host):
        return True
    # requests also honoured what urllib does not: CIDR ranges and host:port entries.
    no_proxy = os.environ.get("no_proxy") or os.environ.get("NO_PROXY") or ""
    for entry in (part.strip() for part in no_proxy.split(",")):
        if "/" in entry:
            try:
                if ipaddress.ip_address(host.strip("[]")) in ipaddress.ip_network(entry, False):
                    return True
            except ValueError:
                continue
        elif port is not None and entry and entry.lower() == f"{host}:{port}".lower():
            return True
    return False


def _ca_bundle() -> tuple[str | None, str]:
    """(CA file or directory, where it came from); (None, "system") for the OS default."""
    for variable in CA_BUNDLE_VARIABLES:
        if os.environ.get(variable):
            return os.environ[variable], variable
    try:
        import certifi  # noqa: PLC0415 (optional: requests' default bundle, when installed)
    except ImportError:
        return None, "system"
    return certifi.where(), "certifi"


def _ssl_context(ca_path: str | None, source: str) -> ssl.SSLContext:
    """A verifying context with the CA bundle loaded once (not per new connection)."""
    context = create_urllib3_context()
    try:
        if ca_path is None:
            context.load_default_certs()
        elif os.path.isdir(ca_path):
            context.load_verify_locations(capath=ca_path)
        else:
            context.load_verify_locations(cafile=ca_path)
    except (OSError, ssl.SSLError) as exc:
        raise OpsRampConfigError(
            f"Cannot load the CA bundle {ca_path!r} (from {source}): {exc}; point {source} at "
            "a PEM file or unset it"
        ) from exc
    return context


class Transport:
    """HTTP to one base URL through a pool; thread-safe; the environment is read once, here."""

    def __init__(self, base_url: str, *, connect_timeout: float, read_timeout: float) -> None:
        url = parse_url(base_url)
        if url.scheme not in ("http", "https") or not url.host:
            raise OpsRampConfigError(f"{base_url!r} is not an http(s) URL")
        self._prefix = (url.path or "").rstrip("/")
        self._origin = f"{url.scheme}://{url.netloc}"
        timeout = urllib3.Timeout(connect=connect_timeout, read=read_timeout)
        pool_settings: dict[str, Any] = {
            "timeout": timeout,
            "maxsize": POOL_SIZE,
            "block": False,
            "retries": False,  # retries are the client's: urllib3 must never resend a POST
        }
        self.ca_source: str | None = None  # which CA bundle verifies the server (https only)
        if url.scheme == "https":
            ca_path, self.ca_source = _ca_bundle()
            pool_settings["ssl_context"] = _ssl_context(ca_path, self.ca_source)
        self.proxy_url = _proxy_for(url.scheme, url.host, url.port)
        self._proxy: urllib3.PoolManager | None = None
        self._pool: urllib3.HTTPConnectionPool | None = None
        if self.proxy_url is None:
            self._pool_settings = {"host": url.host, "port": url.port, **pool_settings}
            self._pool_class = (
                urllib3.HTTPSConnectionPool if url.scheme == "https" else urllib3.HTTPConnectionPool
            )
            self._pool = self._pool_class(**self._pool_settings)
        else:
            self._proxy = _proxy_manager(self.proxy_url, pool_settings)

    def request(
        self,
        method: str,
        path: str,
        *,
        headers: Mapping[str, str],
        params: Mapping[str, str | int] | None = None,
        json_body: Any = None,
        form: Mapping[str, str] | None = None,
    ) -> Response:
        """One exchange, redirects not followed; TransportError when no answer came."""
        target = self._prefix + path
        if params:
            target += "?" + urlencode(params)
        all_headers = {**_DEFAULT_HEADERS, **headers}
        body: bytes | None = None
        if json_body is not None:
            body = json.dumps(json_body, allow_nan=False).encode()
            all_headers["Content-Type"] = "application/json"
        elif form is not None:
            body = urlencode(form).encode()
            all_headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            if self._pool is not None:
                raw = self._pool.urlopen(
                    method, target, body=body, headers=all_headers, retries=False, redirect=False
                )
            else:
                assert self._proxy is not None
                raw = self._proxy.urlopen(
                    method,
                    self._origin + target,
                    body=body,
                    headers=all_headers,
                    retries=False,
                    redirect=False,
                )
        except HTTPError as exc:
            kind = next((name for cls, name in _KINDS if isinstance(exc, cls)), type(exc).__name__)
            raise TransportError(kind, isinstance(exc, _NEVER_SENT), str(exc)) from exc
        return Response(raw.status, raw.reason or "", raw.headers, raw.data)

    def close(self) -> None:
        """Close pooled connections; like a requests Session, the transport stays usable."""
        if self._pool is not None:
            pool, self._pool = self._pool, self._pool_class(**self._pool_settings)
            pool.close()
        elif self._proxy is not None:
            self._proxy.clear()


def _proxy_manager(proxy_url: str, pool_settings: dict[str, Any]) -> urllib3.PoolManager:
    """A manager that reaches our host through the proxy (credentials in the URL are used)."""
    proxy = parse_url(proxy_url)
    username, _, password = (proxy.auth or "").partition(":")
    username, password = unquote(username), unquote(password)
    if proxy.scheme in ("socks4", "socks4a", "socks5", "socks5h"):
        try:
            from urllib3.contrib.socks import SOCKSProxyManager  # noqa: PLC0415 (needs PySocks)
        except ImportError as exc:
            raise OpsRampConfigError(
                f"The proxy {proxy.scheme}://{proxy.host} needs PySocks: pip install pysocks"
            ) from exc
        return SOCKSProxyManager(
            proxy_url, username=username or None, password=password or None, **pool_settings
        )
    if proxy.scheme not in ("http", "https"):
        raise OpsRampConfigError(f"Unsupported proxy scheme {proxy.scheme!r} in {proxy.host}")
    proxy_headers = make_headers(proxy_basic_auth=f"{username}:{password}") if proxy.auth else None
    return urllib3.ProxyManager(
        proxy._replace(auth=None).url, proxy_headers=proxy_headers, **pool_settings
    )
