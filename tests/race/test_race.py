"""Two provider processes create the same job names at once: exactly one job per name survives.

Each process is the SDK's real provider server (`python -m pulumi.dynamic`, 4 threads, as the
engine runs it), configured like a stack on the same tenant; creates go to the emulator with
0.1 s latency each, the case of issue 11 (two stacks declaring one set of names made every job
twice). OPSRAMP_RACE_REPETITIONS sets the repetitions (default 10: the full count of the issue).
"""

from __future__ import annotations

import os
import random
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import grpc
import pytest

from opsramp_jobs.client import OpsRampClient
from tests.provider.conftest import job_inputs, stack_config
from tests.provider.grpc_provider import ProviderServer
from tests.support.emulator import CLIENT13_TENANT, PARTNER_KEY, PARTNER_SECRET, EmulatorProcess

NAMES = 20
REPETITIONS = int(os.environ.get("OPSRAMP_RACE_REPETITIONS", "10"))
CREATE_LATENCY_SECONDS = 0.1
CREATE_PATH = r"/api/v2/tenants/[^/]+/jobs"
REFUSAL = "already exists in tenant"


@pytest.fixture(scope="module")
def servers() -> Iterator[list[ProviderServer]]:
    """Two provider processes, as two stacks' `pulumi up` would start them."""
    started = [ProviderServer(), ProviderServer()]
    yield started
    for server in started:
        server.close()


def create_all(server: ProviderServer, names: list[str], delay: float) -> dict[str, str]:
    """Create every name through one server, 4 at a time (the engine's parallelism).

    Returns name -> the job id, or "refused: <message>" / "failed: <message>".
    """
    time.sleep(delay)

    def one(name: str) -> tuple[str, str]:
        inputs, failures = server.check(job_inputs(name=name, entities=[]))
        assert failures == []
        inputs.pop("__provider")
        try:
            job_id, _ = server.create(inputs)
        except grpc.RpcError as error:
            details = str(error.details())
            return name, ("refused: " if REFUSAL in details else "failed: ") + details
        return name, job_id

    with ThreadPoolExecutor(4) as pool:
        return dict(pool.map(one, names))


def race(
    servers: list[ProviderServer], emulator: EmulatorProcess, names: list[str], offset: float
) -> list[dict[str, str]]:
    """Both servers create `names`, the second `offset` seconds after the first."""
    for server in servers:
        # The SDK's server passes this on to the provider only once per process; later calls
        # are harmless (each repetition uses new names).
        server.configure(stack_config(emulator))
    with ThreadPoolExecutor(2) as pool:
        first = pool.submit(create_all, servers[0], names, 0.0)
        second = pool.submit(create_all, servers[1], list(reversed(names)), offset)
        return [first.result(), second.result()]


def assert_one_job_per_name(
    emulator: EmulatorProcess, names: list[str], outcomes: list[dict[str, str]]
) -> None:
    """Exactly one job per name in OpsRamp, held by exactly one process; the other refused."""
    jobs = {j["job"]["id"]: j["job"]["name"] for j in emulator.jobs()}
    assert sorted(Counter(jobs.values()).items()) == sorted((n, 1) for n in names)
    for name in names:
        results = [outcome[name] for outcome in outcomes]
        kept = [r for r in results if r in jobs]
        refused = [r for r in results if r.startswith("refused: ")]
        assert len(kept) == 1, f"{name}: {results}"
        assert len(refused) == 1, f"{name}: {results}"
        assert f"adopt_id={kept[0]!r}" in refused[0]
        assert jobs[kept[0]] == name


def test_two_processes_creating_the_same_names_keep_one_job_each(
    servers: list[ProviderServer], emulator: EmulatorProcess
) -> None:
    rng = random.Random(11)
    started = time.monotonic()
    for repetition in range(REPETITIONS):
        emulator.reset()
        emulator.add_fault(
            method="POST",
            path=CREATE_PATH,
            count=10_000,
            action="latency",
            seconds=CREATE_LATENCY_SECONDS,
        )
        names = [f"race {repetition}-{index}" for index in range(NAMES)]
        # Offsets from "at once" to the 0.5 s.
        offset = rng.choice([0.0, 0.05, 0.1, 0.2, 0.5])
        outcomes = race(servers, emulator, names, offset)
        assert_one_job_per_name(emulator, names, outcomes)
    elapsed = time.monotonic() - started
    assert elapsed < 45 * max(1, REPETITIONS / 10), f"{REPETITIONS} repetitions took {elapsed:.1f}s"


def test_lost_answers_during_the_race_are_recovered_not_duplicated(
    servers: list[ProviderServer], emulator: EmulatorProcess
) -> None:
    """Creates whose answers are lost (stored, or not) in the middle of the race.

    Still one job per name, and every job held by a process. What this cannot promise (README
    "Adoption, duplicates and replacement"): a process whose answer was lost cannot tell its own
    job from the rival's, and adopts the one new job of its name, so both may hold one job.
    """
    names = [f"lossy {index}" for index in range(NAMES)]
    emulator.add_fault(method="POST", path=CREATE_PATH, count=3, action="drop_after_commit")
    emulator.add_fault(method="POST", path=CREATE_PATH, count=2, action="drop")
    emulator.add_fault(
        method="POST", path=CREATE_PATH, count=10_000, action="latency", seconds=0.05
    )
    outcomes = race(servers, emulator, names, 0.0)
    assert [f for f in emulator.faults() if f["action"] != "latency"] == []
    jobs = {j["job"]["id"]: j["job"]["name"] for j in emulator.jobs()}
    assert sorted(Counter(jobs.values()).items()) == sorted((n, 1) for n in names)
    for name in names:
        results = [outcome[name] for outcome in outcomes]
        (job_id,) = [i for i, named in jobs.items() if named == name]
        assert job_id in results, f"{name}: job {job_id} is held by no process: {results}"
        for result in results:
            assert result == job_id or result.startswith("refused: "), f"{name}: {results}"


def test_a_name_taken_before_either_process_starts_is_refused_by_both(
    servers: list[ProviderServer], emulator: EmulatorProcess
) -> None:
    names = ["taken early"]
    outcomes = race(servers, emulator, names, 0.0)
    (job_id,) = [j["job"]["id"] for j in emulator.jobs()]
    again = race(servers, emulator, names, 0.0)
    assert [outcome["taken early"] for outcome in outcomes].count(job_id) == 1
    for outcome in again:
        assert outcome["taken early"].startswith("refused: ")
        assert f"adopt_id={job_id!r}" in outcome["taken early"]
    assert [j["tenantId"] for j in emulator.jobs()] == [CLIENT13_TENANT]


SEARCH_PATH = r"/api/v2/tenants/[^/]+/jobs/search"
JOB_PATH = r"/api/v2/tenants/[^/]+/jobs/[0-9a-f-]+"


def test_when_both_withdraw_the_retry_settles_on_one_job(emulator: EmulatorProcess) -> None:
    # Slow searches and deletes: each side's check after its POST runs after both POSTs and
    # before either withdrawal, so each sees the other's job and both withdraw; then the side
    # whose job id sorts first (string order, as uniqueness ranks them) retries first.
    # New processes, so neither has a listing yet: both start in step.
    servers = [ProviderServer(), ProviderServer()]
    try:
        both_withdraw(servers, emulator)
    finally:
        for server in servers:
            server.close()


def both_withdraw(servers: list[ProviderServer], emulator: EmulatorProcess) -> None:
    for index, server in enumerate(servers):
        # Warm: the provider imported, a token fetched, the tenant listed (the listing stays
        # fresh for uniqueness.INDEX_TTL_SECONDS, 60 s: longer than the race).
        server.configure(stack_config(emulator))
        inputs, failures = server.check(job_inputs(name=f"warm-up {index}", entities=[]))
        assert failures == []
        inputs.pop("__provider")
        server.create(inputs)
    with OpsRampClient(emulator.url, PARTNER_KEY, PARTNER_SECRET) as cleaner:
        for entry in emulator.jobs():
            cleaner.delete_job(entry["job"]["id"], tenant_id=entry["tenantId"])
    emulator.add_fault(method="GET", path=SEARCH_PATH, count=10_000, action="latency", seconds=0.5)
    emulator.add_fault(method="POST", path=CREATE_PATH, count=10_000, action="latency", seconds=0.1)
    emulator.add_fault(method="DELETE", path=JOB_PATH, count=10_000, action="latency", seconds=0.5)
    emulator.reset_stats()
    outcomes = race(servers, emulator, ["both withdraw"], 0.0)
    assert_one_job_per_name(emulator, ["both withdraw"], outcomes)
    deletes = emulator.stats()["by_route"].get("DELETE /api/v2/tenants/{tenantId}/jobs/{jobId}")
    assert deletes == 2, f"both sides did not withdraw: the case was not exercised: {outcomes}"


def test_a_name_taken_while_a_rename_is_in_flight_undoes_the_rename(
    servers: list[ProviderServer], emulator: EmulatorProcess
) -> None:
    renamer, other = servers
    renamer.configure(stack_config(emulator))
    other.configure(stack_config(emulator))
    inputs, _ = renamer.check(job_inputs(name="before", entities=[]))
    inputs.pop("__provider")
    job_id, outs = renamer.create(inputs)
    other.create({**inputs, "name": "unrelated"})  # the other process is warm: token, listing
    renamed = {**inputs, "name": "wanted"}
    # The rename's POST is held 1 s; the other process creates "wanted" meanwhile.
    emulator.add_fault(method="POST", path=JOB_PATH, count=1, action="latency", seconds=1.0)
    with ThreadPoolExecutor(1) as pool:
        attempt = pool.submit(renamer.update, job_id, outs, renamed)
        time.sleep(0.2)
        other_id, _ = other.create(renamed)
        with pytest.raises(grpc.RpcError) as caught:
            attempt.result()
    assert f"cannot give job {job_id} the name 'wanted': job {other_id}" in str(
        caught.value.details()
    )
    jobs = {j["job"]["id"]: j["job"]["name"] for j in emulator.jobs()}
    assert jobs == {
        job_id: "before",
        other_id: "wanted",
        **{i: "unrelated" for i in jobs if jobs[i] == "unrelated"},
    }
