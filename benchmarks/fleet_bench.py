"""Fleet vs one stack: `python -m benchmarks.fleet_bench [--tenants 50 --jobs 20]`.

Measured in one run and printed side by side (nothing asserts on time; docs/fleet.md):

* no rate limit: `fleet up` of TENANTS x JOBS jobs (one stack per tenant, `--parallel` stacks at
  once) against one stack holding the same jobs (a loop in one inline program, partner key);
* OpsRamp's per-tenant limits, window scaled down (default 5 writes per 6 s: the real 50 per
  minute): the same two runs, and the physical bound, which is every tenant spending its own
  write budget in parallel: (ceil(JOBS / LIMIT) - 1) windows.

Each run gets a fresh file backend and a reset emulator; the emulator serves synthetic clients
client_s001.. (`--synthetic-clients`). Needs the pulumi CLI on PATH (scripts/toolchain.sh).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pulumi
import yaml
from pulumi import automation as auto

from opsramp_jobs import OpsRampJob
from tests.e2e.project import REPO_ROOT, hermetic_env
from tests.support.emulator import PARTNER_KEY, PARTNER_SECRET, EmulatorProcess

START = "2026-12-01T02:30:00+0000"
PROJECT = "fleet-bench"


def tenant_id(index: int) -> str:
    """Synthetic client `index` (docs/fleet.md)."""
    return f"client_s{index:03d}"


def device_id(index: int) -> str:
    """Device 1 of synthetic client `index`."""
    return f"{index:08x}-5e00-4000-8000-{1:012x}"


def job_args(number: int) -> dict[str, Any]:
    """The OpsRampJob keyword arguments of job `number` (no tenant, no devices)."""
    return {
        "name": f"Inventory {number:03d}",
        "script": {"jobType": "assetinfo"},
        "schedule": {"startDate": START, "pattern": {"type": "daily", "frequency": "everyday"}},
    }


@dataclass
class Timing:
    """One measured run."""

    seconds: float
    jobs_created: int
    note: str = ""


def fleet_file(path: Path, url: str, tenants: int, jobs: int) -> dict[str, str]:
    """Write the fleet file; return the secrets' environment variables."""
    secrets = {f"S{i:03d}_SECRET": f"{tenant_id(i)}-secret" for i in range(1, tenants + 1)}
    fleet = {
        "project": PROJECT,
        "defaults": {"apiUrl": url},
        "jobs": [{"resource": f"job-{n:03d}", **job_args(n)} for n in range(jobs)],
        "tenants": {
            f"s{i:03d}": {
                "tenantId": tenant_id(i),
                "clientId": f"{tenant_id(i)}-key",
                "clientSecret": {"env": f"S{i:03d}_SECRET"},
                "deviceIds": [device_id(i)],
            }
            for i in range(1, tenants + 1)
        },
    }
    path.write_text(yaml.safe_dump(fleet, sort_keys=False))
    return secrets


def run_fleet(
    emulator: EmulatorProcess, work: Path, tenants: int, jobs: int, parallel: int
) -> Timing:
    """`python -m opsramp_jobs.fleet up` over every tenant, timed end to end."""
    for sub in ("home", "state"):
        (work / sub).mkdir(parents=True)
    env = hermetic_env(work / "home", work / "state")
    env.update(fleet_file(work / "fleet.yaml", emulator.url, tenants, jobs))
    started = time.perf_counter()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "opsramp_jobs.fleet",
            "up",
            str(work / "fleet.yaml"),
            "--json",
            "--parallel",
            str(parallel),
        ],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    created = len(emulator.jobs())
    note = "" if done.returncode == 0 else f"exit {done.returncode}: {done.stderr[-300:]}"
    if done.returncode == 0:
        stacks = json.loads(done.stdout)["stacks"]
        slowest = max(s["seconds"] for s in stacks)
        note = f"slowest stack {slowest:.1f} s"
    return Timing(seconds, created, f"{note}; {requests_seen(emulator)}")


def requests_seen(emulator: EmulatorProcess) -> str:
    """The emulator's counters: writes answered 200 and requests throttled (429)."""
    stats = emulator.stats()
    return f"{stats.get('writes', '?')} writes, {stats.get('throttled', '?')} throttled"


def run_single_stack(emulator: EmulatorProcess, work: Path, tenants: int, jobs: int) -> Timing:
    """One stack (automation API, inline program) declaring all the jobs, with the partner key."""
    for sub in ("home", "state"):
        (work / sub).mkdir(parents=True)
    env = hermetic_env(work / "home", work / "state")
    if sys.prefix != sys.base_prefix:
        env["PULUMI_RUNTIME_VIRTUALENV"] = sys.prefix

    def program() -> None:
        # Job-major, as OpsRampJobSet declares them: consecutive creates go to different tenants,
        # so under per-tenant limits the single stack is not throttled by one tenant's bucket.
        for number in range(jobs):
            for index in range(1, tenants + 1):
                OpsRampJob(
                    f"s{index:03d}-job-{number:03d}",
                    tenant_id=tenant_id(index),
                    device_ids=[device_id(index)],
                    **job_args(number),
                )
        pulumi.export("jobs", tenants * jobs)

    started = time.perf_counter()
    stack = auto.create_or_select_stack(
        stack_name="single",
        project_name=PROJECT,
        program=program,
        opts=auto.LocalWorkspaceOptions(
            env_vars=env, project_settings=auto.ProjectSettings(name=PROJECT, runtime="python")
        ),
    )
    stack.set_all_config(
        {
            "opsramp:apiUrl": auto.ConfigValue(emulator.url),
            "opsramp:clientId": auto.ConfigValue(PARTNER_KEY),
            "opsramp:clientSecret": auto.ConfigValue(PARTNER_SECRET, secret=True),
        }
    )
    note = ""
    try:
        stack.up(color="never")
    except auto.CommandError as exc:
        note = f"failed: {str(exc)[-300:]}"
    seconds = time.perf_counter() - started
    return Timing(seconds, len(emulator.jobs()), f"{note} {requests_seen(emulator)}".strip())


def uptime() -> str:
    """`uptime` (the machine's load while measuring)."""
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()


def main(argv: list[str] | None = None) -> int:
    """Run the scenarios and print the table."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.fleet_bench")
    parser.add_argument("--tenants", type=int, default=50)
    parser.add_argument("--jobs", type=int, default=20, help="jobs per tenant")
    parser.add_argument("--parallel", type=int, default=50, help="fleet stacks at once")
    parser.add_argument("--write-limit", type=int, default=5)
    parser.add_argument("--rate-window", type=float, default=6.0)
    parser.add_argument(
        "--scenarios", default="free,limited", help="free (no rate limit), limited, or both"
    )
    parser.add_argument("--skip-single", action="store_true", help="fleet runs only")
    args = parser.parse_args(argv)
    scenarios = [s.strip() for s in args.scenarios.split(",") if s.strip()]
    total = args.tenants * args.jobs
    print(f"# fleet_bench {time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime())}", flush=True)
    print(
        f"# {args.tenants} tenants x {args.jobs} jobs = {total} jobs; fleet --parallel "
        f"{args.parallel}; cpus {os.cpu_count()}",
        flush=True,
    )
    print(f"# load before: {uptime()}", flush=True)
    rows: list[tuple[str, str, str, str, str]] = []
    for scenario in scenarios:
        extra: list[str] = []
        limited = scenario == "limited"
        if limited:
            # All three classes scaled by the same factor as the write limit (50/min -> 5/6 s).
            scale = args.write_limit / 50
            extra = [
                "--write-limit", str(args.write_limit),
                "--paged-read-limit", str(args.write_limit),
                "--read-limit", str(max(1, round(500 * scale))),
                "--rate-window", str(args.rate_window),
            ]  # fmt: skip
        with (
            EmulatorProcess(*extra, rate_limit=limited, synthetic_clients=args.tenants) as emulator,
            tempfile.TemporaryDirectory(prefix="fleet-bench-") as tmp,
        ):
            fleet = run_fleet(emulator, Path(tmp) / "fleet", args.tenants, args.jobs, args.parallel)
            print(
                f"{scenario}: fleet {fleet.seconds:.1f} s, {fleet.jobs_created} jobs "
                f"({fleet.note})",
                flush=True,
            )
            single = None
            if not args.skip_single:
                emulator.reset()
                single = run_single_stack(emulator, Path(tmp) / "single", args.tenants, args.jobs)
                print(
                    f"{scenario}: single stack {single.seconds:.1f} s, {single.jobs_created} "
                    f"jobs ({single.note})",
                    flush=True,
                )
        bound = ""
        ratio = ""
        if limited:
            windows = math.ceil(args.jobs / args.write_limit)
            bound_s = (windows - 1) * args.rate_window
            bound = f"{bound_s:.1f}"
            ratio = f"{fleet.seconds / bound_s:.2f}x bound" if bound_s else ""
        speedup = f"{single.seconds / fleet.seconds:.1f}x" if single else "-"
        rows.append(
            (
                scenario,
                f"{fleet.seconds:.1f} ({fleet.jobs_created} jobs)",
                f"{single.seconds:.1f} ({single.jobs_created} jobs)" if single else "-",
                speedup,
                f"{bound} {ratio}".strip() or "-",
            )
        )
    print(f"# load after: {uptime()}")
    header = ("scenario", "fleet up s", "single stack s", "fleet speed-up", "rate bound s")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        print(" | ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
