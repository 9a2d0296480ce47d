"""Manage OpsRamp automation jobs as code with Pulumi.

The job model is imported eagerly; the Pulumi-facing names (``OpsRampJob``, ``OpsRampJobProvider``,
...) load on first use, so the emulator and the client can start without importing Pulumi.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from opsramp_jobs.model import *  # noqa: F403 - the model's __all__ is part of the public API
from opsramp_jobs.model import __all__ as _model_names

if TYPE_CHECKING:
    from opsramp_jobs.client import OpsRampClient
    from opsramp_jobs.provider import OpsRampJobProvider
    from opsramp_jobs.resource import OpsRampJob, OpsRampJobArgs, OpsRampJobSet

_LAZY = {
    "OpsRampClient": "opsramp_jobs.client",
    "OpsRampJobProvider": "opsramp_jobs.provider",
    "OpsRampJob": "opsramp_jobs.resource",
    "OpsRampJobArgs": "opsramp_jobs.resource",
    "OpsRampJobSet": "opsramp_jobs.resource",
}

__all__ = [*_model_names, *_LAZY]


def __getattr__(name: str) -> Any:
    """Import the Pulumi-facing names on first use."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'opsramp_jobs' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
