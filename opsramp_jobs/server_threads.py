"""More worker threads in the SDK's provider server: one tenant's rate-limit wait stalls no other.

The SDK's server (``python -m pulumi.dynamic``, which we do not own) serves every RPC from a
``ThreadPoolExecutor(max_workers=4)``. A create waiting for its tenant's write window holds its
thread (for up to ``max_throttle_wait``); with four such waits, every other RPC, other tenants'
included, queued behind them (measured: the partner tenant stopped at 51 of its 150 writes while
a client tenant waited). The client's pacing holds no lock while it waits (docs/client.md), so
more threads are safe; the engine's ``--parallel`` still bounds how many RPCs run at once, and the
pool starts a thread only when a call finds none idle.

Feature-detected: the pool is looked for only in the SDK's server, as the local ``server`` (a gRPC
server) of a frame of its ``__main__`` on the main thread, or a global of that module; anything of
another shape is left as it is (the server then keeps its 4 threads, nothing breaks).
"""

from __future__ import annotations

import logging
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from types import FrameType, ModuleType

__all__ = ["SERVER_MODULE", "WORKER_THREADS", "sdk_server", "widen_server_pool"]

log = logging.getLogger("opsramp_jobs.provider")

SERVER_MODULE = "pulumi.dynamic.__main__"
# Enough that waits on one or two tenants' windows leave threads for the rest; threads are made
# only when calls find none idle, so a quiet process never has more than it had.
WORKER_THREADS = 32

_lock = threading.Lock()


def sdk_server() -> ModuleType | None:
    """The SDK's provider server module when it is this process's ``__main__``, else None."""
    main = sys.modules.get("__main__")
    spec = getattr(main, "__spec__", None)
    return main if getattr(spec, "name", None) == SERVER_MODULE else None


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
    """The server's executor: a local of its running frames, or a global of its module."""
    namespaces = [frame.f_locals for frame in _server_frames(server)] + [vars(server)]
    for namespace in namespaces:
        for value in list(namespace.values()):
            pool = _thread_pool(value)
            if pool is not None:
                return pool
    return None


def widen_server_pool(workers: int = WORKER_THREADS) -> int | None:
    """In the SDK's server, let its pool grow to `workers` threads; the pool's size, or None."""
    server = sdk_server()
    if server is None:
        return None  # imported by a program or a test: not our threads
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
