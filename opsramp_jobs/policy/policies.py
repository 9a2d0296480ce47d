"""The policy pack for ``pulumi-policy``: the rules of :mod:`opsramp_jobs.policy.rules` as policies.

Needs the ``policy`` extra (``pip install 'opsramp-jobs[policy]'``). The pack's directory
(``python -m opsramp_jobs policy path``) runs :func:`serve`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

from pulumi_policy import (
    EnforcementLevel,
    Policy,
    PolicyConfigSchema,
    PolicyPack,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
    proxy,
)
from pulumi_policy.proxy import UnknownValueError

from opsramp_jobs.policy.config import (
    BLACKOUT,
    COLLISIONS,
    MAX_DEVICES,
    SCHEMAS,
    SCRIPTS,
    BlackoutSettings,
    CollisionSettings,
    MaxDevicesSettings,
    PolicyConfigError,
    ScriptSettings,
)
from opsramp_jobs.policy.rules import (
    UNKNOWN,
    JobView,
    Violation,
    blackout_violations,
    device_collisions,
    disallowed_script,
    job_view,
    too_many_devices,
)
from opsramp_jobs.resource import TYPE_TOKEN

__all__ = ["JOB_TYPE", "PACK_NAME", "pack_policies", "plain", "serve"]

PACK_NAME = "opsramp-jobs"
# The pack looks at OpsRampJob resources only.
JOB_TYPE: str = TYPE_TOKEN

_Settings = TypeVar("_Settings")
# How the engine's unknown values arrive, when a value is read without pulumi-policy's proxy.
# (pulumi-policy's UNKNOWN_STRING_VALUE, UNKNOWN_ARRAY_VALUE, ...: one per kind of value.)
_UNKNOWN_SENTINELS = frozenset(
    getattr(proxy, name)
    for name in dir(proxy)
    if name.startswith("UNKNOWN_") and name.endswith("_VALUE")
)


def plain(value: Any) -> Any:
    """Properties as plain dicts and lists, each value the engine does not know as UNKNOWN.

    pulumi-policy hands properties over in proxies that raise on reading an unknown value (and
    turn that into a "can't run policy during preview" warning); the rules check what is known.
    """
    if isinstance(value, str):
        return UNKNOWN if value in _UNKNOWN_SENTINELS else value
    if isinstance(value, Mapping):
        return {key: _read(value, key) for key in value}
    if isinstance(value, Sequence) and not isinstance(value, bytes):
        return [_read(value, index) for index in range(len(value))]
    return value


def _read(container: Any, key: Any) -> Any:
    try:
        return plain(container[key])
    except UnknownValueError:
        return UNKNOWN


def _view(resource_type: str, urn: str, name: str, props: Mapping[str, Any]) -> JobView | None:
    if resource_type != JOB_TYPE:
        return None
    return job_view(urn, name, plain(props))


def _now() -> datetime:
    return datetime.now(UTC).replace(second=0, microsecond=0)


def _settings(
    parse: Callable[[Mapping[str, Any]], _Settings],
    config: Mapping[str, Any],
    report: ReportViolation,
    urn: str | None = None,
) -> _Settings | None:
    """The parsed settings; a configuration mistake is reported as a violation instead."""
    try:
        return parse(plain(config))
    except PolicyConfigError as error:
        report(f"the policy's configuration is invalid: {error}", urn)
        return None


def _report(violations: list[Violation], report: ReportViolation) -> None:
    for violation in violations:
        report(violation.message, violation.urn)


def _collisions(args: StackValidationArgs, report: ReportViolation) -> None:
    settings = _settings(CollisionSettings.parse, args.get_config(), report)
    if settings is None:
        return
    views = [_view(r.resource_type, r.urn, r.name, r.props) for r in args.resources]
    jobs = [view for view in views if view is not None]
    _report(device_collisions(jobs, settings, _now()), report)


def _resource_rule(
    parse: Callable[[Mapping[str, Any]], _Settings],
    rule: Callable[[JobView, _Settings, datetime], list[Violation]],
) -> Callable[[ResourceValidationArgs, ReportViolation], None]:
    def validate(args: ResourceValidationArgs, report: ReportViolation) -> None:
        job = _view(args.resource_type, args.urn, args.name, args.props)
        if job is None:
            return
        settings = _settings(parse, args.get_config(), report, args.urn)
        if settings is not None:
            _report(rule(job, settings, _now()), report)

    return validate


def _schema(policy: str) -> PolicyConfigSchema:
    return PolicyConfigSchema(properties=SCHEMAS[policy])


# The per-job rules: name, description, settings parser, rule. Each is mandatory once configured.
_JOB_RULES: tuple[tuple[str, str, Callable[..., Any], Callable[..., list[Violation]]], ...] = (
    (
        BLACKOUT,
        "An OpsRamp job must not run inside a blackout window (UTC).",
        BlackoutSettings.parse,
        blackout_violations,
    ),
    (
        MAX_DEVICES,
        "An OpsRamp job must not run on more than maxDevices devices.",
        MaxDevicesSettings.parse,
        too_many_devices,
    ),
    (
        SCRIPTS,
        "An OpsRamp custom-script job must run one of allowedScriptIds.",
        ScriptSettings.parse,
        disallowed_script,
    ),
)


def pack_policies() -> list[Policy]:
    """The pack's four policies, with their default enforcement levels."""
    collisions = StackValidationPolicy(
        name=COLLISIONS,
        description=(
            "Two OpsRamp jobs on one device must not start within windowMinutes of each "
            "other in the next lookaheadDays."
        ),
        enforcement_level=EnforcementLevel.ADVISORY,
        validate=_collisions,
        config_schema=_schema(COLLISIONS),
    )
    return [
        collisions,
        *(
            ResourceValidationPolicy(
                name=name,
                description=description,
                enforcement_level=EnforcementLevel.MANDATORY,
                validate=_resource_rule(parse, rule),
                config_schema=_schema(name),
            )
            for name, description, parse, rule in _JOB_RULES
        ),
    ]


def serve() -> None:
    """Serve the pack to the engine (prints its port; returns when the engine stops it)."""
    PolicyPack(
        name=PACK_NAME,
        policies=pack_policies(),
        description="Schedules and targets of OpsRamp jobs managed with opsramp-jobs.",
    )
