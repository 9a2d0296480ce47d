"""Operations an interrupted run left pending in a stack's state: found and cleared.

A `pulumi` stopped at once (a second Ctrl-C, kill -9, a lost machine) leaves every operation it
had in flight recorded as pending in the state, and a pending create may have made its job in
OpsRamp. Pulumi never settles them by itself: each later `up` warns (PENDING_WARNING, before its
first step) and refuses those jobs' names as "already exists". The fleet settles them in the
stack's next `up` or `destroy` (FleetRun._settle_pending): it stops the operation that warned,
adopts the jobs of the pending creates, clears the pending operations here, and starts over.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pulumi import automation as auto

__all__ = ["PENDING_WARNING", "PendingOperation", "clear_pending", "pending_operations"]

# The start of the engine's warning (pkg/resource/deploy/deployment_executor.go, v3.274).
PENDING_WARNING = "Attempting to deploy or update resources with"


@dataclass(frozen=True)
class PendingOperation:
    """One operation an interrupted run left in the state."""

    kind: str
    """The engine's word for it: creating, updating, deleting, reading, importing."""
    urn: str
    type: str
    inputs: dict[str, Any]

    @property
    def resource(self) -> str:
        """The resource's name in the program (the last part of its URN)."""
        return self.urn.rsplit("::", 1)[-1]


def _export(workspace: auto.LocalWorkspace, stack: str) -> tuple[str, list[PendingOperation]]:
    """`pulumi stack export` (secrets stay encrypted): its text and its pending operations."""
    command, env = workspace.pulumi_command, dict(workspace.env_vars)
    exported = command.run(["stack", "export", "--stack", stack], workspace.work_dir, env).stdout
    deployment = json.loads(exported).get("deployment") or {}
    return exported, [
        PendingOperation(
            kind=str(operation.get("type", "")),
            urn=str(operation["resource"]["urn"]),
            type=str(operation["resource"].get("type", "")),
            inputs=dict(operation["resource"].get("inputs") or {}),
        )
        for operation in deployment.get("pending_operations") or []
    ]


def pending_operations(workspace: auto.LocalWorkspace, stack: str) -> list[PendingOperation]:
    """The operations pending in the stack's state."""
    return _export(workspace, stack)[1]


def clear_pending(workspace: auto.LocalWorkspace, stack: str) -> int:
    """Remove every pending operation from the stack's state; how many there were.

    `pulumi stack export` then `pulumi stack import` of the same deployment: the import drops
    the pending operations and changes nothing else. As in Pulumi's own `refresh
    --clear-pending-creates`, the stack is not locked between the read and the write (import
    locks only for the write), so an update of the same stack by another process within that
    second would be overwritten.
    """
    exported, pending = _export(workspace, stack)
    if pending:
        with tempfile.TemporaryDirectory(prefix="opsramp-fleet-state-") as directory:
            path = Path(directory) / "deployment.json"
            path.write_text(exported, encoding="utf-8")
            workspace.pulumi_command.run(
                ["stack", "import", "--stack", stack, "--file", str(path)],
                workspace.work_dir,
                dict(workspace.env_vars),
            )
    return len(pending)
