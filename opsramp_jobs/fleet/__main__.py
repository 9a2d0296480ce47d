"""`python -m opsramp_jobs.fleet preview|up|refresh|destroy|emit ...`: one stack per tenant."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from opsramp_jobs.fleet.emit import (
    EMITTERS,
    dump_manifests,
    dump_workflow,
    github_actions_workflow,
    k8s_operator_stacks,
)
from opsramp_jobs.fleet.runner import FleetRun, RunOptions, summary_table
from opsramp_jobs.fleet.spec import FleetFileError, load_fleet

EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is not a positive number")
    return value


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command-line options."""
    parser = argparse.ArgumentParser(
        prog="python -m opsramp_jobs.fleet",
        description="Drive one Pulumi stack per OpsRamp tenant, from one fleet file.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    for operation in ("preview", "up", "refresh", "destroy"):
        sub = commands.add_parser(operation, help=f"pulumi {operation} on every tenant's stack")
        sub.add_argument("fleet_file", help="the fleet file (YAML or JSON)")
        sub.add_argument("--tenants", help="comma separated tenant names: only these stacks")
        # 8: on 2 cores, CPU-bound runs are no faster with more, and a run under OpsRamp's
        # per-tenant write limits takes about tenants / parallel times one stack's time
        # (docs/fleet.md); each running stack holds ~190 MB of RSS.
        sub.add_argument("--parallel", type=_positive, default=8, help="stacks at once (default 8)")
        sub.add_argument(
            "--stack-parallel",
            type=_positive,
            default=None,
            help="resource operations at once within each stack (pulumi's --parallel)",
        )
        sub.add_argument(
            "--backend",
            help="backend URL (default: the fleet file's, else PULUMI_BACKEND_URL or the "
            "current `pulumi login`)",
        )
        sub.add_argument("--secrets-provider", help="for new stacks, e.g. passphrase or awskms://")
        sub.add_argument(
            "--project-dir",
            help="keep each stack's Pulumi.<stack>.yaml here (needed for clientSecret: "
            "{stackSecret: true}); default: a temporary directory removed after the run",
        )
        if operation in ("preview", "refresh"):
            sub.add_argument(
                "--expect-no-changes",
                action="store_true",
                help="fail each stack that has changes",
            )
        if operation == "destroy":
            sub.add_argument(
                "--remove",
                action="store_true",
                help="also remove each stack (history, config) once its jobs are deleted",
            )
        sub.add_argument("--json", action="store_true", help="print the summary as JSON")
    emit = commands.add_parser("emit", help="write a CI workflow or operator manifests")
    emit.add_argument("target", choices=EMITTERS)
    emit.add_argument("fleet_file")
    emit.add_argument("-o", "--output", help="file to write (default: stdout)")
    emit.add_argument("--operation", default="up", choices=("preview", "up", "refresh", "destroy"))
    emit.add_argument("--max-parallel", type=_positive, default=10, help="matrix jobs at once")
    emit.add_argument("--namespace", default="default", help="k8s-operator: namespace")
    emit.add_argument("--repo", default="https://github.com/<org>/<repo>", help="project repo")
    emit.add_argument("--branch", default="main")
    emit.add_argument("--repo-dir", default="fleet", help="k8s-operator: project directory")
    emit.add_argument(
        "--project-dir",
        help="github-actions: the committed --project-dir the jobs run with (needed by tenants "
        "with clientSecret: {stackSecret: true})",
    )
    return parser.parse_args(argv)


def _emit(args: argparse.Namespace) -> int:
    fleet = load_fleet(args.fleet_file)
    try:
        if args.target == "github-actions":
            text = dump_workflow(
                github_actions_workflow(
                    fleet,
                    args.fleet_file,
                    operation=args.operation,
                    max_parallel=args.max_parallel,
                    project_dir=args.project_dir,
                )
            )
        else:
            text = dump_manifests(
                k8s_operator_stacks(
                    fleet,
                    args.fleet_file,
                    namespace=args.namespace,
                    repo=args.repo,
                    branch=args.branch,
                    repo_dir=args.repo_dir,
                )
            )
    except ValueError as error:
        print(f"fleet emit: {error}", file=sys.stderr)
        return EXIT_USAGE
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point: the exit status is 1 when any stack failed, 130 after Ctrl-C."""
    args = parse_args(argv)
    try:
        if args.command == "emit":
            return _emit(args)
        fleet = load_fleet(args.fleet_file)
        names = [n.strip() for n in args.tenants.split(",") if n.strip()] if args.tenants else None
        tenants = fleet.select(names)
    except FleetFileError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    run = FleetRun(
        fleet,
        tenants,
        RunOptions(
            operation=args.command,
            parallel=args.parallel,
            backend=args.backend,
            secrets_provider=args.secrets_provider,
            stack_parallel=args.stack_parallel,
            expect_no_changes=getattr(args, "expect_no_changes", False),
            remove_stacks=getattr(args, "remove", False),
            project_dir=args.project_dir,
        ),
    )
    outcomes = run.run()
    if args.json:
        rows = [
            {
                "tenant": o.tenant,
                "status": o.status,
                "counts": dict(o.counts),
                "seconds": round(o.duration, 2),
                "error": o.error,
                "notes": o.notes,
            }
            for o in outcomes
        ]
        print(json.dumps({"operation": args.command, "stacks": rows}, indent=2))
    else:
        print(summary_table(outcomes, args.command))
    if run.interrupted:
        return EXIT_INTERRUPTED
    return EXIT_FAILED if any(o.status != "succeeded" for o in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())
