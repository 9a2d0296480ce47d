"""One HTTP exchange with OpsRamp through a requests Session; what a failure says about delivery.

The environment (proxy and its exemptions, CA bundle, client certificate) is read once per client by
requests' own `merge_environment_settings`, then passed explicitly with `trust_env` off: left on,
requests rescans the environment on every request (~15 % of a create's CPU, measured).

Each request is prepared here and handed to `Session.send`, not to `Session.request`: the latter
merges seven session settings and copies the cookie jar per call, ~20 % of a refresh's `read`
(0.90 -> 0.72 ms, measured). The session sets nothing but its default headers and the cookies a
server returns (a load balancer's, say), and both are merged below; auth, hooks and params are
never set on it.
"""

from __future__ import annotations

import http.client
import logging
import os
import threading
import time
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import HTTPError, NewConnectionError

from opsramp_jobs.errors import OpsRampConfigError, OpsRampConnectionError

log = logging.getLogger("opsramp_jobs.client")

# The provider server runs up to 32 worker threads (sdk_patches.WORKER_THREADS; the SDK's 4,
# widened), plus a few for look-ups made beside them: one kept connection each, so a busy tenant
# over HTTPS does not pay a TLS handshake per discarded connection. More threads than this still
# connect (pool_block=False); their connections are just not kept.
POOL_SIZE = 36
# A failure raised inside the TLS handshake (ssl.SSLSocket.do_handshake) happened before any byte
# of the request left for the server.
_HANDSHAKE = "do_handshake"
# The exceptions a transport failure is made of; the chain is not followed past anything else.
_TRANSPORT_EXCEPTIONS = (requests.RequestException, HTTPError, OSError, http.client.HTTPException)


def _failure_chain(exc: BaseException) -> Iterator[BaseException]:
    """The exception and those it wraps (cause, context, urllib3's reason), transport ones only."""
    seen: set[int] = set()
    pending = [exc]
    while pending:
        current = pending.pop()
        if id(current) in seen or not isinstance(current, _TRANSPORT_EXCEPTIONS):
            continue
        seen.add(id(current))
        yield current
        linked = [current.__cause__, getattr(current, "reason", None), *current.args]
        if not current.__suppress_context__:
            linked.append(current.__context__)
        pending += [item for item in linked if isinstance(item, BaseException)]


def never_sent(exc: requests.RequestException) -> bool:
    """True when the server certainly saw no request, so even a POST may be sent again."""
    # A refused or timed-out connect, or a proxy that could not be reached or refused the tunnel
    # (urllib3 raises ProxyError only while the connection through the proxy is not made).
    if isinstance(exc, requests.exceptions.ConnectTimeout | requests.exceptions.ProxyError):
        return True
    chain = list(_failure_chain(exc))
    if any(isinstance(item, NewConnectionError) for item in chain):
        return True
    # A TLS error (or a timeout) during the handshake. The same SSLError class also reports a TLS
    # failure while the answer is read, after the request went out: that one may have been sent.
    for item in chain:
        traceback = item.__traceback__
        while traceback is not None:
            if traceback.tb_frame.f_code.co_name == _HANDSHAKE:
                return True
            traceback = traceback.tb_next
    return False


def json_body(response: requests.Response) -> Any:
    """The decoded JSON body, or None when the body is empty or not JSON."""
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        return None


class HttpExchange:
    """HTTP to one base URL: a pooled Session, the environment read once, finite timeouts."""

    def __init__(self, base_url: str, *, connect_timeout: float, read_timeout: float) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise OpsRampConfigError(
                f"{base_url!r} is not an http(s) URL: set the OpsRamp API URL, e.g. "
                "https://acme.api.opsramp.com"
            )
        self.base_url = base_url
        session = requests.Session()
        # Retries are the client's: max_retries=0 never resends, and never a POST.
        adapter = HTTPAdapter(
            pool_connections=1, pool_maxsize=POOL_SIZE, max_retries=0, pool_block=False
        )
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        environment = session.merge_environment_settings(base_url, {}, None, None, None)
        session.trust_env = False  # read once, above; not again per request
        verify = environment["verify"]
        if isinstance(verify, str) and not os.path.exists(verify):
            source = next(
                (name for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE") if os.environ.get(name)),
                "the CA bundle setting",
            )
            raise OpsRampConfigError(
                f"The CA bundle {verify!r} (from {source}) does not exist: point {source} at a "
                "PEM file or unset it"
            )
        self.proxies: dict[str, str] = dict(environment["proxies"])
        self.verify: bool | str | None = verify
        self._send_settings: dict[str, Any] = {
            "proxies": self.proxies,
            "verify": verify,
            "cert": environment["cert"],
            "timeout": (connect_timeout, read_timeout),
            "allow_redirects": False,
        }
        self._session = session
        self._counter_lock = threading.Lock()
        self._requests_sent = 0

    @property
    def requests_sent(self) -> int:
        """HTTP requests sent through this exchange, failed ones included."""
        with self._counter_lock:
            return self._requests_sent

    def send(
        self,
        method: str,
        path: str,
        attempt: int,
        *,
        headers: Mapping[str, str],
        params: Mapping[str, str | int] | None = None,
        json_body: Any = None,
        form: Mapping[str, str] | None = None,
    ) -> requests.Response:
        """One exchange; logs method, path, status, latency and attempt (never headers)."""
        with self._counter_lock:
            self._requests_sent += 1
        started = time.perf_counter()
        try:
            prepared = requests.PreparedRequest()
            prepared.prepare(
                method=method,
                url=self.base_url + path,
                headers={**self._session.headers, **headers},
                params=params,
                json=json_body,
                data=form,
                cookies=self._session.cookies,
            )
            response = self._session.send(prepared, **self._send_settings)
        except requests.RequestException as exc:
            elapsed_ms = (time.perf_counter() - started) * 1000
            log.debug(
                "%s %s failed: %s after %.0f ms (attempt %d)",
                method, path, type(exc).__name__, elapsed_ms, attempt,
            )  # fmt: skip
            raise
        elapsed_ms = (time.perf_counter() - started) * 1000
        log.debug(
            "%s %s -> %d in %.0f ms (attempt %d)",
            method, path, response.status_code, elapsed_ms, attempt,
        )  # fmt: skip
        return response

    def connection_error(
        self, method: str, path: str, exc: requests.RequestException
    ) -> OpsRampConnectionError:
        """The error for a transport failure the caller will not retry."""
        sent = not never_sent(exc)
        if not sent:
            advice = "the request was not delivered; check the API URL and network, then retry"
        elif method == "POST":
            advice = "the request may have been applied; refresh before retrying"
        else:
            advice = "retry later"
        return OpsRampConnectionError(
            f"{method} {path} to {self.base_url} failed ({type(exc).__name__}) after retries: "
            f"{advice}",
            request_may_have_been_sent=sent,
        )

    def close(self) -> None:
        """Close pooled connections; like a requests Session, the exchange stays usable."""
        self._session.close()
