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

from opsramp_jobs.errors import OpsRampCredentialsError, OpsRampError, OpsRampValidationError
from opsramp_jobs.model import JobValidationError
from opsramp_jobs.server_threads import sdk_server
from opsramp_jobs.settings import SettingsError

__all__ = [
    "PartialCreateError",
    "UserError",
    "describe",
    "input_path",
    "install_short_errors",
    "partial_creates_supported",
]


class UserError(RuntimeError):
    """An error whose message says what happened and what to do; shown without a traceback."""


class PartialCreateError(UserError):
    """A create that made its job but must fail: the engine records ``job_id`` and ``outputs``."""

    def __init__(self, message: str, job_id: str, outputs: dict[str, Any]) -> None:
        super().__init__(message)
        self.job_id = job_id
        self.outputs = outputs


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
    if isinstance(error, OpsRampValidationError):
        return _validation(error)
    if isinstance(error, OpsRampCredentialsError):
        # The token endpoint refused the key and secret (the client's message says so): say
        # where they are set. A 403 on a job's path is about the tenant, not the credentials.
        return f"{error.message}\n{_CREDENTIALS_FIX}"
    if isinstance(error, UserError | SettingsError | JobValidationError | OpsRampError):
        return str(error)
    return None


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
    import importlib  # noqa: PLC0415

    import grpc  # noqa: PLC0415
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
    abort(_Status(grpc.StatusCode.UNKNOWN, message, status.SerializeToString()))


class _Status:
    """A gRPC status with rich details (grpc.Status's attributes; grpc-status's to_status)."""

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
        import importlib  # noqa: PLC0415

        import grpc  # noqa: F401, PLC0415
        from pulumi.runtime.proto import provider_pb2  # noqa: PLC0415

        importlib.import_module("google.rpc.status_pb2")
    except ImportError:
        return False
    return hasattr(provider_pb2, "ErrorResourceInitFailed")


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
