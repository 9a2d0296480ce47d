"""Issue 11 as reported: two stacks declare the same 20 job names in one tenant, `up` 0.5 s apart.

Real CLI, two projects with their own state, one emulator with 0.1 s per create. Before the
guard verified creates, both `up`s exited 0 and the tenant held 40 jobs.
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

import pytest

from tests.faults.stack import PulumiStack
from tests.support.emulator import EmulatorProcess

pytestmark = pytest.mark.e2e

NAMES = 20
CREATE_PATH = r"/api/v2/tenants/[^/]+/jobs"


def held_ids(stack: PulumiStack) -> set[str]:
    return {str(resource["id"]) for resource in stack.job_resources()}


def test_two_stacks_with_the_same_names_leave_one_job_per_name(
    pulumi_cli: str, emulator: EmulatorProcess, tmp_path: Path
) -> None:
    stacks = [PulumiStack(tmp_path / side, emulator.url) for side in ("first", "second")]
    emulator.add_fault(method="POST", path=CREATE_PATH, count=10_000, action="latency", seconds=0.1)
    for stack in stacks:
        stack.declare(NAMES)
    first = stacks[0].start_up(NAMES)
    time.sleep(0.5)
    second = stacks[1].start_up(NAMES)
    outputs = [process.communicate(timeout=240)[0] for process in (first, second)]
    codes = [first.returncode, second.returncode]

    jobs = {entry["job"]["id"]: entry["job"]["name"] for entry in emulator.jobs()}
    assert sorted(Counter(jobs.values()).values()) == [1] * NAMES, jobs
    held = [held_ids(stack) for stack in stacks]
    assert held[0].isdisjoint(held[1]), "two stacks hold one job"
    assert held[0] | held[1] == set(jobs), "a job is held by no stack, or a stack holds a ghost"
    # Every name one stack did not get was refused in the other, with the id to adopt.
    for code, output, mine in zip(codes, outputs, held, strict=True):
        if len(mine) < NAMES:
            assert code != 0
            assert output.count("already exists in tenant") >= 1, output[-3000:]
        else:
            assert code == 0, output[-3000:]
    assert codes != [0, 0]
