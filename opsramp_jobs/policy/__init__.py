"""A Pulumi policy pack for OpsRamp jobs: collisions, blackout windows, device and script limits.

The rules (:mod:`.rules`, :mod:`.config`) are plain Python over the model: its run times,
collision finding and blackout windows, shared with the ``calendar`` command. The pack itself
(:mod:`.policies`, the :data:`PACK_DIRECTORY`) needs the ``policy`` extra (``pulumi-policy``).
See docs/policy.md.
"""

from pathlib import Path

__all__ = ["PACK_DIRECTORY"]

PACK_DIRECTORY = Path(__file__).resolve().parent / "pack"
"""The directory for ``pulumi preview --policy-pack`` (``python -m opsramp_jobs policy path``)."""
