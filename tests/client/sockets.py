"""Real loopback servers for the client's transport tests: plain, TLS, and an HTTP proxy."""

from __future__ import annotations

import contextlib
import socket
import ssl
import threading
from collections.abc import Callable
from urllib.parse import urlsplit

TOKEN_ANSWER = (
    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 47\r\n\r\n"
    b'{"access_token": "tok-1", "expires_in": "3600"}'
)
Behaviour = Callable[[socket.socket, bytes], None]


def read_request(conn: socket.socket) -> bytes:
    """One whole HTTP request (head and Content-Length body) from a socket; b"" at EOF."""
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
    return head + b"\r\n\r\n" + body


class Server:
    """A loopback server: token requests get a token, every other request `behave(conn, req)`."""

    def __init__(self, behave: Behaviour, context: ssl.SSLContext | None = None) -> None:
        self.requests: list[bytes] = []  # every request but the token ones
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
                if b"/oauth/token " in request.split(b"\r\n", 1)[0]:
                    conn.sendall(TOKEN_ANSWER)
                    continue
                self.requests.append(request)
                self._behave(conn, request)
        except OSError:
            pass
        finally:
            conn.close()

    def close(self) -> None:
        self._socket.close()


def free_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _pipe(source: socket.socket, target: socket.socket) -> None:
    """Copy bytes until either side closes."""
    with contextlib.suppress(OSError):
        while chunk := source.recv(65536):
            target.sendall(chunk)
    for side in (source, target):
        with contextlib.suppress(OSError):
            side.shutdown(socket.SHUT_RDWR)


class LoopbackProxy:
    """An HTTP proxy on loopback: forwards absolute-form requests and CONNECT tunnels.

    `seen` holds every request line it was asked (e.g. "CONNECT 127.0.0.1:8443 HTTP/1.1").
    """

    def __init__(self, *, refuse_connect: bool = False) -> None:
        self.seen: list[str] = []
        self._refuse_connect = refuse_connect
        self._socket = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._socket.getsockname()[1]}"
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self._socket.accept()
            except OSError:
                return
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        with contextlib.suppress(OSError), conn:
            request = read_request(conn)
            if not request:
                return
            head, _, body = request.partition(b"\r\n\r\n")
            line, *header_lines = head.decode("latin-1").split("\r\n")
            self.seen.append(line)
            method, target, version = line.split(" ")
            if method == "CONNECT":
                if self._refuse_connect:
                    conn.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
                    return
                host, _, port = target.rpartition(":")
                upstream = socket.create_connection((host, int(port)))
                conn.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
            else:
                parts = urlsplit(target)
                upstream = socket.create_connection((parts.hostname, parts.port or 80))
                # One request per connection keeps this proxy simple: ask the server to close.
                headers = [
                    h
                    for h in header_lines
                    if h.split(":")[0].lower() not in ("connection", "proxy-connection")
                ]
                origin = parts.path + (f"?{parts.query}" if parts.query else "")
                forwarded = "\r\n".join(
                    [f"{method} {origin} {version}", *headers, "Connection: close"]
                )
                upstream.sendall(forwarded.encode("latin-1") + b"\r\n\r\n" + body)
            with upstream:
                back = threading.Thread(target=_pipe, args=(upstream, conn), daemon=True)
                back.start()
                _pipe(conn, upstream)
                back.join(10)

    def close(self) -> None:
        self._socket.close()
