"""`python -m opsramp_jobs doctor` / `opsramp-jobs doctor`: is this tenant ready for `pulumi up`?

`calendar`: when a stack's jobs run (opsramp_jobs.calendar).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

from .calendar import add_calendar_command, run_calendar
from .doctor import (
    JOB_PREFIX,
    ShapeOptions,
    render,
    run_doctor,
    run_sweep,
    setting_origins,
    stack_config,
)
from .errors import OpsRampError
from .policy import command as policy_command
from .settings import ConnectionSettings, resolve_settings

__all__ = ["main"]

_EXIT_CODES = """exit codes:
  0  ready for `pulumi up`
  1  something `pulumi up` needs is wrong (a ✗ line)
  2  settings missing or invalid (no check was run)
with --sweep:
  0  deleted, nothing to delete, or --dry-run
  1  answered no, or a delete failed
  2  settings missing or invalid, or no terminal to confirm on and no --yes"""


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
    sweep = doctor.add_argument_group("sweep")
    sweep.add_argument(
        "--sweep",
        action="store_true",
        help="instead of the checks: list the jobs an interrupted doctor or acceptance run left "
        f"(named {JOB_PREFIX}<run id>-…; never a job named by hand), ask, and DELETE them",
    )
    sweep.add_argument(
        "--prefix",
        default=JOB_PREFIX,
        help="only those whose name starts with this, e.g. one run's (default: %(default)s)",
    )
    sweep.add_argument("--dry-run", action="store_true", help="list only, delete nothing")
    sweep.add_argument("--yes", action="store_true", help="delete without asking")
    policy_command.register(commands)
    add_calendar_command(commands)
    return parser


def _settings(args: argparse.Namespace) -> tuple[ConnectionSettings, dict[str, str]]:
    """The settings, and where each came from (flag, stack config key or variable)."""
    config: dict[str, Any] = stack_config(args.stack) if args.stack else {}
    flags = {
        "api_url": args.api_url,
        "client_id": args.client_id,
        "client_secret": args.client_secret,
        "tenant_id": args.tenant_id,
    }
    return resolve_settings(config, flags=flags), setting_origins(config, flags)


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


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code (1: not ready, 2: bad settings)."""
    args = _parser().parse_args(argv)
    if args.command == "policy":
        return policy_command.run(args)
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
            return run_sweep(
                settings,
                args.prefix,
                dry_run=args.dry_run,
                yes=args.yes,
                ask=input if sys.stdin.isatty() else None,
                out=sys.stdout,
                err=sys.stderr,
            )
        report = run_doctor(settings, write=args.write, shape_options=options, origins=origins)
    except (OpsRampError, ValueError) as exc:
        print(f"✗ {exc}", file=sys.stderr)
        return 1
    print(render(report, colour=sys.stdout.isatty()))
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
