"""Where our time over the floor goes: `python -m benchmarks.cli_profile --jobs 300`.

For `ours`, `floor` and `floor-outputs` (the floor plus the five None output names an
OpsRampJob registers), runs `preview`, `up` and `destroy` of N jobs: `--repeats` times plain,
for the CPU of each process (from /proc, as in the main table; medians), then once with py-spy
recording the program and the provider process (sampling slows them, so those are not timed;
py-spy also samples threads blocked in gRPC calls, so read its figures as shares of samples).
Prints the CPU table and, per command and process, the functions with the most samples (self
and inclusive), and keeps the collapsed stacks (py-spy's raw format) in `--out`.

py-spy: `pip install py-spy`, or where pip refuses, `pip download py-spy` and unzip the wheel;
give its path with `--py-spy` or put it on PATH.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from benchmarks.cli_bench import ROLES, BenchStack, read_targets
from tests.support.emulator import EmulatorProcess

KINDS = ("ours", "floor", "floor-outputs")
COMMANDS = ("preview", "up", "destroy")
RATE = 100  # py-spy samples per second


class Recorder:
    """Attaches py-spy to each program and provider process a command starts."""

    def __init__(self, py_spy: str, out: Path, label: str) -> None:
        self.py_spy = py_spy
        self.out = out
        self.label = label
        self.spies: list[tuple[str, Path, subprocess.Popen[bytes]]] = []

    def attach(self, pid: int, role: str) -> None:
        """Record `pid` until it exits (called by the /proc sampler)."""
        path = self.out / f"{self.label}-{role}-{pid}.txt"
        spy = subprocess.Popen(
            [self.py_spy, "record", "--pid", str(pid), "--rate", str(RATE),
             "--format", "raw", "--output", str(path), "--nonblocking"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        self.spies.append((role, path, spy))

    def finish(self) -> dict[str, Path]:
        """Wait for every recorder; the stacks file per role."""
        files: dict[str, Path] = {}
        for role, path, spy in self.spies:
            try:
                spy.wait(timeout=30)
            except subprocess.TimeoutExpired:
                spy.terminate()
                spy.wait(timeout=5)
            if path.exists():
                files[role] = path
        return files


# Frames worth naming in the inclusive list: our code, the SDK and what it calls per resource.
INTERESTING = ("opsramp_jobs/", "pulumi/", "benchmarks/", "dill/", "pydantic", "urllib3/", "grpc/")
PLUMBING = ("_call_with_frames_removed", "threading.py", "concurrent/futures", "asyncio/")


def top_functions(stacks_file: Path, count: int) -> tuple[int, list[str]]:
    """(samples, lines): time in imports, then the functions with the most samples.

    Inclusive: every sample whose stack holds the function (our code, the SDK, gRPC, dill,
    pydantic, urllib3; imports and thread plumbing left out). Self: the innermost frame.
    """
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = importing = 0
    for line in stacks_file.read_text().splitlines():
        stack, _, samples_text = line.rpartition(" ")
        if not stack or not samples_text.isdigit():
            continue
        samples = int(samples_text)
        frames = [frame for frame in stack.split(";") if not frame.startswith("process ")]
        if not frames:
            continue
        total += samples
        own[frames[-1]] += samples
        if any("_find_and_load" in frame for frame in frames):
            importing += samples
            continue
        for frame in set(frames):
            if any(k in frame for k in INTERESTING) and not any(k in frame for k in PLUMBING):
                inclusive[frame] += samples
    if not total:
        return 0, []
    lines = [f"      imports   {importing / RATE:6.2f} s {importing / total:4.0%}"]
    lines += [f"      inclusive {n / RATE:6.2f} s {n / total:4.0%}  {f}" for f, n in
              inclusive.most_common(count)]  # fmt: skip
    lines += [f"      self      {n / RATE:6.2f} s {n / total:4.0%}  {f}" for f, n in
              own.most_common(count)]  # fmt: skip
    return total, lines


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--jobs", type=int, default=300)
    parser.add_argument("--py-spy", default=shutil.which("py-spy") or "", help="py-spy binary")
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "cli-profile")
    parser.add_argument("--top", type=int, default=12, help="functions listed per process")
    parser.add_argument("--kinds", default=",".join(KINDS))
    parser.add_argument("--commands", default=",".join(COMMANDS))
    parser.add_argument("--repeats", type=int, default=1, help="plain runs (CPU: medians)")
    parser.add_argument("--summarise", action="store_true", help="only re-read the stacks in --out")
    args = parser.parse_args(argv)
    if args.summarise:
        for path in sorted(args.out.glob("*.txt")):
            total, lines = top_functions(path, args.top)
            print(f"\n{path.stem}: {total / RATE:.2f} s sampled")
            print("\n".join(lines))
        return
    if not args.py_spy:
        print("no py-spy (see this module's docstring): CPU per process only", file=sys.stderr)
    args.out.mkdir(parents=True, exist_ok=True)
    kinds, commands = args.kinds.split(","), args.commands.split(",")
    cpu: dict[tuple[str, str], list[dict[str, float]]] = {}
    wall: dict[tuple[str, str], list[float]] = {}
    profiles: dict[tuple[str, str], dict[str, Path]] = {}
    with (
        tempfile.TemporaryDirectory() as tmp,
        EmulatorProcess(rate_limit=False) as emulator,
        read_targets(emulator) as read_jobs,
    ):
        home = Path(tmp) / "home"
        stacks = {
            kind: BenchStack(
                Path(tmp) / kind, home, emulator.url, kind, args.jobs, read_jobs=read_jobs
            )
            for kind in kinds
        }
        passes = [False] * args.repeats + ([True] if args.py_spy else [])
        for profiled in passes:
            for command in commands:
                for kind in kinds:
                    recorder = Recorder(args.py_spy, args.out, f"{command}-{kind}")
                    timed = stacks[kind].run(
                        command, emulator, on_process=recorder.attach if profiled else None
                    )
                    if profiled:
                        profiles[command, kind] = recorder.finish()
                    else:
                        cpu.setdefault((command, kind), []).append(timed.cpu)
                        wall.setdefault((command, kind), []).append(timed.wall)
                    print(
                        f"{time.strftime('%H:%M:%S')} {command} {kind} "
                        f"{'(py-spy)' if profiled else ''} {timed.wall:.1f} s",
                        file=sys.stderr,
                        flush=True,
                    )
    print(f"CPU seconds per process, {args.jobs} jobs (medians of {args.repeats} plain runs)")
    for command in commands:
        for kind in kinds:
            runs = cpu[command, kind]
            parts = ", ".join(
                f"{role} {statistics.median(run[role] for run in runs):.2f}" for role in ROLES
            )
            median_wall = statistics.median(wall[command, kind])
            print(f"  {command:8} {kind:14} wall {median_wall:5.1f} s; {parts}")
    for command in commands if args.py_spy else []:
        for kind in kinds:
            for role, path in sorted(profiles[command, kind].items()):
                total, lines = top_functions(path, args.top)
                print(f"\n{command} / {kind} / {role}: {total / RATE:.2f} s sampled ({path})")
                print("\n".join(lines))


if __name__ == "__main__":
    main()
