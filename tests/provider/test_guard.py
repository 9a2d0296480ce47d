"""The duplicate-name guard on renames and adoption, total outputs, the adopt switch, the watchdog.

Through the SDK's real provider server over gRPC, against the emulator over real HTTP.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from typing import Any

import grpc
import pytest
from pulumi.runtime.proto import provider_pb2_grpc

from opsramp_jobs.client import OpsRampClient
from opsramp_jobs.model import next_run_times, parse_job, schedule_in_words
from tests.faults.processes import gone
from tests.provider.conftest import job_inputs, stack_config
from tests.provider.grpc_provider import ProviderServer
from tests.support.emulator import EmulatorProcess

UPDATE_ROUTE = "POST /api/v2/tenants/{tenantId}/jobs/{jobId}"
CREATE_ROUTE = "POST /api/v2/tenants/{tenantId}/jobs"


def checked(provider: ProviderServer, **overrides: Any) -> dict[str, Any]:
    inputs, failures = provider.check(job_inputs(**overrides))
    assert failures == []
    inputs.pop("__provider")
    return inputs


def names_in_opsramp(emulator: EmulatorProcess) -> list[str]:
    return sorted(j["job"]["name"] for j in emulator.jobs())


def rpc_error(call: Any, *args: Any) -> str:
    with pytest.raises(grpc.RpcError) as caught:
        call(*args)
    return str(caught.value.details())


# ------------------------------------------------------------------ renames


def test_rename_to_a_name_taken_outside_pulumi_is_refused_before_it_is_sent(
    provider: ProviderServer, emulator: EmulatorProcess, out_of_band: OpsRampClient
) -> None:
    inputs = checked(provider, name="mine")
    job_id, outs = provider.create(inputs)
    other = out_of_band.create_job({**parse_job(inputs).to_wire(), "name": "theirs"})
    emulator.reset_stats()
    message = rpc_error(provider.update, job_id, outs, checked(provider, name="theirs"))
    assert f"cannot give job {job_id} the name 'theirs': job {other['id']}" in message
    assert UPDATE_ROUTE not in emulator.stats()["by_route"]  # nothing was sent
    assert names_in_opsramp(emulator) == ["mine", "theirs"]


def test_rename_to_the_name_of_another_pulumi_job_is_refused(
    provider: ProviderServer, emulator: EmulatorProcess
) -> None:
    first_id, _ = provider.create(checked(provider, name="first"))
    second_id, second = provider.create(checked(provider, name="second"))
    message = rpc_error(provider.update, second_id, second, checked(provider, name="first"))
    assert f"job {first_id} in tenant 'client_13' already carries it" in message
    assert names_in_opsramp(emulator) == ["first", "second"]
    # A free name, and a taken one with allow_duplicate_name: both renamed.
    outs = provider.update(second_id, second, checked(provider, name="third"))
    assert outs["name"] == "third"
    twin = {**checked(provider, name="first"), "allowDuplicateName": True}
    provider.update(second_id, outs, twin)
    assert names_in_opsramp(emulator) == ["first", "first"]


# ------------------------------------------------------------------ adoption


def test_adopting_a_job_of_another_type_is_refused_before_anything_is_sent(
    provider: ProviderServer, emulator: EmulatorProcess, out_of_band: OpsRampClient
) -> None:
    inputs = checked(provider, name="legacy")
    legacy = out_of_band.create_job(
        {**parse_job(inputs).to_wire(), "script": {"jobType": "sqlreport"}}
    )
    emulator.reset_stats()
    adopting = {**checked(provider, name="legacy"), "adoptId": legacy["id"]}
    message = rpc_error(provider.create, adopting)
    assert "that job is of type 'sqlreport' and the program declares 'adCheckList'" in message
    assert UPDATE_ROUTE not in emulator.stats()["by_route"]  # nothing was sent
    [stored] = emulator.jobs()
    assert stored["job"]["script"]["jobType"] == "sqlreport"


def test_one_job_adopted_by_two_resources_is_refused_the_second_time(
    provider: ProviderServer, emulator: EmulatorProcess, out_of_band: OpsRampClient
) -> None:
    inputs = checked(provider)
    legacy = out_of_band.create_job(parse_job(inputs).to_wire())
    job_id, _ = provider.create({**inputs, "adoptId": legacy["id"]})
    assert job_id == legacy["id"]
    message = rpc_error(provider.create, {**inputs, "adoptId": legacy["id"]})
    assert f"job {legacy['id']} in tenant 'client_13' is already managed by another resource" in (
        message
    )
    assert [j["job"]["id"] for j in emulator.jobs()] == [legacy["id"]]


def test_adopting_a_job_an_existing_resource_holds_is_refused(
    provider_server: ProviderServer, emulator: EmulatorProcess
) -> None:
    # A previous `up` created the job; in this `up` the engine diffs that resource, then a
    # second resource declares adopt_id of the same job.
    provider_server.configure(stack_config(emulator))
    inputs = checked(provider_server)
    job_id, outs = in_an_earlier_up(emulator, inputs)
    provider_server.diff(job_id, outs, inputs)
    message = rpc_error(provider_server.create, {**inputs, "adoptId": job_id})
    assert "already managed by another resource of this program" in message


def test_adoption_that_would_duplicate_a_name_is_refused_before_it_is_sent(
    provider: ProviderServer, emulator: EmulatorProcess, out_of_band: OpsRampClient
) -> None:
    inputs = checked(provider, name="keep")
    wire = parse_job(inputs).to_wire()
    legacy = out_of_band.create_job({**wire, "name": "legacy"})
    holder = out_of_band.create_job(wire)
    emulator.reset_stats()
    message = rpc_error(provider.create, {**inputs, "adoptId": legacy["id"]})
    assert f"cannot give job {legacy['id']} the name 'keep': job {holder['id']}" in message
    assert UPDATE_ROUTE not in emulator.stats()["by_route"]
    # Refused, so the job is not held: fixing the name lets the same resource adopt it.
    job_id, _ = provider.create({**checked(provider, name="legacy"), "adoptId": legacy["id"]})
    assert job_id == legacy["id"]


# ------------------------------------------------------------------ OPSRAMP_ADOPT_EXISTING


@pytest.fixture
def adopting(emulator: EmulatorProcess) -> Any:
    server = ProviderServer(env={"OPSRAMP_ADOPT_EXISTING": "1"})
    server.configure(stack_config(emulator))
    yield server
    server.close()


def test_adopt_existing_takes_over_the_one_job_of_the_declared_name(
    adopting: ProviderServer,
    provider: ProviderServer,
    emulator: EmulatorProcess,
    out_of_band: OpsRampClient,
) -> None:
    inputs = checked(provider)
    # Left by an interrupted `up`: there before this `up`'s provider lists the tenant.
    orphan = out_of_band.create_job({**parse_job(inputs).to_wire(), "jobQueued": False})
    assert checked(adopting) == inputs
    emulator.reset_stats()
    job_id, outs = adopting.create(inputs)
    assert job_id == orphan["id"]
    assert outs["jobQueued"] is True  # updated to the declared inputs
    assert CREATE_ROUTE not in emulator.stats()["by_route"]
    # A second resource of the same name in the same `up` may not take the same job.
    message = rpc_error(adopting.create, inputs)
    assert "already managed by another resource of this program" in message
    assert len(emulator.jobs()) == 1


def test_adopt_existing_refuses_two_matches_and_creates_when_none(
    adopting: ProviderServer, emulator: EmulatorProcess, out_of_band: OpsRampClient
) -> None:
    inputs = checked(adopting)
    wire = parse_job(inputs).to_wire()
    ids = sorted(out_of_band.create_job(wire)["id"] for _ in range(2))
    message = rpc_error(adopting.create, inputs)
    assert f"2 jobs are named 'Nightly AD check' in tenant 'client_13' ({', '.join(ids)})" in (
        message
    )
    assert "adopts only a single match" in message
    fresh_id, _ = adopting.create(checked(adopting, name="fresh"))
    assert fresh_id not in ids
    assert len(emulator.jobs()) == 3


def test_without_the_switch_a_job_of_the_name_is_refused_with_the_recovery_hint(
    provider: ProviderServer, out_of_band: OpsRampClient
) -> None:
    inputs = checked(provider)
    out_of_band.create_job(parse_job(inputs).to_wire())
    assert "OPSRAMP_ADOPT_EXISTING=1 pulumi up" in rpc_error(provider.create, inputs)


# ------------------------------------------------------------------ outputs after a write

HUGE_SCHEDULES = [
    {
        "startDate": "2026-01-05T02:30:00Z",
        "pattern": {"type": "daily", "frequency": "recurrence", "repeatFrequency": "1000000"},
    },
    {"startDate": "9999-12-31T23:00:00Z", "pattern": {"type": "daily", "frequency": "everyday"}},
]


@pytest.mark.parametrize("schedule", HUGE_SCHEDULES, ids=["every-million-days", "year-9999"])
def test_a_create_never_loses_the_job_it_made(
    provider: ProviderServer, emulator: EmulatorProcess, schedule: dict[str, Any]
) -> None:
    # Sent without `check` (which may refuse these): whatever create answers, it must agree
    # with OpsRamp: either an id that OpsRamp has, or an error and no job.
    inputs = {**job_inputs(schedule=schedule), "tenantId": "client_13"}
    try:
        job_id, outs = provider.create(inputs)
    except grpc.RpcError as error:
        refused = str(error.details())
    else:
        refused = ""
    if refused:
        assert emulator.jobs() == [], f"job left in OpsRamp after {refused}"
        return
    assert [j["job"]["id"] for j in emulator.jobs()] == [job_id]
    # What a program derives from the stored schedule is whatever is computable (no runs, or the
    # start itself in year 9999): never a crash.
    assert len(next_run_times(outs["schedule"])) <= 5
    assert isinstance(schedule_in_words(outs["schedule"]), str)
    # A refresh of it answers too.
    read_id, _, _ = provider.read(job_id, outs)
    assert read_id == job_id


def test_a_refresh_of_a_job_edited_to_an_uncomputable_schedule_answers(
    provider: ProviderServer, out_of_band: OpsRampClient
) -> None:
    job_id, outs = provider.create(checked(provider))
    live = out_of_band.get_job(job_id)
    live["schedule"] = HUGE_SCHEDULES[1]
    out_of_band.update_job(job_id, live)
    read_id, read_outs, _ = provider.read(job_id, outs)
    assert read_id == job_id
    assert read_outs["schedule"]["startDate"].startswith("9999-12-31")


# ------------------------------------------------------------------ the watchdog

SPAWN_PROVIDER = (
    "import subprocess, sys, time\n"
    "child = subprocess.Popen([sys.executable, '-u', '-m', 'pulumi.dynamic'])\n"
    "print('child', child.pid, flush=True)\n"
    "time.sleep(600)\n"
)


def test_the_provider_process_exits_when_the_engine_that_started_it_dies(
    emulator: EmulatorProcess,
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPSRAMP_")}
    engine = subprocess.Popen(
        [sys.executable, "-c", SPAWN_PROVIDER], stdout=subprocess.PIPE, text=True, env=env
    )
    assert engine.stdout is not None
    child, port = 0, ""
    while not (child and port):
        line = engine.stdout.readline().strip()
        assert line, "the provider did not start"
        if line.startswith("child "):
            child = int(line.split()[1])
        elif line.isdigit():
            port = line
    server = ProviderServer.__new__(ProviderServer)  # a stub for a process started elsewhere
    server.channel = grpc.insecure_channel(f"127.0.0.1:{port}")
    server.stub = provider_pb2_grpc.ResourceProviderStub(server.channel)
    try:
        server.configure(stack_config(emulator))
        server.check(job_inputs())  # the provider's own configure runs with its first call
        time.sleep(1.0)
        assert not gone(child)  # while the engine lives, the provider stays
        engine.kill()
        engine.wait()
        deadline = time.monotonic() + 5
        while not gone(child) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert gone(child), "the provider outlived the engine that started it"
    finally:
        server.channel.close()
        engine.stdout.close()
        if not gone(child):
            os.kill(child, 9)


def in_an_earlier_up(emulator: EmulatorProcess, inputs: dict[str, Any]) -> tuple[str, Any]:
    """Create a job through a provider process of its own, as an earlier `up` did."""
    earlier = ProviderServer()
    try:
        earlier.configure(stack_config(emulator))
        return earlier.create(inputs)
    finally:
        earlier.close()


def test_an_adopted_job_can_be_replaced(
    provider: ProviderServer, emulator: EmulatorProcess, out_of_band: OpsRampClient
) -> None:
    inputs = checked(provider)
    legacy = out_of_band.create_job(parse_job(inputs).to_wire())
    job_id, outs = in_an_earlier_up(emulator, {**inputs, "adoptId": legacy["id"]})
    # A new job type replaces the job, deleting it first; adoptId is still in the inputs.
    replaced = {**checked(provider, script={"jobType": "assetinfo"}), "adoptId": legacy["id"]}
    assert provider.diff(job_id, outs, replaced).deleteBeforeReplace
    provider.delete(job_id, outs)
    new_id, _ = provider.create(replaced)
    assert [j["job"]["id"] for j in emulator.jobs()] == [new_id]
    assert new_id != legacy["id"]


def test_a_job_moved_to_a_new_resource_by_adoption_is_not_deleted(
    provider: ProviderServer, emulator: EmulatorProcess
) -> None:
    inputs = checked(provider)
    job_id, outs = in_an_earlier_up(emulator, inputs)
    # The resource is renamed in the program (no alias) and the new one adopts the job: the
    # engine creates the new resource, then deletes the old one.
    adopted_id, _ = provider.create({**inputs, "adoptId": job_id})
    provider.delete(job_id, outs)
    assert adopted_id == job_id
    assert [j["job"]["id"] for j in emulator.jobs()] == [job_id]
