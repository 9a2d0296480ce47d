"""The real-CLI tier: N jobs through `pulumi`, ours beside the engine's floor, in one run.

Each command runs on two stacks of the same project program (benchmarks/cli_program): `ours`
declares N `OpsRampJob`s, `floor` N `benchmarks.cli_floor.FloorJob`s with the same eight inputs
and a provider that does nothing. A `refresh` also runs for `floor-read`: the floor stack with
its provider reading one raw GET per job (`benchmarks.cli_floor.READ_SWITCH`). Commands
alternate between the kinds (interleaved, the order reversed every repeat) so drift on a shared
machine hits all alike. Each run also records the 1-minute load average at its start, the
emulator's request counts and the CPU of every process of the command (engine, language host,
program, provider), sampled from /proc.
"""

from __future__ import annotations

import itertools
import json
import math
import os
import resource
import statistics
import subprocess
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Self

from benchmarks.cli_floor import READ_SWITCH
from tests.e2e.project import Project
from tests.support.emulator import (
    CLIENT13_TENANT,
    CLIENT93_TENANT,
    PARTNER_KEY,
    PARTNER_SECRET,
    PARTNER_TENANT,
    EmulatorProcess,
)

REPO_ROOT = Path(__file__).resolve().parents[1]
PROGRAM = Path(__file__).resolve().parent / "cli_program" / "__main__.py"
TENANTS = (CLIENT13_TENANT, CLIENT93_TENANT, PARTNER_TENANT)  # job i goes to TENANTS[i % 3]
KINDS = ("ours", "floor")  # the stacks
FLOOR_READ = "floor-read"  # the floor stack, its provider reading one raw GET per job
KIND_STACK = {FLOOR_READ: "floor"}
KIND_ENV = {FLOOR_READ: {READ_SWITCH: "1"}}
# The commands whose provider calls are reads: these also run for FLOOR_READ.
READ_COMMANDS = ("refresh", "refresh-preview")
# The commands of the main table, in the order a stack lives through them.
CYCLE = ("preview", "up", "preview-same", "up-same", "refresh", "destroy")
COMMAND_ARGS: dict[str, tuple[str, ...]] = {
    "preview": ("preview",),
    "up": ("up", "--yes", "--skip-preview"),
    "preview-same": ("preview",),
    "up-same": ("up", "--yes", "--skip-preview"),
    "refresh": ("refresh", "--yes", "--skip-preview"),
    "destroy": ("destroy", "--yes", "--skip-preview"),
    # For the "Big stacks" figures: the engine writes no state until the end, and a refresh
    # with its preview (what `pulumi refresh` does unless told to skip it).
    "up-skip-checkpoints": ("up", "--yes", "--skip-preview"),
    "destroy-skip-checkpoints": ("destroy", "--yes", "--skip-preview"),
    "refresh-preview": ("refresh", "--yes"),
}
COMMAND_ENV = {
    "up-skip-checkpoints": {"PULUMI_SKIP_CHECKPOINTS": "true"},
    "destroy-skip-checkpoints": {"PULUMI_SKIP_CHECKPOINTS": "true"},
}
COMMAND_TITLES = {
    "preview": "pulumi preview ({n} creates)",
    "up": "pulumi up ({n} creates)",
    "preview-same": "pulumi preview, nothing to change",
    "up-same": "pulumi up, nothing to change",
    "refresh": "pulumi refresh ({n} reads)",
    "destroy": "pulumi destroy ({n} deletes)",
    "up-skip-checkpoints": "pulumi up ({n} creates), PULUMI_SKIP_CHECKPOINTS=true",
    "destroy-skip-checkpoints": "pulumi destroy ({n} deletes), PULUMI_SKIP_CHECKPOINTS=true",
    "refresh-preview": "pulumi refresh without --skip-preview ({n} reads)",
}
ROLES = ("engine", "language host", "program", "provider", "other")
CLK_TCK = os.sysconf("SC_CLK_TCK")
SAMPLE_SECONDS = 0.1


# --------------------------------------------------------------------------------------------
# CPU per process of a command, from /proc
# --------------------------------------------------------------------------------------------


def role_of(command_line: str) -> str:
    """Which part of a Pulumi run a process is, from its command line."""
    if "pulumi.dynamic" in command_line:
        return "provider"
    if "pulumi-language-python-exec" in command_line:
        return "program"
    if "language_host" in command_line or "pulumi-language-python" in command_line:
        return "language host"
    first = command_line.split("\0", 1)[0]
    if first.endswith("/pulumi") or first == "pulumi":
        return "engine"
    return "other"


def process_stat(pid: int) -> tuple[int, float] | None:
    """(parent pid, CPU seconds used) of a live process, or None."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            raw = handle.read()
    except OSError:
        return None
    fields = raw[raw.rindex(b")") + 2 :].split()
    # After the command name: state ppid ... utime (11th) stime (12th), in clock ticks.
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / CLK_TCK


def _command_line(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            return handle.read().decode(errors="replace")
    except OSError:
        return ""


class ProcessTreeCpu:
    """Samples the CPU of a process and all its descendants every SAMPLE_SECONDS.

    A process's last sample is at most one interval before it exits, so up to SAMPLE_SECONDS of
    its CPU may be missed; the command's total from wait4 is exact and reported beside.
    `on_process(pid, role)` is called once for each new descendant (the profiler attaches there).
    """

    def __init__(
        self,
        root: int,
        on_process: Callable[[int, str], None] | None = None,
        *,
        classify: Callable[[str], str] = role_of,
        interval: float = SAMPLE_SECONDS,
    ) -> None:
        self.root = root
        self.on_process = on_process
        self.classify = classify  # NUL-separated command line -> role (or any label)
        self.interval = interval
        self.cpu: dict[int, float] = {}
        self.role: dict[int, str] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.interval)

    def sample(self) -> None:
        """One pass over /proc: update the CPU of the root's descendants."""
        parents: dict[int, int] = {}
        used: dict[int, float] = {}
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            stat = process_stat(int(entry))
            if stat is not None:
                parents[int(entry)], used[int(entry)] = stat
        tree = {self.root}
        changed = True
        while changed:
            changed = False
            for pid, parent in parents.items():
                if parent in tree and pid not in tree:
                    tree.add(pid)
                    changed = True
        for pid in tree:
            if pid not in used:
                continue
            self.cpu[pid] = used[pid]
            command_line = _command_line(pid)
            if not command_line:  # a zombie (or gone): keep the role it had
                self.role.setdefault(pid, "other")
                continue
            role = self.classify(command_line)
            is_new = pid not in self.role
            # A wrapper script exec's the provider server: the role can change once.
            if is_new or self.role[pid] != role:
                self.role[pid] = role
                if self.on_process is not None and role in ("program", "provider"):
                    self.on_process(pid, role)

    def stop(self) -> dict[str, float]:
        """Stop sampling; CPU seconds per role (every one of ROLES, with the default classify)."""
        self._stop.set()
        self._thread.join()
        by_role = dict.fromkeys(ROLES, 0.0) if self.classify is role_of else {}
        for pid, seconds in self.cpu.items():
            role = self.role.get(pid, "other")
            by_role[role] = by_role.get(role, 0.0) + seconds
        return by_role


# --------------------------------------------------------------------------------------------
# A stack of the benchmark program
# --------------------------------------------------------------------------------------------


@dataclass
class Timed:
    """One timed CLI command."""

    wall: float
    cpu: dict[str, float]  # seconds per role, sampled
    cpu_total: float  # seconds, every process of the command (wait4)
    stats: dict[str, Any]  # the emulator's counters for the command
    output: str
    returncode: int


class BenchStack:
    """A project directory with one stack of `jobs` jobs of `kind` on the emulator."""

    def __init__(
        self,
        workdir: Path,
        pulumi_home: Path,
        api_url: str,
        kind: str,
        jobs: int,
        *,
        read_jobs: dict[str, str] | None = None,
        env: dict[str, str] | None = None,
        tenant: str | None = None,
    ) -> None:
        self.kind = kind
        self.project = Project(workdir, api_url, pulumi_home, program=PROGRAM)
        # The program and the provider process import `benchmarks.cli_floor` from the repo.
        self.project.env["PYTHONPATH"] = str(REPO_ROOT)
        self.project.env.update(env or {})
        self.project.run("stack", "init", "--stack", "bench")
        self.project.stack = "bench"
        self.project.run(
            "config", "set-all",
            "--plaintext", f"opsramp:apiUrl={api_url}",
            "--plaintext", f"opsramp:clientId={PARTNER_KEY}",
            "--secret", f"opsramp:clientSecret={PARTNER_SECRET}",
            "--plaintext", f"opsramp:tenantId={CLIENT13_TENANT}",
            "--plaintext", f"bench:kind={kind}",
            "--plaintext", f"bench:jobs={jobs}",
            "--plaintext", f"bench:readJobs={json.dumps(read_jobs or {})}",
            *(["--plaintext", f"bench:tenant={tenant}"] if tenant else []),
        )  # fmt: skip

    def set_jobs(self, jobs: int) -> None:
        """Declare `jobs` jobs from now on."""
        self.project.config("bench:jobs", str(jobs))

    def run(
        self,
        command: str,
        emulator: EmulatorProcess,
        *,
        parallel: int | None = None,
        on_process: Callable[[int, str], None] | None = None,
        check: bool = True,
        count: bool = True,
        env: dict[str, str] | None = None,
    ) -> Timed:
        """Run one command of COMMAND_ARGS, timed; raise with its output when it fails.

        With `count`, the emulator's counters are zeroed first, so `stats` are the command's;
        commands run at once pass False and read the counters themselves. `env` is added to the
        command's environment (the engine passes it on to the provider process).
        """
        args = [self.project.binary, *COMMAND_ARGS[command], "--non-interactive"]
        args += ["--stack", self.project.stack]
        if parallel is not None:
            args.append(f"--parallel={parallel}")
        if count:
            emulator.reset_stats()
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        process = subprocess.Popen(
            args,
            cwd=self.project.dir,
            env={**self.project.env, **COMMAND_ENV.get(command, {}), **(env or {})},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        sampler = ProcessTreeCpu(process.pid, on_process)
        output = process.communicate()[0]
        wall = time.perf_counter() - started
        cpu = sampler.stop()
        # communicate() has reaped it: its rusage, with every descendant it reaped, is ours now.
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu_total = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        stats = emulator.stats()
        if check and process.returncode != 0:
            raise RuntimeError(
                f"{self.kind}: pulumi {' '.join(COMMAND_ARGS[command])} exited "
                f"{process.returncode}:\n{output[-4000:]}"
            )
        return Timed(wall, cpu, cpu_total, stats, output, process.returncode)

    def resources(self) -> list[dict[str, Any]]:
        """The benchmark's job resources in `pulumi stack export`."""
        resources = self.project.export()["deployment"].get("resources") or []
        return [r for r in resources if r["type"].startswith("pulumi-python:dynamic")]


def whole_resource_bytes(resources: Sequence[dict[str, Any]]) -> float:
    """Median compact-JSON size of a whole resource entry of `pulumi stack export`."""
    return statistics.median(len(json.dumps(r, separators=(",", ":"))) for r in resources)


# --------------------------------------------------------------------------------------------
# The main table: every command, ours beside the floor
# --------------------------------------------------------------------------------------------


@dataclass
class Cycle:
    """Everything measured in the command cycle of one setting (N, round trip, parallel)."""

    title: str
    jobs: int
    parallel: int | None
    commands: Sequence[str]
    floor_read: bool = True  # READ_COMMANDS also run for FLOOR_READ
    wall: dict[tuple[str, str], list[float]] = field(default_factory=dict)
    cpu: dict[tuple[str, str], list[dict[str, float]]] = field(default_factory=dict)
    stats: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    load: dict[str, list[float]] = field(default_factory=dict)  # command -> 1-min load at starts
    state_bytes: dict[str, float] = field(default_factory=dict)
    provider_bytes: dict[str, int] = field(default_factory=dict)

    def kinds(self, command: str) -> tuple[str, ...]:
        """The kinds a command runs for: ours and the floor, and FLOOR_READ for a read command."""
        return KINDS + ((FLOOR_READ,) if self.floor_read and command in READ_COMMANDS else ())

    def floors(self, command: str) -> tuple[str, ...]:
        """The floors a command is compared with."""
        return self.kinds(command)[1:]

    def median(self, command: str, kind: str) -> float:
        """The median wall time of a command for a kind."""
        return statistics.median(self.wall[command, kind])

    def ratios(self, command: str, floor: str) -> list[float]:
        """Ours over the floor, repeat by repeat (each pair ran back to back)."""
        pairs = zip(self.wall[command, "ours"], self.wall[command, floor], strict=True)
        return [ours / floor_wall for ours, floor_wall in pairs]

    def median_cpu(self, command: str, kind: str) -> dict[str, float]:
        """Median CPU seconds per role (each role's own median)."""
        runs = self.cpu[command, kind]
        return {role: statistics.median(run[role] for run in runs) for role in ROLES}


@contextmanager
def read_targets(emulator: EmulatorProcess) -> Iterator[dict[str, str]]:
    """One live job per tenant, for the floor's `read` to GET (bench:readJobs)."""
    session = emulator.api_session()
    ids: dict[str, str] = {}
    try:
        for tenant in TENANTS:
            created = session.post(
                emulator.jobs_url(tenant),
                json={"name": f"floor read target {tenant}", "script": {"jobType": "adCheckList"}},
                timeout=10,
            )
            created.raise_for_status()
            ids[tenant] = str(created.json()["id"])
        yield ids
    finally:
        session.close()


def run_cycle(
    stacks: dict[str, BenchStack],
    emulator: EmulatorProcess,
    cycle: Cycle,
    repeats: int,
    log: Callable[[str], None],
) -> Cycle:
    """Run the cycle's commands for each kind, interleaved, `repeats` times."""
    for repeat in range(repeats):
        for command in cycle.commands:
            kinds = cycle.kinds(command)
            for kind in kinds if repeat % 2 == 0 else kinds[::-1]:
                stack = stacks[KIND_STACK.get(kind, kind)]
                cycle.load.setdefault(command, []).append(os.getloadavg()[0])
                timed = stack.run(
                    command, emulator, parallel=cycle.parallel, env=KIND_ENV.get(kind)
                )
                cycle.wall.setdefault((command, kind), []).append(timed.wall)
                cycle.cpu.setdefault((command, kind), []).append(timed.cpu)
                cycle.stats[command, kind] = timed.stats
                log(f"  {cycle.title} #{repeat + 1} {command:12} {kind:10} {timed.wall:6.2f} s")
                if command == "up" and repeat == 0:
                    resources = stack.resources()
                    cycle.state_bytes[kind] = whole_resource_bytes(resources)
                    cycle.provider_bytes[kind] = len(resources[0]["inputs"]["__provider"])
    return cycle


def make_stacks(
    workdir: Path,
    api_url: str,
    jobs: int,
    read_jobs: dict[str, str],
    env: dict[str, str] | None = None,
) -> dict[str, BenchStack]:
    """A stack of each kind, sharing one PULUMI_HOME."""
    home = workdir / "home"
    return {
        kind: BenchStack(workdir / kind, home, api_url, kind, jobs, read_jobs=read_jobs, env=env)
        for kind in KINDS
    }


FLOOR_TITLES = {"floor": "", FLOOR_READ: ", against the floor that reads (one raw GET each)"}


def spread(values: Sequence[float], unit: str = "", digits: int = 1) -> str:
    """The median, then the range in brackets when there is more than one value."""
    text = f"{statistics.median(values):.{digits}f}{unit}"
    if len(values) > 1:
        text += f" ({min(values):.{digits}f}-{max(values):.{digits}f})"
    return text


def command_rows(cycle: Cycle) -> list[tuple[str, ...]]:
    """A row per command and floor: ours, the floor, ours/floor, HTTP requests, load average.

    Times are medians with their range; the ratio is the median of the per-repeat ratios (each
    pair of runs back to back) with their range; the load, the 1-minute load average at the
    start of the command's runs (every kind).
    """
    rows: list[tuple[str, ...]] = []
    for command in cycle.commands:
        stats = cycle.stats[command, "ours"]
        for floor in cycle.floors(command):
            rows.append(
                (
                    "  " + COMMAND_TITLES[command].format(n=cycle.jobs) + FLOOR_TITLES[floor],
                    spread(cycle.wall[command, "ours"], " s"),
                    spread(cycle.wall[command, floor], " s"),
                    spread(cycle.ratios(command, floor), "x", 2),
                    f"{stats['requests']} ({stats['tokens_issued']} token) / "
                    f"{cycle.stats[command, floor]['requests']}",
                    spread(cycle.load[command]),
                )
            )
    return rows


def state_rows(cycle: Cycle) -> list[tuple[str, ...]]:
    """State bytes per resource and __provider, ours vs floor."""
    ours, floor = cycle.state_bytes["ours"], cycle.state_bytes["floor"]
    return [
        (
            "  state bytes per resource (whole entry, pulumi stack export)",
            f"{ours:.0f} B",
            f"{floor:.0f} B",
            f"+{ours - floor:.0f} B",
            "target <= floor + 300 B",
        ),
        (
            "  __provider bytes (pickle by reference, stored twice per resource)",
            f"{cycle.provider_bytes['ours']} B",
            f"{cycle.provider_bytes['floor']} B",
            "",
            "",
        ),
    ]


def cpu_rows(cycle: Cycle) -> list[tuple[str, ...]]:
    """CPU seconds per process role, ours vs floor, for each command (medians)."""
    rows: list[tuple[str, ...]] = []
    for command, kind in ((c, k) for c in cycle.commands for k in cycle.floors(c)):
        ours, floor = cycle.median_cpu(command, "ours"), cycle.median_cpu(command, kind)
        parts = [
            f"{role} {ours[role]:.1f}/{floor[role]:.1f}"
            for role in ROLES
            if ours[role] >= 0.05 or floor[role] >= 0.05
        ]
        rows.append(
            (
                "  " + COMMAND_TITLES[command].format(n=cycle.jobs) + FLOOR_TITLES[kind],
                f"{sum(ours.values()):.1f} s",
                f"{sum(floor.values()):.1f} s",
                f"{sum(ours.values()) / max(sum(floor.values()), 0.01):.2f}x",
                "; ".join(parts),
            )
        )
    return rows


# --------------------------------------------------------------------------------------------
# Under OpsRamp's per-tenant rate limits
# --------------------------------------------------------------------------------------------


def earliest_end(
    start: float, count: int, limit: int, window: float, per_second: float = math.inf
) -> float:
    """The soonest the last of `count` requests can be sent, from `start` (epoch seconds).

    At most `limit` a window (windows aligned to multiples of `window` on the epoch clock, as
    OpsRamp's and the emulator's are) and at most `per_second` (the engine's slots over the
    round trip; unbounded on loopback).
    """
    moment, left = start, count
    while True:
        window_end = (moment // window + 1) * window
        fits = (
            limit if math.isinf(per_second) else min(limit, int((window_end - moment) * per_second))
        )
        if left <= fits:
            return moment if math.isinf(per_second) else moment + left / per_second
        left -= fits
        moment = window_end


class PeriodicSampler:
    """Calls `sample(due)` on entry, then every `period` s at `offset` s past each multiple of
    `period` on the epoch clock (the emulator's rate windows are aligned so), and on exit."""

    def __init__(self, period: float, offset: float) -> None:
        self.period = period
        self.offset = offset
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def sample(self, due: float) -> None:
        """Take one sample; `due` is the epoch time it was meant for."""
        raise NotImplementedError

    def _run(self) -> None:
        while not self._stop.is_set():
            due = ((time.time() - self.offset) // self.period + 1) * self.period + self.offset
            if self._stop.wait(max(0.0, due - time.time())):
                break
            self.sample(due)

    def __enter__(self) -> Self:
        self.sample(time.time())
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()
        self.sample(time.time())


class WritesByTenant(PeriodicSampler):
    """Polls the emulator's jobs every `period` s (aligned to the epoch clock): count per tenant.

    The emulator's rate windows are aligned to multiples of the window on the epoch clock, and
    the period divides the window, so the counts at window boundaries give each window's writes.
    Polling costs the emulator one `/_emulator/jobs` answer per period (never rate limited).
    """

    def __init__(self, emulator: EmulatorProcess, period: float) -> None:
        super().__init__(period, 0.005)
        self.emulator = emulator
        self.samples: list[tuple[float, dict[str, int]]] = []

    def counts(self) -> dict[str, int]:
        """Jobs per tenant now."""
        counts = dict.fromkeys(TENANTS, 0)
        for entry in self.emulator.jobs():
            counts[entry["tenantId"]] = counts.get(entry["tenantId"], 0) + 1
        return counts

    def sample(self, due: float) -> None:
        """The jobs per tenant, as of `due`."""
        self.samples.append((due, self.counts()))


@dataclass
class TenantPacing:
    """How one tenant's requests of one class (writes, reads) spread over the rate windows."""

    tenant: str
    count: int
    limit: int  # requests per window
    per_window: dict[int, int]  # epoch window index -> requests
    first_seen: float  # epoch seconds of the first sample showing a request
    last_seen: float  # epoch seconds of the first sample showing every request

    @property
    def windows_used(self) -> int:
        """Windows from the first with a request to the last, inclusive."""
        return max(self.per_window) - min(self.per_window) + 1 if self.per_window else 0

    @property
    def windows_needed(self) -> int:
        """The fewest windows the limit allows."""
        return -(-self.count // self.limit)

    @property
    def full_window_rate(self) -> float:
        """Requests per window as a fraction of the limit, over the windows a run can fill.

        The first window is partial (the command starts anywhere in it) and the last takes what
        is left; with three or more windows both are left out, else all but the last count.
        """
        if not self.per_window:
            return 0.0
        first, last = min(self.per_window), max(self.per_window)
        inner = range(first + 1, last) if last - first >= 2 else range(first, max(first + 1, last))
        return sum(self.per_window.get(i, 0) for i in inner) / (len(inner) * self.limit)


def tenant_pacing(
    samples: Sequence[tuple[float, dict[str, int]]],
    window: float,
    limits: dict[str, int],
    *,
    deleting: bool,
) -> list[TenantPacing]:
    """Each tenant's writes per window from the job counts sampled during one command."""
    paced = []
    for tenant in TENANTS:
        per_window: dict[int, int] = {}
        first_seen = last_seen = 0.0
        start = samples[0][1][tenant]
        total = abs(samples[-1][1][tenant] - start)
        for (_, before), (at, after) in itertools.pairwise(samples):
            done = after[tenant] - before[tenant]
            done = -done if deleting else done
            if done > 0:
                # The sample at `at` closes the period that ends there: its window is (at - ε)'s.
                index = int((at - 0.01) // window)
                per_window[index] = per_window.get(index, 0) + done
                first_seen = first_seen or at
            if abs(after[tenant] - start) == total and not last_seen and total:
                last_seen = at
        paced.append(TenantPacing(tenant, total, limits[tenant], per_window, first_seen, last_seen))
    return paced


def tenant_rows(paced: Sequence[TenantPacing], window: float, noun: str) -> list[tuple[str, ...]]:
    """A row per tenant: its rate (of `noun`) in the windows it could fill, against its limit."""
    return [
        (
            f"    {tenant.tenant}: {tenant.count} {noun} in "
            f"{tenant.windows_used} windows (fewest possible {tenant.windows_needed})",
            f"{tenant.full_window_rate * tenant.limit / window:.2f} {noun}/s",
            f"limit {tenant.limit / window:.2f}/s",
            f"{tenant.full_window_rate:.0%} "
            + ("(target >= 95 %)" if tenant.windows_needed > 1 else "(fits one window)"),
            f"done {tenant.last_seen - paced_start(paced):.1f} s after the first {noun[:-1]}; "
            f"per window [{window_counts(tenant.per_window)}]",
        )
        for tenant in paced
    ]


def window_counts(per_window: dict[int, int]) -> str:
    """Requests per window from the first to the last, runs of one count merged: '5 x16, 4, 1'."""
    if not per_window:
        return ""
    counts = [per_window.get(i, 0) for i in range(min(per_window), max(per_window) + 1)]
    runs = [(count, len(list(group))) for count, group in itertools.groupby(counts)]
    return ", ".join(f"{count} x{length}" if length > 1 else str(count) for count, length in runs)


def paced_start(paced: Sequence[TenantPacing]) -> float:
    """The earliest first request of any tenant (epoch seconds)."""
    return min(p.first_seen for p in paced if p.first_seen)
