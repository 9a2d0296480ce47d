"""The one module that reaches into the Pulumi SDK's internals: three patches of its server.

The engine runs every dynamic provider in the SDK's server, ``python -m pulumi.dynamic``
(``pulumi/dynamic/__main__.py``), which this project does not own. Three of its behaviours hurt
a provider that talks to a paced, rate-limited API; each is worked around here and nowhere else:

- **Short errors.** The server answers any exception with ``traceback.format_exc()`` and the CLI
  prints that text whole: a 40-line traceback around a one-line "fix this input". Upstream:
  https://github.com/pulumi/pulumi/issues/10416 (open; provider tracebacks are "intimidatingly
  large"). Errors the user can act on (``presentation.describe``) are sent as their message.
- **Threads.** The server serves every RPC from ``ThreadPoolExecutor(max_workers=4)``: four
  creates waiting for one tenant's write window stalled every other tenant's calls. No upstream
  issue found (searched pulumi/pulumi for the dynamic provider's pool size). The pool may grow to
  ``WORKER_THREADS``; the engine's ``--parallel`` still bounds the calls in flight.
- **Partial creates.** The server can only fail a create with a message, so a create that made
  its job but must fail (job-name uniqueness could not be settled, docs/adoption.md) would orphan
  the job. The engine's protocol has the answer, the gRPC detail ``ErrorResourceInitFailed``
  (id, outputs, reasons: the engine records the resource and fails the step); the dynamic
  provider does not expose it. No upstream issue found. The short-errors patch sends it for a
  ``PartialCreateError``; without the patch the provider keeps the job and warns instead.
- **Engine watchdog.** Nothing stops the server when the CLI is killed: it lingered for half an
  hour. Pulumi's Go providers poll the engine's gRPC health service and exit when it is gone
  (``rpcutil.Healthcheck``); the Python server does not. Pulumi's own plugin wrapper,
  ``pulumi-resource-pulumi-python``, is a ``/bin/sh`` script that starts python as a child, so
  the parent of this process is that shell, not the engine. No upstream issue for the dynamic
  provider; the same wrapper pattern leaves the policy analyzer behind in
  https://github.com/pulumi/pulumi/issues/20865 (open). Here the server polls the engine's
  health service at the address the engine passes to every plugin, as the Go providers do.

``install()`` applies them, from the provider's ``configure``. Each applies only inside the
SDK's server (a program or a test importing the provider is left alone), only to an SDK whose
version was tested (``TESTED_SDK``: the lowest ``pyproject.toml`` allows and the pinned one, both
run by ``scripts/test.sh``), and only where the server has the shape it was written for.
Outside the tested range all three stay off with one info-level log line: errors then keep their
traceback, the server keeps 4 threads and the process lingers after a killed CLI, as the SDK made
it. docs/sdk-patches.md says how to test a new SDK version and widen the range.
"""

from __future__ import annotations

import importlib
import logging
import os
import re
import sys
import threading
import time
import traceback
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from importlib import metadata
from types import FrameType, ModuleType
from typing import Any

import grpc

from opsramp_jobs.errors import PartialCreateError
from opsramp_jobs.presentation import describe

__all__ = [
    "ENGINE_POLL_SECONDS",
    "SERVER_MODULE",
    "TESTED_SDK",
    "WORKER_THREADS",
    "engine_address",
    "install",
    "install_short_errors",
    "partial_creates_supported",
    "print_traceback_if_asked",
    "sdk_server",
    "sdk_version",
    "tested_sdk",
    "watch_engine",
    "widen_server_pool",
]

log = logging.getLogger("opsramp_jobs.sdk_patches")

SERVER_MODULE = "pulumi.dynamic.__main__"
# (major, minor) of the oldest and newest SDK the patches were run against; patch releases of
# either end are included. Both ends are CI lanes (scripts/test.sh); tests check they match
# pyproject.toml's floor and requirements-dev.txt's pin.
TESTED_SDK = ((3, 216), (3, 272))
# Enough that waits on one or two tenants' windows leave threads for the rest; threads are made
# only when calls find none idle, so a quiet process never has more than it had.
WORKER_THREADS = 32
# How often the watchdog asks whether the engine is still there (Pulumi's Go providers ask every
# 5 minutes; a killed CLI should not leave this process behind for that long).
ENGINE_POLL_SECONDS = 0.5
# A health check that gets no answer at all this long is a busy engine, not a gone one.
HEALTH_TIMEOUT_SECONDS = 10.0
# Refused connections in a row that mean the engine is gone (one could be a hiccup).
ENGINE_GONE_AFTER = 2
_HEALTH_CHECK = "/grpc.health.v1.Health/Check"
_ADDRESS = re.compile(r"(\[[0-9A-Fa-f:.]+\]|[\w.\-]+):\d+")  # host:port or [v6]:port

_lock = threading.Lock()
_watchdog_started = threading.Event()


# --------------------------------------------------------------------------------------------
# Where the patches apply: the SDK's server, at a tested SDK version
# --------------------------------------------------------------------------------------------


def sdk_server() -> ModuleType | None:
    """The SDK's provider server module when it is this process's ``__main__``, else None."""
    main = sys.modules.get("__main__")
    spec = getattr(main, "__spec__", None)
    return main if getattr(spec, "name", None) == SERVER_MODULE else None


def sdk_version() -> str:
    """The installed Pulumi SDK's version ("" when its metadata cannot be read)."""
    try:
        return metadata.version("pulumi")
    except metadata.PackageNotFoundError:
        return ""


@cache
def tested_sdk() -> bool:
    """Whether the installed SDK is in ``TESTED_SDK``; the first "no" is logged once (info)."""
    version = sdk_version()
    found = re.match(r"(\d+)\.(\d+)", version)
    if found and TESTED_SDK[0] <= (int(found[1]), int(found[2])) <= TESTED_SDK[1]:
        return True
    lowest, newest = (".".join(map(str, end)) for end in TESTED_SDK)
    log.info(
        "pulumi SDK %s is outside the versions opsramp-jobs tested (%s to %s.x): its provider "
        "server runs unpatched (full tracebacks, 4 threads, no engine watchdog)",
        version or "(unknown)",
        lowest,
        newest,
    )
    return False


def _server() -> ModuleType | None:
    """The SDK's server when the patches may touch it: ours to patch, at a tested version."""
    server = sdk_server()
    if server is None or not tested_sdk():
        return None
    return server


def install() -> list[str]:
    """Apply every patch that fits this process; the names of those in effect."""
    applied = {
        "short errors": install_short_errors(),
        "threads": widen_server_pool() is not None,
        "engine watchdog": watch_engine(),
    }
    return [name for name, on in applied.items() if on]


# --------------------------------------------------------------------------------------------
# Short errors
# --------------------------------------------------------------------------------------------


def _verbose() -> bool:
    """Whether the user asked for details: ``pulumi up -v=N --logflow`` or OPSRAMP_TRACEBACK=1."""
    # The engine passes -v=N to its plugins with --logflow only.
    flags = any(arg.startswith("-v=") and arg != "-v=0" for arg in sys.argv[1:])
    return flags or os.environ.get("OPSRAMP_TRACEBACK") == "1"


def print_traceback_if_asked(error: BaseException) -> None:
    """The traceback of an error reported without one, on stderr, when the user asked for it."""
    if _verbose():
        text = "".join(traceback.format_exception(error))
        print(f"opsramp_jobs: the traceback of {str(error).splitlines()[0]!r}:\n{text}",
              file=sys.stderr, flush=True)  # fmt: skip


class _ShortTracebacks:
    """Stands in for the ``traceback`` module inside the SDK's provider server only."""

    def __init__(
        self, real: ModuleType, short: Callable[[BaseException], str | None] = describe
    ) -> None:
        self._real = real
        self._short = short

    def format_exc(self, *args: Any, **kwargs: Any) -> str:
        """The short text for a user-facing error (full traceback to stderr), else the traceback."""
        full: str = self._real.format_exc(*args, **kwargs)
        error = sys.exc_info()[1]
        short = self._short(error) if error is not None else None
        if short is None:
            return full
        if _verbose():
            # The CLI shows a provider's stderr lines under the stack, so only when asked for.
            print(f"opsramp_jobs: the traceback of {short.splitlines()[0]!r}:\n{full}",
                  file=sys.stderr, flush=True)  # fmt: skip
        if isinstance(error, PartialCreateError):
            # Called by the server's `_abort_with_traceback` wrapper, whose frame holds the call's
            # context: abort it with the job attached, so the engine records it (raises).
            _abort_partial_create(sys._getframe(1).f_locals.get("context"), error, short)
        return short

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


def _abort_partial_create(context: Any, error: PartialCreateError, message: str) -> None:
    """Fail the gRPC call with ErrorResourceInitFailed: the engine records the job and fails."""
    abort = getattr(context, "abort_with_status", None)
    if not callable(abort):
        return  # not the server's wrapper: the plain error goes out
    import asyncio  # noqa: PLC0415 (only on this rare path)

    from google.protobuf import any_pb2  # noqa: PLC0415
    from pulumi.runtime import proto, rpc  # noqa: PLC0415

    # By name: googleapis-common-protos ships no type information (a user's mypy would say so).
    status_pb2 = importlib.import_module("google.rpc.status_pb2")
    loop = asyncio.new_event_loop()
    try:
        properties = loop.run_until_complete(rpc.serialize_properties(error.outputs, {}))
    finally:
        loop.close()
    detail = any_pb2.Any()
    detail.Pack(
        proto.provider_pb2.ErrorResourceInitFailed(
            id=error.job_id, properties=properties, reasons=[message]
        )
    )
    status = status_pb2.Status(
        code=grpc.StatusCode.UNKNOWN.value[0], message=message, details=[detail]
    )
    abort(_RichStatus(grpc.StatusCode.UNKNOWN, message, status.SerializeToString()))


class _RichStatus:
    """A gRPC status with rich details (grpc.Status's attributes, as grpc-status builds them)."""

    def __init__(self, code: Any, details: str, rich: bytes) -> None:
        self.code = code
        self.details = details
        self.trailing_metadata = (("grpc-status-details-bin", rich),)


def partial_creates_supported() -> bool:
    """Whether a create may fail with its job recorded (PartialCreateError) in this process."""
    server = sdk_server()
    if server is None or not isinstance(getattr(server, "traceback", None), _ShortTracebacks):
        return False
    try:
        from pulumi.runtime.proto import provider_pb2  # noqa: PLC0415

        importlib.import_module("google.rpc.status_pb2")
    except ImportError:
        return False
    return hasattr(provider_pb2, "ErrorResourceInitFailed")


def install_short_errors() -> bool:
    """In the SDK's provider server, render user-facing errors short; elsewhere do nothing.

    Feature-detected: the server must wrap its calls in ``_abort_with_traceback`` and use the
    module ``traceback`` (3.216's server has no wrapper: gRPC itself sends the exception's
    message); otherwise the server stays as it is.
    """
    server = _server()
    if server is None:
        return False
    if not callable(getattr(server, "_abort_with_traceback", None)):
        return False
    current = getattr(server, "traceback", None)
    if isinstance(current, _ShortTracebacks):
        return True
    if current is not traceback:
        return False
    server.traceback = _ShortTracebacks(traceback)  # type: ignore[attr-defined]
    return True


# --------------------------------------------------------------------------------------------
# Threads
# --------------------------------------------------------------------------------------------


def _thread_pool(candidate: object) -> ThreadPoolExecutor | None:
    """The executor of a gRPC server object (``grpc._server._Server``), if that is its shape."""
    if type(candidate).__module__ != "grpc._server":
        return None
    pool = getattr(getattr(candidate, "_state", None), "thread_pool", None)
    size = getattr(pool, "_max_workers", None)
    return pool if isinstance(pool, ThreadPoolExecutor) and isinstance(size, int) else None


def _server_frames(server: ModuleType) -> list[FrameType]:
    """The main thread's frames that run the server module's code (``main()`` blocks there)."""
    frame = sys._current_frames().get(threading.main_thread().ident or -1)
    frames: list[FrameType] = []
    while frame is not None:
        if frame.f_globals is server.__dict__:
            frames.append(frame)
        frame = frame.f_back
    return frames


def _find_pool(server: ModuleType) -> ThreadPoolExecutor | None:
    """The server's executor: a local of its running frames, or a global of its module.

    ``main()`` keeps its gRPC server in the local ``server`` while it blocks; an SDK that keeps
    it as a module global is looked at too.
    """
    namespaces = [frame.f_locals for frame in _server_frames(server)] + [vars(server)]
    for namespace in namespaces:
        for value in list(namespace.values()):
            pool = _thread_pool(value)
            if pool is not None:
                return pool
    return None


def widen_server_pool(workers: int = WORKER_THREADS) -> int | None:
    """In the SDK's server, let its pool grow to `workers` threads; the pool's size, or None.

    The client's pacing holds no lock while it waits (docs/client.md), so more threads are safe.
    """
    server = _server()
    if server is None:
        return None  # imported by a program or a test, or an untested SDK: not our threads
    try:
        pool = _find_pool(server)
    except Exception:  # an SDK of another shape must never break the provider
        log.debug("the provider server's thread pool could not be looked up", exc_info=True)
        return None
    if pool is None:
        log.debug("the provider server's thread pool was not found; it keeps its size")
        return None
    with _lock:
        # ThreadPoolExecutor reads _max_workers each time a call finds no idle thread.
        if pool._max_workers < workers:
            log.debug("provider server threads: %d -> %d", pool._max_workers, workers)
            pool._max_workers = workers
        return pool._max_workers


# --------------------------------------------------------------------------------------------
# Engine watchdog
# --------------------------------------------------------------------------------------------


def engine_address(argv: list[str]) -> str | None:
    """The engine's gRPC address: the plugin's last ``host:port`` argument (after any flags)."""
    addresses = [arg for arg in argv if _ADDRESS.fullmatch(arg)]
    return addresses[-1] if addresses else None


def _engine_refuses(check: Callable[..., Any]) -> bool:
    """Whether one health check finds nobody at the engine's address."""
    try:
        check(b"", timeout=HEALTH_TIMEOUT_SECONDS)
    except grpc.RpcError as error:
        # UNIMPLEMENTED is an engine that answers (as Pulumi's Go providers count it); only
        # UNAVAILABLE (connection refused or closed) says that nothing listens there any more.
        return bool(error.code() == grpc.StatusCode.UNAVAILABLE)
    return False


def watch_engine() -> bool:
    """In the SDK's server, exit when the engine that started this process is gone.

    Gone means: the engine's health service refuses ``ENGINE_GONE_AFTER`` checks in a row, or
    this process was re-parented (whatever started it died). Without an engine address (a test
    starting the server by hand) the parent alone is watched.
    """
    if _server() is None:
        return False
    if _watchdog_started.is_set():
        return True
    _watchdog_started.set()
    parent = os.getppid()
    address = engine_address(sys.argv[1:])
    check = None
    if address is not None:
        channel = grpc.insecure_channel(address)
        check = channel.unary_unary(_HEALTH_CHECK)  # raw bytes in and out: an empty request

    def watch() -> None:
        refusals = 0
        while True:
            time.sleep(ENGINE_POLL_SECONDS)
            if os.getppid() != parent:
                log.error("the process that started the provider is gone; the provider exits")
                break
            refusals = refusals + 1 if check is not None and _engine_refuses(check) else 0
            if refusals >= ENGINE_GONE_AFTER:
                log.error("the Pulumi engine (%s) is gone; the provider exits", address)
                break
        os._exit(1)

    threading.Thread(target=watch, name="opsramp-engine-watchdog", daemon=True).start()
    return True
