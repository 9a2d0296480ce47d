"""The e2e program for invalid jobs: typed-class mistakes, named in stack config.

Copied into a temporary project as its `__main__.py` (see tests/e2e/test_invalid_jobs.py).
`e2e:mistakes` lists the mistakes to declare, each as a job named after it; a valid job `fine`
is declared first and `also-fine` last, so the run shows that every job is looked at.
"""

from collections.abc import Callable

import pulumi

from opsramp_jobs import (
    AdCheckList,
    EveryDay,
    EveryNDays,
    MonthlyOnDays,
    OpsRampJob,
    Schedule,
    Weekly,
    device,
)

DEVICE = "709824de-8315-4cf9-ad1c-b15aaf7bf2a5"
START = "2026-12-01T02:30:00+0000"


def daily() -> Schedule:
    return Schedule(start_date=START, pattern=EveryDay())


MISTAKES: dict[str, Callable[[str], OpsRampJob]] = {
    "no-offset": lambda name: OpsRampJob(
        name,
        script=AdCheckList(),
        schedule=Schedule(start_date="2026-12-01T02:30:00", pattern=EveryDay()),
    ),
    "day-32": lambda name: OpsRampJob(
        name,
        script=AdCheckList(),
        schedule=Schedule(start_date=START, pattern=MonthlyOnDays(day_of_month=[1, 32])),
    ),
    "fryday": lambda name: OpsRampJob(
        name,
        script=AdCheckList(),
        schedule=Schedule(start_date=START, pattern=Weekly(week_days=["Fryday"])),
    ),
    "one-device-id": lambda name: OpsRampJob(
        name, script=AdCheckList(), schedule=daily(), device_ids=DEVICE
    ),
    "bad-device": lambda name: OpsRampJob(
        name, script=AdCheckList(), schedule=daily(), entities=[device("not-a-uuid")]
    ),
    "every-0-days": lambda name: OpsRampJob(
        name,
        script=AdCheckList(),
        schedule=Schedule(start_date=START, pattern=EveryNDays(repeat_frequency=0)),
    ),
    "seconds": lambda name: OpsRampJob(
        name,
        script=AdCheckList(),
        schedule=Schedule(start_date="2026-12-01T02:30:15+0000", pattern=EveryDay()),
    ),
}

jobs = [OpsRampJob("fine", script=AdCheckList(), schedule=daily(), device_ids=[DEVICE])]
jobs += [MISTAKES[name](name) for name in pulumi.Config("e2e").require_object("mistakes")]
jobs.append(OpsRampJob("also-fine", script=AdCheckList(), schedule=daily()))
pulumi.export("jobIds", [job.job_id for job in jobs])
