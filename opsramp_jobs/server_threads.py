"""The old import path of the provider server's thread-pool patch (now in ``sdk_patches``)."""

from __future__ import annotations

from opsramp_jobs.sdk_patches import (
    SERVER_MODULE,
    WORKER_THREADS,
    _find_pool,
    _thread_pool,
    sdk_server,
    widen_server_pool,
)

__all__ = [
    "SERVER_MODULE",
    "WORKER_THREADS",
    "_find_pool",
    "_thread_pool",
    "sdk_server",
    "widen_server_pool",
]
