"""The real-CLI benchmark's program: `bench:jobs` jobs over three tenants, ours or the floor.

`bench:kind` is `ours` (an `OpsRampJob` each), `floor` (a `benchmarks.cli_floor.FloorJob` with
the same eight inputs) or `floor-outputs` (the floor plus the output name an OpsRampJob
registers as None, to price them). Job i goes to tenant i mod 3 (client_13, client_93, msp_12;
only `bench:tenant` when set) on a device that tenant sees, an AD checklist every 2 days; the
same declaration for every kind.
"""

from typing import Any

import pulumi

config = pulumi.Config("bench")
kind = config.require("kind")
count = config.require_int("jobs")
prefix = config.get("prefix") or "bench"
only_tenant = config.get("tenant")  # every job in this one tenant, when set

# Seeded in the emulator: client_13's AD server, client_93's lnx-app-01; the partner msp_12 sees
# its clients' devices.
TENANT_DEVICES = tuple(
    pair
    for pair in (
        ("client_13", "709824de-8315-4cf9-ad1c-b15aaf7bf2a5"),
        ("client_93", "5f2d8c1a-9e7b-4a3c-8d6f-1b4e7a9c2d58"),
        ("msp_12", "709824de-8315-4cf9-ad1c-b15aaf7bf2a5"),
    )
    if only_tenant in (None, pair[0])
)
SCRIPT: dict[str, Any] = {"jobType": "adCheckList"}
SCHEDULE: dict[str, Any] = {
    "startDate": "2026-12-01T02:30:00+0000",
    "pattern": {"type": "daily", "frequency": "recurrence", "repeatFrequency": 2},
}

if kind == "ours":
    from opsramp_jobs import OpsRampJob

    for index in range(count):
        tenant, device = TENANT_DEVICES[index % len(TENANT_DEVICES)]
        OpsRampJob(
            f"{prefix}-{index}",
            name=f"{prefix} {index}",
            tenant_id=tenant,
            device_ids=[device],
            script=SCRIPT,
            schedule=SCHEDULE,
        )
elif kind in ("floor", "floor-outputs"):
    from benchmarks.cli_floor import FloorJob, floor_inputs

    OUTPUT_NAMES = ("scriptName",)
    extra = dict.fromkeys(OUTPUT_NAMES) if kind == "floor-outputs" else {}

    for index in range(count):
        tenant, device = TENANT_DEVICES[index % len(TENANT_DEVICES)]
        FloorJob(
            f"{prefix}-{index}",
            floor_inputs(
                f"{prefix} {index}",
                tenant,
                [{"resource": {"id": device, "type": "DEVICE"}}],
                SCRIPT,
                SCHEDULE,
            )
            | extra,
        )
else:
    raise ValueError(f"bench:kind must be 'ours', 'floor' or 'floor-outputs', not {kind!r}")
