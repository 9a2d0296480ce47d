"""The program's garbage collector under the real CLI: `python -m benchmarks.program_gc`.

A no-change `pulumi preview` of N jobs, for `ours` and the floor (`benchmarks.cli_floor`: bare
dynamic resources, no code of this project in the program), interleaved, `--repeats` times. The
program runs with a `sitecustomize` first on its PYTHONPATH that times every collection of the
collector (`gc.callbacks`) and writes, at exit, its CPU, the full (generation 2) collections and
their CPU, and with `--heap` the objects the collector tracked at each full collection (counting
them costs a few ms each, so `--heap` runs are not for timing). Nothing of this project runs in
the floor's program: what its collector costs is what the SDK's objects per resource cost.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from benchmarks.cli_bench import REPO_ROOT, BenchStack, read_targets
from tests.support.emulator import EmulatorProcess

KINDS = ("ours", "floor")

# Runs in the program process only (the language host runs `pulumi-language-python-exec`).
SITECUSTOMIZE = """
import atexit, gc, json, os, sys, time

if "pulumi-language-python-exec" in " ".join(sys.argv):
    _full = []  # [cpu seconds at start, objects tracked or None, ms]
    _gc = {"cpu": 0.0, "started": 0.0}

    def _timed(phase, info):
        if phase == "start":
            if info["generation"] == 2:
                heap = len(gc.get_objects()) if os.environ.get("PROGRAM_GC_HEAP") else None
                _full.append([time.process_time(), heap, 0.0])
            _gc["started"] = time.process_time()
            return
        spent = time.process_time() - _gc["started"]
        _gc["cpu"] += spent
        if info["generation"] == 2:
            _full[-1][2] = spent * 1000

    gc.callbacks.append(_timed)

    def _report():
        with open(os.environ["PROGRAM_GC_OUT"], "a") as out:
            run = {"cpu": time.process_time(), "gc_cpu": _gc["cpu"], "full": _full}
            out.write(json.dumps(run) + "\\n")

    atexit.register(_report)
"""


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--jobs", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--heap", action="store_true", help="count tracked objects (slower)")
    args = parser.parse_args(argv)
    runs: dict[str, list[dict[str, float]]] = {kind: [] for kind in KINDS}
    with (
        tempfile.TemporaryDirectory() as tmp,
        EmulatorProcess(rate_limit=False) as emulator,
        read_targets(emulator) as read_jobs,
    ):
        hook = Path(tmp) / "hook"
        hook.mkdir()
        (hook / "sitecustomize.py").write_text(SITECUSTOMIZE)
        out = Path(tmp) / "gc.jsonl"
        env = {"PYTHONPATH": f"{hook}:{REPO_ROOT}", "PROGRAM_GC_OUT": str(out)}
        if args.heap:
            env["PROGRAM_GC_HEAP"] = "1"
        home = Path(tmp) / "home"
        stacks = {
            kind: BenchStack(
                Path(tmp) / kind, home, emulator.url, kind, args.jobs, read_jobs=read_jobs
            )
            for kind in KINDS
        }
        for stack in stacks.values():
            stack.run("up", emulator)
        for repeat in range(args.repeats):
            for kind in KINDS if repeat % 2 == 0 else KINDS[::-1]:
                out.unlink(missing_ok=True)
                timed = stacks[kind].run("preview-same", emulator, env=env)
                run = json.loads(out.read_text().splitlines()[-1])
                full = run["full"]
                runs[kind].append(
                    {
                        "wall": timed.wall,
                        "cpu": run["cpu"],
                        "gc": run["gc_cpu"],
                        "full": len(full),
                        "full_cpu": sum(ms for _, _, ms in full) / 1000,
                    }
                )
                heaps = [heap for _, heap, _ in full if heap is not None]
                print(
                    f"{time.strftime('%H:%M:%S')} {kind:5} wall {timed.wall:5.1f} s, program "
                    f"{run['cpu']:.2f} CPU-s, collector {run['gc_cpu']:.2f} s, {len(full)} full "
                    f"({runs[kind][-1]['full_cpu']:.2f} s)"
                    + (f", at most {max(heaps)} objects tracked" if heaps else ""),
                    file=sys.stderr,
                    flush=True,
                )
    print(f"No-change preview of {args.jobs} jobs: the program's collector, {args.repeats} runs")
    for kind in KINDS:
        median = {key: statistics.median(run[key] for run in runs[kind]) for key in runs[kind][0]}
        spread = [run["full"] for run in runs[kind]]
        share = median["gc"] / median["cpu"]
        print(
            f"  {kind:5} medians: program {median['cpu']:.2f} CPU-s, collector "
            f"{median['gc']:.2f} s ({share:.0%}), full collections {min(spread)}-{max(spread)} "
            f"taking {median['full_cpu']:.2f} s"
        )


if __name__ == "__main__":
    main()
