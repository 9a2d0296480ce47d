"""`python -m opsramp_jobs doctor` / `opsramp-jobs doctor`: is this tenant ready for `pulumi up`?

`calendar`: when a stack's jobs run (opsramp_jobs.calendar).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

from .calendar import add_calendar_command, run_calendar
from .client import OpsRampClient
from .doctor import (
    JOB_PREFIX,
    ShapeOptions,
    render,
    run_doctor,
    setting_origins,
    stack_config,
    sweep,
)
from .errors import OpsRampError
from .settings import ConnectionSettings, resolve_settings

__all__ = ["main"]

_EXIT_CODES = """exit codes:
  0  ready for `pulumi up`
  1  something `pulumi up` needs is wrong (a ✗ line)
  2  settings missing or invalid (no check was run)"""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="opsramp-jobs")
    commands = parser.add_subparsers(dest="command", required=True)
    doctor = commands.add_parser(
        "doctor",
        help="check a tenant is ready for `pulumi up`",
        description="Settings: flags, else --stack's config, else OPSRAMP_* variables.",
        epilog=_EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    source = doctor.add_argument_group("settings")
    source.add_argument("--stack", help="read `pulumi config --show-secrets --json` of a stack")
    source.add_argument("--api-url", help="e.g. https://acme.api.opsramp.com")
    source.add_argument("--client-id")
    source.add_argument(
        "--client-secret", help="prefer OPSRAMP_CLIENT_SECRET: a flag shows in `ps`"
    )
    source.add_argument("--tenant-id", help="client_… or msp_…")
    doctor.add_argument(
        "--write",
        action="store_true",
        help="also create, read back and delete one job per documented shape",
    )
    doctor.add_argument("--device", action="append", default=[], help="device id for --write")
    doctor.add_argument("--script-id", type=int, help="custom script id for the custom shape")
    doctor.add_argument(
        "--script-param", action="append", default=[], metavar="ID=VALUE", help="repeatable"
    )
    doctor.add_argument("--credential-set", help="credential set uniqueId for the custom shape")
    doctor.add_argument(
        "--sweep",
        action="store_true",
        help="instead of the checks: DELETES every job of the tenant whose name starts with "
        "--prefix (what an interrupted acceptance run or doctor leaves), and lists their ids",
    )
    doctor.add_argument(
        "--prefix",
        default=JOB_PREFIX,
        help="name prefix of the jobs --sweep deletes (default: %(default)s; never empty)",
    )
    add_calendar_command(commands)
    return parser


def _settings(args: argparse.Namespace) -> tuple[ConnectionSettings, dict[str, str]]:
    """The settings, and where each came from (flag, stack config key or variable)."""
    config: dict[str, Any] = stack_config(args.stack) if args.stack else {}
    flags = {
        "opsramp:apiUrl": args.api_url,
        "opsramp:clientId": args.client_id,
        "opsramp:clientSecret": args.client_secret,
        "opsramp:tenantId": args.tenant_id,
    }
    config.update({key: value for key, value in flags.items() if value})
    by_setting = {
        "api_url": args.api_url,
        "client_id": args.client_id,
        "client_secret": args.client_secret,
        "tenant_id": args.tenant_id,
    }
    return resolve_settings(config), setting_origins(config, by_setting)


def _shape_options(args: argparse.Namespace) -> ShapeOptions:
    parameters: dict[int, str] = {}
    for item in args.script_param:
        key, sep, value = item.partition("=")
        if not sep or not key.strip().isdigit():
            raise ValueError(f"--script-param {item!r}: use ID=VALUE, e.g. --script-param 2=150")
        parameters[int(key)] = value
    return ShapeOptions(
        device_ids=tuple(args.device),
        script_id=args.script_id,
        script_parameters=parameters,
        credential_set=args.credential_set,
    )


def _sweep(settings: ConnectionSettings, prefix: str) -> int:
    if settings.tenant_id is None:
        print("✗ opsramp:tenantId is not set (or OPSRAMP_TENANT_ID)", file=sys.stderr)
        return 2
    with OpsRampClient(settings.api_url, settings.client_id, settings.client_secret) as client:
        deleted = sweep(client, settings.tenant_id, prefix)
    print(f"deleted {len(deleted)} job(s) named {prefix}… in {settings.tenant_id}")
    for job_id in deleted:
        print(f"  {job_id}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code (1: not ready, 2: bad settings)."""
    args = _parser().parse_args(argv)
    if args.command == "calendar":
        return run_calendar(args)
    try:
        settings, origins = _settings(args)
        options = _shape_options(args)
    except ValueError as exc:  # SettingsError too: its text says missing, invalid or both
        print(f"✗ {exc}", file=sys.stderr)
        return 2
    try:
        if args.sweep:
            return _sweep(settings, args.prefix)
        report = run_doctor(settings, write=args.write, shape_options=options, origins=origins)
    except (OpsRampError, ValueError) as exc:
        print(f"✗ {exc}", file=sys.stderr)
        return 1
    print(render(report, colour=sys.stdout.isatty()))
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
