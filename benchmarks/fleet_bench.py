"""Fleet vs one stack: `python -m benchmarks.fleet_bench [--tenants 50 --jobs 20]`.

Measured in one run and printed side by side (nothing asserts on time; docs/fleet.md):

* no rate limit: `fleet up` of TENANTS x JOBS jobs (one stack per tenant, `--parallel` stacks at
  once) against one stack holding the same jobs (a loop in one inline program, partner key);
* OpsRamp's per-tenant limits, window scaled down (default 5 writes per 6 s: the real 50 per
  minute): the same two runs, and the physical bound, which is every tenant spending its own
  write budget in parallel: (ceil(JOBS / LIMIT) - 1) windows;
* `--rtt-ms 0,50`: the same again with a network round trip between the jobs and the emulator
  (benchmarks/latency_proxy.py), as a tenant across a network sees it.

`--profile up,up-again` prints where a fleet stack's CPU goes instead (docs/fleet.md).

Each run gets a fresh file backend and a reset emulator; the emulator serves synthetic clients
client_s001.. (`--synthetic-clients`). Needs the pulumi CLI on PATH (scripts/toolchain.sh).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pulumi
import yaml
from pulumi import automation as auto

from benchmarks import latency_proxy
from benchmarks.cli_bench import ProcessTreeCpu
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


def fleet_env(work: Path, url: str, tenants: int, jobs: int) -> dict[str, str]:
    """A fresh PULUMI_HOME and file backend under `work`, the fleet file, the secrets' variables."""
    for sub in ("home", "state"):
        (work / sub).mkdir(parents=True)
    env = hermetic_env(work / "home", work / "state")
    env.update(fleet_file(work / "fleet.yaml", url, tenants, jobs))
    return env


def fleet_command(work: Path, operation: str, parallel: int) -> list[str]:
    """The fleet command line for `operation` on work/fleet.yaml."""
    return [
        sys.executable,
        "-m",
        "opsramp_jobs.fleet",
        operation,
        str(work / "fleet.yaml"),
        "--json",
        "--parallel",
        str(parallel),
    ]


def cpu_seconds(who: int) -> float:
    """User + system CPU seconds of `who` (resource.RUSAGE_SELF or RUSAGE_CHILDREN)."""
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def run_fleet(
    emulator: EmulatorProcess, url: str, work: Path, tenants: int, jobs: int, *, parallel: int
) -> Timing:
    """`python -m opsramp_jobs.fleet up` over every tenant, timed end to end."""
    env = fleet_env(work, url, tenants, jobs)
    cpu_before = cpu_seconds(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(
        fleet_command(work, "up", parallel),
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    cpu = cpu_seconds(resource.RUSAGE_CHILDREN) - cpu_before
    created = len(emulator.jobs())
    note = "" if done.returncode == 0 else f"exit {done.returncode}: {done.stderr[-300:]}"
    if done.returncode == 0:
        stacks = json.loads(done.stdout)["stacks"]
        slowest = max(s["seconds"] for s in stacks)
        note = f"slowest stack {slowest:.1f} s"
    return Timing(
        seconds,
        created,
        f"{note}; {cpu:.0f} CPU-s, {cpu / tenants:.2f} per stack; {requests_seen(emulator)}",
    )


def requests_seen(emulator: EmulatorProcess) -> str:
    """The emulator's counters: writes answered 200 and requests throttled (429)."""
    stats = emulator.stats()
    return f"{stats.get('writes', '?')} writes, {stats.get('throttled', '?')} throttled"


def run_single_stack(
    emulator: EmulatorProcess, url: str, work: Path, tenants: int, jobs: int
) -> Timing:
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

    cpu_before = cpu_seconds(resource.RUSAGE_CHILDREN) + cpu_seconds(resource.RUSAGE_SELF)
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
            "opsramp:apiUrl": auto.ConfigValue(url),
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
    cpu = cpu_seconds(resource.RUSAGE_CHILDREN) + cpu_seconds(resource.RUSAGE_SELF) - cpu_before
    return Timing(
        seconds, len(emulator.jobs()), f"{note} {cpu:.0f} CPU-s; {requests_seen(emulator)}".strip()
    )


# A `pulumi` in front of the real one: runs it as its child and logs the exact CPU (wait4) of the
# command with every process it reaped (the engine's plugins), and the wrapper's own.
PULUMI_SHIM = """#!{python} -S
import json, os, resource, signal, sys, time
started = time.monotonic()
child = os.fork()
if child == 0:
    os.execv({real!r}, [{real!r}, *sys.argv[1:]])
for number in (signal.SIGINT, signal.SIGTERM):
    signal.signal(number, lambda n, _f: os.kill(child, n))
while True:
    try:
        _, status, usage = os.wait4(child, 0)
        break
    except InterruptedError:
        continue
me = resource.getrusage(resource.RUSAGE_SELF)
record = {{"args": sys.argv[1:], "cpu": usage.ru_utime + usage.ru_stime,
          "shim": me.ru_utime + me.ru_stime, "wall": time.monotonic() - started}}
with open(os.environ["FLEET_PROFILE_LOG"], "a") as log:
    log.write(json.dumps(record) + "\\n")
os._exit(os.waitstatus_to_exitcode(status))
"""
_SUBCOMMANDS = {"stack", "config", "plugin"}


def command_label(args: list[str]) -> str:
    """`stack select`, `config set-all`, `up`, ...: the subcommand of a pulumi command line."""
    words = [a for a in args if not a.startswith("-")][:2]
    if words and words[0] in _SUBCOMMANDS:
        return " ".join(words)
    return words[0] if words else "?"


def process_label(command_line: list[str]) -> str:
    """What a process of a fleet run is, from its command line."""
    text = " ".join(command_line)
    if "pulumi.dynamic" in text:
        return "dynamic provider (python -m pulumi.dynamic)"
    if "language_host" in text or "pulumi-language-python" in text:
        return "language host / program"
    if "opsramp_jobs.fleet" in text:
        return "fleet process (python)"
    if command_line and command_line[0].endswith("pulumi"):
        return "pulumi " + command_label(command_line[1:])
    if "-S" in command_line[:3]:
        return "profiling wrapper"
    return "other: " + text[:60]


def profile_fleet(args: argparse.Namespace) -> int:
    """Where a fleet stack's CPU goes: per pulumi command (exact) and per process (sampled)."""
    real = shutil.which("pulumi")
    if real is None:
        print('no pulumi on PATH: export PATH="$(bash scripts/toolchain.sh):$PATH"')
        return 2
    print(f"# fleet_bench --profile {time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime())}")
    print(f"# {args.tenants} tenants x {args.jobs} jobs, fleet --parallel {args.parallel}")
    print(f"# load before: {uptime()}", flush=True)
    with (
        EmulatorProcess(synthetic_clients=args.tenants) as emulator,
        tempfile.TemporaryDirectory(prefix="fleet-profile-") as tmp,
    ):
        work = Path(tmp)
        shim_dir = work / "bin"
        shim_dir.mkdir()
        shim = shim_dir / "pulumi"
        shim.write_text(PULUMI_SHIM.format(python=sys.executable, real=str(Path(real).resolve())))
        shim.chmod(0o755)
        env = fleet_env(work / "fleet", emulator.url, args.tenants, args.jobs)
        env["PATH"] = f"{shim_dir}{os.pathsep}{Path(real).parent}{os.pathsep}{env['PATH']}"
        for operation in args.profile.split(","):
            log = work / f"{operation}.jsonl"
            env["FLEET_PROFILE_LOG"] = str(log)
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            started = time.perf_counter()
            fleet = subprocess.Popen(
                fleet_command(work / "fleet", operation.removesuffix("-again"), args.parallel),
                cwd=REPO_ROOT,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            sampler = ProcessTreeCpu(
                fleet.pid,
                classify=lambda line: process_label([w for w in line.split("\0") if w]),
                interval=0.05,
            )
            _, stderr = fleet.communicate()
            wall = time.perf_counter() - started
            sampled = sampler.stop()
            # Children of this process: the fleet and everything it reaped.
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            total_cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
            if fleet.returncode != 0:
                print(f"{operation}: exit {fleet.returncode}: {stderr[-500:]}")
            commands: dict[str, list[float]] = defaultdict(lambda: [0, 0.0, 0.0])
            shims = 0.0
            for line in log.read_text().splitlines() if log.exists() else []:
                record = json.loads(line)
                entry = commands[command_label(record["args"])]
                entry[0] += 1
                entry[1] += record["cpu"]
                entry[2] += record["wall"]
                shims += record["shim"]
            per = args.tenants
            print(f"\n## fleet {operation}: {wall:.1f} s wall; {len(emulator.jobs())} jobs")
            print(
                "pulumi command (exact, wait4, incl. its plugins) | calls | CPU s | CPU s/stack"
                " | wall s/call"
            )
            pulumi_cpu = 0.0
            for label, (calls, cpu, seconds) in sorted(commands.items(), key=lambda x: -x[1][1]):
                pulumi_cpu += cpu
                print(
                    f"  {label:28} | {calls:3.0f} | {cpu:6.2f} | {cpu / per:5.2f} |"
                    f" {seconds / calls:5.2f}"
                )
            everything = "all pulumi commands"
            print(f"  {everything:28} |     | {pulumi_cpu:6.2f} | {pulumi_cpu / per:5.2f}")
            print("process (sampled from /proc every 50 ms) | CPU s | CPU s/stack")
            for label, cpu in sorted(sampled.items(), key=lambda x: -x[1]):
                print(f"  {label:44} | {cpu:6.2f} | {cpu / per:5.2f}")
            print(
                f"profiling wrappers (exact): {shims:.2f} s; the whole fleet command (wait4): "
                f"{total_cpu:.2f} s = {total_cpu / per:.2f} s/stack",
                flush=True,
            )
    print(f"\n# load after: {uptime()}")
    return 0


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
    parser.add_argument(
        "--rtt-ms",
        default="0",
        help="round trips to add between the jobs and the emulator (benchmarks/latency_proxy.py),"
        " comma separated: each scenario runs once per value, e.g. 0,50",
    )
    parser.add_argument(
        "--profile",
        metavar="OPS",
        help="instead of the table: where the CPU goes, for these fleet operations in turn "
        "(e.g. up,up-again,preview); no rate limit",
    )
    args = parser.parse_args(argv)
    if args.profile:
        return profile_fleet(args)
    scenarios = [s.strip() for s in args.scenarios.split(",") if s.strip()]
    rtts = [float(r) for r in args.rtt_ms.split(",") if r.strip()]
    total = args.tenants * args.jobs
    print(f"# fleet_bench {time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime())}", flush=True)
    print(
        f"# {args.tenants} tenants x {args.jobs} jobs = {total} jobs; fleet --parallel "
        f"{args.parallel}; cpus {os.cpu_count()}; round trips {args.rtt_ms} ms",
        flush=True,
    )
    print(f"# load before: {uptime()}", flush=True)
    rows: list[tuple[str, str, str, str, str]] = []
    for rtt_ms, scenario in [(r, s) for r in rtts for s in scenarios]:
        extra: list[str] = []
        limited = scenario == "limited"
        title = f"{scenario}, {rtt_ms:g} ms round trip" if rtt_ms else scenario
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
            latency_proxy.running(emulator.port, rtt_ms)
            if rtt_ms
            else nullcontext(emulator.port) as port,
        ):
            # The jobs' API URL: the emulator, or the relay that adds the round trip in front.
            url = f"{emulator.url.rsplit(':', 1)[0]}:{port}"
            fleet = run_fleet(
                emulator, url, Path(tmp) / "fleet", args.tenants, args.jobs, parallel=args.parallel
            )
            print(
                f"{title}: fleet {fleet.seconds:.1f} s, {fleet.jobs_created} jobs ({fleet.note})",
                flush=True,
            )
            single = None
            if not args.skip_single:
                emulator.reset()
                single = run_single_stack(
                    emulator, url, Path(tmp) / "single", args.tenants, args.jobs
                )
                print(
                    f"{title}: single stack {single.seconds:.1f} s, {single.jobs_created} "
                    f"jobs ({single.note})",
                    flush=True,
                )
            print(f"# load: {uptime()}", flush=True)
        bound = ""
        ratio = ""
        if limited:
            # The last write can start at the beginning of the last window; with a round trip it
            # is answered one round trip later.
            windows = math.ceil(args.jobs / args.write_limit)
            bound_s = (windows - 1) * args.rate_window + rtt_ms / 1000
            bound = f"{bound_s:.1f}"
            ratio = f"{fleet.seconds / bound_s:.2f}x bound" if bound_s else ""
        speedup = f"{single.seconds / fleet.seconds:.1f}x" if single else "-"
        rows.append(
            (
                title,
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
