"""What each provider call costs in-process, step by step: `python -m benchmarks.provider_costs`.

The real-CLI table says how much CPU the provider process spends; this says on what, per call,
for the benchmark's job (an AD checklist every 2 days on one device): `check` of a new job,
`diff` of an unchanged one (and the re-parse of each side it does), the outputs `create` builds
from OpsRamp's answer (and the next-run times among them), and the outputs `read` builds (which
computes next runs, then keeps the previous ones when the schedule is unchanged). No HTTP.
Medians of `--repeats` runs of `--calls` calls each, in milliseconds per call.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from opsramp_jobs import provider as provider_module
from opsramp_jobs.model import parse_job
from opsramp_jobs.provider import OpsRampJobProvider

TENANT = "client_13"
DEVICE = "709824de-8315-4cf9-ad1c-b15aaf7bf2a5"
DECLARED: dict[str, Any] = {
    "name": "bench 0",
    "tenantId": TENANT,
    "entities": [{"resource": {"id": DEVICE, "type": "DEVICE"}}],
    "script": {"jobType": "adCheckList"},
    "schedule": {
        "startDate": "2026-12-01T02:30:00+0000",
        "pattern": {"type": "daily", "frequency": "recurrence", "repeatFrequency": 2},
    },
}
# OpsRamp's answer to the create, as the emulator gives it.
LIVE: dict[str, Any] = {
    "name": "bench 0",
    "entities": [
        {
            "resource": {
                "id": DEVICE,
                "generalInfo": {"ipAddresses": "10.233.19.130", "hostName": "10.233.19.130"},
                "clientUniqueId": TENANT,
                "type": "DEVICE",
            }
        }
    ],
    "schedule": {
        "startDate": "2026-12-01T02:30:00+0000",
        "pattern": {
            "type": "daily",
            "frequency": "recurrence",
            "repeatType": "days",
            "repeatFrequency": 2,
        },
    },
    "jobQueued": False,
    "script": {"jobType": "adCheckList"},
    "id": "5b0c7f2e-1d3a-4c8e-9f6b-2a7d4e1c3b90",
}


def per_call_ms(work: Callable[[], object], calls: int, repeats: int) -> float:
    """Median over `repeats` runs of the mean time of one call, in ms."""
    runs = []
    for _ in range(repeats):
        started = time.perf_counter()
        for _ in range(calls):
            work()
        runs.append((time.perf_counter() - started) / calls)
    return statistics.median(runs) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    provider = OpsRampJobProvider()
    checked = provider.check({}, DECLARED).inputs
    job = parse_job(checked)
    outputs = provider_module._outputs(job, LIVE, {})
    state = {**outputs, "__provider": "x"}
    now = datetime.now(UTC)
    steps: list[tuple[str, Callable[[], object]]] = [
        ("check (new job)", lambda: provider.check({}, DECLARED)),
        ("diff (unchanged job)", lambda: provider.diff("id", state, checked)),
        ("  of which: re-parse of the old side (_comparable)",
         lambda: provider_module._comparable(state)),
        ("  of which: re-parse of the new side (_comparable)",
         lambda: provider_module._comparable(checked)),
        ("create's outputs from OpsRamp's answer (_outputs)",
         lambda: provider_module._outputs(job, LIVE, {})),
        ("  of which: parse of the answer (parse_job from_server)",
         lambda: parse_job(LIVE, TENANT, from_server=True)),
        ("program side, when read: next 5 runs (Schedule.next_runs)",
         lambda: job.schedule.next_runs(now, 5)),
        ("program side, when read: schedule description (Schedule.describe)",
         job.schedule.describe),
        ("parse_job of declared inputs", lambda: parse_job(checked)),
    ]  # fmt: skip
    print(f"in-process cost per call, median of {args.repeats} x {args.calls} calls")
    for title, work in steps:
        print(f"  {per_call_ms(work, args.calls, args.repeats):7.3f} ms  {title}")


if __name__ == "__main__":
    main()
