"""Command line: `python -m opsramp_jobs.emulator [options]` serves the emulator until signalled."""

from __future__ import annotations

import argparse
import asyncio
import signal
import ssl
import sys

from aiohttp import web

from .app import (
    DEFAULT_REQUEST_TIMEOUT,
    TOKEN_TTL_BOUNDS,
    ConfigError,
    Emulator,
    RuntimeConfig,
    bounded_number,
    build_app,
    check_rate_limits,
)
from .quirks import QUIRKS, UnknownQuirkError, parse_quirk_list
from .ratelimit import RateLimits
from .seed import (
    DEFAULT_PARTNER_KEY,
    DEFAULT_PARTNER_SECRET,
    SYNTHETIC_CLIENTS_MAX,
    add_synthetic_clients,
)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command-line options."""
    parser = argparse.ArgumentParser(
        prog="python -m opsramp_jobs.emulator",
        description="Local emulator of the OpsRamp automation jobs API. Rate limits count per "
        "tenant; the partner msp_12 gets 3 times each limit.",
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to bind (default: %(default)s)"
    )
    parser.add_argument(
        "--port",
        type=int,
        default=8700,
        help="port; 0 picks a free one, which the ready line shows (default: %(default)s)",
    )
    parser.add_argument(
        "--db",
        default=None,
        metavar="PATH",
        help="SQLite file: jobs survive a restart, tokens do not (default: none, jobs are kept "
        "in memory)",
    )
    parser.add_argument(
        "--client-id",
        default=DEFAULT_PARTNER_KEY,
        help="API key of the partner tenant msp_12 (default: %(default)s)",
    )
    parser.add_argument(
        "--client-secret", default=DEFAULT_PARTNER_SECRET, help="its secret (default: %(default)s)"
    )
    parser.add_argument(
        "--token-ttl",
        type=float,
        default=7199.0,
        metavar="SECONDS",
        help="token lifetime, seconds; fractions allowed (default: %(default)s)",
    )
    parser.add_argument(
        "--no-rate-limit",
        action="store_true",
        help="no rate limits and no X-RateLimit-* headers (default: limits on)",
    )
    parser.add_argument(
        "--write-limit",
        type=int,
        default=50,
        metavar="N",
        help="POST/PUT/DELETE requests per window per client tenant (default: %(default)s)",
    )
    parser.add_argument(
        "--paged-read-limit",
        type=int,
        default=50,
        metavar="N",
        help="job searches per window per client tenant (default: %(default)s)",
    )
    parser.add_argument(
        "--read-limit",
        type=int,
        default=500,
        metavar="N",
        help="other GETs per window per client tenant (default: %(default)s)",
    )
    parser.add_argument(
        "--rate-window",
        type=float,
        default=60.0,
        metavar="SECONDS",
        help="length of the rate-limit window, seconds; fractions allowed (default: %(default)s)",
    )
    parser.add_argument(
        "--not-found-as-500",
        action="store_true",
        help="when a job id does not exist (or is another tenant's), answer HTTP 500 instead of "
        "404, with the same body (code 0003, 'No resource found'), as real OpsRamp sometimes "
        "does; for testing that a client still treats the job as gone (default: off, 404)",
    )
    parser.add_argument(
        "--quirks",
        default="",
        metavar="A,B",
        help="comma separated quirk modes (the other side of a documented contradiction): "
        + ", ".join(QUIRKS)
        + " (default: none)",
    )
    parser.add_argument(
        "--request-timeout",
        type=float,
        default=DEFAULT_REQUEST_TIMEOUT,
        metavar="SECONDS",
        help="seconds a connection may take to send a whole request (stalled ones are "
        "dropped); idle keep-alive connections are closed after the same time "
        "(default: %(default)s)",
    )
    parser.add_argument(
        "--synthetic-clients",
        type=int,
        default=0,
        metavar="N",
        help="add N clients client_s001.. of msp_12, each with 3 devices and its own key "
        "client_sNNN-key / secret client_sNNN-secret (see docs/fleet.md)",
    )
    # OpsRamp serves HTTPS only; the benchmark uses this to measure what TLS costs each client.
    parser.add_argument(
        "--tls-cert",
        default=None,
        metavar="PEM",
        help="PEM certificate file: serve HTTPS (with --tls-key; default: none, plain HTTP)",
    )
    parser.add_argument(
        "--tls-key",
        default=None,
        metavar="PEM",
        help="PEM private key file of --tls-cert (default: none)",
    )
    args = parser.parse_args(argv)
    if bool(args.tls_cert) != bool(args.tls_key):
        parser.error("--tls-cert and --tls-key go together")
    try:
        args.quirks = parse_quirk_list(args.quirks)
    except UnknownQuirkError as exc:
        parser.error(str(exc))  # exit status 2
    if not 0 <= args.synthetic_clients <= SYNTHETIC_CLIENTS_MAX:
        parser.error(f"--synthetic-clients must be from 0 to {SYNTHETIC_CLIENTS_MAX}")
    if not 0.05 <= args.request_timeout <= 3600:
        parser.error("--request-timeout must be from 0.05 to 3600 seconds")
    try:
        startup_config(args)
    except ConfigError as exc:
        parser.error(f"{exc} (as a command-line option)")
    return args


def startup_config(args: argparse.Namespace) -> RuntimeConfig:
    """The runtime config the options describe (restored by /_emulator/reset)."""
    limits = None
    if not args.no_rate_limit:
        limits = check_rate_limits(
            RateLimits(
                write=args.write_limit,
                paged_read=args.paged_read_limit,
                read=args.read_limit,
                window=args.rate_window,
            )
        )
    return RuntimeConfig(
        rate_limits=limits,
        token_ttl=bounded_number(args.token_ttl, "token_ttl", TOKEN_TTL_BOUNDS),
        not_found_as_500=args.not_found_as_500,
        quirks=args.quirks,
    )


async def serve(args: argparse.Namespace) -> None:
    """Serve until SIGTERM or SIGINT, then shut down cleanly."""
    add_synthetic_clients(args.synthetic_clients)
    emulator = Emulator(
        db_path=args.db,
        partner_key=args.client_id,
        partner_secret=args.client_secret,
        startup=startup_config(args),
        request_timeout=args.request_timeout,
    )
    # Handlers go in before the ready line so a harness may signal as soon as it reads it.
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    # aiohttp closes a connection that has not delivered a complete request head within
    # keepalive_timeout of connecting or of its last response (a half-sent header stalls there);
    # stalled bodies are dropped by the handlers (_within_request_timeout).
    runner = web.AppRunner(
        build_app(emulator),
        access_log=None,
        handle_signals=False,
        keepalive_timeout=args.request_timeout,
        # A body a handler did not read (answered early, e.g. 401) is drained for this long.
        lingering_time=min(10.0, args.request_timeout),
        # Bodies are decoded by the handlers (app._read_body), so one that does not decode is
        # a 4xx in OpsRamp's shape, not an error inside aiohttp's parser.
        auto_decompress=False,
    )
    await runner.setup()
    tls = None
    if args.tls_cert:
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls.load_cert_chain(args.tls_cert, args.tls_key)
    site = web.TCPSite(runner, args.host, args.port, ssl_context=tls)
    await site.start()
    port = runner.addresses[0][1]
    host = f"[{args.host}]" if ":" in args.host else args.host
    scheme = "https" if tls else "http"
    print(f"OpsRamp emulator listening on {scheme}://{host}:{port}", flush=True)

    try:
        await stop.wait()
    finally:
        await runner.cleanup()
        emulator.store.close()


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    args = parse_args(argv)
    try:
        asyncio.run(serve(args))
    except OSError as exc:
        print(f"OpsRamp emulator failed to start: {exc}", file=sys.stderr, flush=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
