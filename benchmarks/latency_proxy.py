"""A TCP relay that adds a network round trip, for the benchmark only.

Run: `python -m benchmarks.latency_proxy --upstream HOST:PORT --rtt-ms 20`.

Loopback has no latency, so it hides what each extra round trip costs (a new connection, a TLS
handshake, a token request). This relay sits between a client and the emulator and holds every
chunk for half the round trip in each direction, plus one round trip before a new connection's
first bytes (the TCP handshake the kernel completed locally at once). TLS passes through
untouched. It prints `listening on <port>` when ready.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path


async def _pipe(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, one_way: float, first_extra: float
) -> None:
    """Copy reader to writer, each chunk delivered `one_way` seconds after it arrived, in order."""
    queue: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()

    async def deliver() -> None:
        while True:
            due, chunk = await queue.get()
            delay = due - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            if not chunk:
                with contextlib.suppress(OSError):
                    writer.write_eof()
                return
            writer.write(chunk)
            await writer.drain()

    sender = asyncio.create_task(deliver())
    extra = first_extra
    try:
        while True:
            chunk = await reader.read(65536)
            await queue.put((time.monotonic() + one_way + extra, chunk))
            extra = 0.0
            if not chunk:
                break
        await sender
    except (ConnectionError, OSError):
        sender.cancel()
    finally:
        with contextlib.suppress(OSError):
            writer.close()


async def serve(upstream_host: str, upstream_port: int, rtt: float) -> None:
    async def relay(
        client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter
    ) -> None:
        try:
            server_reader, server_writer = await asyncio.open_connection(
                upstream_host, upstream_port
            )
        except OSError:
            client_writer.close()
            return
        await asyncio.gather(
            _pipe(client_reader, server_writer, rtt / 2, rtt),
            _pipe(server_reader, client_writer, rtt / 2, 0.0),
            return_exceptions=True,
        )

    server = await asyncio.start_server(relay, "127.0.0.1", 0)
    print(f"listening on {server.sockets[0].getsockname()[1]}", flush=True)
    async with server:
        await server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--upstream", required=True, help="host:port of the emulator")
    parser.add_argument("--rtt-ms", type=float, required=True, help="round trip to add")
    args = parser.parse_args()
    host, _, port = args.upstream.rpartition(":")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(host, int(port), args.rtt_ms / 1000))


@contextlib.contextmanager
def running(upstream_port: int, rtt_ms: float) -> Iterator[int]:
    """This relay, as a subprocess in front of 127.0.0.1:upstream_port; yields its port."""
    process = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.latency_proxy",
         "--upstream", f"127.0.0.1:{upstream_port}", "--rtt-ms", str(rtt_ms)],
        stdout=subprocess.PIPE, text=True, cwd=Path(__file__).resolve().parents[1],
    )  # fmt: skip
    try:
        assert process.stdout is not None
        yield int(process.stdout.readline().split()[-1])
    finally:
        process.terminate()
        process.wait(timeout=5)


if __name__ == "__main__":
    main()
