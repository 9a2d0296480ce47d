"""Short errors at ``pulumi up``: what happened and what to do, not a 40-line traceback.

The SDK's provider server (``python -m pulumi.dynamic``) answers any exception with
``traceback.format_exc()``, and the CLI prints that text whole under the resource. For errors the
user can act on (OpsRamp's answers, settings, refusals) the message is the whole story: those are
rendered as the message alone; the full traceback goes to the provider's stderr (which the CLI
prints) only when asked for: ``pulumi up -v=9 --logflow`` or ``OPSRAMP_TRACEBACK=1``. Any other
exception, a bug, keeps its traceback.
"""

from __future__ import annotations

import os
import re
import sys
import traceback
from types import ModuleType
from typing import Any

from opsramp_jobs.errors import (
    OpsRampCredentialsError,
    OpsRampJobsError,
    OpsRampValidationError,
    UserError,
)
from opsramp_jobs.server_threads import sdk_server

__all__ = ["UserError", "describe", "input_path", "install_short_errors"]


# Where OpsRamp's `fieldName` differs from the input property path (see model.py for each quirk):
# the schema's spellings of two fields, and fields named without their parent object.
_RENAMED = {".dayOfIndex": ".dayOfWeek", ".runConfigAlert": ".runtimeConfigAlert"}
_PARENTS = {
    "script.": ("jobType", "customScript", "parameters", "userType", "credentialSet",
                "approvalType", "configParams"),
    "schedule.pattern.": ("type", "frequency", "repeatType", "repeatFrequency", "weekDays",
                          "dayOfMonth", "weekIndex", "dayOfWeek", "dayOfIndex"),
    "schedule.": ("startDate", "pattern"),
}  # fmt: skip
_FIRST_SEGMENT = re.compile(r"^[A-Za-z_]+")

_CREDENTIALS_FIX = (
    "Set the integration's key and secret: `pulumi config set opsramp:clientId <integration key>`"
    " and `pulumi config set --secret opsramp:clientSecret <integration secret>` (or "
    "OPSRAMP_CLIENT_ID and OPSRAMP_CLIENT_SECRET)."
)
_HINTS = {
    "entities": "entities lists device_ids, then entities=; each must be a device in the job's "
    "tenant (OpsRamp > Infrastructure)",
    "script.customScript": "custom script ids and parameter ids are in OpsRamp > Automation > "
    "Scripts",
}


def input_path(field_name: str) -> str:
    """The input property path an OpsRamp ``fieldName`` refers to (``fieldName`` if no better)."""
    path = field_name.strip()
    for old, new in _RENAMED.items():
        path = path.replace(old, new)
    first = _FIRST_SEGMENT.match(path)
    if first and first.group(0) not in ("name", "tenantId", "entities", "script", "schedule"):
        for parent, children in _PARENTS.items():
            if first.group(0) in children:
                return parent + path
    return path


def _validation(error: OpsRampValidationError) -> str:
    if not error.field_errors:
        return f"OpsRamp refused the job: {error.message}"
    lines = ["OpsRamp refused the job (HTTP 400):"]
    hints: list[str] = []
    for field_error in error.field_errors:
        path = input_path(field_error.field_name) or "(job)"
        lines.append(f"  {path}: {field_error.message}")
        hints += [h for prefix, h in _HINTS.items() if path.startswith(prefix) and h not in hints]
    inputs = "these inputs" if len(error.field_errors) > 1 else "this input"
    lines.append(f"Fix {inputs} and run `pulumi up` again.")
    lines += [f"Hint: {hint}." for hint in hints]
    return "\n".join(lines)


def describe(error: BaseException) -> str | None:
    """The short text for an error the user can act on; None for anything else (a bug)."""
    if not isinstance(error, OpsRampJobsError):
        return None
    if isinstance(error, OpsRampValidationError):
        return _validation(error)
    if isinstance(error, OpsRampCredentialsError):
        # The token endpoint refused the key and secret (the client's message says so): say
        # where they are set. A 403 on a job's path is about the tenant, not the credentials.
        return f"{error.message}\n{_CREDENTIALS_FIX}"
    return str(error)


def _verbose() -> bool:
    """Whether the user asked for details: ``pulumi up -v=N --logflow`` or OPSRAMP_TRACEBACK=1."""
    # The engine passes -v=N to its plugins with --logflow only.
    flags = any(arg.startswith("-v=") and arg != "-v=0" for arg in sys.argv[1:])
    return flags or os.environ.get("OPSRAMP_TRACEBACK") == "1"


class _ShortTracebacks:
    """Stands in for the ``traceback`` module inside the SDK's provider server only."""

    def __init__(self, real: ModuleType) -> None:
        self._real = real

    def format_exc(self, *args: Any, **kwargs: Any) -> str:
        """The short text for a user-facing error (full traceback to stderr), else the traceback."""
        full: str = self._real.format_exc(*args, **kwargs)
        error = sys.exc_info()[1]
        short = describe(error) if error is not None else None
        if short is None:
            return full
        if _verbose():
            # The CLI shows a provider's stderr lines under the stack, so only when asked for.
            print(f"opsramp_jobs: the traceback of {short.splitlines()[0]!r}:\n{full}",
                  file=sys.stderr, flush=True)  # fmt: skip
        return short

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


def install_short_errors() -> bool:
    """In the SDK's provider server, render user-facing errors short; elsewhere do nothing.

    Feature-detected: the server must be this process's ``__main__``, wrap its calls in
    ``_abort_with_traceback`` and use the module ``traceback``; otherwise the server stays as it is
    (errors then keep their full traceback, nothing breaks).
    """
    server = sdk_server()
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
